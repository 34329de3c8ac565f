"""The language of each run, and the small language switch for people who are not signed in.

``apply(user)`` runs early in every run of app.py: it picks the language (the person's own choice
on their profile, else the ``hv_lang`` cookie, else the browser's ``st.context.locale``, else the
``QUIZ_LANGUAGE`` setting, else Danish) and sets it for the rest of the run. The person's stored
choice is read once per browser session and kept in ``st.session_state``; the profile updates it.

A change also sends the browser once through ``/lang`` (quiz.ui.server.routes), which sets the
``hv_lang`` cookie: a reload, a new tab or the sign-in page then start in the chosen language,
and the server can give the page the right ``<html lang>``.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

import streamlit as st

from quiz import i18n, settings
from quiz.people import languages
from quiz.people.cookies import LANGUAGE_COOKIE
from quiz.ui import session

_CHOSEN = "_lang_chosen"  # (user id or None, language or None) as last read or chosen
_REDIRECT = "_lang_redirect"  # a language whose cookie the browser should get on this run
_RUN = "_lang_run"  # the language apply() set on the last full run, for fragment runs
_BROWSER = "_lang_browser"  # (hv_lang cookie, st.context.locale, QUIZ_LANGUAGE) of this browser session


def _context(name: str):
    try:
        return getattr(st.context, name)
    except Exception:  # outside a browser session (AppTest without headers)
        return None


def _chosen(user) -> str | None:
    user_id = getattr(user, "id", None)
    held = st.session_state.get(_CHOSEN)
    if held is None or held[0] != user_id:
        stored = languages.user_language(session.db(), user_id) if user_id is not None else None
        # A choice made while signed out carries over to the sign-in until the profile says otherwise.
        previous = held[1] if held is not None and held[0] is None else None
        held = st.session_state[_CHOSEN] = (user_id, stored or previous)
    return held[1]


def chosen_language(user) -> str | None:
    """The language the person chose (None: as the browser)."""
    return _chosen(user)


def browser_language() -> str:
    """The language the browser asks for, or the fallback when it asks for none we have."""
    return languages.preferred(chosen=None, cookie=None, browser=_browser()[1], fallback=_browser()[2])


def _browser() -> tuple[str | None, str | None, str | None]:
    """The ``hv_lang`` cookie, the browser's locale and ``QUIZ_LANGUAGE``, read once per browser session.

    Both are fixed when the page connects (a new cookie arrives with the reload ``/lang`` causes),
    and each ``st.context`` read cost about 1 ms of every run.
    """
    held = st.session_state.get(_BROWSER)
    if held is None:
        cookies = _context("cookies") or {}
        held = (cookies.get(LANGUAGE_COOKIE), _context("locale"), settings.current().language)
        st.session_state[_BROWSER] = held
    return held


def apply(user) -> str:
    """Pick this run's language and set it (``i18n.set_language``); returns it."""
    cookie, browser, fallback = _browser()
    lang = languages.preferred(chosen=_chosen(user), cookie=cookie, browser=browser, fallback=fallback)
    i18n.set_language(lang)
    st.session_state[_RUN] = lang
    pending = st.session_state.pop(_REDIRECT, None)
    if pending is not None:
        url = urlsplit(_context("url") or "/")
        here = (url.path or "/") + (f"?{url.query}" if url.query else "")
        session.redirect(f"/lang?set={quote(pending)}&next={quote(here)}")
    return lang


def restore() -> str:
    """Set the page's language in a run app.py has not set it for; call it first in such code.

    A fragment's own run (a push, a ``run_every`` poll, a click inside it) runs without app.py, and
    a widget callback runs before app.py; both on a thread whose language may be the default
    (Danish): an English projector turned Danish on the first push, an English admin's "granted"
    message was Danish. The language is the one :func:`apply` picked on the last full run (kept in
    ``st.session_state``, no DB read).
    """
    lang = st.session_state.get(_RUN)
    i18n.set_language(lang)
    return i18n.current_language()


def choose(user, lang: str | None) -> None:
    """Use ``lang`` (None: as the browser) from now on; kept on the account of a signed-in person."""
    user_id = getattr(user, "id", None)
    if user_id is not None:
        languages.set_user_language(session.db(), user_id, lang)
    st.session_state[_CHOSEN] = (user_id, lang)
    st.session_state[_REDIRECT] = lang or ""


def switch(user=None) -> None:
    """A small Dansk | English switch (signed out, or on a live phone)."""
    names = i18n.languages()
    current = i18n.current_language()

    def changed() -> None:
        restore()
        picked = st.session_state.get("language_switch")
        if picked and picked != current:
            choose(user, picked)

    st.segmented_control(
        i18n.t("language.switch"),
        list(names),
        default=current,
        format_func=lambda code: names[code],
        key="language_switch",
        on_change=changed,
        label_visibility="collapsed",
    )
