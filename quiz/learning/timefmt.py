"""Dates and times as Danish readers write them: ``1.12.2026 kl. 22.12``, in Danish time.

One convention for every page, download and message (Retskrivningsordbogen's: day.month.year and
``kl.`` with a full stop between hours and minutes), so no two formats meet on one screen. The
patterns are the catalogue's ``fmt.time`` and ``fmt.date``, so English readers get theirs.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from quiz.i18n import t

LOCAL = ZoneInfo("Europe/Copenhagen")


def local_time(moment: datetime | None) -> str:
    """``1.12.2026 kl. 22.12`` in Danish time; empty for None."""
    if moment is None:
        return ""
    local = moment.astimezone(LOCAL)
    return t("fmt.time", day=local.day, month=local.month, year=local.year, hour=local.hour, minute=local.minute)


def local_date(moment: datetime | None) -> str:
    """``1.12.2026`` in Danish time; empty for None."""
    if moment is None:
        return ""
    local = moment.astimezone(LOCAL)
    return t("fmt.date", day=local.day, month=local.month, year=local.year)
