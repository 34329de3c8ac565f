"""A stored question in another language: the same keys and answer, the words of that language.

A question is stored in the words of the language it was made in (a live session's questions,
hand-picked in a plan, in the facilitator's). A reader in another language sees it through
:func:`in_language`: its question type's optional ``translate(question, pack)`` hook rebuilds the
words from what the question keeps (statement ids, option keys, ``data``), with ``pack`` and the
catalogue in that language. What a person answers is graded exactly as before: the keys are
language-free. A type without the hook, a question it cannot rebuild, or one written by hand
(a live session's open question) stays as stored.
"""

from __future__ import annotations

from quiz.i18n import use_language
from quiz.plugins import get_registry
from quiz.questions.base import Question, question_shape


def in_language(question: Question, lang: str, registry=None) -> Question:
    """``question`` with its prompt, statements and options in ``lang``; as stored when that can't be done."""
    registry = registry or get_registry(lang)
    translate = getattr(registry.question_types.get(question.type), "translate", None)
    pack = registry.packs.get(question.pack_id)
    if translate is None or pack is None:
        return question
    with use_language(lang):
        try:
            shown = translate(question, pack)
        except (KeyError, ValueError, IndexError, StopIteration, TypeError):
            return question  # the pack changed since: what was stored is what is graded
    return shown if question_shape(shown) == question_shape(question) else question
