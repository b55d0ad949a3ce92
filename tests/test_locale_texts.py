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


def test_no_english_words_in_korean_formulas():
    """The words of a Korean formula (\\text{...}, \\mathrm{...}) are Korean or allowed names: "LSTM: gates" was not.
    The formulas the pages build in code are checked in tests/test_app.py."""
    names = glossary()["names"]
    allowed = set(names["allowed"]) | set(names["code"])
    found = []
    for file, _, key, text in KO:
        if key.startswith("latex.") or ".latex." in key:
            words = re.findall(r"\\(?:text|mathrm|operatorname)\{([^{}]*)\}", text)
            english = set(re.findall(r"[A-Za-z][A-Za-z0-9]+", " ".join(words))) - allowed
            found += [f"{_where(file, key)}: {sorted(english)}"] if english else []
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


def _unclosed_emphasis(text):
    """The `**`/`__` left as literal characters when the text is rendered by CommonMark (Streamlit's Markdown).

    A closing `**` right after punctuation and right before a letter does not close: "**{rate}**는" with rate =
    "10%" shows its asterisks. Format fields are filled with such a value, code and math are left out, and a
    question's prompt is checked as it is shown, wrapped in bold (ui/question.py)."""
    from markdown_it import MarkdownIt
    text = _MATH.sub("x", _CODE.sub("x", text))
    for value in ["10%", "(1)", "x"]:
        shown = re.sub(r"<[^>]+>", "", MarkdownIt("commonmark").render(_FIELD.sub(value, text)))
        if "**" in shown or "__" in shown:
            return value
    return None


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_bold_closes_for_any_value_of_its_fields(lang):
    found = [f"{_where(file, key)}: with {value!r}" for ln, file, page, key, text in ALL if ln == lang
             for value in [_unclosed_emphasis(f"**{text}**" if key.endswith(".prompt") else text)] if value]
    assert not found, "\n".join(found)


def test_the_emphasis_rule_catches_a_korean_particle_after_a_percentage():
    assert _unclosed_emphasis("**{same}**는 같음") == "10%"
    assert _unclosed_emphasis("**{same}는** 같음") is None


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


# Numbers a text may write out: 0, 1 and 2 (labels, bounds of tanh and sigmoid, the second round), and definitions
# and facts that no setting changes (with why), never a measured value or a setting of the app (those come from the
# code through a {field}). (page, key or .md name) -> reason.
LITERAL_NUMBERS = {
    ("common", "code.drop_special"): "Keras's IMDB file reserves indices 0, 1 and 2",
    ("pipeline", "review"): "the same reserved indices and the rank offset of the file format",
    ("pipeline", "quiz.why.low"): "4 bytes per float32",
    ("pipeline", "quiz.memory.why.low"): "4 bytes per float32",
    ("pipeline", "quiz.memory.why.low_tokens"): "4 bytes per float32",
    ("pipeline", "quiz.memory.why.high"): "4 bytes per float32",
    ("pipeline", "quiz.memory.why.right"): "4 bytes per float32",
    ("pipeline", "quiz.memory.opt.lt100mb"): "an option's bound (quiz.MEMORY_BINS)",
    ("pipeline", "quiz.memory.opt.lt1gb"): "an option's bound (quiz.MEMORY_BINS)",
    ("pipeline", "quiz.memory.opt.lt10gb"): "an option's bound (quiz.MEMORY_BINS)",
    ("pipeline", "quiz.memory.opt.lt100gb"): "an option's bound (quiz.MEMORY_BINS)",
    ("pipeline", "quiz.memory.opt.more"): "an option's bound (quiz.MEMORY_BINS)",
    ("keras", "status.diverged"): "ln 2 = 0.69, the loss of a coin toss",
    ("train_numpy", "status.diverged"): "ln 2 = 0.69, the loss of a coin toss",
    ("keras", "status.first_epoch"): "the first epoch",
    ("train_numpy", "status.first_epoch"): "the first epoch",
    ("train_numpy", "results.examples_caption"): "the decision threshold 0.5",
    ("try_review", "metric_help"): "the decision threshold 50 %",
    ("try_review", "chart_caption"): "the decision threshold 50 %",
    ("try_review", "status.h0"): "H_0 = 0, the chapter's start",
    ("unrolling", "time_chart.traj_title"): "the decision threshold 0.5",
    ("unrolling", "index_help"): "a one-hot vector's single 1",
    ("unrolling", "quiz.input_term.why.row"): "a one-hot vector's single 1",
    ("unrolling", "quiz.hw_shape.opt.one_nc"): "a shape with one row, a wrong option",
    ("memory", "padding"): "the cited paper's year",
    ("memory", "chart.chance"): "the band's level, 95 % (memory.chance_band: 1.96 standard errors)",
}
_NUMBER = re.compile(r"(?<![\w.^_])\d[\d,.]*(?!\w)")


def test_no_setting_or_measured_value_is_written_out_as_a_number():
    """A number in a text comes from the code through a {field}; LITERAL_NUMBERS lists the few that are facts."""
    found = []
    for lang, file, page, key, text in ALL:
        if key.startswith("latex.") or ".latex." in key or page in ("self_check", "glossary") or \
                (page, key) in LITERAL_NUMBERS:
            continue
        numbers = [n for n in _NUMBER.findall(prose(text)) if n.rstrip(".,") not in ("0", "1", "2")]
        if numbers:
            found.append(f"{lang} {_where(file, key)}: {numbers}")
    assert not found, "\n".join(found)


def test_the_number_rule_catches_a_literal():
    assert _NUMBER.findall(prose("Try 10 epochs, or {n} ($W_1$), `SimpleRNN(32)`, 4,256.")) == ["10", "4,256."]
