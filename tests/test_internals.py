"""The Streamlit and asyncio internals the app leans on: each is touched in exactly one function, and is still
there, in the shape that function expects. When an upgrade changes one of them, this fails, naming which.

- ui.navigation.entry_point_only: streamlit.runtime.pages_manager.PagesManager.uses_pages_directory, and the name of
  the script runner's _mpa_v1 (looked for on the stack: is this run the legacy one?)
- ui.server.disable_nagle: asyncio.base_events._set_nodelay
- ui.params.clean: streamlit's QueryParams._initial_query_params (what bound widgets are seeded from)
- tests/conftest.py:scan_manifests_once (tests only): streamlit's component manifest scan, once per test process
The behaviour itself is tested elsewhere: tests/test_server.py (TCP_NODELAY on an accepted connection) and
tests/browser/test_direct_links.py (a direct link as the first request of a fresh server).
"""
import ast
import asyncio.base_events
import asyncio.selector_events
import inspect
import socket
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INTERNALS = {"uses_pages_directory": "ui/navigation.py:entry_point_only",
             "_set_nodelay": "ui/server.py:disable_nagle",
             "_initial_query_params": "ui/params.py:clean"}


def _touches(name):
    """Every place in the app (not tests) that reads or writes attribute `name`: file:function."""
    found = set()
    for path in ROOT.glob("*.py"):
        found |= _touches_in(path, name)
    for folder in ("ui", "rnn_core", "pages", "scripts", "benchmarks"):
        for path in (ROOT / folder).rglob("*.py"):
            found |= _touches_in(path, name)
    return found


def _touches_in(path, name):
    tree = ast.parse(path.read_text(), str(path))
    found = set()

    def walk(node, where):
        for child in ast.iter_child_nodes(node):
            inner = child.name if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) else where
            is_attr = isinstance(child, ast.Attribute) and child.attr == name
            is_getattr = (isinstance(child, ast.Constant) and child.value == name
                          and isinstance(node, ast.Call) and getattr(node.func, "id", "") in ("getattr", "setattr",
                                                                                               "hasattr"))
            if is_attr or is_getattr:
                found.add(f"{path.relative_to(ROOT)}:{where}")
            walk(child, inner)

    walk(tree, "<module>")
    return found


def test_each_internal_is_touched_in_exactly_one_function():
    for name, where in INTERNALS.items():
        assert _touches(name) == {where}, f"{name} is touched in {sorted(_touches(name))}, expected only {where}"


def test_streamlit_pages_manager_flag_is_still_there():
    from streamlit.commands import navigation
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.runtime.scriptrunner import script_runner
    from streamlit.runtime.scriptrunner_utils.script_run_context import ScriptRunContext

    assert "uses_pages_directory" in vars(PagesManager), "PagesManager.uses_pages_directory is gone"
    assert PagesManager.__annotations__.get("uses_pages_directory") in ("bool | None", bool | None), \
        "PagesManager.uses_pages_directory is no longer a class-level bool | None"
    # the flag still decides whether a run is the legacy one (the page file alone), and st.navigation still clears it
    runner = inspect.getsource(script_runner.ScriptRunner)
    assert "if PagesManager.uses_pages_directory:" in runner and "_mpa_v1(" in runner, \
        "the script runner no longer reads PagesManager.uses_pages_directory to pick the legacy mode"
    assert inspect.isfunction(getattr(script_runner, "_mpa_v1", None)), \
        "script_runner._mpa_v1 is gone: ui.navigation._legacy_run looks for it on the stack"
    assert "PagesManager.uses_pages_directory = False" in inspect.getsource(navigation.navigation), \
        "st.navigation no longer clears PagesManager.uses_pages_directory"
    # what entry_point_only uses to re-run the entry point inside the same script run
    assert callable(getattr(ScriptRunContext, "run_with_active_hash", None)), "ScriptRunContext.run_with_active_hash"
    assert isinstance(inspect.getattr_static(PagesManager, "main_script_hash", None), property), \
        "PagesManager.main_script_hash"


def test_asyncio_set_nodelay_is_still_there():
    rule = asyncio.base_events.__dict__.get("_set_nodelay")
    assert inspect.isfunction(rule), "asyncio.base_events._set_nodelay is gone"
    assert list(inspect.signature(rule).parameters) == ["sock"], "asyncio.base_events._set_nodelay(sock) changed"
    # transports look it up on the module at each new connection, so replacing the module attribute takes effect
    assert "base_events._set_nodelay(" in inspect.getsource(asyncio.selector_events), \
        "asyncio's selector transport no longer calls base_events._set_nodelay"
    # ui.server replaces it because of this test, which asyncio's own rule still has (python/cpython#148783)
    from ui import server
    own = server.disable_nagle()
    assert own is not None and "sock.proto == socket.IPPROTO_TCP" in inspect.getsource(own), \
        "asyncio's _set_nodelay no longer checks sock.proto: ui.server.disable_nagle may be unneeded now"
    assert hasattr(socket, "TCP_NODELAY")


def test_query_params_initial_values_are_still_there():
    from streamlit.runtime.state.query_params import QueryParams

    qp = QueryParams()
    assert isinstance(getattr(qp, "_initial_query_params", None), dict), "QueryParams._initial_query_params is gone"
    assert callable(getattr(qp, "remove_param", None)), "QueryParams.remove_param is gone"
    # bound widgets are still seeded from it
    source = inspect.getsource(QueryParams)
    assert "_initial_query_params" in source, "QueryParams no longer keeps the URL as it came"


def test_the_component_manifest_scan_is_still_where_the_tests_cache_it():
    """AppTest's first run looks the scan up by name in its module at call time: the cached one is what it calls."""
    from streamlit.components.v2 import component_manager, manifest_scanner
    from streamlit.testing.v1 import app_test
    assert hasattr(manifest_scanner.scan_component_manifests, "cache_info")      # tests/conftest.py cached it
    source = inspect.getsource(component_manager.BidiComponentManager.discover_and_register_components)
    assert "from streamlit.components.v2.manifest_scanner import" in source and "scan_component_manifests()" in source
    assert "discover_and_register_components" in inspect.getsource(app_test.AppTest._run)
