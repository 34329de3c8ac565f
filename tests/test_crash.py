"""A server killed with ``kill -9`` in the middle of a live session loses nothing it acknowledged.

The story: ten phones (half signed in) on the lean phone page and a facilitator run a live quiz
against a real ``streamlit run serve.py``, and a learner is half-way through a quiz. While phones
are sending answers, the server is killed (no shutdown code runs). It is started again on the same
progress.db: every answer a phone was told "Dit svar er modtaget" for is stored, ``PRAGMA
integrity_check`` is ok, the phones find their place again by their participant cookie (the
browser's stream reconnects by itself) and finish the quiz, and the learner resumes where they were.
"""

from __future__ import annotations

import asyncio
import random

import pytest

from quiz import live
from quiz.people import auth
from quiz.store import create_user, open_db, set_user_role_key
from quiz_devtools.loadtest.actors import UI, Learner
from quiz_devtools.loadtest.driver import _move, address, lost_answers, prepare_room
from quiz_devtools.loadtest.phones import LeanPhone, page, transport, wait_for_question
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


async def _answer_all(phones: list[LeanPhone], index: int, rng: random.Random) -> None:
    async def one(phone: LeanPhone) -> None:
        await wait_for_question(phone, index, timeout=TIMEOUT)
        await phone.answer(index, rng.randrange(4))

    await asyncio.gather(*(one(p) for p in phones))


async def _move_room(room, action) -> None:
    await asyncio.to_thread(_move, room.db_path, action, room.session_id, room.facilitator_id)


async def _before_the_crash(server: AppServer, room, phones, learner: Learner, rng) -> None:
    await asyncio.gather(*(p.join() for p in phones))
    streams = [asyncio.ensure_future(p.follow()) for p in phones]
    await asyncio.sleep(0.5)
    await _move_room(room, live.start)
    await _answer_all(phones, 0, rng)
    await _move_room(room, live.reveal)
    await _move_room(room, live.next_question)
    await _answer_all(phones[: PHONES // 2], 1, rng)

    await learner.open(timeout=TIMEOUT)
    await learner.start_quiz()
    for _ in range(2):
        await learner.answer_current(rng)

    # The rest answer question 2 while the server dies under them.
    async def answer_late(phone: LeanPhone) -> None:
        await wait_for_question(phone, 1, timeout=TIMEOUT)
        await asyncio.sleep(rng.uniform(0, 0.3))
        await phone.answer(1, rng.randrange(4))

    pending = [asyncio.ensure_future(answer_late(p)) for p in phones[PHONES // 2 :]]
    await asyncio.sleep(0.15)
    server.kill()
    await asyncio.gather(*pending, *streams, return_exceptions=True)
    await learner.close()


async def _after_the_restart(server: AppServer, room, phones, learner: Learner, rng) -> None:
    learner.base_url = server.url
    for phone in phones:
        shown = await page(phone)
        assert 'name="navn"' not in shown, "a phone coming back must not see the join form"
        assert "Spørgsmål 2 af 3" in shown, "it shows the open question again by itself"
        phone.ended_at = None
    streams = [asyncio.ensure_future(p.follow()) for p in phones]  # EventSource reconnects
    await _answer_all(phones, 1, rng)
    await _move_room(room, live.reveal)
    await _move_room(room, live.next_question)
    await _answer_all(phones, 2, rng)
    await _move_room(room, live.reveal)
    await _move_room(room, live.end)
    await asyncio.wait_for(asyncio.gather(*streams), TIMEOUT)
    assert all(p.ended_at is not None for p in phones), "every phone shows the end"

    await learner.open(timeout=TIMEOUT)
    assert any(UI["resume"] in t for t in learner.client.texts()), learner.client.texts()
    assert (await learner.answer_current(rng)).endswith("-2"), "the learner goes on with question 3"
    assert not learner.client.exceptions, learner.client.exceptions
    await learner.close()


def test_kill_9_mid_session_loses_no_acknowledged_answer_and_everyone_carries_on(tmp_path):
    rng = random.Random(6)
    db_path = tmp_path / "progress.db"
    room = prepare_room(db_path, participants=PHONES, questions=3, signed_in_share=0.5, seed=6)
    db = open_db(db_path)
    learner_user = create_user(db, "lene", "Lene Læring", "hemmelig123")
    set_user_role_key(db, learner_user.id, "medarbejder")
    learner = Learner("", auth.create_session(db, learner_user.id))
    db.close()
    port = free_port()

    async def play(run) -> None:
        pool = transport(4 * PHONES)
        try:
            await run(pool)
        finally:
            await pool.aclose()

    phones: list[LeanPhone] = []
    with AppServer(db_path, port=port, log_path=tmp_path / "server-1.log") as server:
        learner.base_url = server.url

        async def first(pool) -> None:
            phones.extend(
                LeanPhone(n + 1, server.url, room.code, pool, user_token=token, address=address(n + 1))
                for n, token in enumerate(room.participant_tokens)
            )
            await _before_the_crash(server, room, phones, learner, rng)

        asyncio.run(play(first))
        assert server.proc.poll() is not None, "the server was killed"

    acknowledged = sum(len(p.acks) for p in phones)
    assert acknowledged >= PHONES + PHONES // 2
    assert _integrity(db_path) == "ok"
    assert lost_answers(db_path, room.session_id, phones) == []
    assert _answers_of_attempt(db_path, learner_user.id) == (2, 2)

    with AppServer(db_path, port=port, log_path=tmp_path / "server-2.log") as server:

        async def second(pool) -> None:
            for phone in phones:  # the same phones, their cookies kept, on a new connection pool
                phone.pool, phone.client, phone.arrived = pool, None, asyncio.Event()
                cookies = phone_cookies[phone.number]
                client = phone._client()
                for name, value in cookies.items():
                    client.cookies.set(name, value)
            await _after_the_restart(server, room, phones, learner, rng)

        phone_cookies = {p.number: dict(p.client.cookies) for p in phones}
        asyncio.run(play(second))

    assert _integrity(db_path) == "ok"
    assert lost_answers(db_path, room.session_id, phones) == []
    assert all(set(p.acks) == {0, 1, 2} for p in phones)
