"""The demo organisation's structure: 80 units (10 centres of 7 departments), everyone placed in one,
with an e-mail address and a start date, leaders for the units, and the default onboarding programme.

Written in bulk (one transaction), with a random generator of its own so the rest of the demo data
stays the same for a seed.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime

import sqlite_utils

from quiz.content.models import Pack
from quiz.hr import programme
from quiz.store.db import to_iso, transaction

CENTRES = (
    "Center for Sundhed og Omsorg", "Center for Børn og Familie", "Center for Skole og Uddannelse",
    "Center for Dagtilbud", "Center for Beskæftigelse", "Center for Økonomi", "Center for Ejendomme",
    "Center for Kultur og Fritid", "Center for Miljø og Teknik", "Center for Politik og Ledelse",
)  # fmt: skip
DEPARTMENTS = ("Øst", "Vest", "Nord", "Syd", "Midt", "Administration", "Udvikling")
LEADER_ROLES = {"centerchef", "leder_af_ledere", "leder_af_medarbejdere"}


def organise(
    db: sqlite_utils.Database,
    pack: Pack,
    people: Sequence[tuple[int, str, str | None, str]],
    *,
    seed: int,
    now: datetime,
) -> int:
    """Place ``(user id, username, role, created_at)`` people in the demo units; returns the number of units."""
    rng = random.Random(seed + 14)
    stamp = to_iso(now)
    with transaction(db):
        existing = {name for (name,) in db.execute("SELECT name FROM units")}
        centre_ids, department_ids = {}, []
        for centre in CENTRES:
            if centre not in existing:
                db["units"].insert({"name": centre, "parent_id": None, "created_at": stamp})
            centre_ids[centre] = db.execute("SELECT id FROM units WHERE name = ?", [centre]).fetchone()[0]
            for part in DEPARTMENTS:
                name = f"{centre.removeprefix('Center for ')} {part}"
                if name not in existing:
                    db["units"].insert({"name": name, "parent_id": centre_ids[centre], "created_at": stamp})
                department_ids.append(db.execute("SELECT id FROM units WHERE name = ?", [name]).fetchone()[0])
        rows, leaders, led = [], [], set()
        for user_id, username, role, created_at in people:
            unit = rng.choice(department_ids)
            rows.append(
                {
                    "user_id": user_id,
                    "email": f"{username}@demo.hvidovre.dk",
                    "unit_id": unit,
                    "start_date": created_at[:10],
                    "refresh_reminders": int(rng.random() < 0.3),
                    "updated_at": stamp,
                }
            )
            if role in LEADER_ROLES and unit not in led:
                led.add(unit)
                leaders.append({"user_id": user_id, "unit_id": unit})
        db["people"].insert_all(rows, batch_size=500, replace=True)
        db["unit_leaders"].insert_all(leaders, ignore=True)
        if not db["programmes"].count_where("pack_id = ?", [pack.id]):
            default = programme.default_programme(pack.id)
            db["programmes"].insert(
                {"pack_id": pack.id, "items_json": default.to_json(), "days": default.days, "updated_at": stamp}
            )
    return len(CENTRES) * (1 + len(DEPARTMENTS))
