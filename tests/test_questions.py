"""Predict-then-reveal on the concept pages, in both languages: every question answered with every option.

Feedback appears only after an answer, the result only after an answer, right and wrong are told apart (the right
option checked against an independent expectation). Once answered a question stays answered while every setting
changes, its result stays shown, and its feedback tells the answer for the new settings.
"""
import pytest

from rnn_core.config import CHAPTER
from ui import i18n


def texts(lang, page):
    return i18n.table(lang, page)


def prefix(text):
    """The fixed start of a text with {fields}."""
    return text.split("{")[0]


def has_metric(label):
    return lambda at, t: any(m.label == t[label] for m in at.metric)


def has_latex(fragment):
    return lambda at, t: any(fragment in e.value for e in at.latex)


def has_caption(key):
    return lambda at, t: any(c.value.startswith(prefix(t[key])) for c in at.caption)


def padding_expected(at, t):
    """From the page's own metric 'after dropping <= 2' and maxlen: Keras pads in front and cuts the front."""
    n = int(next(m.value for m in at.metric if m.label == t["review.clean_len"]))
    maxlen = at.select_slider(key="pipeline_maxlen").value
    return {"pad_front"} if n < maxlen else {"cut_front"} if n > maxlen else {"unchanged"}


def memory_expected(at, t):
    """20,000 training reviews * maxlen * num_words * 4 bytes, binned by hand."""
    n = 20_000 * at.select_slider(key="pipeline_maxlen").value * at.select_slider(key="pipeline_num_words").value * 4
    return {"lt100mb"} if n < 1e8 else {"lt1gb"} if n < 1e9 else {"lt10gb"} if n < 1e10 else {"lt100gb"}


def weight_count(at, t):
    """The shared cell's weights counted by hand: W1x, W1h, b1, W2, b2 for the default sentence."""
    n_f = len(set(t["steps.default"].split()))
    n_c = at.select_slider(key="sequences_cells").value
    return f"{n_f * n_c + n_c * n_c + n_c + n_c + 1:,}"


def radius_expected(at, t):
    """Without inputs H stays at 0 and tanh's slope is 1: delta scales by the radius per step, 99 steps."""
    radius = at.slider(key="gradflow_radius").value
    return {"vanish"} if radius ** 99 < 1e-2 else {"explode"} if radius ** 99 > 1e2 else {"stable"}


def ratio_feedback(at, t):
    """Radius 2 without inputs: H stays at 0, tanh's slope is 1, so |delta_1| / |delta_T| = 2 ** 99: exploding."""
    steps = at.slider(key="gradflow_steps").value
    ratio = 2.0 ** (steps - 1)                               # computed here: each step back doubles delta
    return t["quiz.ratio.why.right_explode"].format(radius="2", steps=steps, ratio=f"{ratio:.1e}", per_step="2.000")


def small_radius(at):
    """Radius 0.5 and no inputs: |delta_1| / |delta_T| = 0.5 ** 99, vanishing beyond doubt."""
    at.slider(key="gradflow_input").set_value(0.0)
    at.slider(key="gradflow_radius").set_value(0.5)


# page -> (path, set-up, {qid: (expected right options, 'result shown' test, change a setting,
#                               text the feedback must hold after that change)})
PAGES = {
    "sequences": ("pages/sequences.py", None, {
        "orders": (lambda at, t: {"rnn"}, has_metric("orders.spread_dense"),
                   lambda at: at.select_slider(key="sequences_cells").set_value(8), None),
        "shared": (lambda at, t: {"shared"}, lambda at, t: any(r"\underbrace{Z_{1,t}}" in e.value for e in at.latex),
                   lambda at: at.select_slider(key="sequences_cells").set_value(8), weight_count),
        "series": (lambda at, t: {"zero"}, lambda at, t: any(m.label.endswith(t["series.r_shuffled"].split("}")[-1])
                                                             for m in at.metric),
                   lambda at: at.slider(key="sequences_lag").set_value(12), None),
    }),
    "pipeline": ("pages/pipeline.py", None, {
        "padding": (padding_expected, has_latex(r"\mathrm{pad}"),
                    lambda at: at.select_slider(key="pipeline_maxlen").set_value(25),
                    lambda at, t: t["quiz.padding.opt.cut_front"].format(maxlen=25)),
        "memory": (memory_expected, has_latex("float32"),     # 20,000 * 100 * 100 * 4 bytes = 800 MB
                   lambda at: at.select_slider(key="pipeline_maxlen").set_value(400),
                   lambda at, t: t["quiz.memory.opt.lt10gb"]),   # 20,000 * 400 * 100 * 4 bytes = 3.2 GB
    }),
    "unrolling": ("pages/unrolling.py", None, {
        "input_term": (lambda at, t: {"row"}, has_caption("row_pick"),
                       lambda at: at.toggle(key="unrolling_trained").set_value(False), None),
        "hw_shape": (lambda at, t: {"m_nc"}, lambda at, t: any(e.value.startswith(t["batch_heading"].split("{")[0])
                                                               for e in at.subheader) and len(at.latex) >= 1,
                     lambda at: at.slider(key="unrolling_batch").set_value(4),
                     lambda at, t: f"(4, {CHAPTER.n_cells})"),
    }),
    "gradflow": ("pages/gradflow.py", small_radius, {
        "ratio": (radius_expected, has_metric("metric_radius"),
                  lambda at: at.slider(key="gradflow_radius").set_value(2.0), ratio_feedback),
        "textbook": (lambda at, t: {"transpose"}, has_latex("varepsilon"),
                     lambda at: at.number_input(key="gradflow_check_seed").set_value(3), None),
    }),
}
CASES = [(page, qid) for page, (_, _, qs) in PAGES.items() for qid in qs]


def options_of(t, qid):
    """The option keys of a question, from its texts."""
    return [k.rsplit(".", 1)[1] for k in t if k.startswith(f"quiz.{qid}.opt.")]


def asked(t, qid, shown):
    """The option keys whose texts are among the radio's shown options (their {fields} filled in)."""
    import re
    def pattern(text):
        parts = re.split(r"\{[^{}]*\}", text.replace("{{", "{").replace("}}", "}"))
        return re.compile("^" + ".*?".join(map(re.escape, parts)) + "$")
    return [o for o in options_of(t, qid) if any(pattern(t[f"quiz.{qid}.opt.{o}"]).match(s) for s in shown)]


def radio(at, qid):
    found = [r for r in at.radio if r.key == f"quiz_{qid}"]
    assert len(found) == 1, [r.key for r in at.radio]
    return found[0]


def open_page(make_app, lang, page, **query):
    path, setup, _ = PAGES[page]
    at = make_app(lang, **query).run()
    at.switch_page(path).run()
    if setup:
        setup(at)
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def each_question(test):
    """Run a test for every question of every concept page, in both languages."""
    return pytest.mark.parametrize("lang", i18n.LANGS)(pytest.mark.parametrize("page, qid", CASES)(test))


@each_question
def test_every_option_gets_its_feedback_after_an_answer(make_app, lang, page, qid):
    t = texts(lang, page)
    expected, shown, *_ = PAGES[page][2][qid]
    at = open_page(make_app, lang, page)
    q = radio(at, qid)
    assert q.value is None                                   # no default answer
    assert not at.success and not at.error                   # no feedback yet
    assert not shown(at, t)                                  # and no result
    assert len(q.options) >= 2
    right = set()
    options = asked(t, qid, q.options)                       # a question may leave out options at some settings
    assert len(options) == len(q.options)
    for option in options:
        radio(at, qid).set_value(option).run()
        assert not at.exception, [e.value for e in at.exception]
        assert shown(at, t), option                          # the result, once answered
        assert len(at.success) + len(at.error) == 1, option  # one feedback box, this question's
        if at.success:
            right.add(option)
            assert t[f"quiz.{qid}.opt.{option}"] not in at.success[0].value   # the answer line is for wrong ones
        else:
            assert at.error[0].value.startswith(i18n.table(lang, "common")["quiz.wrong"])
        again(at, qid).click().run()                         # a fresh prediction: nothing shown until answered
        assert radio(at, qid).value is None and not at.success and not at.error and not shown(at, t)
    assert right == expected(at, t)


def again(at, qid):
    return at.button(key=f"quiz_{qid}_again")


def feedback(at):
    """Every feedback box's text."""
    return [e.value for e in (*at.success, *at.error, *at.info)]


@each_question
def test_a_setting_change_keeps_the_answer_and_updates_the_feedback(make_app, lang, page, qid):
    t, common = texts(lang, page), i18n.table(lang, "common")
    expected, shown, change, after = PAGES[page][2][qid]
    at = open_page(make_app, lang, page)
    chosen = asked(t, qid, radio(at, qid).options)[0]
    radio(at, qid).set_value(chosen).run()
    assert len(at.success) + len(at.error) == 1 and shown(at, t)
    change(at)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert radio(at, qid).value == chosen and radio(at, qid).disabled        # still answered, and locked
    assert shown(at, t)                                                     # the result follows the setting
    now = [f for f in feedback(at) if f.startswith(common["quiz.now"])]
    assert len(now) == 1, feedback(at)                                      # the answer for the new settings
    assert any(prefix(t[f"quiz.{qid}.opt.{o}"]) in now[0] for o in expected(at, t))
    if after:
        assert after(at, t) in now[0]                                        # with the new settings' numbers
    again(at, qid).click().run()                                            # a fresh prediction
    assert radio(at, qid).value is None and not radio(at, qid).disabled and not shown(at, t)


CHOICES = {"unrolling": {"unrolling_pick": "turn"}}     # segmented controls: the raw value of another choice


def settings_of(at):
    """(kind, key) of every control in the page body (the sidebar's language and modes are not settings)."""
    kinds = ("slider", "select_slider", "number_input", "selectbox", "toggle", "text_input", "text_area")
    return [(k, w.key) for k in kinds for w in getattr(at.main, k) if w.key and not w.key.startswith("quiz_")]


def change_once(widget, kind):
    """Move a control to another value it allows."""
    if kind == "toggle":
        return widget.set_value(not widget.value)
    if kind in ("text_input", "text_area"):
        return widget.set_value("not good at all but the ending was great")
    if kind == "number_input":
        up = widget.value + 1
        return widget.set_value(up if widget.max is None or up <= widget.max else widget.value - 1)
    if kind == "slider":
        return widget.set_value(widget.max if widget.value != widget.max else widget.min)
    if kind == "selectbox":
        return widget.select_index(1 if widget.index == 0 else 0) if len(widget.options) > 1 else None
    others = [o for o in widget.options if o != widget.format_func(widget.value)]   # select_slider: shown texts
    number = others[-1].split()[0].replace(",", "")
    return widget.set_value(type(widget.value)(float(number)) if isinstance(widget.value, (int, float)) else number)


@pytest.mark.parametrize("lang, page", [(i18n.LANGS[i % len(i18n.LANGS)], p) for i, p in enumerate(PAGES)])
def test_every_setting_keeps_every_answer(make_app, lang, page):
    """Answer every question of a page, then change every setting once: nothing answered is asked again (one
    language a page, by turns: whether an answer is kept does not depend on the language; the feedback in both is
    tests above)."""
    t = texts(lang, page)
    questions = PAGES[page][2]
    at = open_page(make_app, lang, page)
    for qid in questions:
        radio(at, qid).set_value(asked(t, qid, radio(at, qid).options)[-1]).run()
    answered = {qid: radio(at, qid).value for qid in questions}
    for kind, key in settings_of(at) + [("segmented_control", k) for k in CHOICES.get(page, ())]:
        if kind == "segmented_control":
            at.segmented_control(key=key).set_value(CHOICES[page][key])
            found = [None]
        else:
            found = [w for w in getattr(at.main, kind) if w.key == key]
        if not found:
            continue                                 # a control that only shows in another state
        if found[0] is not None and change_once(found[0], kind) is None:
            continue                                 # nothing else to choose
        at.run()
        assert not at.exception, (key, [e.value for e in at.exception])
        for qid, (_, shown, *_) in questions.items():
            assert radio(at, qid).value == answered[qid], (key, qid)
            assert shown(at, t), (key, qid)
        assert len(feedback(at)) >= len(questions), key


@pytest.mark.parametrize("page", list(PAGES))
def test_show_all_answers_from_the_url(make_app, page):
    t = texts("en", page)
    at = open_page(make_app, "en", page, answers="true")
    assert at.session_state["answers"] is True
    for qid, (_, shown, *_) in PAGES[page][2].items():
        assert radio(at, qid).value is None and shown(at, t), qid
    assert len(at.info) >= len(PAGES[page][2]) and not at.success and not at.error


def test_lecture_mode_reveals_on_the_button(make_app):
    t = texts("ko", "gradflow")
    at = open_page(make_app, "ko", "gradflow", lecture="true")
    shown = PAGES["gradflow"][2]["ratio"][1]
    assert not shown(at, t)
    prompt = prefix(t["quiz.ratio.prompt"])
    assert any(prompt in e.value for e in at.subheader)      # big: a heading, not a line of text
    reveal = [b for b in at.button if b.key == "quiz_ratio_reveal"]
    assert len(reveal) == 1
    reveal[0].click().run()
    assert shown(at, t) and radio(at, "ratio").value is None
    assert any(i18n.table("ko", "common")["quiz.answer"].split("{")[0] in i.value for i in at.info)


@pytest.mark.parametrize("page", ["sequences", "pipeline", "unrolling"])
def test_no_server_path_on_a_page(make_app, page):
    """The data note names where the reviews came from, never the server's folders (issue 16)."""
    import os
    at = open_page(make_app, "en", page, answers="true")
    shown = " ".join(e.value for kind in ("caption", "markdown", "info", "warning") for e in getattr(at, kind))
    folder = os.environ.get("IMDB_DATA_DIR")
    assert folder and folder not in shown and "/work/" not in shown
