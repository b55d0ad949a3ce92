"""The saved-runs loader reads complete runs only: a stray, foreign or broken file is skipped with a logged note."""
import io
import json
import logging
import struct
import zlib

import numpy as np
import pytest

from rnn_core.jobs import runs


def a_run(name="good"):
    """A small valid NumPy run."""
    rng = np.random.default_rng(0)
    weights = {k: rng.normal(size=s).astype("float32") for k, s in
               dict(w1h=(3, 3), w1x=(5, 3), b1=(3,), w2=(3, 1), b2=(1,)).items()}
    return runs.Run(name=name, kind="numpy", config={"n_cells": 3, "num_words": 5}, history={"loss": [0.7]},
                    weights=weights)


@pytest.fixture
def folder(tmp_path):
    runs.save_run(a_run(), tmp_path)
    return tmp_path


def names(folder):
    return [r.name for r in runs.saved_runs(folder)]


def test_complete_run_loads(folder):
    [run] = runs.saved_runs(folder)
    assert run.name == "good" and run.saved
    np.testing.assert_array_equal(run.weights["w1x"], a_run().weights["w1x"])


def test_json_without_npz_is_skipped(folder, caplog):
    (folder / "memory_distance.json").write_text(json.dumps({"distances": [2, 5], "accuracy": {}}))
    (folder / "stray.json").write_text(json.dumps({"name": "stray", "kind": "numpy", "config": {}, "history": {}}))
    with caplog.at_level(logging.INFO, logger="rnn_core.jobs.runs"):
        assert names(folder) == ["good"]
    assert "stray.json has no .npz" in caplog.text and "memory_distance.json" in caplog.text


def test_npz_without_json_is_skipped(folder, caplog):
    np.savez(folder / "lonely.npz", w=np.zeros(3))
    with caplog.at_level(logging.WARNING, logger="rnn_core.jobs.runs"):
        assert names(folder) == ["good"]
    assert "lonely.npz skipped (no_json" in caplog.text


def test_corrupt_npz_is_skipped(folder, caplog):
    runs.save_run(a_run("broken"), folder)
    (folder / "broken.npz").write_bytes(b"PK\x03\x04 not really a zip file")
    with caplog.at_level(logging.WARNING, logger="rnn_core.jobs.runs"):
        assert names(folder) == ["good"]
    assert "broken.npz skipped (not_npz" in caplog.text


def test_pickled_npz_is_refused(folder):
    runs.save_run(a_run("pickled"), folder)
    np.savez(folder / "pickled.npz", w=np.array([{"evil": 1}], dtype=object))    # needs allow_pickle to load
    assert names(folder) == ["good"]


@pytest.mark.parametrize("text", [
    "{not json",                                                             # broken JSON
    json.dumps([1, 2, 3]),                                                   # JSON, but not an object
    json.dumps({"name": "foreign", "kind": "pytorch", "config": {}, "history": {}}),   # a kind the app has no model for
    json.dumps({"name": "foreign", "kind": "numpy", "config": {}, "history": {}, "extra_field": 1}),
    json.dumps({"name": "foreign", "kind": "numpy", "config": [], "history": {}}),     # wrong types
])
def test_foreign_json_with_npz_is_skipped(folder, text):
    np.savez(folder / "foreign.npz", w=np.zeros(3))
    (folder / "foreign.json").write_text(text)
    assert names(folder) == ["good"]


def test_shipped_folder_loads_only_runs():
    loaded = runs.saved_runs()
    assert {r.kind for r in loaded} <= set(runs.KINDS)
    assert "memory_distance" not in {r.name for r in loaded}


@pytest.mark.parametrize("page", ["pages/train_numpy.py", "pages/unrolling.py", "pages/try_review.py"])
def test_pages_survive_a_stray_json(make_app, tmp_path, monkeypatch, page):
    """The symptom of the issue: a .json without its .npz in saved_runs/ gave a FileNotFoundError in the page."""
    import shutil
    for suffix in (".json", ".npz"):
        shutil.copy(runs.SAVED_DIR / f"numpy_chapter{suffix}", tmp_path)
    (tmp_path / "memory_distance.json").write_text(json.dumps({"distances": [2], "accuracy": {}}))
    (tmp_path / "stray.json").write_text("{}")
    monkeypatch.setattr(runs, "SAVED_DIR", tmp_path)
    at = make_app("en")
    at.switch_page(page)
    at.run()
    assert not at.exception


# --- hostile files (issue 17): each is skipped with a note naming it, never a crash --------------------------
def skipped(folder):
    """{file: reason code} of the files the loader skipped."""
    return {s.file: s.code for s in runs.scan(folder).skipped}


def test_dangling_symlink_is_skipped(folder):
    (folder / "gone.json").symlink_to(folder / "nowhere.json")
    (folder / "gone.npz").symlink_to(folder / "nowhere.npz")
    assert names(folder) == ["good"]
    assert skipped(folder) == {"gone.json": "dangling_link", "gone.npz": "dangling_link"}
    assert runs.stamp(folder)                      # what ui.data's cache key reads: no stat() of the target


def test_symlink_out_of_the_folder_is_not_followed(folder, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside")
    runs.save_run(a_run("elsewhere"), outside)
    for suffix in (".json", ".npz"):
        (folder / f"elsewhere{suffix}").symlink_to(outside / f"elsewhere{suffix}")
    assert names(folder) == ["good"]
    assert skipped(folder) == {"elsewhere.json": "outside_link", "elsewhere.npz": "outside_link"}


def test_symlink_inside_the_folder_is_followed(folder):
    (folder / "alias.json").symlink_to(folder / "good.json")
    (folder / "alias.npz").symlink_to(folder / "good.npz")
    assert names(folder) == ["good", "good"]          # the run's name is the one in its .json


def test_a_folder_named_like_a_run_is_skipped(folder):
    (folder / "odd.json").mkdir()
    np.savez(folder / "odd.npz", w=np.zeros(3))
    assert names(folder) == ["good"] and skipped(folder)["odd.json"] == "not_file"


@pytest.mark.parametrize("weights, code", [
    ({"w1h": np.zeros((4, 4))}, "wrong_arrays"),                                             # arrays missing
    ({**a_run().weights, "extra": np.zeros(2)}, "wrong_arrays"),                             # one too many
    ({**a_run().weights, "w1x": np.zeros((6, 3), "float32")}, "bad_shape"),                 # not num_words rows
    ({**a_run().weights, "w1h": np.zeros((3, 4), "float32")}, "bad_shape"),
    ({**a_run().weights, "b1": np.zeros((3, 1), "float32")}, "bad_shape"),                  # wrong rank
    ({**a_run().weights, "w2": np.array([["a"], ["b"], ["c"]])}, "bad_array"),              # text, not numbers
    ({**a_run().weights, "w2": np.full((3, 1), np.inf, "float32")}, "bad_array"),
    ({**a_run().weights, "b2": np.zeros(1, "complex64")}, "bad_array"),
])
def test_weights_of_the_wrong_shape_or_type_are_skipped(folder, weights, code):
    runs.save_run(a_run("bad"), folder)
    np.savez(folder / "bad.npz", **weights)
    assert names(folder) == ["good"]
    assert skipped(folder) == {"bad.npz": code}


@pytest.mark.parametrize("change, code", [
    ({"config": {"n_cells": 3}}, "bad_config"),                                 # num_words missing
    ({"config": {"n_cells": "3", "num_words": 5}}, "bad_config"),               # a string
    ({"config": {"n_cells": 10**9, "num_words": 5}}, "bad_config"),             # huge
    ({"config": {"n_cells": -3, "num_words": 5}}, "bad_config"),
    ({"config": {"n_cells": True, "num_words": 5}}, "bad_config"),
    ({"history": {"loss": ["a"]}}, "bad_history"),
    ({"history": {"loss": 0.5}}, "bad_history"),
    ({"history": {"loss": [float("nan")]}}, "bad_history"),
    ({"name": 5}, "bad_field"),
    ({"status": ["finished"]}, "bad_field"),
    ({"weights": {"w1h": [1]}}, "not_run"),                                     # no field of that name in a .json
])
def test_json_of_the_wrong_type_is_skipped(folder, change, code):
    runs.save_run(a_run("bad"), folder)
    meta = json.loads((folder / "bad.json").read_text())
    (folder / "bad.json").write_text(json.dumps({**meta, **change}))
    assert names(folder) == ["good"]
    assert skipped(folder) == {"bad.json": code}


def test_huge_json_is_refused_before_it_is_parsed(folder):
    runs.save_run(a_run("big"), folder)
    (folder / "big.json").write_text(" " * (runs.MAX_JSON_BYTES + 1) + "{}")
    assert skipped(folder) == {"big.json": "too_large"}


def test_the_folder_has_a_total_size_limit(folder, monkeypatch):
    for i in range(3):
        runs.save_run(a_run(f"more{i}"), folder)
    per_run = sum(w.nbytes + 128 for w in a_run().weights.values())     # arrays and their .npy headers
    monkeypatch.setattr(runs, "MAX_FOLDER_BYTES", int(2.5 * per_run))
    loaded = runs.scan(folder)
    assert len(loaded.runs) == 2 and {s.code for s in loaded.skipped} == {"too_large"}


def _deflated(data, repeat=1):
    """Raw deflate of `data` written `repeat` times, made from one compressed copy (blocks after a full flush
    never refer back, so the copies can be chained): a 5 GB member in seconds."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = c.compress(data) + c.flush(zlib.Z_FULL_FLUSH)
    return block * repeat + c.flush(zlib.Z_FINISH)


def _zip64(path, members):
    """Write a zip (zip64 records) from (name, raw deflate, unpacked size, crc) by hand."""
    out, central = bytearray(), bytearray()
    for name, data, size, crc in members:
        extra = struct.pack("<HHQQ", 1, 16, size, len(data))
        offset = len(out)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 45, 0, 8, 0, 0x21, crc, 0xFFFFFFFF, 0xFFFFFFFF,
                           len(name), len(extra)) + name + extra + data
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 45, 45, 0, 8, 0, 0x21, crc, 0xFFFFFFFF,
                               0xFFFFFFFF, len(name), len(extra), 0, 0, 0, 0, offset) + name + extra
    start, n = len(out), len(members)
    out += central
    end64 = len(out)
    out += struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, n, n, len(central), start)
    out += struct.pack("<IIQI", 0x07064B50, 0, end64, 1)
    out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, n, n, len(central), start, 0)
    path.write_bytes(bytes(out))


def _zip_bomb(path, member_bytes):
    """A .npz with the weights of a_run(), but w1x a float32 array of zeros `member_bytes` long unpacked
    (a few MB on disk). Its CRC is not computed: a loader that unpacks it runs out of memory long before."""
    chunk = 2**24
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f4", "fortran_order": False,
                                                  "shape": (member_bytes // 12, 3)})
    header = header.getvalue()
    repeat = (member_bytes - len(header)) // chunk
    members = [(b"w1x.npy", _deflated(header, 1)[:-2] and b"", 0, 0)]
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    data = c.compress(header) + c.flush(zlib.Z_FULL_FLUSH)
    block = c.compress(bytes(chunk)) + c.flush(zlib.Z_FULL_FLUSH)
    data += block * repeat + c.flush(zlib.Z_FINISH)
    members = [(b"w1x.npy", data, len(header) + repeat * chunk, 0)]
    for name, w in a_run().weights.items():
        if name != "w1x":
            buf = io.BytesIO()
            np.lib.format.write_array(buf, w)
            members.append((f"{name}.npy".encode(), _deflated(buf.getvalue()), len(buf.getvalue()),
                            zlib.crc32(buf.getvalue())))
    _zip64(path, members)


ZIP_BOMB_CHILD = r"""
import resource, sys
sys.path.insert(0, sys.argv[2])
limit = 600 * 2**20                                # address space: far less than the 5 GB the bomb unpacks to
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
from rnn_core.jobs import runs
folder = runs.scan(sys.argv[1])
print(sorted(r.name for r in folder.runs), sorted((s.file, s.code) for s in folder.skipped))
"""


def test_zip_bomb_is_refused_from_the_zip_directory_under_a_memory_limit(folder):
    """A 5 GB member in a few MB on disk: refused before any decompression, in a process that could not hold it."""
    import subprocess
    import sys
    runs.save_run(a_run("bomb"), folder)
    _zip_bomb(folder / "bomb.npz", 5 * 2**30)
    assert (folder / "bomb.npz").stat().st_size < runs.MAX_NPZ_BYTES
    out = subprocess.run([sys.executable, "-c", ZIP_BOMB_CHILD, str(folder), str(runs.SAVED_DIR.parent)],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "['good'] [('bomb.npz', 'too_large')]", out.stdout


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_pages_name_the_skipped_files(make_app, tmp_path, monkeypatch, lang):
    """The note is on the page, in the user's language, with the file's name (never the server's path)."""
    import shutil

    from ui import i18n
    for suffix in (".json", ".npz"):
        shutil.copy(runs.SAVED_DIR / f"numpy_chapter{suffix}", tmp_path)
    (tmp_path / "gone.json").symlink_to(tmp_path / "nowhere.json")
    runs.save_run(a_run("bad"), tmp_path)
    np.savez(tmp_path / "bad.npz", w1h=np.zeros((4, 4)))
    monkeypatch.setattr(runs, "SAVED_DIR", tmp_path)
    at = make_app(lang)
    at.switch_page("pages/train_numpy.py").run()
    assert not at.exception, [e.value for e in at.exception]
    t = i18n.table(lang, "common")
    [warning] = [w.value for w in at.warning if t["runs_skipped.heading"] in w.value]
    assert "`gone.json`" in warning and "`bad.npz`" in warning and t["runs_skipped.dangling_link"] in warning
    assert str(tmp_path) not in warning


def _reference_pace(run, n_train, epochs):
    """Seconds of a run at a saved run's pace, from each epoch's own time (independent of runs.pace_seconds)."""
    per_epoch = np.diff([0.0, *run.history["seconds"]])                       # (epochs of the saved run,)
    beyond = max(epochs - len(per_epoch), 0) * per_epoch[1:].mean()           # epochs it never ran: its later pace
    return (per_epoch[:epochs].sum() + beyond) * n_train / run.config["n_train"]


@pytest.mark.parametrize("kind", runs.KINDS)
def test_pace_follows_the_reviews_and_epochs(kind):
    """The idle texts' times (train_numpy and keras status.timing): the saved run's own seconds to that epoch,
    scaled by the reviews; every setting of the page's review and epoch controls."""
    run = next(r for r in runs.saved_runs() if r.kind == kind)
    config = {k: v for k, v in run.config.items() if k not in ("n_train", "epochs")}
    for n_train in (200, 500, 1000, 2000, 5000, 10000, 20000):
        for epochs in range(1, run.epochs + 6):
            got = runs.pace_seconds(runs.saved_runs(), kind, {**config, "n_train": n_train, "epochs": epochs})
            assert got == pytest.approx(_reference_pace(run, n_train, epochs)), (n_train, epochs)
    assert runs.pace_seconds(runs.saved_runs(), kind, {**config, "n_train": 100, "epochs": 2}) < \
        runs.pace_seconds(runs.saved_runs(), kind, {**config, "n_train": 100, "epochs": 3})


def test_no_pace_without_a_saved_run_of_those_settings():
    """Another architecture, another model or no timing: no time is stated (the text leaves the sentence out)."""
    numpy_run = next(r for r in runs.saved_runs() if r.kind == "numpy")
    config = dict(numpy_run.config)
    assert runs.pace_seconds(runs.saved_runs(), "numpy", config) == pytest.approx(numpy_run.history["seconds"][-1])
    assert runs.pace_seconds(runs.saved_runs(), "numpy", {**config, "n_cells": 64}) is None
    assert runs.pace_seconds([a_run()], "numpy", config) is None                    # a run without seconds
    assert runs.pace_seconds([], "numpy", config) is None


# The hostile files again, in the runs folder of a real `streamlit run` server (RNN_SAVED_RUNS), its pages opened
# over the websocket as a browser does: each page is drawn, names the skipped files, and the bomb costs no memory.
async def _open_pages(url, keys):
    from scripts.wsclient import Session
    seen = {}
    for key in keys:
        async with Session(url) as tab:
            await tab.run_page(key, "lang=en")
            seen[key] = (tab.exceptions, tab.elements, list(tab.alerts))
    return seen


def _rss_mb(pid):
    return int(next(line for line in open(f"/proc/{pid}/status") if line.startswith("VmRSS")).split()[1]) / 1024


def test_hostile_files_in_a_real_servers_runs_folder(tmp_path):
    import shutil

    from tests.browser import harness
    from ui import i18n
    for path in runs.SAVED_DIR.iterdir():
        if path.is_file():
            shutil.copy(path, tmp_path)
    (tmp_path / "gone.json").symlink_to(tmp_path / "nowhere.json")               # dangling
    outside = tmp_path.parent / "outside.json"
    outside.write_text(json.dumps({"name": "outside"}))
    (tmp_path / "outside.json").symlink_to(outside)                              # leaves the folder
    runs.save_run(a_run("shape"), tmp_path)
    np.savez(tmp_path / "shape.npz", w1h=np.zeros((4, 4)))                      # wrong shapes
    (tmp_path / "typed.json").write_text(json.dumps(["not", "a", "run"]))        # wrong type
    np.savez(tmp_path / "typed.npz", w1x=np.zeros(3))
    runs.save_run(a_run("bomb"), tmp_path)
    _zip_bomb(tmp_path / "bomb.npz", 5 * 2**30)                                  # 5 GB unpacked
    heading = i18n.table("en", "common")["runs_skipped.heading"]
    with harness.streamlit_server(env=harness.app_env(RNN_SAVED_RUNS=str(tmp_path)), timeout=120) as (url, proc):
        seen = harness.run_async(_open_pages(url, ["home", "sequences"]))     # imports and data loaded first
        before = _rss_mb(proc.pid)
        seen.update(harness.run_async(_open_pages(url, ["train_numpy", "keras", "try_review"])))
        grown = _rss_mb(proc.pid) - before
    print(f"server RSS {before:.0f} MB before the pages, grown by {grown:.0f} MB")
    for key, (exceptions, elements, _) in seen.items():
        assert exceptions == 0 and elements > 3, (key, seen[key])
    [note] = [a for a in seen["train_numpy"][2] if heading in a]
    for name in ("gone.json", "outside.json", "shape.npz", "typed.json", "bomb.npz"):   # each skipped, by name
        assert f"`{name}`" in note, (name, note)
    assert str(tmp_path) not in note, note
    assert grown < 150, f"the server grew by {grown:.0f} MB"         # the bomb alone would be 5,120 MB
