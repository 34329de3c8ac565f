"""Placeholder until the live-session and HR pages land (issue #5)."""

import streamlit as st

from quiz.ui import session

st.title("Deltag i live-quiz")
session.current_user()
