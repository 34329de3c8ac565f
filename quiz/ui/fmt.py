"""Formatting for the reader: local time, percentages and large numbers, in the current language's style."""

from __future__ import annotations

from quiz.i18n import t
from quiz.learning.timefmt import LOCAL, local_date, local_time

__all__ = ["LOCAL", "local_date", "local_time", "pct", "thousands"]


def pct(value: float | None) -> str:
    """``45 %`` (Danish) or ``45%`` (English); empty for None."""
    return "" if value is None else t("fmt.pct", value=round(value * 100))


def thousands(n: int) -> str:
    """``5.000`` (Danish) or ``5,000`` (English)."""
    return f"{n:,}".replace(",", t("fmt.thousands"))
