"""Charts of a class poll: the votes of each round per option, the right ones marked once revealed."""
import altair as alt
import pandas as pd

from rnn_core.charts.spec import pct
from rnn_core.charts.theme import BLUE, GREY, PINK, font_size, height, title


def votes_frame(labels, counts, correct=frozenset()):
    """One row per (round, option): votes and share of the round. labels: option -> text; counts: one Counter
    per round shown; correct: the right options (empty before the reveal)."""
    rows = []
    for rnd, c in enumerate(counts, start=1):
        n = sum(c.values())
        for option, label in labels.items():
            rows.append({"round": rnd, "option": label, "votes": int(c.get(option, 0)),
                         "share": c.get(option, 0) / n if n else 0.0, "right": option in correct})
    return pd.DataFrame(rows)


def rounds_chart(df, names, big=False):
    """Bars of the share of votes per option, one column per round (side by side); right options pink once known
    (named in a legend).

    names: translated 'share', 'round', 'option', 'right_answer' and 'other_answer' titles."""
    marks = [names["right_answer"], names["other_answer"]]
    df = df.assign(mark=[marks[0] if r else marks[1] for r in df["right"]])
    colour = (alt.Color("mark:N", title=None, sort=marks, scale=alt.Scale(domain=marks, range=[PINK, GREY]),
                        legend=alt.Legend(orient="top")) if df["right"].any() else alt.value(BLUE))
    bars = alt.Chart(df).mark_bar().encode(
        y=alt.Y("option:N", title=None, sort=list(dict.fromkeys(df["option"])),
                axis=alt.Axis(labelLimit=320 if big else 220)),
        x=alt.X("share:Q", title=names["share"], axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
        color=colour,
        tooltip=[alt.Tooltip("option:N", title=names["option"]), alt.Tooltip("votes:Q", title=names["votes"])])
    text = bars.mark_text(align="left", dx=4, fontSize=font_size(big)).encode(text="votes:Q", color=alt.value("black"))
    rounds = df["round"].nunique()
    return (bars + text).properties(width=(420 if big else 260) if rounds > 1 else 360 if big else 300,
                                    height=height(big) * 0.6).facet(
        column=alt.Column("round:O", title=names["round"])).properties(
        title=title(names["rounds_title"], big=big))


def scores_frame(distribution, total):
    """Self-check scores of a room: one row per score 0..total with how many students have it."""
    counts = {int(k.split("/")[0]): n for k, n in distribution.items() if k.endswith(f"/{total}")}
    return pd.DataFrame({"score": list(range(total + 1)), "students": [counts.get(s, 0) for s in range(total + 1)]})


def scores_chart(df, names, big=False):
    """How many students got each score."""
    return alt.Chart(df).mark_bar(color=BLUE).encode(
        x=alt.X("score:O", title=names["score"]), y=alt.Y("students:Q", title=names["students"],
                                                          axis=alt.Axis(tickMinStep=1))
    ).properties(height=height(big) * 0.6, title=title(names["scores_title"], big=big))


# --- text alternatives: one sentence per chart, from the chart's own inputs (ui.charts.chart finds f_summary)

def rounds_summary(df, names, big=False):
    """Each round's number of votes and its most chosen answer (and the right answers' share once revealed)."""
    said = []
    for rnd, rows in df.groupby("round"):
        n = int(rows.votes.sum())
        if not n:
            said.append(names["summary_round_none"].format(round=rnd))
            continue
        top = rows.loc[rows.votes.idxmax()]
        part = names["summary_round"].format(round=rnd, n=n, option=top.option, share=pct(top.share))
        if rows.right.any():
            part += " " + names["summary_right"].format(share=pct(rows.loc[rows.right, "votes"].sum() / n))
        said.append(part)
    return " ".join(said)


def scores_summary(df, names, big=False):
    """How many students, their mean score and the most common one."""
    n = int(df.students.sum())
    if not n:
        return names["summary_scores_none"]
    mean = float((df.score * df.students).sum() / n)
    return names["summary_scores"].format(n=n, mean=f"{mean:.1f}", total=int(df.score.max()),
                                          top=int(df.score[df.students.idxmax()]))
