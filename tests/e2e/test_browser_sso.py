"""SSO for real: a real OpenID Connect provider on 127.0.0.1, st.login against it, real Chromium.

The provider is the npm package ``oidc-provider`` (pinned in tests/oidc/package.json, installed by
scripts/test.sh), started by the fixture with one client and one person. Streamlit reads its
``[auth]`` settings from a secrets.toml the fixture writes to a temporary folder
(``--secrets.files``), never the repository's. Self-registration is switched off, as in a
deployment that signs its employees in through Entra ID only.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from quiz.hr import people_import, units
from quiz.plugins import get_registry
from quiz.store import create_user, get_user_by_name, open_db
from tests.e2e.server import REPO, Server, free_port
from tests.e2e.test_browser_journey import browser  # noqa: F401  (the Chromium fixture)
from tests.onboarding_helpers import excel_csv

pytestmark = [pytest.mark.browser, pytest.mark.slow]

OIDC_DIR = REPO / "tests" / "oidc"
CLIENT_ID, CLIENT_SECRET = "hvidovrevejen-test", "test-client-secret-not-for-production"
LISE = {
    "sub": "sub-lise-0001",
    "email": "lise@hvidovre.dk",
    "email_verified": True,
    "name": "Lise Ørsted",
    "preferred_username": "lise@hvidovre.dk",
    "tid": "tenant-hvidovre",
    "oid": "object-lise",
}


class Provider:
    """``node tests/oidc/provider.mjs`` on a free loopback port, with a claims file the test may edit."""

    def __init__(self, folder: Path, redirect_uri: str):
        self.port = free_port()
        self.config = folder / "oidc.json"
        self.write({LISE["sub"]: LISE}, redirect_uri)
        self.log = open(folder / "oidc.log", "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            ["node", "provider.mjs", str(self.port), str(self.config)],
            cwd=OIDC_DIR,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(self.metadata_url, timeout=2):
                    return
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"the OIDC provider did not start; see {folder / 'oidc.log'}") from None
                time.sleep(0.3)

    @property
    def metadata_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/.well-known/openid-configuration"

    def write(self, accounts: dict, redirect_uri: str | None = None) -> None:
        old = json.loads(self.config.read_text()) if self.config.exists() else {}
        self.config.write_text(
            json.dumps(
                {
                    "client_id": CLIENT_ID,
                    "client_secret": CLIENT_SECRET,
                    "redirect_uri": redirect_uri or old["redirect_uri"],
                    "accounts": accounts,
                }
            )
        )

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=10)
        self.log.close()


@pytest.fixture
def sso(tmp_path):
    if not (OIDC_DIR / "node_modules" / "oidc-provider").exists() or not shutil.which("node"):
        if os.environ.get("CI"):
            pytest.fail("oidc-provider is missing in CI: scripts/test.sh should have run npm ci --prefix tests/oidc")
        pytest.skip("node or tests/oidc/node_modules is missing (npm ci --prefix tests/oidc)")
    app_port = free_port()
    redirect_uri = f"http://127.0.0.1:{app_port}/oauth2callback"
    provider = Provider(tmp_path, redirect_uri)
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(
        f"""
[auth]
redirect_uri = "{redirect_uri}"
cookie_secret = "a-long-random-test-cookie-secret-0123456789"

[auth.microsoft]
client_id = "{CLIENT_ID}"
client_secret = "{CLIENT_SECRET}"
server_metadata_url = "{provider.metadata_url}"

[auth.microsoft.client_kwargs]
prompt = "login"
""",
        encoding="utf-8",
    )
    server = Server(
        tmp_path / "progress.db",
        port=app_port,
        # The municipality's own Entra ID tenant: its e-mail claim links a first sign-in to HR's import.
        extra_env={"QUIZ_SELF_SIGNUP": "false", "QUIZ_SSO_TENANT": LISE["tid"]},
        extra_args=["--secrets.files", str(secrets)],
    ).start()
    yield server, provider
    server.stop()
    provider.stop()
    if out := os.environ.get("E2E_SCREENSHOTS"):
        for png in tmp_path.glob("*.png"):
            shutil.copy(png, out)


def sign_in_at_the_provider(page, login: str) -> None:
    """The provider's own pages: its login form, then the consent to share the claims."""
    page.get_by_role("button", name="Log ind med din arbejdskonto").click()
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("any-password")
    page.locator("button[type=submit]").click()
    consent = page.locator("button[type=submit]", has_text="Continue")
    if consent.count() or page.url.find("/interaction/") >= 0:
        consent.click()


def signed_in(page):
    """The first page a signed-in person sees: the role question on a first visit, else the greeting."""
    return page.get_by_role("heading", name="Hvilken rolle har du?").or_(page.get_by_text("Hej, Lise Ørsted")).first


def accounts(db_path: Path) -> list[dict]:
    db = open_db(db_path, migrate=False)
    try:
        return list(db["users"].rows)
    finally:
        db.close()


def test_sso_person_signs_in_is_found_again_after_an_e_mail_change_and_signs_out(browser, sso, tmp_path):  # noqa: F811
    server, provider = sso
    page = browser.new_context(viewport={"width": 1366, "height": 800}, locale="da-DK").new_page()
    page.set_default_timeout(30_000)

    page.goto(server.url)
    assert page.get_by_role("tab", name="Opret konto").count() == 0, "no self-registration here"
    sign_in_at_the_provider(page, LISE["sub"])
    try:
        signed_in(page).wait_for()
    except Exception:
        page.screenshot(path=str(tmp_path / "sso-fail.png"))
        (tmp_path / "sso-fail.html").write_text(page.content())
        raise
    page.screenshot(path=str(tmp_path / "sso-01-signed-in.png"))
    [first] = accounts(server.db_path)
    assert (first["oidc_subject"], first["entra_tid"], first["entra_oid"]) == (
        "sub-lise-0001",
        "tenant-hvidovre",
        "object-lise",
    )
    assert first["oidc_issuer"] == f"http://127.0.0.1:{provider.port}" and first["password_hash"] is None

    # Sign out, in the app and at the provider.
    page.goto(f"{server.url}/profil")
    page.get_by_role("button", name="Log ud").click()
    try:
        page.get_by_role("button", name="Log ind med din arbejdskonto").or_(
            page.locator("button[type=submit]")
        ).first.wait_for()
    except Exception:
        page.screenshot(path=str(tmp_path / "sso-fail-out.png"))
        raise
    if page.locator("button[type=submit]").count():  # the provider asks to confirm the sign-out
        page.locator("button[type=submit]").first.click()
    page.goto(server.url)
    page.get_by_role("button", name="Log ind med din arbejdskonto").wait_for()
    assert page.get_by_text("Hej, Lise Ørsted").count() == 0
    assert page.get_by_role("heading", name="Hvilken rolle har du?").count() == 0

    # She married; the e-mail claim changed, her subject did not.
    provider.write(
        {LISE["sub"]: {**LISE, "email": "lise.hansen@hvidovre.dk", "preferred_username": "lise.hansen@hvidovre.dk"}}
    )
    sign_in_at_the_provider(page, LISE["sub"])
    signed_in(page).wait_for()
    [again] = accounts(server.db_path)
    assert again["id"] == first["id"], "the same account, found by issuer and subject"


def test_a_person_hr_imported_signs_in_by_sso_into_the_account_with_their_unit(browser, sso, tmp_path):  # noqa: F811
    server, provider = sso
    db = open_db(server.db_path)
    hr = create_user(db, "hr", "Hanne HR", "hemmelig-kode-1", is_admin=True)
    units.add_unit(db, "Center for Sundhed")
    units.add_unit(db, "Hjemmeplejen Nord", parent="Center for Sundhed")
    pack = next(iter(get_registry().packs.values()))
    data = excel_csv("Lise Ørsted;Lise@Hvidovre.dk;lor;Medarbejder;Hjemmeplejen Nord;01-09-2026", encoding="cp1252")
    people_import.apply(db, pack, data, actor=hr.id)
    imported = get_user_by_name(db, "lor")
    db.close()

    page = browser.new_context(viewport={"width": 375, "height": 740}, locale="da-DK").new_page()
    page.set_default_timeout(30_000)
    page.goto(server.url)
    sign_in_at_the_provider(page, LISE["sub"])
    try:
        page.get_by_text("Hej, Lise Ørsted").wait_for()
    except Exception:
        page.screenshot(path=str(tmp_path / "sso-import-fail.png"))
        raise
    page.screenshot(path=str(tmp_path / "sso-import-01-signed-in.png"))
    assert page.get_by_role("heading", name="Hvilken rolle har du?").count() == 0, "HR's import gave her role"
    rows = {r["username"]: r for r in accounts(server.db_path)}
    assert set(rows) == {"hr", "lor"}, "no second account for her"
    assert rows["lor"]["id"] == imported.id and rows["lor"]["oidc_subject"] == LISE["sub"]
    db = open_db(server.db_path, migrate=False)
    try:
        assert units.tree(db).path(units.person_unit(db, imported.id)) == "Center for Sundhed › Hjemmeplejen Nord"
    finally:
        db.close()
