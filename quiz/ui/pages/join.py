"""Deltag: the menu's way to the live room's lean phone page.

The phone page is not a Streamlit page (``quiz.ui.web.phone`` serves ``/deltag`` itself, before
Streamlit's pages); a click on »Deltag« in the menu navigates inside Streamlit's page, so this page
only sends the browser on to the same address as a full page load, keeping a ``?kode=``.
"""

from urllib.parse import urlencode

import streamlit as st

from quiz import live
from quiz.i18n import messages
from quiz.ui import session

TXT = messages("deltag")

st.title(TXT["title"])
code = live.normalize_code(st.query_params.get("kode"))
target = "/deltag" + (f"?{urlencode({'kode': code})}" if live.is_well_formed(code) else "")
session.redirect(target)
st.link_button(TXT["join"], target, type="primary")
