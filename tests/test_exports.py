"""A person's own records: everything stored about them, no sign-in secrets."""

from quiz.hr.exports import user_records
from quiz.learning import attempts
from quiz.learning.intro import complete_intro
from quiz.learning.quizzes import QuizSpec, draw_questions
from quiz.people import auth
from quiz.store import create_user, open_db


def test_my_records_hold_every_table_about_me_and_nobody_else(tmp_path):
    db = open_db(tmp_path / "progress.db")
    me = create_user(db, "mig", "Mig Selv", "hemmeligt1")
    other = create_user(db, "anden", "En Anden", "hemmeligt1")
    auth.create_session(db, me.id)
    complete_intro(db, me.id, "hvidovrevejen")
    for user in (me, other):
        spec = QuizSpec(pack_id="hvidovrevejen", length=2, types=["perspective"], seed=1)
        questions = draw_questions(spec)
        attempt_id = attempts.start_attempt(db, user.id, spec, questions)
        attempts.submit_answer(db, attempt_id, 0, questions[0].accepted[0][0], time_taken_ms=3000)

    records = user_records(db, me.id)
    assert records["user"]["username"] == "mig" and "password_hash" not in records["user"]
    assert "sessions" not in records
    for table in ("intro_progress", "attempts", "answers", "reviews", "learning_state"):
        assert records[table], table
        assert {row["user_id"] for row in records[table]} == {me.id}, table
