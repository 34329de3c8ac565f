"""How the room answered: the live distribution, results per question and per person, the podium.

A participant the facilitator removes leaves the room, not its past: their answers to the questions
revealed before the removal keep counting (``live_participants.removed_after``), so a revealed
distribution or result never changes afterwards; their answers to later questions count nowhere.
"""

from __future__ import annotations

import json
import unicodedata
from collections import Counter
from dataclasses import replace

import sqlite_utils

from quiz.i18n import Msg

from .answers import shown_texts, texts_of
from .models import (
    DISCUSSION_KIND,
    OPEN_KIND,
    Distribution,
    LiveError,
    LiveSession,
    ParticipantResult,
    QuestionResult,
    TextAnswer,
)
from .queries import get_session
from .states import State


def _session(db: sqlite_utils.Database, session_id: int) -> LiveSession:
    session = get_session(db, session_id)
    if session is None:
        raise LiveError("live.no_session")
    return session


# Whose answers to question ``?`` count: everyone in the room, and a removed participant's to the
# questions revealed before the removal (NULL from before m018: none).
COUNTS = "(p.removed_at IS NULL OR ? < COALESCE(p.removed_after, 0))"


def distribution(db: sqlite_utils.Database, session_id: int, question_index: int) -> Distribution:
    """The answers to one question, counted per option (per item and option for assign questions).

    Counts the current answer of each person in the room, so an answer changed from D to B counts
    once, under B. A participant removed after this question's reveal still counts here (and in
    ``participants``), so the revealed bars stay as the room saw them.
    """
    session = _session(db, session_id)
    question = session.questions[question_index]
    keys = [o.key for o in question.options]
    answers = [
        json.loads(text)
        for (text,) in db.execute(
            f"""
            SELECT a.answer_json FROM live_answers a
            JOIN live_participants p ON p.id = a.participant_id AND {COUNTS}
            WHERE a.session_id = ? AND a.question_index = ?
            """,
            [question_index, session_id, question_index],
        ).fetchall()
    ]
    (joined,) = db.execute(
        f"SELECT COUNT(*) FROM live_participants p WHERE p.session_id = ? AND {COUNTS}", [session_id, question_index]
    ).fetchone()
    counts: dict[str, int] = {}
    per_item: list[dict[str, int]] = []
    if question.kind == OPEN_KIND:
        (written,) = db.execute(
            f"""
            SELECT COUNT(DISTINCT t.participant_id) FROM live_texts t
            JOIN live_participants p ON p.id = t.participant_id AND {COUNTS}
            WHERE t.session_id = ? AND t.question_index = ? AND t.kind = 'open'
            """,
            [question_index, session_id, question_index],
        ).fetchone()
        return Distribution(question_index, question.kind, {}, [], written, joined)
    if question.kind == "choice":
        tally = Counter(a for a in answers if isinstance(a, str))
        counts = {k: tally.get(k, 0) for k in keys}
    else:
        for i in range(len(question.items)):
            tally = Counter(a[i] for a in answers if isinstance(a, list) and i < len(a))
            per_item.append({k: tally.get(k, 0) for k in keys})
    return Distribution(question_index, question.kind, counts, per_item, len(answers), joined)


# Ends of a phrase that do not make it another phrase (»Tillid.« is »tillid«).
_PHRASE_EDGES = " .,;:!?…\"'»«“”‘’()[]-–—"


def phrase_key(text: str) -> str:
    """How two texts count as the same phrase: case, spacing and end punctuation aside."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split()).strip(_PHRASE_EDGES)


def word_counts(
    db: sqlite_utils.Database, session_id: int, question_index: int, *, limit: int = 40, kind: str = OPEN_KIND
) -> list[tuple[str, int]]:
    """The word cloud: the shown texts to an open question (or a discussion) as whole phrases, most often first.

    The room answers in phrases (»Ærlighed og åbenhed«), so a phrase stays whole; texts that differ
    only in case, spacing or end punctuation are one entry, counted once per person (a person who
    sends the same phrase twice counts once), written as the room wrote it most often. Ordered by
    count, then alphabetically. Only texts the stage may show count (:func:`shown_texts`): approved
    or not waiting, not hidden, not by a removed participant.
    """
    people: dict[str, set[int]] = {}
    forms: dict[str, dict[str, set[int]]] = {}  # phrase -> each way of writing it -> who wrote it so
    for answer in shown_texts(db, session_id, question_index, kind=kind):
        key = phrase_key(answer.text)
        if not key:
            continue
        people.setdefault(key, set()).add(answer.participant_id)
        form = answer.text.strip(_PHRASE_EDGES) or answer.text
        forms.setdefault(key, {}).setdefault(form, set()).add(answer.participant_id)
    # The way most people wrote it; a tie goes to the first written (dicts keep that order).
    counted = [(max(forms[key].items(), key=lambda kv: len(kv[1]))[0], len(who)) for key, who in people.items()]
    return sorted(counted, key=lambda kv: (-kv[1], kv[0].casefold()))[:limit]


def discussion_results(db: sqlite_utils.Database, session_id: int) -> list[tuple[int, str, list[TextAnswer]]]:
    """Every discussion the room answered: question index, the prompt as opened, all its texts (hidden too)."""
    session = _session(db, session_id)
    return [
        (index, prompt, texts_of(db, session_id, index, kind=DISCUSSION_KIND))
        for index, prompt in sorted(session.discussions.items())
    ]


def question_results(db: sqlite_utils.Database, session_id: int) -> list[QuestionResult]:
    """For each revealed question: how many answered, how many fully right, the mean score."""
    session = _session(db, session_id)
    stats = {
        index: (answered, correct, mean)
        for index, answered, correct, mean in db.execute(
            """
            SELECT a.question_index, COUNT(*), SUM(a.correct), AVG(a.score) FROM live_answers a
            JOIN live_participants p ON p.id = a.participant_id
            WHERE a.session_id = ? AND (p.removed_at IS NULL OR a.question_index < COALESCE(p.removed_after, 0))
            GROUP BY a.question_index
            """,
            [session_id],
        ).fetchall()
    }
    texts = dict(
        db.execute(
            """
            SELECT t.question_index, COUNT(DISTINCT t.participant_id) FROM live_texts t
            JOIN live_participants p ON p.id = t.participant_id
            WHERE t.session_id = ? AND t.kind = 'open'
              AND (p.removed_at IS NULL OR t.question_index < COALESCE(p.removed_after, 0))
            GROUP BY t.question_index
            """,
            [session_id],
        ).fetchall()
    )
    results = []
    for i in range(session.revealed_count):
        if session.questions[i].kind == OPEN_KIND:
            results.append(QuestionResult(i, session.questions[i].prompt, texts.get(i, 0), 0, None))
        else:
            results.append(QuestionResult(i, session.questions[i].prompt, *stats.get(i, (0, 0, None))))
    return results


def participant_results(
    db: sqlite_utils.Database, session_id: int, *, removed: bool = False
) -> list[ParticipantResult]:
    """Every participant's result on the revealed questions, best first (then by name), with their place.

    Only revealed questions count, so a leaderboard never tells who is right before the reveal.
    With points on, the order is by points (speed counts); otherwise by score. Equal points (or
    scores) share a place: 1, 1, 3 … (:func:`places`). With ``removed=True`` the participants the
    facilitator removed follow, marked ``removed`` and without a place, with the answers revealed
    before their removal.
    """
    session = _session(db, session_id)
    rows = db.execute(
        """
        SELECT p.id, p.display_name, p.user_id IS NOT NULL, p.removed_at IS NOT NULL,
               COUNT(a.question_index), COALESCE(SUM(a.correct), 0), COALESCE(SUM(a.score), 0.0),
               COALESCE(SUM(a.points), 0)
        FROM live_participants p
        LEFT JOIN live_answers a ON a.participant_id = p.id AND a.question_index < ?
             AND (p.removed_at IS NULL OR a.question_index < COALESCE(p.removed_after, 0))
        WHERE p.session_id = ? AND (? OR p.removed_at IS NULL)
        GROUP BY p.id
        """,
        [session.revealed_count, session_id, int(removed)],
    ).fetchall()
    results = [
        ParticipantResult(
            participant_id=pid,
            display_name=name,
            signed_in=bool(signed_in),
            answered=answered,
            correct=correct,
            score=score,
            points=int(points) if session.points_enabled else None,
            removed=bool(gone),
        )
        for pid, name, signed_in, gone, answered, correct, score, points in rows
    ]
    ordered = sorted(
        results,
        key=lambda r: (r.removed, -_measure(r), -r.correct, r.display_name.casefold(), r.participant_id),
    )
    in_room = [r for r in ordered if not r.removed]
    placed = [replace(r, place=place) for r, place in zip(in_room, places(in_room), strict=True)]
    return placed + [r for r in ordered if r.removed]


def _measure(result: ParticipantResult) -> float:
    """What a place is decided by: points when the session gives points, else the score."""
    return float(result.points) if result.points is not None else result.score


def places(results: list[ParticipantResult]) -> list[int]:
    """The place of each of ``results`` (best first): a tie shares the place, the next skips (1, 1, 3)."""
    found: list[int] = []
    for i, r in enumerate(results):
        tied = i > 0 and abs(_measure(r) - _measure(results[i - 1])) < 1e-9
        found.append(found[-1] if tied else i + 1)
    return found


def leaderboard(db: sqlite_utils.Database, session_id: int, *, limit: int = 10) -> list[ParticipantResult]:
    """The best ``limit`` participants on the revealed questions, each with their (shared) ``place``."""
    return participant_results(db, session_id)[:limit]


def place_of(results: list[ParticipantResult], participant_id: int) -> int | None:
    """1-based place in ``results``; people with the same points (or score, without points) share a place."""
    return places_by_participant(results).get(participant_id)


def places_by_participant(results: list[ParticipantResult]) -> dict[int, int]:
    """:func:`place_of` for everyone in the room at once (removed participants have none)."""
    in_room = [r for r in results if not r.removed]
    return {r.participant_id: place for r, place in zip(in_room, places(in_room), strict=True)}


def ending_note(session: LiveSession) -> Msg | None:
    """What the results must say about how the session ended, if anything unusual."""
    if session.state != State.ENDED:
        return None
    if session.started_at is None:
        return Msg("live.ended_in_lobby")
    if session.ended_during is not None:
        if session.revealed_count == 0:
            return Msg("live.ended_during_first", number=session.ended_during + 1)
        return Msg("live.ended_during", number=session.ended_during + 1, total=len(session.questions))
    return None
