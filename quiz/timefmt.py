"""Dates and times as Danish readers write them: ``1.12.2026 kl. 22.12``, in Danish time.

One convention for every page, download and message (Retskrivningsordbogen's: day.month.year and
``kl.`` with a full stop between hours and minutes), so no two formats meet on one screen.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

LOCAL = ZoneInfo("Europe/Copenhagen")


def local_time(moment: datetime | None) -> str:
    """``1.12.2026 kl. 22.12`` in Danish time; empty for None."""
    if moment is None:
        return ""
    local = moment.astimezone(LOCAL)
    return f"{local.day}.{local.month}.{local.year} kl. {local:%H.%M}"


def local_date(moment: datetime | None) -> str:
    """``1.12.2026`` in Danish time; empty for None."""
    if moment is None:
        return ""
    local = moment.astimezone(LOCAL)
    return f"{local.day}.{local.month}.{local.year}"
