"""With no network at all (a fresh network namespace), the app still runs and says which data it shows."""
import os
import shutil
import subprocess
import sys
import textwrap

import pytest

from tests.conftest import ROOT, SHARED_DATA


def _no_network(code, tmp_path, **env):
    """Run Python code in a new network namespace (no interfaces but a down loopback), with an empty home."""
    if not shutil.which("unshare") or subprocess.run(["unshare", "-rn", "true"]).returncode:
        pytest.skip("cannot create a network namespace here")
    clean = {k: v for k, v in os.environ.items() if k not in ("IMDB_OFFLINE", "IMDB_DATA_DIR", "KERAS_HOME")}
    clean.update(HOME=str(tmp_path), **env)
    return subprocess.run(["unshare", "-rn", sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, env=clean,
                          capture_output=True, text=True, timeout=600)


PROBE = """
    import time
    t = time.perf_counter()
    from rnn_core.data.imdb import prepare_chapter_data
    d = prepare_chapter_data()
    print("SOURCE", d.source, d.x_train.shape, round(time.perf_counter() - t, 2))
"""


def test_offline_without_any_data_falls_back_to_synthetic(tmp_path):
    out = _no_network(PROBE, tmp_path)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "SOURCE synthetic (20000, 100)" in out.stdout
    assert not (tmp_path / ".keras" / "datasets" / "imdb.npz").exists()


def test_offline_with_a_local_copy_uses_it(tmp_path):
    if not (SHARED_DATA / "imdb.npz").exists():
        pytest.skip("../shared/data is not present")
    out = _no_network(PROBE, tmp_path, IMDB_DATA_DIR=str(SHARED_DATA))
    assert out.returncode == 0, out.stderr[-3000:]
    assert "SOURCE local (20000, 100)" in out.stdout


def test_every_light_page_runs_offline_and_says_synthetic(tmp_path):
    code = """
        from streamlit.testing.v1 import AppTest
        from ui.site import PAGES
        at = AppTest.from_file("streamlit_app.py", default_timeout=300)
        at.query_params["lang"] = "en"
        at.run()
        for p in PAGES:
            if p.uses_tensorflow:
                continue
            at.switch_page(p.path).run()
            assert not at.exception, (p.key, [e.value for e in at.exception])
            shown = " ".join(str(w.value) for w in at.warning) + " ".join(str(c.value) for c in at.caption)
            assert "synthetic" in shown.lower() or not p.shows_reviews, p.key   # every page says which data it shows
        print("ALL PAGES OK")
    """
    out = _no_network(code, tmp_path)
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-3000:]
    assert "ALL PAGES OK" in out.stdout
