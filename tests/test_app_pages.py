"""The learner's pages through Streamlit's AppTest: sign-up, role, intro, quiz, progress, profile, access."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from quiz.learning import attempts
from quiz.learning.intro import get_intro_step, intro_completed_at
from quiz.store import create_user, open_db
from quiz.ui.pages import path as page_file
from tests.shown import figures

TIMEOUT = 60


@pytest.fixture
def learner(db_path):
    db = open_db(db_path)
    user = create_user(db, "mette", "Mette Ørsted", "hemmeligt1")
    from quiz.store import set_user_role_key

    set_user_role_key(db, user.id, "medarbejder")
    db.close()
    return user


def app_as(user=None) -> AppTest:
    at = AppTest.from_file("../app.py", default_timeout=TIMEOUT)
    if user is not None:
        at.session_state["user_id"] = user.id
    return at


def open_page(at: AppTest, page: str) -> AppTest:
    at.run()
    return at.switch_page(page_file(page)).run()


def texts(at: AppTest) -> str:
    parts = [e.value for kind in ("title", "header", "subheader", "markdown", "caption") for e in getattr(at, kind)]
    parts += [e.value for kind in ("success", "info", "warning", "error") for e in getattr(at, kind)]
    return "\n".join(str(p) for p in parts)


def test_first_person_signs_up_becomes_admin_and_picks_a_role(db_path):
    at = app_as().run()
    assert "Den første konto" in texts(at)
    at.text_input(key="signup_display_name").input("Åse Æbelø")
    at.text_input(key="signup_username").input("aase")
    at.text_input(key="signup_password").input("hemmeligt-1")
    at.text_input(key="signup_password2").input("hemmeligt-1")
    at.button(key="signup_submit").click().run()
    assert not at.exception
    assert "Kontoen er oprettet" in texts(at)
    at.run()
    assert "Hvilken rolle har du?" in texts(at)
    at.radio(key="role_choice").set_value("leder_af_medarbejdere")
    at.button(key="role_save").click().run()
    assert [t.value for t in at.title] == ["Hej, Åse Æbelø"]
    db = open_db(db_path)
    row = db["users"].get(1)
    assert row["is_admin"] == 1 and row["role_key"] == "leder_af_medarbejdere"


def test_sign_up_with_different_passwords_is_refused(db_path):
    at = app_as().run()
    at.text_input(key="signup_display_name").input("Bo")
    at.text_input(key="signup_username").input("bo")
    at.text_input(key="signup_password").input("hemmeligt-1")
    at.text_input(key="signup_password2").input("hemmeligt-2")
    at.button(key="signup_submit").click().run()
    assert "De to adgangskoder er ikke ens." in texts(at)
    assert open_db(db_path)["users"].count == 0


def test_failed_sign_in_does_not_say_which_part_was_wrong(learner):
    at = app_as().run()
    for username, password in (("mette", "forkert-kode"), ("ukendt", "hemmeligt1")):
        at.text_input(key="signin_username").input(username)
        at.text_input(key="signin_password").input(password)
        at.button(key="signin_submit").click().run()
        assert [e.value for e in at.error] == ["Brugernavn eller adgangskode er forkert."]


def test_repeated_failed_sign_ins_are_slowed_down(learner):
    at = app_as().run()
    for _ in range(6):
        at.text_input(key="signin_username").input("mette")
        at.text_input(key="signin_password").input("forkert-kode")
        at.button(key="signin_submit").click().run()
    assert "For mange forsøg" in at.error[0].value
    at.text_input(key="signin_password").input("hemmeligt1")
    at.button(key="signin_submit").click().run()
    assert "For mange forsøg" in at.error[0].value  # even the right password waits


def test_sign_in_with_the_right_password_signs_in(learner):
    at = app_as().run()
    at.text_input(key="signin_username").input("Mette")
    at.text_input(key="signin_password").input("hemmeligt1")
    at.button(key="signin_submit").click().run()
    assert at.session_state["user_id"] == learner.id
    at.run()
    assert [t.value for t in at.title] == ["Hej, Mette Ørsted"]


def test_learner_reads_the_intro_step_by_step_and_it_is_saved(learner, db_path):
    at = open_page(app_as(learner), "intro")
    assert "Trin 1 af 5" in str(at.get("progress")[0].proto)
    assert at.header[0].value == "Velkommen til Hvidovrevejen"
    for _ in range(4):
        at.button(key="intro_next").click().run()
    assert at.header[0].value == "Sådan læser du rollerne"
    assert get_intro_step(open_db(db_path), learner.id, "hvidovrevejen") == 4
    at.button(key="intro_finish").click().run()
    assert "Du har gennemført introduktionen" in texts(at)
    assert intro_completed_at(open_db(db_path), learner.id, "hvidovrevejen") is not None

    # Coming back later: the intro opens where the person was.
    again = open_page(app_as(learner), "intro")
    assert again.header[0].value == "Sådan læser du rollerne"


def right_answer(question):
    if question.kind == "choice":
        return question.accepted[0][0]
    return [accepted[0] for accepted in question.accepted]


def answer(at: AppTest, question, index: int, attempt_id: int, value) -> None:
    key = f"{attempt_id}-{index}"
    if question.kind == "choice":
        at.radio(key=f"choice-{key}").set_value(value)
    else:
        for i, v in enumerate(value):
            at.selectbox(key=f"assign-{key}-{i}").set_value(v)
    at.button(key=f"submit-{key}").click().run()


def test_learner_plays_a_whole_quiz_with_feedback_and_a_summary(learner, db_path):
    at = open_page(app_as(learner), "quiz")
    at.radio(key="preset").set_value("min_rolle")
    at.button(key="start_quiz").click().run()
    db = open_db(db_path)
    attempt = attempts.open_attempt(db, learner.id)
    assert attempt is not None and len(attempt.questions) == 10
    for index, question in enumerate(attempt.questions):
        assert f"Spørgsmål {index + 1} af 10" in str(at.get("progress")[0].proto)
        wrong = index == 0 and question.kind == "choice"
        value = next(o.key for o in question.options if o.key not in question.accepted[0]) if wrong else None
        answer(at, question, index, attempt.id, value if wrong else right_answer(question))
        assert not at.exception
        shown = texts(at)
        assert ("Ikke rigtigt." in shown) if wrong else ("Rigtigt!" in shown)
        assert "står hos" in shown or question.type == "values"  # the explanation places the statement
        at.button(key="quiz_next").click().run()
    shown = texts(at)
    assert "Resultat:" in shown
    assert "Det skal du øve igen" in shown or "Du havde alt rigtigt" in shown
    finished = attempts.get_attempt(db, attempt.id)
    assert finished.finished_at is not None and len(finished.answers) == 10


def test_unfinished_quiz_resumes_at_the_same_question_in_a_new_session(learner, db_path):
    at = open_page(app_as(learner), "quiz")
    at.radio(key="preset").set_value("vaerdier")
    at.button(key="start_quiz").click().run()
    attempt = attempts.open_attempt(open_db(db_path), learner.id)
    answer(at, attempt.questions[0], 0, attempt.id, right_answer(attempt.questions[0]))
    answer_two = attempt.questions[1]

    later = open_page(app_as(learner), "quiz")  # a new browser session, e.g. after a restart
    assert "Spørgsmål 2 af" in str(later.get("progress")[0].proto)
    assert answer_two.prompt in texts(later)
    assert later.radio(key=f"choice-{attempt.id}-1") is not None


def test_progress_page_shows_mastery_history_and_what_to_continue(learner, db_path):
    at = open_page(app_as(learner), "quiz")
    at.radio(key="preset").set_value("match")
    at.button(key="start_quiz").click().run()
    attempt = attempts.open_attempt(open_db(db_path), learner.id)
    answer(at, attempt.questions[0], 0, attempt.id, right_answer(attempt.questions[0]))

    at = open_page(app_as(learner), "fremskridt")
    assert not at.exception
    shown = figures(at)
    assert list(shown) == ["Mestring i alt", "Min rolle + alle", "Klar til genopfriskning"]
    assert shown["Mestring i alt"] != "0 %" and shown["Mestring i alt"].endswith(" %")
    assert "Fortsæt Match (spørgsmål 2 af" in str([p.proto for p in at.get("page_link")])
    bars = " ".join(h.proto.body for h in at.get("html") if "mastery-bars" in h.proto.body)
    labels = re.findall(r'role="progressbar" aria-label="([^"]*)"', bars)
    assert labels[0] == "Sammen sikrer vi driften" and "Medarbejder" in labels, "a bar per perspective and role"
    assert re.search(r'<div class="mastery-bar-label">[^<]+: \d+ %</div>', bars)
    [grid] = [h.proto.body for h in at.get("html") if "mastery-grid" in h.proto.body]
    headers = re.findall(r'<th scope="col"[^>]*>([^<]*)</th>', grid)
    assert headers == ["Rolle", "C", "P", "E", "R"]
    assert re.findall(r'<th scope="row">([^<]*)</th>', grid)[:2] == ["Alle ansatte", "Direktion"]
    assert re.search(r'<td style="background-color[^"]*">\d+</td>', grid), "a coloured percentage per cell"
    [history] = at.table
    assert history.value.iloc[0]["Besvaret"].startswith("1 af") and history.value.iloc[0]["Resultat"] == "i gang"


def test_profile_changes_name_and_role(learner, db_path):
    at = open_page(app_as(learner), "profil")
    at.text_input(key="profile_name").input("Mette Ø. Ørsted")
    at.selectbox(key="profile_role").set_value("centerchef")
    at.button(key="profile_save").click().run()
    assert "Gemt." in texts(at)
    row = open_db(db_path)["users"].get(learner.id)
    assert row["display_name"] == "Mette Ø. Ørsted" and row["role_key"] == "centerchef"


@pytest.mark.parametrize("page", ["facilitator", "admin"])
def test_learner_opening_a_leader_page_gets_no_access(learner, page):
    at = open_page(app_as(learner), page)
    assert not at.exception
    assert at.error and at.error[0].value.startswith("Ingen adgang")


@pytest.mark.parametrize("page", ["forside", "intro", "quiz", "fremskridt", "profil", "deltag"])
def test_every_learner_page_opens_without_error(learner, page):
    at = open_page(app_as(learner), page)
    assert not at.exception
    assert at.title


def test_display_name_with_html_is_shown_as_text(db_path):
    db = open_db(db_path)
    user = create_user(db, "hacker", "<script>alert(1)</script>", "hemmeligt1")
    from quiz.store import set_user_role_key

    set_user_role_key(db, user.id, "medarbejder")
    at = open_page(app_as(user), "forside")
    assert "<script>" not in at.title[0].value
    assert "&lt;script&gt;" in at.title[0].value


def test_with_entra_id_configured_sign_in_uses_the_work_account(db_path, monkeypatch):
    from quiz.ui import oidc

    # Authlib (the `oidc` extra) is not installed in the test environment; pretend it is.
    monkeypatch.setattr(oidc.importlib.util, "find_spec", lambda name: object())
    at = app_as()
    at.secrets["auth"] = {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "x" * 32,
        "microsoft": {
            "client_id": "id",
            "client_secret": "secret",
            "server_metadata_url": "https://login.microsoftonline.com/t/v2.0/.well-known/openid-configuration",
        },
    }
    at.run()
    assert not at.exception
    assert [b.label for b in at.button if b.key == "oidc_login"] == ["Log ind med din arbejdskonto"]
    assert [t.label for t in at.tabs] == []  # no local sign-up for employees
    assert at.expander[0].label == "Log ind med en lokal konto (administratorer)"


def test_oidc_identity_maps_to_a_stable_valid_username():
    from quiz.people import auth, sso
    from quiz.store.users import OidcIdentity

    who = OidcIdentity("https://login.example/tenant/v2.0", "sub-123")
    name = sso.username_for("Søren.Ærø@hvidovre.dk", who)
    assert name == sso.username_for("søren.ærø@HVIDOVRE.dk", who)
    assert auth.validate_username(name) == name


def test_password_reset_signs_out_a_tab_that_is_already_open(learner, db_path):
    at = app_as().run()
    at.text_input(key="signin_username").input("mette")
    at.text_input(key="signin_password").input("hemmeligt1")
    at.button(key="signin_submit").click().run()
    at.run()
    assert [t.value for t in at.title] == ["Hej, Mette Ørsted"]
    from quiz.store import set_password

    set_password(open_db(db_path), learner.id, "nyt-hemmeligt1")  # e.g. HR resets it
    at.run()
    assert at.tabs and at.button(key="signin_submit")
