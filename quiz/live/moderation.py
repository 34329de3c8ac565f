"""Moderation of the room's texts, as Mentimeter and Poll Everywhere do it.

A text to an open question or a discussion reaches the stage only when it is *shown*: not hidden
and not waiting for approval. It waits (``held``) when its question asks for approval first (on by
default for open questions; per question in the plan, :data:`APPROVE_KEY`, and switched per
session on the control page) or when a word on the bundled list (``quiz/data/profanity.txt``)
matched, whatever the question asks. The facilitator approves, hides and restores texts, and may
reset the answers of the question on screen. Every move re-checks the actor inside its
transaction and bumps ``live_sessions.moderated``, which the stage's pulse adds up.
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import cache
from pathlib import Path

import sqlite_utils

from quiz.questions.base import Question
from quiz.store.db import to_iso, transaction, utcnow

from .control import _change, locked_session
from .models import APPROVE_KEY, OPEN_KIND, LiveError, LiveSession
from .queries import get_session
from .states import State

PROFANITY_FILE = Path(__file__).resolve().parents[1] / "data" / "profanity.txt"
_WORD = re.compile(r"\w+")


@cache
def _word_list() -> tuple[frozenset[str], tuple[str, ...]]:
    """The bundled list: whole words, and the stems of lines that end in ``*``."""
    words: set[str] = set()
    stems: list[str] = []
    for line in PROFANITY_FILE.read_text(encoding="utf-8").splitlines():
        entry = unicodedata.normalize("NFC", line.strip()).casefold()
        if not entry or entry.startswith("#"):
            continue
        if entry.endswith("*"):
            stems.append(entry[:-1])
        else:
            words.add(entry)
    return frozenset(words), tuple(stems)


def is_offensive(text: str) -> bool:
    """True when a word of ``text`` is on the bundled list of offensive words (Danish and English).

    A floor, not a wall: it catches the common words as typed; approval first is what keeps an
    inventive spelling off the stage.
    """
    words, stems = _word_list()
    for word in _WORD.findall(unicodedata.normalize("NFC", text).casefold()):
        if word in words or word.startswith(stems):
            return True
    return False


def approval_required(live_session: LiveSession, index: int) -> bool:
    """Whether texts to question ``index`` (and to its discussion) wait for approval before they show.

    The facilitator's choice in this session first, then the plan's (:data:`APPROVE_KEY`), else on
    for an open question and off for the discussion of a question with a right answer.
    """
    return approval_for(live_session.approvals, live_session.questions[index], index)


def approval_for(approvals: dict[int, bool], question: Question, index: int) -> bool:
    """:func:`approval_required` from the session's stored choices and the question itself."""
    if index in approvals:
        return approvals[index]
    if APPROVE_KEY in question.data:
        return bool(question.data[APPROVE_KEY])
    return question.kind == OPEN_KIND


def _fresh(db: sqlite_utils.Database, session_id: int) -> LiveSession:
    found = get_session(db, session_id)
    if found is None:
        raise LiveError("live.no_session")
    return found


def _bump(db: sqlite_utils.Database, session_id: int) -> None:
    db.execute("UPDATE live_sessions SET moderated = moderated + 1 WHERE id = ?", [session_id])


def _running(db: sqlite_utils.Database, session_id: int, actor_id: int | None) -> LiveSession:
    session = locked_session(db, session_id, actor_id)
    if session.state == State.ENDED:
        raise LiveError("live.ended")
    return session


def set_approval(
    db: sqlite_utils.Database, session_id: int, index: int, *, actor_id: int, required: bool
) -> LiveSession:
    """Switch "approve before showing" for question ``index`` in this session.

    Switching it off shows the texts that waited only for that; a text a listed word held back
    still waits.
    """
    with transaction(db):
        session = _running(db, session_id, actor_id)
        if not 0 <= index < len(session.questions):
            raise LiveError("live.bad_answer")
        kept = {**session.approvals, index: bool(required)}
        _change(db, session, {"approval_json": json.dumps({str(k): v for k, v in kept.items()})})
        if not required:
            db.execute(
                "UPDATE live_texts SET held = 0"
                " WHERE session_id = ? AND question_index = ? AND held = 1 AND flagged = 0",
                [session_id, index],
            )
        _bump(db, session_id)
    return _fresh(db, session_id)


def approve_text(db: sqlite_utils.Database, session_id: int, text_id: int, *, actor_id: int) -> None:
    """Let a waiting text onto the stage."""
    with transaction(db):
        locked_session(db, session_id, actor_id)
        db.execute(
            "UPDATE live_texts SET held = 0, hidden_at = NULL WHERE id = ? AND session_id = ?", [text_id, session_id]
        )
        _bump(db, session_id)


def set_text_hidden(
    db: sqlite_utils.Database, session_id: int, text_id: int, *, actor_id: int, hidden: bool = True
) -> None:
    """Take a text off the stage (before or after it showed), or restore it (which also approves it)."""
    with transaction(db):
        locked_session(db, session_id, actor_id)
        if hidden:
            db.execute(
                "UPDATE live_texts SET hidden_at = ? WHERE id = ? AND session_id = ?",
                [to_iso(utcnow()), text_id, session_id],
            )
        else:
            db.execute(
                "UPDATE live_texts SET hidden_at = NULL, held = 0 WHERE id = ? AND session_id = ?",
                [text_id, session_id],
            )
        _bump(db, session_id)


def reset_question(db: sqlite_utils.Database, session_id: int, index: int, *, actor_id: int) -> LiveSession:
    """Delete every answer and text to question ``index`` (the one on screen), so the room answers afresh.

    Also its discussion's texts. What a reveal already recorded in signed-in participants' own
    progress stays there. Bumps the version: the phones drop the answer they showed.
    """
    with transaction(db):
        session = _running(db, session_id, actor_id)
        if session.state == State.LOBBY or index != session.current_index:
            raise LiveError("live.reset_not_current")
        db.execute("DELETE FROM live_answers WHERE session_id = ? AND question_index = ?", [session_id, index])
        db.execute("DELETE FROM live_texts WHERE session_id = ? AND question_index = ?", [session_id, index])
        _change(db, session, {})
        _bump(db, session_id)
    return _fresh(db, session_id)
