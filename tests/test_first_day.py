"""Done when (issue 24): from a fresh database, an HR employee, on the HR page alone, imports 30 people
already employed with their units into a new organisation, sets two leaders and a go-live day, previews
and sends the reminders (caught by a local SMTP server), and no one is overdue on day one."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from quiz.hr import programme, units
from quiz.hr.programme import LOCAL
from quiz.plugins import get_registry
from quiz.store import create_user, get_user_by_name, open_db
from quiz.ui.pages import path as page_file
from tests.shown import figures
from tests.smtp_sink import SmtpServer

APP = str(Path(__file__).resolve().parents[1] / "app.py")
UNITS = (
    "enhed;overordnet\r\nCenter for Sundhed;\r\n"
    "Hjemmeplejen Nord;Center for Sundhed\r\nHjemmeplejen Syd;Center for Sundhed\r\n"
)
FIRST = ["Aase", "Ole", "Åse", "Øjvind", "Ærtebjerg", "Birthe", "Carsten", "Dorte", "Erik", "Frida"]
LAST = ["Hansen", "Jensen", "Aagaard"]
NO_OVERDUE = "Ingen har overskredet fristen."


def people_file() -> bytes:
    """30 people employed for years, in two departments and one centre that do not exist yet, Excel's CSV."""
    lines = ["Navn;E-mail;Brugernavn;Rolle;Enhed;Startdato"]
    for i in range(30):
        name = f"{FIRST[i % 10]} {LAST[i // 10]}"
        unit = ("Hjemmeplejen Nord", "Hjemmeplejen Syd", "Tandplejen")[i % 3]
        year = 2005 + i % 20
        lines.append(f"{name};p{i}@hvidovre.dk;p{i};Medarbejder;{unit};01-0{1 + i % 9}-{year}")
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


@pytest.fixture
def smtp(monkeypatch):
    server = SmtpServer().start()
    for name, value in {
        "QUIZ_SMTP_HOST": "127.0.0.1",
        "QUIZ_SMTP_PORT": str(server.port),
        "QUIZ_SMTP_STARTTLS": "false",
        "QUIZ_SMTP_SENDER": "hr@hvidovre.dk",
        "QUIZ_BASE_URL": "https://laer.hvidovre.dk",
    }.items():
        monkeypatch.setenv(name, value)
    yield server
    server.stop()


def section(at: AppTest, name: str) -> AppTest:
    return at.segmented_control(key="admin_section").set_value(name).run()


def test_hr_brings_30_employed_people_live_from_the_hr_page_and_no_one_is_overdue_on_day_one(db_path, smtp):
    db = open_db(db_path)
    pack = next(iter(get_registry().packs.values()))
    hanne = create_user(db, "hanne", "Hanne HR", "hemmelig123", is_admin=True)  # `python -m quiz users add --admin`
    today = datetime.now(LOCAL).date()

    at = AppTest.from_file(APP, default_timeout=90)
    at.session_state["user_id"] = hanne.id
    at.run()
    at = at.switch_page(page_file("admin")).run()
    assert not at.exception

    # 1. The unit tree, from a CSV, after a dry run.
    at = section(at, "units")
    at.file_uploader[0].set_value(("enheder.csv", UNITS.encode("cp1252"), "text/csv")).run()
    assert any(i.value.startswith("Prøvekørsel: 3 nye enheder oprettes.") for i in at.info)
    at.button(key="hr_units_import").click().run()
    assert [s.value for s in at.success] == ["3 nye enheder er oprettet."]

    # 2. The 30 people; the file names one unit that does not exist yet: offered once, created under the centre.
    at = section(at, "import")
    at.file_uploader[0].set_value(("personer.csv", people_file(), "text/csv")).run()
    assert not at.exception
    [warning] = at.warning
    assert warning.value.startswith("Filen nævner 1 enheder, der ikke findes endnu: »Tandplejen«.")
    centre = units.tree(db).find("Center for Sundhed").id
    at.selectbox(key="hr_import_units_parent").set_value(centre).run()
    at.checkbox(key="hr_import_create_units").check().run()
    assert any(i.value.startswith("Prøvekørsel: 30 oprettes, 0 ændres, 0 er uændrede.") for i in at.info)
    at.date_input(key="hr_import_go_live").set_value(today).run()
    at.button(key="hr_import_go").click().run()
    assert not at.exception
    assert any(s.value.startswith("Importeret: 30 oprettet") for s in at.success)
    tree = units.tree(db)
    assert tree.path(tree.find("Tandplejen").id) == "Center for Sundhed › Tandplejen"
    assert programme.get_programme(db, pack.id).go_live == today

    # 3. Two leaders: one for each department of home care.
    at = section(at, "users")
    for username, unit in (("p0", "Hjemmeplejen Nord"), ("p1", "Hjemmeplejen Syd")):
        at.selectbox(key="admin_user").set_value(username).run()
        at.multiselect(key="hr_person_leads").set_value([tree.find(unit).id]).run()
        at.button(key="hr_person_save").click().run()
        assert not at.exception and at.success, [e.value for e in at.error]
    assert units.led_units(db, get_user_by_name(db, "p0").id) == [tree.find("Hjemmeplejen Nord").id]
    assert units.led_units(db, get_user_by_name(db, "p1").id) == [tree.find("Hjemmeplejen Syd").id]

    # 4. No one is overdue on day one.
    at = section(at, "programme")
    assert figures(at)["Overskredet"] == "0"
    assert NO_OVERDUE in [i.value for i in at.info]

    # 5. The reminders: preview, then send now; one invitation each, no "not completed".
    at = section(at, "reminders")
    assert not at.exception
    assert at.markdown[0].value == "Næste kørsel sender **30** mails til **30** personer:", "one mail per person"
    [preview] = [d.value for d in at.dataframe]
    assert len(preview) == 30 and set(preview["Mail"]) == {"invitation"}
    assert set(preview["Linket fører til"]) == {"vælg adgangskode"}
    assert list(preview["Navn"])[:3] == ["Birthe Hansen", "Birthe Jensen", "Birthe Aagaard"], "Danish order"
    at.button(key="hr_remind_send").click().run()
    assert not at.exception
    assert [s.value for s in at.success] == ["30 mails sendt, 0 afvist, 0 venter til næste kørsel."]
    mails = smtp.sink.messages
    assert len(mails) == 30 and {m["Subject"] for m in mails} == {
        f"Velkommen til {pack.manifest.title} – vælg din adgangskode"
    }
    assert all("https://laer.hvidovre.dk/adgangskode?token=" in m.get_content() for m in mails)
    assert any(m.value.startswith("Seneste kørsel:") and "Sendt: 30 (30 invitation)" in m.value for m in at.markdown)
    at = section(section(at, "people"), "reminders")
    assert at.info[0].value == "Næste kørsel sender ingen mails: alle er fulgt op."
    db.close()
