"""Per-language texts: short labels in locales/<lang>/<page>.toml, long ones in locales/<lang>/<page>/<name>.md."""
import functools
import tomllib
from pathlib import Path

from rnn_core.charts import theme

LANGS = ("ko", "en")
NAMES = {"ko": "한국어", "en": "English"}    # each language in its own words (the sidebar switch)
DEFAULT_LANG = "en"
LOCALES = Path(__file__).resolve().parent.parent / "locales"


def lang_from_locale(locale):
    """The app language for a browser locale such as 'ko-KR' (English unless Korean)."""
    return "ko" if (locale or "").lower().startswith("ko") else DEFAULT_LANG


def _flatten(d, prefix=""):
    out = {}
    for k, v in d.items():
        if isinstance(v, dict):
            out.update(_flatten(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out


@functools.cache
def table(lang, page):
    """All short texts of one page in one language, as a flat dict ('a.b' for nested tables)."""
    path = LOCALES / lang / f"{page}.toml"
    with open(path, "rb") as f:
        return _flatten(tomllib.load(f))


@functools.cache
def markdown(lang, page, name):
    """One long explanation, as Markdown."""
    return (LOCALES / lang / page / f"{name}.md").read_text(encoding="utf-8")


class Texts:
    """The texts of one page in one language: texts('key', n=3) and texts.md('intro')."""

    def __init__(self, lang, page):
        self.lang, self.page = lang, page

    def __call__(self, key, /, **fmt):
        value = table(self.lang, self.page)[key]
        return value.format(**fmt) if fmt else value

    def get(self, key, default=None):
        return table(self.lang, self.page).get(key, default)

    def labels(self, *tables):
        """The texts of these tables of the page as {key: text}: a chart's labels, a formula's words (theme.labels)."""
        return theme.labels(table(self.lang, self.page), *tables)

    def md(self, name, **fmt):
        text = markdown(self.lang, self.page, name)
        return text.format(**fmt) if fmt else text
