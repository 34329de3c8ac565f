"""Issue 27: what is left of a deleted administrator, and pages a signed-in person can break."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from quiz.hr import exports, programme, reports, xapi
from quiz.hr.programme import Programme, Requirement
from quiz.people import accounts, invitations
from quiz.store import create_user, open_db
from quiz.store.migrations import m015_forget_deleted_actors
from quiz.ui.pages import path as page_file
from tests.test_reports import organisation  # noqa: F401 - the fixture is shared

APP = str(Path(__file__).resolve().parents[1] / "app.py")


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


def open_page(user_id: int | None, page: str, **query) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    if user_id is not None:
        at.session_state["user_id"] = user_id
    at.query_params.update(query)
    at.run()
    return at.switch_page(page_file(page)).run()


@pytest.mark.parametrize("kind", ["invalid", "used", "expired"])
def test_a_signed_in_person_opening_a_bad_invitation_link_reads_why_and_is_offered_the_front_page(db_path, kind):
    db = open_db(db_path)
    lise = create_user(db, "lise", "Lise Holm", "hemmelig-kode-1")
    ane = create_user(db, "ane", "Ane Ærø", "hemmelig-kode-2")
    token = "ikke-et-rigtigt-link-0000000000000000"
    if kind == "used":
        token = invitations.invite(db, ane.id)
        invitations.redeem(db, token, "helt-ny-kode-9")
    elif kind == "expired":
        token = invitations.invite(db, ane.id, now=datetime.now(UTC) - timedelta(days=invitations.VALID_DAYS + 1))
    db.close()

    at = open_page(lise.id, "adgangskode", token=token)

    assert not at.exception, at.exception
    said = {"invalid": "ugyldigt", "used": "allerede brugt", "expired": "udløbet"}[kind]
    assert any(said in e.value for e in at.error), [e.value for e in at.error]
    links = [link.proto.label for link in at.get("page_link")]
    assert links == ["Gå til forsiden"]


def test_one_damaged_answer_is_left_out_of_the_xapi_export_by_name_and_everyone_elses_go_out(db, pack, organisation):  # noqa: F811 - fixture
    before = list(xapi.statements(db, {pack.id: pack}))
    bo_answer = db.execute(
        "SELECT a.id FROM answers a JOIN users u ON u.id = a.user_id WHERE u.username = 'bo' ORDER BY a.id LIMIT 1"
    ).fetchone()[0]
    db["answers"].update(bo_answer, {"answer_json": "{not json"})  # damaged by hand or a broken disk
    annas = "SELECT id FROM attempts WHERE user_id = (SELECT id FROM users WHERE username = 'anna')"
    db["attempts"].update(db.execute(annas).fetchone()[0], {"spec_json": "["})

    skipped: list[xapi.Skipped] = []
    after = list(xapi.statements(db, {pack.id: pack}, skipped=skipped))

    assert [(s.username, s.record, s.record_id) for s in skipped][:1] == [("bo", "answer", bo_answer)]
    assert {(s.username, s.record) for s in skipped} == {("bo", "answer"), ("anna", "attempt")}
    assert len(after) == len(before) - 1 - 2, "one answer and one attempt (completed + passed) are left out"
    said = skipped[0].message().render()
    assert said.startswith(f"Springet over: svar {bo_answer} af bo kan ikke læses")


def test_one_person_whose_row_cannot_be_made_is_left_out_of_the_results_by_name(db, pack, organisation):  # noqa: F811 - fixture
    people = reports.people(db, pack, period=reports.Period.from_dates(None, None))
    damaged = [dataclasses.replace(p, last_active="ikke en dato") if p.username == "anna" else p for p in people]

    skipped: list = []
    rows = exports.result_rows(damaged, pack, skipped=skipped)

    names = [row["Brugernavn"] for row in rows]
    assert "anna" not in names and "bo" in names
    assert [m.render() for m in skipped] == [
        "Springet over: rækken for anna kan ikke laves (beskadigede data i databasen). Resten er eksporteret."
    ]


def test_hr_reads_on_the_page_which_records_the_last_export_left_out(db, pack, organisation):  # noqa: F811 - fixture
    bo_answer = db.execute(
        "SELECT a.id FROM answers a JOIN users u ON u.id = a.user_id WHERE u.username = 'bo' ORDER BY a.id LIMIT 1"
    ).fetchone()[0]
    db["answers"].update(bo_answer, {"answer_json": "{not json"})  # damaged by hand or a broken disk
    dorte = organisation["dorte"]
    skipped: list[xapi.Skipped] = []
    list(xapi.statements(db, {pack.id: pack}, skipped=skipped))
    # What the HR page's download does in its own thread: the facts are kept, rendered when read.
    exports.note_export(db, dorte.id, "xapi", [s.message() for s in skipped])
    report = exports.last_export(db, dorte.id)
    assert report is not None and report.export == "xapi"
    assert report.left_out[0].render("en").startswith(f"Left out: answer {bo_answer} of bo cannot be read")

    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["user_id"] = dorte.id
    at.run()
    at.switch_page(page_file("admin")).run()
    at.segmented_control(key="admin_section").set_value("export").run()
    assert not at.exception
    said = [w.value for w in at.warning if w.value.startswith("Din seneste eksport (")]
    assert len(said) == 1 and "sprang over det, der ikke kunne læses" in said[0]
    assert any(f"svar {bo_answer} af bo kan ikke læses" in m.value for m in at.markdown)

    exports.note_export(db, dorte.id, "results", [])  # a clean export replaces the note
    at.run()
    assert not any(w.value.startswith("Din seneste eksport (") for w in at.warning)
