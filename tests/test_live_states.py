"""The live session's state machine: every pair of state and action, in the table and through the database."""

from __future__ import annotations

import itertools

import pytest

from quiz import live
from quiz.learning.quizzes import QuizSpec
from quiz.live import Action, State
from quiz.store import create_user

SPEC = QuizSpec(pack_id="mini", length=2, types=["place"], seed=3)
PROMPTS = ["Hvad betyder udsagnet for jer?"]
EXPECTED = {
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


@pytest.mark.parametrize(("state", "action"), list(itertools.product(State, Action)))
def test_every_pair_of_state_and_action_is_allowed_or_refused_by_the_one_table(state, action):
    if (state, action) in EXPECTED:
        assert live.states.after(state, action) == EXPECTED[(state, action)]
    else:
        with pytest.raises(live.LiveError, match="Det kan ikke lade sig gøre lige nu"):
            live.states.after(state, action)
    assert live.TRANSITIONS == EXPECTED


def _to(db, registry, boss, state: State) -> live.LiveSession:
    made = live.create_session(db, boss.id, SPEC, allow_anonymous=True, registry=registry)
    if state == State.LOBBY:
        return made
    current = live.start(db, made.id, actor_id=boss.id)
    if state in (State.REVEALED, State.DISCUSSION):
        current = live.reveal(db, made.id, actor_id=boss.id, registry=registry)
    if state == State.DISCUSSION:
        current = live.open_discussion(db, made.id, actor_id=boss.id, registry=registry)
    if state == State.ENDED:
        current = live.end(db, made.id, actor_id=boss.id, registry=registry)
    return current


ACTIONS = {
    Action.START: lambda db, sid, boss, registry: live.start(db, sid, actor_id=boss),
    Action.REVEAL: lambda db, sid, boss, registry: live.reveal(db, sid, actor_id=boss, registry=registry),
    Action.NEXT: lambda db, sid, boss, registry: live.next_question(db, sid, actor_id=boss),
    Action.DISCUSS: lambda db, sid, boss, registry: live.open_discussion(db, sid, actor_id=boss, registry=registry),
    Action.CLOSE: lambda db, sid, boss, registry: live.close_discussion(db, sid, actor_id=boss),
    Action.END: lambda db, sid, boss, registry: live.end(db, sid, actor_id=boss, registry=registry),
}


@pytest.mark.parametrize(("state", "action"), list(itertools.product(State, Action)))
def test_the_stored_session_moves_exactly_as_the_table_says(db, registry, pack, state, action):
    pack.manifest.discussion_prompts[:] = PROMPTS
    boss = create_user(db, "fie", "Fie", "hemmelig123", is_facilitator=True)
    before = _to(db, registry, boss, state)
    if (state, action) in EXPECTED:
        after = ACTIONS[action](db, before.id, boss.id, registry)
        assert after.state == EXPECTED[(state, action)] and after.version == before.version + 1
    else:
        with pytest.raises(live.LiveError):
            ACTIONS[action](db, before.id, boss.id, registry)
        unchanged = live.get_session(db, before.id)
        assert (unchanged.state, unchanged.version) == (before.state, before.version)


def test_a_facilitator_who_lost_the_role_can_no_longer_move_her_session(db, registry):
    boss = create_user(db, "fie", "Fie", "hemmelig123", is_facilitator=True)
    made = live.create_session(db, boss.id, SPEC, registry=registry)
    db["users"].update(boss.id, {"is_facilitator": 0})  # HR took the role a second ago
    with pytest.raises(live.NotAllowed):
        live.start(db, made.id, actor_id=boss.id)
    assert live.get_session(db, made.id).state == State.LOBBY
