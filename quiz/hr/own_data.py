"""A person's own records, readable: the "Mine data" download and deleting one's own account.

``quiz.hr.exports.user_records`` gives the raw rows (every table with a ``user_id``); this turns them
into what a person can read: plain fields named in their language, dates in Danish time, statement
texts instead of ids, and a one-sentence explanation of each part. JSON columns are unpacked, never
left as JSON inside a string. A table added by a later migration still appears (under "other").
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import sqlite_utils

from quiz.content import Pack
from quiz.hr.exports import user_records
from quiz.i18n import QuizError, t
from quiz.learning import stored
from quiz.learning.timefmt import local_time
from quiz.store.db import from_iso, from_micros, transaction
from quiz.store.users import delete_user, get_user

# Parts with a readable shape of their own; every other table goes under "other", unpacked.
_SHAPED = {"intro_progress", "attempts", "answers", "reviews", "statement_mastery", "learning_state"}
_SECRET_COLUMNS = {"token_hash", "password_hash"}


def _when(text: str | None) -> str:
    return local_time(from_iso(text)) if text else ""


def _when_micros(micros: int | None) -> str:
    """A time stored as microseconds (``to_micros``) as the person reads it, or nothing."""
    return local_time(from_micros(micros)) if micros is not None else ""


def _statement(pack: Pack | None, sid: str) -> str:
    found = pack.statements_by_id.get(sid) if pack else None
    return found.text if found else sid


def _part(name: str, rows: Any) -> dict:
    return {t("own_data.about"): t(f"own_data.{name}.about"), t("own_data.rows"): rows}


def _unpacked(row: dict) -> dict:
    out = {}
    for column, value in row.items():
        if column in _SECRET_COLUMNS:
            continue
        if column.endswith("_json") and isinstance(value, str):
            try:
                out[column.removesuffix("_json")] = json.loads(value)
                continue
            except ValueError:
                pass
        out[column] = value
    return out


def _questions(db: sqlite_utils.Database, attempts: Iterable[dict]) -> dict[int, list]:
    """Each attempt's questions, in the current language (``quiz.learning.stored``)."""
    out = {}
    for a in attempts:
        row = db.execute("SELECT questions_json FROM question_sets WHERE id = ?", [a["question_set_id"]]).fetchone()
        out[a["id"]] = stored.decode(row[0], a["pack_id"]) if row else []
    return out


def readable_records(db: sqlite_utils.Database, user_id: int, packs: dict[str, Pack]) -> dict:
    """Everything stored about the person, as parts a person can read (in the current language)."""
    raw = user_records(db, user_id)
    user = raw.get("user") or {}
    k = lambda name: t(f"own_data.field.{name}")  # noqa: E731 - short field names below
    yes_no = lambda flag: t("own_data.yes") if flag else t("own_data.no")  # noqa: E731

    def pack_of(pack_id: str | None) -> Pack | None:
        return packs.get(pack_id or "")

    def role_name(role_key: str | None) -> str:
        for pack in packs.values():
            if role_key in pack.roles:
                return pack.roles[role_key].name
        return role_key or ""

    attempts = {a["id"]: a for a in raw.get("attempts", [])}
    questions = _questions(db, attempts.values())

    def answer_row(a: dict) -> dict:
        attempt = attempts.get(a["attempt_id"], {})
        found = questions.get(a["attempt_id"]) or []
        question = found[a["question_index"]] if a["question_index"] < len(found) else None
        labels = {o.key: o.label for o in question.options} if question else {}
        given = json.loads(a["answer_json"])
        shown = [labels.get(g, g) for g in given] if isinstance(given, list) else labels.get(given, given)
        pack = pack_of(attempt.get("pack_id"))
        return {
            k("quiz"): json.loads(attempt.get("spec_json") or "{}").get("title") or "",
            k("question"): question.prompt if question else "",
            k("statements"): [_statement(pack, sid) for sid in (question.statement_ids if question else ())],
            k("your_answer"): shown,
            k("correct"): yes_no(a["correct"]),
            k("points"): round(a["score"], 2),
            k("seconds"): None if a["time_taken_ms"] is None else round(a["time_taken_ms"] / 1000, 1),
            k("answered_at"): _when(a["answered_at"]),
        }

    def attempt_row(a: dict) -> dict:
        status = "finished" if a["finished_at"] else ("abandoned" if a.get("abandoned_at") else "open")
        return {
            k("quiz"): json.loads(a["spec_json"]).get("title") or "",
            k("kind"): t(f"own_data.kind.{a['kind']}"),
            k("questions"): a["question_count"],
            k("status"): t(f"own_data.status.{status}"),
            k("started_at"): _when(a["started_at"]),
            k("finished_at"): _when(a["finished_at"]),
            k("score"): None if a["score"] is None else f"{round(a['score'] * 100)} %",
        }

    records: dict[str, Any] = {t("own_data.title"): t("own_data.lead")}
    records[t("own_data.account.name")] = {
        t("own_data.about"): t("own_data.account.about"),
        k("username"): user.get("username"),
        k("display_name"): user.get("display_name"),
        k("role"): role_name(user.get("role_key")),
        k("admin"): yes_no(user.get("is_admin")),
        k("facilitator"): yes_no(user.get("is_facilitator")),
        k("created_at"): _when(user.get("created_at")),
        k("last_seen_at"): _when(user.get("last_seen_at")),
    }
    records[t("own_data.intro.name")] = _part(
        "intro",
        [
            {
                k("pack"): (found.title if (found := pack_of(r["pack_id"])) else r["pack_id"]),
                k("step"): r["step"] + 1,
                k("completed_at"): _when(r["completed_at"]),
            }
            for r in raw.get("intro_progress", [])
        ],
    )
    records[t("own_data.attempts.name")] = _part("attempts", [attempt_row(a) for a in attempts.values()])
    records[t("own_data.answers.name")] = _part("answers", [answer_row(a) for a in raw.get("answers", [])])
    keys = dict(db.execute("SELECT id, json_array(pack_id, statement_id) FROM statement_keys").fetchall())
    reviewed = [json.loads(keys.get(r["statement"], '["", ""]')) for r in raw.get("reviews", [])]
    records[t("own_data.reviews.name")] = _part(
        "reviews",
        [
            {
                k("statement"): _statement(pack_of(pack_id), sid),
                k("correct"): yes_no(r["correct"]),
                k("rating"): r["rating"],
                k("seconds"): None if r["duration_ms"] is None else round(r["duration_ms"] / 1000, 1),
                k("answered_at"): local_time(from_micros(r["answered_at"])),
            }
            for r, (pack_id, sid) in zip(raw.get("reviews", []), reviewed, strict=True)
        ],
    )
    records[t("own_data.mastery.name")] = _part(
        "mastery",
        [
            {
                k("statement"): _statement(pack_of(pack_id), sid),
                k("mastery"): f"{round((r['mastery'] or 0) * 100)} %",
                k("answered_at"): _when_micros(r["answered_at"]),
            }
            for r in raw.get("statement_mastery", [])
            for pack_id, sid in [json.loads(keys.get(r["statement"], '["", ""]'))]
        ],
    )
    records[t("own_data.refresh.name")] = _part(
        "refresh",
        [
            {
                k("statement"): _statement(pack_of(pack_id), sid),
                k("due_at"): _when_micros(r["due_at"]),
                k("last_review_at"): _when_micros(r["last_review_at"]),
                k("reps"): r["reps"],
                k("lapses"): r["lapses"],
            }
            for r in raw.get("learning_state", [])
            for pack_id, sid in [json.loads(keys.get(r["statement"], '["", ""]'))]
        ],
    )
    other = {
        table: [_unpacked(r) for r in rows]
        for table, rows in raw.items()
        if table != "user" and table not in _SHAPED and rows
    }
    if other:
        records[t("own_data.other.name")] = {t("own_data.about"): t("own_data.other.about"), **other}
    return records


def readable_records_json(db: sqlite_utils.Database, user_id: int, packs: dict[str, Pack]) -> str:
    return json.dumps(readable_records(db, user_id, packs), ensure_ascii=False, indent=2)


def delete_own_account(db: sqlite_utils.Database, user_id: int, *, confirm_username: str) -> None:
    """The person deletes their own account and every record of theirs.

    ``confirm_username`` must be the person's username (typed by them), checked together with the
    last-administrator rule in the transaction that deletes. Raises ``QuizError`` when refused.
    """
    with transaction(db):
        user = get_user(db, user_id)
        if user is None:
            raise QuizError("own_data.delete.gone")
        if confirm_username.strip().casefold() != user.username.casefold():
            raise QuizError("own_data.delete.mismatch")
        if user.is_admin and db["users"].count_where("is_admin = 1") <= 1:
            raise QuizError("own_data.delete.last_admin")
        delete_user(db, user_id)


__all__ = ["delete_own_account", "readable_records", "readable_records_json"]
