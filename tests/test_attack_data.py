"""Issue 27: what is left of a deleted administrator, and pages a signed-in person can break."""

from __future__ import annotations

from quiz.hr import programme
from quiz.hr.programme import Programme, Requirement
from quiz.people import accounts
from quiz.store import create_user
from quiz.store.migrations import m015_forget_deleted_actors


def test_deleting_the_admin_who_set_the_programme_leaves_no_trace_of_them_in_it(db, pack):
    boss = create_user(db, "boss", "Bente Boss", "hemmelig-kode-1", is_admin=True)
    hanne = create_user(db, "hanne", "Hanne HR", "hemmelig-kode-2", is_admin=True)
    programme.set_programme(db, Programme(pack.id, (Requirement("intro"),), 30), actor=hanne.id)
    assert db["programmes"].get(pack.id)["updated_by"] == hanne.id

    accounts.delete_person(db, boss.id, hanne.id)

    row = db["programmes"].get(pack.id)
    assert row["updated_by"] is None
    assert programme.get_programme(db, pack.id).days == 30, "the programme itself stays"


def test_an_older_database_forgets_admins_deleted_before_the_fix(db, pack):
    boss = create_user(db, "boss", "Bente Boss", "hemmelig-kode-1", is_admin=True)
    programme.set_programme(db, Programme(pack.id, (Requirement("intro"),), 30), actor=boss.id)
    db["programmes"].update(pack.id, {"updated_by": 4242})  # an account deleted by an older version

    m015_forget_deleted_actors(db)

    assert db["programmes"].get(pack.id)["updated_by"] is None
