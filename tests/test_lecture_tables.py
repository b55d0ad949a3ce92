"""Tables in lecture mode: st.dataframe draws on a canvas in Streamlit's fixed 14 px font, so lecture mode shows a
table as st.table, whose HTML the lecture CSS sizes like body text (ui.layout.show_table; the sizes themselves are
measured in Chromium by tests/browser/test_lecture_mode.py)."""
import ast
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ui import layout

ROOT = Path(__file__).resolve().parents[1]


def test_lecture_frame_formats_and_escapes():
    frame = pd.DataFrame({"word [a](b)": ["*not* good", None, "x_y"], "p": [0.12345678, 1.0, math.nan],
                          "reach": [8.2764e-1, 3e-10, math.nan], "kept": [True, False, True], "n": [1, 2, 3]})
    out = layout.lecture_frame(frame, {"p": "%.4f", "reach": "scientific"})
    assert list(out.columns) == [r"word \[a\]\(b\)", "p", "reach", "kept", "n"]          # headers: Markdown too
    assert list(out[r"word \[a\]\(b\)"]) == [r"\*not\* good", "", r"x\_y"]              # shown as typed
    assert list(out["p"]) == [r"0\.1235", r"1\.0000", ""]
    assert list(out["reach"]) == [r"8\.276E−1", r"3E−10", ""]          # as Intl's scientific, a minus sign
    assert list(out["kept"]) == ["✓", "✗", "✓"] and out["n"].tolist() == [1, 2, 3]        # numbers stay numbers


def test_lecture_frame_keeps_a_named_index_as_a_column():
    frame = pd.DataFrame({"loss": [0.7, 0.6]}, index=pd.Index([1, 2], name="epoch"))
    assert list(layout.lecture_frame(frame, {"loss": "%.4f"}).columns) == ["epoch", "loss"]
    assert list(layout.lecture_frame(frame, {}, hide_index=True).columns) == ["loss"]
    assert list(layout.lecture_frame(pd.DataFrame({"a": [1]}), {}).columns) == ["a"]      # 0, 1, ...: hidden


def test_pages_show_tables_one_way():
    """Pages and ui show a table of data with ui.layout.show_table only (st.table for a fixed text table aside):
    no st.dataframe of their own, which would keep 14 px text in lecture mode."""
    found = []
    for path in [*ROOT.glob("pages/*.py"), *ROOT.glob("ui/*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in ("dataframe", "data_editor"):
                found.append(f"{path.name}:{node.lineno}")
    assert found == [f"layout.py:{_line('st.dataframe(data')}"], found


def _line(text):
    lines = (ROOT / "ui" / "layout.py").read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if text in line)


@pytest.mark.parametrize("page, lang", [("pages/sequences.py", "en"), ("pages/pipeline.py", "ko"),
                                        ("pages/gradflow.py", "en"), ("pages/memory.py", "ko")])
def test_lecture_mode_shows_tables_as_html(make_app, page, lang):
    """In lecture mode every table a page shows is an st.table; a dataframe is left only for a chart's own data
    table longer than CHART_ROWS (collapsed under its chart). Out of lecture mode: dataframes, as before."""
    at = make_app(lang, answers="true", lecture="true")
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.table
    assert all(len(d.value) > layout.CHART_ROWS for d in at.dataframe), [len(d.value) for d in at.dataframe]
    at.session_state["lecture"] = False
    at.run()
    assert not at.exception and at.dataframe and not at.table


def test_long_page_table_scrolls_in_its_box(monkeypatch):
    """A table of more than LECTURE_VISIBLE rows is LECTURE_HEIGHT px high in lecture mode (it scrolls, under its
    header); a short one takes its content's height; past its row limit it stays a dataframe."""
    drawn = []
    monkeypatch.setattr(layout, "lecture_mode", lambda: True)
    monkeypatch.setattr(layout.st, "table", lambda data, **kw: drawn.append(("table", len(data), kw["height"])))
    monkeypatch.setattr(layout.st, "dataframe", lambda data, **kw: drawn.append(("dataframe", len(data), None)))
    for n in (3, 30):
        layout.show_table({"a": np.arange(n)})
    layout.show_table(pd.DataFrame({"a": np.arange(100)}), lecture_rows=layout.CHART_ROWS)
    assert drawn == [("table", 3, "content"), ("table", 30, layout.LECTURE_HEIGHT), ("dataframe", 100, None)]
