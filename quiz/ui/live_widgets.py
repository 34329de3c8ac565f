"""Widgets the live-session pages share: join link and QR code, the question on a projector, bar charts."""

from __future__ import annotations

import html
import io
from urllib.parse import urlsplit

import altair as alt
import pandas as pd
import qrcode
import streamlit as st

from quiz.live import Distribution, answer_key
from quiz.questions.base import Answer, Question
from quiz.ui.question_widget import escape_md, quote

TXT = {
    "count": "Antal",
    "option": "Svar",
    "item": "Udsagn {n}",
    "your_answer": "Dit svar: {answer}",
}
RIGHT_COLOR, OTHER_COLOR, NEUTRAL_COLOR = "#2e7d32", "#b0bec5", "#00558c"


def base_url() -> str:
    """The app's address as the browser sees it (scheme, host and any base path), without a page."""
    url = st.context.url
    if url:
        parts = urlsplit(url)
        path = parts.path.rstrip("/")
        # st.context.url ends in the current page's url_path; the join link needs the app's root.
        for page in ("/facilitator", "/deltag"):
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


def show_question(question: Question, *, number: int, total: int) -> None:
    """The question as the room sees it on the projector: prompt, statements and options."""
    st.caption(f"Spørgsmål {number} af {total}")
    st.markdown(f"### {escape_md(question.prompt)}")
    for i, item in enumerate(question.items):
        prefix = f"**{i + 1}.** " if question.kind == "assign" else ""
        st.markdown(prefix + "\n" + quote(item.text) if prefix else quote(item.text))
    if question.kind == "choice":
        st.markdown("\n".join(f"- {escape_md(o.label)}" for o in question.options))


def answer_text(question: Question, answer: Answer) -> str:
    """An answer in words (escaped for Markdown)."""
    if isinstance(answer, str):
        return escape_md(question.option_label(answer))
    return "; ".join(f"{i + 1}: {escape_md(question.option_label(a))}" for i, a in enumerate(answer))


def prefill(question: Question, *, key: str, answer: Answer | None) -> None:
    """Select ``answer`` in render_question's radios (same keys), e.g. after a reload."""
    if answer is None:
        return
    if question.kind == "choice":
        st.session_state.setdefault(f"choice-{key}", answer)
    elif isinstance(answer, list):
        for i, pick in enumerate(answer):
            st.session_state.setdefault(f"assign-{key}-{i}", pick)


def distribution_chart(question: Question, dist: Distribution, *, revealed: bool) -> alt.Chart:
    """Horizontal bars of how many chose each option; after the reveal the right ones are green."""
    right = answer_key(question)
    rows = []
    if question.kind == "choice":
        accepted = set(question.accepted[0])
        for option in question.options:
            rows.append(
                {
                    "gruppe": "",
                    TXT["option"]: option.label,
                    TXT["count"]: dist.counts.get(option.key, 0),
                    "farve": (RIGHT_COLOR if option.key in accepted else OTHER_COLOR) if revealed else NEUTRAL_COLOR,
                }
            )
    else:
        for i, counts in enumerate(dist.per_item):
            accepted = set(question.accepted[i]) if i < len(question.accepted) else {right[i]}
            for option in question.options:
                rows.append(
                    {
                        "gruppe": TXT["item"].format(n=i + 1),
                        TXT["option"]: option.label,
                        TXT["count"]: counts.get(option.key, 0),
                        "farve": (RIGHT_COLOR if option.key in accepted else OTHER_COLOR)
                        if revealed
                        else NEUTRAL_COLOR,
                    }
                )
    frame = pd.DataFrame(rows)
    labels = [o.label for o in question.options]
    top = max([1, *frame[TXT["count"]].tolist()])
    chart = (
        alt.Chart(frame)
        .mark_bar(cornerRadiusEnd=4)
        .encode(
            x=alt.X(f"{TXT['count']}:Q", scale=alt.Scale(domain=[0, top]), axis=alt.Axis(tickMinStep=1)),
            y=alt.Y(f"{TXT['option']}:N", sort=labels, title=None, axis=alt.Axis(labelLimit=320)),
            color=alt.Color("farve:N", scale=None, legend=None),
            tooltip=[f"{TXT['option']}:N", f"{TXT['count']}:Q"],
        )
    )
    if question.kind == "assign":
        return chart.properties(height=28 * len(labels)).facet(row=alt.Row("gruppe:N", title=None))
    return chart.properties(height=44 * len(labels) + 20)
