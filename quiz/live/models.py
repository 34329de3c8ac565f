"""What a live session is made of: value objects, the errors its actions raise, and row readers.

Nothing here writes; :mod:`quiz.live.queries` reads rows into these objects.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache

from quiz.i18n import Msg, wait_time
from quiz.learning.quizzes import QuizSpec
from quiz.questions.base import Answer, Question
from quiz.store.db import from_iso, utcnow

from .errors import LiveError
from .states import SHOWN_ANSWER, State

POINTS_PER_QUESTION = 1000
# Kahoot's rule, bounded: a right answer earns at least half its points, the rest for speed.
SPEED_SHARE = 0.5
OPEN_KIND = "open"  # a question without right answers: the room writes a short text
DISCUSSION_KIND = "discussion"  # a text written to a revealed question's discussion prompt
# A plan's question may carry its own time limit (seconds; 0 = none), else the session's applies.
SECONDS_KEY = "live_seconds"
# A plan's question may say whether the room's texts wait for the facilitator's approval before they
# show (true/false); without it, an open question's do and a discussion's do not.
APPROVE_KEY = "live_approve"


class JoinLocked(LiveError):
    """Too many wrong join codes from this browser; ``retry_after`` seconds to wait."""

    def __init__(self, retry_after: int):
        self.retry_after = retry_after
        super().__init__("live.locked", seconds=max(1, retry_after), wait=wait_time(retry_after))


class NotAllowed(LiveError):
    """The acting person may not control this session."""


class AnswerClosed(LiveError):
    """The question is not open for answers (revealed, not yet shown, or the session ended)."""

    def __init__(self) -> None:
        super().__init__("live.closed")


@dataclass(frozen=True)
class LiveSession:
    """One live session: its questions, settings and where it is now."""

    id: int
    code: str
    facilitator_id: int | None
    pack_id: str
    spec: QuizSpec
    questions: list[Question]
    allow_anonymous: bool
    points_enabled: bool
    state: State
    current_index: int
    revealed_count: int
    version: int
    created_at: datetime
    started_at: datetime | None
    question_opened_at: datetime | None
    ended_at: datetime | None
    locked: bool = False
    timer_seconds: int | None = None
    auto_reveal: bool = False
    ended_during: int | None = None  # index of the question that was open, unrevealed, at the end
    discussions: dict[int, str] = field(default_factory=dict)  # question index -> the prompt opened
    discussion_display: str = "cloud"  # how the projector shows the discussion's texts: cloud or list
    approvals: dict[int, bool] = field(default_factory=dict)  # question index -> approve texts first
    moderated: int = 0  # bumped by every moderation move (approve, hide, restore)
    questions_json: str = field(default="", repr=False, compare=False)  # ``questions`` as stored

    @property
    def current_question(self) -> Question | None:
        """The question on screen (None in the lobby and after the end)."""
        if self.state in (State.QUESTION, *SHOWN_ANSWER) and 0 <= self.current_index < len(self.questions):
            return self.questions[self.current_index]
        return None

    @property
    def is_last_question(self) -> bool:
        return self.current_index >= len(self.questions) - 1

    @property
    def title(self) -> str:
        return self.spec.title or str(Msg("live.title", code=self.code))

    @property
    def discussing(self) -> bool:
        """The current question's discussion prompt is collecting texts."""
        return self.state == State.DISCUSSION

    def time_limit(self, index: int | None = None) -> int | None:
        """Seconds question ``index`` (default: the current one) may be answered; None without a limit.

        The question's own limit from the plan (0: none), else the session's timer (off by default).
        """
        index = self.current_index if index is None else index
        if 0 <= index < len(self.questions):
            own = self.questions[index].data.get(SECONDS_KEY)
            if own is not None:
                return int(own) or None
        return self.timer_seconds

    def deadline(self) -> datetime | None:
        """When the open question's time is up, if it has a time limit."""
        if self.state != State.QUESTION or self.question_opened_at is None:
            return None
        limit = self.time_limit()
        if not limit:
            return None
        return self.question_opened_at + timedelta(seconds=limit)


def time_left(live_session: LiveSession, now: datetime | None = None) -> float | None:
    """Seconds until the open question's time is up (0.0 once it is); None without a time limit.

    What a phone or the stage asks to say »Tiden er gået« when the session has a timer but no
    automatic reveal: the question stays on screen until the facilitator reveals it, and answers
    are refused (a second's grace for the network aside, :func:`quiz.live.submit_answer`).
    """
    deadline = live_session.deadline()
    if deadline is None:
        return None
    return max(0.0, (deadline - (now or utcnow())).total_seconds())


def is_time_up(live_session: LiveSession, now: datetime | None = None) -> bool:
    """True while a question with a time limit is open and its time has run out."""
    left = time_left(live_session, now)
    return left is not None and left <= 0.0


@dataclass(frozen=True)
class Participant:
    """Someone in a session: a signed-in person (``user_id``) or an anonymous name."""

    id: int
    session_id: int
    user_id: int | None
    display_name: str
    attempt_id: int | None
    joined_at: datetime
    removed: bool = False
    removed_after: int | None = None  # questions revealed when removed: those answers keep counting


@dataclass(frozen=True)
class LiveAnswer:
    """A participant's current answer to one question, graded when given."""

    participant_id: int
    question_index: int
    answer: Answer
    score: float
    correct: bool
    answered_at: datetime
    changed_at: datetime


@dataclass(frozen=True)
class Pulse:
    """What a facilitator's screen polls: a few numbers from one indexed query.

    ``changes`` adds up the answers' revisions, so a changed answer moves it although ``answered``
    stays the same: the projector redraws its distribution.
    """

    version: int
    participants: int
    answered: int
    changes: int = 0


@dataclass(frozen=True)
class Distribution:
    """How the room answered one question.

    ``counts`` maps option key -> number of participants (choice questions); ``per_item`` holds one
    such mapping per item (assign questions). Every option is present, with 0 when nobody chose it.
    """

    question_index: int
    kind: str
    counts: dict[str, int]
    per_item: list[dict[str, int]]
    answered: int
    participants: int


@dataclass(frozen=True)
class QuestionResult:
    """How the room did on one revealed question."""

    question_index: int
    prompt: str
    answered: int
    correct: int
    mean_score: float | None


@dataclass(frozen=True)
class ParticipantResult:
    """How one participant did on the revealed questions; ``points`` only when points are on."""

    participant_id: int
    display_name: str
    signed_in: bool
    answered: int
    correct: int
    score: float
    points: int | None
    removed: bool = False  # taken out of the room; listed with the answers revealed before that
    place: int | None = None  # 1-based, shared by a tie (1, 1, 3 …); None for a removed participant


@dataclass(frozen=True)
class TextAnswer:
    """One short text written to an open question or a discussion.

    ``hidden`` when the facilitator took it off screen; ``held`` while it waits for approval (its
    question asks for approval first, or ``flagged``: a word on the bundled list matched).
    """

    id: int
    participant_id: int
    question_index: int
    text: str
    answered_at: datetime
    hidden: bool
    kind: str = OPEN_KIND
    held: bool = False
    flagged: bool = False

    @property
    def shown(self) -> bool:
        """On the stage: neither hidden nor waiting for approval."""
        return not self.hidden and not self.held


@lru_cache(maxsize=256)
def _parsed(spec_json: str, questions_json: str) -> tuple[QuizSpec, tuple[Question, ...]]:
    """A session's settings and questions never change once made: parse them once per process.

    Every phone's page reads its session on every run; parsing ten questions each time was most of
    that run's own work. The objects are shared read-only.
    """
    return QuizSpec(**json.loads(spec_json)), tuple(Question.from_dict(q) for q in json.loads(questions_json))


def session_from_row(row: dict) -> LiveSession:
    spec, questions = _parsed(row["spec_json"], row["questions_json"])
    return LiveSession(
        id=row["id"],
        code=row["code"],
        facilitator_id=row["facilitator_id"],
        pack_id=row["pack_id"],
        spec=spec,
        questions=list(questions),
        allow_anonymous=bool(row["allow_anonymous"]),
        points_enabled=bool(row["points_enabled"]),
        state=State(row["state"]),
        current_index=row["current_index"],
        revealed_count=row["revealed_count"],
        version=row["version"],
        created_at=datetime.fromisoformat(row["created_at"]),
        started_at=from_iso(row["started_at"]),
        question_opened_at=from_iso(row["question_opened_at"]),
        ended_at=from_iso(row["ended_at"]),
        locked=bool(row.get("locked")),
        timer_seconds=row.get("timer_seconds") or None,
        auto_reveal=bool(row.get("auto_reveal")),
        ended_during=row.get("ended_during"),
        discussions=_discussions(row.get("discussions_json")),
        discussion_display=row.get("discussion_display") or "cloud",
        approvals=parse_approvals(row.get("approval_json")),
        moderated=row.get("moderated") or 0,
        questions_json=row["questions_json"],
    )


@lru_cache(maxsize=256)
def _discussions_parsed(text: str) -> tuple[tuple[int, str], ...]:
    return tuple((int(k), v) for k, v in json.loads(text).items())


def _discussions(text: str | None) -> dict[int, str]:
    return dict(_discussions_parsed(text)) if text else {}


def parse_approvals(text: str | None) -> dict[int, bool]:
    """``live_sessions.approval_json`` as question index -> approve first."""
    return {int(k): bool(v) for k, v in json.loads(text).items()} if text else {}


def participant_from_row(row: dict) -> Participant:
    return Participant(
        id=row["id"],
        session_id=row["session_id"],
        user_id=row["user_id"],
        display_name=row["display_name"],
        attempt_id=row["attempt_id"],
        joined_at=datetime.fromisoformat(row["joined_at"]),
        removed=row.get("removed_at") is not None,
        removed_after=row.get("removed_after"),
    )


def answer_from_row(row: dict) -> LiveAnswer:
    return LiveAnswer(
        participant_id=row["participant_id"],
        question_index=row["question_index"],
        answer=json.loads(row["answer_json"]),
        score=row["score"],
        correct=bool(row["correct"]),
        answered_at=datetime.fromisoformat(row["answered_at"]),
        changed_at=datetime.fromisoformat(row["changed_at"]),
    )


def text_from_row(row: dict) -> TextAnswer:
    return TextAnswer(
        id=row["id"],
        participant_id=row["participant_id"],
        question_index=row["question_index"],
        text=row["text"],
        answered_at=datetime.fromisoformat(row["answered_at"]),
        hidden=row["hidden_at"] is not None,
        kind=row.get("kind") or OPEN_KIND,
        held=bool(row.get("held")),
        flagged=bool(row.get("flagged")),
    )
