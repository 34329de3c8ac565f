"""The sign-in cookie routes over HTTP: the browser nonce, and a code that works once, in its own browser only."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from quiz.people import auth, login_codes
from quiz.people.cookies import BROWSER_COOKIE, SESSION_COOKIE
from quiz.store import create_user
from quiz.ui.server.routes import ROUTES


@pytest.fixture
def client(db):
    return TestClient(Starlette(routes=ROUTES), base_url="http://127.0.0.1", follow_redirects=False)


def _nonce(client: TestClient) -> str:
    response = client.get("/auth/browser", params={"next": "/log_ind"})
    assert response.status_code == 303 and response.headers["location"] == "/log_ind?hv_b=1"
    assert "httponly" in response.headers["set-cookie"].lower()
    return response.cookies[BROWSER_COOKIE]


def test_a_browser_gets_one_nonce_cookie_and_keeps_it(client):
    nonce = _nonce(client)
    assert 16 <= len(nonce) <= 64
    again = client.get("/auth/browser", params={"next": "/"})
    assert BROWSER_COOKIE not in again.cookies, "a browser that has one keeps it"


def test_the_nonce_route_never_sends_the_browser_to_another_site(client):
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = client.get("/auth/browser", params={"next": target})
        assert response.headers["location"] == "/?hv_b=1"


def test_a_code_signs_in_its_own_browser_once(client, db):
    user = create_user(db, "lise", "Lise", "hemmelig123")
    nonce = _nonce(client)
    token = auth.create_session(db, user.id)
    code = login_codes.issue(db, token, user_id=user.id, browser=auth.browser_hash(nonce))

    response = client.get("/auth/session", params={"code": code})
    assert response.status_code == 303 and response.headers["location"] == "/"
    assert response.cookies[SESSION_COOKIE] == token

    client.cookies.delete(SESSION_COOKIE)
    replay = client.get("/auth/session", params={"code": code})
    assert SESSION_COOKIE not in replay.cookies
    assert replay.headers["location"] == "/?hv_code=1", "the page then says to sign in again"


def test_a_code_opened_in_another_browser_signs_nobody_in(client, db):
    user = create_user(db, "lise", "Lise", "hemmelig123")
    token = auth.create_session(db, user.id)
    code = login_codes.issue(db, token, user_id=user.id, browser=auth.browser_hash("lises-own-browser-nonce"))

    _nonce(client)  # the attacker's (or the victim's other) browser
    response = client.get("/auth/session", params={"code": code})
    assert SESSION_COOKIE not in response.cookies
    without_nonce = TestClient(Starlette(routes=ROUTES), follow_redirects=False)
    assert SESSION_COOKIE not in without_nonce.get("/auth/session", params={"code": code}).cookies
