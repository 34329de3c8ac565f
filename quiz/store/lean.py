"""The lean forms of stored facts, as the migrations and the code that writes them both need them.

Times in ``reviews`` are whole microseconds since 1970 UTC (:func:`to_micros`). An attempt's
questions are stored lean: a question keeps what it asks (type, kind, option keys in order, answer
key, statement ids, its type's ``data``) and leaves out the words its type rebuilds from the pack; ``LEAN_MARK`` says
so. Here only the shape: which questions are stored lean is decided in ``quiz.learning.stored``
(which asks each type) and, for rows written before, by ``quiz.store.migrations.m030``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

LEAN_MARK = "rebuild"


def compact_json(value: Any) -> str:
    """JSON without spaces, non-ASCII letters as they are."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def lean_question(d: dict[str, Any], pack_id: str = "") -> dict[str, Any]:
    """A question's dict (``Question.to_dict``) without its words; ``pack_id`` left out when it is the attempt's."""
    out: dict[str, Any] = {
        "type": d["type"],
        "kind": d["kind"],
        "options": [o["key"] for o in d["options"]],
        "accepted": [list(a) for a in d["accepted"]],
    }
    if d.get("items"):
        out["items"] = [i.get("statement_id", "") for i in d["items"]]
    if d.get("statement_ids"):
        out["statement_ids"] = list(d["statement_ids"])
    if d.get("pack_id") and d["pack_id"] != pack_id:
        out["pack_id"] = d["pack_id"]
    if d.get("data"):
        out["data"] = d["data"]
    out[LEAN_MARK] = 1
    return out


def to_micros(moment: datetime) -> int:
    """A time as whole microseconds since 1970 UTC: how ``reviews`` stores it (8 bytes, not 32)."""
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_micros(micros: int | None) -> datetime | None:
    """The time :func:`to_micros` stored (UTC), or None."""
    return None if micros is None else moment_of(micros)


def moment_of(micros: int) -> datetime:
    """The time :func:`to_micros` stored (UTC), from a column that is never NULL."""
    seconds, rest = divmod(micros, 1_000_000)
    return datetime.fromtimestamp(seconds, UTC).replace(microsecond=rest)


def iso_to_micros(text: str | None) -> int | None:
    """An ISO time as stored elsewhere (``quiz.store.db.to_iso``) in microseconds; for the migration."""
    return to_micros(datetime.fromisoformat(text)) if text else None
