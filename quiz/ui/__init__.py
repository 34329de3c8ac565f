"""The Streamlit skin and the live room's lean pages: the only package that imports ``streamlit``.

==================  ==================================================================
``pages/``          one file per page, registered by ``app.py``
``hr/``             the HR page's screens
``live/``           the live session's control page and projector
``web/``            the live room's phones and stage as lean pages (HTML, SSE, POST; no Streamlit)
``profile/``        the profile page's sections
``server/``         the ASGI app around the script: routes, middleware, start-up checks
``session``         the store, the registry, the signed-in person and access checks
``downloads``       download buttons for private files, served to their person only
``language``        the language of each run, and the switch for people not signed in
``a11y``            what every page needs for WCAG 2.1 AA beyond Streamlit's defaults
``charts``          mastery as HTML: bars, the role × perspective grid, key figures
``diagram``         the four perspectives as a 2×2 diagram
``question_widget`` one question and its feedback, for quizzes and live sessions
``role_picker``     which role a new person has
``fmt``             times, percentages and numbers in the reader's style
``not_found``       a page in the reader's language for an address the app does not have
``oidc``            sign-in through the organisation's identity provider
==================  ==================================================================

Everything it shows comes from the plain-Python packages beside it; nothing there imports it.
"""
