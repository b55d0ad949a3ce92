"""Never taught wrong: every question swept over its whole settings grid, in both languages.

For each question the right option is computed here, independently of rnn_core.assessment.quiz (brute force, plain
loops, np.corrcoef), and the test asserts that exactly one option is right, that it is the independent one, and
that the feedback of every option states the direction and size the computation gives.
"""
import itertools
import math
import string

import numpy as np
import pytest

from rnn_core.assessment import quiz
from rnn_core.data import timeseries as ts
from rnn_core.lessons import gradflow, memory
from rnn_core.lessons import sequences as seq
from ui import i18n

LANGS = ("en", "ko")


def all_texts(page):
    return {lang: i18n.table(lang, page) for lang in LANGS}


def render(texts, question, option):
    """The feedback text of one option in every language, with the question's numbers: every field must be known."""
    key, params = question.why(option)
    out = {}
    for lang, table in texts.items():
        assert key in table, f"{lang}: {key} missing"
        out[lang] = table[key].format(**params)
    for name in question.options:                                         # options and prompt format too
        for table in texts.values():
            table[f"quiz.{question.qid}.opt.{name}"].format(**params)
            table[f"quiz.{question.qid}.prompt"].format(**params)
    return out


def exactly_one(question, expected):
    assert question.correct == {expected}, (question.settings, question.correct, expected)
    assert sum(question.is_right(o) for o in question.options) == 1


# ----------------------------------------------------------------------------- sequences: the shuffled series

NOISE = (0.0, 0.5, 1.0, 2.0, 4.0)          # pages/sequences.py's select_slider
LAGS = range(1, 25)                         # its slider


@pytest.mark.parametrize("noise", NOISE)
def test_shuffled_correlation_over_every_lag_and_noise(noise):
    texts = all_texts("sequences")
    series = ts.hourly_temperatures(days=7, noise=noise, seed=0)
    mixed = ts.shuffled(series, seed=1)
    for lag in LAGS:
        r = np.corrcoef(series[:-lag], series[lag:])[0, 1]               # independent of ts.correlation
        r_mixed = np.corrcoef(mixed[:-lag], mixed[lag:])[0, 1]
        n = len(series) - lag
        band = 2 / math.sqrt(n)
        change = abs(r_mixed) - abs(r)
        expected = "zero" if change < -band else "stronger" if change > band else "same"
        q = quiz.shuffled_correlation(ts.lag_correlation(series, lag), ts.lag_correlation(mixed, lag), lag, n)
        exactly_one(q, expected)
        for option in q.options:
            said = render(texts, q, option)
            assert f"{r:+.2f}" in said["en"] and f"{r:+.2f}" in said["ko"]        # the live numbers
            key = q.feedback[option]
            if key in ("zero_flat", "right_same_flat"):                 # "already about 0 in order"
                assert abs(r) <= band
            if key == "right_zero":                                     # "inside the noise band"
                assert abs(r_mixed) <= band or change < -band
            if key == "zero":                                           # "did not drop by more than the band"
                assert change >= -band


# ----------------------------------------------------------------------------- sequences: word order

SENTENCES = ("Hello", "a a a", "a b", "a b a", "the cat sat on the mat", "one two three four five",
             "a a b b", "x y z x y z w", "very good very good")


def plain_outputs(tokens, rnn):
    """Dense (sum of one-hots) and RNN outputs by plain loops, one order at a time."""
    n_f = rnn.w1x.shape[0]
    s = np.zeros(n_f)
    for tok in tokens:
        s[tok] += 1
    dense = 1 / (1 + np.exp(-(np.tanh(s @ rnn.w1x + rnn.b1) @ rnn.w2 + rnn.b2)[0]))
    h = np.zeros(rnn.w1h.shape[0])
    for tok in tokens:
        h = np.tanh(rnn.w1x[tok] + h @ rnn.w1h + rnn.b1)
    return dense, 1 / (1 + np.exp(-(h @ rnn.w2 + rnn.b2)[0]))


@pytest.mark.parametrize("sentence", SENTENCES)
def test_word_order_counts_distinct_orders_and_has_one_answer(sentence):
    texts = all_texts("sequences")
    words = seq.split_words(sentence)
    distinct = set(itertools.permutations(words))                        # brute force
    assert seq.n_distinct_orders(words) == len(distinct)
    assert len(seq.distinct_orders(words)) == len(distinct)
    vocab = seq.vocabulary(words)
    for n_cells, seed in itertools.product((2, 4, 8, 16), (0, 42, 9999)):
        rnn = seq.seeded_rnn(len(vocab), n_cells, seed)
        outs = np.array([plain_outputs([vocab[w] for w in order], rnn) for order in distinct])   # (n, 2)
        dense_spread, rnn_spread = np.ptp(outs, axis=0)
        expected = "neither" if len(distinct) == 1 else "rnn"
        q = quiz.word_order(dense_spread, rnn_spread, len(distinct))
        exactly_one(q, expected)
        assert q.params["n"] == len(distinct)
        for option in q.options:
            render(texts, q, option)


# ----------------------------------------------------------------------------- unrolling: the shape of H W1h

@pytest.mark.parametrize("n_f", [2, 5, 16, 64, 100, 1000])
def test_recurrent_shape_has_one_right_option_for_every_size(n_f):
    texts = all_texts("unrolling")
    symbols = {"m_nc": ("m", "n_c"), "nf_nc": ("n_f", "n_c"), "nc_nc": ("n_c", "n_c"), "m_nf": ("m", "n_f"),
               "nc_nf": ("n_c", "n_f"), "one_nc": (1, "n_c"), "m_one": ("m", 1)}
    for m, n_c in itertools.product(range(2, 17), range(2, 65)):        # the page's batch slider and cells input
        hw = np.ones((m, n_c)) @ np.ones((n_c, n_c))                     # the real product
        q = quiz.recurrent_shape(hw, m, n_f, n_c)
        sizes = {"m": m, "n_f": n_f, "n_c": n_c}
        numbers = {o: tuple(sizes.get(s, s) for s in symbols[o]) for o in q.options}
        assert len(q.options) >= 3 and len(set(numbers.values())) == len(q.options)   # all different numbers
        exactly_one(q, next(o for o, v in numbers.items() if v == hw.shape))
    for option in q.options:
        render(texts, q, option)


# ----------------------------------------------------------------------------- gradient flow: the ratio

def plain_delta_norms(net, x, y):
    """|delta_t| for t = 1..T by a plain loop (the chain rule written out), mean over the batch."""
    m, steps = x.shape
    h = [np.zeros((m, net.n_cells))]
    for t in range(steps):
        h.append(np.tanh(net.w1x[x[:, t]] + h[-1] @ net.w1h + net.b1))
    a = 1 / (1 + np.exp(-(h[-1] @ net.w2 + net.b2)))
    delta = (a - y[:, None]) @ net.w2.T * (1 - h[-1] ** 2)
    norms = [np.linalg.norm(delta, axis=1).mean()]
    for t in range(steps, 1, -1):
        delta = delta @ net.w1h.T * (1 - h[t - 1] ** 2)
        norms.append(np.linalg.norm(delta, axis=1).mean())
    return np.array(norms[::-1])


@pytest.mark.parametrize("init", gradflow.INITIALISERS)
def test_delta_ratio_feedback_agrees_with_the_measured_ratio(init):
    texts = all_texts("gradflow")
    rng = np.random.default_rng(0)
    x = rng.integers(0, 100, (8, 200))
    y = rng.integers(0, 2, 8).astype(float)
    seen = set()
    for radius, scale, steps in itertools.product((0.5, 0.8, 0.95, 1.0, 1.05, 1.2, 1.5, 2.0), (0.0, 1.0, 3.0),
                                                  (10, 30, 100, 200)):
        net = gradflow.make_network(100, 16, init, radius, scale, seed=1)
        norms = plain_delta_norms(net, x[:, :steps], y)
        ratio = norms[0] / norms[-1]
        expected = "vanish" if ratio < 1e-2 else "explode" if ratio > 1e2 else "stable"
        q = quiz.delta_ratio(ratio, radius, steps)
        exactly_one(q, expected)
        seen.add(expected)
        for option in q.options:
            key = q.feedback[option]
            said = render(texts, q, option)
            assert f"{ratio:.1e}" in said["en"] and f"{ratio:.1e}" in said["ko"]
            assert key == f"right_{expected}" if option == expected else key.split("_")[1] == expected
            if key == "explode_vanish_small_radius":
                assert radius < 1
            if key == "vanish_explode":                               # "a radius of r stretches"
                assert radius > 1
    assert seen == {"vanish", "stable", "explode"}


# ----------------------------------------------------------------------------- pipeline: padding and one-hot size

def plain_pad(review, maxlen):
    kept = list(review)[-maxlen:]
    return [0] * (maxlen - len(kept)) + kept


@pytest.mark.parametrize("maxlen", [25, 100, 200, 400])
def test_padding_has_one_right_option_for_every_length(maxlen):
    texts = all_texts("pipeline")
    for n in sorted({0, 1, maxlen - 1, maxlen, maxlen + 1, 2 * maxlen, 3}):
        review = list(range(3, 3 + n))
        q = quiz.padding(review, maxlen)
        expected = "pad_front" if n < maxlen else "cut_front" if n > maxlen else "unchanged"
        exactly_one(q, expected)
        for option in q.correct:
            assert quiz._padded_as(option, np.array(review), maxlen).tolist() == plain_pad(review, maxlen)
        for option in q.options:
            render(texts, q, option)


def test_onehot_memory_feedback_names_the_tokens_only_where_they_fit():
    texts = all_texts("pipeline")
    bins = [0, 1e8, 1e9, 1e10, 1e11, float("inf")]
    for num_words, maxlen, m in itertools.product((100, 1000, 10000), (25, 100, 200, 400), (20000, 25000, 5000)):
        onehot, tokens = m * maxlen * num_words * 4, m * maxlen * 4
        where = next(i for i in range(5) if bins[i] <= onehot < bins[i + 1])
        token_bin = next(i for i in range(5) if bins[i] <= tokens < bins[i + 1])
        q = quiz.onehot_memory(onehot, tokens, m=f"{m:,}", maxlen=maxlen, num_words=num_words)
        exactly_one(q, q.options[where])
        for i, option in enumerate(q.options):
            key = q.feedback[option]
            assert key == ("right" if i == where else "high" if i > where else
                           "low_tokens" if i == token_bin else "low")
            render(texts, q, option)


# ----------------------------------------------------------------------------- memory: the reach question

def spread_of(values, n_val=1000):
    v = np.array(values)
    return memory.Spread(float(v.mean()), float(v.min()), float(v.max()), len(v), 0.5 + 1.96 * 0.5 / math.sqrt(n_val))


@pytest.mark.parametrize("seeds", [
    [0.49, 0.51, 0.50], [0.63, 0.66, 0.67], [0.95, 0.97, 1.0], [0.48, 1.0, 1.0], [0.52, 0.70, 0.66],
    [0.89, 0.95, 0.99], [0.53, 0.531, 0.529], [1.0, 1.0, 1.0], [0.6]])
@pytest.mark.parametrize("swapped", [None, [0.35, 0.40, 0.38], [0.5, 0.52, 0.49]])
def test_memory_reach_question_follows_the_seeds(seeds, swapped):
    texts = all_texts("memory")
    sp = spread_of(seeds)
    top = 0.5 + 1.96 * 0.5 / math.sqrt(1000)
    expected = ("learned" if min(seeds) >= 0.9 else "chance" if max(seeds) <= top else "partly")
    trace = None if swapped is None else {"swapped": spread_of(swapped), "moved": 0.0}
    q = quiz.memory_reach(sp, 20, 10, 100, trace)
    exactly_one(q, expected)
    for option in q.options:
        key = q.feedback[option]
        said = render(texts, q, option)
        assert f"{np.mean(seeds):.0%}" in said["en"]
        if "trace" in key:                                   # "every seed above chance, and the swap flips it"
            assert min(seeds) > top and swapped is not None and max(swapped) < 0.5
        if key.endswith("_chance"):
            assert max(seeds) <= top
        if key.endswith("_learned"):
            assert min(seeds) >= 0.9


# ----------------------------------------------------------------------------- memory: claims only with support

def tiny_results(distances=(2, 25), seeds=(0, 1, 2), n_train=600, n_val=300, epochs=3):
    """The memory experiment on a small synthetic task: the chapter's truncated NumPy model, three seeds."""
    acc, swapped, moved = [], [], []
    for d in distances:
        row = [[], [], []]
        for s in seeds:
            x, y = memory.make_task(memory.Task(d, n_train, 10 * s))
            xv, yv = memory.make_task(memory.Task(d, n_val, 10 * s + 1))
            net = memory.MemoryNetwork(n_cells=16, batch_size=32, learning_rate=0.1, truncation=10, seed=s)
            net.fit(x, y, epochs=epochs, n_features=memory.N_FEATURES)
            row[0].append(net.score(xv, yv))
            row[1].append(memory.swapped_accuracy(net, xv, yv))
            row[2].append(memory.planted_rows_moved(net))
        acc.append(row[0]), swapped.append(row[1]), moved.append(row[2])
    return {"distances": list(distances), "window": 10, "settings": {"main": {"n_val": n_val}},
            "accuracy": {"numpy_tbptt": [float(np.mean(a)) for a in acc]},
            "accuracy_seeds": {"numpy_tbptt": acc},
            "details": {"numpy_tbptt": {"swapped_accuracy": swapped, "planted_rows_moved": moved}}}


def test_claims_on_a_small_task_follow_the_seeds():
    r = tiny_results()
    top = 0.5 + 1.96 * 0.5 / math.sqrt(300)
    near, far = r["accuracy_seeds"]["numpy_tbptt"]
    # "learned up to d" only where every seed learned
    assert memory.largest_learned(r, "numpy_tbptt") == (2 if min(near) >= 0.9 else 0)
    facts = memory.trace_facts(r)
    assert facts[25]["moved"] == 0.0                                     # beyond the window: rows never move
    assert facts[2]["moved"] > 0
    verdict = facts[25]["accuracy"].verdict
    assert verdict == ("chance" if max(far) <= top else "above" if min(far) > top else "mixed")
    swapped = r["details"]["numpy_tbptt"]["swapped_accuracy"][1]
    for s, (a, b) in enumerate(zip(far, swapped)):                       # the swap mirrors each seed's reading
        assert abs((a - 0.5) + (b - 0.5)) < abs(a - 0.5) + 0.1, (s, a, b)


@pytest.mark.parametrize("pre, post, claim", [
    ([0.68, 0.67, 0.69], [0.50, 0.51, 0.49], "at_chance_back"),
    ([0.84, 0.83, 0.85], [0.63, 0.80, 0.70], "front_better"),
    ([0.84, 0.83, 0.85], [0.63, 0.86, 0.70], "overlap"),
    ([0.60, 0.61, 0.62], [0.70, 0.71, 0.72], "back_better"),
    ([0.84], [0.81], "one_seed")])
def test_padding_claim_only_where_every_seed_supports_it(pre, post, claim):
    pad = {"n_val": 5000, "numpy": {"pre": np.mean(pre), "post": np.mean(post)},
           "numpy_seeds": {"pre": pre, "post": post}}
    got = memory.padding_claim(pad, "numpy")
    assert got["claim"] == claim
    if claim in ("front_better", "at_chance_back"):
        assert min(pre) > max(post)
    texts = all_texts("memory")
    for table in texts.values():
        table[f"padding.claim.{got['claim']}"].format(model="m", **got)


# ----------------------------------------------------------------------------- the text itself

def test_no_literal_decay_or_published_claim_without_its_data():
    for lang in LANGS:
        findings = i18n.markdown(lang, "memory", "findings")
        assert "0.73" not in findings and "{lstm_decay" in findings
        padding = i18n.markdown(lang, "memory", "padding")
        assert "Dwarampudi" in padding and ("Twitter" in padding or "트위터" in padding)
        assert "contradict" not in i18n.markdown(lang, "memory", "padding_result")


def test_placeholders_of_every_feedback_key_exist_in_both_languages():
    """Every text a question can show names only fields the question gives (checked above); here: same keys."""
    for page in ("sequences", "unrolling", "gradflow", "pipeline", "memory"):
        en, ko = (set(k for k in i18n.table(lang, page) if k.startswith("quiz.")) for lang in LANGS)
        assert en == ko, (page, en ^ ko)
        for key in en:
            fields = {f for _, f, _, _ in string.Formatter().parse(i18n.table("en", page)[key]) if f}
            ko_fields = {f for _, f, _, _ in string.Formatter().parse(i18n.table("ko", page)[key]) if f}
            assert fields == ko_fields, (page, key)
