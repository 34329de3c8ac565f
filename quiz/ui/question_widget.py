"""Render one question and its feedback. Shared by self-paced quizzes and live sessions.

Only radios and buttons inside a form: works with the keyboard alone and on a phone, no dragging,
and a whole answer costs one rerun (the form submit), not one per click.
"""

from __future__ import annotations

import html

import streamlit as st

from quiz.questions.base import Answer, Grade, Question

TXT = {
    "submit": "Svar",
    "pick": "Vælg et svar, før du svarer.",
    "pick_all": "Placér alle udsagn, før du svarer.",
    "right": "Rigtigt!",
    "partly": "Delvist rigtigt: {pct} % af placeringerne er rigtige.",
    "wrong": "Ikke rigtigt.",
    "answer_was": "Rigtigt svar: {answer}",
    "statement": "Udsagn",
}


def quote(text: str) -> str:
    """A statement as a block quote, with user-facing text escaped for Markdown."""
    return "> " + escape_md(text).replace("\n", "\n> ")


def escape_md(text: str) -> str:
    """Escape text so Markdown and HTML in it are shown, never interpreted."""
    text = html.escape(text, quote=False)
    for ch in "\\`*_{}[]()#+!|~>":
        text = text.replace(ch, "\\" + ch)
    return text


def render_question(question: Question, *, key: str, disabled: bool = False) -> Answer | None:
    """Show ``question`` with a form; return the answer when the person submits a complete one."""
    st.markdown(f"#### {escape_md(question.prompt)}")
    labels = {o.key: o.label for o in question.options}
    keys = list(labels)
    with st.form(key=f"form-{key}", border=False):
        if question.kind == "choice":
            for item in question.items:
                st.markdown(quote(item.text))
            choice = st.radio(
                TXT["submit"],
                keys,
                index=None,
                format_func=labels.__getitem__,
                key=f"choice-{key}",
                label_visibility="collapsed",
                disabled=disabled,
            )
        else:
            picks = []
            for i, item in enumerate(question.items):
                st.markdown(quote(item.text))
                picks.append(
                    st.radio(
                        f"{TXT['statement']} {i + 1}",
                        keys,
                        index=None,
                        format_func=labels.__getitem__,
                        key=f"assign-{key}-{i}",
                        horizontal=len(keys) <= 5,
                        disabled=disabled,
                    )
                )
        submitted = st.form_submit_button(TXT["submit"], type="primary", disabled=disabled, key=f"submit-{key}")
    if not submitted:
        return None
    if question.kind == "choice":
        if choice is None:
            st.warning(TXT["pick"])
            return None
        return choice
    if any(p is None for p in picks):
        st.warning(TXT["pick_all"])
        return None
    return list(picks)


def render_feedback(grade: Grade) -> None:
    """Immediate feedback: right or wrong, the right answer, and the explanation that places it."""
    if grade.correct:
        st.success(TXT["right"], icon=":material/check_circle:")
    elif grade.score > 0:
        st.warning(TXT["partly"].format(pct=round(grade.score * 100)), icon=":material/rule:")
        st.markdown(TXT["answer_was"].format(answer=escape_md(grade.right_answer)))
    else:
        st.error(TXT["wrong"], icon=":material/cancel:")
        st.markdown(TXT["answer_was"].format(answer=escape_md(grade.right_answer)))
    st.info(grade.explanation)
