"""Shared test setup: offline data from ../shared/data when present, and an AppTest factory."""
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"

# Tests never touch the network; they use the shared copy of the IMDB files, or synthetic data.
os.environ["IMDB_OFFLINE"] = "1"
if (SHARED_DATA / "imdb.npz").exists():
    os.environ.setdefault("IMDB_DATA_DIR", str(SHARED_DATA))
sys.path.insert(0, str(ROOT))


def pytest_addoption(parser):
    parser.addoption("--shots", action="store_true",
                     help="browser tests write every screenshot to artifacts/browser/ (default: only on failure)")


def pytest_configure(config):
    if config.getoption("--shots"):
        os.environ["BROWSER_SHOTS"] = "1"      # (inherited by xdist's worker processes)


def scan_manifests_once():
    """AppTest scans every installed package for Streamlit component manifests each time a new AppTest first runs
    (streamlit.components.v2.manifest_scanner.scan_component_manifests, via BidiComponentManager; streamlit PR
    #12637): ~0.5 s of reading 460 packages' metadata, most of an AppTest's cost here. The packages do not change
    during a test run, so one scan per test process is kept. (tests/test_internals.py fails if it moves.)"""
    import functools

    from streamlit.components.v2 import manifest_scanner
    if not hasattr(manifest_scanner.scan_component_manifests, "cache_info"):
        manifest_scanner.scan_component_manifests = functools.cache(manifest_scanner.scan_component_manifests)


scan_manifests_once()


@pytest.fixture
def make_app():
    """Build an AppTest of the whole app (navigation included) in one language."""
    from streamlit.testing.v1 import AppTest

    def make(lang="en", **query):
        at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
        at.query_params["lang"] = lang
        for key, value in query.items():
            at.query_params[key] = value
        return at

    return make


@pytest.fixture
def shared_data_dir():
    """The shared copy of Keras's IMDB files, or skip."""
    if not (SHARED_DATA / "imdb.npz").exists():
        pytest.skip("../shared/data is not present")
    return SHARED_DATA


def table_with(at, *columns):
    """The AppTest page's table that has these columns (each chart's own data table is a dataframe too)."""
    return next(d.value for d in at.dataframe if set(columns) <= set(d.value.columns))
