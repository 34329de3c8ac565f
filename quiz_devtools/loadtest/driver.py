"""``python -m quiz loadtest``: one live session with N phones against a real server, timed.

The room is set up directly in a fresh progress.db (a facilitator, signed-in participants with
sign-in cookies, a live session that allows anonymous participants). Then, against ``streamlit run
serve.py`` on 127.0.0.1, the phones (plain HTTP/SSE clients of the lean pages,
:mod:`quiz_devtools.loadtest.phones`) join over the first ``join_seconds`` (randomly spread; some
signed in, the others typing a name; each from an address of its own behind the trusted loopback
proxy), follow the room's stream, and answer each question at a random moment within
``answer_window`` seconds. The stage follows its own stream. The facilitator moves the session
through :mod:`quiz.live` directly (the control page is a Streamlit page, not what is measured here):
start when everyone has joined, reveal when all have answered (or after a timeout), next, end.

Reported (JSON): question shown, acknowledgement, the stage's count and the end on every screen
(latencies), errors, answers acknowledged but missing from progress.db, the server's CPU time (also
per phone and question) and memory, and the bytes of a cold join.
"""

from __future__ import annotations

import asyncio
import random
import resource
import secrets
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from quiz import live
from quiz.learning.quizzes import QuizSpec, draw_questions
from quiz.people import auth
from quiz.plugins import get_registry
from quiz.store import create_user, open_db, to_iso, transaction, utcnow
from quiz_devtools.loadtest.cluster import Cluster
from quiz_devtools.loadtest.phones import LeanPhone, StageScreen, transport
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
    facilitator_id: int = 0
    stage_key: str = ""


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
            facilitator_id=facilitator.id,
            stage_key=live.stage_key(db, session.id, actor_id=facilitator.id),
            participant_tokens=tokens,
        )
    finally:
        db.close()


@dataclass
class _Run:
    """What the phones and the facilitator share while the session runs."""

    phones: list[LeanPhone]
    errors: list[str]
    joined: int = 0
    failed: int = 0
    late: int = 0
    probe: Callable[[], float] | None = None  # the server's CPU seconds so far
    cpu_marks: dict[str, float] = field(default_factory=dict)

    def mark(self, name: str) -> None:
        """Note the server's CPU seconds now, to split them into the joins and the questions."""
        if self.probe is not None:
            self.cpu_marks[name] = self.probe()

    def alive(self) -> int:
        return len(self.phones) - self.failed

    def error(self, who: str, exc: BaseException | str) -> None:
        text = exc if isinstance(exc, str) else f"{type(exc).__name__}: {exc}"
        self.errors.append(f"{who}: {text}")


def address(number: int) -> str:
    """Phone ``number``'s own address (10.x.y.z), as the trusted proxy reports it."""
    return f"10.{(number >> 16) & 255}.{(number >> 8) & 255}.{number & 255}"


async def _phone_life(run: _Run, phone: LeanPhone, *, delay: float, questions: int, window: float, rng, timeout: float):
    await asyncio.sleep(delay)
    try:
        await phone.join()
    except Exception:
        run.failed += 1
        raise
    run.joined += 1
    follower = asyncio.create_task(phone.follow())
    try:
        for index in range(questions):
            while index not in phone.seen_at and phone.ended_at is None:
                phone.arrived.clear()
                if index in phone.seen_at or phone.ended_at is not None:
                    break
                if follower.done():
                    raise follower.exception() or RuntimeError("the stream ended early")
                await asyncio.wait_for(phone.arrived.wait(), timeout * 4)
            if phone.ended_at is not None:
                break
            await asyncio.sleep(rng.uniform(0, window))
            try:
                await phone.answer(index, rng.randrange(4))
            except RuntimeError as exc:
                if "(409)" not in str(exc):
                    raise
                run.late += 1  # revealed meanwhile: refused in words, not an error
        await asyncio.wait_for(follower, timeout * 4)
    finally:
        follower.cancel()


def _move(db_path: Path, action, session_id: int, actor_id: int) -> None:
    db = open_db(db_path, migrate=False)
    try:
        action(db, session_id, actor_id=actor_id)
    finally:
        db.close()


async def _facilitator_life(
    run: _Run, room: Room, opened: dict[int, float], ends: list[float], *, join_seconds: float, window: float,
    timeout: float,
) -> None:  # fmt: skip
    deadline = time.perf_counter() + join_seconds + timeout
    while run.joined + run.failed < len(run.phones) and time.perf_counter() < deadline:
        await asyncio.sleep(0.2)
    await asyncio.sleep(1.0)  # the last phones' streams are open
    run.mark("questions")
    for index in range(room.questions):
        action = live.start if index == 0 else live.next_question
        opened[index] = time.perf_counter()  # the click: what the phones wait for includes its commit
        await asyncio.to_thread(_move, room.db_path, action, room.session_id, room.facilitator_id)
        until = opened[index] + window + timeout
        while time.perf_counter() < until:
            if sum(1 for p in run.phones if index in p.acks) >= run.joined - run.failed:
                break
            await asyncio.sleep(0.1)
        await asyncio.to_thread(_move, room.db_path, live.reveal, room.session_id, room.facilitator_id)
        await asyncio.sleep(0.5)
    ends.append(time.perf_counter())  # the end is committed first; recording progress comes after
    await asyncio.to_thread(_move, room.db_path, live.end, room.session_id, room.facilitator_id)


async def run_room(
    room: Room, url: str, *, join_seconds: float, answer_window: float, seed: int = 1, timeout: float = 60.0,
    probe: Callable[[], float] | None = None,
) -> tuple[_Run, StageScreen, dict[int, float], float | None]:  # fmt: skip
    """Play the whole session against the server at ``url``; bounded in time.

    ``probe`` (the server's CPU seconds so far) is read when the first question starts and when
    every screen has the end, so the report can split the server's work into joins and questions.
    """
    rng = random.Random(seed)
    phones = [
        LeanPhone(n + 1, url, room.code, transport(), user_token=token, address=address(n + 1))
        for n, token in enumerate(room.participant_tokens)
    ]
    run = _Run(phones=phones, errors=[], probe=probe)
    stage = StageScreen(f"{url}/storskaerm/{room.stage_key}/strom")
    opened: dict[int, float] = {}
    ends: list[float] = []
    limit = join_seconds + room.questions * (answer_window + 2 * timeout) + 2 * timeout
    stage_task = asyncio.create_task(stage.follow())
    phone_tasks = [
        _phone_life(
            run, phone, delay=rng.uniform(0, join_seconds), questions=room.questions, window=answer_window,
            rng=random.Random(rng.random()), timeout=timeout,
        )
        for phone in phones
    ]  # fmt: skip
    facilitator = _facilitator_life(
        run, room, opened, ends, join_seconds=join_seconds, window=answer_window, timeout=timeout
    )
    results = await gather_bounded([facilitator, *phone_tasks], timeout=limit)
    run.mark("ended")
    if isinstance(results[0], BaseException):
        run.errors.insert(0, f"facilitator: {type(results[0]).__name__}: {results[0]}")
    for phone, result in zip(phones, results[1:], strict=True):
        if isinstance(result, BaseException):
            run.error(phone.name, result)
    try:
        await asyncio.wait_for(stage_task, 5)
    except (TimeoutError, httpx.HTTPError) as exc:
        run.error("stage", exc)
    for phone in phones:
        await phone.pool.aclose()
    return run, stage, opened, ends[0] if ends else None


async def gather_bounded(tasks, *, timeout: float) -> list:
    """Run every coroutine; after ``timeout`` seconds the unfinished ones are cancelled (and reported)."""
    running = [asyncio.ensure_future(t) for t in tasks]
    done, pending = await asyncio.wait(running, timeout=timeout)
    for task in pending:
        task.cancel()
    results = []
    for task in running:
        if task in pending:
            results.append(TimeoutError("did not finish in time"))
        elif task.cancelled():
            results.append(TimeoutError("cancelled"))
        else:
            results.append(task.exception() or task.result())
    return results


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


def participant_ids(db_path: Path, phones: list[LeanPhone]) -> dict[int, int]:
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


def lost_answers(db_path: Path, session_id: int, phones: list[LeanPhone]) -> list[tuple[int, int]]:
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
    db_path: Path, session_id: int, phones: list[LeanPhone], counts: dict[int, list[tuple[float, int]]]
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
    process, directly (loopback is then the trusted proxy, so each phone's ``X-Forwarded-For``
    address counts as its own for the join brakes).
    """
    began = time.perf_counter()
    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    env = {"QUIZ_TRUSTED_PROXIES": "127.0.0.1/32"}
    with tempfile.TemporaryDirectory(prefix="quiz-loadtest-", dir=workdir) as tmp:
        db_path = Path(tmp) / "progress.db"
        room = prepare_room(
            db_path, participants=participants, questions=questions, signed_in_share=signed_in_share, seed=seed,
            timer_seconds=timer_seconds, open_question=open_question,
        )  # fmt: skip
        if processes:
            server = Cluster(db_path, processes=processes, workdir=tmp, options=server_options, env=env)
        else:
            server = AppServer(db_path, port=port, options=server_options, env=env)
        with server:

            def cpu_now() -> float:
                return _server_stats(server, processes)["cpu_s"]

            _wait_until_idle(cpu_now)
            idle = _server_stats(server, processes)
            run, stage, opened, ended = asyncio.run(
                run_room(
                    room, server.url, join_seconds=join_seconds, answer_window=answer_window, seed=seed,
                    probe=cpu_now,
                )
            )  # fmt: skip
            stats = _server_stats(server, processes)
            tracebacks = server.tracebacks()
        lost = lost_answers(db_path, room.session_id, run.phones)
        delays = _facilitator_delays(db_path, room.session_id, run.phones, stage.counts)
    cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    acks = [s for p in run.phones for s in p.acks.values()]
    seen = [p.seen_at[i] - opened[i] for p in run.phones for i in p.seen_at if i in opened]
    firsts = {i: min((p.seen_at[i] for p in run.phones if i in p.seen_at), default=None) for i in opened}
    first = [at - opened[i] for i, at in firsts.items() if at is not None]
    ends = [p.ended_at - ended for p in run.phones if ended is not None and p.ended_at is not None]
    if ended is not None and stage.ended_at is not None:
        ends.append(stage.ended_at - ended)
    ack_ms = summary_ms(acks, points=(50, 95, 99))
    cpu = stats["cpu_s"] - idle["cpu_s"]
    phone_questions = max(1, run.joined * room.questions)
    marks = run.cpu_marks
    join_cpu = marks.get("questions", stats["cpu_s"]) - idle["cpu_s"]
    question_cpu = marks.get("ended", stats["cpu_s"]) - marks.get("questions", idle["cpu_s"])
    return {
        "participants": participants,
        "questions": room.questions,
        "joined": run.joined,
        "answers_acknowledged": len(acks),
        "live_ack_p50_ms": ack_ms["p50"],
        "live_ack_p95_ms": ack_ms["p95"],
        "live_ack_p99_ms": ack_ms["p99"],
        "question_shown_ms": summary_ms(seen, points=(50, 95, 99)),
        "question_shown_first_ms": summary_ms(first),
        "projector_count_ms": summary_ms(delays, points=(50, 95, 99)),
        "facilitator_update_ms": summary_ms(delays),
        "end_shown_ms": summary_ms(ends, points=(50, 95, 100)),
        "end_missing": sum(1 for p in run.phones if p.joined and p.ended_at is None) + (stage.ended_at is None),
        "errors": len(run.errors),
        "stream_reconnects": sum(p.reconnects for p in run.phones),
        "answers_resent": sum(p.resent for p in run.phones),
        "own_part_missing": sum(1 for p in run.phones if p.joined and p.own is None),
        "error_samples": run.errors[:10],
        "late_answers": run.late,
        "lost_answers": len(lost),
        "join_bytes_cold": run.phones[0].join_bytes if run.phones else None,
        "server_cpu_s": round(cpu, 2),
        # The kernel's part (system time): on loopback it includes the phones' side of each TCP send.
        "server_cpu_system_s": round(stats.get("system_s", 0.0) - idle.get("system_s", 0.0), 2),
        "server_cpu_join_s": round(join_cpu, 2),
        "server_cpu_join_ms_per_phone": round(1000 * join_cpu / max(1, run.joined), 3),
        "server_cpu_questions_s": round(question_cpu, 2),
        "server_cpu_ms_per_phone_question": round(1000 * question_cpu / phone_questions, 3),
        "server_cpu_all_ms_per_phone_question": round(1000 * cpu / phone_questions, 3),
        "server_peak_rss_mb": stats["peak_rss_mb"],
        **({"processes": processes, "per_process": stats.get("per_process")} if processes else {}),
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


def _server_stats(server, processes: int) -> dict:
    if not processes:
        return server.stats()
    each = server.stats()
    return {
        "cpu_s": round(sum(s["cpu_s"] for s in each), 2),
        "system_s": round(sum(s.get("system_s", 0.0) for s in each), 2),
        "peak_rss_mb": max(s["peak_rss_mb"] for s in each),
        "per_process": each,
    }


def _wait_until_idle(cpu_s: Callable[[], float], *, limit: float = 60.0) -> None:
    """Until the server used under 20 ms of CPU in half a second (its start-up work, e.g. compressing
    Streamlit's bundle in the background, is then not counted as the room's)."""
    deadline = time.monotonic() + limit
    before = cpu_s()
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = cpu_s()
        if now - before < 0.02:
            return
        before = now
