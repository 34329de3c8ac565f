"""The discussion after a reveal: the pack's prompt for the question, and opening it for the room's texts.

After a reveal the projector shows a discussion prompt from the pack (``discussion_prompts``). The
facilitator may open it for answers (state ``discussion``): the phones then take short texts as
for an open question (:func:`quiz.live.answers.submit_discussion_text`), which the projector shows
as a word cloud or a list, moderated the same way. Closing it, or the next question, ends the
collection; the texts go into the results and the CSV.
"""

from __future__ import annotations

import json
import re

import sqlite_utils

from quiz.plugins import get_registry
from quiz.questions.base import Question
from quiz.store.db import transaction

from .control import _change, _move, locked_session
from .models import OPEN_KIND, LiveError, LiveSession
from .queries import reloaded_session
from .states import Action, State

DISPLAYS = ("cloud", "list")


def discussion_prompt(prompts: list[str], index: int, question: Question) -> str | None:
    """The pack's discussion prompt for question ``index``, in the plural when it shows several statements.

    The pack writes its prompts about one statement (»Hvad betyder udsagnet …?«); a match, chain or
    odd-one-out question puts several on the screen, where »udsagnene« reads right. An open question
    has none: it is the discussion itself.
    """
    if not prompts or question.kind == OPEN_KIND:
        return None
    prompt = prompts[index % len(prompts)]
    if len(question.statement_ids) > 1:
        prompt = re.sub(r"\b([Uu])dsagnet\b", r"\1dsagnene", prompt)
    return prompt


def prompt_for(session: LiveSession, index: int, registry=None) -> str | None:
    """Question ``index``'s discussion prompt from its pack, in the registry's (the current) language."""
    registry = registry or get_registry()
    question = session.questions[index]
    pack = registry.packs.get(question.pack_id)
    return discussion_prompt(pack.manifest.discussion_prompts if pack else [], index, question)


def open_discussion(
    db: sqlite_utils.Database, session_id: int, *, actor_id: int, registry=None, display: str = "cloud"
) -> LiveSession:
    """After a reveal: let the room answer the discussion prompt (``display``: word cloud or list).

    The prompt as the facilitator sees it is kept with the session, for the results and the CSV.
    """
    if display not in DISPLAYS:
        raise LiveError("live.bad_answer")
    with transaction(db):
        session = locked_session(db, session_id, actor_id)
        prompt = prompt_for(session, session.current_index, registry) if session.state == State.REVEALED else None
        if session.state == State.REVEALED and not prompt:
            raise LiveError("live.no_discussion")
        kept = {**session.discussions, session.current_index: prompt}
        _move(
            db,
            session_id,
            actor_id,
            Action.DISCUSS,
            {
                "discussions_json": json.dumps({str(k): v for k, v in kept.items()}, ensure_ascii=False),
                "discussion_display": display,
            },
        )
    return reloaded_session(db, session_id)


def close_discussion(db: sqlite_utils.Database, session_id: int, *, actor_id: int) -> LiveSession:
    """Stop taking texts to the discussion; the projector keeps showing them."""
    with transaction(db):
        _move(db, session_id, actor_id, Action.CLOSE, {})
    return reloaded_session(db, session_id)


def set_discussion_display(db: sqlite_utils.Database, session_id: int, *, actor_id: int, display: str) -> LiveSession:
    """Show the discussion's texts as a word cloud or a list."""
    if display not in DISPLAYS:
        raise LiveError("live.bad_answer")
    with transaction(db):
        session = locked_session(db, session_id, actor_id)
        _change(db, session, {"discussion_display": display})
    return reloaded_session(db, session_id)
