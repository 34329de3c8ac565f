"""Session plans: the questions a facilitator picked by hand, in order, saved to reuse for the next course."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import sqlite_utils

from quiz.learning.quizzes import QuizSpec, draw_questions
from quiz.questions.base import Question
from quiz.store.db import to_iso, transaction, utcnow

from .joining import check_time_limit
from .models import SECONDS_KEY, LiveError


@dataclass(frozen=True)
class Plan:
    """A saved plan: its title, pack and questions in the order they will be asked."""

    id: int
    owner_id: int | None
    pack_id: str
    title: str
    questions: list[Question]
    updated_at: datetime


def _plan(row: dict) -> Plan:
    return Plan(
        id=row["id"],
        owner_id=row["owner_id"],
        pack_id=row["pack_id"],
        title=row["title"],
        questions=[Question.from_dict(q) for q in json.loads(row["items_json"])],
        updated_at=datetime.fromisoformat(row["updated_at"]),
    )


def candidates(spec: QuizSpec, registry=None, *, search: str = "", rounds: int = 3) -> list[Question]:
    """Questions to pick from: several draws with the filters of ``spec``, without repeats, matching ``search``.

    The search looks in the prompt, the statements and the options, without regard to case.
    """
    found: dict[str, Question] = {}
    for seed in range((spec.seed or 0), (spec.seed or 0) + rounds):
        for question in draw_questions(spec.model_copy(update={"seed": seed}), registry):
            key = json.dumps(question.to_dict(), sort_keys=True, ensure_ascii=False)
            found.setdefault(key, question)
    needle = search.casefold().strip()
    if needle:
        found = {
            k: q
            for k, q in found.items()
            if needle in " ".join([q.prompt, *(i.text for i in q.items), *(o.label for o in q.options)]).casefold()
        }
    return list(found.values())


def save_plan(
    db: sqlite_utils.Database,
    owner_id: int,
    pack_id: str,
    title: str,
    questions: list[Question],
    *,
    plan_id: int | None = None,
    now: datetime | None = None,
) -> Plan:
    """Store a new plan (or replace plan ``plan_id`` of the same owner) and return it.

    A question may carry its own time limit in ``data["live_seconds"]`` (0: none; else 5–600 s).
    """
    clean = " ".join((title or "").split())[:80]
    if not clean:
        raise LiveError("live.plan_title")
    if not questions:
        raise LiveError("live.plan_empty")
    for question in questions:  # a question's own time limit: 0 (none) or 5–600 seconds
        own = question.data.get(SECONDS_KEY)
        if own:
            check_time_limit(own)
    moment = to_iso(now or utcnow())
    items = json.dumps([q.to_dict() for q in questions], ensure_ascii=False)
    with transaction(db):
        if plan_id is not None:
            found = db.execute("SELECT owner_id FROM live_plans WHERE id = ?", [plan_id]).fetchone()
            if found is None or found[0] != owner_id:
                raise LiveError("live.plan_missing")
            db.table("live_plans").update(plan_id, {"title": clean, "items_json": items, "updated_at": moment})
        else:
            plan_id = (
                db.table("live_plans")
                .insert(
                    {
                        "owner_id": owner_id,
                        "pack_id": pack_id,
                        "title": clean,
                        "items_json": items,
                        "created_at": moment,
                        "updated_at": moment,
                    }
                )
                .last_pk
            )
    assert plan_id is not None  # given, or the new row's
    plan = get_plan(db, plan_id)
    assert plan is not None  # written above
    return plan


def get_plan(db: sqlite_utils.Database, plan_id: int) -> Plan | None:
    rows = list(db["live_plans"].rows_where("id = ?", [plan_id]))
    return _plan(rows[0]) if rows else None


def plans_of(db: sqlite_utils.Database, owner_id: int) -> list[Plan]:
    """The owner's plans, the latest changed first."""
    return [
        _plan(r) for r in db["live_plans"].rows_where("owner_id = ?", [owner_id], order_by="updated_at DESC, id DESC")
    ]


def delete_plan(db: sqlite_utils.Database, plan_id: int, *, owner_id: int) -> None:
    with transaction(db):
        db.execute("DELETE FROM live_plans WHERE id = ? AND owner_id = ?", [plan_id, owner_id])
