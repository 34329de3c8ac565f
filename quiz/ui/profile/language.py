"""The profile's language section: the person picks the app's language, kept on their account."""

from __future__ import annotations

import streamlit as st

from quiz import i18n
from quiz.i18n import messages
from quiz.ui import language, session

TXT = messages("language")
BROWSER = "browser"


def name_in_reading_language(code: str, names: dict[str, str]) -> str:
    """A language's name in the reader's own language (»Danish« to an English reader), else its own name."""
    key = f"language.called.{code}"
    return i18n.t(key) if i18n.has(key) else names.get(code, code)


def render(user) -> None:
    """A choice of the catalogue's languages, or "as my browser"; saved at once."""
    st.header(TXT["section"], anchor=False)
    st.caption(TXT["lead"])
    names = i18n.languages()
    current = language.chosen_language(user)
    options = [BROWSER, *names]

    def label(code: str) -> str:
        if code == BROWSER:
            return TXT["browser"].format(language=name_in_reading_language(language.browser_language(), names))
        return names[code]

    def changed() -> None:
        language.restore()
        picked = st.session_state.get("profile_language")
        language.choose(user, None if picked == BROWSER else picked)
        st.session_state["_lang_saved"] = True

    st.radio(
        TXT["section"],
        options,
        index=options.index(current) if current in options else 0,
        format_func=label,
        key="profile_language",
        on_change=changed,
        horizontal=True,
        label_visibility="collapsed",
    )
    if st.session_state.pop("_lang_saved", False):
        st.success(TXT["saved"])
    pack = session.current_pack()
    if pack.source_language != pack.language:
        st.caption(TXT["content_note"].format(original=name_in_reading_language(pack.source_language, names)))
