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
    """The part of a chart that carries its data: the last layer (drawn on top), the first of a concatenation."""
    for key in ("layer", "hconcat", "vconcat", "concat"):
        if spec.get(key):
            return _main(spec[key][-1] if key == "layer" else spec[key][0])
    return spec["spec"] if "facet" in spec and "spec" in spec else spec


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
    for channel in enc.values():
        for c in channel if isinstance(channel, list) else [channel]:
            if isinstance(c, dict) and c.get("field") and isinstance(c.get("title"), str) and c["title"].strip():
                out.setdefault(c["field"], c["title"])
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
    return table.head(limit).rename(columns=_titles(spec))


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
                return words["summary"].format(title=title(spec), n=len(table), what=column,
                                               low=f"{values.min():.3g}", high=f"{values.max():.3g}")
    return words["summary_empty"].format(title=title(spec), n=len(table))
