"""A whole two-round class question in a real browser: one lecturer tab and three student tabs (Korean and English).

Before the reveal no student's question box shows feedback or a chart of the votes; the lecturer sees the live
count within 2 s of the votes and the histogram after closing a round; after the reveal each student sees their own
verdict and both rounds."""
import re
import time

from tests.browser import harness
from tests.browser.conftest import SHOTS
from ui import i18n

BOX = ".st-key-quizbox_orders"
BANNER = ".st-key-class_banner"        # the student's round status, redrawn when the page's poll (3 s) sees a change
OPTIONS = ("neither", "dense", "rnn", "both")       # quiz.word_order's options, in order


def wait_for(check, timeout=20, poll=0.2):
    """Wait until check() is true (the app's own timing: a student's page looks at the room every 3 s)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(poll)
    return False


def click(tab, text, scope=BOX):
    tab.locator(scope).get_by_role("button", name=text).first.click()
    harness.wait_idle(tab)


def choose(tab, lang, option):
    label = i18n.table(lang, "sequences")[f"quiz.orders.opt.{option}"].split("{")[0].strip()
    tab.locator(f'{BOX} [data-testid="stRadio"] label', has_text=label).first.click()
    harness.wait_idle(tab)


def feedback(tab):
    return tab.locator(f'{BOX} [data-testid="stAlert"]').count()


def votes_chart(tab):
    return tab.locator(f'{BOX} [data-testid="stVegaLiteChart"]').count()


def test_lecturer_and_three_students(browser, server):
    en = i18n.table("en", "class_session")
    lec = browser.new_page(viewport={"width": 1400, "height": 900})
    harness.open_page(lec, server, "class_session", "en")
    lec.get_by_role("button", name=en["open.button"]).first.click()
    harness.wait_idle(lec)
    code = re.search(r"\?room=([A-Z0-9]{5})", lec.locator('[data-testid="stCode"]').first.inner_text()).group(1)
    lec.locator('[data-testid="stSidebarNav"] a', has_text=i18n.table("en", "sequences")["title"]).first.click()
    harness.wait_idle(lec)

    plan = [("ko", "dense", "rnn"), ("en", "rnn", "rnn"), ("ko", "both", "both")]
    tabs = []
    for lang, _, _ in plan:
        tab = browser.new_page(viewport={"width": 390, "height": 844})          # phones
        harness.open_page(tab, server, "sequences", lang, room=code)
        assert code in tab.locator(BANNER).inner_text()
        assert "me=" in tab.url                                                # a stable voter across reloads
        tabs.append(tab)
    try:
        click(lec, en["lecturer.start"])
        for tab, (lang, first, _) in zip(tabs, plan):
            choose(tab, lang, first)
            assert feedback(tab) == 0 and votes_chart(tab) == 0
        started = time.monotonic()
        assert wait_for(lambda: lec.locator(f'{BOX} [data-testid="stMetricValue"]').inner_text().strip() == "3", 5)
        assert time.monotonic() - started <= 2.5                               # the lecturer's count follows
        click(lec, en["lecturer.close"].format(round=1))
        assert votes_chart(lec) == 1 and feedback(lec) == 0
        for tab, (lang, _, _) in zip(tabs, plan):                              # the students see it closed...
            closed = i18n.table(lang, "class_session")["student.closed"].format(round=1)
            assert wait_for(lambda tab=tab, closed=closed: tab.locator(BANNER).get_by_text(closed).count() > 0, 8)
            assert feedback(tab) == 0 and votes_chart(tab) == 0               # ...but no counts, no answer
        click(lec, en["lecturer.round2"])
        for tab, (lang, _, second) in zip(tabs, plan):
            counted = i18n.table(lang, "class_session")["student.counted"].split("{option}")[0].format(round=2)
            assert wait_for(lambda tab=tab, counted=counted: tab.locator(BANNER).get_by_text(counted).count() > 0, 8)
            choose(tab, lang, second)
        click(lec, en["lecturer.close"].format(round=2))
        for tab in tabs:
            assert feedback(tab) == 0 and votes_chart(tab) == 0
        click(lec, en["lecturer.reveal"])
        for tab, (_, _, second) in zip(tabs, plan):
            assert wait_for(lambda tab=tab: feedback(tab) == 1, 8)
            harness.wait_idle(tab)
            kind = "stAlertContentSuccess" if second == "rnn" else "stAlertContentError"
            assert tab.locator(f'{BOX} [data-testid="{kind}"]').count() == 1
            assert votes_chart(tab) == 1
            assert not harness.exceptions(tab)
        assert votes_chart(lec) == 1 and not harness.exceptions(lec)
        harness.screenshot(lec, SHOTS / "class-lecturer-en.png")
        harness.screenshot(tabs[0], SHOTS / "class-student-ko.png")
    finally:
        for tab in (lec, *tabs):
            tab.close()


def test_a_student_follows_the_lecturer(browser, server):
    """A student who follows the lecturer is taken to the lecturer's page by the banner's poll of the room (the
    page's GET of the room's fingerprint, then the banner's rerun), within a few seconds."""
    en = i18n.table("en", "class_session")
    lec = browser.new_page(viewport={"width": 1400, "height": 900})
    tab = browser.new_page(viewport={"width": 1400, "height": 900})
    try:
        harness.open_page(lec, server, "class_session", "en")
        lec.get_by_role("button", name=en["open.button"]).first.click()
        harness.wait_idle(lec)
        code = re.search(r"\?room=([A-Z0-9]{5})", lec.locator('[data-testid="stCode"]').first.inner_text()).group(1)
        harness.open_page(tab, server, "sequences", "en", room=code)
        tab.locator(BANNER).get_by_text(en["banner.follow"]).click()
        harness.wait_idle(tab)
        lec.locator('[data-testid="stSidebarNav"] a', has_text=i18n.table("en", "memory")["title"]).first.click()
        harness.wait_idle(lec)
        moved = time.monotonic()
        def path():
            """The tab's path now (tab.url is only as fresh as the last call into Playwright)."""
            return tab.evaluate("location.pathname")

        assert wait_for(lambda: path().endswith("/memory"), 12), path()
        assert time.monotonic() - moved <= 8                                   # one poll (3 s) and the page run
        harness.wait_idle(tab)
        assert not harness.exceptions(tab)
    finally:
        lec.close()
        tab.close()
