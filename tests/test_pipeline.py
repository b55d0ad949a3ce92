"""IMDB pipeline page: review steps, lengths and padding, one-hot memory, the seed-42 split, the page itself."""
import numpy as np
import pytest

from rnn_core.charts import pipeline as charts
from rnn_core.data.imdb import prepare_chapter_data
from rnn_core.lessons import pipeline as ps
from tests.test_sequences import chart_rows
from tests.test_sequences import open_page as open_app
from ui import i18n

PAGE = "pages/pipeline.py"


@pytest.fixture(scope="module")
def data():
    """The chapter's data (num_words=100, skip_top=20): the real reviews when ../shared/data exists."""
    return prepare_chapter_data(num_words=100, skip_top=20, maxlen=100)


def textbook_pad(seq, maxlen):
    """pad_sequences by hand: zeros in front, keep the last maxlen tokens."""
    seq = list(seq)[-maxlen:]
    return [0] * (maxlen - len(seq)) + seq


# ----------------------------------------------------------------------------- one review

@pytest.mark.parametrize("j", [0, 1, 123, 24_999])
def test_review_steps(data, j):
    steps = ps.review_steps(data, j)
    raw = data.raw[j].tolist()
    assert steps["raw"].tolist() == raw
    assert steps["cleaned"].tolist() == [w for w in raw if w > 2]
    index = data.train_index if steps["split"] == "train" else data.val_index
    assert index[steps["position"]] == j
    labels = data.y_train if steps["split"] == "train" else data.y_val
    assert steps["label"] == labels[steps["position"]]


def test_first_review_matches_the_published_one(data):
    if data.source == "synthetic":
        pytest.skip("the published numbers are for the real IMDB reviews")
    assert len(ps.review_steps(data, 0)["cleaned"]) == 59            # the lecture's x_train_all[0]
    assert len(data.raw[0]) == 218 and len(data.raw[1]) == 189


# ----------------------------------------------------------------------------- lengths and padding

@pytest.mark.parametrize("maxlen", [25, 50, 100, 200, 400])
def test_histogram_and_cut_share(data, maxlen):
    lengths = data.train_reviews.lengths
    starts, ends, counts = ps.length_histogram(lengths, maxlen)
    assert counts.sum() == len(lengths) == 20_000
    assert ends[-1] > maxlen                                         # maxlen is on the chart
    longer = sum(len(r) > maxlen for r in data.train_reviews.tolist())
    assert counts[starts >= maxlen].sum() == longer                  # bins right of maxlen = reviews that get cut
    assert ps.share_cut(lengths, maxlen) == pytest.approx(longer / 20_000)
    shorter = sum(len(r) < maxlen for r in data.train_reviews.tolist())
    assert ps.share_padded(lengths, maxlen) == pytest.approx(shorter / 20_000)


@pytest.mark.parametrize("first, maxlen", [(0, 100), (5, 25), (24_995, 400)])
def test_padded_block_and_heatmap_match_textbook_padding(data, first, maxlen):
    block = ps.padded_block(data, first, 8, maxlen)
    rows = range(first, min(first + 8, 25_000))
    expected = [textbook_pad([w for w in data.raw[j].tolist() if w > 2], maxlen) for j in rows]
    assert block.tolist() == expected
    words = [["w"] * maxlen for _ in rows]
    names = {k: k for k in ("step", "review", "index", "word", "title")}
    cells = chart_rows(charts.padded_chart(block, words, first, names, 100))
    heat = np.zeros_like(block)
    for c in cells:
        heat[int(c["review"]) - first, c["step"] - 1] = c["index"]
    assert heat.tolist() == expected
    assert all((np.diff((row > 0).astype(int)) >= 0).all() for row in block)   # zeros only in front


def test_padding_at_maxlen_100_equals_the_chapter_data(data):
    """The page pads at any maxlen itself; at 100 it must equal the prepared x_train rows."""
    pos = 17
    j = data.train_index[pos]
    assert ps.padded_block(data, j, 1, 100)[0].tolist() == data.x_train[pos].tolist()


# ----------------------------------------------------------------------------- memory

@pytest.mark.parametrize("m, maxlen, n_f", [(3, 5, 7), (20, 10, 100), (1, 1, 2)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_onehot_bytes_match_a_built_tensor(m, maxlen, n_f, dtype):
    tokens = np.random.default_rng(0).integers(0, n_f, size=(m, maxlen))
    built = np.eye(n_f, dtype=dtype)[tokens]                         # (m, maxlen, n_f)
    assert ps.onehot_bytes(m, maxlen, n_f, np.dtype(dtype).itemsize) == built.nbytes


def test_input_formats_against_built_arrays():
    rows = {r["key"]: r for r in ps.input_formats(20, 10, 50, embed_dim=4, batch_size=3)}
    tokens = np.zeros((20, 10), dtype=np.int32)
    assert rows["tokens"]["bytes"] == tokens.nbytes and rows["tokens"]["shape"] == tokens.shape
    assert rows["onehot32"]["bytes"] == np.eye(50, dtype=np.float32)[tokens].nbytes
    assert rows["onehot64"]["bytes"] == np.eye(50)[tokens].nbytes == 2 * rows["onehot32"]["bytes"]
    assert rows["embedding"]["bytes"] == np.zeros((50, 4), np.float32).nbytes
    assert rows["embedded_batch"]["bytes"] == np.zeros((50, 4), np.float32)[tokens[:3]].nbytes


def test_chapter_onehot_is_800_megabytes():
    """The lecture's number (6.3): (20000, 100, 100) float32 is 800,000,000 bytes (the notes' 80,000,000 is a typo)."""
    assert ps.input_formats(20_000, 100, 100)[0]["bytes"] == 800_000_000


# ----------------------------------------------------------------------------- the split

def test_split_is_the_books_seed_42_permutation(data):
    state = np.random.get_state()
    try:
        np.random.seed(42)
        random_index = np.random.permutation(25_000)                 # the book's own lines
    finally:
        np.random.set_state(state)
    assert np.array_equal(data.train_index, random_index[:20_000])
    assert np.array_equal(data.val_index, random_index[20_000:])


def test_label_counts(data):
    for y in (data.y_train, data.y_val):
        assert ps.label_counts(y) == (int(np.sum(y == 0)), int(np.sum(y == 1)))
    assert sum(ps.label_counts(data.y_train)) == 20_000 and sum(ps.label_counts(data.y_val)) == 5_000


# ----------------------------------------------------------------------------- the page

def shown_split(at):
    """(negatives, positives) per part, as the page's split table shows them."""
    df = at.dataframe[-1].value
    return [tuple(int(v) for v in row) for row in df.iloc[:, 1:3].itertuples(index=False)]


def test_page_runs_and_reacts(make_app, data, lang="ko"):
    """Every control once, in Korean (tests/test_app.py opens every page in both languages)."""
    at = open_app(make_app, lang, PAGE)
    assert i18n.table(lang, "pipeline")["title"] in [t.value for t in at.title]
    assert shown_split(at) == [ps.label_counts(data.y_train), ps.label_counts(data.y_val)]
    for maxlen in (25, 400, 100):
        at.select_slider(key="pipeline_maxlen").set_value(maxlen).run()
        assert not at.exception, [e.value for e in at.exception]
        cut = np.mean([len(r) > maxlen for r in data.train_reviews.tolist()])
        shown = {m.label: m.value for m in at.metric}
        label = i18n.table(lang, "pipeline")["lengths.share_cut"].format(maxlen=maxlen)
        assert shown[label] == f"{cut:.1%}"
    for j in (1, 24_999):
        at.number_input(key="pipeline_review").set_value(j).run()
        assert not at.exception, [e.value for e in at.exception]
    at.select_slider(key="pipeline_num_words").set_value(1000).run()
    at.select_slider(key="pipeline_skip_top").set_value(20).run()
    assert not at.exception, [e.value for e in at.exception]


def test_lecture_mode_hides_data_settings(make_app):
    at = open_app(make_app, "ko", PAGE, lecture="true")
    keys = {w.key for w in at.select_slider}
    assert "pipeline_num_words" not in keys and "pipeline_skip_top" not in keys and "pipeline_maxlen" in keys


def test_settings_survive_a_page_switch(make_app):
    at = open_app(make_app, "en", PAGE)
    at.select_slider(key="pipeline_maxlen").set_value(200).run()
    at.number_input(key="pipeline_review").set_value(42).run()
    at.switch_page("pages/sequences.py").run()
    at.switch_page(PAGE).run()
    assert at.select_slider(key="pipeline_maxlen").value == 200
    assert at.number_input(key="pipeline_review").value == 42
