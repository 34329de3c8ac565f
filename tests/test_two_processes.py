"""Two app processes on one progress.db behind Debian's nginx (deploy/nginx/hvidovrevejen.conf), as in production.

The story, all through nginx on loopback: a learner signs in (the sign-in cookie step is an HTTP
request beside the websocket), takes a whole quiz and downloads their own data (a file Streamlit
keeps in the memory of the process that made it, so stickiness matters). Then a live session
whose phones are spread over both processes (four each, placed by their hv_route cookie): the
projector, on the first process, counts every answer exactly. The second process is killed with
``kill -9`` while its phones answer; they reconnect (nginx sends them to the surviving process),
carry on with the token in their URL, and no acknowledged answer is lost.
"""

from __future__ import annotations

import asyncio
import html
import http.client
import json
import os
import random
import re
from urllib.parse import urlsplit

import pytest
from streamlit.proto.BackMsg_pb2 import BackMsg

from quiz.people import auth
from quiz.people.cookies import BROWSER_COOKIE, SESSION_COOKIE
from quiz.store import create_user, open_db, set_user_role_key
from quiz_devtools.loadtest.actors import UI, FacilitatorScreen, Learner, Phone
from quiz_devtools.loadtest.client import StreamlitClient
from quiz_devtools.loadtest.cluster import ROUTE_COOKIE, Cluster, nginx_binary
from quiz_devtools.loadtest.driver import lost_answers, prepare_room

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


async def answer_all(phones: list[Phone], index: int, rng: random.Random) -> None:
    async def one(phone: Phone) -> None:
        if index in phone.acks:
            return
        await phone.wait_for_question(index, timeout=TIMEOUT)
        await phone.answer(index, rng, timeout=TIMEOUT)

    await asyncio.gather(*(one(p) for p in phones))


async def live_session(cluster: Cluster, room, routes: list[list[str]], rng: random.Random) -> list[Phone]:
    first = [
        Phone(n + 1, cluster.url, room.code, room.session_id, cookies={ROUTE_COOKIE: r})
        for n, r in enumerate(routes[0][:PER_PROCESS])
    ]
    second = [
        Phone(PER_PROCESS + n + 1, cluster.url, room.code, room.session_id, cookies={ROUTE_COOKIE: r})
        for n, r in enumerate(routes[1][:PER_PROCESS])
    ]
    phones = first + second
    for phone, token in zip(phones, room.participant_tokens, strict=True):
        phone.user_token = token
    screen = FacilitatorScreen(
        cluster.url, room.session_id, room.facilitator_token, cookies={ROUTE_COOKIE: routes[0][-1]}
    )
    await screen.open(timeout=TIMEOUT)
    await asyncio.gather(*(p.join(timeout=TIMEOUT) for p in phones))
    await screen.press(UI["start"])
    await answer_all(phones, 0, rng)
    # Answers stored by both processes; the projector (on the first) counts them all, exactly.
    assert await screen.watch_answers(0, len(phones), timeout=TIMEOUT) == len(phones)
    assert screen.answered() == (len(phones), len(phones))
    await screen.press(UI["reveal"])
    await screen.press(UI["next"])

    # Everyone answers question 2 while the second process dies under its phones.
    async def answer_late(phone: Phone) -> None:
        await phone.wait_for_question(1, timeout=TIMEOUT)
        await asyncio.sleep(rng.uniform(0, 0.3))
        await phone.answer(1, rng, timeout=5)

    pending = [asyncio.ensure_future(answer_late(p)) for p in phones]
    await asyncio.sleep(0.15)
    cluster.servers[1].kill()
    await asyncio.gather(*pending, return_exceptions=True)
    assert all(p.client.closed.is_set() for p in second), "the killed process's phones lost their connection"
    assert not any(p.client.closed.is_set() for p in first), "the other process's phones kept theirs"

    for phone in second:  # the phone's page reconnects; nginx passes it to the process that lives
        await phone.close()
        await phone.join(timeout=TIMEOUT)
        assert phone.client.find_widget(UI["join_name"]) is None, "a rejoining phone must not see the join form"
    await answer_all(phones, 1, rng)
    assert await screen.watch_answers(1, len(phones), timeout=TIMEOUT) == len(phones)
    await screen.press(UI["reveal"])
    await screen.press(UI["next"])
    await answer_all(phones, 2, rng)
    assert await screen.watch_answers(2, len(phones), timeout=TIMEOUT) == len(phones)
    await screen.press(UI["reveal"])
    await screen.press(UI["finish"])
    await asyncio.gather(*(p.client.wait_for_text(UI["ended"], timeout=TIMEOUT) for p in phones))
    for actor in (*phones, screen):
        assert not actor.client.exceptions, actor.client.exceptions
        await actor.close()
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
    websocket_upstreams = set(re.findall(r'"GET /_stcore/stream HTTP/1.1" 101 127\.0\.0\.1:(\d+)', log))
    assert websocket_upstreams == ports, "phones were on both processes"
