"""Mastery at a glance: labelled bars per group and the role × perspective grid, as HTML for ``st.html``.

HTML rather than Altair or a styled table: each is one element made of a string, where a chart or a
pandas Styler cost 10–30 ms of every run; a screen reader reads both as text.
"""

from __future__ import annotations

import functools
import html
from collections.abc import Sequence
from typing import TypeVar

from quiz.content import Pack
from quiz.hr import programme
from quiz.i18n import t
from quiz.learning.mastery import Mastery
from quiz.ui.fmt import thousands

PRIMARY = "#00558c"  # the theme's primary colour (.streamlit/config.toml)
K = TypeVar("K")  # what the groups are keyed by: a role, a perspective, a unit (or None)

BARS_CSS = (
    "<style>.mastery-bars{margin:.25rem 0 .75rem}.mastery-bar{margin:0 0 .8rem}"
    ".mastery-bar-label{font-size:.9rem;margin-bottom:.3rem}"
    ".mastery-bar-track{height:.5rem;background:#dfe6ec;border-radius:.25rem;overflow:hidden}"
    ".mastery-bar-fill{height:100%;border-radius:.25rem}</style>"
)


def bars_html(values: dict[K, float], labels: dict[K, str], colors: dict[K, str] | None = None) -> str:
    """One labelled bar per group (0–100 %, in the given order) as one HTML block for ``st.html``.

    Each bar is a ``progressbar`` with its label and value, so a screen reader reads it as text and
    a phone shows it at full width; one element instead of one ``st.progress`` per group.
    """
    out = []
    for key, value in values.items():
        shown = round(value * 100)
        label = html.escape(labels[key])
        color = (colors or {}).get(key, PRIMARY)
        out.append(
            f'<div class="mastery-bar" role="progressbar" aria-label="{label}" aria-valuemin="0" '
            f'aria-valuemax="100" aria-valuenow="{shown}"><div class="mastery-bar-label">{label}: {shown} %</div>'
            f'<div class="mastery-bar-track"><div class="mastery-bar-fill" '
            f'style="width:{shown}%;background:{html.escape(color)}"></div></div></div>'
        )
    return f'{BARS_CSS}<div class="mastery-bars">{"".join(out)}</div>'


# Streamlit's st.metric sizes: the label small, the figure large; the explanation in the caption colour.
FIGURES_CSS = (
    "<style>.hv-figures{display:flex;flex-wrap:wrap;gap:.75rem 2rem;margin:0 0 1rem !important;padding:0 !important}"
    ".hv-figures>div{flex:1 1 9rem;min-width:0}"
    ".hv-figures dt{font-size:.875rem;line-height:1.4;margin:0 0 .2rem;font-weight:400}"
    ".hv-figures dd{margin:0}.hv-figures .hv-figure{font-size:2.25rem;line-height:1.2}"
    ".hv-figures .hv-figure-help{font-size:.8rem;line-height:1.35;color:#3d4a57;margin-top:.3rem}</style>"
)


def figures_html(figures: Sequence[tuple[str, object, str | None]]) -> str:
    """Key figures side by side, (label, value, explanation or None), as one HTML block for ``st.html``.

    One element where ``st.metric`` in a horizontal container made one per figure and one more. A
    description list: a screen reader reads each label with its figure. The explanation is shown
    under its figure, where ``st.metric``'s help was a tooltip seen only on hover or focus. Wraps to
    fewer per row on a phone.
    """
    items = []
    for label, value, explanation in figures:
        more = f'<dd class="hv-figure-help">{html.escape(explanation)}</dd>' if explanation else ""
        items.append(
            f'<div><dt>{html.escape(label)}</dt><dd class="hv-figure">{html.escape(str(value))}</dd>{more}</div>'
        )
    return f'{FIGURES_CSS}<dl class="hv-figures">{"".join(items)}</dl>'


# A small table of sums: horizontal rules only, numbers to the right (the mastery grid's look).
TABLE_CSS = (
    "<style>.hv-table{border-collapse:collapse;width:100%;margin:.25rem 0 1rem;font-size:.875rem}"
    ".hv-table th,.hv-table td{padding:.45rem .6rem;border-bottom:1px solid #dfe6ec;text-align:left}"
    ".hv-table thead th{font-weight:600}.hv-table tbody th{font-weight:400}"
    ".hv-table td{text-align:right;font-variant-numeric:tabular-nums}"
    ".hv-table-scroll{overflow-x:auto}</style>"
)


def table_html(heading: str, rows: list[dict[str, object]]) -> str:
    """A heading and a few rows of sums (the first column names the row) as one block for ``st.html``.

    For a handful of rows, where ``st.dataframe`` (a canvas grid, read cell by cell by a screen
    reader) cost two elements with its heading and ~0.5 ms of every run: a plain table with row
    and column headers. It scrolls inside itself on a narrow phone instead of the page.
    """
    esc = html.escape
    columns = list(rows[0]) if rows else []
    head = "".join(f'<th scope="col">{esc(str(c))}</th>' for c in columns)
    body = "".join(
        f'<tr><th scope="row">{esc(str(row[columns[0]]))}</th>'
        + "".join(f"<td>{esc(str(row[c]))}</td>" for c in columns[1:])
        + "</tr>"
        for row in rows
    )
    return (
        # A region that scrolls must be reachable by keyboard (axe scrollable-region-focusable).
        f'{TABLE_CSS}<h2>{esc(heading)}</h2><div class="hv-table-scroll" tabindex="0" role="region" '
        f'aria-label="{esc(heading)}"><table class="hv-table">'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )


def status_figures(counts: dict[str, int]) -> list[tuple[str, str, None]]:
    """The onboarding programme's four counts (not started, under way, done, overdue) as figures."""
    return [
        (programme.status_name(status).capitalize(), thousands(counts[status]), None) for status in programme.STATUSES
    ]


def _luminance(rgb: tuple[float, float, float]) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    """The WCAG contrast ratio of two sRGB colours."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


_WHITE, _DARK, _BLUE = (255, 255, 255), (0x1B, 0x2A, 0x38), (0x00, 0x55, 0x8C)


@functools.cache  # 101 possible values, asked for on every run of the progress and HR pages
def cell_colors(value: float) -> tuple[tuple[float, float, float], tuple[int, int, int]]:
    """The background (the theme's blue over white, stronger where higher) and the clearer text colour."""
    strength = 0.08 + 0.85 * value / 100
    red, green, blue = (255 - (255 - c) * strength for c in _BLUE)
    background = (red, green, blue)
    text = _WHITE if contrast(background, _WHITE) > contrast(background, _DARK) else _DARK
    return background, text


def _cell_style(value: object) -> str:
    if not isinstance(value, int | float):
        return ""
    background, text = cell_colors(value)
    bg = "#" + "".join(f"{round(c):02x}" for c in background)
    fg = "#" + "".join(f"{c:02x}" for c in text)
    return f"background-color: {bg}; color: {fg}; text-align: center"


def grid_label(perspective) -> str:
    """A column header short enough for four columns on a phone: the model name's first letter."""
    return perspective.name[:1]


def grid_legend(pack: Pack) -> str:
    return " · ".join(f"**{grid_label(p)}** = {p.name} ({p.danish_name})" for p in pack.manifest.perspectives)


def grid_legend_html(pack: Pack) -> str:
    """:func:`grid_legend` as HTML, to go in the same ``st.html`` block as the grid."""
    esc = html.escape
    return " · ".join(
        f"<strong>{esc(grid_label(p))}</strong> = {esc(p.name)} ({esc(p.danish_name)})"
        for p in pack.manifest.perspectives
    )


SECTIONS_CSS = (
    "<style>.mastery-sections{display:flex;flex-wrap:wrap;gap:1rem}"
    ".mastery-sections>section{flex:1 1 18rem;min-width:0}"
    ".mastery-sections h2{font-size:1.75rem;font-weight:600;padding:1rem 0 .5rem;margin:0}</style>"
)


def side_by_side(sections: list[tuple[str, str]], *, css: bool = True) -> str:
    """Headed blocks of HTML (heading, body) side by side, below each other on a phone: one element
    for what ``st.columns`` with an ``st.header`` and an ``st.html`` in each made five of.

    ``css=False`` when the style is already in the same block (a second row of sections).
    """
    parts = "".join(f"<section><h2>{html.escape(head)}</h2>{body}</section>" for head, body in sections)
    return f'{SECTIONS_CSS if css else ""}<div class="mastery-sections">{parts}</div>'


# Horizontal rules only, like st.table(border="horizontal"); the colours are the theme's.
GRID_CSS = (
    "<style>.mastery-grid{border-collapse:collapse;width:100%;margin:.25rem 0 .5rem;font-size:.875rem}"
    ".mastery-grid th,.mastery-grid td{padding:.45rem .6rem;border-bottom:1px solid #dfe6ec}"
    ".mastery-grid thead th{text-align:center;font-weight:600}"
    ".mastery-grid thead th:first-child,.mastery-grid tbody th{text-align:left}"
    ".mastery-grid tbody th{font-weight:400}</style>"
)


def mastery_grid(mastery: Mastery, pack: Pack) -> str:
    """Roles down, perspectives across, mastery in % per cell, darker where higher, as an HTML table.

    A table rather than a chart: four short columns fit a phone, and a screen reader reads it (row
    and column headers are marked as such). Drawn with ``st.html``: one element made of a string,
    where a styled ``st.table`` cost 15–30 ms of every run in pandas' Styler.
    """
    esc = html.escape
    head = "".join(
        f'<th scope="col" title="{esc(p.name)} ({esc(p.danish_name)})">{esc(grid_label(p))}</th>'
        for p in pack.manifest.perspectives
    )
    body = []
    for role in pack.manifest.roles:
        cells = []
        for p in pack.manifest.perspectives:
            value = mastery.by_cell.get((p.key, role.key))
            if value is None:
                cells.append("<td></td>")
            else:
                shown = round(value * 100)
                cells.append(f'<td style="{_cell_style(shown)}">{shown}</td>')
        body.append(f'<tr><th scope="row">{esc(role.name)}</th>{"".join(cells)}</tr>')
    corner = f'<th scope="col">{esc(t("charts.role"))}</th>'
    return (
        f'{GRID_CSS}<table class="mastery-grid"><thead><tr>{corner}{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )
