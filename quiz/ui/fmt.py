"""Formatting for the reader: local time and percentages, in the current language's style."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from quiz.i18n import t

LOCAL = ZoneInfo("Europe/Copenhagen")


def local_time(moment: datetime | None) -> str:
    """``28-11-2026 14:05`` in Danish time (the pattern is the catalogue's ``fmt.time``); empty for None."""
    return moment.astimezone(LOCAL).strftime(t("fmt.time")) if moment else ""


def pct(value: float | None) -> str:
    """``45 %`` (Danish) or ``45%`` (English); empty for None."""
    return "" if value is None else t("fmt.pct", value=round(value * 100))
