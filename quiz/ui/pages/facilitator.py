"""Placeholder until the live-session and HR pages land (issue #5)."""

import streamlit as st

from quiz.ui import session

session.require_facilitator()
st.title("Facilitator")
