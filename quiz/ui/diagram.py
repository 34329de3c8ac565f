"""The four perspectives as a 2×2 diagram, in the pack's colours (recognisable at a glance)."""

from __future__ import annotations

import html

from quiz.content import Pack
from quiz.i18n import t

TEXT = "#1b2a38"  # the theme's text colour: at least 11:1 on every tile's light tint


def tint(color: str, share: float = 0.14) -> str:
    """``color`` mixed into white (``share`` of the colour): a light background for dark text."""
    r, g, b = (int(color.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4))
    mix = [round(255 - (255 - c) * share) for c in (r, g, b)]
    return "#" + "".join(f"{c:02x}" for c in mix)


def perspectives_html(pack: Pack, *, highlight: str | None = None) -> str:
    """A responsive 2×2 list: each tile shows the Danish name, the model's name and a short explanation.

    Dark text on a light tint of the perspective's colour, with the colour itself as a thick edge:
    white text on the pack's orange and green failed contrast (3.87:1, 4.42:1).
    """
    tiles = []
    for p in pack.manifest.perspectives:
        ring = f"outline: 4px solid {TEXT};" if p.key == highlight else ""
        tiles.append(
            f'<li class="dns-tile" style="background:{tint(p.color)};border-left:8px solid {p.color};{ring}">'
            f'<div class="dns-da">{html.escape(p.danish_name)}</div>'
            f'<div class="dns-en">{html.escape(p.name)}</div>'
            f'<div class="dns-ex">{html.escape(p.explanation)}</div></li>'
        )
    return (
        "<style>"
        ".dns-grid{display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:10px;margin:8px 0 16px;"
        "padding:0 !important;list-style:none}"
        f".dns-tile{{color:{TEXT};border-radius:12px;padding:12px 14px;min-height:110px}}"
        ".dns-da{font-weight:700;font-size:1.05rem;line-height:1.25}"
        ".dns-en{font-size:.85rem;text-transform:uppercase;letter-spacing:.06em;margin:2px 0 6px}"
        ".dns-ex{font-size:.9rem;line-height:1.35}"
        "@media (max-width:520px){.dns-grid{grid-template-columns:1fr}.dns-tile{min-height:0}}"
        "</style>"
        f'<ul class="dns-grid" aria-label="{html.escape(t("diagram.label"))}">{"".join(tiles)}</ul>'
    )


def perspective_badge(pack: Pack, key: str) -> str:
    """A small coloured label for one perspective, e.g. in feedback and tables."""
    p = pack.perspectives[key]
    return (
        f'<span style="background:{tint(p.color)};color:{TEXT};border:1px solid {p.color};border-radius:6px;'
        f'padding:1px 8px;font-size:.85rem">{html.escape(p.danish_name)}</span>'
    )
