"""Learning records as xAPI 1.0.3 statements, for a Learning Record Store or an HR system.

Read straight from progress.db:

- ``experienced`` — a person completed a pack's intro;
- ``answered`` — one per answer (object: the statement placed, or the question when it placed several);
- ``completed`` and ``passed``/``failed`` — one each per finished attempt (pass mark ``PASS_MARK``);
- ``completed`` for the onboarding programme (``…/packs/<id>/programme``), once per person who completed it.

Every statement of a person placed in a unit carries the unit's path as the context extension
``<base>/extensions/unit``.

Every statement's ``id`` is a UUID5 of the base IRI and the row it comes from, so exporting twice
gives the same ids and an LRS can drop the duplicates. The people are accounts on the base IRI
(``QUIZ_XAPI_BASE``), never e-mail addresses.

One row that cannot be read (a damaged JSON column, a date that is no date) is left out and
reported (:class:`Skipped`: whose, which record, why) instead of ending the export: everyone else's
records still go out.
"""

from __future__ import annotations

import json
import logging
import os
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from typing import Any, TextIO

import sqlite_utils

from quiz.content.models import Pack
from quiz.hr import programme, units
from quiz.i18n import Msg, use_language
from quiz.store.db import to_iso

log = logging.getLogger(__name__)

XAPI_VERSION = "1.0.3"
DEFAULT_BASE = "https://hvidovrevejen.hvidovre.dk/xapi"
PASS_MARK = 0.8

ADL = "http://adlnet.gov/expapi/verbs/"
VERBS = {
    "experienced": {"id": ADL + "experienced", "display": {"da-DK": "gennemgik", "en-US": "experienced"}},
    "answered": {"id": ADL + "answered", "display": {"da-DK": "besvarede", "en-US": "answered"}},
    "completed": {"id": ADL + "completed", "display": {"da-DK": "gennemførte", "en-US": "completed"}},
    "passed": {"id": ADL + "passed", "display": {"da-DK": "bestod", "en-US": "passed"}},
    "failed": {"id": ADL + "failed", "display": {"da-DK": "bestod ikke", "en-US": "failed"}},
}
ACTIVITY = "http://adlnet.gov/expapi/activities/"
KIND_NAMES = ("quiz", "refresh", "live")  # named by the catalogue: xapi.kind.<kind>


def base_iri() -> str:
    """``QUIZ_XAPI_BASE`` without a trailing slash, or the default."""
    return (os.environ.get("QUIZ_XAPI_BASE") or DEFAULT_BASE).rstrip("/")


class IRIs:
    """The activity IRIs under one base."""

    def __init__(self, base: str):
        self.base = base.rstrip("/")
        self.namespace = uuid.uuid5(uuid.NAMESPACE_URL, self.base)

    def pack(self, pack_id: str) -> str:
        return f"{self.base}/packs/{pack_id}"

    def intro(self, pack_id: str) -> str:
        return f"{self.pack(pack_id)}/intro"

    def statement(self, pack_id: str, statement_id: str) -> str:
        return f"{self.pack(pack_id)}/statements/{statement_id}"

    def attempt(self, pack_id: str, attempt_id: int) -> str:
        return f"{self.pack(pack_id)}/attempts/{attempt_id}"

    def programme(self, pack_id: str) -> str:
        return f"{self.pack(pack_id)}/programme"

    def question(self, pack_id: str, attempt_id: int, index: int) -> str:
        return f"{self.attempt(pack_id, attempt_id)}/questions/{index + 1}"

    def statement_uuid(self, *key: Any) -> str:
        return str(uuid.uuid5(self.namespace, "/".join(str(k) for k in key)))

    def registration(self, attempt_id: int, started_at: str) -> str:
        return self.statement_uuid("attempt", attempt_id, started_at)


def _actor(iris: IRIs, username: str, display_name: str) -> dict:
    return {"objectType": "Agent", "name": display_name, "account": {"homePage": iris.base, "name": username}}


def _activity(iri: str, name: str | Msg, activity_type: str, description: Msg | None = None) -> dict:
    """An activity; a catalogue message becomes a language map (da-DK and en-US), content text stays as it is."""
    definition: dict[str, Any] = {"name": _language_map(name), "type": ACTIVITY + activity_type}
    if description:
        definition["description"] = _language_map(description)
    return {"objectType": "Activity", "id": iri, "definition": definition}


def _language_map(text: str | Msg) -> dict[str, str]:
    if isinstance(text, Msg):
        # In the language's context, so a message inside the message is in the same language.
        out = {}
        for lang, tag in (("da", "da-DK"), ("en", "en-US")):
            with use_language(lang):
                out[tag] = text.render()
        return out
    return {"da-DK": text}


def _duration(ms: float | None) -> str | None:
    """ISO 8601 duration, e.g. ``PT12.34S``."""
    if ms is None or ms < 0:
        return None
    return f"PT{round(ms / 1000, 2):g}S"


def _response(answer: Any) -> str:
    """The answer as xAPI's response text: an option key, or the keys in item order joined by ``[,]``."""
    if isinstance(answer, list):
        return "[,]".join(str(a) for a in answer)
    return str(answer)


def _statement(iris: IRIs, sid: str, actor: dict, verb: str, obj: dict, timestamp: str, **parts: Any) -> dict:
    statement = {"id": sid, "version": XAPI_VERSION, "actor": actor, "verb": VERBS[verb], "object": obj}
    statement.update({k: v for k, v in parts.items() if v is not None})
    statement["timestamp"] = timestamp
    return statement


def _user_filter(user_id: int | None, since: datetime | None, column: str) -> tuple[str, list[object]]:
    where = ""
    args: list[object] = []
    if user_id is not None:
        where += " AND u.id = ?"
        args.append(user_id)
    if since is not None:
        where += f" AND {column} >= ?"
        args.append(to_iso(since))
    return where, args


def statements(
    db: sqlite_utils.Database,
    packs: dict[str, Pack] | None = None,
    *,
    base: str | None = None,
    pass_mark: float = PASS_MARK,
    user_id: int | None = None,
    since: datetime | None = None,
    skipped: list[Skipped] | None = None,
) -> Iterator[dict]:
    """Every learning record as an xAPI statement (a generator: large exports never sit in memory).

    ``packs`` (by id) adds statement texts and pack titles to the activity definitions. Only one
    person's records with ``user_id``; only records from ``since`` on when given. A record that
    cannot be read is left out and appended to ``skipped`` (and logged).
    """
    packs = packs or {}
    iris = IRIs(base or base_iri())
    units = _unit_paths(db)
    found = skipped if skipped is not None else []
    for statement in _all(db, iris, packs, pass_mark, user_id, since, found):
        unit = units.get(statement["actor"]["account"]["name"])
        if unit:
            statement.setdefault("context", {}).setdefault("extensions", {})[f"{iris.base}/extensions/unit"] = unit
        yield statement


def _all(db, iris: IRIs, packs, pass_mark: float, user_id, since, skipped: list[Skipped]) -> Iterator[dict]:
    yield from _guarded(_intro_statements(db, iris, packs, user_id, since), skipped)
    yield from _guarded(_answer_statements(db, iris, packs, user_id, since), skipped)
    yield from _guarded(_attempt_statements(db, iris, packs, pass_mark, user_id, since), skipped)
    yield from _programme_statements(db, iris, packs, user_id, since)


@dataclass(frozen=True)
class Skipped:
    """A record left out of an export because it could not be read: whose, which, and why."""

    username: str
    record: str  # "answer", "attempt" or "intro"
    record_id: object
    problem: str

    def message(self) -> Msg:
        return Msg("xapi.skipped", username=self.username, record=Msg(f"xapi.record.{self.record}"), id=self.record_id)


_UNREADABLE = (ValueError, TypeError, KeyError, AttributeError, IndexError)
Row = tuple[str, tuple[str, object], Callable[[], Iterator[dict]]]  # whose, which record, its statements


def _guarded(rows: Iterator[Row], skipped: list[Skipped]) -> Iterator[dict]:
    """The statements of each row; a row whose statements cannot be made is reported, and the rest go on."""
    for username, (record, record_id), make in rows:
        try:
            made = list(make())
        except _UNREADABLE as exc:
            problem = f"{type(exc).__name__}: {exc}"[:200]
            log.warning("xAPI export: %s %s of %s left out: %s", record, record_id, username, problem)
            skipped.append(Skipped(username, record, record_id, problem))
            continue
        yield from made


def _unit_paths(db) -> dict[str, str]:
    """Username -> the unit the person is placed in, as a path (``Center for Sundhed › Hjemmeplejen``)."""
    tree = units.tree(db)
    sql = "SELECT u.username, p.unit_id FROM people p JOIN users u ON u.id = p.user_id WHERE p.unit_id IS NOT NULL"
    return {name: tree.path(unit_id) for name, unit_id in db.execute(sql)}


def _programme_statements(db, iris: IRIs, packs, user_id, since) -> Iterator[dict]:
    """``completed`` for the onboarding programme of a pack, once per person who completed it."""

    for pack_id, pack in packs.items():
        current = programme.get_programme(db, pack_id)
        if current is None:
            continue
        ids = [user_id] if user_id is not None else None
        for person in programme.statuses(db, pack, current, today=date.today(), user_ids=ids):
            if person.completed_at is None or (since is not None and person.completed_at < since):
                continue
            finished = to_iso(person.completed_at)
            obj = _activity(iris.programme(pack_id), Msg("xapi.programme", title=_pack_title(packs, pack_id)), "course")
            yield _statement(
                iris,
                iris.statement_uuid("programme", person.user_id, pack_id, finished),
                _actor(iris, person.username, person.display_name),
                "completed",
                obj,
                finished,
                result={"completion": True, "success": True},
                context={"contextActivities": {"grouping": [{"id": iris.pack(pack_id)}]}, "language": "da-DK"},
            )


def _pack_title(packs: dict[str, Pack], pack_id: str) -> str:
    pack = packs.get(pack_id)
    return pack.manifest.title if pack else pack_id


def _intro_statements(db, iris: IRIs, packs, user_id, since) -> Iterator[Row]:
    where, args = _user_filter(user_id, since, "i.completed_at")
    sql = f"""
        SELECT u.username, u.display_name, i.user_id, i.pack_id, i.completed_at
        FROM intro_progress i JOIN users u ON u.id = i.user_id
        WHERE i.completed_at IS NOT NULL {where}
        ORDER BY i.completed_at, i.user_id
    """
    for row in db.execute(sql, args):
        yield row[0], ("intro", row[3]), partial(_intro_statement, iris, packs, row)


def _intro_statement(iris: IRIs, packs, row) -> Iterator[dict]:
    username, name, uid, pack_id, completed_at = row
    obj = _activity(iris.intro(pack_id), Msg("xapi.intro", title=_pack_title(packs, pack_id)), "module")
    yield _statement(
        iris,
        iris.statement_uuid("intro", uid, pack_id, completed_at),
        _actor(iris, username, name),
        "experienced",
        obj,
        completed_at,
        result={"completion": True},
        context={"contextActivities": {"grouping": [{"id": iris.pack(pack_id)}]}, "language": "da-DK"},
    )


def _answer_statements(db, iris: IRIs, packs, user_id, since) -> Iterator[Row]:
    where, args = _user_filter(user_id, since, "a.answered_at")
    sql = f"""
        SELECT u.username, u.display_name, a.id, a.attempt_id, a.question_index, a.question_type,
               (SELECT json_group_array(json_array(statement_id, correct))
                FROM (SELECT k.statement_id, r.correct FROM reviews r JOIN statement_keys k ON k.id = r.statement
                      WHERE r.answer_id = a.id ORDER BY r.part)),
               a.answer_json, a.score, a.correct, a.time_taken_ms, a.answered_at, t.pack_id, t.started_at
        FROM answers a JOIN attempts t ON t.id = a.attempt_id JOIN users u ON u.id = a.user_id
        WHERE 1 {where}
        ORDER BY a.answered_at, a.id
    """
    for row in db.execute(sql, args):
        yield row[0], ("answer", row[2]), partial(_answer_statement, iris, packs, row)


def _answer_statement(iris: IRIs, packs, row) -> Iterator[dict]:
    (username, name, answer_id, attempt_id, index, qtype, parts_json, answer_json, score, correct,
     ms, answered_at, pack_id, started_at) = row  # fmt: skip
    # The answer's statements, each placed right or not, in the order graded (its ``reviews``).
    parts = json.loads(parts_json)
    sids = [sid for sid, _ in parts]
    pack = packs.get(pack_id)
    if len(sids) == 1:
        sid = sids[0]
        known = pack.statements_by_id.get(sid) if pack else None
        obj = _activity(iris.statement(pack_id, sid), known.text if known else sid, "cmi.interaction")
    else:
        obj = _activity(
            iris.question(pack_id, attempt_id, index), Msg("xapi.question", n=index + 1), "cmi.interaction"
        )
    count = len(parts) or 1
    raw = sum(bool(ok) for _, ok in parts) if parts else float(score)
    result = {
        "score": {"scaled": _clamp(score), "raw": raw, "min": 0, "max": count},
        "success": bool(correct),
        "response": _response(json.loads(answer_json)),
    }
    if (duration := _duration(ms)) is not None:
        result["duration"] = duration
    context: dict[str, Any] = {
        "registration": iris.registration(attempt_id, started_at),
        "contextActivities": {
            "parent": [{"id": iris.attempt(pack_id, attempt_id)}],
            "grouping": [{"id": iris.pack(pack_id)}],
            "other": [{"id": iris.statement(pack_id, s)} for s in sids if len(sids) > 1],
        },
        "extensions": {f"{iris.base}/extensions/question-type": qtype},
        "language": "da-DK",
    }
    if not context["contextActivities"]["other"]:
        del context["contextActivities"]["other"]
    yield _statement(
        iris,
        iris.statement_uuid("answer", answer_id, answered_at),
        _actor(iris, username, name),
        "answered",
        obj,
        answered_at,
        result=result,
        context=context,
    )

def _clamp(score: float | None) -> float:
    return min(1.0, max(0.0, float(score or 0.0)))


def _attempt_statements(db, iris: IRIs, packs, pass_mark: float, user_id, since) -> Iterator[Row]:
    where, args = _user_filter(user_id, since, "t.finished_at")
    sql = f"""
        SELECT u.username, u.display_name, t.id, t.pack_id, t.kind, t.spec_json, t.started_at, t.finished_at,
               t.score, t.question_count,
               (SELECT COUNT(*) FROM answers WHERE attempt_id = t.id),
               (SELECT COALESCE(SUM(correct), 0) FROM answers WHERE attempt_id = t.id)
        FROM attempts t JOIN users u ON u.id = t.user_id
        WHERE t.finished_at IS NOT NULL {where}
        ORDER BY t.finished_at, t.id
    """
    for row in db.execute(sql, args):
        yield row[0], ("attempt", row[2]), partial(_attempt_statement, iris, packs, pass_mark, row)


def _attempt_statement(iris: IRIs, packs, pass_mark: float, row) -> Iterator[dict]:
    (username, name, attempt_id, pack_id, kind, spec_json, started_at, finished_at, score, total, answered,
     right) = row  # fmt: skip
    kind_name = Msg(f"xapi.kind.{kind}") if kind in KIND_NAMES else kind
    title = json.loads(spec_json).get("title")
    pack_title = _pack_title(packs, pack_id)
    activity_name = f"{title} ({pack_title})" if title else Msg("xapi.untitled", kind=kind_name, title=pack_title)
    obj = _activity(
        iris.attempt(pack_id, attempt_id),
        activity_name,
        "assessment",
        Msg("xapi.attempt_about", kind=kind_name, total=total),
    )
    scaled = _clamp(score)
    passed = score is not None and score >= pass_mark
    duration_ms = (datetime.fromisoformat(finished_at) - datetime.fromisoformat(started_at)).total_seconds() * 1000
    context: dict[str, Any] = {
        "registration": iris.registration(attempt_id, started_at),
        "contextActivities": {"grouping": [{"id": iris.pack(pack_id)}]},
        "extensions": {f"{iris.base}/extensions/attempt-kind": kind},
        "language": "da-DK",
    }
    actor = _actor(iris, username, name)
    score_part = {"scaled": scaled, "raw": right, "min": 0, "max": total}
    completed = {"score": score_part, "completion": answered == total}
    if (duration := _duration(duration_ms)) is not None:
        completed["duration"] = duration
    yield _statement(
        iris,
        iris.statement_uuid("attempt", attempt_id, finished_at, "completed"),
        actor,
        "completed",
        obj,
        finished_at,
        result=completed,
        context=context,
    )
    verdict = "passed" if passed else "failed"
    yield _statement(
        iris,
        iris.statement_uuid("attempt", attempt_id, finished_at, verdict),
        actor,
        verdict,
        obj,
        finished_at,
        result={"score": score_part, "success": passed, "completion": answered == total},
        context=context,
    )


def write_json(items: Iterable[dict], out: TextIO) -> int:
    """Write statements as one JSON array, one statement per line, without holding them all; returns the count."""
    count = 0
    out.write("[")
    for statement in items:
        out.write(",\n" if count else "\n")
        out.write(json.dumps(statement, ensure_ascii=False, separators=(",", ":")))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count
