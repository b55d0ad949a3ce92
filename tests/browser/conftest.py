"""Browser fixtures: one `streamlit run` server and one headless Debian Chromium for the whole session."""
import os
from pathlib import Path

import pytest

from tests.browser import harness

SHOTS = harness.ROOT / "artifacts" / "browser"


def pytest_collection_modifyitems(items):
    """Every test in tests/browser is a `browser` test (pytest -m "not browser" leaves them out)."""
    for item in items:
        if "tests/browser/" in item.nodeid:
            item.add_marker(pytest.mark.browser)


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
    (harness.ROOT / "artifacts").mkdir(exist_ok=True)
    with harness.streamlit_server() as (url, proc):
        yield url


@pytest.fixture
def page(browser):
    p = browser.new_page(viewport={"width": 1400, "height": 900})
    yield p
    p.close()
