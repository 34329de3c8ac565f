"""The onboarding pages in AppTest: HR uploads people and sees who is late by unit, a leader sees their
unit only, a person opts in to refresh mails and downloads their certificate, an invitation link sets a password."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from quiz.hr import programme, units
from quiz.people import invitations
from quiz.plugins import get_registry
from quiz.store import get_user_by_name, open_db
from quiz.ui.pages import path as page_file
from tests.onboarding_helpers import complete_programme, excel_csv, organisation
from tests.shown import figures
from tests.smtp_sink import SmtpServer

APP = str(Path(__file__).resolve().parents[1] / "app.py")


@pytest.fixture
def org(db_path):
    db = open_db(db_path)
    pack = next(iter(get_registry().packs.values()))
    admin = organisation(
        db,
        pack,
        "Ane Ærø;ane@hvidovre.dk;ane;Medarbejder;Hjemmeplejen Nord;01-09-2020",
        "Bo Berg;bo@hvidovre.dk;bo;Medarbejder;Center for Børn;01-09-2020",
    )
    yield db, pack, admin
    db.close()


def open_page(user_id: int | None, page: str, **query) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    if user_id is not None:
        at.session_state["user_id"] = user_id
    at.query_params.update(query)
    at.run()
    return at.switch_page(page_file(page)).run()


def section(at: AppTest, name: str) -> AppTest:
    return at.segmented_control(key="admin_section").set_value(name).run()


def test_hr_uploads_an_excel_csv_sees_the_dry_run_then_imports(org):
    db, pack, admin = org
    at = section(open_page(admin.id, "admin"), "import")
    bad = excel_csv("Cai Ny;cai@hvidovre.dk;cai;Medarbejder;Center for Kultur;01-09-2026", encoding="cp1252")
    at.file_uploader[0].set_value(("personer.csv", bad, "text/csv")).run()
    assert not at.exception
    problems = " ".join(m.value for m in at.markdown)
    assert "Række 2, kolonne »Enhed«" in problems and "ukendt enhed »Center for Kultur«" in problems
    assert at.error[0].value.startswith("Filen har 1 fejl, og intet bliver importeret.")
    good = excel_csv(
        "Cai Ny;cai@hvidovre.dk;cai;Medarbejder;Center for Børn;01-09-2026",
        "Ane Ærø;ane@hvidovre.dk;ane;Medarbejder;Center for Børn;01-09-2020",
        encoding="cp1252",
    )
    at.file_uploader[0].set_value(("personer.csv", good, "text/csv")).run()
    assert any(i.value.startswith("Prøvekørsel: 1 oprettes, 1 ændres, 0 er uændrede.") for i in at.info)
    assert get_user_by_name(db, "cai") is None
    at.button(key="hr_import_go").click().run()
    assert not at.exception
    assert any(s.value.startswith("Importeret: 1 oprettet, 1 ændret") for s in at.success)
    assert units.tree(db).by_id[units.person_unit(db, get_user_by_name(db, "ane").id)].name == "Center for Børn"


def test_hr_sees_who_is_overdue_by_unit_and_sets_the_programme(org):
    db, pack, admin = org
    at = section(open_page(admin.id, "admin"), "programme")
    assert not at.exception
    overdue = at.dataframe[0].value
    units_late = dict(zip(overdue["Enhed"], overdue["Overskredet"], strict=True))
    assert units_late["Center for Sundhed › Hjemmeplejen Nord"] == 1 and units_late["Center for Børn"] == 1
    assert list(figures(at))[-4:] == ["Ikke startet", "I gang", "Gennemført", "Overskredet"]
    assert [e.label for e in at.expander][-1] == "Ret forløbets krav og frist"
    at.session_state["hr_programme_open"] = True  # opens the form, as a click on the expander does
    at.run()
    at.checkbox(key="hr_req_everyone_quiz").uncheck()
    at.number_input(key="hr_programme_days").set_value(45)
    at.button(key="hr_programme_save").click().run()
    assert not at.exception
    saved = programme.get_programme(db, pack.id)
    assert saved.days == 45 and [r.kind for r in saved.requirements] == ["intro", "role_quiz"]


def test_hr_filters_the_programme_by_a_centre_and_sees_its_departments_over_time(org):
    db, pack, admin = org
    at = section(open_page(admin.id, "admin"), "programme")
    [chart] = at.get("vega_lite_chart")
    assert chart.proto.spec, "completion over time, per centre"
    at.selectbox(key="admin_unit").set_value(units.tree(db).find("Center for Sundhed").id).run()
    assert not at.exception
    shown = figures(at)
    assert (shown["Overskredet"], shown["Ikke startet"]) == ("1", "0"), "Ane only: Bo is in Center for Børn"
    overdue = at.dataframe[0].value
    assert list(overdue["Enhed"]) == ["Center for Sundhed › Hjemmeplejen Nord"]
    [chart] = at.get("vega_lite_chart")
    lines = set(pa.ipc.open_stream(chart.proto.data.data).read_all().column("unit").to_pylist())
    assert lines == {"Hjemmeplejen Nord"}, "one line per department of the centre, named by its own name"


def test_a_leader_sees_their_own_units_people_and_no_one_else(org):
    db, pack, admin = org
    bo = get_user_by_name(db, "bo")
    units.set_leader_units(db, bo.id, [units.tree(db).find("Center for Sundhed").id])
    at = open_page(bo.id, "min_enhed")
    assert not at.exception
    assert at.title[0].value == "Min enhed"
    table = at.dataframe[0].value
    assert list(table["Navn"]) == ["Ane Ærø"] and list(table["Status"]) == ["overskredet"]
    assert list(table.columns) == ["Navn", "Status", "Frist", "Krav opfyldt", "Enhed"], "what matters first on a phone"
    assert at.dataframe[0].proto.columns and "Krav" in at.dataframe[0].proto.columns
    assert figures(at) == {"Ikke startet": "0", "I gang": "0", "Gennemført": "0", "Overskredet": "1"}
    ane = get_user_by_name(db, "ane")
    refused = open_page(ane.id, "min_enhed")
    assert refused.title[0].value == "Ingen adgang" and not refused.dataframe


def test_a_leader_opens_one_of_their_people_and_sees_what_is_missing_and_by_when(org):
    db, pack, admin = org
    bo = get_user_by_name(db, "bo")
    units.set_leader_units(db, bo.id, [units.tree(db).find("Center for Sundhed").id])
    at = open_page(bo.id, "min_enhed")
    assert at.selectbox(key="leader_person").options == ["Ane Ærø"], "only the leader's own people"
    at.selectbox(key="leader_person").select_index(0).run()
    assert not at.exception
    assert at.warning[-1].value.startswith("Ane Ærø (Center for Sundhed › Hjemmeplejen Nord): fristen var ")
    listed = at.markdown[-1].value.splitlines()
    assert listed and all(line.startswith("- Mangler: ") for line in listed), listed


def test_a_leader_placed_in_the_unit_they_lead_is_not_listed_as_their_own_report(org):
    db, pack, admin = org
    ane = get_user_by_name(db, "ane")  # in Hjemmeplejen Nord, under Center for Sundhed
    units.set_leader_units(db, ane.id, [units.tree(db).find("Center for Sundhed").id])
    at = open_page(ane.id, "min_enhed")
    assert not at.exception
    assert not at.dataframe and at.info[0].value.startswith("Der er ingen")


def test_a_leader_reminds_the_overdue_people_of_their_units_and_downloads_the_list(org, monkeypatch):
    db, pack, admin = org
    smtp = SmtpServer().start()
    try:
        for name, value in {
            "QUIZ_SMTP_HOST": "127.0.0.1",
            "QUIZ_SMTP_PORT": str(smtp.port),
            "QUIZ_SMTP_STARTTLS": "false",
            "QUIZ_BASE_URL": "https://laer.hvidovre.dk",
        }.items():
            monkeypatch.setenv(name, value)
        bo = get_user_by_name(db, "bo")
        units.set_leader_units(db, bo.id, [units.tree(db).find("Center for Sundhed").id])
        at = open_page(bo.id, "min_enhed")
        assert at.button(key="leader_remind_send").label == "Påmind de 1 forsinkede"
        download = at.get("download_button")[0]
        assert download.proto.label == "Hent listen (CSV)"
        at.button(key="leader_remind_send").click().run()
        assert not at.exception
        assert [s.value for s in at.success] == ["1 mails sendt, 0 afvist, 0 venter til næste kørsel."]
        [mail] = smtp.sink.messages
        assert mail["To"] == "Ane Ærø <ane@hvidovre.dk>"
        assert mail["Subject"] == "Påmindelse fra Bo Berg: dit introforløb i " + pack.manifest.title
        assert "/adgangskode?token=" in mail.get_content(), "Ane has no password yet: the link sets one"
        assert at.button(key="leader_remind_send").disabled, "once a day"
    finally:
        smtp.stop()


def test_a_person_opts_in_to_refresh_mails_and_downloads_the_certificate_when_done(org):
    db, pack, admin = org
    complete_programme(db, get_registry(), "bo", now=datetime(2020, 9, 10, tzinfo=UTC))
    bo = get_user_by_name(db, "bo")
    at = open_page(bo.id, "profil")
    assert not at.exception
    at.toggle(key="profile_refresh_mail").set_value(True).run()
    assert db.execute("SELECT refresh_reminders FROM people WHERE user_id = ?", [bo.id]).fetchone() == (1,)
    assert "Hent dit bevis (PDF)" in [b.proto.label for b in at.get("download_button")]


def test_a_person_sees_on_their_profile_what_the_programme_still_asks_and_by_when(org):
    db, pack, admin = org
    from quiz.learning.intro import complete_intro

    ane = get_user_by_name(db, "ane")
    complete_intro(db, ane.id, pack.id)
    at = open_page(ane.id, "profil")
    assert not at.exception
    late = "Fristen for dit introforløb var 01-10-2020: 1 af 3 krav er opfyldt. Du kan stadig nå resten."
    assert late in [w.value for w in at.warning], [w.value for w in at.warning]
    todo = " ".join(m.value for m in at.markdown)
    assert "✓ Introduktionen gennemført" in todo and "Mangler: En quiz i egen rolles udsagn" in todo
    assert "Hent dit bevis (PDF)" not in [b.proto.label for b in at.get("download_button")], "not before completion"


def test_the_invitation_link_sets_the_password_once(org):
    db, pack, admin = org
    ane = get_user_by_name(db, "ane")
    token = invitations.invite(db, ane.id)
    at = open_page(None, "adgangskode", token=token)
    assert not at.exception
    at.text_input(key="invite_password").input("min-nye-kode")
    at.text_input(key="invite_password2").input("min-nye-kode")
    at.button(key="invite_save").click().run()
    assert any("Din adgangskode er gemt" in s.value for s in at.success)
    from quiz.people import auth

    assert auth.verify_password(
        "min-nye-kode", db.execute("SELECT password_hash FROM users WHERE id = ?", [ane.id]).fetchone()[0]
    )
    again = open_page(None, "adgangskode", token=token)
    assert any(e.value.startswith("Linket er allerede brugt") for e in again.error)


def test_hr_places_a_person_in_a_unit_and_makes_them_a_leader_by_pressing_the_button(org):
    db, pack, admin = org
    at = section(open_page(admin.id, "admin"), "users")
    at.selectbox(key="admin_user").set_value("bo").run()
    tree = units.tree(db)
    nord, sundhed = tree.find("Hjemmeplejen Nord").id, tree.find("Center for Sundhed").id
    at.selectbox(key="hr_person_unit").set_value(nord).run()
    at.multiselect(key="hr_person_leads").set_value([sundhed]).run()
    at.button(key="hr_person_save").click().run()
    assert not at.exception
    assert [s.value for s in at.success] == ["Bo Berg: enhed og lederskab er gemt."]
    bo = get_user_by_name(db, "bo")
    assert units.person_unit(db, bo.id) == nord and units.led_units(db, bo.id) == [sundhed]


def test_an_admin_who_lost_the_role_cannot_place_anyone_with_a_tab_left_open(org):
    db, pack, admin = org
    at = section(open_page(admin.id, "admin"), "users")
    at.selectbox(key="admin_user").set_value("bo").run()
    nord = units.tree(db).find("Hjemmeplejen Nord").id
    at.selectbox(key="hr_person_unit").set_value(nord).run()
    db["users"].update(admin.id, {"is_admin": 0})  # another admin took the role away meanwhile
    at.button(key="hr_person_save").click().run()
    assert not at.exception
    assert not at.success and at.error, "a Danish refusal, not a success"
    bo = get_user_by_name(db, "bo")
    assert units.person_unit(db, bo.id) == units.tree(db).find("Center for Børn").id, "nothing was changed"


def test_an_imported_overdue_employee_sees_the_deadline_on_the_home_page(org):
    db, pack, admin = org
    ane = get_user_by_name(db, "ane")  # started 01-09-2020, no go-live day: long overdue
    at = open_page(ane.id, "forside")
    assert not at.exception
    [warning] = at.warning
    assert warning.value == (
        "Fristen for dit introforløb var 01-10-2020. Du har opfyldt 0 af 3 krav – du kan stadig nå resten."
    )
    programme.set_go_live(db, pack.id, datetime.now(UTC).date(), actor=admin.id)
    at = open_page(ane.id, "forside")
    assert not at.warning
    assert any(c.value.startswith("Dit introforløb skal være gennemført senest") for c in at.caption)
