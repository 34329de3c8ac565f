"""The four perspectives as a 2×2 diagram, in the pack's colours (recognisable at a glance)."""

from __future__ import annotations

import html

from quiz.content import Pack


def perspectives_html(pack: Pack, *, highlight: str | None = None) -> str:
    """A responsive 2×2 grid: each tile shows the Danish name, the model's name and a short explanation."""
    tiles = []
    for p in pack.manifest.perspectives:
        ring = "outline: 4px solid #1b2a38;" if p.key == highlight else ""
        tiles.append(
            f'<div class="dns-tile" style="background:{p.color};{ring}">'
            f'<div class="dns-da">{html.escape(p.danish_name)}</div>'
            f'<div class="dns-en">{html.escape(p.name)}</div>'
            f'<div class="dns-ex">{html.escape(p.explanation)}</div></div>'
        )
    return (
        "<style>"
        ".dns-grid{display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:10px;margin:8px 0 16px}"
        ".dns-tile{color:#fff;border-radius:12px;padding:14px 16px;min-height:120px}"
        ".dns-da{font-weight:700;font-size:1.05rem;line-height:1.25}"
        ".dns-en{opacity:.9;font-size:.85rem;text-transform:uppercase;letter-spacing:.06em;margin:2px 0 6px}"
        ".dns-ex{font-size:.9rem;line-height:1.35}"
        "@media (max-width:520px){.dns-grid{grid-template-columns:1fr}}"
        "</style>"
        f'<div class="dns-grid" role="list" aria-label="De fire perspektiver">{"".join(tiles)}</div>'
    )


def perspective_badge(pack: Pack, key: str) -> str:
    """A small coloured label for one perspective, e.g. in feedback and tables."""
    p = pack.perspectives[key]
    return (
        f'<span style="background:{p.color};color:#fff;border-radius:6px;padding:1px 8px;font-size:.85rem">'
        f"{html.escape(p.danish_name)}</span>"
    )
