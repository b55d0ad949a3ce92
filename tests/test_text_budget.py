"""Text diet (issue 16): each page's student text is at most about a third of what it was when the issue was filed.

The baseline counts (tests/text_budget_baseline.json) were made by scripts/text_budget.py --write from the locale
files at the commit named in the file; the test counts the working tree with the same script's rules.
"""
import json
from pathlib import Path

import pytest

from scripts import text_budget

LIMIT = 0.40   # about a third; the counts hold every variant a text has (a verdict's three wordings, each option's
#               feedback), of which a page shows one, and the memory and training pages' seed-by-seed claims (issue 15)
BASELINE = json.loads((Path(__file__).parent / "text_budget_baseline.json").read_text())
NOW = text_budget.counts()
PAGES = [(lang, page) for lang, pages in BASELINE["counts"].items() for page in pages
         if page not in text_budget.NOT_PAGES]


@pytest.mark.parametrize(("lang", "page"), PAGES)
def test_page_text_is_at_most_a_third(lang, page):
    before, now = BASELINE["counts"][lang][page], NOW[lang].get(page, 0)
    at = BASELINE["commit"]
    assert now <= LIMIT * before, f"{lang}/{page}: {now} characters, {now / before:.2f} of {before} at {at}"


def test_visible_leaves_out_markup_math_and_fields():
    """The counting rule, on a text whose visible characters are known by hand."""
    assert text_budget.visible("**Bold** $W_1$ and `code` {n} [link](http://x)  <!-- note -->") == "Bold and code link"
