"""Never taught wrong, pipeline and try_review pages: every setting a learner can reach, against a recount.

The reference here is written again from the raw files (np.load of the shared imdb.npz, Keras's load_data rules:
RandomState(113) shuffle, start token, index_from=3, skip_top/num_words -> 2, drop <= 2, padding='pre',
truncating='pre') and from plain loops (the models' forward passes), never from the app's own pipeline.
"""
import itertools

import numpy as np
import pytest

from rnn_core.assessment import quiz
from rnn_core.data import imdb
from rnn_core.jobs import runs
from rnn_core.lessons import pipeline as ps
from rnn_core.lessons import try_review
from tests.conftest import SHARED_DATA
from tests.test_truth import all_texts, exactly_one, render
from tests.test_try_review import CONFIGS, random_run, textbook_steps

NUM_WORDS, SKIP_TOP, MAXLEN = (100, 1000, 10000), (0, 20), (25, 50, 100, 200, 400)   # pages/pipeline.py's widgets


# ----------------------------------------------------------------------------- the pipeline page, recounted

@pytest.fixture(scope="module")
def raw_train():
    """load_data's training reviews as one flat array of word ranks and their lengths, in load_data's order."""
    if not (SHARED_DATA / "imdb.npz").exists():
        pytest.skip("../shared/data is not present")
    with np.load(SHARED_DATA / "imdb.npz", allow_pickle=True) as f:   # the test's own trusted copy
        x, y = f["x_train"], f["y_train"]
    order = np.arange(len(x))
    np.random.RandomState(113).shuffle(order)                            # load_data shuffles the training set
    reviews = [x[i] for i in order]
    return np.concatenate([np.asarray(r, dtype=np.int64) for r in reviews]), np.array([len(r) for r in reviews]), \
        np.asarray(y)[order]


def recount(raw_train, num_words, skip_top):
    """Cleaned lengths and flat values for one (num_words, skip_top): start token, +3, out of range -> 2, drop <= 2."""
    ranks, lengths, _ = raw_train
    values = ranks + 3
    values[(values < skip_top) | (values >= num_words)] = 2
    keep = values > 2                                                    # the start token (1 or 2) never stays
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    kept_lengths = np.add.reduceat(keep.astype(np.int64), starts)
    kept_lengths[lengths == 0] = 0
    return values[keep], kept_lengths


def by_hand(review, maxlen):
    """padding='pre', truncating='pre', written out."""
    kept = list(review)[-maxlen:]
    return [0] * (maxlen - len(kept)) + kept


@pytest.mark.parametrize("num_words,skip_top", list(itertools.product(NUM_WORDS, SKIP_TOP)))
def test_pipeline_page_over_every_setting(raw_train, num_words, skip_top):
    """Each (num_words, skip_top, maxlen) and every review length the 25,000 reviews reach: the padding question's
    key and its n, the one-hot question's key and sizes, and every share or count the page prints."""
    texts = all_texts("pipeline")
    values, lengths = recount(raw_train, num_words, skip_top)
    data = imdb.prepare_chapter_data(num_words, skip_top, 100)
    app = imdb.drop_special(data.raw)
    assert np.array_equal(app.lengths, lengths) and np.array_equal(app.values, values)
    train = np.random.RandomState(42).permutation(25_000)[:20_000]       # the chapter's split, by hand
    assert np.array_equal(data.train_reviews.lengths, lengths[train])
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    rng = np.random.default_rng(num_words + skip_top)
    for maxlen in MAXLEN:
        # every distinct length, on the first review that has it: the page's question on that review
        for n in np.unique(lengths):
            j = int(np.argmax(lengths == n))
            review = ps.review_steps(data, j)["cleaned"]
            assert review.tolist() == values[offsets[j]:offsets[j + 1]].tolist()
            q = quiz.padding(review, maxlen, (num_words, skip_top, j, maxlen))
            expected = {"pad_front": [0] * (maxlen - n) + review.tolist(), "cut_front": review.tolist()[n - maxlen:],
                        "unchanged": review.tolist()}["pad_front" if n < maxlen else "cut_front" if n > maxlen
                                                       else "unchanged"]
            assert expected == by_hand(review, maxlen)
            exactly_one(q, "pad_front" if n < maxlen else "cut_front" if n > maxlen else "unchanged")
            assert q.params == {"n": int(n), "maxlen": maxlen}
        for option in q.options:
            render(texts, q, option)
        # the lengths section: shares, median, longest, the histogram's total and its "longer than maxlen" bins
        tl = lengths[train]
        assert ps.share_cut(data.train_reviews.lengths, maxlen) == np.count_nonzero(tl > maxlen) / 20_000
        assert ps.share_padded(data.train_reviews.lengths, maxlen) == np.count_nonzero(tl < maxlen) / 20_000
        assert int(data.train_reviews.lengths.max()) == tl.max()
        assert np.median(data.train_reviews.lengths) == np.median(tl)
        starts, ends, counts = ps.length_histogram(data.train_reviews.lengths, maxlen)
        assert counts.sum() == 20_000 and counts[starts >= maxlen].sum() == np.count_nonzero(tl > maxlen)
        # the padded heatmap: eight reviews from a random first one
        first = int(rng.integers(0, 25_000 - 8))
        block = ps.padded_block(data, first, 8, maxlen)
        assert block.tolist() == [by_hand(values[offsets[k]:offsets[k + 1]], maxlen) for k in range(first, first + 8)]
        # the one-hot question: m from the split, bytes as m * T * n_f * itemsize, the bin by hand
        m = len(train)
        assert len(data.x_train) == m
        rows = ps.input_formats(m, maxlen, num_words)
        onehot, tokens = m * maxlen * num_words * np.dtype(np.float32).itemsize, m * maxlen * 4
        assert (rows[0]["bytes"], rows[1]["bytes"], rows[2]["bytes"]) == (onehot, 2 * onehot, tokens)
        assert rows[0]["bytes"] // rows[2]["bytes"] == num_words                   # memory_after.md's ratio
        edges = [0, 1e8, 1e9, 1e10, 1e11, float("inf")]
        where = next(i for i in range(5) if edges[i] <= onehot < edges[i + 1])
        q = quiz.onehot_memory(rows[0]["bytes"], rows[2]["bytes"], (num_words, maxlen, m), m=f"{m:,}",
                               maxlen=maxlen, num_words=f"{num_words:,}")
        exactly_one(q, q.options[where])
        token_bin = next(i for i in range(5) if edges[i] <= tokens < edges[i + 1])
        for i, option in enumerate(q.options):             # "fits the integer tokens" only where it is true
            assert (q.feedback[option] == "low_tokens") == (i < where and i == token_bin)
            render(texts, q, option)


def test_split_counts_are_the_labels_recounted(raw_train):
    """The split section's table: negatives and positives of each part, from the shuffled labels by hand."""
    data = imdb.prepare_chapter_data(100, 20, 100)
    order = np.random.RandomState(42).permutation(25_000)
    y = raw_train[2]
    for part, index in (("train", order[:20_000]), ("val", order[20_000:])):
        labels = data.y_train if part == "train" else data.y_val
        assert ps.label_counts(labels) == (int(np.sum(y[index] == 0)), int(np.sum(y[index] == 1)))


# ----------------------------------------------------------------------------- the try_review page, recomputed

FILTERS = set('!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n')


def words_of(text):
    """Keras Tokenizer's defaults as the IMDB file was made: ASCII lowercase, filter characters are spaces."""
    low = "".join(c.lower() if "A" <= c <= "Z" else " " if c in FILTERS else c for c in text)
    return [w for w in low.split(" ") if w]


def expected_reading(run, text, word_index):
    """Status per word, the padded row, P(positive) after every word, all by hand."""
    c = run.config
    words = words_of(text)
    status, kept = [], []
    for w in words:
        if w not in word_index:
            status.append("unknown")
        elif word_index[w] + 3 < c["skip_top"]:
            status.append("common")
        elif word_index[w] + 3 >= c["num_words"]:
            status.append("rare")
        else:
            status.append("read")
            kept.append(word_index[w] + 3)
    n_cut = max(len(kept) - c["maxlen"], 0)
    read_at = [k for k, s in enumerate(status) if s == "read"]
    for k in read_at[:n_cut]:
        status[k] = "cut"
    row = by_hand(kept, c["maxlen"])
    steps = textbook_steps(run, np.array(row))                           # (maxlen + 1,)
    n_pad = c["maxlen"] - min(len(kept), c["maxlen"])
    after, p = [], steps[n_pad]
    step = n_pad
    for s in status:
        if s == "read":
            step += 1
            p = steps[step]
        after.append(p)
    return words, status, row, steps, n_pad, after


def review_texts(lang, word_index):
    """The texts a learner reaches: the three examples, and the edges (long, all cut, nothing read, cut at 5,000)."""
    table = all_texts("try_review")[lang]
    by_rank = sorted(word_index, key=word_index.get)
    out = {name: table[f"examples.{name}.text"] for name in ("positive", "negative", "negation")}
    out["common_only"] = " ".join(by_rank[:15])
    out["unknown_only"] = "zzqx qqzx 영화 😀"
    out["long"] = " ".join(by_rank[17:17 + 500])                        # more known words than any maxlen
    out["huge"] = try_review.keep_end(("good movie, bad plot! " * 400), 5_000)   # what the page keeps of it
    return out


def reachable_runs():
    """The shipped runs, and a learner's own runs of every kind at the ends of maxlen (random weights)."""
    made = list(runs.saved_runs())
    rng = np.random.default_rng(7)
    for kind, maxlen in itertools.product(CONFIGS, (25, 400)):
        run = random_run(kind, rng, name=f"{kind}_{maxlen}")
        run.config["maxlen"] = maxlen
        made.append(run)
    return made


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_try_review_verdicts_and_numbers_for_every_model_and_text(lang):
    word_index = imdb.find_corpus().word_index
    table = all_texts("try_review")[lang]
    for run in reachable_runs():
        for name, text in review_texts(lang, word_index).items():
            r = try_review.read_review(run, text, word_index)
            words, status, row, steps, n_pad, after = expected_reading(run, text, word_index)
            where = (run.name, name)
            assert r.tokens == words and r.status == status, where
            assert r.sequence.tolist() == row and r.n_pad == n_pad, where
            assert np.abs(r.steps - steps).max() < 1e-5, where
            assert np.abs(r.after_word - np.array(after)).max() < 1e-5, where
            assert r.start_status == ("padding" if n_pad else "h0")
            # the metric and its caption: the verdict from the recomputed probability, the counts by hand
            verdict = table["positive"] if steps[-1] > 0.5 else table["negative"]
            shown = table["positive"] if r.probability > 0.5 else table["negative"]
            assert shown == verdict and abs(steps[-1] - 0.5) > 1e-5, where        # never decided by rounding
            caption = table["metric_caption"].format(verdict=verdict, read=status.count("read"), total=len(words),
                                                     maxlen=run.config["maxlen"])
            assert caption == table["metric_caption"].format(verdict=shown, read=r.n_read, total=len(r.tokens),
                                                             maxlen=run.config["maxlen"])
            assert r.counts() == {s: status.count(s) for s in try_review.STATUSES}
            # chart_caption: a skipped word leaves the answer where it was; a read word is one step
            for k, s in enumerate(status):
                if s != "read":
                    assert after[k] == (after[k - 1] if k else steps[n_pad])
        # nothing_read: the page warns exactly when no word was read
        r = try_review.read_review(run, review_texts(lang, word_index)["unknown_only"], word_index)
        assert r.n_read == 0


# ----------------------------------------------------------------------------- sequences: the text after the series

@pytest.mark.parametrize("lang", ["en", "ko"])
def test_series_text_quotes_the_live_correlations_for_every_noise_and_lag(lang):
    """series_after.md at every (noise, lag) of the page: its numbers are np.corrcoef's, the lowest lag is the
    argmin of a plain loop, and its claims hold: negative there (warm afternoon, cold night), positive a day on."""
    from rnn_core.data import timeseries as ts
    from rnn_core.lessons import sequences as seq
    from ui import i18n
    t = i18n.Texts(lang, "sequences")
    for noise in (0.0, 0.5, 1.0, 2.0, 4.0):                              # pages/sequences.py NOISE
        series = ts.hourly_temperatures(days=7, noise=noise, seed=0)
        mixed = ts.shuffled(series, seed=1)
        corr = {k: np.corrcoef(series[:-k], series[k:])[0, 1] for k in range(1, 25)}
        k_min = min(corr, key=corr.get)
        profile = seq.lag_profile(series)
        assert profile == {"k_min": k_min, "r_min": pytest.approx(corr[k_min]), "r_day": pytest.approx(corr[24]),
                           "day": 24}
        assert corr[k_min] < 0 < corr[24]
        for lag in range(1, 25):                                         # the page's slider
            r, r_mixed = corr[lag], np.corrcoef(mixed[:-lag], mixed[lag:])[0, 1]
            text = t.md("series_after", lag=lag, r=f"{ts.lag_correlation(series, lag):+.2f}",
                        r_mixed=f"{ts.lag_correlation(mixed, lag):+.2f}", k_min=profile["k_min"],
                        r_min=f"{profile['r_min']:+.2f}", r_day=f"{profile['r_day']:+.2f}", day=24)
            for number in (f"{r:+.2f}", f"{r_mixed:+.2f}", f"{corr[k_min]:+.2f}", f"{corr[24]:+.2f}"):
                assert number in text, (noise, lag, number)


def test_sequences_page_shows_the_series_text_with_its_live_numbers(make_app):
    """The page passes the live numbers to series_after.md: after the vote, at the page's opening settings."""
    from rnn_core.data import timeseries as ts
    at = make_app("en")
    at.switch_page("pages/sequences.py").run()
    radio = next(r for r in at.radio if r.key == "quiz_series")
    radio.set_value(radio.options[0]).run()
    assert not at.exception
    series = ts.hourly_temperatures(days=7, noise=1.0, seed=0)
    mixed = ts.shuffled(series, seed=1)
    text = next(m.value for m in at.markdown if m.value.startswith("In time order"))
    assert f"r = {np.corrcoef(series[:-1], series[1:])[0, 1]:+.2f}" in text
    assert f"r = {np.corrcoef(mixed[:-1], mixed[1:])[0, 1]:+.2f}" in text
    assert "lowest at k = 12 hours" in text


# ----------------------------------------------------------------------------- gradflow: the gradient check's texts

def loss_by_hand(net, x, y):
    """Mean binary cross-entropy of the network's forward pass, written out."""
    a = 1 / (1 + np.exp(-net.forpass(x)[:, 0]))
    return float(-np.mean(y * np.log(a) + (1 - y) * np.log(1 - a)))


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_gradient_check_texts_follow_the_measured_errors(lang):
    """Seeds across the page's input and every window up to past the check's steps: the errors the texts quote are
    the relative errors against finite differences taken here, and each comparison the texts make holds."""
    from rnn_core.lessons import gradflow
    from ui import i18n
    t = i18n.Texts(lang, "gradflow")
    table = i18n.table(lang, "gradflow")
    seen = set()
    for seed in (*range(0, 40), 9999):
        net, x, y = gradflow.small_problem(seed)
        numeric = np.zeros_like(net.w1h)
        for i in np.ndindex(net.w1h.shape):                              # central differences, eps 1e-5
            old = net.w1h[i]
            net.w1h[i] = old + 1e-5
            plus = loss_by_hand(net, x, y)
            net.w1h[i] = old - 1e-5
            numeric[i] = (plus - loss_by_hand(net, x, y)) / 2e-5
            net.w1h[i] = old
        for window in (1, 2, 5, 10, 11, 12, 13, 200):
            rows = gradflow.gradient_check(seed=seed, window=window)
            errors = {}
            for r in rows:
                errors[r.method] = np.linalg.norm(r.analytic - numeric) / max(np.linalg.norm(r.analytic),
                                                                             np.linalg.norm(numeric))
                assert abs(errors[r.method] - r.error) <= 1e-6 + 1e-3 * r.error, (seed, window, r.method)
            q = quiz.textbook_line({r.method: r.error for r in rows})
            assert q.correct == {"transpose"} and errors["textbook"] > 1e-6 > errors["full"]
            key, params = q.why("truncation")
            larger = errors["textbook"] > errors["truncated"]
            assert key.endswith("truncation_larger" if larger else "truncation_smaller"), (seed, window)
            seen.add(key)
            for option in q.options:
                k, p = q.why(option)
                table[k].format(**p)
            # gradcheck.md's truncation sentence: "drops" only where truncation's error is measurably there
            drops = errors["truncated"] > gradflow.CHECK_TOLERANCE
            r_trunc = next(r.error for r in rows if r.method == "truncated")
            assert drops == (r_trunc > 1e-6)
            if window >= gradflow.CHECK_STEPS - 1:                       # H_0 = 0: step 1 adds nothing
                assert not drops, (seed, window, r_trunc)
            text = t.md("gradcheck", steps=gradflow.CHECK_STEPS, full=params["full"], textbook=params["textbook"],
                        truncation=t(f"check_truncation.{'drops' if drops else 'keeps_all'}", window=window,
                                     steps=gradflow.CHECK_STEPS, truncated=params["truncated"], tolerance="1e-06"))
            for method in ("full", "truncated", "textbook"):             # the numbers quoted: the measured ones
                assert params[method] in text
                if errors[method] > 1e-4:                                # above both checks' rounding
                    assert float(params[method]) == pytest.approx(errors[method], rel=0.06)
                else:
                    assert float(params[method]) < 1e-4
    assert seen == {"quiz.textbook.why.truncation_larger", "quiz.textbook.why.truncation_smaller"}


# ----------------------------------------------------------------------------- keras: the model texts

@pytest.mark.parametrize("lang", ["en", "ko"])
def test_keras_model_texts_quote_the_chapter_numbers(lang):
    """Each model's text: sizes, optimizer and epochs as the chapter's config has them, model A's one-hot set's
    size recounted from its shape and float64's item size; no number left as a literal field."""
    from rnn_core.config import CHAPTER
    from ui import i18n
    t = i18n.Texts(lang, "keras")
    for kind, spec in CHAPTER.keras.items():
        text = t.md(f"model_{kind}", **CHAPTER.keras_numbers(kind))
        assert "{" not in text and f"`{spec.optimizer}`" in text and str(spec.epochs) in text
        assert f"{spec.units}" in text or kind == "keras_a"
    size = 20_000 * 100 * 100 * np.dtype(np.float64).itemsize            # the textbook's to_categorical set
    text = t.md("model_keras_a", **CHAPTER.keras_numbers("keras_a"))
    assert f"{size / 1e9:.1f} GB" in text and "20,000 × 100 × 100" in text
    assert f"{np.finfo(np.float32).eps:.1e}" in t.md("compare", eps=float(np.finfo(np.float32).eps))


# ----------------------------------------------------------------------------- unrolling: what fresh weights do

@pytest.mark.parametrize("n_cells", [2, 32, 64])                        # the page's cell input: its ends, the default
def test_fresh_weights_text_quotes_a_plain_loop(n_cells):
    """The reading text's numbers on fresh weights (range of P(positive), accuracy, coin-toss band) against a
    forward pass written out here, on the chapter's validation reviews; seeds across the page's input."""
    from rnn_core.lessons import unrolling
    from ui import i18n
    data = imdb.prepare_chapter_data(100, 20, 100)
    x, y = data.x_val[:400], data.y_val[:400]
    for seed in (0, 42, 9999):
        w = {k: v.astype(np.float64) for k, v in unrolling.fresh_weights(100, n_cells, seed).items()}
        h = np.zeros((len(x), n_cells))
        for t_ in range(x.shape[1]):
            h = np.tanh(w["w1x"][x[:, t_]] + h @ w["w1h"] + w["b1"])
        p = 1 / (1 + np.exp(-(h @ w["w2"][:, 0] + w["b2"][0])))
        f = unrolling.fresh_facts(100, n_cells, seed, x, y)
        assert f["p_lo"] == pytest.approx(p.min()) and f["p_hi"] == pytest.approx(p.max())
        assert f["acc"] == np.count_nonzero((p > 0.5) == y) / len(y)
        assert f["band_hi"] == pytest.approx(independent_band_top(len(y)), abs=1e-4)
        assert p.max() - p.min() > 0.05                # "the output moves with the words": it does
        for lang in ("en", "ko"):
            t = i18n.Texts(lang, "unrolling")
            text = t.md("reading", fresh=t("fresh_facts", cells=n_cells, seed=seed, **f))
            assert f"{p.min():.2f}" in text and f"{f['acc']:.1%}" in text


def independent_band_top(n):
    """The top of the coin-toss band from the normal quantile."""
    from statistics import NormalDist
    return 0.5 + NormalDist().inv_cdf(0.975) * (0.25 / n) ** 0.5
