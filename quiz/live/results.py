"""How the room answered: the live distribution, results per question and per person, the podium."""

from __future__ import annotations

import json
import re
from collections import Counter

import sqlite_utils

from quiz.i18n import Msg

from .answers import texts_of
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


def distribution(db: sqlite_utils.Database, session_id: int, question_index: int) -> Distribution:
    """The answers to one question, counted per option (per item and option for assign questions).

    Counts the current answer of each person in the room, so an answer changed from D to B counts
    once, under B.
    """
    session = _session(db, session_id)
    question = session.questions[question_index]
    keys = [o.key for o in question.options]
    answers = [
        json.loads(text)
        for (text,) in db.execute(
            """
            SELECT a.answer_json FROM live_answers a
            JOIN live_participants p ON p.id = a.participant_id AND p.removed_at IS NULL
            WHERE a.session_id = ? AND a.question_index = ?
            """,
            [session_id, question_index],
        ).fetchall()
    ]
    (joined,) = db.execute(
        "SELECT COUNT(*) FROM live_participants WHERE session_id = ? AND removed_at IS NULL", [session_id]
    ).fetchone()
    counts: dict[str, int] = {}
    per_item: list[dict[str, int]] = []
    if question.kind == OPEN_KIND:
        (written,) = db.execute(
            "SELECT COUNT(DISTINCT participant_id) FROM live_texts WHERE session_id = ? AND question_index = ?",
            [session_id, question_index],
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


WORD = re.compile(r"[\wæøåÆØÅ-]{2,}")
# Small words that say nothing in a word cloud.
STOP_WORDS = frozenset(
    "og i at det en et er til på de der som med for af den har ikke vi jeg du man så men om kan skal "
    "vil være blev sig os jer dem min din sin vores jeres deres the and of to a in is".split()
)


def word_counts(
    db: sqlite_utils.Database, session_id: int, question_index: int, *, limit: int = 40, kind: str = OPEN_KIND
) -> list[tuple[str, int]]:
    """The words of the visible texts to an open question (or a discussion), most frequent first: the word cloud."""
    tally: Counter[str] = Counter()
    for answer in texts_of(db, session_id, question_index, hidden=False, kind=kind):
        words = {w.casefold() for w in WORD.findall(answer.text)} - STOP_WORDS
        tally.update(words)  # a person's word counts once per text
    return sorted(tally.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]


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
            SELECT question_index, COUNT(*), SUM(correct), AVG(score) FROM live_answers
            WHERE session_id = ? GROUP BY question_index
            """,
            [session_id],
        ).fetchall()
    }
    texts = dict(
        db.execute(
            "SELECT question_index, COUNT(DISTINCT participant_id) FROM live_texts"
            " WHERE session_id = ? GROUP BY question_index",
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


def participant_results(db: sqlite_utils.Database, session_id: int) -> list[ParticipantResult]:
    """Every participant's result on the revealed questions, best first (then by name).

    Only revealed questions count, so a leaderboard never tells who is right before the reveal.
    With points on, the order is by points (speed counts); otherwise by score.
    """
    session = _session(db, session_id)
    rows = db.execute(
        """
        SELECT p.id, p.display_name, p.user_id IS NOT NULL,
               COUNT(a.question_index), COALESCE(SUM(a.correct), 0), COALESCE(SUM(a.score), 0.0),
               COALESCE(SUM(a.points), 0)
        FROM live_participants p
        LEFT JOIN live_answers a ON a.participant_id = p.id AND a.question_index < ?
        WHERE p.session_id = ? AND p.removed_at IS NULL
        GROUP BY p.id
        """,
        [session.revealed_count, session_id],
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
        )
        for pid, name, signed_in, answered, correct, score, points in rows
    ]
    return sorted(
        results,
        key=lambda r: (-(r.points or 0), -r.score, -r.correct, r.display_name.casefold(), r.participant_id),
    )


def leaderboard(db: sqlite_utils.Database, session_id: int, *, limit: int = 10) -> list[ParticipantResult]:
    """The best ``limit`` participants on the revealed questions."""
    return participant_results(db, session_id)[:limit]


def place_of(results: list[ParticipantResult], participant_id: int) -> int | None:
    """1-based place in ``results``; people with the same points share a place."""
    for i, r in enumerate(results):
        if r.participant_id == participant_id:
            key = (r.points, r.score)
            return 1 + sum(1 for other in results[:i] if (other.points, other.score) != key)
    return None


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
