"""scripts/serve.sh in a real browser: two replicas behind HAProxy, sessions kept on one replica by its cookie.

A training started through the proxy keeps going while the student visits another page, is found again on the
way back, and its history downloads (a /media URL, which only the replica holding the session can serve).
"""
import os
import re
import shutil

import pytest

from tests.browser import harness
from ui import i18n

COOKIE = "RNN_REPLICA"
pytestmark = pytest.mark.xdist_group("proxy")      # both tests in one process: one proxy and its replicas


@pytest.fixture(scope="module")
def proxy():
    if not (shutil.which("haproxy") or os.path.exists("/usr/sbin/haproxy")):
        if os.environ.get("CI"):
            pytest.fail("haproxy is not installed (apt-get install haproxy)")
        pytest.skip("haproxy is not installed")
    (harness.ROOT / "artifacts").mkdir(exist_ok=True)
    with harness.proxy_server(replicas=2) as (url, _proc):
        yield url


def _replica(context):
    return {c["name"]: c["value"] for c in context.cookies()}.get(COOKIE)


def _text(page_key, key, fallback):
    """A label from the English texts, wherever the page keeps it (its own table or the shared one)."""
    for table in (page_key, "common"):
        with_key = i18n.table("en", table) if (i18n.LOCALES / "en" / f"{table}.toml").exists() else {}
        if key in with_key:
            return with_key[key]
    return fallback


def _button(page, which):
    """The training's Start or Stop button: by its widget key when the page still uses it, else by its label."""
    keyed = page.locator(f".st-key-train_numpy_{which} button")
    if keyed.count():
        return keyed.first
    return page.get_by_role("button", name=_text("train_numpy", f"train.{which}", which.title()), exact=True).first


def _set_short_run(page):
    """3 epochs on the default training set (a few seconds), when the epochs control is there."""
    epochs = page.locator(".st-key-train_numpy_epochs input")
    if epochs.count():
        epochs.first.fill("3")
        epochs.first.press("Enter")
        harness.wait_idle(page)


def _nav(page, key):
    """Go to another page through the sidebar's navigation (same tab, same session)."""
    page.locator('[data-testid="stSidebarNav"] a', has_text=i18n.table("en", key)["title"]).first.click()
    harness.wait_idle(page, timeout=120)


def test_sessions_spread_over_replicas_by_cookie(browser, proxy):
    seen = set()
    for _ in range(4):
        context = browser.new_context()
        try:
            page = context.new_page()
            harness.open_page(page, proxy, "home", "en", timeout=120)
            assert not harness.exceptions(page)
            seen.add(_replica(context))
        finally:
            context.close()
    assert seen == {"r0", "r1"}, f"replica cookies seen: {seen}"


def test_training_survives_page_switch_and_downloads_through_proxy(browser, proxy, tmp_path):
    context = browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True)
    try:
        page = context.new_page()
        harness.open_page(page, proxy, "train_numpy", "en", timeout=180)
        replica = _replica(context)
        assert replica in {"r0", "r1"}
        _set_short_run(page)
        _button(page, "start").click()
        for _ in range(120):                     # Stop is enabled as soon as the run has started
            if _button(page, "stop").is_enabled():
                break
            page.wait_for_timeout(250)
        assert _button(page, "stop").is_enabled(), "the run should be going when the student leaves"

        _nav(page, "sequences")                  # another page while the run goes on
        assert not harness.exceptions(page)
        _nav(page, "train_numpy")                # and back: the same session on the same replica
        for _ in range(480):                     # the run advances in chunks; Start is enabled again at the end
            if _button(page, "start").is_enabled():
                break
            page.wait_for_timeout(500)
        harness.wait_idle(page, timeout=120)
        assert not harness.exceptions(page), harness.exceptions(page)[0][:1500]
        assert _replica(context) == replica
        assert page.get_by_text(re.compile(r"\b3 epochs\b")).count() >= 1, "the run started before is not shown"

        csv = page.locator('[data-testid="stDownloadButton"] button', has_text=re.compile(r"\.csv"))
        assert csv.count() >= 1, "the finished run is not listed with its history download"
        with page.expect_download() as info:
            csv.first.click()
        path = tmp_path / "history.csv"
        info.value.save_as(path)
        header = path.read_text().splitlines()[0]
        assert "loss" in header, header
        harness.screenshot(page, harness.SHOTS / "proxy-train_numpy.png")
    finally:
        context.close()
