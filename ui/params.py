"""Every URL query parameter the app reads, declared once per page and checked before any widget sees it.

Streamlit converts a bound widget's URL value itself, before the page's own range check: `?unrolling_cells=inf`
raised an OverflowError inside Streamlit. `clean()` runs at the top of the entry point; a value that is not one
the widget could show (non-finite, out of range, of the wrong type, empty, repeated, too long) is removed from
the URL, so the widget starts at its default, and the page says which parameter was ignored.
"""
import math
import re
from dataclasses import dataclass

import streamlit as st

from rnn_core.config import CHAPTER
from rnn_core.lessons.gradflow import INITIALISERS
from ui import i18n, state

MAX_KEYS = 40                     # more parameters than the app has in all: the rest are ignored
MAX_LENGTH = 100                  # any value but a typed text
_INT = re.compile(r"[+-]?[0-9]{1,9}")
_FLOAT = re.compile(r"[+-]?([0-9]{1,9}(\.[0-9]{0,9})?|\.[0-9]{1,9})")


@dataclass(frozen=True)
class Param:
    """What one URL parameter may hold: kind 'int', 'float', 'bool', 'choice' or 'text', with its bounds."""
    kind: str
    lo: float = 0
    hi: float = 0
    options: tuple = ()
    max_length: int = MAX_LENGTH

    def accepts(self, value):
        """True if `value` (one URL string) is a value the widget can show."""
        if not value or len(value) > self.max_length:
            return False
        if self.kind == "bool":
            return value.lower() in ("true", "false")
        if self.kind == "choice":
            return value in self.options
        if self.kind == "text":
            return all(c.isprintable() or c in "\n\t" for c in value)
        if not (_INT if self.kind == "int" else _FLOAT).fullmatch(value):
            return False
        number = float(value)
        return math.isfinite(number) and self.lo <= number <= self.hi


def integer(lo, hi):
    """A whole number from lo to hi."""
    return Param("int", lo, hi)


def number(lo, hi):
    """A decimal number from lo to hi."""
    return Param("float", lo, hi)


def flag():
    """true or false."""
    return Param("bool")


def choice(*options):
    """One of the options (as the URL spells them)."""
    return Param("choice", options=tuple(options))


def text(max_length):
    """A typed text of at most max_length characters (never rendered as HTML)."""
    return Param("text", max_length=max_length)


def name():
    """A short name from a list the page makes (a run's name): the widget itself checks that it is listed."""
    return Param("text", max_length=MAX_LENGTH)


# Each page's parameters, the widget bounds as the pages declare them (tests/test_params.py checks both agree)
PAGES = {
    "common": {"lang": choice(*i18n.LANGS), "lecture": flag(), "answers": flag(),
               "room": name(), "me": name(), "host": name()},      # the class room's: ui/classroom.py checks them
    # the URL holds the model's label (pages/keras.py model_name)
    "keras": {"keras_model": choice(*(i18n.table(lang, "keras")[f"model.{kind}"].format(units=spec.units)
                                      for lang in i18n.LANGS for kind, spec in CHAPTER.keras.items()))},
    "gradflow": {"gradflow_radius": number(0.5, 2.0), "gradflow_init": choice(*INITIALISERS),
                 "gradflow_input": number(0.0, 3.0), "gradflow_steps": integer(10, 200)},
    "unrolling": {"unrolling_pick": choice(*(text for lang in i18n.LANGS                # the URL holds the label
                                             for key, text in i18n.table(lang, "unrolling").items()
                                             if key.startswith("picks."))),
                  "unrolling_trained": flag(), "unrolling_run": name(), "unrolling_pad": flag(),
                  "unrolling_batch": integer(2, 16), "unrolling_cells": integer(2, 64),
                  "unrolling_seed": integer(0, 9999), "unrolling_text": text(1000),
                  "unrolling_review": integer(0, CHAPTER.n_val - 1), "unrolling_step": integer(1, CHAPTER.maxlen)},
}
PARAMS = {key: param for page in PAGES.values() for key, param in page.items()}


def check(query):
    """The keys of `query` (key -> list of URL strings) whose values no widget may see: unknown keys are left
    alone (no widget reads them) unless they are too many or too long."""
    bad = []
    for i, (key, values) in enumerate(query.items()):
        param = PARAMS.get(key)
        if param is None:
            if i >= MAX_KEYS or len(key) > MAX_LENGTH or sum(map(len, values)) > MAX_LENGTH:
                bad.append(key)
        elif len(values) != 1 or not param.accepts(values[0]):
            bad.append(key)
    return bad


def clean():
    """Remove from the URL every parameter whose value is not one its widget can show; remember a note.

    Bound widgets seed themselves from the URL as it came (Streamlit's QueryParams._initial_query_params, Streamlit
    1.67) and st.query_params refuses to delete a bound key, so both are cleaned on Streamlit's own object."""
    from streamlit.runtime.state.session_state_proxy import get_session_state
    with get_session_state().query_params() as qp:
        initial = qp._initial_query_params
        query = {key: qp.get_all(key) for key in qp} | {k: list(v) for k, v in initial.items()}
        bad = check(query)
        for key in bad:
            qp.remove_param(key)              # the URL the browser shows, without the key
            initial.pop(key, None)            # what the widget would be seeded from
    if bad:      # only declared names are repeated to the user: an unknown one is the URL's own text
        st.session_state[state.PARAMS_IGNORED] = [key for key in bad if key in PARAMS] or ["?"]


def note():
    """Say once, in the user's language, which URL parameters were ignored (call after the language is known)."""
    ignored = st.session_state.pop(state.PARAMS_IGNORED, None)
    if ignored:
        from ui.texts import texts
        st.toast(texts("common")("guard.params_ignored", keys=", ".join(ignored)), icon=":material/link_off:")


def once_per_run(what):
    """True the first time it is asked about `what` in this script run (a note that several calls may want)."""
    shown = st.session_state.setdefault(state.SHOWN_THIS_RUN, set())
    if what in shown:
        return False
    shown.add(what)
    return True


def new_run():
    """Start a script run: nothing said yet."""
    st.session_state[state.SHOWN_THIS_RUN] = set()
