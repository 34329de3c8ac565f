"""The onboarding figures of ``python -m quiz bench``: a 5,000-row people import and a ``remind`` run.

``import_5000_s``: importing a CSV of new people (Windows-1252, as Danish Excel saves it) into the
bench organisation's 80 units, all checked and written in one transaction; ``reimport_5000_s`` the
same file again (everything unchanged). ``remind_5000_s``: one ``remind`` run over everyone to a
local SMTP sink (aiosmtpd on 127.0.0.1), with ``remind_sent`` mails accepted by it.
"""

from __future__ import annotations

import time
from pathlib import Path

from quiz.hr import people_import, reminders, units
from quiz.hr.mailer import Mailer
from quiz.plugins import get_registry
from quiz.store import open_db
from quiz_devtools.smtp_sink import SmtpServer


def _csv(rows: int, unit_names: list[str]) -> bytes:
    lines = ["Navn;E-mail;Brugernavn;Rolle;Enhed;Startdato"]
    for n in range(rows):
        unit = unit_names[n % len(unit_names)]
        lines.append(f"Ny Medarbejder Ærø {n};ny{n}@hvidovre.dk;ny-{n:05d};Medarbejder;{unit};01-09-2026")
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def import_figures(path: Path, *, rows: int, admin_id: int) -> dict:
    pack = next(iter(get_registry().packs.values()))
    db = open_db(path, migrate=False)
    try:
        tree = units.tree(db)
        data = _csv(rows, [u.name for u in tree.units if u.parent_id is not None] or [u.name for u in tree.units])
        began = time.perf_counter()
        first = people_import.apply(db, pack, data, actor=admin_id)
        took = time.perf_counter() - began
        began = time.perf_counter()
        again = people_import.apply(db, pack, data, actor=admin_id)
        retook = time.perf_counter() - began
    finally:
        db.close()
    return {
        f"import_{rows}_s": round(took, 4),  # a 100-row run in CI takes milliseconds
        f"reimport_{rows}_s": round(retook, 4),
        "import_created": first.count("create"),
        "reimport_unchanged": again.count("same"),
    }


def remind_figures(path: Path, *, people: int) -> dict:
    """One real ``remind`` run to a local SMTP sink (aiosmtpd, of the test extra)."""
    pack = next(iter(get_registry().packs.values()))
    server = SmtpServer().start()
    db = open_db(path, migrate=False)
    try:
        settings = server.settings()
        began = time.perf_counter()
        with Mailer(settings) as mailer:
            outcome = reminders.run(db, pack, mailer=mailer, base_url=settings.base_url)
        took = time.perf_counter() - began
    finally:
        db.close()
        server.stop()
    return {
        f"remind_{people}_s": round(took, 2),
        "remind_sent": len(outcome.sent),
        "remind_failed": len(outcome.failed),
        "remind_received": len(server.sink.raw),
    }
