"""Issue 27: the import's refusals are said in the reader's language, never Streamlit's or Python's English."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from quiz.hr import people_import
from quiz.i18n import QuizError, use_language
from quiz.plugins import get_registry
from quiz.store import open_db
from quiz.ui.pages import path as page_file
from tests.onboarding_helpers import excel_csv, organisation

APP = str(Path(__file__).resolve().parents[1] / "app.py")
HEADER = "Navn;E-mail;Brugernavn;Rolle;Enhed;Startdato\r\n"
ROW = "Cai Ny;cai@hvidovre.dk;cai;Medarbejder;Hjemmeplejen Nord;01-09-2026\r\n"


def refusal(data: bytes, lang: str = "da") -> str:
    with pytest.raises(QuizError) as refused:
        people_import.read_table(data)
    with use_language(lang):
        return str(refused.value)


def test_excels_unicode_text_is_named_as_such_not_a_missing_column():
    said = refusal((HEADER + ROW).encode("utf-16"))
    assert "»Unicode-tekst« (UTF-16)" in said and "mangler" not in said
    assert "»Unicode Text« (UTF-16)" in refusal((HEADER + ROW).replace(";", "\t").encode("utf-16"), "en")


def test_a_five_megabyte_cell_names_its_row_not_pythons_field_limit():
    said = refusal((HEADER + ROW + "x" * (5 * 1024 * 1024 - 200) + ";x\r\n").encode())
    assert said.startswith("En celle i række 3 er længere end")
    assert "field" not in said and "131072" not in said


def test_a_broken_quote_names_its_row_in_danish():
    said = refusal((HEADER + ROW + '"Bo" Berg;bo@x.dk\r\n').encode())
    assert said.startswith("Filen kan ikke læses som CSV fra række 3")
    assert "expected" not in said


@pytest.fixture
def hr_admin(db_path):
    db = open_db(db_path)
    pack = next(iter(get_registry().packs.values()))
    admin = organisation(db, pack, "Ane Ærø;ane@hvidovre.dk;ane;Medarbejder;Hjemmeplejen Nord;01-09-2020")
    db.close()
    return admin


def test_a_six_megabyte_upload_is_refused_in_danish_by_the_app(hr_admin):
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["user_id"] = hr_admin.id
    at.run()
    at = at.switch_page(page_file("admin")).run()
    at = at.segmented_control(key="admin_section").set_value("import").run()
    big = (HEADER + ROW * (6 * 1024 * 1024 // len(ROW))).encode()
    at.file_uploader[0].set_value(("personer.csv", big, "text/csv")).run()
    assert not at.exception
    assert [e.value for e in at.error] == ["Filen er større end 5 MB. Del den op i flere filer."]
    assert at.file_uploader[0].proto.max_upload_size_mb > 6, "Streamlit's own English refusal comes later"


def test_hr_may_import_the_good_rows_and_is_told_each_row_left_out_and_why(hr_admin, db_path):
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["user_id"] = hr_admin.id
    at.run()
    at = at.switch_page(page_file("admin")).run()
    at = at.segmented_control(key="admin_section").set_value("import").run()
    bad_then_good = excel_csv(
        "Bo Berg;bo@hvidovre.dk;bo;Medarbejder;Center for Kultur;01-09-2026",
        "Cai Ny;cai@hvidovre.dk;cai;Medarbejder;Hjemmeplejen Nord;01-09-2026",
    )
    at.file_uploader[0].set_value(("personer.csv", bad_then_good, "text/csv")).run()
    assert at.error[0].value.startswith("Filen har 1 fejl, og intet bliver importeret.")
    at.button(key="hr_import_skip_bad").click().run()

    assert not at.exception
    said = at.success[0].value
    assert "Sprunget over (rækker med fejl): 1. Resten er importeret." in said
    assert "Række 2" in said and "Center for Kultur" in said
    db = open_db(db_path)
    try:
        assert {r["username"] for r in db["users"].rows} >= {"cai"}
        assert db["users"].count_where("username = 'bo'") == 0, "the bad row is left out, nothing half-made"
    finally:
        db.close()
