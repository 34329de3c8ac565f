"""The HR page in AppTest: an admin sees the table, grants a role and deletes a person; a learner may not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from quiz.learning import attempts
from quiz.learning.intro import complete_intro
from quiz.learning.quizzes import QuizSpec, draw_questions
from quiz.plugins import get_registry
from quiz.store import create_user, open_db, set_user_role_key
from tests.shown import figures, html_table

APP = str(Path(__file__).resolve().parents[1] / "app.py")
ADMIN_PAGE = "quiz/ui/pages/admin.py"


@pytest.fixture
def people(db_path):
    db = open_db(db_path)
    registry = get_registry()
    pack = next(iter(registry.packs.values()))
    admin = create_user(db, "hr", "Hanne HR", "hemmelig123", is_admin=True)
    learner = create_user(db, "lis", "Lis *Læring* <b>", "hemmelig123")
    set_user_role_key(db, learner.id, "medarbejder")
    complete_intro(db, learner.id, pack.id)
    questions = draw_questions(
        QuizSpec(pack_id=pack.id, roles=["medarbejder", "alle"], types=["perspective"], length=3, seed=1), registry
    )
    attempt_id = attempts.start_attempt(
        db,
        learner.id,
        QuizSpec(pack_id=pack.id, roles=["medarbejder", "alle"], types=["perspective"], length=3, seed=1),
        questions,
    )
    for index, question in enumerate(questions):
        answer = question.accepted[0][0] if question.kind == "choice" else [a[0] for a in question.accepted]
        attempts.submit_answer(db, attempt_id, index, answer, time_taken_ms=5000, registry=registry)
    yield db, admin, learner
    db.close()


def open_admin(user_id: int) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["user_id"] = user_id
    at.run()
    return at.switch_page(ADMIN_PAGE).run()


def open_section(at: AppTest, section: str) -> AppTest:
    return at.segmented_control(key="admin_section").set_value(section).run()


def test_admin_sees_everyone_with_intro_quizzes_and_mastery(people):
    db, admin, learner = people
    at = open_admin(admin.id)
    assert not at.exception
    assert at.title[0].value == "HR og administration"
    shown = figures(at)
    assert list(shown) == ["Personer", "Intro gennemført", "Med mindst én quiz", "Gns. mestring"]
    assert (shown["Personer"], shown["Intro gennemført"], shown["Med mindst én quiz"]) == ("2", "50 %", "50 %")
    body = next(h.proto.body for h in at.get("html") if "hv-figures" in h.proto.body)
    assert "Andel af personerne, der har gennemført introduktionen." in body, "the explanation is shown, not hovered"
    per_role = html_table(at, "Pr. rolle")
    assert [row["Personer"] for row in per_role] == ["1", "1"], "the picture per role comes first"
    [table] = at.dataframe
    frame = table.value
    assert list(frame["Brugernavn"]) == ["hr", "lis"]
    lis = frame[frame["Brugernavn"] == "lis"].iloc[0]
    assert lis["Navn"] == "Lis *Læring* <b>"
    assert lis["Quizzer gennemført"] == 1 and lis["Svar i perioden"] == 3 and lis["Mestring (%)"] > 0
    assert lis["Introduktion gennemført"] != "Nej"
    # Short headings and fixed widths, so the table fits 1366 px with the menu open (hr_columns).
    columns = json.loads(table.proto.columns)
    assert columns["Mestring (%)"] == {
        "label": "Mestring",
        "width": 110,
        "type_config": {"type": "progress", "format": "%d %%", "min_value": 0, "max_value": 100},
    }
    assert (columns["Quizzer gennemført"]["label"], columns["Navn"]["width"]) == ("Quizzer", 150)
    assert open_section(at, "export").get("download_button")


def test_admin_sees_mastery_per_perspective_role_and_cell(people):
    at = open_section(open_admin(people[1].id), "mastery")
    assert not at.exception
    assert any("1 aktive af 2 personer" in c.value for c in at.caption)
    shown = " ".join(h.proto.body for h in at.get("html"))
    assert 'aria-label="Sammen sikrer vi driften"' in shown, "a bar per perspective"
    assert 'aria-label="Medarbejder"' in shown, "a bar per role of the people"
    assert '<table class="mastery-grid">' in shown


def test_admin_grants_the_facilitator_role(people):
    db, admin, learner = people
    at = open_section(open_admin(admin.id), "users")
    at.selectbox(key="admin_user").set_value("lis").run()
    at.button(key="admin_toggle_facilitator").click().run()
    assert not at.exception
    assert at.segmented_control(key="admin_section").value == "users", "the page stays where the admin acted"
    assert db.execute("SELECT is_facilitator FROM users WHERE id = ?", [learner.id]).fetchone() == (1,)
    # The typed name is shown escaped: no bold, no HTML.
    assert any("Lis \\*Læring\\* &lt;b&gt;" in s.value for s in at.success)


def test_admin_deletes_a_person_and_all_their_records_after_confirming(people):
    db, admin, learner = people
    at = open_section(open_admin(admin.id), "users")
    at.selectbox(key="admin_user").set_value("lis").run()
    at.button(key="admin_delete").click().run()
    assert db.execute("SELECT COUNT(*) FROM users WHERE id = ?", [learner.id]).fetchone() == (1,)  # not yet
    assert at.button(key="admin_delete_confirm").proto.type != "primary", "the final step does not look like a go"
    at.button(key="admin_delete_confirm").click().run()
    assert not at.exception
    for table in ("users", "attempts", "answers", "reviews", "learning_state", "intro_progress"):
        column = "id" if table == "users" else "user_id"
        assert db.execute(f"SELECT COUNT(*) FROM {table} WHERE {column} = ?", [learner.id]).fetchone() == (0,)
    assert any("er slettet" in s.value for s in at.success), "the result shows in the section where the admin acted"


def test_admin_cannot_take_away_their_own_admin_role(people):
    db, admin, _ = people
    at = open_section(open_admin(admin.id), "users")
    at.selectbox(key="admin_user").set_value("hr").run()
    assert at.button(key="admin_toggle_admin").disabled


def test_reset_password_shows_a_temporary_password_once(people):
    db, admin, learner = people
    at = open_section(open_admin(admin.id), "users")
    at.selectbox(key="admin_user").set_value("lis").run()
    at.button(key="admin_reset_password").click().run()
    assert at.segmented_control(key="admin_section").value == "users"
    [code] = at.code
    assert len(code.value) == 12
    at.run()
    assert not at.code


def test_learner_gets_no_access(people):
    db, _, learner = people
    at = open_admin(learner.id)
    assert not at.exception
    assert any("Ingen adgang" in e.value for e in at.error)
    assert at.title[0].value == "Ingen adgang"
    assert at.get("page_link"), "a way back to the front page"
    assert not at.dataframe


def test_a_large_organisation_is_shown_a_page_at_a_time_in_the_chosen_order(db_path):
    from quiz_devtools.demo import make_demo

    db = open_db(db_path)
    admin = create_user(db, "hr", "Hanne HR", "hemmelig123", is_admin=True)
    make_demo(db, get_registry(), users=70, seed=3)
    db.close()
    at = open_admin(admin.id)
    assert not at.exception
    table = at.dataframe[0].value
    assert len(table) == 50
    assert any(c.value.startswith("Viser 1–50 af 71.") for c in at.caption)
    at.get("pagination")[0].set_value(2).run()
    rest = at.dataframe[0].value
    assert len(rest) == 21 and not set(rest["Brugernavn"]) & set(table["Brugernavn"])
    assert any(c.value.startswith("Viser 51–71 af 71.") for c in at.caption)

    at.selectbox(key="admin_order").set_value("mastery_low").run()
    at.get("pagination")[0].set_value(1).run()
    lowest = list(at.dataframe[0].value["Mestring (%)"])
    assert lowest == sorted(lowest) and lowest[0] == 0


def test_an_hr_tab_left_open_after_losing_the_admin_role_downloads_a_danish_refusal_not_the_file(people, monkeypatch):
    from streamlit.runtime.media_file_manager import MediaFileManager

    from quiz.people import accounts

    db, admin, learner = people
    colleague = create_user(db, "hr2", "Hans HR", "hemmelig123", is_admin=True)
    # The files are made when the button is pressed (Streamlit's deferred downloads): keep the
    # callables the page hands Streamlit, to press the buttons later, as the browser would.
    pressed = {}
    register = MediaFileManager.add_deferred

    def recording(self, data_callable, mimetype, coordinates, file_name=None, **options):
        pressed[file_name.rsplit(".", 1)[-1]] = data_callable
        return register(self, data_callable, mimetype, coordinates, file_name, **options)

    monkeypatch.setattr(MediaFileManager, "add_deferred", recording)
    at = open_section(open_admin(admin.id), "export")
    assert not at.exception and set(pressed) == {"csv", "json"}
    assert "lis" in pressed["csv"]().decode("utf-8"), "while she is an admin: the results"

    accounts.change_flags(db, colleague.id, admin.id, is_admin=False)  # in another tab, by a colleague

    refusal = "Det kan kun en administrator, og du er ikke længere administrator. Ingenting er ændret. Genindlæs siden."
    for kind in ("csv", "json"):
        data = pressed[kind]().decode("utf-8")
        assert data == refusal, f"the {kind} download says why, and holds nobody's records"
    at.run()
    assert at.title[0].value == "Ingen adgang", "the page itself is gone at the next run"
