"""Session keys are named in one module (ui/state.py): pages and ui never spell a session_state key themselves."""
import re
from pathlib import Path

import pytest

from ui import state

ROOT = Path(__file__).resolve().parents[1]
FILES = sorted(p for p in [*ROOT.glob("pages/*.py"), *ROOT.glob("ui/*.py"), ROOT / "streamlit_app.py"]
               if p.name != "state.py")
# a literal key read or written: ss["k"], session_state.get("k"), ss.pop("k"), setdefault("k"), ss.k, key="k" read back
SPELLED = re.compile(r"""(?:\b(?:ss|session_state)(?:\[|\.(?:get|pop|setdefault)\()\s*f?["'])"""
                     r"""|(?:\b(?:ss|session_state)\.(?!get\b|pop\b|setdefault\b|update\b|items\b|keys\b)[a-z_]+\b)""")


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_no_session_key_spelled_outside_ui_state(path):
    code = path.read_text(encoding="utf-8")
    found = [line.strip() for line in code.splitlines() if SPELLED.search(line)]
    assert found == [], found


def test_keys_are_distinct():
    names = {k: v for k, v in vars(state).items() if k.isupper() and isinstance(v, str)}
    assert len(set(names.values())) == len(names)
    assert state.question("ratio") != state.question_at("ratio") != state.question_locked("ratio")
