"""Charts of mastery (Altair, which ships with Streamlit): bars per group and the perspective × role heat map."""

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


def heatmap(mastery: Mastery, pack: Pack) -> alt.Chart:
    """The perspective × role grid, darker where mastery is higher."""
    frame = pd.DataFrame(
        [
            {
                "perspektiv": pack.perspectives[p].danish_name,
                "rolle": pack.roles[r].name,
                "mestring": round(m * 100),
            }
            for (p, r), m in mastery.by_cell.items()
        ]
    )
    roles = [r.name for r in pack.manifest.roles]
    perspectives = [p.danish_name for p in pack.manifest.perspectives]
    base = alt.Chart(frame).encode(
        x=alt.X("rolle:N", sort=roles, title=None, axis=alt.Axis(labelAngle=-30, labelLimit=140)),
        y=alt.Y("perspektiv:N", sort=perspectives, title=None, axis=alt.Axis(labelLimit=260)),
    )
    cells = base.mark_rect(cornerRadius=3).encode(
        color=alt.Color("mestring:Q", scale=alt.Scale(domain=[0, 100], scheme="blues"), title="Mestring (%)"),
        tooltip=["perspektiv:N", "rolle:N", alt.Tooltip("mestring:Q", title="Mestring (%)")],
    )
    text = base.mark_text(fontSize=13).encode(
        text=alt.Text("mestring:Q", format="d"),
        color=alt.condition("datum.mestring > 55", alt.value("white"), alt.value("#1b2a38")),
    )
    return (cells + text).properties(height=230)
