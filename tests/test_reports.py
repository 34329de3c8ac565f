"""HR figures on a small real progress.db: three people, two quizzes, exact numbers."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from quiz.hr import reports
from quiz.hr.exports import result_fields, write_results
from quiz.learning import attempts
from quiz.learning.intro import complete_intro, set_intro_step
from quiz.people import accounts
from quiz.store import create_user, set_user_role_key
from tests.conftest import place_question, right_answer, wrong_answer

MARCH_2 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
MARCH_10 = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)


def take_quiz(db, registry, pack, user_id, answers: list[tuple[str, bool]], *, now: datetime) -> int:
    """One finished quiz: each (statement id, right?) is one question."""
    questions = [place_question(pack, pack.statements_by_id[sid]) for sid, _ in answers]
    attempt_id = attempts.start_attempt(db, user_id, {"pack_id": pack.id}, questions, now=now)
    for index, (question, (_, right)) in enumerate(zip(questions, answers, strict=True)):
        answer = right_answer(question) if right else wrong_answer(question)
        attempts.submit_answer(db, attempt_id, index, answer, time_taken_ms=4000, registry=registry, now=now)
    return attempt_id


@pytest.fixture
def organisation(db, pack, registry):
    """Anna (medarbejder): intro done, 2 of 2 right on 2 March. Bo (medarbejder): intro begun, 1 of 2
    right on 10 March. Cecilie: no role, nothing done. Dorte: admin, no role."""
    anna = create_user(db, "anna", "Anna Ærø", "hemmelig123")
    bo = create_user(db, "bo", "Bo Bøgh", "hemmelig123")
    cecilie = create_user(db, "cecilie", "=Cecilie", "hemmelig123")
    dorte = create_user(db, "dorte", "Dorte Dål", "hemmelig123", is_admin=True)
    for user in (anna, bo):
        set_user_role_key(db, user.id, "medarbejder")
    complete_intro(db, anna.id, pack.id, step=3, now=MARCH_2)
    set_intro_step(db, bo.id, pack.id, 1, now=MARCH_10)
    take_quiz(db, registry, pack, anna.id, [("medarbejder.compliance.1", True), ("alle.emergens.1", True)], now=MARCH_2)
    take_quiz(db, registry, pack, bo.id, [("medarbejder.compliance.1", True), ("alle.emergens.2", False)], now=MARCH_10)
    return {"anna": anna, "bo": bo, "cecilie": cecilie, "dorte": dorte}


def by_name(rows):
    return {r.username: r for r in rows}


def test_hr_table_shows_intro_quizzes_activity_and_mastery_per_person(db, pack, organisation):
    rows = by_name(reports.people(db, pack))
    assert list(rows) == ["cecilie", "anna", "bo", "dorte"]  # by display name: "=Cecilie" comes first
    anna, bo, cecilie = rows["anna"], rows["bo"], rows["cecilie"]
    assert anna.intro_done and anna.intro_completed_at == MARCH_2
    assert not bo.intro_done and bo.intro_step == 1
    assert (anna.quizzes_finished, anna.answers, bo.quizzes_finished, bo.answers) == (1, 2, 1, 2)
    # Goal of a medarbejder in the mini pack: all 8 statements; Anna knows 2, Bo 1.
    assert anna.mastery == pytest.approx(2 / 8) and bo.mastery == pytest.approx(1 / 8)
    assert anna.last_active == MARCH_2 and bo.last_active == MARCH_10
    assert (cecilie.quizzes_finished, cecilie.answers, cecilie.mastery, cecilie.last_active) == (0, 0, 0.0, None)


def test_period_counts_only_what_happened_in_it(db, pack, organisation):
    period = reports.Period.from_dates(date(2026, 3, 5), date(2026, 3, 31))
    rows = by_name(reports.people(db, pack, period=period))
    assert (rows["anna"].quizzes_finished, rows["anna"].answers) == (0, 0)
    assert (rows["bo"].quizzes_finished, rows["bo"].answers) == (1, 2)
    assert rows["anna"].intro_done  # a status, not an event of the period
    assert [r.username for r in reports.people(db, pack, period=period, active_only=True)] == ["bo"]


def test_role_filter_and_summary_per_role(db, pack, organisation):
    rows = reports.people(db, pack, role="medarbejder")
    assert [r.username for r in rows] == ["anna", "bo"]
    [summary] = reports.by_role(rows, pack)
    assert (summary.role_key, summary.people, summary.intro_done, summary.with_quiz, summary.active) == (
        "medarbejder",
        2,
        1,
        2,
        2,
    )
    assert summary.mastery == pytest.approx((2 / 8 + 1 / 8) / 2)
    everyone = reports.by_role(reports.people(db, pack), pack)
    assert [(s.role_key, s.people) for s in everyone] == [("medarbejder", 2), (None, 2)]


def test_overview_sums_up_the_table_and_orders_it_for_paging(db, pack, organisation):
    overview = reports.overview(reports.people(db, pack), pack)
    assert (overview.count, overview.intro_done, overview.with_quiz) == (4, 1, 2)
    assert overview.mastery == pytest.approx((2 / 8 + 1 / 8) / 4)
    assert [s.people for s in overview.by_role] == [2, 2]

    def names(order: str) -> list[str]:
        return [p.username for p in reports.ordered(overview.people, order)]

    assert names("name") == ["cecilie", "anna", "bo", "dorte"]
    assert names("mastery_low") == ["cecilie", "dorte", "bo", "anna"]  # equal values keep the name order
    assert names("mastery_high") == ["anna", "bo", "cecilie", "dorte"]
    assert names("inactive") == ["cecilie", "dorte", "anna", "bo"]  # never active first, then longest ago


def test_organisation_mastery_counts_active_people_only(db, pack, organisation):
    org = reports.organisation_mastery(db, pack)
    assert (org.people, org.active_people) == (4, 2)
    assert org.mastery.statements["medarbejder.compliance.1"] == pytest.approx(1.0)
    assert org.mastery.statements["alle.emergens.1"] == pytest.approx(0.5)
    assert org.mastery.statements["alle.emergens.2"] == pytest.approx(0.0)
    since_march_5 = reports.organisation_mastery(db, pack, period=reports.Period.from_dates(date(2026, 3, 5), None))
    assert since_march_5.active_people == 1


def test_most_missed_statements_in_period_and_role(db, pack, organisation):
    [missed] = reports.missed_statements(db, pack)
    assert (missed.statement_id, missed.results, missed.wrong) == ("alle.emergens.2", 1, 1)
    early = reports.Period.from_dates(None, date(2026, 3, 5))
    assert reports.missed_statements(db, pack, period=early) == []
    assert reports.missed_statements(db, pack, role="direktion") == []


def test_results_csv_opens_in_danish_excel_and_defuses_formulas(db, pack, organisation):
    import io

    out = io.StringIO()
    write_results(reports.people(db, pack), pack, fmt="csv", out=out)
    text = out.getvalue()
    assert text.startswith("\ufeff" + ";".join(result_fields()))
    lines = text.splitlines()
    assert lines[1].startswith("'=Cecilie;cecilie;;Nej;0;0;")
    assert lines[2].split(";")[:5] == ["Anna Ærø", "anna", "Medarbejder", "2026-03-02 11:00", "1"]
    assert lines[2].split(";")[7] == "25"


def test_last_admin_cannot_remove_own_role_or_delete_themselves(db, organisation):
    dorte, anna = organisation["dorte"], organisation["anna"]
    with pytest.raises(accounts.AccountRefused, match="egen administratorrolle"):
        accounts.change_flags(db, dorte, dorte.id, is_admin=False)
    with pytest.raises(accounts.AccountRefused, match="sidste administrator"):
        accounts.delete_person(db, dorte, dorte.id)
    accounts.change_flags(db, dorte, anna.id, is_admin=True)
    accounts.change_flags(db, anna, dorte.id, is_admin=False)  # another admin may
    assert reports.admin_count(db) == 1


def test_reset_password_gives_a_working_temporary_password(db, organisation):
    from quiz.people import auth

    anna = organisation["anna"]
    password = accounts.reset_password(db, organisation["dorte"], anna.id)
    assert len(password) == accounts.TEMP_PASSWORD_LENGTH
    assert auth.verify_password(password, auth.password_hash_for(db, "anna")[1])
