"""The guessing brake (quiz.people.brakes): progressive delay, per key, atomic under parallel tries."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from quiz.people import brakes
from quiz.store import open_db

NOW = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
FREE = brakes.SCOPES["signin"].limits["account"].free


def _fail(db, keys, times, now=NOW, scope="signin"):
    for _ in range(times):
        r = brakes.reserve(db, scope=scope, keys=keys, now=now)
        assert r.allowed
        brakes.settle(db, r, success=False)


def test_first_tries_go_through_then_each_waits_longer(db):
    _fail(db, ["account:lise"], FREE)
    r = brakes.reserve(db, scope="signin", keys=["account:lise"], now=NOW)
    assert not r.allowed and r.retry_after_seconds == 1.0
    later = NOW + timedelta(seconds=1)
    _fail(db, ["account:lise"], 1, now=later)
    r = brakes.reserve(db, scope="signin", keys=["account:lise"], now=later + timedelta(seconds=1))
    assert not r.allowed and r.retry_after_seconds == 1.0, "the second extra try waits 2 s after the previous"
    assert brakes.reserve(db, scope="signin", keys=["account:lise"], now=later + timedelta(seconds=2)).allowed


def test_a_patient_guesser_waits_at_most_the_cap_and_is_never_refused_for_good(db):
    limit = brakes.SCOPES["signin"].limits["account"]
    now, waits = NOW, []
    for _ in range(40):
        r = brakes.reserve(db, scope="signin", keys=["account:lise"], now=now)
        if r.allowed:
            brakes.settle(db, r, success=False)
        else:
            waits.append(r.retry_after_seconds)
            now += timedelta(seconds=r.retry_after_seconds)
    assert max(waits) == limit.max_seconds


def test_failures_of_one_key_never_slow_another(db):
    _fail(db, ["account:lise", "browser:attacker"], FREE)
    assert not brakes.reserve(db, scope="signin", keys=["account:lise"], now=NOW).allowed
    assert brakes.reserve(db, scope="signin", keys=["account:per", "browser:other"], now=NOW).allowed


def test_success_clears_the_account_and_browser_but_not_the_shared_address(db):
    _fail(db, ["account:lise", "browser:b1", "ip:10.0.0.7"], 3)
    r = brakes.reserve(db, scope="signin", keys=["account:lise", "browser:b1", "ip:10.0.0.7"], now=NOW)
    brakes.settle(db, r, success=True)
    assert brakes.tries(db, scope="signin", key="account:lise") == 0
    assert brakes.tries(db, scope="signin", key="browser:b1") == 0
    assert brakes.tries(db, scope="signin", key="ip:10.0.0.7") == 3


def test_keys_of_a_kind_the_scope_does_not_know_are_ignored(db):
    _fail(db, ["whatever:x", "account:lise"], FREE)
    assert brakes.tries(db, scope="signin", key="whatever:x") == 0


def test_old_failures_stop_counting_after_the_window(db):
    _fail(db, ["account:lise"], FREE)
    window = brakes.SCOPES["signin"].limits["account"].window
    assert brakes.reserve(db, scope="signin", keys=["account:lise"], now=NOW + window + timedelta(seconds=1)).allowed


def test_thirty_parallel_tries_get_no_more_reservations_than_the_limit(db_path, db):
    allowed = []
    barrier = threading.Barrier(30)

    def attempt():
        conn = open_db(db_path, migrate=False)
        barrier.wait()
        r = brakes.reserve(conn, scope="signin", keys=["account:admin"], now=NOW)
        if r.allowed:
            allowed.append(r)
        conn.close()

    threads = [threading.Thread(target=attempt) for _ in range(30)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(allowed) == FREE


def test_forget_removes_every_count_of_a_person(db):
    _fail(db, ["account:lise", "device:lise:abc", "user:7"], 2)
    _fail(db, ["user:7"], 2, scope="join")
    brakes.forget(db, ["account:lise", "user:7"], prefixes=["device:lise:"])
    assert db["brake_events"].count == 0
