"""The source code behind what a page shows."""
import ast
import functools
import importlib.util
import inspect
import threading
from pathlib import Path

import streamlit as st

from ui.texts import texts

# One parse at a time in the process: CPython 3.11 counts the depth of the tree it builds in one counter for all
# threads, so two sessions' first runs parsing at once could fail with "SystemError: AST constructor recursion depth
# mismatch" (python/cpython#106905; seen here when a class opened pages on a fresh server). inspect parses too.
_parsing = threading.Lock()


@functools.cache
def _source(obj):
    """(qualified name, source) of a function or class; "module.name" is read from the module's file without
    importing it."""
    with _parsing:
        if not isinstance(obj, str):
            return obj.__qualname__, inspect.getsource(obj)
        module, name = obj.rsplit(".", 1)
        text = Path(importlib.util.find_spec(module).origin).read_text(encoding="utf-8")
        node = next(n for n in ast.parse(text).body if getattr(n, "name", None) == name)
        return name, ast.get_source_segment(text, node)


def caption_key(qualname):
    """The key of a code's caption in common.toml [code]: "Net.forpass" -> "code.Net_forpass"."""
    return "code." + qualname.replace(".", "_")


def show_code(*objects):
    """An expander with the real source of the rnn_core functions behind what the page shows, each captioned with
    what it does for the student (common.toml [code]) and its name, never its module path.

    An object may be given as "module.name" (e.g. for rnn_core.model.keras_models, which the server must not import).
    """
    t = texts("common")
    with st.expander(t("show_code"), icon=":material/code:"):
        for obj in objects:
            name, source = _source(obj)
            st.caption(f"{t(caption_key(name))} · `{name}`")
            st.code(source, language="python")
