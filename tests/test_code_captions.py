"""Every piece of code a page shows (ui/code.show_code) has a caption saying what it does, in both languages, and the
caption names no module path."""
import ast
from pathlib import Path

import pytest

from ui import code, i18n

PAGES = sorted((Path(__file__).resolve().parent.parent / "pages").glob("*.py"))


def shown_code(page):
    """The objects the page passes to show_code, evaluated with the page's own imports."""
    tree = ast.parse(page.read_text(encoding="utf-8"))
    namespace = {}
    exec(compile(ast.Module([n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))], []),
                 str(page), "exec"), namespace)
    return [eval(ast.unparse(arg), namespace) for node in ast.walk(tree)
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "show_code" for arg in node.args]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_every_shown_code_has_a_caption_in_both_languages(page):
    for obj in shown_code(page):
        name, _ = code._source(obj)
        assert "rnn_core" not in name and "/" not in name, name
        for lang in i18n.LANGS:
            assert i18n.table(lang, "common").get(code.caption_key(name)), (lang, name)


def test_the_scan_finds_the_code():
    """The check above cannot pass by finding nothing: the pages show at least a few dozen pieces of code."""
    assert sum(len(shown_code(p)) for p in PAGES) >= 40
