"""Two app processes on one progress.db behind Debian's nginx (deploy/nginx/hvidovrevejen.conf), as in production.

The story, all through nginx on loopback: a learner signs in (the sign-in cookie step is an HTTP
request beside the websocket), takes a whole quiz and downloads their own data (a file Streamlit
keeps in the memory of the process that made it, so stickiness matters). Then a live session
whose lean phones are spread over both processes (four each, placed by their hv_route cookie): the
stage, on the first process, counts every answer exactly. The second process is killed with
``kill -9`` while its phones answer; their streams reconnect (nginx sends them to the surviving
process), they carry on by their participant cookie, and no acknowledged answer is lost.
"""

from __future__ import annotations

import asyncio
import html
import http.client
import json
import os
import random
import re
import time
from urllib.parse import urlsplit

import pytest
from streamlit.proto.BackMsg_pb2 import BackMsg

from quiz import live
from quiz.people import auth
from quiz.people.cookies import BROWSER_COOKIE, SESSION_COOKIE
from quiz.store import create_user, open_db, set_user_role_key
from quiz_devtools.loadtest.actors import Learner
from quiz_devtools.loadtest.client import StreamlitClient
from quiz_devtools.loadtest.cluster import ROUTE_COOKIE, Cluster, nginx_binary
from quiz_devtools.loadtest.driver import _move, address, lost_answers, prepare_room
from quiz_devtools.loadtest.phones import LeanPhone, StageScreen, page, transport, wait_for_question

pytestmark = pytest.mark.slow

PER_PROCESS = 4
TIMEOUT = 60.0


@pytest.fixture
def nginx():
    if nginx_binary() is None:
        if os.environ.get("CI"):
            pytest.fail("nginx is missing in CI: scripts/test.sh should have installed it")
        pytest.skip("nginx is not installed")


class Browser(StreamlitClient):
    """The load-test client, also keeping the answers to backend operations (deferred downloads)."""

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self.operations: dict[str, object] = {}

    def _handle(self, msg) -> None:
        super()._handle(msg)
        if msg.WhichOneof("type") == "backend_operation_response":
            self.operations[msg.backend_operation_response.request_id] = msg.backend_operation_response


def get(url: str, path: str, cookies: dict[str, str]) -> http.client.HTTPResponse:
    """One GET through nginx with these cookies, redirects not followed (as a browser's first step)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    conn.request("GET", path, headers={"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())})
    response = conn.getresponse()
    response.body = response.read()
    conn.close()
    return response


async def sign_in(url: str, route: str, username: str, password: str) -> str:
    """Sign in on /log_ind as a browser does; returns the sign-in cookie the HTTP step set.

    The browser already holds its nonce cookie (what /auth/browser gives it before sign-in), so the
    code the page hands out is bound to it and redeemed by the HTTP step on whichever process.
    """
    cookies = {ROUTE_COOKIE: route, BROWSER_COOKIE: "two-process-test-browser-nonce-01"}
    async with Browser(page_name="log_ind", cookies=cookies, name="sign-in") as page:
        await page.connect(url, timeout=TIMEOUT)
        page.stage(page.widget("signin_username"), username)
        page.stage(page.widget("signin_password"), password)
        await page.click_button("signin_submit", timeout=TIMEOUT)
        bodies = [e.html.body for _, e in page.elements() if e.WhichOneof("type") == "html"]
        to = next(html.unescape(m[1]) for b in bodies if (m := re.search(r'data-to="([^"]+)"', b)))
    assert to.startswith("/auth/session"), to
    response = get(url, to, cookies)
    assert response.status == 303, (response.status, response.body[:200])
    cookie = response.getheader("set-cookie") or ""
    found = re.search(rf"{SESSION_COOKIE}=([^;]+)", cookie)
    assert found, f"no sign-in cookie in {cookie!r}"
    return found[1]


async def take_quiz(url: str, token: str, rng: random.Random) -> int:
    learner = Learner(url, token)
    await learner.open(timeout=TIMEOUT)
    await learner.start_quiz(timeout=TIMEOUT)
    answered = 0
    while learner._open_question_prefix() is not None and answered < 30:
        await learner.answer_current(rng, timeout=TIMEOUT)
        answered += 1
    assert not learner.client.exceptions, learner.client.exceptions
    await learner.close()
    return answered


async def download_own_data(url: str, route: str, token: str) -> dict:
    cookies = {ROUTE_COOKIE: route, SESSION_COOKIE: token}
    async with Browser(page_name="profil", cookies=cookies, name="profile") as page:
        await page.connect(url, timeout=TIMEOUT)
        button = page.widget("download_records")
        ask = BackMsg()
        ask.backend_operation_request.request_id = "download-1"
        ask.backend_operation_request.session_id = page.session_id
        ask.backend_operation_request.deferred_file.file_id = button.proto.deferred_file_id
        await page.send_backmsg(ask)
        await page.wait_for(lambda c: "download-1" in c.operations, TIMEOUT)
        answer = page.operations["download-1"]
        assert not answer.error_msg, answer.error_msg
        response = get(url, answer.deferred_file.url, cookies)  # served by the process that made it
    assert response.status == 200, (response.status, response.body[:200])
    return json.loads(response.body)


async def answer_all(phones: list[LeanPhone], index: int, rng: random.Random) -> None:
    async def one(phone: LeanPhone) -> None:
        if index in phone.acks:
            return
        await wait_for_question(phone, index, timeout=TIMEOUT)
        await phone.answer(index, rng.randrange(4))

    await asyncio.gather(*(one(p) for p in phones))


async def until_counted(stage: StageScreen, index: int, people: int) -> int:
    for _ in range(int(TIMEOUT * 10)):
        if stage.answered(index) >= people:
            break
        await asyncio.sleep(0.1)
    return stage.answered(index)


async def move(room, action) -> None:
    await asyncio.to_thread(_move, room.db_path, action, room.session_id, room.facilitator_id)


async def live_session(cluster: Cluster, room, routes: list[list[str]], rng: random.Random) -> list[LeanPhone]:
    pool = transport(64)
    phones = [
        LeanPhone(n + 1, cluster.url, room.code, pool, user_token=token, address=address(n + 1))
        for n, token in enumerate(room.participant_tokens)
    ]
    first, second = phones[:PER_PROCESS], phones[PER_PROCESS:]
    for phone, route in zip(phones, routes[0][:PER_PROCESS] + routes[1][:PER_PROCESS], strict=True):
        phone._client().cookies.set(ROUTE_COOKIE, route)  # sticky to one process, as nginx placed it
    stage = StageScreen(f"{cluster.url}/storskaerm/{room.stage_key}/strom", cookies={ROUTE_COOKIE: routes[0][-1]})
    stage_task = asyncio.ensure_future(stage.follow())
    await asyncio.gather(*(p.join() for p in phones))
    streams = {p.number: asyncio.ensure_future(p.follow()) for p in phones}
    await asyncio.sleep(0.5)
    await move(room, live.start)
    await answer_all(phones, 0, rng)
    # Answers stored by both processes; the stage (on the first) counts them all, exactly.
    assert await until_counted(stage, 0, len(phones)) == len(phones)
    await move(room, live.reveal)
    await move(room, live.next_question)

    # Everyone answers question 2 while the second process dies under its phones.
    async def answer_late(phone: LeanPhone) -> None:
        await wait_for_question(phone, 1, timeout=TIMEOUT)
        await asyncio.sleep(rng.uniform(0, 0.3))
        await phone.answer(1, rng.randrange(4))

    pending = [asyncio.ensure_future(answer_late(p)) for p in phones]
    await asyncio.sleep(0.15)
    cluster.servers[1].kill()
    await asyncio.gather(*pending, return_exceptions=True)
    # Each phone of the killed process reconnects by itself, as EventSource does; nginx passes the
    # stream to the process that lives, which shows the open question again.
    deadline = time.monotonic() + TIMEOUT
    while any(p.reconnects == 0 for p in second) and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
    assert all(p.reconnects >= 1 for p in second), "the killed process's phones came back by themselves"
    assert not any(p.reconnects for p in first), "the other process's phones kept their stream"
    assert not any(streams[p.number].done() for p in phones), "every phone follows the room again"
    for phone in second:
        shown = await page(phone)
        assert 'name="navn"' not in shown, "a phone coming back must not see the join form"
    await answer_all(phones, 1, rng)
    assert await until_counted(stage, 1, len(phones)) == len(phones)
    await move(room, live.reveal)
    await move(room, live.next_question)
    await answer_all(phones, 2, rng)
    assert await until_counted(stage, 2, len(phones)) == len(phones)
    await move(room, live.reveal)
    await move(room, live.end)
    await asyncio.wait_for(asyncio.gather(*streams.values()), TIMEOUT)
    await asyncio.wait_for(stage_task, TIMEOUT)
    assert all(p.ended_at is not None for p in phones) and stage.ended_at is not None, "the end on every screen"
    await pool.aclose()
    return phones


def test_two_processes_behind_nginx_serve_a_learner_and_a_live_session_and_survive_losing_one(tmp_path, nginx):
    rng = random.Random(11)
    db_path = tmp_path / "progress.db"
    room = prepare_room(db_path, participants=2 * PER_PROCESS, questions=3, signed_in_share=0.5, seed=11)
    db = open_db(db_path)
    lene = create_user(db, "lene", "Lene Læring", "hemmelig-kode-11")
    set_user_role_key(db, lene.id, "medarbejder")
    db.close()

    with Cluster(db_path, processes=2, workdir=tmp_path) as cluster:
        routes = cluster.routes(per_process=PER_PROCESS + 1)
        token = asyncio.run(sign_in(cluster.url, routes[1][-1], "lene", "hemmelig-kode-11"))
        db = open_db(db_path, migrate=False)
        assert auth.user_for_session(db, token).id == lene.id
        db.close()
        answered = asyncio.run(take_quiz(cluster.url, token, rng))
        assert answered >= 3
        records = asyncio.run(download_own_data(cluster.url, routes[1][-1], token))
        assert "lene" in json.dumps(records, ensure_ascii=False)

        phones = asyncio.run(live_session(cluster, room, routes, rng))
        assert cluster.servers[0].tracebacks() == []
        log = (tmp_path / "access.log").read_text()

    stored = lost_answers(db_path, room.session_id, phones)
    assert stored == []
    assert all(set(p.acks) == {0, 1, 2} for p in phones), {p.name: sorted(p.acks) for p in phones}
    ports = {str(s.port) for s in cluster.servers}
    stream_upstreams = set(re.findall(r'"GET /deltag/strom HTTP/1.1" 200 127\.0\.0\.1:(\d+)', log))
    assert stream_upstreams == ports, "phones were on both processes"
