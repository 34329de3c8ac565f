"""Issue 27's attacks on a real server (``streamlit run serve.py`` on 127.0.0.1), as an outsider plays them.

No ``QUIZ_TRUSTED_PROXIES`` and no ``FORWARDED_ALLOW_IPS``: the defaults a fresh clone starts with.
The sign-in page and the profile's download are driven over the app's websocket by the load test's
client, the rest are plain HTTP requests without a browser.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import os

import pytest
from streamlit.proto.BackMsg_pb2 import BackMsg

from quiz.people import auth
from quiz.people.cookies import BROWSER_COOKIE, SESSION_COOKIE
from quiz.store import create_user, open_db
from quiz_devtools.loadtest.client import StreamlitClient
from tests.e2e.server import Server

TIMEOUT = 60.0


class Browser(StreamlitClient):
    """The load-test client, also keeping the answers to backend operations (deferred downloads)."""

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self.operations: dict[str, object] = {}

    def _handle(self, msg) -> None:
        super()._handle(msg)
        if msg.WhichOneof("type") == "backend_operation_response":
            self.operations[msg.backend_operation_response.request_id] = msg.backend_operation_response


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("attack")
    db_path = folder / "progress.db"
    db = open_db(db_path)
    create_user(db, "hr", "Hanne HR", "hemmelig-kode-1", is_admin=True)
    create_user(db, "lise", "Lise Holm", "hemmelig-kode-2")
    db.close()
    names = ("QUIZ_TRUSTED_PROXIES", "FORWARDED_ALLOW_IPS")
    saved = {name: os.environ.pop(name) for name in names if name in os.environ}
    app = Server(db_path).start()
    try:
        yield app
    finally:
        app.stop()
        os.environ.update(saved)


def request(server: Server, method: str, path: str, headers: dict[str, str] | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    conn.request(method, path, headers=headers or {})
    response = conn.getresponse()
    response.body = response.read()
    conn.close()
    return response


def session_for(server: Server, username: str) -> str:
    db = open_db(server.db_path, migrate=False)
    try:
        user_id = db.execute("SELECT id FROM users WHERE username = ?", [username]).fetchone()[0]
        return auth.create_session(db, user_id)
    finally:
        db.close()


def signed_in(server: Server, token: str) -> bool:
    db = open_db(server.db_path, migrate=False)
    try:
        return auth.user_for_session(db, token) is not None
    finally:
        db.close()


FORGED = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.5"}


def test_forwarded_https_from_loopback_gets_no_secure_cookie_and_no_hsts_without_trusted_proxies(server):
    response = request(server, "GET", "/auth/browser", FORGED)
    cookie = response.getheader("set-cookie") or ""
    assert BROWSER_COOKIE in cookie
    assert "secure" not in cookie.lower(), cookie
    assert response.getheader("strict-transport-security") is None


def test_a_sign_in_with_a_forged_address_is_braked_under_the_real_one(server):
    async def wrong_password() -> None:
        headers = {"X-Forwarded-For": "203.0.113.9, 198.51.100.77"}
        cookies = {BROWSER_COOKIE: "attack-test-browser-nonce-000001"}
        async with Browser(page_name="log_ind", cookies=cookies, headers=headers, name="guesser") as page:
            await page.connect(server.url, timeout=TIMEOUT)
            page.stage(page.widget("signin_username"), "lise")
            page.stage(page.widget("signin_password"), "forkert-gæt-1")
            await page.click_button("signin_submit", timeout=TIMEOUT)

    asyncio.run(wrong_password())
    db = open_db(server.db_path, migrate=False)
    try:
        keys = {row["key"] for row in db["brake_events"].rows_where("scope = 'signin'")}
    finally:
        db.close()
    assert "ip:127.0.0.1" in keys
    assert not any(key.startswith("ip:") and key != "ip:127.0.0.1" for key in keys), keys


def test_a_sign_out_link_changes_nothing_and_the_post_ends_the_session_on_the_server(server):
    token = session_for(server, "lise")
    cookie = {"Cookie": f"{SESSION_COOKIE}={token}"}
    link = request(server, "GET", "/auth/signout", cookie)  # Streamlit's page: the address is no route for GET
    assert link.status != 303 and SESSION_COOKIE not in (link.getheader("set-cookie") or "")
    assert signed_in(server, token), "a GET (a link, an <img>) must not sign anybody out"

    foreign = request(server, "POST", "/auth/signout", {**cookie, "Origin": "https://evil.example"})
    assert foreign.status == 403 and signed_in(server, token), "another site's form signs nobody out"

    response = request(server, "POST", "/auth/signout", {**cookie, "Origin": server.url})
    assert response.status == 303
    assert f"{SESSION_COOKIE}=" in (response.getheader("set-cookie") or "")
    assert not signed_in(server, token), "the same token no longer reads /profil"


def test_streamlits_metrics_do_not_answer_a_stranger(server):
    assert request(server, "GET", "/_stcore/metrics").status == 404
    assert request(server, "GET", "/_stcore/metrics", {"Accept": "application/x-protobuf"}).status == 404


def test_own_data_is_served_to_its_person_only_and_never_cached(server):
    token = session_for(server, "lise")
    other = session_for(server, "hr")

    async def make_download() -> str:
        async with Browser(page_name="profil", cookies={SESSION_COOKIE: token}, name="lise") as page:
            await page.connect(server.url, timeout=TIMEOUT)
            button = page.widget("download_records")
            ask = BackMsg()
            ask.backend_operation_request.request_id = "download-1"
            ask.backend_operation_request.session_id = page.session_id
            ask.backend_operation_request.deferred_file.file_id = button.proto.deferred_file_id
            await page.send_backmsg(ask)
            await page.wait_for(lambda c: "download-1" in c.operations, TIMEOUT)
            answer = page.operations["download-1"]
            assert not answer.error_msg, answer.error_msg
            url = answer.deferred_file.url
            assert url.startswith("/media/"), url
            assert request(server, "GET", url).status == 404, "no cookie: as if there were no such file"
            assert request(server, "GET", url, {"Cookie": f"{SESSION_COOKIE}={other}"}).status == 404
            assert request(server, "GET", url, {"Range": "bytes=0-10"}).status == 404
            mine = request(server, "GET", url, {"Cookie": f"{SESSION_COOKIE}={token}"})
            assert mine.status == 200, mine.body[:200]
            assert mine.getheader("cache-control") == "no-store"
            assert json.loads(mine.body)
            return url

    asyncio.run(make_download())


def test_the_uvicorn_guard_fits_this_uvicorn_and_says_so_when_it_no_longer_does(monkeypatch, caplog):
    import uvicorn.config

    from quiz.ui.server import forwarded

    assert forwarded.ignore_server_proxy_headers()
    app = object()
    assert uvicorn.config.ProxyHeadersMiddleware(app, trusted_hosts="127.0.0.1") is app

    monkeypatch.delattr(uvicorn.config, "ProxyHeadersMiddleware")
    assert not forwarded.ignore_server_proxy_headers()
    assert "FORWARDED_ALLOW_IPS" in caplog.text
