"""Charts of mastery: bars per group (Altair, which ships with Streamlit) and the role × perspective grid."""

from __future__ import annotations

import altair as alt
import pandas as pd

from quiz.content import Pack
from quiz.mastery import Mastery


def bars(values: dict[str, float], labels: dict[str, str], colors: dict[str, str] | None = None) -> alt.Chart:
    """Horizontal bars 0–100 % in the given order."""
    frame = pd.DataFrame(
        [
            {"navn": labels[k], "mestring": round(v * 100), "farve": (colors or {}).get(k, "#00558c")}
            for k, v in values.items()
        ]
    )
    return (
        alt.Chart(frame)
        .mark_bar(cornerRadiusEnd=4)
        .encode(
            x=alt.X("mestring:Q", title="Mestring (%)", scale=alt.Scale(domain=[0, 100])),
            y=alt.Y("navn:N", title=None, sort=list(frame["navn"]), axis=alt.Axis(labelLimit=260, labelOverlap=False)),
            color=alt.Color("farve:N", scale=None, legend=None),
            tooltip=[alt.Tooltip("navn:N", title=""), alt.Tooltip("mestring:Q", title="Mestring (%)")],
        )
        .properties(height=40 * len(frame) + 30)
    )


def _cell_style(value: object) -> str:
    if not isinstance(value, int | float):
        return ""
    strength = 0.08 + 0.85 * value / 100
    text = "#ffffff" if value > 55 else "#1b2a38"
    return f"background-color: rgba(0, 85, 140, {strength:.2f}); color: {text}; text-align: center"


def grid_label(perspective) -> str:
    """A column header short enough for four columns on a phone: the model name's first letter."""
    return perspective.name[:1]


def grid_legend(pack: Pack) -> str:
    return " · ".join(f"**{grid_label(p)}** = {p.name} ({p.danish_name})" for p in pack.manifest.perspectives)


def mastery_grid(mastery: Mastery, pack: Pack):
    """Roles down, perspectives across, mastery in % per cell, darker where higher.

    A table rather than a chart: four short columns fit a phone, and a screen reader reads it.
    """
    rows = []
    for role in pack.manifest.roles:
        row = {"Rolle": role.name}
        for p in pack.manifest.perspectives:
            value = mastery.by_cell.get((p.key, role.key))
            row[grid_label(p)] = round(value * 100) if value is not None else None
        rows.append(row)
    frame = pd.DataFrame(rows).set_index("Rolle")
    return frame.style.map(_cell_style).format(lambda v: "" if pd.isna(v) else f"{v:d}", na_rep="")
