"""How the facilitator's live screens keep in step: Streamlit's public ``st.fragment(run_every=...)``.

The phones and the stage are lean pages with their own push (:mod:`quiz.ui.web.broadcast`); the
control and facilitator pages (one or two per room) look again every second or so by themselves,
reading a few numbers (:func:`quiz.live.pulse`). No Streamlit internal is touched.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st


def poll_every(seconds: float) -> float:
    """A fragment's ``run_every``: how often a facilitator's screen looks for news."""
    return seconds


def fragment(body: Callable[..., None], run_every: float | None, *args: Any) -> None:
    """Run ``body(*args)`` as an ``st.fragment`` refreshed every ``run_every`` s, in a slot of its own.

    The slot is a container that the page's full run always writes, whatever the fragment does.
    Without it a fragment whose own container a full run did not send (seen in Streamlit 1.67 after
    a state change) leaves a gap that the browser closes up when the run ends; every later element
    then sits one place earlier than the server thinks, and the next fragment run writes into the
    wrong element ("'setIn' cannot be called on an ElementNode").
    """
    with st.container():
        st.fragment(body, run_every=run_every)(*args)
