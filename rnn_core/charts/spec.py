"""Charts that redraw quickly: an Altair chart's structure is built once, each redraw only pours new data into it.

Building and validating an Altair chart takes ~50 ms; a slider that redraws four
charts would feel slow. So a chart is split into a *template* (an Altair chart on
named data sets, turned into a Vega-Lite dict once per language and size) and the
data frames that fill it on every rerun (a page draws it with `ui.charts.chart`).
"""
import copy
import functools

import altair as alt


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
