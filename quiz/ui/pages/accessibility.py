"""Tilgængelighedserklæring: the accessibility statement, open to everyone, signed in or not.

Laid out as Danish public bodies publish them (webtilgængelighedsloven, Digitaliseringsstyrelsens
template): the standard, how far the app meets it, what does not and why, how to report a problem,
and when the app was last reviewed. The known gaps are Streamlit's own frontend, each with its
upstream issue; docs/accessibility.md keeps the same list with the axe figures.
"""

import streamlit as st

from quiz.i18n import messages

TXT = messages("tilgaengelighed")

# (catalogue key of the gap, upstream issue URL) — the same list as docs/accessibility.md.
KNOWN_GAPS = [
    ("gap_english", "https://github.com/streamlit/streamlit/issues/1353"),
    ("gap_widgets", "https://github.com/streamlit/streamlit/issues/8399"),
]

st.title(TXT["title"])
st.write(TXT["lead"])

st.header(TXT["status_title"], anchor=False)
st.write(TXT["status"])

st.header(TXT["gaps_title"], anchor=False)
st.write(TXT["gaps_lead"])
st.markdown("\n".join(f"- {TXT[key]} ([{TXT['upstream']}]({url}))" for key, url in KNOWN_GAPS))

st.header(TXT["done_title"], anchor=False)
st.markdown(TXT["done"])

st.header(TXT["report_title"], anchor=False)
st.markdown(TXT["report"])

st.header(TXT["enforcement_title"], anchor=False)
st.markdown(TXT["enforcement"])

st.header(TXT["review_title"], anchor=False)
st.write(TXT["review"])
