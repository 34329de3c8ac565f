"""Helpers the built-in question types share: labels, explanations and answer checks.

The words come from the message catalogue (``questions.*``) in the current language; the pack's
own text (names, statements) comes from the pack, which the registry gives in that language too.

Everything here is a pure function of the pack and the question, so grading can be tested without
a database or a browser.
"""

from __future__ import annotations

from collections.abc import Iterable

from quiz.content.models import Pack, Statement, normalize_text
from quiz.i18n import t
from quiz.questions.base import Answer, Grade, Item, Option, Question


def perspective_label(pack: Pack, key: str) -> str:
    """A perspective as shown on an option: the pack's own name, then the model's name."""
    p = pack.perspectives[key]
    return t("questions.perspective_label", own=p.danish_name, model=p.name)


def role_name(pack: Pack, key: str) -> str:
    return pack.roles[key].name


def join_words(words: Iterable[str], *, either: bool = False) -> str:
    """``["a", "b", "c"]`` -> ``"a, b og c"`` (``either``: "a, b eller c"), in the current language.

    The catalogue says how a list ends (``questions.list_and``: Danish has no comma before "og").
    """
    words = list(words)
    if len(words) <= 1:
        return "".join(words)
    return t("questions.list_or" if either else "questions.list_and", first=", ".join(words[:-1]), last=words[-1])


def placement(pack: Pack, statement: Statement, *, quote: bool = False) -> str:
    """Where the source places a statement: its role(s), perspective(s) and the pack's name(s).

    ``Udsagnet står hos Medarbejder under Performance – »Sammen styrker vi resultaterne«.``
    With ``quote=True`` the statement's own text is the subject, for questions with several.
    """
    roles = join_words(role_name(pack, r) for r in pack.roles_of(statement))
    perspectives = join_words(
        t("questions.perspective_named", model=pack.perspectives[p].name, own=pack.perspectives[p].danish_name)
        for p in pack.perspectives_of(statement)
    )
    if quote:
        return t("questions.placement_quoted", text=statement.text, roles=roles, perspectives=perspectives)
    return t("questions.placement", roles=roles, perspectives=perspectives)


class CatalogueNames:
    """A built-in question type's name and description from the catalogue, in the current language.

    ``questions.<key>.label`` and ``questions.<key>.description``; a plugin may just as well set
    plain ``label`` and ``description`` attributes.
    """

    key: str

    @property
    def label(self) -> str:
        return t(f"questions.{self.key}.label")

    @property
    def description(self) -> str:
        return t(f"questions.{self.key}.description")


def one_role_first(candidates: list[Statement], rng, pick):
    """``pick(statements)`` on one role's statements at a time (roles in random order), then on all.

    Statements of one role differ only in perspective, which is what the match and odd-one-out
    questions train; when no single role has enough, any mix will do.
    """
    roles = list(dict.fromkeys(s.role for s in candidates))
    rng.shuffle(roles)
    for role in roles:
        found = pick([s for s in candidates if s.role == role])
        if found:
            return found
    return pick(candidates)


def single_perspective_candidates(pack: Pack, pool: Iterable[Statement], used: set[str]) -> list[Statement]:
    """Unused sentences that stand under exactly one perspective, each sentence once.

    Only those can be "the same" or "another" perspective for sure (match, odd one out).
    """
    return distinct_texts(one_perspective(pack, unused(pack, pool, used)))


def grade_assign(question: Question, answer: Answer, pack: Pack, *, order=None, right) -> Grade:
    """Partial credit per placed statement (match, chain); ``right(statement)`` says one right placement.

    ``order`` sorts the statements for the right answer and the explanation (default: as asked).
    """
    results = assign_results(question, answer)
    statements = [pack.statement(i) for i in question.statement_ids]
    shown = sorted(statements, key=order) if order else statements
    return Grade(
        score=share(results),
        correct=all(results),
        right_answer="\n".join(right(s) for s in shown),
        explanation="\n".join(placement(pack, s, quote=True) for s in shown),
        per_statement={s.id: ok for s, ok in zip(statements, results, strict=True)},
    )


def statement_item(statement: Statement) -> Item:
    return Item(text=statement.text, statement_id=statement.id)


def translated_items(question: Question, pack: Pack) -> tuple[Item, ...]:
    """The question's statements in ``pack``'s language (items without a statement stay as they are)."""
    return tuple(statement_item(pack.statement(i.statement_id)) if i.statement_id else i for i in question.items)


def translated_options(question: Question, label) -> tuple[Option, ...]:
    """The question's options, same keys and order, each labelled ``label(key)``."""
    return tuple(Option(o.key, label(o.key)) for o in question.options)


def perspective_options(pack: Pack) -> tuple[Option, ...]:
    """The pack's perspectives as options, in the pack's order."""
    return tuple(Option(key, perspective_label(pack, key)) for key in pack.perspectives)


def unused(pack: Pack, pool: Iterable[Statement], used: set[str]) -> list[Statement]:
    """The statements of ``pool`` not yet in the quiz.

    A sentence that stands under two roles has two ids; once one is used the other counts as used
    too, so nobody sees the same sentence twice in a quiz.
    """
    used_texts = {normalize_text(pack.statements_by_id[i].text) for i in used if i in pack.statements_by_id}
    return [s for s in pool if s.id not in used and normalize_text(s.text) not in used_texts]


def distinct_texts(statements: Iterable[Statement]) -> list[Statement]:
    """Drop later statements whose sentence is the same as an earlier one's."""
    seen: dict[str, Statement] = {}
    for s in statements:
        seen.setdefault(normalize_text(s.text), s)
    return list(seen.values())


def _perspectives_by_text(pack: Pack) -> dict[str, set[str]]:
    # One pass over the pack instead of Pack.perspectives_of per statement (which scans the pack).
    by_text: dict[str, set[str]] = {}
    for s in pack.statements:
        by_text.setdefault(normalize_text(s.text), set()).add(s.perspective)
    return by_text


def one_perspective(pack: Pack, statements: Iterable[Statement]) -> list[Statement]:
    """The statements whose sentence stands under exactly one perspective."""
    by_text = _perspectives_by_text(pack)
    return [s for s in statements if len(by_text[normalize_text(s.text)]) == 1]


def one_place(pack: Pack, statements: Iterable[Statement]) -> list[Statement]:
    """The statements whose sentence stands under exactly one role and one perspective."""
    return [s for s in one_perspective(pack, statements) if len(pack.roles_of(s)) == 1]


def choice_key(question: Question, answer: Answer) -> str | None:
    """The picked option key, or None when the answer is not one of the question's options."""
    if not isinstance(answer, str):
        return None
    return answer if answer in {o.key for o in question.options} else None


def assign_keys(question: Question, answer: Answer) -> list[str] | None:
    """One option key per item, or None when the answer has the wrong shape or an unknown key."""
    if isinstance(answer, str) or not isinstance(answer, (list, tuple)):
        return None
    keys = {o.key for o in question.options}
    if len(answer) != len(question.items) or not all(isinstance(a, str) for a in answer):
        return None
    if not all(a in keys for a in answer):
        return None
    return list(answer)


def assign_results(question: Question, answer: Answer) -> list[bool]:
    """For each item, whether the answer placed it right (all False for a malformed answer)."""
    keys = assign_keys(question, answer)
    if keys is None:
        return [False] * len(question.items)
    return [key in accepted for key, accepted in zip(keys, question.accepted, strict=True)]


def share(results: list[bool]) -> float:
    return sum(results) / len(results) if results else 0.0


def single_statement_question(
    type_key: str, prompt: str, pack: Pack, statement: Statement, options, accepted: tuple[str, ...]
) -> Question:
    """A choice question about one statement (the perspective and role questions)."""
    return Question(
        type=type_key,
        kind="choice",
        prompt=prompt,
        options=tuple(options),
        accepted=(accepted,),
        items=(statement_item(statement),),
        statement_ids=(statement.id,),
        pack_id=pack.id,
    )


def grade_single_statement(question: Question, answer: Answer, pack: Pack, label) -> Grade:
    """Right when the answer is one of the accepted keys; ``label(pack, key)`` names the right one(s)."""
    statement = pack.statement(question.statement_ids[0])
    correct = choice_key(question, answer) in question.accepted[0]
    return Grade(
        score=1.0 if correct else 0.0,
        correct=correct,
        right_answer=join_words((label(pack, k) for k in question.accepted[0]), either=True),
        explanation=placement(pack, statement),
        per_statement={statement.id: correct},
    )
