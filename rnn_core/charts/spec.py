"""Charts that redraw quickly: an Altair chart's structure is built once, each redraw only pours new data into it.

Building and validating an Altair chart takes ~50 ms; a slider that redraws four
charts would feel slow. So a chart is split into a *template* (an Altair chart on
named data sets, turned into a Vega-Lite dict once per language and size) and the
data frames that fill it on every rerun (a page draws it with `ui.charts.chart`).
"""
import copy
import functools

import altair as alt
import numpy as np
import pandas as pd


def template(build):
    """Decorator: cache build(**hashable settings) -> Altair chart, as its Vega-Lite dict (names passed as a dict)."""
    @functools.lru_cache(maxsize=128)
    def cached(frozen):
        kwargs = {k: dict(v) if isinstance(v, tuple) and v and isinstance(v[0], tuple) else v for k, v in frozen}
        return build(**kwargs).to_dict()

    @functools.wraps(build)
    def wrapper(**kwargs):
        frozen = tuple(sorted((k, tuple(sorted(v.items())) if isinstance(v, dict) else v) for k, v in kwargs.items()))
        return cached(frozen)
    return wrapper


def fill(spec, **datasets):
    """A fresh copy of a template with its named data sets (data frames) filled in, ready to draw."""
    out = copy.deepcopy(spec)
    out["datasets"] = dict(datasets)
    return out


def named(name):
    """An Altair chart on the named data set `name` (filled in later by `fill`)."""
    return alt.Chart(alt.NamedData(name=name))


def _main(spec):
    """The part of a chart that carries its data: of its layers the last with a tooltip (frames, rules and markers
    have none), the first of a concatenation."""
    if spec.get("layer"):
        told = [part for part in spec["layer"] if "tooltip" in _main(part).get("encoding", {})]
        return _main((told or spec["layer"])[-1])
    for key in ("hconcat", "vconcat", "concat"):
        if spec.get(key):
            return _main(spec[key][0])
    return _main(spec["spec"]) if "facet" in spec and "spec" in spec else spec


def _rows(data, datasets):
    """A Vega-Lite data reference as a data frame (inline values or a named data set)."""
    if not isinstance(data, dict):
        return None
    rows = data.get("values", datasets.get(data.get("name")) if "name" in data else None)
    if rows is None:
        return None
    return rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(rows)


def _titles(spec):
    """field -> the title it is shown with (axes, legends, tooltips) in a chart's main part."""
    out = {}
    enc = _main(spec).get("encoding", {})
    for name in sorted(enc, key=lambda k: k not in ("x", "y")):           # axes first, then legends and tooltips
        channel = enc[name]
        for c in channel if isinstance(channel, list) else [channel]:
            if (isinstance(c, dict) and c.get("field") and isinstance(c.get("title"), str) and c["title"].strip()
                    and c["field"] not in out and c["title"] not in out.values()):      # one column per title
                out[c["field"]] = c["title"]
    return out


def data_table(spec, limit=1000):
    """The data a chart draws (its main part's data set, at most `limit` rows), columns named as the chart does."""
    datasets = spec.get("datasets", {})
    main = _main(spec)
    table = _rows(main.get("data"), datasets)
    if table is None:
        table = _rows(spec.get("data"), datasets)
    if table is None:
        return pd.DataFrame()
    titles = {}
    for field, name in _titles(spec).items():          # two fields with one title (a value and its label):
        if name not in titles.values():                # the first keeps the title, the other its field name
            titles[field] = name
    table = table.head(limit).rename(columns=titles)
    return table.loc[:, ~table.columns.duplicated()]          # a column named like another's title: keep one


def title(spec):
    """A chart's title text, wherever it sits."""
    for part in (spec, _main(spec), *spec.get("layer", []), *spec.get("hconcat", []), *spec.get("vconcat", [])):
        t = part.get("title") if isinstance(part, dict) else None
        t = t.get("text") if isinstance(t, dict) else t
        if t:
            return " ".join(t) if isinstance(t, list) else str(t)
    return ""


def describe(spec, words):
    """One sentence about a chart from its data: its title, how many points, the range of its main value.

    words: the sentence's templates (locales/<lang>/common.toml [chart]): "summary" with {title} {n} {what}
    {low} {high}, and "summary_empty" with {title}.
    """
    table = data_table(spec, limit=None)
    enc = _main(spec).get("encoding", {})
    names = _titles(spec)
    fields = [enc[c]["field"] for c in ("y", "x", "color", "theta")
              if isinstance(enc.get(c), dict) and "field" in enc[c]]
    for field in fields:
        column = names.get(field, field)
        if column in table and pd.api.types.is_numeric_dtype(table[column]) and len(table):
            values = table[column].to_numpy(dtype=float)
            values = values[np.isfinite(values)]
            if len(values):
                said = words["summary"].format(title=title(spec), n=len(table), what=column,
                                               low=f"{values.min():.3g}", high=f"{values.max():.3g}")
                return said.lstrip(": ")                                 # a chart without a title
    return words["summary_empty"].format(title=title(spec), n=len(table)).lstrip(": ")


def pct(x):
    """A share as a whole percentage: 0.8123 -> '81%'."""
    return f"{x:.0%}"


def num(x, digits=3):
    """A number to `digits` significant figures, written out from 0.001 to a million (0.81234567 -> '0.812',
    155034 -> '155,000'), in e-notation beyond (3.1e-05)."""
    x = float(x)
    if x == 0 or not np.isfinite(x):
        return f"{x:g}"
    if not 1e-3 <= abs(x) < 1e6:
        mantissa, exponent = f"{x:.{digits - 1}e}".split("e")
        return f"{mantissa.rstrip('0').rstrip('.')}e{int(exponent)}"
    rounded = float(f"{x:.{digits}g}")
    decimals = max(digits - 1 - int(np.floor(np.log10(abs(rounded)))), 0)
    text = f"{rounded:,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
