"""The memory lab: the task generator, the gradient reach (against finite differences), the saved results, the page."""
import numpy as np
import pytest

from rnn_core.lessons import memory
from rnn_core.lessons.memory import Task
from rnn_core.model import keras_numpy
from rnn_core.model.numpy_rnn import RecurrentNetwork

# --- the task


def test_generator_is_deterministic():
    for filler in ("uniform", "imdb"):
        stream = np.arange(20, 100).repeat(50).astype(np.int32)
        a = memory.make_task(Task(20, 64, 3, filler=filler, n_distractors=2), stream)
        b = memory.make_task(Task(20, 64, 3, filler=filler, n_distractors=2), stream)
        assert all(np.array_equal(u, v) for u, v in zip(a, b))
    c = memory.make_task(Task(20, 64, 4))
    assert not np.array_equal(c[0], memory.make_task(Task(20, 64, 3))[0])


@pytest.mark.parametrize("d", [1, 2, 40, 95, 100])
def test_planted_token_sits_d_steps_from_the_end(d):
    x, y = memory.make_task(Task(d, 200, 0, n_distractors=3))
    assert x.shape == (200, memory.STEPS) and x.dtype == np.int32
    planted = np.isin(x, (memory.POSITIVE, memory.NEGATIVE))
    assert planted.sum(axis=1).tolist() == [1] * 200                     # exactly one, nowhere else
    assert np.all(planted[:, memory.STEPS - d])
    assert np.array_equal(x[:, memory.STEPS - d] == memory.POSITIVE, y == 1)
    assert 0.35 < y.mean() < 0.65


def test_filler_alone_stays_at_chance_and_the_planted_token_decides():
    """A bag-of-words logistic regression: at chance on the filler alone, perfect once the planted token is in."""
    stream = np.random.default_rng(9).integers(20, 100, 50_000).astype(np.int32)
    for filler, n_distractors in (("uniform", 0), ("imdb", 4)):
        x, y = memory.make_task(Task(40, 3000, 0, filler=filler, n_distractors=n_distractors), stream)
        x_val, y_val = memory.make_task(Task(40, 2000, 1, filler=filler, n_distractors=n_distractors), stream)
        f, f_val = (memory.bag_of_words(memory.filler_only(a, 40)) for a in (x, x_val))
        acc = memory.logistic_accuracy(memory.fit_logistic(f, y), f_val, y_val)
        assert abs(acc - 0.5) < 0.04, (filler, acc)                      # 2,000 reviews: chance +- 2 sd
        full = memory.logistic_accuracy(memory.fit_logistic(memory.bag_of_words(x), y),
                                        memory.bag_of_words(x_val), y_val)
        assert full > 0.98                                              # the same model reads the planted token


def test_real_filler_on_imdb(shared_data_dir):
    from rnn_core.data.imdb import prepare_chapter_data
    data = prepare_chapter_data(100, 20, 100, data_dir=shared_data_dir)
    stream = memory.imdb_stream(data.train_reviews)
    x, _ = memory.make_task(Task(10, 50, 0, filler="imdb"), stream)
    filler = memory.filler_only(x, 10)
    assert filler.min() >= 20 and filler.max() < 100                   # the chapter's vocabulary, no planted tokens


# --- gradient reach


def tiny_model(truncation, seed=0):
    """A small float64 RecurrentNetwork with random weights (big enough to be nonlinear)."""
    net = RecurrentNetwork(n_cells=4, truncation=truncation, seed=seed, dtype=np.float64)
    net.init_weights(12, 1)
    net.w1h *= 1.5
    return net


def loss_per_review(net, x, y):
    """L_i for each review (one-hot float input), (m,)."""
    a = np.clip(net.sigmoid(net.forpass(x))[:, 0], 1e-12, 1 - 1e-12)
    return -(y * np.log(a) + (1 - y) * np.log(1 - a))


def test_input_gradient_equals_finite_differences():
    rng = np.random.default_rng(1)
    net = tiny_model(truncation=None)
    tokens = rng.integers(0, 12, (3, 9))
    y = np.array([1.0, 0.0, 1.0])
    where = np.array([0, 4, 8])                                          # far back, middle, last step
    got = memory.numpy_input_gradients(net, tokens, y, where)           # (3, 12)
    x = np.eye(12)[tokens]                                              # the same reviews as one-hot rows
    eps = 1e-6
    expected = np.zeros_like(got)
    for i, t in enumerate(where):
        for j in range(12):
            up, down = x.copy(), x.copy()
            up[i, t, j] += eps
            down[i, t, j] -= eps
            expected[i, j] = (loss_per_review(net, up, y)[i] - loss_per_review(net, down, y)[i]) / (2 * eps)
    assert np.abs(expected).max() > 1e-4
    np.testing.assert_allclose(got, expected, atol=1e-8, rtol=1e-5)


def test_truncated_gradient_stops_at_the_window():
    rng = np.random.default_rng(2)
    net = tiny_model(truncation=3)
    tokens = rng.integers(0, 12, (2, 9))
    y = np.array([1.0, 0.0])
    for t in range(9):
        where = np.full(2, t)
        got = memory.numpy_input_gradients(net, tokens, y, where)
        full = memory.numpy_input_gradients(net, tokens, y, where, truncation=None)
        if t >= 9 - 3:                                                   # inside the window: the true gradient
            np.testing.assert_allclose(got, full, rtol=1e-10)
        else:
            assert not got.any()                                         # beyond it: nothing


def test_numpy_model_gradient_equals_keras_a_port():
    """The NumPy model is Keras model A: its own backprop and the Keras port give the same input gradients."""
    from rnn_core.model.keras_models import NUMPY_TO_KERAS_A
    rng = np.random.default_rng(3)
    net = tiny_model(truncation=None)
    tokens = rng.integers(0, 12, (4, 9))
    y = np.array([1.0, 0.0, 0.0, 1.0])
    weights = {NUMPY_TO_KERAS_A[k]: getattr(net, k) for k in NUMPY_TO_KERAS_A}
    a = keras_numpy.predict("keras_a", weights, tokens)
    port = memory.keras_input_gradients("keras_a", weights, tokens, a - y[:, None])     # (4, 9, 12)
    for t in range(9):
        got = memory.numpy_input_gradients(net, tokens, y, np.full(4, t))
        np.testing.assert_allclose(got, port[:, t], atol=1e-12)


def test_output_gradients_per_word():
    net = tiny_model(truncation=None)
    tokens = np.random.default_rng(4).integers(0, 12, 9)
    got = memory.numpy_output_gradients(net, tokens)                    # |dZ2/dX_t|, (9,)
    eps = 1e-6
    x = np.eye(12)[tokens][None]
    for t in (0, 8):
        fd = []
        for j in range(12):
            up, down = x.copy(), x.copy()
            up[0, t, j] += eps
            down[0, t, j] -= eps
            fd.append((net.forpass(up)[0, 0] - net.forpass(down)[0, 0]) / (2 * eps))
        assert got[t] == pytest.approx(np.linalg.norm(fd), rel=1e-5)
    net.truncation = 3
    assert not memory.numpy_output_gradients(net, tokens)[:6].any()


# --- padding


def test_post_pad_keeps_the_end_and_pads_behind():
    reviews = [np.array([5, 6, 7]), np.array([1, 2, 3, 4, 5, 6]), np.array([], dtype=int)]
    out = memory.post_pad(reviews, 4)
    assert out.tolist() == [[5, 6, 7, 0], [3, 4, 5, 6], [0, 0, 0, 0]]
    assert memory.last_word_distance(out).tolist() == [2, 1, 5]


# --- the live run


def test_live_run_finishes_and_reports_each_distance():
    job = memory.MemoryTraining(dict(distances=(2, 30), n_train=256, n_val=100, epochs=2, n_cells=8, truncation=10))
    while not job.done:
        job.advance(seconds=0.5)
    assert job.state == "finished"
    assert job.history["distance"] == [2, 30]
    assert len(job.history["accuracy"]) == 2 and job.history["gradient_reach"][1] == 0.0   # 30 > window: none
    assert len(memory.live_seeds(job.history)[0]) == memory.LIVE["seeds"]
    assert 0 < job.fraction <= 1


def test_live_keras_run_learns_a_near_word_and_reports_its_reach():
    """The Keras live run (full BPTT in Keras): the word 2 steps back is learned; reach is the NumPy port's."""
    pytest.importorskip("keras")
    job = memory.MemoryTraining(dict(distances=(2,), n_train=1000, n_val=200, epochs=3, model="keras_simplernn",
                                     seeds=2))
    while not job.done:
        job.advance(seconds=1.0)
    assert job.state == "finished", job.error
    assert job.history["distance"] == [2] and min(memory.live_seeds(job.history)[0]) >= 0.9   # every seed
    assert job.history["gradient_reach"][0] > 0                       # no truncation: the gradient reaches it
    with pytest.raises(ValueError):
        memory.MemoryTraining(dict(model="keras_gru"))                # only the listed models


def test_live_run_reports_every_seed_as_an_independent_retrain_finds_it():
    """Each seed's accuracy in the live run's history equals a plain RecurrentNetwork trained on that seed's data."""
    cfg = dict(distances=(2, 30), n_train=128, n_val=100, epochs=1, n_cells=4, truncation=10, seeds=2, seed=5)
    job = memory.MemoryTraining(cfg)
    while not job.done:
        job.advance(seconds=1.0)
    h = job.history
    assert job.state == "finished" and h["distance"] == [2, 30]
    for k, d in enumerate(map(int, h["distance"])):
        each = []
        for s in (5, 6):
            x, y = memory.make_task(Task(d, 128, s))
            x_val, y_val = memory.make_task(Task(d, 100, s + memory.VAL_SEED))
            net = RecurrentNetwork(n_cells=4, batch_size=32, learning_rate=0.1, truncation=10, seed=s)
            net.fit(x, y, epochs=1, n_features=memory.N_FEATURES)
            each.append(float(np.mean(net.predict(x_val)[:, 0] == y_val)))
        assert [h[f"accuracy_seed_{j}"][k] for j in range(2)] == pytest.approx(each)
        assert h["accuracy"][k] == pytest.approx(sum(each) / 2)
    assert memory.live_seeds(h) == [[h["accuracy_seed_0"][k], h["accuracy_seed_1"][k]] for k in range(2)]


def independent_band_top(n):
    """The top of the coin-toss band from the normal quantile (statistics, not the app's 1.96)."""
    from statistics import NormalDist
    return 0.5 + NormalDist().inv_cdf(0.975) * (0.25 / n) ** 0.5


def independent_verdict(each, n):
    """The claim rule, written again: learned if every seed >= 90 %, chance if none is above the band, above if all
    are, else mixed; no claim from one seed."""
    top = independent_band_top(n)
    if len(each) < 2:
        return "one_seed"
    if all(a >= 0.9 for a in each):
        return "learned"
    if all(a <= top for a in each):
        return "chance"
    if all(a > top for a in each):
        return "above"
    return "mixed"


def test_chance_band_holds_95_percent_of_coin_tosses():
    """Brute force: the exact binomial probability of a coin toss on n reviews landing above the band's top."""
    from math import comb
    for n in (100, 500, 1000):
        top = memory.chance_band(n)[1]
        assert top == pytest.approx(independent_band_top(n), abs=1e-4)
        above = sum(comb(n, k) for k in range(n + 1) if k / n > top) / 2 ** n
        assert 0.01 < above <= 0.03, (n, above)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_live_claim_follows_the_seeds_interval(lang):
    """Sweep seed triples over the grid of accuracies a 500-review run can give near the rule's edges: every
    distance is named under exactly the verdict the independent rule gives, and the sentence says it."""
    from itertools import product

    from ui import i18n
    t = i18n.Texts(lang, "memory")
    n = memory.LIVE["n_val"]
    top = independent_band_top(n)
    grid = sorted({0.3, 0.5, round(top - 0.002, 3), round(top + 0.002, 3), 0.6, 0.898, 0.9, 1.0})
    triples = [c for c in product(grid, repeat=3) if c[0] <= c[1] <= c[2]]
    history = {"distance": list(range(1, len(triples) + 1)),
               **{f"accuracy_seed_{j}": [c[j] for c in triples] for j in range(3)}}
    claims = memory.live_claims(history, n)
    for d, c in zip(history["distance"], triples):
        named = [v for v, ds in claims.items() if d in ds]
        assert named == [independent_verdict(c, n)], (c, named)
    text = memory.live_claim(t, history, n)
    for v, ds in claims.items():
        assert t(f"live.claim.{v}", d=", ".join(map(str, ds)), learned="90%", low=f"{memory.chance_band(n)[0]:.1%}",
                 high=f"{top:.1%}") in text
    assert f"{top:.1%}" in text and "3" in text
    one = {"distance": [2], "accuracy_seed_0": [0.99]}
    assert memory.live_claims(one, n) == {"one_seed": [2]}


def test_keras_trainer_reused_equals_a_fresh_model():
    """The live run's one compiled model, reset to a seed, trains exactly as a new build_model(kind, seed) does."""
    pytest.importorskip("keras")
    from rnn_core.model import keras_models
    x, y = memory.make_task(Task(5, 96, 0))
    trainer = memory.KerasTrainer("keras_b")
    trainer.start(3)
    trainer.epoch(x, y, 32, np.random.default_rng(0))                   # another seed first: state to forget
    trainer.start(4)
    trainer.epoch(x, y, 32, np.random.default_rng(1))
    fresh = keras_models.build_model("keras_b", seed=4, num_words=memory.N_FEATURES, maxlen=memory.STEPS)
    order = np.random.default_rng(1).permutation(len(x))
    fresh.fit(x[order], y[order].astype("float32"), batch_size=32, epochs=1, verbose=0, shuffle=False)
    for a, b in zip(trainer.model.get_weights(), fresh.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_live_run_stops():
    job = memory.MemoryTraining(dict(distances=(2, 30), n_train=2000, n_val=100, epochs=3, truncation=None))
    job.advance(max_batches=3)
    job.stop()
    assert job.state == "stopped" and job.epochs == 0


# --- the saved results


def test_saved_results_load_and_match_the_distances():
    r = memory.load_results()
    assert r is not None
    assert r["window"] == memory.WINDOW and r["distances"] == list(memory.DISTANCES)
    for key in ("accuracy", "gradient_reach"):
        assert set(memory.MODELS) <= set(r[key])
        assert all(len(v) == len(r["distances"]) for v in r[key].values())


def test_the_conditions_table_reads_every_seed():
    """The table's per-epoch and start-of-training columns: every seed of every Keras block it shows, and
    early_facts against a count by hand."""
    r = memory.load_results()
    for block, details in (("main", r["details"]), ("hard", r["hard"]), ("frozen", r["frozen"])):
        for m in memory.KERAS_MODELS:
            n = len(memory.seeds_of(r, m, None if block == "main" else r[block])[0])
            for key in ("epochs_accuracy", "gradient_reach_init"):
                assert [len(v) for v in details[m][f"{key}_seeds"]] == [n] * len(details[m][f"{key}_seeds"]), \
                    (block, m, key)
    detail = {"epochs_accuracy_seeds": [[[0.5, 0.95], [0.91, 0.99], [0.6, 0.7]]],
              "gradient_reach_init_seeds": [[1e-3, 3e-3, 2e-3]]}
    first, to_learn, init = memory.early_facts(detail, 0)
    assert first == pytest.approx((0.5 + 0.91 + 0.6) / 3) and to_learn == [2, 1, None]
    assert init == pytest.approx(2e-3)
    one_seed = {"epochs_accuracy": [[0.95]], "gradient_reach_init": [5.0]}        # a file with the first seed only
    assert memory.early_facts(one_seed, 0) == (0.95, [1], 5.0)


def test_saved_tbptt_results_follow_its_window():
    """Truncation 10, checked with the model's physics, not against stored numbers: beyond the window the gradient
    reach is exactly 0 and the planted words' rows of W1x never moved, in every seed; inside it they did."""
    r = memory.load_results()
    assert memory.fewest_seeds({"accuracy": {"numpy_tbptt": []},
                                "accuracy_seeds": {"numpy_tbptt": r["accuracy_seeds"]["numpy_tbptt"]}}) >= 3
    reach = dict(zip(r["distances"], r["gradient_reach"]["numpy_tbptt"]))
    moved = dict(zip(r["distances"], r["details"]["numpy_tbptt"]["planted_rows_moved"]))
    for d in r["distances"]:
        if d > r["window"]:
            assert reach[d] == 0 and max(moved[d]) == 0
        else:
            assert reach[d] > 0 and min(moved[d]) > 0


def test_broken_results_file_gives_none(tmp_path):
    bad = tmp_path / "m.json"
    bad.write_text('{"distances": [1, 2], "accuracy": {"x": [0.5]}}')
    assert memory.load_results(bad) is None
    assert memory.load_results(tmp_path / "missing.json") is None


# --- the page


def answer_for(results):
    """What the page must call right, computed here from every seed's accuracy: all >= 90 %, all in the coin-toss
    band (0.5 + 1.96 sqrt(0.25 / n_val)), or else."""
    k = results["distances"].index(2 * results["window"])
    seeds = memory.seeds_of(results, "numpy_tbptt")[k]
    top = 0.5 + 1.96 * (0.25 / results["settings"]["main"]["n_val"]) ** 0.5
    return "learned" if min(seeds) >= 0.9 else "chance" if max(seeds) <= top else "partly"


def open_page(make_app, lang, **query):
    at = make_app(lang, **query)
    at.switch_page("pages/memory.py")
    return at.run()


def answer_box(at):
    """The radio of the page's question (keyed by its concept)."""
    return next(r for r in at.radio if r.key == "quiz_reach")


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_page_hides_the_charts_until_the_prediction(make_app, lang):
    from ui import i18n
    t = i18n.Texts(lang, "memory")
    at = open_page(make_app, lang)
    assert not at.exception
    assert answer_box(at).value is None                  # starts empty
    assert not at.get("vega_lite_chart")                                # nothing revealed yet
    results = memory.load_results()
    right = answer_for(results)
    wrong = next(c for c in ("learned", "partly", "chance") if c != right)
    answer_box(at).set_value(wrong).run()
    assert not at.exception
    assert len(at.get("vega_lite_chart")) >= 2                          # accuracy and reach, revealed
    assert at.error and t(f"quiz.reach.opt.{right}").format(learned=f"{memory.LEARNED:.0%}") in at.error[0].value
    d = 2 * results["window"]
    acc = dict(zip(results["distances"], results["accuracy"]["numpy_tbptt"]))[d]
    assert f"{acc:.0%}" in at.error[0].value                            # the measured mean, in the feedback
    at.button(key="quiz_reach_again").click().run()                    # a fresh prediction
    answer_box(at).set_value(right).run()
    assert at.success and not at.error


def test_answer_comes_from_the_results(make_app, tmp_path, monkeypatch):
    """Change the saved accuracy and the page's right answer changes with it: nothing is stored."""
    import json
    results = memory.load_results()
    k = results["distances"].index(2 * results["window"])
    results["accuracy"]["numpy_tbptt"][k] = 0.95
    results.setdefault("accuracy_seeds", {})["numpy_tbptt"][k] = [0.93, 0.95, 0.97]
    path = tmp_path / "memory_distance.json"
    path.write_text(json.dumps(results))
    monkeypatch.setattr(memory, "results_path", lambda: path)
    at = open_page(make_app, "en")
    answer_box(at).set_value("learned").run()
    assert at.success and "95%" in at.success[0].value


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_page_in_lecture_mode_and_without_results(make_app, tmp_path, monkeypatch, lang):
    at = open_page(make_app, lang, lecture="true")
    assert not at.exception
    monkeypatch.setattr(memory, "results_path", lambda: tmp_path / "missing.json")
    at = open_page(make_app, lang)
    assert not at.exception and at.warning                             # says what is missing, live run still there
    assert at.button(key="memory_live_start")


def test_live_run_on_the_page(make_app):
    """Run in the worker process (kind "memory"), polled by the page until it is done; its charts appear."""
    import time
    at = open_page(make_app, "en")
    at.button(key="memory_live_start").click().run()
    for _ in range(240):
        if at.success and any("s of training" in s.value for s in at.success):
            break
        time.sleep(0.5)
        at.run()
    assert not at.exception
    assert any("s of training" in s.value for s in at.success)
    assert len(at.get("vega_lite_chart")) >= 2
    # the claim under the charts: every distance under the verdict its seeds give by the independent rule
    from ui import i18n, state
    h = at.session_state[state.job("memory")].report.history
    seeds = memory.live_seeds(h)
    assert len(h["distance"]) == len(memory.LIVE["distances"]) and len(seeds[0]) == memory.LIVE["seeds"]
    claim = memory.live_claim(i18n.Texts("en", "memory"), h, memory.LIVE["n_val"])
    assert any(m.value == claim for m in at.markdown)
    for d, each in zip(h["distance"], seeds):
        verdict = independent_verdict(each, memory.LIVE["n_val"])
        assert int(d) in memory.live_claims(h, memory.LIVE["n_val"])[verdict]


def test_worker_makes_the_memory_job():
    """The worker's registry builds the live run; what its report sends back is plain data."""
    import dataclasses

    from rnn_core.jobs import worker
    job = worker.KINDS["memory"](dict(distances=(2,), n_train=128, n_val=64, epochs=1, truncation=10), None)
    while not job.done:
        job.advance(1.0)
    assert job.results()["distances"] == [2]
    run = dataclasses.asdict(job.to_run(""))
    assert run["kind"] == "memory" and run["history"]["distance"] == [2] and "loss" not in run["history"]


def test_the_page_account_holds_in_the_saved_results():
    """Every claim the page's texts make about the results (reading, explode, findings, padding_result) holds."""
    r = memory.load_results()
    k = r["distances"].index(2 * r["window"])
    # reading.md: truncation learns inside its window only; the simple RNN remembers as far as the LSTM or further
    assert memory.largest_learned(r, "numpy_tbptt") <= r["window"]
    assert memory.largest_learned(r, "keras_simplernn") >= memory.largest_learned(r, "keras_lstm")
    # explode.md: at 2k full BPTT fails and clipping learns; huge early gradients grow W1h's spectral radius, then
    # the gradient reaching the word vanishes; saturated cells at the end without clipping
    e = memory.explode_facts(r)
    assert e["d"] == r["distances"][k]
    assert e["full_acc"] < 0.65 and e["clip_acc"] >= 0.9
    assert e["first_max"] > 10 * e["median"]
    assert e["rho_full"] > e["rho0"] + 0.3 and e["rho_full"] > e["rho_clip"] + 0.3
    assert e["reach_full"] < e["reach_start"] / 100 and e["reach_clip"] > 100 * e["reach_full"]
    assert e["sat"] > 0.1 > e["clip_sat"]
    # findings.md (shown once every Keras point has 3 seeds): each claim holds in every seed
    if memory.fewest_seeds(r) >= 3:
        f = memory.condition_facts(r)
        seeds = {m: dict(zip(r["distances"], memory.seeds_of(r, m))) for m in memory.KERAS_MODELS}
        high = memory.chance_band(r["settings"]["main"]["n_val"])[1]
        assert all(min(v) >= memory.LEARNED for v in seeds["keras_simplernn"].values())
        failed = [d for d, v in seeds["keras_lstm"].items() if min(v) <= high]
        assert failed and f["lstm_failed"] == ", ".join(map(str, failed))
        assert f["rnn_init"] > 1000 * f["lstm_init"]
        block = {b: {m: dict(zip(r[b]["distances"], memory.seeds_of(r, m, r[b]))) for m in memory.KERAS_MODELS
                     if m in r[b]} for b in ("hard", "frozen", "forget")}
        far, k2 = r["distances"][-1], 2 * r["window"]
        assert min(block["hard"]["keras_simplernn"][far]) >= memory.LEARNED
        assert all(min(v) >= memory.LEARNED for v in block["forget"]["keras_lstm"].values())
        assert min(block["frozen"]["keras_lstm"][k2]) >= memory.LEARNED > max(block["frozen"]["keras_simplernn"][k2])
        assert all(max(v[d]) < memory.LEARNED for v in block["frozen"].values() for d in v if d > k2)
    # the padding claims the page makes follow every seed (memory.padding_claim, swept in test_truth.py)
    pad = r["padding"]
    for kind in ("numpy", "keras_c"):
        claim = memory.padding_claim(pad, kind)["claim"]
        pre, post = pad[f"{kind}_seeds"]["pre"], pad[f"{kind}_seeds"]["post"]
        assert (claim in ("front_better", "at_chance_back")) == (min(pre) > max(post))


def test_live_run_refuses_settings_out_of_bounds():
    for bad in (dict(distances=(0,)), dict(distances=(101,)), dict(n_train=10**6), dict(epochs=1000),
                dict(n_cells=10**4)):
        with pytest.raises(ValueError):
            memory.MemoryTraining({"truncation": 10, **bad})
