"""How much student text each page has: characters per page and language, now and at a git commit, and their ratio.

    python scripts/text_budget.py [--baseline 4dec702] [--write tests/text_budget_baseline.json]

A page's text is its locales/<lang>/<page>.toml (every string value; the keys are not counted) and its
locales/<lang>/<page>/*.md files. What is counted is what a student reads: code blocks, math ($...$, $$...$$ and the
`latex.` texts that st.latex renders), {format fields}, link targets, Markdown markup (* _ # > | ` and list dashes)
and HTML comments are left out; runs of white space count as one character. Chart titles and their what-to-look-at
lines (chart_text) are part of the picture and are counted apart (printed, not in the ratio). common.toml (shared
labels and error reasons) is not a page and is listed apart. --write stores the baseline's counts as JSON
(tests/test_text_budget.py compares the working tree with them).
"""
import argparse
import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCALES = "locales"
LANGS = ("en", "ko")
NOT_PAGES = {"common", "glossary"}

_DROP = re.compile(r"<!--.*?-->|```.*?```|\$\$.*?\$\$|\$[^$\n]+\$|\]\([^)]*\)|https?://\S+|:material/\w+:"
                   r"|\{\{|\}\}|\{[\w.]*(?:![rsa])?(?::[^{}]*)?\}", re.S)
_MARKUP = re.compile(r"^\s*(?:[-*+]|\d+\.|#+|>)\s+|[*_`#>|\[\]]", re.M)
_SPACE = re.compile(r"\s+")


def visible(text):
    """The characters a student reads in one text (math, code, fields and markup left out)."""
    return _SPACE.sub(" ", _MARKUP.sub(" ", _DROP.sub(" ", text))).strip()


def chart_text(key):
    """A chart's own title or its what-to-look-at line (`chart.acc_title`, `lengths.title`, `chart.acc_look`):
    part of the picture (issue 16 asks every chart for one), so counted apart from the page's prose."""
    last = key.rsplit(".", 1)[-1]
    return last.endswith(("_title", "_look")) or (last == "title" and "." in key)


def _strings(value, key="", charts=False):
    if isinstance(value, str):
        if not key.startswith("latex.") and ".latex." not in key and chart_text(key) == charts:
            yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(v, f"{key}.{k}" if key else k, charts)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v, key, charts)


def count(path, text, charts=False):
    """Visible characters of one locale file: its prose, or (charts=True) its chart titles."""
    if path.endswith(".toml"):
        return sum(len(visible(s)) for s in _strings(tomllib.loads(text), charts=charts))
    return 0 if charts else len(visible(text))


def _page(rel):
    """(lang, page) of a locale file path 'locales/<lang>/<page>.toml' or '.../<page>/<name>.md', else None."""
    parts = Path(rel).parts
    if len(parts) == 3 and parts[2].endswith(".toml"):
        return parts[1], parts[2][:-5]
    if len(parts) == 4 and parts[3].endswith(".md"):
        return parts[1], parts[2]
    return None


def _git(*args):
    return subprocess.run(["git", *args], cwd=ROOT, check=True, capture_output=True, text=True).stdout


def counts(commit=None, charts=False):
    """{lang: {page: characters}} at a commit (git show), or in the working tree when commit is None; prose, or
    (charts=True) chart titles."""
    if commit:
        files = _git("ls-tree", "-r", "--name-only", commit, LOCALES).split()
        read = lambda rel: _git("show", f"{commit}:{rel}")  # noqa: E731
    else:
        files = [p.relative_to(ROOT).as_posix() for p in sorted((ROOT / LOCALES).rglob("*")) if p.is_file()]
        read = lambda rel: (ROOT / rel).read_text(encoding="utf-8")  # noqa: E731
    out = {lang: {} for lang in LANGS}
    for rel in files:
        where = _page(rel)
        if where and where[0] in out and where[1] != "glossary":
            lang, page = where
            out[lang][page] = out[lang].get(page, 0) + count(rel, read(rel), charts)
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--baseline", default="4dec702", help="the git commit to compare with")
    ap.add_argument("--write", help="store the baseline's counts in this JSON file")
    args = ap.parse_args(argv)
    commit = _git("rev-parse", "--short", args.baseline).strip()
    before, now = counts(commit), counts()
    if args.write:
        Path(args.write).write_text(json.dumps({"commit": commit, "counts": before}, indent=1, sort_keys=True) + "\n")
    charts_before, charts_now = counts(commit, charts=True), counts(charts=True)
    print(f"{'page':<14}{'lang':<5}{commit:>9}{'now':>8}{'ratio':>7}   chart titles {commit} -> now")
    for lang in LANGS:
        for page in sorted(set(before[lang]) | set(now[lang])):
            b, n = before[lang].get(page), now[lang].get(page, 0)
            ratio = f"{n / b:.2f}" if b else "new"
            note = "  (not a page)" if page in NOT_PAGES else ""
            cb, cn = charts_before[lang].get(page, 0), charts_now[lang].get(page, 0)
            print(f"{page:<14}{lang:<5}{b if b is not None else '-':>9}{n:>8}{ratio:>7}   {cb:>5} -> {cn}{note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
