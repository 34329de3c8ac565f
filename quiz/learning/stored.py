"""How an attempt's questions and grades are stored, and rendered again when they are read.

progress.db stores what happened, not what it looked like (docs/progress.md):

- A question is stored *by reference*: its type, kind, option keys in the order shown, answer key,
  statement ids and the few ``data`` its type needs. Its words (prompt, option labels, statement
  texts) are left out whenever the type's ``translate(question, pack)`` hook rebuilds exactly them
  from the pack; they are rebuilt in the reader's language when the question is read. A question
  whose words cannot be rebuilt (a plugin type without the hook, a question written by hand) is
  stored whole. An attempt's questions are one row of ``question_sets``, found by the digest of
  their encoding: the signed-in participants of a live room all refer to the room's one set.
- A grade is stored as facts: the score and whether it was right (``answers``), and per statement
  whether it was placed right (``reviews``). The right answer and the explanation are rendered from
  the pack in the reader's language when shown (:func:`rendered_grade`), so a corrected explanation
  reaches old answers and a Danish grade reads in English to an English reader.
- A statement removed from the pack since is shown as removed, never as a traceback.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from quiz.content.models import Pack
from quiz.i18n import current_language, t
from quiz.plugins import Registry, get_registry
from quiz.questions.base import Answer, Grade, Item, Option, Question
from quiz.store.lean import LEAN_MARK, compact_json, lean_question

# What reading a question of a changed pack can raise: a missing statement, role or perspective.
PACK_CHANGED = (KeyError, ValueError, IndexError, StopIteration, TypeError, AttributeError)


def pack_version(pack: Pack) -> str:
    """The pack's content version: a hash of what grading depends on (ids, perspectives, roles).

    The same in every language, and unchanged by corrected wording: such corrections are meant to
    reach old answers, which are rendered from the pack when read.
    """
    facts = {
        "id": pack.id,
        "perspectives": list(pack.perspectives),
        "roles": list(pack.roles),
        "statements": [[s.id, s.perspective, s.role] for s in pack.statements],
    }
    return hashlib.sha256(compact_json(facts).encode()).hexdigest()[:16]


def _blank(question: Question) -> Question:
    """``question`` without its words: what is stored when its type rebuilds them."""
    return replace(
        question,
        prompt="",
        options=tuple(Option(o.key, "") for o in question.options),
        items=tuple(Item("", i.statement_id) for i in question.items),
    )


def _rebuilds(question: Question, registry: Registry) -> bool:
    """Whether the question's type rebuilds exactly its words from the pack (in the current language)."""
    translate = getattr(registry.question_types.get(question.type), "translate", None)
    pack = registry.packs.get(question.pack_id)
    if translate is None or pack is None:
        return False
    try:
        return translate(_blank(question), pack) == question
    except PACK_CHANGED:
        return False


def encode(questions: Sequence[Question], pack_id: str, registry: Registry | None = None) -> str:
    """The stored form of an attempt's questions (compact JSON), words left out where rebuilt."""
    registry = registry or get_registry()
    out = []
    for q in questions:
        if _rebuilds(q, registry):
            out.append(lean_question(q.to_dict(), pack_id))
        else:
            out.append(q.to_dict())
    return compact_json(out)


# ``encode_json``'s recent results: a live room's reveal stores the same questions for every participant.
_ENCODED: dict[tuple[str, str, str, int], str] = {}


def encode_json(questions_json: str, pack_id: str, registry: Registry | None = None) -> str:
    """:func:`encode` of questions given as ``Question.to_dict`` JSON (a live session's), remembered."""
    registry = registry or get_registry()
    key = (questions_json, pack_id, current_language(), id(registry))
    found = _ENCODED.get(key)
    if found is None:
        if len(_ENCODED) >= 64:
            _ENCODED.clear()
        questions = [Question.from_dict(q) for q in json.loads(questions_json)]
        found = _ENCODED[key] = encode(questions, pack_id, registry)
    return found


def digest(encoded: str) -> bytes:
    """The key of a set of stored questions in ``question_sets``."""
    return hashlib.sha256(encoded.encode()).digest()[:16]


def _removed(key: str, pack: Pack | None) -> str:
    if pack is not None and key in pack.statements_by_id:
        return pack.statements_by_id[key].text
    return t("questions.removed.statement")


def _rebuilt(d: dict[str, Any], pack_id: str, registry: Registry) -> Question:
    """A lean stored question with its words from the pack in the current language."""
    pack = registry.packs.get(pack_id)
    items = tuple(Item("", sid) for sid in d.get("items", ()))
    question = Question(
        type=d["type"],
        kind=d["kind"],
        prompt="",
        options=tuple(Option(k, "") for k in d["options"]),
        accepted=tuple(tuple(a) for a in d["accepted"]),
        items=items,
        statement_ids=tuple(d.get("statement_ids", ())),
        pack_id=pack_id,
        data=dict(d.get("data", {})),
    )
    translate = getattr(registry.question_types.get(question.type), "translate", None)
    if translate is not None and pack is not None:
        try:
            return translate(question, pack)
        except PACK_CHANGED:
            pass
    # The pack changed since (a statement, role or perspective is gone): what is left, said plainly.
    return replace(
        question,
        prompt=t("questions.removed.prompt"),
        options=tuple(Option(o.key, _option_label(o.key, pack)) for o in question.options),
        items=tuple(Item(_removed(i.statement_id, pack) if i.statement_id else "", i.statement_id) for i in items),
    )


def _option_label(key: str, pack: Pack | None) -> str:
    if pack is None:
        return key
    if key in pack.perspectives:
        p = pack.perspectives[key]
        return t("questions.perspective_label", own=p.danish_name, model=p.name)
    if key in pack.roles:
        return pack.roles[key].name
    if key in pack.statements_by_id:
        return pack.statements_by_id[key].text
    return key if "." not in key else t("questions.removed.statement")


@functools.lru_cache(maxsize=256)
def _parsed(encoded: str) -> tuple[dict[str, Any], ...]:
    return tuple(json.loads(encoded))


def decode(encoded: str, pack_id: str, registry: Registry | None = None) -> list[Question]:
    """The stored questions with their words in the current language (see the module's docstring)."""
    registry = registry or get_registry()
    return [decode_one(d, pack_id, registry) for d in _parsed(encoded)]


def decode_one(d: dict[str, Any], pack_id: str, registry: Registry | None = None) -> Question:
    """One stored question (a dict of the stored JSON) with its words in the current language."""
    if d.get(LEAN_MARK):
        return _rebuilt(d, d.get("pack_id") or pack_id, registry or get_registry())
    question = Question.from_dict(d)
    return question if question.pack_id else replace(question, pack_id=pack_id)


def rendered_grade(
    question: Question,
    answer: Answer,
    *,
    score: float,
    correct: bool,
    per_statement: dict[str, bool],
    registry: Registry | None = None,
) -> Grade:
    """A stored grade (its facts) with the right answer and explanation in the current language.

    The words come from grading the stored answer again against the pack as it is now; the facts
    (score, right or wrong, per statement) are always the stored ones. A question about a statement
    removed from the pack says so instead of explaining it.
    """
    registry = registry or get_registry()
    try:
        pack = registry.packs[question.pack_id]
        words = registry.question_types[question.type].grade(question, answer, pack)
        right_answer, explanation = words.right_answer, words.explanation
    except PACK_CHANGED:
        right_answer, explanation = t("questions.removed.right_answer"), ""
    return Grade(
        score=score, correct=correct, right_answer=right_answer, explanation=explanation, per_statement=per_statement
    )
