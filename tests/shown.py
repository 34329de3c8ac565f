"""What a page shows, read from AppTest the way a reader sees it."""

from __future__ import annotations

import html
import re

from streamlit.testing.v1 import AppTest

_FIGURE = re.compile(r'<dt>(.*?)</dt><dd class="hv-figure">(.*?)</dd>')


def figures(at: AppTest) -> dict[str, str]:
    """The key figures of the page's figure blocks (quiz.ui.charts.figures_html), label -> figure, in order."""
    found: dict[str, str] = {}
    for block in at.get("html"):
        if 'class="hv-figures"' in block.proto.body:
            found |= {html.unescape(k): html.unescape(v) for k, v in _FIGURE.findall(block.proto.body)}
    return found


def html_table(at: AppTest, heading: str) -> list[dict[str, str]]:
    """The rows of the table under ``heading`` drawn with quiz.ui.charts.table_html, as column -> text."""
    for block in at.get("html"):
        body = block.proto.body
        if f"<h2>{html.escape(heading)}</h2>" in body and 'class="hv-table"' in body:
            columns = [html.unescape(c) for c in re.findall(r'<th scope="col">(.*?)</th>', body)]
            rows = re.findall(r"<tr><th scope=\"row\">(.*?)</th>(.*?)</tr>", body)
            out = []
            for first, rest in rows:
                cells = [html.unescape(first), *map(html.unescape, re.findall(r"<td>(.*?)</td>", rest))]
                out.append(dict(zip(columns, cells, strict=True)))
            return out
    raise AssertionError(f"no table headed {heading!r}")
