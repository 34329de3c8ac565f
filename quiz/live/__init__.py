"""Live group sessions: a facilitator runs a quiz for a room, participants answer on their phones.

Plain Python over progress.db, so a server restart or a second server process loses nothing and
sees the same session. The package's modules, one job each:

========================  ==============================================================
``errors``                ``LiveError``, which every live module may raise
``states``                the state machine: states, actions, the one transition table
``models``                value objects, errors, row readers
``queries``               the small reads every page runs (session, pulse, participants)
``joining``               join codes, opening a session, joining (braked per browser)
``control``               the facilitator's moves, room upkeep (lock, remove, rename)
``answers``               answers to the open question, open-question texts, the texts shown
``moderation``            approve first, the profanity list, hide and restore, reset a question
``results``               distribution, results per question and person, places, podium, word cloud
``exports``               answers in words, the CSV
``plans``                 saved session plans (hand-picked questions)
``discussion``            the discussion prompt after a reveal, opened for the room's texts
``shown``                 a stored question in the phone's language (cached per process)
``stage``                 the stage's secret presenter link (hashed, revocable) and the room's phrases
========================  ==============================================================

Everything is re-exported here, so callers write ``from quiz import live`` and ``live.join(...)``.
See docs/live-sessions.md.
"""

from quiz.people.auth import InvalidInput

from .answers import (
    SPEED_WINDOW_SECONDS,
    TEXT_MAX,
    TEXTS_PER_PERSON,
    answer_key,
    clean_text,
    explain,
    is_open_question,
    my_texts,
    open_question,
    points_for,
    shown_texts,
    submit_answer,
    submit_discussion_text,
    submit_text,
    texts_of,
    texts_to,
    waiting_texts,
    writers,
)
from .control import (
    end,
    next_question,
    remove_participant,
    rename_participant,
    reveal,
    reveal_when_due,
    set_locked,
    start,
)
from .discussion import close_discussion, discussion_prompt, open_discussion, prompt_for, set_discussion_display
from .exports import CSV_COLUMNS, answer_text, csv_headers, results_csv, results_rows
from .joining import (
    JOIN_FAILURES_BEFORE_LOCK,
    JOIN_WINDOW,
    MAX_TIMER_SECONDS,
    brake_key,
    check_time_limit,
    create_session,
    join,
    new_code,
)
from .models import (
    APPROVE_KEY,
    DISCUSSION_KIND,
    OPEN_KIND,
    POINTS_PER_QUESTION,
    SECONDS_KEY,
    SPEED_SHARE,
    AnswerClosed,
    Distribution,
    JoinLocked,
    LiveAnswer,
    LiveError,
    LiveSession,
    NotAllowed,
    Participant,
    ParticipantResult,
    Pulse,
    QuestionResult,
    TextAnswer,
    is_time_up,
    time_left,
)
from .moderation import (
    approval_required,
    approve_text,
    is_offensive,
    reset_question,
    set_approval,
    set_text_hidden,
)
from .plans import Plan, candidates, delete_plan, get_plan, plans_of, save_plan
from .queries import (
    CODE_ALPHABET,
    CODE_LENGTH,
    active_participation,
    actor_may_facilitate,
    answer_of,
    answers_of,
    answers_to,
    can_control,
    ended_sessions,
    get_participant,
    get_session,
    is_well_formed,
    normalize_code,
    open_sessions,
    participant_for_browser,
    participant_for_token,
    participant_for_user,
    participants,
    pulse,
    pulses,
    session_by_code,
    session_version,
    versions,
)
from .results import (
    discussion_results,
    distribution,
    ending_note,
    leaderboard,
    participant_results,
    phrase_key,
    place_of,
    places,
    places_by_participant,
    question_results,
    word_counts,
)
from .shown import shown_question
from .stage import has_stage_key, revoke_stage_keys, session_for_stage_key, stage_key
from .states import SHOWN_ANSWER, TRANSITIONS, Action, State, state_name

__all__ = [
    "APPROVE_KEY", "approval_required", "approve_text", "csv_headers", "is_offensive", "is_time_up",
    "phrase_key", "places", "reset_question", "set_approval", "shown_texts", "time_left", "waiting_texts",
    "CODE_ALPHABET", "CODE_LENGTH", "CSV_COLUMNS", "JOIN_FAILURES_BEFORE_LOCK", "JOIN_WINDOW",
    "DISCUSSION_KIND", "MAX_TIMER_SECONDS", "OPEN_KIND", "SECONDS_KEY", "SHOWN_ANSWER",
    "POINTS_PER_QUESTION", "SPEED_SHARE", "SPEED_WINDOW_SECONDS",
    "TEXTS_PER_PERSON", "TEXT_MAX", "TRANSITIONS",
    "Action", "AnswerClosed", "Distribution", "InvalidInput", "JoinLocked", "LiveAnswer", "LiveError",
    "LiveSession", "NotAllowed", "Participant", "ParticipantResult", "Plan", "Pulse", "QuestionResult",
    "State", "TextAnswer",
    "active_participation", "actor_may_facilitate", "answer_key", "answer_of", "answers_to", "answer_text",
    "answers_of",
    "brake_key", "can_control", "candidates", "clean_text", "close_discussion", "create_session", "delete_plan",
    "discussion_prompt", "discussion_results", "distribution", "open_discussion", "prompt_for",
    "set_discussion_display", "shown_question", "submit_discussion_text", "check_time_limit",
    "end", "ended_sessions", "ending_note", "explain", "get_participant", "get_plan", "get_session",
    "is_open_question", "is_well_formed", "join", "leaderboard", "my_texts", "texts_to",
    "new_code", "next_question", "normalize_code", "open_question", "open_sessions",
    "participant_for_browser", "participant_for_token", "participant_for_user", "participant_results",
    "participants", "place_of", "places_by_participant", "plans_of", "points_for", "pulse", "pulses",
    "question_results",
    "remove_participant", "rename_participant", "results_csv", "results_rows", "reveal",
    "reveal_when_due", "save_plan", "session_by_code", "session_version", "set_locked", "set_text_hidden",
    "start", "state_name", "has_stage_key", "revoke_stage_keys", "session_for_stage_key",
    "stage_key", "submit_answer", "submit_text", "texts_of", "versions", "word_counts", "writers",
]  # fmt: skip
