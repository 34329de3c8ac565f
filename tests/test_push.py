"""Server push for the live pages (quiz.ui.live.push): the watcher's rules on a real progress.db, and one
real server whose phone shows the next question without ever asking for it."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import pytest

from quiz import live
from quiz.learning.quizzes import QuizSpec
from quiz.plugins import get_registry
from quiz.store import create_user, open_db
from quiz.ui.live import push
from quiz_devtools.loadtest.actors import Phone
from quiz_devtools.loadtest.driver import prepare_room
from quiz_devtools.loadtest.server import AppServer, free_port


@pytest.fixture
def room(tmp_path):
    """A progress.db with one live session in the lobby."""
    path = tmp_path / "progress.db"
    db = open_db(path)
    registry = get_registry()
    pack = next(iter(registry.packs.values()))
    boss = create_user(db, "fie", "Fie", "hemmelig-kode-1", is_facilitator=True)
    made = live.create_session(db, boss.id, QuizSpec(pack_id=pack.id, length=3, seed=1), registry=registry)
    yield path, db, made.id, boss.id
    db.close()


class Recorder:
    """Stands in for Streamlit: records the fragments pushed; a browser in ``gone`` has left."""

    def __init__(self):
        self.pushed: list[str] = []
        self.gone: set[str] = set()

    def __call__(self, follower: push.Follower) -> bool:
        if follower.browser_session in self.gone:
            return False
        self.pushed.append(follower.browser_session)
        return True


def watcher(path, recorder, **kw) -> push.Watcher:
    readers = {"live": live.versions, "live-pulse": live.pulses}
    return push.Watcher(str(path), readers, rerun=recorder, autostart=False, **kw)


def follow(w: push.Watcher, browser: str, topic, seen) -> None:
    w.follow(topic, seen, browser_session=browser, fragment_id="frag", page_script_hash="h", query_string="")


def test_only_fragments_showing_an_old_version_are_pushed(room):
    path, db, session_id, boss = room
    rec = Recorder()
    w = watcher(path, rec)
    version = live.session_version(db, session_id)
    follow(w, "up-to-date", ("live", session_id), version)
    follow(w, "behind", ("live", session_id), version - 1)
    w.tick()
    assert rec.pushed == ["behind"]

    live.start(db, session_id, actor_id=boss)  # the facilitator starts: now both are behind
    w.tick(now=time.monotonic() + w.interval)  # the next look
    assert sorted(rec.pushed) == ["behind", "up-to-date"]


def test_the_watcher_thread_pushes_by_itself(room):
    path, db, session_id, boss = room
    rec = Recorder()
    w = push.Watcher(str(path), {"live": live.versions}, rerun=rec)
    try:
        follow(w, "phone", ("live", session_id), -1)  # starts the thread
        deadline = time.monotonic() + 10
        while not rec.pushed and time.monotonic() < deadline:
            time.sleep(0.05)
        assert rec.pushed == ["phone"]
    finally:
        w.stop()


def test_a_fragment_that_drew_the_new_version_is_not_pushed_again(room):
    path, db, session_id, boss = room
    rec = Recorder()
    w = watcher(path, rec, repush_after=0.0)
    follow(w, "phone", ("live", session_id), 0)
    w.tick()
    follow(w, "phone", ("live", session_id), live.session_version(db, session_id))  # its pushed run
    w.tick()
    w.tick()
    assert rec.pushed == ["phone"]


def test_a_fragment_that_draws_the_old_value_again_is_not_pushed_in_a_loop(room):
    path, db, session_id, boss = room
    rec = Recorder()
    w = watcher(path, rec, repush_after=3.0)
    follow(w, "stale", ("live", session_id), -1)
    t0 = time.monotonic() + 1
    w.tick(now=t0)
    follow(w, "stale", ("live", session_id), -1)  # its pushed run read an old snapshot
    for step in range(1, 11):
        w.tick(now=t0 + step * 0.15)  # 1.5 s of looks, 4 a second
    assert rec.pushed == ["stale"]
    w.tick(now=time.monotonic() + 3.5)  # but it is not given up
    assert rec.pushed == ["stale", "stale"]


def test_fan_out_is_paced_and_a_lost_push_is_sent_again(room):
    path, db, session_id, boss = room
    rec = Recorder()
    w = watcher(path, rec, max_in_flight=4, repush_after=10.0)
    for n in range(10):
        follow(w, f"phone-{n}", ("live", session_id), -1)
    t0 = time.monotonic() + 1
    assert w.tick(now=t0) is True  # six still wait
    assert len(rec.pushed) == 4
    w.tick(now=t0 + 1)
    assert len(rec.pushed) == 4  # no slot free: none of the four has run yet
    follow(w, "phone-0", ("live", session_id), live.session_version(db, session_id))  # one landed
    w.tick(now=t0 + 2)
    assert len(rec.pushed) == 5
    w.tick(now=t0 + 12)  # the four others never ran: pushed again, before those never pushed
    assert rec.pushed[5:] == ["phone-1", "phone-2", "phone-3", "phone-4"]


def test_the_number_of_pushes_under_way_is_the_deployments_setting(room, monkeypatch):
    from quiz import settings
    from quiz.ui.live import watch as live_watch

    path, db, session_id, boss = room
    monkeypatch.setenv("QUIZ_DB", str(path))
    monkeypatch.setattr(live_watch, "_WATCHERS", {})
    assert live_watch.watcher().max_in_flight == 4  # one process carrying the room
    monkeypatch.setattr(live_watch, "_WATCHERS", {})
    monkeypatch.setenv("QUIZ_PUSH_IN_FLIGHT", "16")  # deploy/systemd/env.example: a process per core
    assert live_watch.watcher().max_in_flight == 16
    with pytest.raises(settings.SettingsError, match="QUIZ_PUSH_IN_FLIGHT"):
        settings.load({"QUIZ_PUSH_IN_FLIGHT": "65"})
    # The deployment's example and the N-process set-up the load test and tests start say the same.
    example = (Path(__file__).parents[1] / "deploy" / "systemd" / "env.example").read_text(encoding="utf-8")
    assert "QUIZ_PUSH_IN_FLIGHT=16" in example.splitlines()
    from quiz_devtools.loadtest.cluster import Cluster

    cluster = Cluster(path, processes=2, workdir=path.parent)  # made, not started
    assert [server.env["QUIZ_PUSH_IN_FLIGHT"] for server in cluster.servers] == ["16", "16"]


def test_a_browser_that_left_is_forgotten(room):
    path, db, session_id, boss = room
    rec = Recorder()
    rec.gone.add("closed-tab")
    w = watcher(path, rec)
    follow(w, "closed-tab", ("live", session_id), -1)
    w.tick()
    assert w.following() == 0


def test_followers_of_closed_tabs_are_dropped_even_when_nothing_changes(room):
    path, db, session_id, boss = room
    rec = Recorder()
    open_tabs = {"phone-1"}
    w = watcher(path, rec, alive=open_tabs.__contains__, sweep_every=60.0)
    version = live.session_version(db, session_id)
    follow(w, "phone-1", ("live", session_id), version)
    follow(w, "closed-tab", ("live", session_id), version)  # an abandoned lobby: never pushed
    w.tick(now=time.monotonic() + 1)
    assert w.following() == 2
    w.tick(now=time.monotonic() + 61)
    assert w.following() == 1 and rec.pushed == []


def test_the_facilitator_count_is_pushed_at_most_every_gap(room):
    path, db, session_id, boss = room
    rec = Recorder()
    w = watcher(path, rec, min_gap={"live-pulse": 0.5})
    follow(w, "projector", ("live-pulse", session_id), live.Pulse(-1, 0, 0))
    drawn = w._followers[("projector", "frag")].drawn_at
    w.tick(now=drawn + 0.1)
    assert rec.pushed == []
    w.tick(now=drawn + 0.6)
    assert rec.pushed == ["projector"]


def test_streamlit_internals_the_push_uses_are_there():
    """An upgrade that moves them must fail here, not silently leave phones on the 30 s safety poll."""
    from streamlit.runtime.app_session import AppSession, AppSessionState
    from streamlit.runtime.runtime import Runtime
    from streamlit.runtime.scriptrunner_utils.script_requests import RerunData

    assert push._INTERNALS
    assert callable(AppSession.has_fragment) and callable(AppSession._create_scriptrunner)
    assert AppSessionState.SHUTDOWN_REQUESTED
    assert callable(Runtime._get_async_objs)
    data = RerunData(query_string="a=1", page_script_hash="h", fragment_id="f", is_auto_rerun=True)
    assert data.widget_states is None  # the session's widget values are kept


@pytest.mark.slow
def test_a_phone_that_never_polls_sees_the_question_when_the_facilitator_starts(tmp_path):
    """Real server; the phone's client does not run fragment timers, so only a push can show it."""
    path = tmp_path / "progress.db"
    made = prepare_room(path, participants=1, questions=2, signed_in_share=0.0)

    async def play(url: str) -> None:
        phone = Phone(number=1, base_url=url, code=made.code, session_id=made.session_id)
        await phone.join()
        phone.client.auto_rerun_fragments = False
        for task in [t for _, t in phone.client._auto_reruns.values()]:
            task.cancel()
        phone.client._auto_reruns.clear()
        runs_before = phone.client.runs_started
        db = open_db(path, migrate=False)
        try:
            facilitator = db.execute("SELECT facilitator_id FROM live_sessions WHERE id = ?", [made.session_id])
            live.start(db, made.session_id, actor_id=facilitator.fetchone()[0])
        finally:
            db.close()
        await phone.wait_for_question(0, timeout=10)  # the watcher looks 4 times a second
        assert phone.client.runs_started > runs_before
        assert not phone.client.exceptions
        await phone.close()

    with AppServer(path, port=free_port()) as server:
        asyncio.run(play(server.url))
        assert server.tracebacks() == []


def test_a_missing_streamlit_internal_turns_push_off_with_one_log_line(monkeypatch, caplog):
    from streamlit.runtime.app_session import AppSession

    monkeypatch.setattr(push, "_broken", [])
    monkeypatch.delattr(AppSession, "has_fragment")
    with caplog.at_level("WARNING", logger="quiz.ui.live.push"):
        assert push.missing_internal() == "AppSession.has_fragment"
        assert push.missing_internal() == "AppSession.has_fragment"
        assert not push.available() and push.current_fragment() is None
    [line] = [r.getMessage() for r in caplog.records]
    assert "Server push is off" in line and "AppSession.has_fragment" in line


SITECUSTOMIZE = """
# Test only: a Streamlit upgrade that moved one internal the push needs (Streamlit itself still
# calls AppSession.has_fragment, so the push gets a class without it).
import quiz.ui.live.push as push

push.AppSession = type("AppSession", (), {})
"""


@pytest.mark.slow
def test_without_one_internal_the_phones_still_follow_by_polling(tmp_path, monkeypatch):
    """A real server with AppSession.has_fragment removed: the phone shows the question by its own poll."""
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(SITECUSTOMIZE)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(hook), os.environ.get("PYTHONPATH")])))
    path = tmp_path / "progress.db"
    made = prepare_room(path, participants=1, questions=2, signed_in_share=0.0)

    async def play(url: str) -> None:
        phone = Phone(number=1, base_url=url, code=made.code, session_id=made.session_id)
        await phone.join()  # its client runs the fragment's run_every, as a browser does
        db = open_db(path, migrate=False)
        try:
            facilitator = db.execute("SELECT facilitator_id FROM live_sessions WHERE id = ?", [made.session_id])
            live.start(db, made.session_id, actor_id=facilitator.fetchone()[0])
        finally:
            db.close()
        await phone.wait_for_question(0, timeout=20)  # the 2 s poll, not the push
        assert not phone.client.exceptions
        await phone.close()

    with AppServer(path, port=free_port()) as server:
        asyncio.run(play(server.url))
        log = server.log_path.read_text(errors="replace")
        assert "Server push is off: the Streamlit internal AppSession.has_fragment is missing" in log
