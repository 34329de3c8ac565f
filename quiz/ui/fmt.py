"""Formatting for Danish readers: local time and percentages."""

from __future__ import annotations

from quiz.timefmt import LOCAL, local_date, local_time

__all__ = ["LOCAL", "local_date", "local_time", "pct"]


def pct(value: float | None) -> str:
    return "" if value is None else f"{round(value * 100)} %"
