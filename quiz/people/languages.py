"""A person's language: the one they chose on their profile, kept on their account.

``None`` means "as my browser": the UI then follows the browser's language (``st.context.locale``),
else the ``QUIZ_LANGUAGE`` setting, else Danish. Only languages the catalogue has can be stored.
"""

from __future__ import annotations

import sqlite_utils

from quiz import i18n
from quiz.i18n import QuizError
from quiz.store.db import transaction


def user_language(db: sqlite_utils.Database, user_id: int) -> str | None:
    """The language the person chose, or None when they follow their browser (or do not exist)."""
    row = db.execute("SELECT language FROM users WHERE id = ?", [user_id]).fetchone()
    return row[0] if row and row[0] in i18n.tables() else None


def set_user_language(db: sqlite_utils.Database, user_id: int, lang: str | None) -> None:
    """Keep ``lang`` (None: follow the browser) as the person's own choice."""
    if lang is not None and lang not in i18n.tables():
        raise QuizError("language.unknown", code=lang, known=", ".join(i18n.languages()))
    with transaction(db):
        # Checked in the transaction that writes: an account deleted meanwhile is not re-created.
        if db.execute("SELECT 1 FROM users WHERE id = ?", [user_id]).fetchone() is None:
            raise QuizError("language.no_account")
        db.execute("UPDATE users SET language = ? WHERE id = ?", [lang, user_id])


def preferred(*, chosen: str | None, cookie: str | None, browser: str | None, fallback: str | None) -> str:
    """The language of a run: the person's choice, the ``hv_lang`` cookie, the browser's, the setting's."""
    for candidate in (chosen, cookie):
        if candidate in i18n.tables():
            return candidate
    if browser:
        found = i18n.best_language(browser)
        if found != i18n.SOURCE_LANGUAGE or browser.lower().startswith(i18n.SOURCE_LANGUAGE):
            return found
    return fallback if fallback in i18n.tables() else i18n.SOURCE_LANGUAGE
