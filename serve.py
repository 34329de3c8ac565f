"""Hvidovrevejen e-læring: the web server, as ``python -m streamlit run serve.py``.

Streamlit finds ``app`` here (an ASGI app: the page router ``app.py`` for every page view, plus the
app's own HTTP routes and middleware from ``quiz.ui.server.asgi``) and serves it with uvicorn.
"""

import streamlit as st

from quiz.ui.server import asgi

app = st.App(asgi.SCRIPT, **asgi.options())
