"""Starting the server: bad configuration stops it with a clear message, patches are guarded, nothing asks outside."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from quiz.ui.server import startup
from quiz.ui.server import tuning as server_tuning
from tests.e2e.server import free_port

REPO = Path(__file__).resolve().parents[1]


def test_a_patch_whose_internal_is_gone_is_skipped_and_logged_and_the_rest_still_apply(caplog):
    def gone() -> bool:
        raise AttributeError("Runtime._enqueued_some_message")

    with caplog.at_level(logging.WARNING, logger="quiz.ui.server.tuning"):
        applied = server_tuning.apply({"vanished": gone, "fine": lambda: True})
    assert applied == {"vanished": False, "fine": True}
    assert "vanished not applied" in caplog.text


def test_the_real_patches_fit_this_streamlit():
    assert server_tuning.apply() == {
        "tcp_nodelay": True,
        "no_external_ip_lookup": True,
    }


class Trap:
    """A loopback 'proxy' that records every connection: anything sent to the internet lands here."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.hits: list[bytes] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            conn.settimeout(2)
            try:
                self.hits.append(conn.recv(200))
            except OSError:
                self.hits.append(b"?")
            conn.close()

    def env(self) -> dict[str, str]:
        url = f"http://127.0.0.1:{self.port}"
        return {"HTTP_PROXY": url, "HTTPS_PROXY": url, "http_proxy": url, "https_proxy": url, "NO_PROXY": ""}


LOOKUPS = """
from streamlit import config
config.get_config_options(force_reparse=True)
from streamlit.web import bootstrap
bootstrap._print_url(is_running_hello=False)      # what the server prints at start-up
from quiz.ui.server import tuning as server_tuning
server_tuning.apply()
from streamlit.web.server import server_util
print("cross-origin allowed:", server_util.is_url_from_allowed_origins("http://evil.example"))
"""


def test_starting_and_a_foreign_websocket_make_no_request_to_find_the_external_ip():
    trap = Trap()
    env = {**os.environ, **trap.env(), "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", LOOKUPS], cwd=REPO, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "External URL" not in done.stdout
    assert "cross-origin allowed: False" in done.stdout
    assert trap.hits == []


def test_the_trap_would_catch_streamlits_look_up():
    """The negative control: without the patch, Streamlit's look-up does reach the trap."""
    trap = Trap()
    env = {**os.environ, **trap.env()}
    code = "from streamlit import net_util; print(net_util.get_external_ip())"
    subprocess.run([sys.executable, "-c", code], cwd="/", env=env, capture_output=True, timeout=60, check=False)
    assert trap.hits and b"checkip.amazonaws.com" in trap.hits[0]


def test_an_incomplete_sign_in_section_is_refused_with_what_is_missing():
    with pytest.raises(startup.StartupError) as raised:
        startup.check_auth({"redirect_uri": "https://x/oauth2callback", "microsoft": {"client_id": "1"}})
    text = str(raised.value)
    assert "cookie_secret" in text and "microsoft.client_secret" in text and "microsoft.server_metadata_url" in text


def test_the_examples_cookie_secret_is_refused():
    auth = {
        "redirect_uri": "https://x/oauth2callback",
        "cookie_secret": startup.EXAMPLE_SECRET,
        "microsoft": {"client_id": "1", "client_secret": "2", "server_metadata_url": "https://login/x"},
    }
    with pytest.raises(startup.StartupError, match="cookie_secret"):
        startup.check_auth(auth)


def test_no_sign_in_section_means_local_passwords_and_is_fine():
    startup.check_auth(None)
    startup.check_auth({})


@pytest.mark.slow
@pytest.mark.parametrize(
    ("variable", "value", "said"),
    [
        ("QUIZ_TRUSTED_PROXIES", "10.0.0.1, nginx.local", "nginx.local er ikke en IP-adresse"),
        ("QUIZ_SECURE_COOKIES", "måske", "QUIZ_SECURE_COOKIES"),
        ("QUIZ_LIVE_ROOM_CAP", "0", "QUIZ_LIVE_ROOM_CAP er ugyldig: skriv et helt tal fra 1 til 100000"),
    ],
)
def test_a_bad_setting_stops_the_server_at_start_with_a_danish_message(tmp_path, variable, value, said):
    env = {**os.environ, "QUIZ_DB": str(tmp_path / "progress.db"), variable: value}
    port = str(free_port())
    args = [sys.executable, "-m", "streamlit", "run", "serve.py", "--server.address", "127.0.0.1"]
    args += ["--server.port", port]
    done = subprocess.run(args, cwd=REPO, env=env, capture_output=True, text=True, timeout=90, check=False)
    assert done.returncode != 0
    assert "Hvidovrevejen kan ikke starte" in done.stderr and said in done.stderr
    assert "Traceback" not in done.stderr
