"""Browser fixtures: one `streamlit run` server and one headless Debian Chromium per test process (see harness.py).

A failing test gets a screenshot of every tab it still has open, in artifacts/browser/failed/.
"""
import os
from pathlib import Path

import pytest

from tests.browser import harness

SHOTS = harness.SHOTS          # (kept: tests import it from here)
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}


def pytest_collection_modifyitems(items):
    """Every test in tests/browser is a `browser` test (pytest -m "not browser" leaves them out)."""
    for item in items:
        if "tests/browser/" in item.nodeid:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """On a failure, while the test's tabs are still open: a screenshot of each."""
    report = yield
    if report.when == "call" and report.failed and "browser" in getattr(item, "funcargs", {}):
        tabs = [p for c in item.funcargs["browser"].contexts for p in c.pages if not p.is_closed()]
        for error in harness.shoot_failed(tabs, item.nodeid.split("::", 1)[-1]):
            report.sections.append(("screenshot", error))
    return report


@pytest.fixture(scope="session")
def browser():
    if not Path(harness.CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is not installed (apt-get install chromium fonts-noto-cjk)")
        pytest.skip("Debian's chromium is not installed")
    with harness.chromium() as b:
        yield b


@pytest.fixture(scope="session")
def server():
    """The base URL of the server shared by this test process's browser tests."""
    (harness.ROOT / "artifacts").mkdir(exist_ok=True)
    with harness.streamlit_server() as (url, proc):
        yield url


@pytest.fixture
def page(browser):
    """A fresh desktop tab (1400 x 900)."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    p = context.new_page()
    yield p
    context.close()


@pytest.fixture
def phone(browser):
    """A fresh phone tab: 390 x 844 CSS px, touch, mobile viewport."""
    context = browser.new_context(**PHONE)
    p = context.new_page()
    yield p
    context.close()
