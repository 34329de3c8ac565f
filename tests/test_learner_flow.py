"""The learner flow without surprises (issue 12), through Streamlit's AppTest and the real pack.

Leaving a quiz on purpose, old quizzes no longer offered, the "welcome back" notice only on return,
a match question that says when a perspective is used twice, feedback that says why, the next step
first on the home page, one quotation style and one date format, and "Min profil": a readable
download of one's own data and deleting one's own account.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from quiz.hr import own_data
from quiz.i18n import QuizError, t
from quiz.learning import attempts
from quiz.learning.timefmt import local_time
from quiz.plugins import get_registry
from quiz.store import create_user, open_db, set_user_role_key
from quiz.store.db import to_iso
from tests.test_app_pages import answer, app_as, open_page, right_answer, texts

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def learner(db_path):
    db = open_db(db_path)
    user = create_user(db, "mette", "Mette Ørsted", "hemmeligt1")
    set_user_role_key(db, user.id, "medarbejder")
    db.close()
    return user


def start(at, preset: str):
    at.radio(key="preset").set_value(preset)
    at.button(key="start_quiz").click().run()
    return attempts.open_attempt(open_db(at_db_path(at)), at.session_state["user_id"])


def at_db_path(at) -> str:
    import os

    return os.environ["QUIZ_DB"]


def test_a_person_who_leaves_a_quiz_is_not_pulled_back_into_it(learner, db_path):
    at = open_page(app_as(learner), "quiz")
    attempt = start(at, "vaerdier")
    answer(at, attempt.questions[0], 0, attempt.id, right_answer(attempt.questions[0]))
    at.button(key="quiz_next").click().run()
    at.button(key="quiz_leave").click().run()
    assert "Du har forladt quizzen" in texts(at)
    assert at.button(key="start_quiz"), "back at the quiz menu"

    later = open_page(app_as(learner), "quiz")  # the next visit
    assert not later.get("progress"), "no question is shown"
    assert [b for b in later.button if b.key == "quiz_resume"] == []
    home = open_page(app_as(learner), "forside")
    assert "Fortsæt din quiz" not in str([p.proto for p in home.get("page_link")])
    [history] = open_page(app_as(learner), "fremskridt").table
    assert history.value.iloc[0]["Resultat"] == "afbrudt"
    assert len(attempts.get_attempt(open_db(db_path), attempt.id).answers) == 1, "the answer given is kept"


def test_an_unfinished_quiz_untouched_for_days_is_no_longer_offered(learner, db_path):
    db = open_db(db_path)
    registry = get_registry()
    pack = next(iter(registry.packs.values()))
    from quiz.learning.quizzes import QuizSpec, draw_questions

    spec = QuizSpec(pack_id=pack.id, length=3, types=["perspective"], seed=1, title="Gammel")
    old = datetime.now(UTC) - attempts.STALE_AFTER - timedelta(hours=1)
    attempt_id = attempts.start_attempt(db, learner.id, spec, draw_questions(spec, registry), now=old)
    assert attempts.open_attempt(db, learner.id, now=old + timedelta(hours=1)).id == attempt_id
    assert attempts.open_attempt(db, learner.id) is None
    [row] = attempts.attempt_history(db, learner.id)
    assert row.status == "abandoned"

    at = open_page(app_as(learner), "quiz")
    assert at.button(key="start_quiz") and not at.get("progress")


def test_welcome_back_shows_when_returning_not_on_every_question(learner, db_path):
    at = open_page(app_as(learner), "quiz")
    attempt = start(at, "vaerdier")
    for index in range(2):
        answer(at, attempt.questions[index], index, attempt.id, right_answer(attempt.questions[index]))
        at.button(key="quiz_next").click().run()
        assert "Velkommen tilbage" not in texts(at), "one sitting: no notice"

    later = open_page(app_as(learner), "quiz")
    assert "Velkommen tilbage: du er i gang med" in texts(later)
    answer(later, attempt.questions[2], 2, attempt.id, right_answer(attempt.questions[2]))
    later.button(key="quiz_next").click().run()
    assert "Velkommen tilbage" not in texts(later), "said once, on return"


def test_a_match_answer_using_a_perspective_twice_is_pointed_out_not_accepted(learner, db_path):
    at = open_page(app_as(learner), "quiz")
    attempt = start(at, "match")
    question = attempt.questions[0]
    assert question.type == "match"
    twice = question.options[0].key
    picks = [twice, twice] + right_answer(question)[2:]
    for i, value in enumerate(picks):
        at.selectbox(key=f"assign-{attempt.id}-0-{i}").set_value(value)
    at.button(key=f"submit-{attempt.id}-0").click().run()
    warning = " ".join(w.value for w in at.warning)
    assert "Hvert perspektiv bruges én gang" in warning and question.options[0].label in warning
    assert attempts.get_attempt(open_db(db_path), attempt.id).answers == {}, "nothing stored"


def test_feedback_says_why_in_the_packs_own_words(learner, db_path):
    pack = next(iter(get_registry().packs.values()))
    at = open_page(app_as(learner), "quiz")
    attempt = start(at, "min_rolle")
    for index, question in enumerate(attempt.questions):
        answer(at, question, index, attempt.id, right_answer(question))
        if question.type in ("values",):
            at.button(key="quiz_next").click().run()
            continue
        shown = texts(at)
        assert "Hvorfor" in shown, question.type
        statement = pack.statements_by_id[question.statement_ids[0]]
        assert f"Hvorfor: {statement.why}" in shown.replace("\\", ""), "the statement's own reason"
        return
    pytest.fail("the quiz had no placing question")


def test_the_home_page_puts_the_next_step_before_the_perspective_tiles(learner):
    at = open_page(app_as(learner), "forside")
    main = [at.main.children[i] for i in sorted(at.main.children)]
    kinds = [type(e).__name__ for e in main]
    tiles = next(e for e in main if type(e).__name__ == "Html" and "dns-grid" in e.proto.body)
    assert kinds.index("PageLink") < main.index(tiles), "the next step comes first, on the phone's first screen"
    # A real list of four tiles (axe: role="list" without list items was critical).
    assert re.search(r'<ul class="dns-grid"[^>]*>(<li class="dns-tile"[^>]*>.*?</li>){4}</ul>', tiles.proto.body)


def test_one_quotation_style_and_one_date_format():
    texts_seen = [p.read_text(encoding="utf-8") for p in (REPO / "content" / "hvidovrevejen" / "intro").glob("*.md")]
    texts_seen += [p.read_text(encoding="utf-8") for p in (REPO / "quiz" / "locale").glob("*/LC_MESSAGES/learner.po")]
    for text in texts_seen:
        assert "”" not in text and "“" not in text, "Danish quotation marks »…« only"
    moment = datetime(2026, 12, 1, 21, 12, tzinfo=UTC)
    assert local_time(moment) == "1.12.2026 kl. 22.12"


def test_refresh_explains_its_queue_in_one_sentence(learner):
    at = open_page(app_as(learner), "quiz")
    assert t("refresh.explain", cap=20) in texts(at)
    assert "højst 20 om dagen" in t("refresh.explain", cap=20)


def _answered_db(db_path, learner):
    db = open_db(db_path)
    registry = get_registry()
    pack = next(iter(registry.packs.values()))
    from quiz.learning.quizzes import QuizSpec, draw_questions

    spec = QuizSpec(pack_id=pack.id, length=2, types=["match", "perspective"], seed=3, title="Match")
    questions = draw_questions(spec, registry)
    attempt_id = attempts.start_attempt(db, learner.id, spec, questions)
    attempts.submit_answer(db, attempt_id, 0, right_answer(questions[0]), time_taken_ms=9000, registry=registry)
    return db, pack, registry


def _json_inside(value) -> bool:
    if isinstance(value, dict):
        return any(_json_inside(v) for v in value.values())
    if isinstance(value, list):
        return any(_json_inside(v) for v in value)
    if isinstance(value, str) and value[:1] in "[{":
        try:
            json.loads(value)
            return True
        except ValueError:
            return False
    return False


def test_own_data_download_is_readable_with_an_explanation_of_each_part(learner, db_path):
    db, pack, registry = _answered_db(db_path, learner)
    records = own_data.readable_records(db, learner.id, registry.packs)
    assert not _json_inside(records), "no JSON inside strings"
    parts = {name: part for name, part in records.items() if isinstance(part, dict)}
    assert {"konto", "introduktion", "quizforsøg", "svar", "mestring", "genopfriskning"} <= set(parts)
    assert all(part.get("forklaring") for part in parts.values()), "every part says what it is"
    [answered] = parts["svar"]["rækker"]
    assert answered["rigtigt"] == "ja" and answered["quiz"] == "Match"
    assert all(s in {x.text for x in pack.statements} for s in answered["udsagn"]), "statement texts, not ids"
    assert re.fullmatch(r"\d{1,2}\.\d{1,2}\.\d{4} kl\. \d\d\.\d\d", answered["besvaret"])
    assert parts["konto"]["navn"] == "Mette Ørsted" and parts["konto"]["rolle"] == "Medarbejder"
    assert "password" not in json.dumps(records) and "token" not in json.dumps(records)


def test_profile_deletes_own_account_only_after_typing_the_username(learner, db_path):
    _answered_db(db_path, learner)
    at = open_page(app_as(learner), "profil")
    at.text_input(key="delete_username").input("forkert")
    at.button(key="delete_account_submit").click().run()
    assert "Brugernavnet passer ikke" in " ".join(e.value for e in at.error)
    db = open_db(db_path)
    assert db["users"].count_where("id = ?", [learner.id]) == 1

    at.text_input(key="delete_username").input("mette")
    at.button(key="delete_account_submit").click().run()
    assert not at.exception
    assert "Din konto og dine data er slettet" in texts(at)
    for table in db.table_names():
        if "user_id" in db[table].columns_dict:
            assert db[table].count_where("user_id = ?", [learner.id]) == 0, table
    assert db["users"].count_where("id = ?", [learner.id]) == 0


def test_the_last_administrator_cannot_delete_their_own_account(db_path):
    db = open_db(db_path)
    admin = create_user(db, "chef", "Chef", "hemmeligt1", is_admin=True)
    with pytest.raises(QuizError) as refused:
        own_data.delete_own_account(db, admin.id, confirm_username="chef")
    assert "sidste administrator" in str(refused.value)
    assert db["users"].count_where("id = ?", [admin.id]) == 1


def test_old_attempts_rows_stay_valid_after_leaving(learner, db_path):
    db, _pack, _registry = _answered_db(db_path, learner)
    [row] = attempts.attempt_history(db, learner.id)
    assert attempts.abandon_attempt(db, learner.id, row.id)
    assert not attempts.abandon_attempt(db, learner.id + 1, row.id), "only one's own attempt"
    stored = db["attempts"].get(row.id)
    assert stored["abandoned_at"] and stored["finished_at"] is None
    assert to_iso(datetime.now(UTC))[:4] == stored["abandoned_at"][:4]
