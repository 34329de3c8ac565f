"""The results as CSV for Danish Excel: one row per participant and revealed question."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

import sqlite_utils

from quiz.hr.exports import spreadsheet_safe, write_csv
from quiz.i18n import current_language, t, use_language
from quiz.learning.timefmt import LOCAL
from quiz.questions.base import Answer, Question

from .answers import texts_of
from .models import DISCUSSION_KIND, OPEN_KIND, LiveError, Participant, TextAnswer, answer_from_row
from .queries import get_session, participants


def answer_text(question: Question, answer: Answer) -> str:
    """An answer in words; for an assign question the picks in the order of its statements.

    The picks are not numbered: chain options carry their own number (»1. Direktion«), and
    »1: 1. Direktion« read as nonsense.
    """
    if isinstance(answer, str):
        return question.option_label(answer)
    return "; ".join(question.option_label(a) for a in answer)


# The columns, in order: stable ids in code; the header row is the catalogue's words for them
# (``live.csv_col_<id>``) in the reader's language, so a Danish file reads »spørgsmål_nr«, an English
# one »question_no«.
CSV_COLUMNS = (
    "code",
    "question_no",
    "question",
    "participant",
    "signed_in",
    "answer",
    "answered_at",
    "correct",
    "score_percent",
    "points",
    "hidden",
    "removed",
    "discussion",
)


def csv_headers(lang: str | None = None) -> dict[str, str]:
    """Each column id's header in ``lang`` (default: the current language)."""
    return {column: t(f"live.csv_col_{column}", lang=lang) for column in CSV_COLUMNS}


def _when(moment: datetime) -> str:
    return moment.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M:%S")


def results_rows(db: sqlite_utils.Database, session_id: int) -> list[dict[str, Any]]:
    """One row per participant and revealed question (one per text for an open question), keyed by :data:`CSV_COLUMNS`.

    A question whose discussion took the room's texts is followed by one row per text, its
    ``question`` the discussion prompt and ``discussion`` »ja«: they answer question N's discussion.

    A participant the facilitator removed keeps the rows of the questions revealed before the
    removal, marked ``removed``; their texts leave the file. A text never shown (hidden, or still
    waiting for approval) is marked ``hidden``.

    Numbers are whole (a score in percent), so Danish Excel, which reads »0.5« as a date or text,
    gets them right; the time is the participant's last change of the answer, in Danish time.
    """
    session = get_session(db, session_id)
    if session is None:
        raise LiveError("live.no_session")
    yes, no = t("live.csv_yes"), t("live.csv_no")
    people = participants(db, session_id, removed=True)
    rows = []
    for index in range(session.revealed_count):
        question = session.questions[index]
        base = {"code": session.code, "question_no": index + 1, "question": question.prompt}
        if question.kind == OPEN_KIND:
            rows += _text_rows(people, base, texts_of(db, session_id, index), yes=yes, no=no)
            continue
        if index in session.discussions:
            # After the question's own rows: the room's answers to its discussion, saying so.
            discussion = {**base, "question": session.discussions[index], "discussion": yes}
            later = _text_rows(
                people, discussion, texts_of(db, session_id, index, kind=DISCUSSION_KIND), yes=yes, no=no
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
            if person.removed and index >= (person.removed_after or 0):
                continue  # removed before this question was revealed: not part of it
            found = given.get(person.id)
            rows.append(
                {
                    **base,
                    "participant": spreadsheet_safe(person.display_name),
                    "signed_in": yes if person.user_id is not None else no,
                    "answer": spreadsheet_safe(answer_text(question, found.answer)) if found else "",
                    "answered_at": _when(found.changed_at) if found else "",
                    "correct": (yes if found.correct else no) if found else "",
                    "score_percent": round(100 * found.score) if found else "",
                    "points": (points.get(person.id) or 0) if found and session.points_enabled else "",
                    "hidden": "",
                    "removed": yes if person.removed else no,
                    "discussion": no,
                }
            )
        rows += later
    return rows


def _text_rows(
    people: list[Participant], base: dict[str, Any], texts: list[TextAnswer], *, yes: str, no: str
) -> list[dict[str, Any]]:
    """One row per text (an open question's or a discussion's); a removed participant's texts are left out."""
    names = {p.id: p for p in people}
    rows = []
    for text in texts:
        person = names.get(text.participant_id)
        if person is None or person.removed:
            continue
        rows.append(
            {
                "discussion": no,
                **base,
                "participant": spreadsheet_safe(person.display_name),
                "signed_in": yes if person.user_id is not None else no,
                "answer": spreadsheet_safe(text.text),
                "answered_at": _when(text.answered_at),
                "correct": "",
                "score_percent": "",
                "points": "",
                "hidden": yes if not text.shown else no,
                "removed": no,
            }
        )
    return rows


def results_csv(db: sqlite_utils.Database, session_id: int, *, lang: str | None = None) -> str:
    """:func:`results_rows` as CSV text for Danish Excel (byte-order mark, semicolons).

    The header row is in ``lang`` (default: the current language, the reader's), as are »ja«/»nej«.
    """
    with use_language(lang or current_language()):
        headers = csv_headers()
        rows = [{headers[k]: v for k, v in row.items()} for row in results_rows(db, session_id)]
    out = io.StringIO()
    write_csv(rows, [headers[c] for c in CSV_COLUMNS], out)
    return out.getvalue()
