"""Names in Danish order (Æ, Ø, Å after Z; "Aa" as Å) wherever people are listed or exported."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from streamlit.testing.v1 import AppTest

from quiz.cli import main as cli
from quiz.people.collation import sort_key
from quiz.store import create_user, open_db
from quiz.ui.pages import path as page_file

APP = str(Path(__file__).resolve().parents[1] / "app.py")
NAMES = ["Åse Holm", "Ærø Nielsen", "Aase Berg", "Øster Lund", "Bo Berg", "Zenia Ahmed", "anders And"]
DANISH = ["anders And", "Bo Berg", "Zenia Ahmed", "Ærø Nielsen", "Øster Lund", "Aase Berg", "Åse Holm"]


def test_the_sort_key_puts_ae_oe_aa_last_in_that_order_and_reads_aa_as_aa():
    assert sorted(NAMES, key=sort_key) == DANISH
    assert sorted(["Haagen", "Hans", "Hå", "Hz"], key=sort_key) == ["Hans", "Hz", "Hå", "Haagen"]
    assert sorted(["Éva", "Eva", "Ebbe"], key=sort_key) == ["Ebbe", "Eva", "Éva"], "accents sort with their letter"


def people(db_path) -> None:
    db = open_db(db_path)
    create_user(db, "hr", "Zz HR", "hemmelig123", is_admin=True)
    for i, name in enumerate(NAMES):
        create_user(db, f"p{i}", name, "hemmelig123")
    db.close()


def test_the_results_csv_lists_people_in_danish_order(db_path, capsys, tmp_path):
    people(db_path)
    out = tmp_path / "resultater.csv"
    assert cli.main(["export", "results", "--format", "csv", "--out", str(out)]) == 0
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig")), delimiter=";"))
    names = [r[rows[0].index("Navn")] for r in rows[1:]]
    assert [n for n in names if n != "Zz HR"] == DANISH


def test_the_hr_people_table_lists_people_in_danish_order(db_path):
    people(db_path)
    db = open_db(db_path)
    admin = db.execute("SELECT id FROM users WHERE username = 'hr'").fetchone()[0]
    db.close()
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["user_id"] = admin
    at.run()
    at = at.switch_page(page_file("admin")).run()
    assert not at.exception
    names = list(at.dataframe[0].value["Navn"])
    assert [n for n in names if n != "Zz HR"] == DANISH


def test_the_hr_person_chooser_lists_people_by_name_in_danish_order(db_path):
    people(db_path)
    db = open_db(db_path)
    admin = db.execute("SELECT id FROM users WHERE username = 'hr'").fetchone()[0]
    db.close()
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["user_id"] = admin
    at.run()
    at = at.switch_page(page_file("admin")).run()
    at = at.segmented_control(key="admin_section").set_value("users").run()
    shown = [o.rsplit(" (", 1)[0] for o in at.selectbox(key="admin_user").options]
    assert [n for n in shown if n != "Zz HR"] == DANISH
