"""The results as CSV for Danish Excel: one row per participant and revealed question."""

from __future__ import annotations

import io
from typing import Any

import sqlite_utils

from quiz.hr.exports import spreadsheet_safe, write_csv
from quiz.i18n import t
from quiz.learning.timefmt import LOCAL
from quiz.questions.base import Answer, Question

from .answers import texts_of
from .models import DISCUSSION_KIND, OPEN_KIND, LiveError, answer_from_row
from .queries import get_session, participants


def answer_text(question: Question, answer: Answer) -> str:
    """An answer in words; for an assign question the picks in the order of its statements.

    The picks are not numbered: chain options carry their own number (»1. Direktion«), and
    »1: 1. Direktion« read as nonsense.
    """
    if isinstance(answer, str):
        return question.option_label(answer)
    return "; ".join(question.option_label(a) for a in answer)


# Column names are a file format other tools read: stable, not translated.
CSV_COLUMNS = (
    "kode",
    "spørgsmål_nr",
    "spørgsmål",
    "deltager",
    "logget_ind",
    "svar",
    "svaret_kl",
    "rigtigt",
    "score_procent",
    "point",
    "skjult",
    "drøftelse",
)


def _when(moment) -> str:
    return moment.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M:%S")


def results_rows(db: sqlite_utils.Database, session_id: int) -> list[dict[str, Any]]:
    """One row per participant and revealed question (one per text for an open question).

    A question whose discussion took the room's texts is followed by one row per text, its
    ``spørgsmål`` the discussion prompt and ``drøftelse`` »ja«: they answer question N's discussion.

    Numbers are whole (a score in percent), so Danish Excel, which reads »0.5« as a date or text,
    gets them right; the time is the participant's last change of the answer, in Danish time.
    """
    session = get_session(db, session_id)
    if session is None:
        raise LiveError("live.no_session")
    yes, no = t("live.csv_yes"), t("live.csv_no")
    people = participants(db, session_id)
    rows = []
    for index in range(session.revealed_count):
        question = session.questions[index]
        base = {"kode": session.code, "spørgsmål_nr": index + 1, "spørgsmål": question.prompt}
        if question.kind == OPEN_KIND:
            rows += _text_rows(db, session_id, base, texts_of(db, session_id, index), yes=yes, no=no)
            continue
        if index in session.discussions:
            # After the question's own rows: the room's answers to its discussion, saying so.
            discussion = {**base, "spørgsmål": session.discussions[index], "drøftelse": yes}
            later = _text_rows(
                db, session_id, discussion, texts_of(db, session_id, index, kind=DISCUSSION_KIND), yes=yes, no=no
            )
        else:
            later = []
        given = {
            row["participant_id"]: answer_from_row(row)
            for row in db["live_answers"].rows_where("session_id = ? AND question_index = ?", [session_id, index])
        }
        points = {
            pid: pts
            for pid, pts in db.execute(
                "SELECT participant_id, points FROM live_answers WHERE session_id = ? AND question_index = ?",
                [session_id, index],
            ).fetchall()
        }
        for person in people:
            found = given.get(person.id)
            rows.append(
                {
                    **base,
                    "deltager": spreadsheet_safe(person.display_name),
                    "logget_ind": yes if person.user_id is not None else no,
                    "svar": spreadsheet_safe(answer_text(question, found.answer)) if found else "",
                    "svaret_kl": _when(found.changed_at) if found else "",
                    "rigtigt": (yes if found.correct else no) if found else "",
                    "score_procent": round(100 * found.score) if found else "",
                    "point": (points.get(person.id) or 0) if found and session.points_enabled else "",
                    "skjult": "",
                    "drøftelse": no,
                }
            )
        rows += later
    return rows


def _text_rows(db: sqlite_utils.Database, session_id: int, base: dict, texts, *, yes: str, no: str) -> list[dict]:
    """One row per text (an open question's or a discussion's), hidden ones marked ``skjult``."""
    names = {p.id: p for p in participants(db, session_id, removed=True)}
    rows = []
    for text in texts:
        person = names.get(text.participant_id)
        rows.append(
            {
                "drøftelse": no,
                **base,
                "deltager": spreadsheet_safe(person.display_name if person else ""),
                "logget_ind": yes if person and person.user_id is not None else no,
                "svar": spreadsheet_safe(text.text),
                "svaret_kl": _when(text.answered_at),
                "rigtigt": "",
                "score_procent": "",
                "point": "",
                "skjult": yes if text.hidden else no,
            }
        )
    return rows


def results_csv(db: sqlite_utils.Database, session_id: int) -> str:
    """:func:`results_rows` as CSV text for Danish Excel (byte-order mark, semicolons)."""
    out = io.StringIO()
    write_csv(results_rows(db, session_id), list(CSV_COLUMNS), out)
    return out.getvalue()
