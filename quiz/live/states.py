"""The live session's state machine: five states, the facilitator's actions, one transition table.

::

    lobby --start--> question --reveal--> revealed --next--> question ... --end--> ended
                                          revealed --discuss--> discussion --close--> revealed
                                                                discussion --next--> question

``discussion`` is a revealed question whose discussion prompt collects the room's short texts;
``close`` (or ``next``) ends the collection. ``end`` works from every state but ``ended``.
Every other pair of state and action is refused
(``tests/test_live_states.py`` tries them all). The actions that are not moves (lock the room,
rename or remove a participant, hide a text answer) work in any state before the end.
"""

from __future__ import annotations

from enum import StrEnum

from quiz.i18n import t

from .errors import LiveError


class State(StrEnum):
    LOBBY = "lobby"
    QUESTION = "question"
    REVEALED = "revealed"
    DISCUSSION = "discussion"
    ENDED = "ended"


class Action(StrEnum):
    START = "start"
    REVEAL = "reveal"
    NEXT = "next"
    DISCUSS = "discuss"
    CLOSE = "close"
    END = "end"


TRANSITIONS: dict[tuple[State, Action], State] = {
    (State.LOBBY, Action.START): State.QUESTION,
    (State.LOBBY, Action.END): State.ENDED,
    (State.QUESTION, Action.REVEAL): State.REVEALED,
    (State.QUESTION, Action.END): State.ENDED,
    (State.REVEALED, Action.NEXT): State.QUESTION,
    (State.REVEALED, Action.DISCUSS): State.DISCUSSION,
    (State.REVEALED, Action.END): State.ENDED,
    (State.DISCUSSION, Action.CLOSE): State.REVEALED,
    (State.DISCUSSION, Action.NEXT): State.QUESTION,
    (State.DISCUSSION, Action.END): State.ENDED,
}

# The states in which the current question is on screen with its answer shown.
SHOWN_ANSWER = frozenset({State.REVEALED, State.DISCUSSION})


def allowed(state: State, action: Action) -> bool:
    return (State(state), Action(action)) in TRANSITIONS


def after(state: State, action: Action) -> State:
    """The state ``action`` leads to from ``state``; :class:`quiz.live.LiveError` when it may not."""
    try:
        return TRANSITIONS[(State(state), Action(action))]
    except KeyError:
        raise LiveError("live.wrong_state", state=state_name(state)) from None


def state_name(state: State) -> str:
    """The state in words (»i lobbyen«, »i gang« …), in the current language."""
    return t(f"live.state.{State(state).value}")
