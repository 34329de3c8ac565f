"""The HR page's people table: its column settings, made once per language and process.

``st.dataframe`` deep-copies every column setting on every run (``process_config_mapping``), and a
``st.column_config`` column is a dict of about a dozen keys, most of them None. Built on each run and
copied in full, the eleven columns cost ~1 ms of the HR page's ~10 ms. Here they are made once per
language, with the None values left out: Streamlit drops those before sending (``remove_none_values``),
so the browser gets the same settings and the copy has a third as much to walk.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from quiz.hr.exports import RESULT_COLUMNS, result_fields
from quiz.i18n import messages, per_language

TXT = messages("admin")


def _without_none(config: Mapping[str, Any]) -> dict:
    return {k: _without_none(v) if isinstance(v, dict) else v for k, v in config.items() if v is not None}


@per_language
def people_columns() -> dict[str, Any]:  # st.dataframe's column_config
    """The people table at 1366 px with the menu open: narrow numbers, short headings, no cut columns."""
    h = dict(zip(RESULT_COLUMNS, result_fields(), strict=True))
    c = TXT
    columns = {
        h["name"]: st.column_config.TextColumn(h["name"], width=150),
        h["username"]: st.column_config.TextColumn(h["username"], width=95),
        h["role"]: st.column_config.TextColumn(h["role"], width=150),
        h["intro"]: st.column_config.TextColumn(c["cols.intro"], width=120),
        h["quizzes"]: st.column_config.NumberColumn(c["cols.quizzes_short"], width=65),
        h["answers"]: st.column_config.NumberColumn(c["cols.answers_short"], width=55, help=h["answers"]),
        h["last_active"]: st.column_config.TextColumn(h["last_active"], width=120),
        h["mastery"]: st.column_config.ProgressColumn(
            c["cols.mastery_short"], min_value=0, max_value=100, format="%d %%", width=110
        ),
        h["unit"]: st.column_config.TextColumn(h["unit"], width=180),
        h["programme"]: st.column_config.TextColumn(h["programme"], width=100),
        h["programme_done"]: st.column_config.TextColumn(h["programme_done"], width=120),
    }
    return {name: _without_none(config) for name, config in columns.items()}
