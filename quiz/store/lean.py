"""The stored form of an attempt's questions, as the migration and ``quiz.learning.stored`` both write it.

A *lean* question keeps what it asks (type, kind, option keys in order, answer key, statement ids,
its type's ``data``) and leaves out the words its type rebuilds from the pack; ``LEAN_MARK`` says
so. Here only the shape: which questions are stored lean is decided in ``quiz.learning.stored``
(which asks each type) and, for rows written before, by ``quiz.store.migrations.m030``.
"""

from __future__ import annotations

import json
from typing import Any

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
