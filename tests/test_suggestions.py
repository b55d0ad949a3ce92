"""Every suggested setting ("try this") reaches what its text promises, one test per suggestion, each computed
independently of the page that shows it. The two training runs use the real IMDB files and the page's own training
code; the Keras one is the costly test of this file (about 15 s of TensorFlow on one core)."""
import numpy as np
import pytest

from rnn_core.config import CHAPTER, QUICK_RUNS
from rnn_core.data import timeseries as ts
from rnn_core.lessons import gradflow, unrolling
from rnn_core.model.numpy_rnn import RecurrentNetwork
from ui import i18n

NOISE = (0.0, 0.5, 1.0, 2.0, 4.0)                # pages/sequences.py's noise levels
RADII = np.round(np.arange(0.5, 2.0001, 0.05), 2)  # pages/gradflow.py's radius slider


@pytest.fixture(scope="module")
def imdb():
    """The chapter's padded split for the NumPy model's and model B's vocabularies, or skip."""
    from rnn_core.data.imdb import prepare_chapter_data
    from tests.conftest import SHARED_DATA
    if not (SHARED_DATA / "imdb.npz").exists():
        pytest.skip("../shared/data is not present")
    return {n: prepare_chapter_data(num_words=n, skip_top=CHAPTER.skip_top, maxlen=CHAPTER.maxlen)
            for n in (CHAPTER.num_words, CHAPTER.keras["keras_b"].num_words)}


@pytest.mark.parametrize("noise", NOISE)
def test_series_try_a_larger_lag(noise):
    """sequences/series_after.md: about 12 hours ahead the correlation is negative (its lowest), near 24 it rises
    again, at every noise level the page offers."""
    series = ts.hourly_temperatures(days=7, noise=noise, seed=0)
    r = {k: ts.correlation(series[:-k], series[k:]) for k in range(1, 25)}     # Pearson, written out again
    assert r[12] < 0 and min(r, key=r.get) in (11, 12, 13)
    assert r[24] > 0 > r[12] and r[24] > r[18]


def _per_step(init, radius, input_scale, x, y):
    """The factors |delta_{t-1}| / |delta_t| of one backward pass, (T - 1,)."""
    net = gradflow.make_network(x.max() + 1, 32, init, radius, input_scale, 0)
    d = gradflow.backward_steps(net, x, y).delta_norms()
    return d[:-1] / d[1:]


def test_gradflow_input_scale_zero_multiplies_by_the_radius():
    """gradflow/vanish_explode.md: input scale 0 -> each step multiplies the signal by about the radius (every
    initialiser, every radius of the slider); orthogonal W1h exactly."""
    rng = np.random.default_rng(0)
    x, y = rng.integers(3, 100, size=(16, 60)), rng.integers(0, 2, size=16)
    for init in gradflow.INITIALISERS:
        for radius in RADII:
            f = _per_step(init, radius, 0.0, x, y)
            assert np.exp(np.log(f).mean()) == pytest.approx(radius, rel=0.05), (init, radius)
            if init == "orthogonal":
                assert np.allclose(f, radius), radius


def test_gradflow_orthogonal_radius_one_neither_shrinks_nor_grows():
    """gradflow/remedies.md: orthogonal W1h at radius 1: W1h itself keeps the signal's size (input scale 0 leaves
    W1h alone: tanh's slope is 1)."""
    rng = np.random.default_rng(1)
    x, y = rng.integers(3, 100, size=(8, 80)), rng.integers(0, 2, size=8)
    assert np.allclose(_per_step("orthogonal", 1.0, 0.0, x, y), 1.0)


@pytest.mark.parametrize("seed", [CHAPTER.seed, 0, 1, 2])
def test_unrolling_fresh_weights_are_a_coin_toss(imdb, seed):
    """unrolling/reading.md and fresh_info: with fresh weights the output wanders around 0.5 (most outputs within
    0.2 of it) and its last output is right about as often as a coin toss: within 5 points of 50 % (a random network
    is not a coin: review length alone moves it a little, 47.5 % to 52.7 % over these seeds)."""
    data, n = imdb[CHAPTER.num_words], 2000
    net = RecurrentNetwork.from_weights(unrolling.fresh_weights(data.num_words, seed=seed), dtype=np.float64)
    outs = unrolling.outputs_by_step(net, [data.val_reviews[i] for i in range(n)])
    assert np.mean(np.abs(np.concatenate(outs) - 0.5) < 0.2) > 0.9
    last = np.array([o[-1] if len(o) else 0.5 for o in outs])
    assert abs(np.mean((last > 0.5) == np.asarray(data.y_val[:n])) - 0.5) < 0.05


def test_unrolling_padding_settles_the_hidden_state(imdb):
    """unrolling/reading.md: reading the zero padding, the trained model's hidden state settles to a fixed
    pattern before the review starts."""
    from rnn_core.jobs.runs import saved_runs
    run = next(r for r in saved_runs() if r.kind == "numpy")
    net = RecurrentNetwork.from_weights(run.weights, dtype=np.float64)
    data = imdb[CHAPTER.num_words]
    short = [np.asarray(r) for r in data.val_reviews if 0 < len(r) <= 40][:10]
    assert short
    for review in short:
        seq = np.zeros(CHAPTER.maxlen, dtype=int)
        seq[-len(review):] = review
        h = unrolling.unroll(net, seq[None, :]).h[1:, 0]                   # (T, n_c)
        change = np.abs(np.diff(h, axis=0)).max(axis=1)                    # (T - 1,)
        pad = CHAPTER.maxlen - len(review)
        assert change[pad - 2] < 0.05 * change[0]


def _train_numpy(data, **settings):
    from rnn_core.jobs.training import NumpyTraining
    job = NumpyTraining({**CHAPTER.numpy_run(), **settings}, data)
    while not job.done:
        job.advance(seconds=60)
    return job


def test_numpy_quick_run_learns(imdb):
    """train_numpy status.idle: the suggested first run gets more than `promise` of the validation reviews right;
    train_numpy/diverged.md: the saved learning-rate comparison (saved_runs/learning_rates.json) is what training
    gives: the page's job at 0.1 and a plain RecurrentNetwork loop at the chapter's rate reproduce its seed-42 rows."""
    from rnn_core.lessons import rates
    quick = {k: v for k, v in QUICK_RUNS["train_numpy"].items() if k != "promise"}
    data = imdb[CHAPTER.num_words]
    fast = _train_numpy(data, **quick)
    assert fast.state == "finished" and fast.history["val_accuracy"][-1] > QUICK_RUNS["train_numpy"]["promise"]
    net = RecurrentNetwork(n_cells=CHAPTER.n_cells, batch_size=CHAPTER.batch_size,
                           learning_rate=CHAPTER.learning_rate, truncation=CHAPTER.truncation, seed=CHAPTER.seed)
    n, slow = quick["n_train"], []
    for event in net.iter_fit(data.x_train[:n], data.y_train[:n], epochs=quick["epochs"], n_features=data.num_words):
        if event.kind == "epoch":
            slow.append(np.mean((net.forpass_in_chunks(data.x_val)[:, 0] > 0) == data.y_val))
    saved = {rate: next(r for r in runs if r["seed"] == CHAPTER.seed)["val_accuracy"]
             for rate, runs in rates.load_results()["runs"].items()}
    assert np.allclose(fast.history["val_accuracy"], saved[f"{quick['learning_rate']:g}"][:quick["epochs"]], atol=1e-4)
    assert np.allclose(slow, saved[f"{CHAPTER.learning_rate:g}"][:quick["epochs"]], atol=1e-4)
    for lang in i18n.LANGS:
        text = i18n.table(lang, "train_numpy")["status.idle"].format(timing="", **QUICK_RUNS["train_numpy"])
        assert f"{quick['n_train']:,}" in text and f"{QUICK_RUNS['train_numpy']['promise']:.0%}" in text


def test_learning_rate_advice_says_what_the_seeds_support():
    """train_numpy/diverged.md: the numbers quoted are each rate's mean and range over the saved seeds (computed
    again here); "ahead" or "behind" only when every seed of one rate beats every seed of the other."""
    from rnn_core.lessons import rates
    r = rates.load_results()
    f = rates.facts(r)
    slow, fast, blow = (f"{x:g}" for x in rates.RATES)
    early, late = QUICK_RUNS["train_numpy"]["epochs"], r["settings"]["epochs"]
    assert len(r["seeds"]) >= 3 and f["early"] == early and f["epochs"] == late
    for rate, side in ((slow, "slow"), (fast, "fast")):
        for epoch, when in ((early, "early"), (late, "end")):
            v = np.array([run["val_accuracy"][epoch - 1] for run in r["runs"][rate]])
            assert f[f"{side}_{when}"] == f"{v.mean():.2f} ({v.min():.2f}–{v.max():.2f})"
    pairs = [(a["val_accuracy"][early - 1], b["val_accuracy"][early - 1])
             for a in r["runs"][slow] for b in r["runs"][fast]]                       # every (slow, fast) pair
    expected = "ahead" if all(b > a for a, b in pairs) else "behind" if all(b < a for a, b in pairs) else "overlap"
    assert f["verdict"] == expected
    assert f["blown"] == sum(run["state"] == "diverged" for run in r["runs"][blow])
    assert rates.verdict([0.5, 0.6], [0.61, 0.7]) == "ahead" and rates.verdict([0.5, 0.6], [0.4, 0.49]) == "behind"
    assert rates.verdict([0.5, 0.6], [0.55, 0.7]) == "overlap"
    for lang in i18n.LANGS:
        tx = i18n.table(lang, "train_numpy")
        text = tx["diverged_rates.measured"].format(**{**f, "verdict": tx[f"diverged_rates.{f['verdict']}"]
                                                       .format(**f)})
        assert f["slow_early"] in text and f["fast_early"] in text and f"{f['blown']}" in text
        assert "{rates}" in i18n.markdown(lang, "train_numpy", "diverged")


@pytest.mark.parametrize("rate", [1.0, 10.0])
def test_numpy_large_learning_rates_blow_up(imdb, rate):
    """train_numpy learning_rate_help ("try 10") and diverged.md ("from about 1 upwards training blows up")."""
    job = _train_numpy(imdb[CHAPTER.num_words], n_train=1000, epochs=1, learning_rate=rate)
    assert job.state == "diverged"


def test_keras_quick_run_learns(imdb):
    """keras status.idle: model B on the suggested reviews and epochs beats `promise` on the page's validation
    reviews (it used to suggest 500 reviews and 1 epoch, which ended at 0.499). About 15 s of TensorFlow."""
    pytest.importorskip("keras")
    from rnn_core.model.keras_models import KerasTraining
    quick = QUICK_RUNS["keras"]
    job = KerasTraining({"kind": quick["kind"], "n_train": quick["n_train"], "epochs": quick["epochs"],
                         "n_val": CHAPTER.n_val, "seed": CHAPTER.seed}, imdb[CHAPTER.keras[quick["kind"]].num_words])
    while not job.done:
        job.advance(seconds=60)
    assert job.state == "finished" and job.history["val_accuracy"][-1] > quick["promise"]
