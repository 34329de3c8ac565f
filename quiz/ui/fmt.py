"""Formatting for Danish readers: local time and percentages."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

LOCAL = ZoneInfo("Europe/Copenhagen")


def local_time(moment: datetime | None) -> str:
    """``28-11-2026 14:05`` in Danish time; empty for None."""
    return moment.astimezone(LOCAL).strftime("%d-%m-%Y %H:%M") if moment else ""


def pct(value: float | None) -> str:
    return "" if value is None else f"{round(value * 100)} %"
