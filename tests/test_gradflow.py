"""Gradient flow through time: per-step deltas, spectral radius, truncation and the gradient check, against
independent references (explicit Jacobian products, np.linalg.eigvals, finite differences); and the page in
both languages, with its controls, under AppTest."""
import numpy as np
import pytest

from rnn_core.charts import gradflow as charts
from rnn_core.lessons import gradflow
from rnn_core.model.numpy_rnn import RecurrentNetwork
from tests.conftest import table_with
from tests.test_unrolling import open_page

PAGE = "pages/gradflow.py"


def _problem(seed=0, m=3, steps=15, n_features=7, n_cells=5, radius=1.1, init="glorot", input_scale=1.0):
    rng = np.random.default_rng(seed + 100)
    x = rng.integers(0, n_features, size=(m, steps))
    y = rng.integers(0, 2, size=m)
    net = gradflow.make_network(n_features, n_cells, init, radius, input_scale, seed)
    net.b1 = rng.normal(0, 0.3, n_cells)
    return net, x, y


def _plain_forward(net, x):
    """H_0..H_T with a one-hot input and an explicit loop (no RecurrentNetwork code)."""
    onehot = np.eye(net.w1x.shape[0])[x]                             # (m, T, n_f)
    h = [np.zeros((len(x), net.n_cells))]
    for t in range(x.shape[1]):
        h.append(np.tanh(onehot[:, t] @ net.w1x + h[-1] @ net.w1h + net.b1))
    return h


@pytest.mark.parametrize("init", gradflow.INITIALISERS)
def test_delta_norms_equal_an_explicit_product_of_jacobians(init):
    net, x, y = _problem(init=init)
    flow = gradflow.backward_steps(net, x, y)
    h = _plain_forward(net, x)
    a = 1 / (1 + np.exp(-(h[-1] @ net.w2 + net.b2)))
    steps = x.shape[1]
    for i in range(len(x)):
        delta_last = ((a[i] - y[i]) * net.w2[:, 0]) * (1 - h[-1][i] ** 2)    # (n_c,)
        product = np.eye(net.n_cells)      # d z_T / d z_t as a matrix, built from one-step Jacobians
        for t in range(steps, 0, -1):
            expected = product.T @ delta_last                                 # delta_t as a column
            assert np.allclose(flow.deltas[t - 1, i], expected, rtol=1e-10, atol=1e-14)
            # Jacobian of z_t with respect to z_{t-1}: W1h^T diag(1 - h_{t-1}^2)
            jac = net.w1h.T @ np.diag(1 - h[t - 1][i] ** 2)
            product = product @ jac
    norms = np.linalg.norm(flow.deltas, axis=2).mean(axis=1)
    assert np.allclose(flow.delta_norms(), norms)


def test_one_step_jacobian_against_finite_differences():
    """The Jacobian used above is itself right: d z_t / d z_{t-1} by central differences."""
    net, x, _ = _problem()
    z_prev = np.random.default_rng(3).normal(size=net.n_cells)
    step = lambda z: net.w1x[x[0, 4]] + np.tanh(z) @ net.w1h + net.b1      # noqa: E731
    eps = 1e-6
    numeric = np.column_stack([(step(z_prev + eps * e) - step(z_prev - eps * e)) / (2 * eps)
                               for e in np.eye(net.n_cells)])
    assert np.allclose(numeric, net.w1h.T @ np.diag(1 - np.tanh(z_prev) ** 2), atol=1e-8)


@pytest.mark.parametrize("init", gradflow.INITIALISERS)
@pytest.mark.parametrize("radius", [0.5, 1.0, 1.7])
def test_spectral_radius_is_what_was_asked(init, radius):
    w = gradflow.recurrent_weights(16, init, radius, np.random.default_rng(1))
    assert np.max(np.abs(np.linalg.eigvals(w))) == pytest.approx(radius, rel=1e-9)
    assert gradflow.spectral_radius(w) == pytest.approx(radius, rel=1e-9)


def test_orthogonal_at_radius_one_puts_every_eigenvalue_on_the_unit_circle():
    w = gradflow.recurrent_weights(12, "orthogonal", 1.0, np.random.default_rng(0))
    assert np.allclose(np.abs(np.linalg.eigvals(w)), 1.0)
    assert np.allclose(w @ w.T, np.eye(12))


def test_without_inputs_the_signal_scales_by_the_radius_each_step():
    """Input scale 0: H stays 0, tanh' = 1, so |delta_{T-j}| = radius^j |delta_T| for an orthogonal W1h."""
    net, x, y = _problem(radius=1.3, init="orthogonal", input_scale=0.0)
    net.b1 = np.zeros(net.n_cells)
    norms = gradflow.backward_steps(net, x, y).delta_norms()
    j = np.arange(len(norms))[::-1]
    assert np.allclose(norms, norms[-1] * 1.3 ** j, rtol=1e-9)


@pytest.mark.parametrize("truncation", [1, 4, 10, None])
def test_truncated_contributions_sum_to_backprops_w1h_gradient(truncation):
    net, x, y = _problem(steps=20)
    flow = gradflow.backward_steps(net, x, y)
    net.truncation = truncation
    a = net.sigmoid(net.forpass(x))
    expected = net.backprop(x, a - y.reshape(-1, 1))[0]
    assert np.allclose(flow.w1h_grad(truncation), expected, rtol=1e-10, atol=1e-15)
    assert np.allclose(flow.contributions.sum(axis=0), flow.w1h_grad())


def test_dropped_share_is_zero_when_the_window_covers_everything():
    net, x, y = _problem(steps=8)
    flow = gradflow.backward_steps(net, x, y)
    assert flow.dropped_share(8) == 0.0
    assert flow.dropped_share(2) > 0.0


def test_gradient_check_full_is_exact_textbook_is_not():
    rows = {r.method: r for r in gradflow.gradient_check(seed=0)}
    assert rows["full"].error < 1e-7                     # ~1e-10: finite differences' own accuracy
    assert rows["textbook"].error > 0.1                  # the missing transpose
    assert 1e-7 < rows["truncated"].error < rows["textbook"].error
    for seed in (1, 2, 3):
        rows = {r.method: r for r in gradflow.gradient_check(seed=seed, window=3)}
        assert rows["full"].error < 1e-7 and rows["textbook"].error > 0.05


def test_numerical_gradient_of_a_known_function():
    """Finite differences on a network whose loss gradient w.r.t. b2 is known in closed form: mean(A2 - Y)."""
    net, x, y = _problem()
    a = net.sigmoid(net.forpass(x))
    assert np.allclose(gradflow.numerical_gradient(net, x, y, "b2"), np.mean(a[:, 0] - y), atol=1e-8)


def test_truncation_window_covering_all_steps_checks_as_exact():
    rows = {r.method: r for r in gradflow.gradient_check(seed=0, window=12)}
    assert rows["truncated"].error < 1e-7


def test_clip_by_norm():
    g = [np.full((2, 2), 3.0), np.full(2, 4.0)]
    clipped, norm = gradflow.clip_by_norm(g, 1.0)
    assert norm == pytest.approx(np.sqrt(4 * 9 + 2 * 16))
    assert np.sqrt(sum(np.sum(c ** 2) for c in clipped)) == pytest.approx(1.0)
    assert np.allclose(clipped[0] / g[0], clipped[1][0] / g[1][0])       # same direction
    same, _ = gradflow.clip_by_norm(g, 100.0)
    assert all(np.array_equal(a, b) for a, b in zip(same, g))


def test_gradient_norm_explodes_with_the_radius_without_inputs():
    _, x, y = _problem(steps=40)
    raw, clipped = gradflow.grad_norms(x, y, [0.8, 1.0, 1.5], 7, 5, "orthogonal", 0.0, 0, max_norm=1.0)
    assert raw[0] < raw[1] < raw[2] and raw[2] > 1e3 * raw[1]
    assert np.allclose(clipped, np.minimum(raw, 1.0))


def test_grad_norms_match_finite_differences():
    """The whole gradient's norm (every weight, full BPTT) against central differences of the loss."""
    _, x, y = _problem()
    raw, clipped = gradflow.grad_norms(x, y, [1.2], 7, 5, "glorot", 1.0, 0, max_norm=1e-3)
    net = gradflow.make_network(7, 5, "glorot", 1.2, 1.0, 0)
    numeric = [gradflow.numerical_gradient(net, x, y, name) for name in ("w1h", "w1x", "b1", "w2", "b2")]
    assert raw[0] == pytest.approx(np.sqrt(sum(np.sum(g ** 2) for g in numeric)), rel=1e-6)
    assert clipped[0] == pytest.approx(1e-3)


def test_make_network_is_float64_full_bptt():
    net = gradflow.make_network(10, 4, "normal", 0.9, 2.0, 3)
    assert isinstance(net, RecurrentNetwork) and net.truncation is None and net.w1h.dtype == np.float64
    ref = RecurrentNetwork(n_cells=4, seed=3, dtype=np.float64)
    ref.init_weights(10, 1)
    assert np.allclose(net.w1x, 2.0 * ref.w1x)           # the chapter's W1x, scaled


def test_charts_leave_out_zeros_and_keep_the_window():
    names = {k: k for k in ("title", "step", "norm", "back", "kept", "dropped", "re", "im", "radius", "raw",
                            "clipped")}
    norms = np.array([0.0, 1e-5, 1e-3, 1e-1, 1.0])
    spec = charts.delta_norm_chart(norms, names)
    assert list(spec["datasets"]["delta"]["step"]) == [2, 3, 4, 5]
    spec = charts.contribution_chart(norms, 2, names)
    pts = spec["datasets"]["points"]
    assert list(pts.loc[pts["part"] == "kept", "step"]) == [4, 5]
    assert spec["datasets"]["band"]["a"].tolist() == [0.5, 3.5]
    spec = charts.eigen_chart(np.array([1.5 + 0j, 0.2 + 0.3j]), names)
    assert spec["datasets"]["frame"]["re"].max() == pytest.approx(1.65)
    spec = charts.clipping_chart(np.array([1.0, 2.0]), np.array([0.5, 50.0]), np.array([0.5, 1.0]), 1.5, names)
    lines = spec["datasets"]["lines"]
    assert lines.loc[lines["kind"] == "clipped", "norm"].tolist() == [0.5, 1.0]
    again = charts.clipping_chart(np.array([1.0]), np.array([1.0]), np.array([1.0]), 1.0, names)
    assert "$schema" in spec and spec is not again and again["datasets"]["here"]["radius"].tolist() == [1.0]


# --- the page under AppTest


@pytest.fixture
def page(make_app):
    return lambda lang, **query: open_page(make_app, PAGE, lang, **query)


def test_page_runs_and_its_controls_work(page):
    """Every control once, in Korean (tests/test_app.py opens every page in both languages)."""
    at = page("ko")
    assert len(at.main.children) > 0
    for key, value in [("gradflow_radius", 1.5), ("gradflow_input", 0.0), ("gradflow_steps", 200),
                       ("gradflow_radius", 0.5)]:
        at.slider(key=key).set_value(value).run()
        assert not at.exception, (key, [e.value for e in at.exception])
    for init in gradflow.INITIALISERS:
        at.selectbox(key="gradflow_init").set_value(init).run()
        assert not at.exception, init
    for key, value in [("gradflow_cells", 8), ("gradflow_batch", 4), ("gradflow_seed", 5), ("gradflow_window", 30),
                       ("gradflow_check_seed", 2)]:
        at.number_input(key=key).set_value(value).run()
        assert not at.exception, (key, [e.value for e in at.exception])
    at.select_slider(key="gradflow_clip").set_value(10.0).run()
    assert not at.exception


def test_page_shows_the_gradient_check(page):
    """After the prediction, the table of relative errors: the full BPTT check passes, the textbook line fails."""
    from ui import i18n
    at = page("en")
    box = next(r for r in at.radio if r.key == "quiz_textbook")
    box.set_value(box.options[0]).run()
    error_column = i18n.Texts("en", "gradflow")("check.error")
    table = table_with(at, error_column)
    errors = dict(zip(table.iloc[:, 0], table.iloc[:, 1]))
    full, textbook = (float(v) for k, v in errors.items() if "full" in k or "textbook" in k)
    assert full < 1e-7 and textbook > 0.1


def test_lecture_mode_hides_the_technical_controls(page):
    at = page("ko", lecture="true")
    keys = {w.key for w in at.number_input} | {w.key for w in at.select_slider}
    assert not keys & {"gradflow_cells", "gradflow_seed", "gradflow_window", "gradflow_clip"}
    assert {w.key for w in at.slider} >= {"gradflow_radius", "gradflow_input", "gradflow_steps"}


def test_settings_come_from_the_url(page):
    at = page("en", gradflow_radius="1.5", gradflow_init="glorot")
    assert at.slider(key="gradflow_radius").value == pytest.approx(1.5)
    assert at.selectbox(key="gradflow_init").value == "glorot"
