"""The live room's lean pages: the phones and the stage (projector), without a Streamlit run per screen.

Served by the app's own Starlette routes on the ``st.App`` (``quiz.ui.server.asgi``): server-rendered
HTML (Jinja2), our own small script and styles (``quiz/ui/assets/live.js``, ``live.css``, under the
same CSP as every page: no inline script), and Server-Sent Events from one broadcaster per process.

==============  ====================================================================
``views``       the HTML: one rendering per room, state and language; the phone's own part
``broadcast``   the broadcaster: reads the followed rooms from progress.db, wakes their screens
``guard``       who is asking: participant and sign-in cookies, CSRF token, Origin, language
``phone``       ``/deltag``: join (POST), the phone's page, its stream, answers and texts (POST)
``stage``       ``/storskaerm/<key>``: the stage behind a per-session secret link, and its stream
``workers``     the few threads that read and write progress.db for these pages
==============  ====================================================================

Domain rules stay in :mod:`quiz.live`; nothing here imports Streamlit.
"""
