"""Render one question and its feedback. Shared by self-paced quizzes and live sessions.

Radios for a single choice, one dropdown per statement for placing several, inside a form: works
with the keyboard alone and on a phone, no dragging, and a whole answer costs one rerun (the form
submit), not one per click.
"""

from __future__ import annotations

import html

import streamlit as st

from quiz.i18n import messages
from quiz.learning import explain
from quiz.questions.base import Answer, Grade, Question
from quiz.ui import a11y

TXT = messages("question")
# Question types whose prompt says each option is used once: a repeated pick is pointed out.
ONCE_EACH = frozenset({"match"})


def escape_md(text: str) -> str:
    """Escape text so Markdown and HTML in it are shown, never interpreted."""
    text = html.escape(text, quote=False)
    for ch in "\\`*_{}[]()#+!|~>:$":
        text = text.replace(ch, "\\" + ch)
    return text


def quote(text: str) -> str:
    """A statement in Danish quotation marks, bold, with its text escaped for Markdown.

    Bold text in the page's own colour rather than a grey block quote: the statement is the most
    important text on the screen, and Streamlit's block quote fails contrast (4.06:1).
    """
    return "**»" + escape_md(text).replace("\n", " ") + "«**"


def show_statements(question: Question) -> None:
    """The statements a choice question is about, each in a box of its own."""
    for item in question.items:
        with st.container(border=True):
            st.markdown(quote(item.text))


def render_question(question: Question, *, key: str, disabled: bool = False) -> Answer | None:
    """Show ``question`` with a form; return the answer when the person submits a complete one."""
    st.header(escape_md(question.prompt), anchor=False)
    labels = {o.key: o.label for o in question.options}
    keys = list(labels)
    with st.form(key=f"form-{key}", border=False, enter_to_submit=False):
        if question.kind == "choice":
            show_statements(question)
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
                picks.append(
                    st.selectbox(
                        TXT["statement"].format(n=i + 1, text=escape_md(item.text)),
                        keys,
                        index=None,
                        format_func=labels.__getitem__,
                        placeholder=TXT["placeholder"],
                        key=f"assign-{key}-{i}",
                        disabled=disabled,
                    )
                )
        submitted = st.form_submit_button(TXT["submit"], type="primary", disabled=disabled, key=f"submit-{key}")
    if not submitted:
        a11y.focus_once(f"question-{key}", a11y.FIRST_ANSWER)
        return None
    if question.kind == "choice":
        if choice is None:
            st.warning(TXT["pick"])
            return None
        return choice
    chosen = [p for p in picks if p is not None]
    if len(chosen) < len(picks):
        st.warning(TXT["pick_all"])
        return None
    twice = [labels[k] for k in dict.fromkeys(chosen) if chosen.count(k) > 1]
    if question.type in ONCE_EACH and twice:
        st.warning(TXT["once_each"].format(options=", ".join(f"»{o}«" for o in twice)))
        return None
    return chosen


def _bullets(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) <= 1:
        return escape_md(text)
    return "\n".join(f"- {escape_md(line)}" for line in lines)


def render_feedback(
    grade: Grade, question: Question | None = None, answer: Answer | None = None, *, pack=None, focus_key: str = ""
) -> None:
    """Immediate feedback: right or wrong, what the person answered, the right answer, and why.

    With ``question`` and ``answer`` each placed statement gets its own line (your answer, and the
    right one where it differs), so even a five-statement question stays readable on a phone.
    """
    # An assign question's answer: one option per statement.
    placed = answer if question is not None and question.kind == "assign" and isinstance(answer, list) else None
    if focus_key:  # a screen reader hears the verdict first; Tab goes on to what follows it
        a11y.focus_once(f"feedback-{focus_key}", a11y.FEEDBACK)
    reasons = [str(m) for m in explain.why(pack, question)] if pack is not None and question is not None else []
    if grade.correct:
        st.success(TXT["right"], icon=":material/check_circle:")
    elif grade.score > 0 and placed is not None and question is not None:
        right = sum(1 for pick, ok in zip(placed, question.accepted, strict=False) if pick in ok)
        st.warning(TXT["partly"].format(right=right, total=len(question.accepted)), icon=":material/rule:")
    else:
        st.error(TXT["wrong"], icon=":material/cancel:")

    if placed is not None and question is not None:
        for i, item in enumerate(question.items):
            pick = placed[i] if i < len(placed) else ""
            accepted = question.accepted[i]
            line = TXT["item_right" if pick in accepted else "item_wrong"].format(
                answer=escape_md(question.option_label(pick)),
                right=escape_md(question.option_label(accepted[0])),
            )
            st.markdown(f"{quote(item.text)}\n\n{line}")
        with st.expander(TXT["explanation"]):
            st.markdown(_bullets(grade.explanation))
        for reason in reasons:
            st.markdown(escape_md(reason))
        return

    if question is not None and isinstance(answer, str):
        st.markdown(TXT["your_answer"].format(answer=f"**{escape_md(question.option_label(answer))}**"))
    if not grade.correct:
        right_answer = _bullets(grade.right_answer)
        st.markdown(
            TXT["right_answer"].format(answer=right_answer if "\n" in right_answer else f"**{right_answer}**")
        )
    st.info(_bullets(grade.explanation))
    for reason in reasons:
        st.markdown(escape_md(reason))
