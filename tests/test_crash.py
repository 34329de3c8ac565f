"""A server killed with ``kill -9`` in the middle of a live session loses nothing it acknowledged.

The story: ten phones (half signed in) and a facilitator run a live quiz against a real ``streamlit
run serve.py``, and a learner is half-way through a quiz. While phones are sending answers, the
server is killed (no shutdown code runs). It is started again on the same progress.db: every answer
a phone was told "Dit svar er modtaget" for is stored, ``PRAGMA integrity_check`` is ok, the phones
rejoin with the token in their URL and finish the quiz, and the learner resumes where they were.
"""

from __future__ import annotations

import asyncio
import random

import pytest

from quiz.people import auth
from quiz.store import create_user, open_db, set_user_role_key
from quiz_devtools.loadtest.actors import UI, FacilitatorScreen, Learner, Phone
from quiz_devtools.loadtest.driver import lost_answers, prepare_room
from quiz_devtools.loadtest.server import AppServer, free_port

pytestmark = pytest.mark.slow

PHONES = 10
TIMEOUT = 60.0


def _integrity(db_path) -> str:
    db = open_db(db_path, migrate=False)
    try:
        return db.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        db.close()


def _answers_of_attempt(db_path, user_id: int) -> tuple[int, int]:
    """(answers stored, position) of the person's unfinished quiz."""
    db = open_db(db_path, migrate=False)
    try:
        attempt_id, position = db.execute(
            "SELECT id, position FROM attempts WHERE user_id = ? AND finished_at IS NULL ORDER BY id DESC LIMIT 1",
            [user_id],
        ).fetchone()
        (count,) = db.execute("SELECT COUNT(*) FROM answers WHERE attempt_id = ?", [attempt_id]).fetchone()
        return count, position
    finally:
        db.close()


async def _answer_all(phones: list[Phone], index: int, rng: random.Random) -> None:
    async def one(phone: Phone) -> None:
        await phone.wait_for_question(index, timeout=TIMEOUT)
        await phone.answer(index, rng, timeout=TIMEOUT)

    await asyncio.gather(*(one(p) for p in phones))


async def _before_the_crash(server: AppServer, room, phones, learner: Learner, rng) -> None:
    screen = FacilitatorScreen(server.url, room.session_id, room.facilitator_token)
    await screen.open(timeout=TIMEOUT)
    await asyncio.gather(*(p.join(timeout=TIMEOUT) for p in phones))
    await screen.press(UI["start"])
    await _answer_all(phones, 0, rng)
    assert await screen.watch_answers(0, PHONES, timeout=TIMEOUT) == PHONES
    await screen.press(UI["reveal"])
    await screen.press(UI["next"])
    await _answer_all(phones[: PHONES // 2], 1, rng)

    await learner.open(timeout=TIMEOUT)
    await learner.start_quiz()
    for _ in range(2):
        await learner.answer_current(rng)

    # The rest answer question 2 while the server dies under them.
    async def answer_late(phone: Phone) -> None:
        await phone.wait_for_question(1, timeout=TIMEOUT)
        await asyncio.sleep(rng.uniform(0, 0.3))
        await phone.answer(1, rng, timeout=5)

    pending = [asyncio.ensure_future(answer_late(p)) for p in phones[PHONES // 2 :]]
    await asyncio.sleep(0.15)
    server.kill()
    await asyncio.gather(*pending, return_exceptions=True)
    for actor in (*phones, learner, screen):
        await actor.close()


async def _after_the_restart(server: AppServer, room, phones, learner: Learner, rng) -> None:
    for phone in phones:
        phone.base_url = server.url
    learner.base_url = server.url
    await asyncio.gather(*(p.join(timeout=TIMEOUT) for p in phones))  # by the token in the URL
    for phone in phones:
        assert phone.client.find_widget(UI["join_name"]) is None, "a rejoining phone must not see the join form"

    screen = FacilitatorScreen(server.url, room.session_id, room.facilitator_token)
    await screen.open(timeout=TIMEOUT)
    await _answer_all(phones, 1, rng)
    assert await screen.watch_answers(1, PHONES, timeout=TIMEOUT) == PHONES
    await screen.press(UI["reveal"])
    await screen.press(UI["next"])
    await _answer_all(phones, 2, rng)
    assert await screen.watch_answers(2, PHONES, timeout=TIMEOUT) == PHONES
    await screen.press(UI["reveal"])
    await screen.press(UI["finish"])
    await asyncio.gather(*(p.client.wait_for_text(UI["ended"], timeout=TIMEOUT) for p in phones))

    await learner.open(timeout=TIMEOUT)
    assert any(UI["resume"] in t for t in learner.client.texts()), learner.client.texts()
    assert (await learner.answer_current(rng)).endswith("-2"), "the learner goes on with question 3"

    for actor in (*phones, learner, screen):
        assert not actor.client.exceptions, actor.client.exceptions
        await actor.close()


def test_kill_9_mid_session_loses_no_acknowledged_answer_and_everyone_carries_on(tmp_path):
    rng = random.Random(6)
    db_path = tmp_path / "progress.db"
    room = prepare_room(db_path, participants=PHONES, questions=3, signed_in_share=0.5, seed=6)
    db = open_db(db_path)
    learner_user = create_user(db, "lene", "Lene Læring", "hemmelig123")
    set_user_role_key(db, learner_user.id, "medarbejder")
    learner = Learner("", auth.create_session(db, learner_user.id))
    db.close()
    phones = [
        Phone(number=n + 1, base_url="", code=room.code, session_id=room.session_id, user_token=token)
        for n, token in enumerate(room.participant_tokens)
    ]
    port = free_port()

    with AppServer(db_path, port=port, log_path=tmp_path / "server-1.log") as server:
        for phone in phones:
            phone.base_url = server.url
        learner.base_url = server.url
        asyncio.run(_before_the_crash(server, room, phones, learner, rng))
        assert server.proc.poll() is not None, "the server was killed"

    acknowledged = sum(len(p.acks) for p in phones)
    assert acknowledged >= PHONES + PHONES // 2
    assert _integrity(db_path) == "ok"
    assert lost_answers(db_path, room.session_id, phones) == []
    assert _answers_of_attempt(db_path, learner_user.id) == (2, 2)

    with AppServer(db_path, port=port, log_path=tmp_path / "server-2.log") as server:
        asyncio.run(_after_the_restart(server, room, phones, learner, rng))

    assert _integrity(db_path) == "ok"
    assert lost_answers(db_path, room.session_id, phones) == []
    assert all(set(p.acks) == {0, 1, 2} for p in phones)
