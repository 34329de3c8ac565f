"""Widgets the live-session pages share: join link and QR code, the question on a projector, bar charts,
the timer, the word cloud and the podium."""

from __future__ import annotations

import dataclasses
import html
import io
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import pyarrow as pa
import qrcode
import streamlit as st

from quiz.i18n import messages
from quiz.live import Distribution, ParticipantResult, answer_key, discussion_prompt  # noqa: F401 - shared name
from quiz.live import answer_text as live_answer_text
from quiz.questions.base import Answer, Option, Question
from quiz.store.db import utcnow
from quiz.ui.question_widget import escape_md, quote

TXT = messages("live_widgets")
# Chart field names are data, not text a person reads (the axis titles are hidden).
F_OPTION, F_COUNT = "Svar", "Antal"
RIGHT_COLOR, OTHER_COLOR, NEUTRAL_COLOR = "#2e7d32", "#b0bec5", "#00558c"
TRACK, RIGHT_TRACK, TEXT_COLOR = "#eef1f4", "#c8e6c9", "#1b2a38"
LABEL_SIZE, BAR_STEP, ITEM_BAR_STEP, TITLE_SPACE = 16, 44, 34, 44
ITEM_BAR_STEP_COMPACT, COMPACT_LABEL_SIZE, COMPACT_TITLE_SPACE = 24, 14, 56
WORD_JOINER = "\u2060"
BAR_MARK = {"type": "bar", "cornerRadiusEnd": 4}


def base_url() -> str:
    """The app's address as the browser sees it (scheme, host and any base path), without a page."""
    url = st.context.url
    if url:
        parts = urlsplit(url)
        path = parts.path.rstrip("/")
        # st.context.url ends in the current page's url_path; the join link needs the app's root.
        for page in ("/facilitator", "/deltag", "/praesentation", "/styring", "/tidligere", "/live_plan"):
            if path.endswith(page):
                path = path[: -len(page)]
        return f"{parts.scheme}://{parts.netloc}{path}"
    host = st.context.headers.get("Host") if st.context.headers else None
    return f"http://{host}" if host else "http://localhost:8501"


def join_link(code: str) -> str:
    return f"{base_url()}/deltag?kode={code}"


@st.cache_data(show_spinner=False, max_entries=64)
def qr_png(text: str) -> bytes:
    """A QR code of ``text`` as PNG bytes (cached: the lobby redraws every few seconds)."""
    image = qrcode.make(text, box_size=10, border=2)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def big_code(code: str) -> None:
    """The join code, large enough to read from the back of a room."""
    # Only our own alphabet and the escaped link go into this HTML; never text a person typed.
    st.markdown(
        f'<div style="font-size:clamp(3rem,11vw,6.5rem);font-weight:800;letter-spacing:0.08em;white-space:nowrap;'
        f'font-family:monospace;text-align:center;line-height:1.1">{html.escape(code)}</div>',
        unsafe_allow_html=True,
    )


def letter(index: int) -> str:
    """A, B, C … for the options of a choice question, so the room can say which one."""
    return chr(ord("A") + index) if index < 26 else str(index + 1)


def plain(text: str) -> str:
    """A name or text a person typed, for Markdown: shown as typed, never bold, HTML or a link.

    :func:`escape_md` stops Markdown and HTML; an invisible word joiner before each dot, at-sign and
    colon stops the automatic links (»www.example.dk«, »a@b.dk«, »http://…«), which Markdown
    makes even of escaped text.
    """
    for ch in ".@:":
        text = text.replace(ch, WORD_JOINER + ch)
    return escape_md(text)


def lettered(question: Question) -> Question:
    """The question with its options labelled A, B, C … as on the projector, for the phones."""
    if question.kind != "choice":
        return question
    options = tuple(Option(o.key, f"{letter(i)}. {o.label}") for i, o in enumerate(question.options))
    return dataclasses.replace(question, options=options)


def show_question(question: Question) -> None:
    """The question as the room sees it on the projector: prompt, statements and lettered options."""
    # One Markdown element for all of it: each element costs the server a share of every rerun.
    parts = [f"## {escape_md(question.prompt)}"]
    if question.kind == "assign":
        # One line per statement (number and text together), so five statements fit on one screen.
        parts += [f"**{i + 1}.** {escape_md(item.text)}" for i, item in enumerate(question.items)]
    elif question.kind != "open":
        parts += [quote(item.text) for item in question.items]
        parts += [f"**{letter(i)}.** {escape_md(o.label)}" for i, o in enumerate(question.options)]
    st.markdown("\n\n".join(parts))


def answer_text(question: Question, answer: Answer) -> str:
    """An answer in words (escaped for Markdown)."""
    return escape_md(live_answer_text(question, answer))


def prefill(question: Question, *, key: str, answer: Answer | None) -> None:
    """Select ``answer`` in render_question's radios (same keys), e.g. after a reload."""
    if answer is None:
        return
    if question.kind == "choice":
        st.session_state.setdefault(f"choice-{key}", answer)
    elif isinstance(answer, list):
        for i, pick in enumerate(answer):
            st.session_state.setdefault(f"assign-{key}-{i}", pick)


def distribution_charts(question: Question, dist: Distribution, *, revealed: bool, compact: bool = False) -> list[dict]:
    """Horizontal bars of how many chose each option, readable from the back of the room (Vega-Lite specs).

    One chart for a choice question, whose options are labelled A, B, C … as on the screen; one per
    statement for an assign question, headed »Udsagn n« (separate charts rather than a facet, which
    would not shrink to the column). Every option has a lane (a pale track) with its count written
    after the bar, so an option nobody chose is still there; after the reveal the right ones are
    green, track included, and marked »rigtigt«. Draw each with ``st.vega_lite_chart(spec=…)``.
    """
    if question.kind == "choice":
        labels = [letter(i) for i in range(len(question.options))]
        return [_bars(question, labels, dist.counts, set(question.accepted[0]), revealed=revealed, step=BAR_STEP)]
    # After the reveal of a five-statement question, five charts and the answer must fit one screen.
    step = ITEM_BAR_STEP_COMPACT if compact else ITEM_BAR_STEP
    labels = [o.label for o in question.options]
    right = answer_key(question)
    return [
        _bars(
            question,
            labels,
            counts,
            set(question.accepted[i]) if i < len(question.accepted) else {right[i]},
            revealed=revealed,
            step=step,
            title=TXT["item"].format(n=i + 1),
        )
        for i, counts in enumerate(dist.per_item)
    ]


def _arrow(rows: list[dict]) -> bytes:
    """The chart's rows as Arrow IPC bytes, which Streamlit passes on as they are.

    Given a list of dicts, Streamlit goes through pandas first: 7 of the projector run's 19 ms.
    """
    table = pa.Table.from_pylist(rows)
    sink = pa.BufferOutputStream()
    with pa.RecordBatchStreamWriter(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def _bars(
    question: Question,
    labels: list[str],
    counts: dict[str, int],
    accepted: set[str],
    *,
    revealed: bool,
    step: int,
    title: str = "",
) -> dict:
    size = COMPACT_LABEL_SIZE if step == ITEM_BAR_STEP_COMPACT else LABEL_SIZE
    """One bar chart as a plain Vega-Lite spec.

    Written as a dict rather than built with Altair: Altair's objects and its schema validation took
    ~80 ms per chart (~500 ms for a five-statement question), on every update of the projector.
    """
    rows: list[dict[str, Any]] = []
    for label, option in zip(labels, question.options, strict=True):
        count = counts.get(option.key, 0)
        is_right = revealed and option.key in accepted
        rows.append(
            {
                F_OPTION: label,
                "tekst": option.label,
                F_COUNT: count,
                "farve": (RIGHT_COLOR if is_right else OTHER_COLOR) if revealed else NEUTRAL_COLOR,
                "spor": RIGHT_TRACK if is_right else TRACK,
                "tal": f"{count} · {TXT['right']}" if is_right else str(count),
            }
        )
    # Room to the right of the longest bar for its count.
    end = max([1, *(r[F_COUNT] for r in rows)]) * 1.3 + 0.5
    for row in rows:
        row["ende"] = end

    def x(field: str) -> dict:
        return {"field": field, "type": "quantitative", "scale": {"domain": [0, end]}, "axis": None}

    def color(field: str) -> dict:
        return {"field": field, "type": "nominal", "scale": None, "legend": None}

    spec: dict = {
        "datasets": {"bars": _arrow(rows)},
        "data": {"name": "bars"},
        "encoding": {
            "y": {
                "field": F_OPTION,
                "type": "nominal",
                "sort": labels,
                "title": None,
                "axis": {
                    "labelLimit": 0,
                    "labelOverlap": False,
                    "labelFontSize": size,
                    "labelColor": TEXT_COLOR,
                    "labelPadding": 8,
                    "ticks": False,
                },
            },
            "tooltip": [
                {"field": "tekst", "type": "nominal", "title": TXT["option"]},
                {"field": F_COUNT, "type": "quantitative", "title": TXT["count"]},
            ],
        },
        "layer": [
            {"mark": BAR_MARK, "encoding": {"x": x("ende"), "color": color("spor")}},
            {"mark": BAR_MARK, "encoding": {"x": x(F_COUNT), "color": color("farve")}},
            {
                "mark": {
                    "type": "text",
                    "align": "left",
                    "dx": 8,
                    "fontSize": size,
                    "fontWeight": "bold",
                    "color": TEXT_COLOR,
                },
                "encoding": {"x": x(F_COUNT), "text": {"field": "tal", "type": "nominal"}},
            },
        ],  # fmt: skip
        # Streamlit fits the whole chart, heading included, into ``height``.
        "height": step * len(labels)
        + ((COMPACT_TITLE_SPACE if size == COMPACT_LABEL_SIZE else TITLE_SPACE) if title else 10),
        # No »…« menu (save as SVG, open in editor): nothing a room needs.
        "usermeta": {"embedOptions": {"actions": False}},
    }
    if title:
        spec["title"] = {"text": title, "anchor": "start", "fontSize": size, "color": TEXT_COLOR}
    return spec


def timer_bar(deadline: datetime, total_seconds: int) -> None:
    """The time left on the open question: a bar that drains by itself (CSS, no reruns) and the end time.

    Only text and an animation a screen reader can ignore; the time is also given in words.
    """
    left = max(0.0, (deadline - utcnow()).total_seconds())
    st.html(
        "<style>@keyframes quiz-drain{from{width:100%}to{width:0%}}</style>"
        f'<div role="timer" aria-label="{html.escape(TXT["timer_aria"].format(seconds=round(left)))}" '
        f'style="font-size:1rem;font-weight:600;color:{TEXT_COLOR}">'
        f"{html.escape(TXT['timer'].format(seconds=total_seconds))}"
        f'<div style="height:0.6em;background:{TRACK};border-radius:4px;margin-top:0.2em">'
        f'<div style="height:100%;background:{NEUTRAL_COLOR};border-radius:4px;'
        f'animation:quiz-drain {total_seconds}s linear {-(total_seconds - left):.1f}s forwards"></div></div></div>'
    )


def word_cloud(words: list[tuple[str, int]]) -> None:
    """The room's words, the most frequent largest: escaped text only, no links."""
    if not words:
        st.caption(TXT["no_texts"])
        return
    top = words[0][1]
    spans = []
    for word, count in words:
        size = 1.1 + 2.4 * (count / top)
        spans.append(
            f'<span style="font-size:{size:.2f}rem;font-weight:{700 if count == top else 500};'
            f'margin:0 0.4em;overflow-wrap:anywhere;color:{NEUTRAL_COLOR if count == top else TEXT_COLOR}">'
            f"{html.escape(word)}</span>"
        )
    st.html(
        '<div style="display:flex;flex-wrap:wrap;justify-content:center;align-items:baseline;line-height:1.5">'
        f"{''.join(spans)}</div>"
    )


def text_list(texts: list[str]) -> None:
    """The room's texts as a list, newest first, escaped."""
    if not texts:
        st.caption(TXT["no_texts"])
        return
    items = "".join(f'<li style="margin:0.2em 0">{html.escape(t)}</li>' for t in reversed(texts))
    st.html(f'<ul style="font-size:1.25rem;line-height:1.4">{items}</ul>')


def podium(results: list[ParticipantResult]) -> None:
    """The three best, second–first–third as on a podium, with their points and places (a tie shares one)."""
    top = results[:3]
    if not top:
        return
    heights = {0: "9rem", 1: "6.5rem", 2: "5rem"}
    order = [i for i in (1, 0, 2) if i < len(top)]
    cells = []
    for i in order:
        r = top[i]
        place = r.place or i + 1  # a tie shares the place, and the height that goes with it
        colour = NEUTRAL_COLOR if place == 1 else OTHER_COLOR
        cells.append(
            '<div style="flex:1;text-align:center;max-width:14rem">'
            f'<div style="font-size:1.3rem;font-weight:700;overflow-wrap:anywhere">{html.escape(r.display_name)}</div>'
            f'<div style="font-size:1.05rem">{html.escape(TXT["points"].format(points=r.points or 0))}</div>'
            f'<div style="height:{heights[min(place, 3) - 1]};background:{colour};'
            "border-radius:6px 6px 0 0;color:white;font-size:2.2rem;font-weight:800;display:flex;"
            f'align-items:center;justify-content:center">{place}</div></div>'
        )
    st.html(
        f'<div role="list" aria-label="{html.escape(TXT["podium"])}" '
        f'style="display:flex;gap:1rem;align-items:flex-end;justify-content:center">{"".join(cells)}</div>'
    )
