"""``python -m quiz loadtest``: one live session with N phones against a real server, timed.

The room is set up directly in a fresh progress.db (a facilitator, signed-in participants with
sign-in cookies, a live session that allows anonymous participants). Then, against ``streamlit run
app.py`` on 127.0.0.1, the phones join over the first ``join_seconds`` (randomly spread; some
signed in, the others typing a name), and for each question wait until it appears, answer at a
random moment within ``answer_window`` seconds and wait for "Dit svar er modtaget". The
facilitator's screen (a websocket client too) starts the quiz when everyone has joined, watches
the answer count, reveals when all have answered (or after a timeout) and moves on.

Reported (JSON): the acknowledgement latency, how soon the facilitator's count showed an answer,
errors, answers acknowledged but missing from progress.db, and the server's CPU time and memory.
"""

from __future__ import annotations

import asyncio
import random
import resource
import secrets
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from quiz import live
from quiz.learning.quizzes import QuizSpec, draw_questions
from quiz.people import auth
from quiz.plugins import get_registry
from quiz.store import create_user, open_db, to_iso, transaction, utcnow
from quiz_devtools.loadtest.actors import UI, FacilitatorScreen, Phone, gather_bounded
from quiz_devtools.loadtest.cluster import Cluster
from quiz_devtools.loadtest.server import AppServer
from quiz_devtools.loadtest.stats import summary_ms


@dataclass(frozen=True)
class Room:
    """A live session ready to run: its id and code, and the sign-in tokens of the people in it."""

    db_path: Path
    session_id: int
    code: str
    questions: int
    facilitator_token: str
    participant_tokens: list[str | None]  # a sign-in token, or None for an anonymous phone


def prepare_room(
    db_path: str | Path,
    *,
    participants: int,
    questions: int,
    signed_in_share: float = 0.5,
    seed: int = 1,
    timer_seconds: int | None = None,
    open_question: bool = False,
) -> Room:
    """A facilitator, ``participants`` places (a share of them signed-in accounts) and a session in the lobby.

    ``timer_seconds`` gives every question a time limit; ``open_question`` makes the second question
    an open one (short texts, a word cloud on the projector).
    """
    db = open_db(db_path)
    try:
        registry = get_registry()
        pack = next(iter(registry.packs.values()))
        facilitator = create_user(db, "facilitator", "Fie Facilitator", secrets.token_urlsafe(16), is_facilitator=True)
        rng = random.Random(seed)
        signed_in = round(participants * signed_in_share)
        # One password hash for all: hashing is slow on purpose, and nobody signs in with these.
        password_hash = auth.hash_password(secrets.token_urlsafe(16))
        roles = list(pack.chain_roles)
        with transaction(db):
            first_id = (db.execute("SELECT MAX(id) FROM users").fetchone()[0] or 0) + 1
            db["users"].insert_all(
                {
                    "id": first_id + n,
                    "username": f"konto-{n + 1:03d}",
                    "display_name": f"Konto {n + 1:03d}",
                    "password_hash": password_hash,
                    "role_key": rng.choice(roles),
                    "is_admin": 0,
                    "is_facilitator": 0,
                    "created_at": to_iso(utcnow()),
                    "last_seen_at": None,
                }
                for n in range(signed_in)
            )
        tokens: list[str | None] = [auth.create_session(db, first_id + n) for n in range(signed_in)]
        tokens += [None] * (participants - signed_in)
        rng.shuffle(tokens)
        spec = QuizSpec(pack_id=pack.id, length=questions, title="Belastningstest", seed=seed)
        drawn = None
        if open_question:
            drawn = draw_questions(spec, registry)
            drawn.insert(min(1, len(drawn)), live.open_question("Hvad tager du med fra i dag?", pack_id=pack.id))
            drawn = drawn[:questions]
        session = live.create_session(
            db, facilitator.id, spec, questions=drawn, allow_anonymous=True, timer_seconds=timer_seconds,
            registry=registry,
        )  # fmt: skip
        return Room(
            db_path=Path(db_path),
            session_id=session.id,
            code=session.code,
            questions=len(session.questions),
            facilitator_token=auth.create_session(db, facilitator.id),
            participant_tokens=tokens,
        )
    finally:
        db.close()


@dataclass
class _Run:
    """What the phones and the facilitator share while the session runs."""

    phones: list[Phone]
    errors: list[str]
    joined: int = 0
    failed: int = 0
    late: int = 0

    def alive(self) -> int:
        return len(self.phones) - self.failed

    def error(self, who: str, exc: BaseException | str) -> None:
        text = exc if isinstance(exc, str) else f"{type(exc).__name__}: {exc}"
        self.errors.append(f"{who}: {text}")


async def _phone_life(run: _Run, phone: Phone, *, delay: float, questions: int, window: float, rng, timeout: float):
    await asyncio.sleep(delay)
    step = "join"
    try:
        await phone.join(timeout=timeout)
        run.joined += 1
        for index in range(questions):
            step = f"question {index + 1}"
            await phone.wait_for_question(index, timeout=timeout + window + 60)
            await asyncio.sleep(rng.uniform(0, window))
            if await phone.answer(index, rng, timeout=timeout) is None:
                run.late += 1
        step = "end"
        await phone.client.wait_for_text(UI["ended"], timeout=timeout + window + 60)
    except Exception as exc:  # one phone's trouble is counted, and the room goes on
        run.failed += 1
        shows = phone.describe()
        run.error(f"{phone.name} ({step})", f"{type(exc).__name__}: {exc}; the phone shows: {shows}")
    finally:
        if phone.client is not None and phone.client.exceptions:
            run.error(phone.name, f"exception on page: {phone.client.exceptions[0][:200]}")
        await phone.close()


async def _facilitator_life(
    run: _Run, screen: FacilitatorScreen, opened: dict[int, float], *, questions: int, join_seconds: float,
    window: float, timeout: float,
) -> None:  # fmt: skip
    await screen.open(timeout=timeout)
    deadline = time.monotonic() + join_seconds + timeout
    while run.joined + run.failed < len(run.phones) and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
    opened[0] = time.perf_counter()
    await screen.press(UI["start"], timeout=timeout)
    for index in range(questions):
        await screen.watch_answers(index, run.alive(), timeout=window + timeout)
        # Reveal once every phone has its acknowledgement (a person would look up first, too).
        waited = time.monotonic() + timeout
        while time.monotonic() < waited and any(
            index not in p.acks and not p.client.closed.is_set() for p in run.phones if p.client is not None
        ):
            await asyncio.sleep(0.1)
        await screen.press(UI["reveal"], timeout=timeout)
        await asyncio.sleep(1.0)  # the discussion, kept short
        if index + 1 < questions:
            opened[index + 1] = time.perf_counter()
            await screen.press(UI["next"], timeout=timeout)
        else:
            await screen.press(UI["finish"], timeout=timeout)
    await screen.client.wait_for_text(UI["ended"], timeout=timeout)
    if screen.client.exceptions:
        run.error("facilitator", f"exception on page: {screen.client.exceptions[0][:200]}")


def _committed(db_path: Path, session_id: int) -> dict[tuple[int, int], str]:
    """(participant id, question index) -> answered_at of every stored live answer."""
    db = open_db(db_path, migrate=False)
    try:
        # An open question's first text counts as the answer.
        rows = db.execute(
            """
            SELECT participant_id, question_index, answered_at FROM live_answers WHERE session_id = ?
            UNION ALL
            SELECT participant_id, question_index, MIN(answered_at) FROM live_texts WHERE session_id = ?
            GROUP BY participant_id, question_index
            """,
            [session_id, session_id],
        ).fetchall()
    finally:
        db.close()
    return {(pid, index): at for pid, index, at in rows}


def participant_ids(db_path: Path, phones: list[Phone]) -> dict[int, int]:
    """Phone number -> participant id, found by the token each phone got in its URL."""
    db = open_db(db_path, migrate=False)
    try:
        found = {}
        for phone in phones:
            participant = live.participant_for_token(db, phone.token) if phone.token else None
            if participant is not None:
                found[phone.number] = participant.id
        return found
    finally:
        db.close()


def lost_answers(db_path: Path, session_id: int, phones: list[Phone]) -> list[tuple[int, int]]:
    """Acknowledged answers (phone number, question index) that progress.db does not hold."""
    stored = _committed(db_path, session_id)
    ids = participant_ids(db_path, phones)
    return [
        (phone.number, index)
        for phone in phones
        for index in phone.acks
        if (ids.get(phone.number), index) not in stored
    ]


def _facilitator_delays(
    db_path: Path, session_id: int, phones: list[Phone], counts: dict[int, list[tuple[float, int]]]
) -> list[float]:
    """Per acknowledged answer: seconds from sending it until the facilitator's count included it.

    The k-th answer stored (by its time in progress.db) is counted once the screen shows k or more.
    """
    stored = _committed(db_path, session_id)
    ids = participant_ids(db_path, phones)
    by_participant = {ids[p.number]: p for p in phones if p.number in ids}
    delays = []
    for index, seen in counts.items():
        order = sorted((at, pid) for (pid, i), at in stored.items() if i == index)
        for rank, (_, pid) in enumerate(order, start=1):
            phone = by_participant.get(pid)
            if phone is None or index not in phone.sent_at:
                continue
            shown = next((t for t, count in seen if count >= rank), None)
            if shown is not None:
                delays.append(max(0.0, shown - phone.sent_at[index]))
    return delays


async def run_room(
    room: Room, url: str, *, join_seconds: float, answer_window: float, seed: int = 1, timeout: float = 60.0
) -> tuple[_Run, FacilitatorScreen, dict[int, float]]:
    """Play the whole session against the server at ``url``; bounded in time."""
    rng = random.Random(seed)
    phones = [
        Phone(number=n + 1, base_url=url, code=room.code, session_id=room.session_id, user_token=token)
        for n, token in enumerate(room.participant_tokens)
    ]
    run = _Run(phones=phones, errors=[])
    screen = FacilitatorScreen(url, room.session_id, room.facilitator_token)
    opened: dict[int, float] = {}
    limit = join_seconds + room.questions * (answer_window + 2 * timeout) + 2 * timeout
    phone_tasks = [
        _phone_life(
            run, phone, delay=rng.uniform(0, join_seconds), questions=room.questions, window=answer_window,
            rng=random.Random(rng.random()), timeout=timeout,
        )
        for phone in phones
    ]  # fmt: skip
    facilitator = _facilitator_life(
        run, screen, opened, questions=room.questions, join_seconds=join_seconds, window=answer_window, timeout=timeout
    )
    results = await gather_bounded([facilitator, *phone_tasks], timeout=limit)
    if isinstance(results[0], BaseException):
        shows = " | ".join(t[:60] for t in screen.client.texts()[-4:]) if screen.client is not None else ""
        run.errors.insert(0, f"facilitator: {type(results[0]).__name__}: {results[0]}; the screen shows: {shows}")
    for phone, result in zip(phones, results[1:], strict=True):
        if isinstance(result, BaseException):
            run.error(phone.name, result)
    await screen.close()
    return run, screen, opened


def run_loadtest(
    *,
    participants: int,
    questions: int,
    port: int | None = None,
    join_seconds: float = 60.0,
    answer_window: float = 10.0,
    signed_in_share: float = 0.5,
    seed: int = 1,
    server_options: dict[str, str] | None = None,
    workdir: str | Path | None = None,
    processes: int = 0,
    timer_seconds: int | None = None,
    open_question: bool = False,
) -> dict:
    """Set up a fresh database, start the server, play the session, stop the server; the report as a dict.

    ``processes`` ≥ 1: that many app processes behind Debian's nginx with the production site of
    deploy/ (:mod:`quiz_devtools.loadtest.cluster`), the phones going through nginx; 0: one
    process, directly.
    """
    began = time.perf_counter()
    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    with tempfile.TemporaryDirectory(prefix="quiz-loadtest-", dir=workdir) as tmp:
        db_path = Path(tmp) / "progress.db"
        room = prepare_room(
            db_path, participants=participants, questions=questions, signed_in_share=signed_in_share, seed=seed,
            timer_seconds=timer_seconds, open_question=open_question,
        )  # fmt: skip
        spread: dict[str, int] = {}
        if processes:
            server = Cluster(db_path, processes=processes, workdir=tmp, options=server_options)
        else:
            server = AppServer(db_path, port=port, options=server_options)
        with server:
            run, screen, opened = asyncio.run(
                run_room(room, server.url, join_seconds=join_seconds, answer_window=answer_window, seed=seed)
            )
            if processes:
                each = server.stats()
                stats = {
                    "cpu_s": round(sum(s["cpu_s"] for s in each), 2),
                    "peak_rss_mb": max(s["peak_rss_mb"] for s in each),
                }
                stats["per_process"] = each
                spread = server.websockets_per_process()
            else:
                stats = server.stats()
            tracebacks = server.tracebacks()
        lost = lost_answers(db_path, room.session_id, run.phones)
        delays = _facilitator_delays(db_path, room.session_id, run.phones, screen.counts)
    cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    acks = [s for p in run.phones for s in p.acks.values()]
    seen = [p.seen_at[i] - opened[i] for p in run.phones for i in p.seen_at if i in opened]
    # The first phone of each question: what the click and the push cost before the fan-out begins.
    firsts = {i: min((p.seen_at[i] for p in run.phones if i in p.seen_at), default=None) for i in opened}
    first = [at - opened[i] for i, at in firsts.items() if at is not None]
    ack_ms = summary_ms(acks, points=(50, 95, 99))
    return {
        "participants": participants,
        "questions": room.questions,
        "joined": run.joined,
        "answers_acknowledged": len(acks),
        "live_ack_p50_ms": ack_ms["p50"],
        "live_ack_p95_ms": ack_ms["p95"],
        "live_ack_p99_ms": ack_ms["p99"],
        "facilitator_update_ms": summary_ms(delays),
        "question_shown_ms": summary_ms(seen),
        "question_shown_first_ms": summary_ms(first),
        "errors": len(run.errors),
        "error_samples": run.errors[:10],
        "late_answers": run.late,
        "lost_answers": len(lost),
        "server_cpu_s": stats["cpu_s"],
        "server_peak_rss_mb": stats["peak_rss_mb"],
        **(
            {"processes": processes, "per_process": stats["per_process"], "websockets_per_process": spread}
            if processes
            else {}
        ),
        "client_cpu_s": round(cpu_after.ru_utime + cpu_after.ru_stime - cpu_before.ru_utime - cpu_before.ru_stime, 2),
        "duration_s": round(time.perf_counter() - began, 1),
        "settings": {
            "join_seconds": join_seconds,
            "answer_window": answer_window,
            "signed_in_share": signed_in_share,
            "seed": seed,
            "timer_seconds": timer_seconds,
            "open_question": open_question,
            "server_options": server_options or {},
        },
        "server_tracebacks": len(tracebacks),
        **({"server_traceback_sample": tracebacks[0]} if tracebacks else {}),
    }
