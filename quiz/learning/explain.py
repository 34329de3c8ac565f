"""Why a statement belongs where it does, in a sentence drawn from the pack's own text.

The feedback already says *where* the source places a statement (``quiz.questions.common.placement``);
this adds *why*: the statement's own ``why`` where the pack gives one (the bundled pack does, for every
statement), else what the pack says about the perspective (its explanation) or the role (its
description), so the answer key reads as a reason and not as an arbitrary fact.
"""

from __future__ import annotations

from quiz.content import Pack
from quiz.i18n import Msg
from quiz.questions.base import Question

# Questions about a statement's role are explained by the role's text; all others by the perspective's.
ROLE_QUESTIONS = frozenset({"role", "chain"})


def why(pack: Pack, question: Question) -> list[Msg]:
    """One sentence per perspective (or role) the question's statements belong to, in order met.

    Empty for questions that are not about placing statements (the values questions explain
    themselves) and for statements no longer in the pack.
    """
    by_role = question.type in ROLE_QUESTIONS
    seen: set[str] = set()
    out: list[Msg] = []
    for sid in question.statement_ids:
        statement = pack.statements_by_id.get(sid)
        if statement is None or question.type == "values":
            continue
        if statement.why:
            # The pack's own reason for this statement (content/hvidovrevejen: from the source document).
            out.append(Msg("explain.statement", why=statement.why.strip()))
            continue
        if by_role:
            role = pack.roles.get(statement.role)
            if role is None or role.key in seen:
                continue
            seen.add(role.key)
            out.append(Msg("explain.role", role=role.name, description=role.description.strip()))
        else:
            for key in pack.perspectives_of(statement):
                p = pack.perspectives[key]
                if key in seen:
                    continue
                seen.add(key)
                out.append(
                    Msg(
                        "explain.perspective",
                        perspective=p.danish_name,
                        explanation=p.explanation.strip(),
                    )
                )
    return out


def reasons(question: Question, pack: Pack, language: str | None = None) -> list[str]:
    """:func:`why`, rendered in ``language`` (the current one when None): what the feedback shows."""
    return [m.render(language) for m in why(pack, question)]
