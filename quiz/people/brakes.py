"""Brakes on guessing: sign-in passwords, sign-up, live join codes (OWASP ASVS V2.2).

A brake slows a guesser down; it never shuts a door for good, and a key that many people share
never stops the others. The design, in the words of ASVS V2.2.1 ("anti-automation ... effective
against credential stuffing, brute force and account lockout attacks"):

* **Counted per key, kept in progress.db.** A try names several *keys*, each ``"kind:value"``:
  the account tried (``account:lise``), the browser (``browser:<nonce cookie>``), the client
  address (``ip:10.0.0.7``), a person (``user:42``), a trusted browser for an account
  (``device:lise:<nonce>``). Every server process sees the same counts.
* **Progressive delay, not refusal.** For each key the first ``free`` tries within ``window`` go
  through at once; after that each further try must wait ``base_seconds * 2 ** (n - free)``
  seconds (at most ``max_seconds``) after the key's previous try. Nothing is ever refused for
  longer than ``max_seconds``.
* **A ceiling per account.** A limit may have a ``ceiling``: after that many failures within its
  window the key is refused (``Reservation.refused``) until old failures leave the window, however
  long one waits. Sign-in sets it on ``account`` keys, the tries of browsers the account has not
  used (NIST SP 800-63B 5.2.2: at most 100 failed tries per account before another factor; here the
  other factor is a browser that signed in to the account before, or a new password through HR).
* **A shared key cannot block other people.** Keys whose kind a scope does not list are ignored,
  so a caller passes only keys that name *this* client. Client addresses (``ip``), which a
  municipality's proxy or NAT makes shared, get a generous allowance and a short cap. The caller
  leaves out a key it cannot trust (an unknown address gives no ``ip`` key at all, never a shared
  ``ip:unknown``). For sign-in, ``quiz.people.auth`` counts an account's failures per *untrusted* client
  and lets a browser that signed in to the account before use its own ``device`` key instead
  (OWASP "device cookies"), so a stranger's wrong guesses do not lock the person out.
* **Atomic.** :func:`reserve` counts, decides and records the try in one ``BEGIN IMMEDIATE``
  transaction, *before* the expensive check (the password hash) runs. A try counts as a failure
  until it is settled, so 30 parallel tries against a limit of 5 get 5 reservations, not 30.
* **Settled afterwards.** :func:`settle` with ``success=True`` removes the reservation and clears
  the earlier failures of the keys whose kind the scope names in ``clear_on_success`` (the
  account, the browser), but never of a shared address. ``success=False`` keeps it as a failure.
  A reservation never settled (a crashed process) simply stays a failure until its window ends.

API::

    r = brakes.reserve(db, scope="signin", keys=["account:lise", "browser:abc", "ip:10.0.0.7"])
    if not r.allowed:
        show_wait(r.retry_after_seconds)
    else:
        ok = check_password(...)
        brakes.settle(db, r, success=ok)

Scopes and their limits are in :data:`SCOPES` (code, not settings: they are part of the design).
:func:`forget` deletes every count of some keys (used when a person is deleted, for GDPR).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlite_utils

from quiz.store.db import to_iso, transaction, utcnow
from quiz.store.users import forget_brake_keys


@dataclass(frozen=True)
class Limit:
    """How one kind of key is braked: ``free`` tries per ``window``, then a doubling delay."""

    free: int
    window: timedelta = timedelta(minutes=15)
    base_seconds: float = 1.0
    max_seconds: float = 60.0
    ceiling: int | None = None

    def wait(self, tries: int) -> float:
        """Seconds that must pass after the previous try before try number ``tries + 1``."""
        if tries < self.free:
            return 0.0
        return min(self.base_seconds * 2 ** (tries - self.free), self.max_seconds)


@dataclass(frozen=True)
class Scope:
    """The limits of one kind of try (``signin``, ``signup``, ``join``), per kind of key."""

    limits: dict[str, Limit]
    clear_on_success: frozenset[str] = field(default_factory=frozenset)


SCOPES: dict[str, Scope] = {
    "signin": Scope(
        limits={
            # An account tried from browsers it has not used: 5 at once, then 1, 2, 4 s between tries,
            # never more, so the owner on a new phone waits seconds, not minutes, however many wrong
            # tries others made; and at most 100 failures a day, then only a known browser (or a new
            # password through HR) signs in. A success clears the count (verify_login).
            "account": Limit(free=5, window=timedelta(hours=24), base_seconds=1, max_seconds=4, ceiling=100),
            # A browser that signed in to the account before: its own, more generous count.
            "device": Limit(free=10, base_seconds=1, max_seconds=60),
            "browser": Limit(free=10, base_seconds=1, max_seconds=300),
            # Shared by everyone behind one proxy or NAT: generous, short cap.
            "ip": Limit(free=100, base_seconds=0.5, max_seconds=4),
        },
        clear_on_success=frozenset({"account", "device", "browser"}),
    ),
    "signup": Scope(
        limits={
            "browser": Limit(free=5, window=timedelta(hours=1), base_seconds=2, max_seconds=300),
            "ip": Limit(free=50, window=timedelta(hours=1), base_seconds=0.5, max_seconds=10),
        },
        # A successful sign-up still counts: making accounts is what is braked.
        clear_on_success=frozenset(),
    ),
    "join": Scope(
        limits={
            "user": Limit(free=10, base_seconds=1, max_seconds=60),
            "browser": Limit(free=10, base_seconds=1, max_seconds=60),
            "ip": Limit(free=200, base_seconds=0.25, max_seconds=5),
        },
        clear_on_success=frozenset({"user", "browser"}),
    ),
    # New participants in live rooms (issue #25): every join that adds a person counts, so one
    # client cannot fill a room with made-up names. A phone rarely joins more than a few rooms an
    # hour; an address is shared by a venue's Wi-Fi, so it gets a room's worth, then a short wait.
    "join_new": Scope(
        limits={
            "browser": Limit(free=5, window=timedelta(hours=1), base_seconds=2, max_seconds=60),
            "ip": Limit(free=300, window=timedelta(minutes=10), base_seconds=0.5, max_seconds=10),
        },
        clear_on_success=frozenset(),
    ),
}

# Reservations older than this are failures of a process that never settled them; rows older than
# the longest window are deleted now and then.
_KEEP = timedelta(hours=2)


@dataclass(frozen=True)
class Reservation:
    """The answer of :func:`reserve`: go ahead now, or wait ``retry_after_seconds``."""

    allowed: bool
    retry_after_seconds: float
    id: str | None
    scope: str
    keys: tuple[str, ...] = ()
    refused: bool = False
    """A key is at its ceiling: waiting the delay does not help, another way in is needed."""


def _kind(key: str) -> str:
    return key.split(":", 1)[0]


def _braked_keys(scope: Scope, keys: Iterable[str]) -> list[str]:
    seen: list[str] = []
    for key in keys:
        if key and ":" in key and _kind(key) in scope.limits and key not in seen:
            seen.append(key)
    return seen


def reserve(db: sqlite_utils.Database, *, scope: str, keys: Iterable[str], now: datetime | None = None) -> Reservation:
    """Ask to make one try under ``scope`` for ``keys``; the try is recorded when allowed.

    One ``BEGIN IMMEDIATE`` transaction: concurrent callers (threads or processes) are decided one
    after another, each seeing the tries reserved before it.
    """
    rules = SCOPES[scope]
    now = now or utcnow()
    braked = _braked_keys(rules, keys)
    with transaction(db):
        wait = 0.0
        refused = False
        for key in braked:
            limit = rules.limits[_kind(key)]
            tries, first, last = db.execute(
                "SELECT COUNT(*), MIN(at), MAX(at) FROM brake_events WHERE scope = ? AND key = ? AND at >= ?",
                [scope, key, to_iso(now - limit.window)],
            ).fetchone()
            if limit.ceiling is not None and tries >= limit.ceiling:
                refused = True
                wait = max(wait, (datetime.fromisoformat(first) + limit.window - now).total_seconds())
                continue
            needed = limit.wait(tries)
            if needed > 0:
                wait = max(wait, needed - (now - datetime.fromisoformat(last)).total_seconds())
        if wait > 0 or refused:
            return Reservation(False, max(wait, 0.0), None, scope, tuple(braked), refused=refused)
        rid = secrets.token_urlsafe(12)
        db.table("brake_events").insert_all(
            {"reservation": rid, "scope": scope, "key": key, "at": to_iso(now), "settled": 0} for key in braked
        )
        if secrets.randbelow(50) == 0:  # keep the table small without a job of its own
            db.table("brake_events").delete_where("at < ?", [to_iso(now - _KEEP)])
    return Reservation(True, 0.0, rid, scope, tuple(braked))


def settle(db: sqlite_utils.Database, reservation: Reservation, *, success: bool) -> None:
    """Record how the reserved try ended.

    ``success=True`` drops the reservation and clears the earlier failures of its keys whose kind
    is in the scope's ``clear_on_success``; ``False`` keeps it as a failure.
    """
    if not reservation.allowed or reservation.id is None:
        return
    rules = SCOPES[reservation.scope]
    with transaction(db):
        if not success:
            db.execute("UPDATE brake_events SET settled = 1 WHERE reservation = ?", [reservation.id])
            return
        db.table("brake_events").delete_where("reservation = ?", [reservation.id])
        for key in reservation.keys:
            if _kind(key) in rules.clear_on_success:
                db.table("brake_events").delete_where("scope = ? AND key = ?", [reservation.scope, key])


def clear(db: sqlite_utils.Database, *, scope: str, keys: Iterable[str]) -> None:
    """Drop the counted tries of ``keys`` under ``scope`` (a success ends a run of failures)."""
    with transaction(db):
        for key in keys:
            db.table("brake_events").delete_where("scope = ? AND key = ?", [scope, key])


def forget(db: sqlite_utils.Database, keys: Iterable[str], *, prefixes: Iterable[str] = ()) -> None:
    """Delete every count of ``keys`` (any scope), and of keys starting with ``prefixes``."""
    forget_brake_keys(db, keys, prefixes=prefixes)


def tries(db: sqlite_utils.Database, *, scope: str, key: str) -> int:
    """How many tries of ``key`` are counted now (for tests and the operator's CLI)."""
    return db["brake_events"].count_where("scope = ? AND key = ?", [scope, key])
