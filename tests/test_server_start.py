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
        "coalesce_flush_wakeups": True,
        "batch_script_events": True,
        "cache_theme_message": True,
        "no_external_ip_lookup": True,
    }


def test_batched_script_events_reach_the_loop_in_order_with_one_wake_up_per_batch():
    import asyncio

    loop = asyncio.new_event_loop()
    try:
        batcher = server_tuning.EventBatcher(loop)
        wake_ups, seen, reported = [], [], []
        real_call_soon = loop.call_soon_threadsafe
        loop.call_soon_threadsafe = lambda cb, *a: (wake_ups.append(cb), real_call_soon(cb, *a))
        loop.set_exception_handler(lambda _loop, context: reported.append(context["exception"]))

        def broken():
            raise ValueError("one element failed")

        def from_a_script_thread():
            for n in range(5):
                batcher.submit(lambda n=n: seen.append(n))
            batcher.submit(broken)
            batcher.submit(lambda: seen.append("after"))

        worker = threading.Thread(target=from_a_script_thread)
        worker.start()
        worker.join()
        loop.run_until_complete(asyncio.sleep(0.01))
        assert seen == [0, 1, 2, 3, 4, "after"]
        assert len(wake_ups) == 1  # the loop woke once for seven events
        assert [str(e) for e in reported] == ["one element failed"]
        batcher.submit(lambda: seen.append("next batch"))
        loop.run_until_complete(asyncio.sleep(0.01))
        assert seen[-1] == "next batch" and len(wake_ups) == 2
    finally:
        loop.close()
    late = server_tuning.EventBatcher(loop)
    late.submit(lambda: None)  # after shutdown: dropped without an error, as Streamlit does


def test_the_cached_theme_message_is_the_one_streamlit_builds():
    from streamlit.proto.NewSession_pb2 import CustomThemeConfig
    from streamlit.runtime import app_session

    server_tuning.apply()
    patched = app_session._populate_theme_msg
    original = patched.__wrapped__
    for section in ("theme", "theme.light", "theme.dark", "theme.sidebar"):
        want, got, again = CustomThemeConfig(), CustomThemeConfig(), CustomThemeConfig()
        original(want, section)
        patched(got, section)
        patched(again, section)
        assert got == want and again == want
    assert CustomThemeConfig() != _themed(patched), ".streamlit/config.toml sets a theme: the test must see it"


def _themed(populate):
    from streamlit.proto.NewSession_pb2 import CustomThemeConfig

    msg = CustomThemeConfig()
    populate(msg, "theme")
    return msg


def test_coalesced_wakeups_skip_only_while_a_flush_is_due_and_fall_back_when_the_event_is_missing():
    woken = []
    wake = server_tuning.coalescing(woken.append)

    class Runtime:
        def __init__(self, async_objs):
            self._async_objs = async_objs

    flush_due, idle = threading.Event(), threading.Event()
    flush_due.set()
    due = Runtime(type("Objs", (), {"need_send_data": flush_due})())
    waiting = Runtime(type("Objs", (), {"need_send_data": idle})())
    bare = Runtime(None)  # the shape a later Streamlit might have
    for runtime in (due, waiting, bare):
        wake(runtime)
    assert woken == [waiting, bare]


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
        ("QUIZ_PUSH_IN_FLIGHT", "0", "QUIZ_PUSH_IN_FLIGHT er ugyldig: skriv et helt tal fra 1 til 64"),
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
