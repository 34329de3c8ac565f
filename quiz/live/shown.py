"""What a phone shows of a question: the stored question in the phone's own language.

The session keeps its questions in the words they were made in (the facilitator's language); the
projector shows them so. A phone whose person reads another language sees each one translated by
its question type (:func:`quiz.learning.translation.in_language`): statements by id, options by
key, the prompt from the catalogue. Grading is unchanged, as the keys are the same. Built once per
process for each session's question and language, so a phone's run only looks it up.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache

from quiz.i18n import current_language
from quiz.learning.translation import in_language
from quiz.plugins import get_registry
from quiz.questions.base import Question

from .models import LiveSession


@lru_cache(maxsize=2048)
def _shown(questions_json: str, index: int, lang: str, root: str) -> Question:
    question = Question.from_dict(json.loads(questions_json)[index])
    return in_language(question, lang, get_registry(lang))


def shown_question(session: LiveSession, index: int | None = None, lang: str | None = None) -> Question:
    """Question ``index`` (default: the current one) as a phone in ``lang`` (default: this run's) shows it."""
    index = session.current_index if index is None else index
    if not session.questions_json:
        return session.questions[index]
    return _shown(session.questions_json, index, lang or current_language(), os.environ.get("QUIZ_CONTENT", ""))
