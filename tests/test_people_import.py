"""HR imports people from a CSV as Danish Excel saves it: checked whole, located errors, re-import updates."""

from __future__ import annotations

from datetime import date

import pytest

from quiz.hr import people_import, units
from quiz.hr.people_import import ImportRefused
from quiz.i18n import QuizError, use_language
from quiz.store import create_user, get_user_by_name
from tests.onboarding_helpers import excel_csv


@pytest.fixture
def hr(db):
    admin = create_user(db, "hr", "Hanne HR", "hemmelig123", is_admin=True)
    units.add_unit(db, "Center for Sundhed")
    units.add_unit(db, "Hjemmeplejen Nord", parent="Center for Sundhed")
    units.add_unit(db, "Center for Børn")
    return admin


def test_hr_imports_people_from_windows_1252_with_danish_letters_into_their_units(db, pack, hr):
    data = excel_csv(
        "Søren Ærø;soren@hvidovre.dk;sae;Medarbejder;Hjemmeplejen Nord;01-09-2026",
        "Åse Øst;aase@hvidovre.dk;aoe;medarbejder;Center for Børn;2026-09-15",
        encoding="cp1252",
    )
    result = people_import.apply(db, pack, data, actor=hr.id)
    assert (result.count("create"), result.count("update")) == (2, 0)
    soren = get_user_by_name(db, "sae")
    assert soren.display_name == "Søren Ærø" and soren.role_key == "medarbejder"
    tree = units.tree(db)
    assert tree.path(units.person_unit(db, soren.id)) == "Center for Sundhed › Hjemmeplejen Nord"
    assert units.person_start(db, soren.id) == date(2026, 9, 1)


@pytest.mark.parametrize("encoding,sep", [("utf-8", ","), ("utf-8-sig", ";"), ("cp1252", ",")])
def test_every_way_excel_saves_a_csv_reads_the_same(db, pack, hr, encoding, sep):
    data = excel_csv(
        "Bjørn Bæk;bjorn@hvidovre.dk;bb;Medarbejder;Center for Børn;01.09.2026", encoding=encoding, sep=sep
    )
    [change] = people_import.plan(db, pack, data).changes
    assert change.action == "create"
    assert change.line.name == "Bjørn Bæk" and change.line.start_date == date(2026, 9, 1)


def test_dry_run_changes_nothing_and_reimport_updates_without_duplicating(db, pack, hr):
    first = excel_csv("Lis Lund;lis@hvidovre.dk;lis;Medarbejder;Center for Børn;01-09-2026")
    people_import.apply(db, pack, first, actor=hr.id)
    moved = excel_csv(
        "Lis Lund;lis@hvidovre.dk;LIS;Medarbejder;Hjemmeplejen Nord;01-09-2026",
        "Per Ny;per@hvidovre.dk;per;Medarbejder;Center for Børn;",
    )
    dry = people_import.plan(db, pack, moved)
    assert [(c.line.username, c.action, c.fields) for c in dry.changes] == [
        ("lis", "update", ("unit_id",)),
        ("per", "create", ()),
    ]
    assert get_user_by_name(db, "per") is None  # the dry run wrote nothing
    people_import.apply(db, pack, moved, actor=hr.id)
    again = people_import.plan(db, pack, moved)
    assert again.count("same") == 2 and again.count("create") == 0
    assert db["users"].count_where("username = 'lis'") == 1
    lis = get_user_by_name(db, "lis")
    assert units.tree(db).by_id[units.person_unit(db, lis.id)].name == "Hjemmeplejen Nord"


def test_every_bad_row_is_named_by_row_and_column_in_danish_and_nothing_is_imported(db, pack, hr):
    data = excel_csv(
        "God Person;god@hvidovre.dk;god;Medarbejder;Center for Børn;01-09-2026",
        "Ukendt Rolle;rolle@hvidovre.dk;rolle;Borgmester;Center for Børn;01-09-2026",
        "Dårlig Dato;dato@hvidovre.dk;dato;Medarbejder;Center for Børn;31-02-2026",
        "Samme Navn;samme@hvidovre.dk;god;Medarbejder;Center for Børn;01-09-2026",
        "Uden Mail;;mail;Medarbejder;Center for Børn;01-09-2026",
        "Ukendt Enhed;enhed@hvidovre.dk;enhed;Medarbejder;Center for Kultur;01-09-2026",
    )
    with pytest.raises(ImportRefused) as refused:
        people_import.apply(db, pack, data, actor=hr.id)
    problems = [str(p) for p in refused.value.plan.problems]
    assert problems == [
        "Række 3, kolonne »Rolle«: ukendt rolle »Borgmester«. Brug en af: Medarbejder.",
        "Række 4, kolonne »Startdato«: »31-02-2026« er ikke en dato. Skriv fx 01-09-2026.",
        "Række 5, kolonne »Brugernavn«: brugernavnet god står også i række 2.",
        "Række 6, kolonne »E-mail«: e-mailadressen mangler.",
        "Række 7, kolonne »Enhed«: ukendt enhed »Center for Kultur«. Opret enheden først, eller ret stavemåden.",
    ]
    assert str(refused.value) == "Filen har 5 fejl. Intet er importeret; ret fejlene, og prøv igen."
    assert get_user_by_name(db, "god") is None
    with use_language("en"):
        assert problems and str(refused.value.plan.problems[1]).startswith("Row 4, column “Startdato”")


def test_a_file_without_the_needed_columns_or_that_is_not_csv_is_refused_plainly(db, pack, hr):
    plan = people_import.plan(db, pack, b"Fornavn;Efternavn\r\nA;B\r\n")
    assert [str(p) for p in plan.problems][0] == "Kolonnen »navn« mangler i første række."
    with pytest.raises(QuizError) as bad:
        people_import.plan(db, pack, b'Navn;E-mail;Brugernavn\r\n"Lis;lis@x.dk;lis\r\n')
    assert str(bad.value).startswith("Filen kan ikke læses som CSV")


def test_only_an_admin_may_import(db, pack, hr):
    learner = create_user(db, "lis", "Lis", "hemmelig123")
    data = excel_csv("Per Ny;per@hvidovre.dk;per;Medarbejder;Center for Børn;")
    with pytest.raises(QuizError) as refused:
        people_import.apply(db, pack, data, actor=learner.id)
    assert refused.value.msg.key == "account.actor_not_admin"
    assert get_user_by_name(db, "per") is None


def test_a_leader_sees_the_people_of_their_units_and_the_departments_under_them_only(db, pack, hr):
    data = excel_csv(
        "Leder Lone;lone@hvidovre.dk;lone;Medarbejder;Center for Sundhed;",
        "Hanne Hjem;hanne@hvidovre.dk;hanne;Medarbejder;Hjemmeplejen Nord;",
        "Bo Barn;bo@hvidovre.dk;bo;Medarbejder;Center for Børn;",
    )
    people_import.apply(db, pack, data, actor=hr.id)
    lone = get_user_by_name(db, "lone")
    units.set_leader_units(db, lone.id, [units.tree(db).find("Center for Sundhed").id])
    seen = {get_user_by_name(db, n).id for n in ("lone", "hanne")}
    assert units.visible_user_ids(db, lone.id) == seen
    assert units.visible_user_ids(db, get_user_by_name(db, "bo").id) == set()


def test_units_are_unique_and_need_an_existing_parent(db, hr):
    with pytest.raises(QuizError) as taken:
        units.add_unit(db, "center for sundhed")
    assert str(taken.value) == "Der findes allerede en enhed, der hedder »center for sundhed«."
    with pytest.raises(QuizError):
        units.add_unit(db, "Skolen", parent="Center for Skoler")
    made = units.ensure_units(db, [("Dagplejen", "Dagtilbud"), ("Dagtilbud", "Center for Børn")])
    assert made == 2
    assert units.tree(db).path(units.tree(db).find("Dagplejen").id) == "Center for Børn › Dagtilbud › Dagplejen"
