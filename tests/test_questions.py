"""Predict-then-reveal on the concept pages, in both languages: every question answered with every option.

Feedback appears only after an answer, the result only after an answer, right and wrong are told apart (the right
option checked against an independent expectation), and changing a setting asks the question afresh.
"""
import pytest

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
    """From the page's own metric 'after dropping <= 2' and maxlen 100: Keras pads in front and cuts the front."""
    n = int(next(m.value for m in at.metric if m.label == t["review.clean_len"]))
    return {"pad_front"} if n < 100 else {"cut_front"} if n > 100 else {"unchanged"}


def small_radius(at):
    """Radius 0.5 and no inputs: |delta_1| / |delta_T| = 0.5 ** 99, vanishing beyond doubt."""
    at.slider(key="gradflow_input").set_value(0.0)
    at.slider(key="gradflow_radius").set_value(0.5)


# page -> (path, set-up, {qid: (expected right options, 'result shown' test, change a setting)})
PAGES = {
    "sequences": ("pages/sequences.py", None, {
        "orders": (lambda at, t: {"rnn"}, has_metric("orders.spread_dense"),
                   lambda at: at.select_slider(key="sequences_cells").set_value(8)),
        "shared": (lambda at, t: {"shared"}, lambda at, t: any(r"\underbrace{Z_{1,t}}" in e.value for e in at.latex),
                   lambda at: at.number_input(key="sequences_seed").set_value(7)),
        "series": (lambda at, t: {"zero"}, lambda at, t: any(m.label.endswith(t["series.r_shuffled"].split("}")[-1])
                                                             for m in at.metric),
                   lambda at: at.slider(key="sequences_lag").set_value(12)),
    }),
    "pipeline": ("pages/pipeline.py", None, {
        "padding": (padding_expected, has_latex(r"\mathrm{pad}"),
                    lambda at: at.select_slider(key="pipeline_maxlen").set_value(200)),
        "memory": (lambda at, t: {"lt1gb"}, has_latex("float32"),     # 20,000 * 100 * 100 * 4 bytes = 800 MB
                   lambda at: at.select_slider(key="pipeline_maxlen").set_value(400)),
    }),
    "unrolling": ("pages/unrolling.py", None, {
        "input_term": (lambda at, t: {"row"}, has_caption("row_pick"),
                       lambda at: at.number_input(key="unrolling_seed").set_value(7)),
        "hw_shape": (lambda at, t: {"m_nc"}, lambda at, t: any(e.value.startswith(t["batch_heading"].split("{")[0])
                                                               for e in at.subheader) and len(at.latex) >= 3,
                     lambda at: at.slider(key="unrolling_batch").set_value(4)),
    }),
    "gradflow": ("pages/gradflow.py", small_radius, {
        "ratio": (lambda at, t: {"vanish"}, has_metric("metric_radius"),
                  lambda at: at.slider(key="gradflow_radius").set_value(2.0)),
        "textbook": (lambda at, t: {"transpose"}, has_latex("varepsilon"),
                     lambda at: at.number_input(key="gradflow_check_seed").set_value(3)),
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
    found = [r for r in at.radio if r.key.startswith(f"quiz_{qid}_")]
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
    expected, shown, _ = PAGES[page][2][qid]
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
    assert right == expected(at, t)


@each_question
def test_changing_a_setting_asks_again(make_app, lang, page, qid):
    t = texts(lang, page)
    _, shown, change = PAGES[page][2][qid]
    at = open_page(make_app, lang, page)
    radio(at, qid).set_value(options_of(t, qid)[0]).run()
    assert len(at.success) + len(at.error) == 1 and shown(at, t)
    change(at)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert radio(at, qid).value is None
    assert not at.success and not at.error and not shown(at, t)


@pytest.mark.parametrize("page", list(PAGES))
def test_show_all_answers_from_the_url(make_app, page):
    t = texts("en", page)
    at = open_page(make_app, "en", page, answers="true")
    assert at.session_state["answers"] is True
    for qid, (_, shown, _) in PAGES[page][2].items():
        assert radio(at, qid).value is None and shown(at, t), qid
    assert len(at.info) >= len(PAGES[page][2]) and not at.success and not at.error


def test_lecture_mode_reveals_on_the_button(make_app):
    t = texts("ko", "gradflow")
    at = open_page(make_app, "ko", "gradflow", lecture="true")
    shown = PAGES["gradflow"][2]["ratio"][1]
    assert not shown(at, t)
    prompt = prefix(t["quiz.ratio.prompt"])
    assert any(prompt in e.value for e in at.subheader)      # big: a heading, not a line of text
    reveal = [b for b in at.button if b.key and b.key.startswith("quiz_ratio_") and b.key.endswith("_reveal")]
    assert len(reveal) == 1
    reveal[0].click().run()
    assert shown(at, t) and radio(at, "ratio").value is None
    assert any(i18n.table("ko", "common")["quiz.answer"].split("{")[0] in i.value for i in at.info)
