"""Text checks over every locale file: the Korean texts use the one glossary's terms (locales/ko/glossary.toml) and
no English words but its allowed names; no raw LaTeX outside math; nothing asks a touch screen to hover; no server
path or script name in student text (those belong in the one "How this was measured" place)."""
import re
import tomllib

import pytest

from ui import i18n

GLOSSARY = i18n.LOCALES / "ko" / "glossary.toml"

# Texts that are not shown as prose: the glossary itself.
NOT_TEXT = {GLOSSARY}

# Where how a result was measured is told (scripts, files and timings belong here and nowhere else):
# (page, key) of a .toml text, or (page, name) of a .md file.
MEASURED = {("keras", "saved.made"), ("train_numpy", "saved.made")}


def _strings(value, key=""):
    """(key, text) of every string in a TOML table, nested keys joined by dots."""
    if isinstance(value, str):
        yield key, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(v, f"{key}.{k}" if key else k)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v, key)


def texts(lang):
    """(file, page, key, text) of every text of one language: each TOML string and each Markdown file."""
    base = i18n.LOCALES / lang
    out = []
    for path in sorted(base.rglob("*")):
        if path in NOT_TEXT or not path.is_file():
            continue
        rel = path.relative_to(base)
        if path.suffix == ".toml":
            with open(path, "rb") as f:
                out += [(rel.as_posix(), path.stem, k, v) for k, v in _strings(tomllib.load(f))]
        elif path.suffix == ".md":
            out.append((rel.as_posix(), rel.parts[0], path.stem, path.read_text(encoding="utf-8")))
    return out


_CODE = re.compile(r"```.*?```|`[^`\n]*`", re.S)
_MATH = re.compile(r"\$\$.*?\$\$|\$[^$\n]+\$", re.S)
_FIELD = re.compile(r"\{\{|\}\}|\{[\w.]*(?:![rsa])?(?::[^{}]*)?\}")
_QUOTE = re.compile(r"\"[^\"\n]*\"|“[^”\n]*”|'[^'\n]*'|‘[^’\n]*’")
_LINK = re.compile(r"\]\([^)]*\)|https?://\S+|:material/\w+:")


def prose(text, quotes=False):
    """The text a reader reads as prose: code, math, format fields, links (and, if asked, quotations) removed."""
    text = _CODE.sub(" ", text)
    text = _MATH.sub(" ", text)
    text = _FIELD.sub(" ", text)
    text = _LINK.sub(" ", text)
    return _QUOTE.sub(" ", text) if quotes else text


def glossary():
    with open(GLOSSARY, "rb") as f:
        return tomllib.load(f)


KO = texts("ko")
ALL = [(lang, *t) for lang in i18n.LANGS for t in texts(lang)]


def _where(file, key):
    return f"locales/.../{file} [{key}]"


def test_glossary_is_one_term_per_idea():
    terms = glossary()["terms"]
    seen = {}
    for idea, entry in terms.items():
        assert entry["term"] and entry["en"], idea
        for word in [entry["term"], *entry["variants"]]:
            assert word not in seen or word == entry["term"] and seen[word] == idea, f"{word}: {seen.get(word)}, {idea}"
            seen[word] = idea
        assert entry["term"] not in entry["variants"], idea


def test_korean_texts_use_the_glossary_terms():
    found = []
    for _, entry in glossary()["terms"].items():
        for variant in entry["variants"]:
            pattern = re.compile(rf"(?<![A-Za-z\uac00-\ud7a3]){re.escape(variant)}(?![A-Za-z])")
            for file, _, key, text in KO:
                if pattern.search(prose(text)):
                    found.append(f"{_where(file, key)}: {variant!r} -> {entry['term']!r}")
    assert not found, "\n".join(found)


def test_glossary_catches_a_variant():
    """The check above fails on a variant (a test that cannot fail is no test)."""
    variant = glossary()["terms"]["stop"]["variants"][0]
    assert re.search(re.escape(variant), prose(f"훈련을 {variant}했습니다."))


_WORD = re.compile(r"(?<![A-Za-z0-9_\\])[A-Za-z][A-Za-z'’-]*[A-Za-z](?![A-Za-z0-9_(])")
# Code a text names without backticks (a widget label or chart title cannot show them): dotted names, name=value,
# a call, a file name or extension, a URL parameter.
_CODE_LIKE = re.compile(r"[\w.]*\w\.\w[\w.]*|\w+=\S*|\w+\(|\.\w+\b|\?\w+=|\b\w+/\w+")
# English review texts the models read (examples and placeholders a learner may edit): English on purpose.
ENGLISH_ON_PURPOSE = {("try_review", "placeholder"), ("try_review", "examples.positive.text"),
                      ("try_review", "examples.negative.text"), ("try_review", "examples.negation.text"),
                      ("unrolling", "default_text"), ("sequences", "steps.default")}


def test_no_english_in_korean_texts():
    names = glossary()["names"]
    allowed = set(names["allowed"]) | set(names["code"])
    found = []
    for file, page, key, text in KO:
        if (page, key) in ENGLISH_ON_PURPOSE:
            continue
        text = prose(text, quotes=True)
        for gloss in names["glosses"]:
            text = text.replace(f"({gloss})", " ").replace(f", {gloss})", ")")
        words = sorted({w for w in _WORD.findall(_CODE_LIKE.sub(" ", text)) if w not in allowed})
        if words:
            found.append(f"{_where(file, key)}: {', '.join(words)}")
    assert not found, "\n".join(found)


_LATEX = re.compile(r"\\[A-Za-z]+|[_^]\{")


def _as_shown(text):
    """The text as .format shows it ({{ -> {), its own format fields left out, code and math removed."""
    text = text.replace("{{", "\0").replace("}}", "\1")
    return prose(text).replace("\0", "{").replace("\1", "}")


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_no_raw_latex_outside_math(lang):
    """Formulas render as math ($...$ in Markdown, st.latex for the `latex.` texts) or as plain Unicode (Hₜ₋₁)."""
    found = [f"{_where(file, key)}: {m.group()!r}" for ln, file, page, key, text in ALL if ln == lang
             and not key.startswith("latex.") for m in [_LATEX.search(_as_shown(text))] if m]
    assert not found, "\n".join(found)


_HOVER = re.compile(r"hover|mouse|마우스|커서를 올|커서를 대", re.I)


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_no_hover_on_touch_screens(lang):
    """Say "point at or tap" (가리키거나 탭하면): a phone has no hover."""
    found = [_where(file, key) for ln, file, page, key, text in ALL if ln == lang and _HOVER.search(text)]
    assert not found, "\n".join(found)


_SERVER = re.compile(r"[\w./-]*\w\.(?:py|sh|ipynb)\b|(?:^|[\s(`])(?:\.\.?/|/|~/)[\w.-]+/|\b(?:scripts|benchmarks|"
                     r"saved_runs|rnn_core|tests|artifacts)/|python -m|\bnice -n|\bstreamlit run")


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_no_server_paths_or_scripts_in_student_text(lang):
    found = [f"{_where(file, key)}: {m.group().strip()!r}" for ln, file, page, key, text in ALL if ln == lang
             and (page, key) not in MEASURED for m in [_SERVER.search(text)] if m]
    assert not found, "\n".join(found)
