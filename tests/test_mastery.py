"""Mastery per person and across the organisation, and the statements most often missed."""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta

import pytest

from quiz.hr import reports
from quiz.learning import mastery
from quiz.learning.attempts import start_attempt, submit_answer
from quiz.store import create_user, set_user_role_key, to_iso
from tests.conftest import place_question, right_answer, wrong_answer

NOW = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def answer(db, user_id, pack, registry, statement, *, right, now=NOW):
    question = place_question(pack, statement)
    attempt_id = start_attempt(db, user_id, {"pack_id": pack.id}, [question], now=now)
    given = right_answer(question) if right else wrong_answer(question)
    submit_answer(db, attempt_id, 0, given, time_taken_ms=5000, registry=registry, now=now)


@pytest.mark.parametrize(
    "recent, expected",
    [("", 0.0), ("1", 1.0), ("0", 0.0), ("10", 2 / 3), ("01", 1 / 3), ("11110", 30 / 31), ("01111", 15 / 31)],
)
def test_recent_answers_weigh_most(recent, expected):
    assert mastery.weighted_recent(recent) == pytest.approx(expected)


def test_learner_sees_mastery_per_perspective_role_and_cell(db, pack, registry):
    user = create_user(db, "ida", "Ida", "hemmelig123")
    first = pack.statements[0]  # medarbejder / compliance
    answer(db, user.id, pack, registry, first, right=False)
    answer(db, user.id, pack, registry, first, right=True)
    answer(db, user.id, pack, registry, pack.statements[2], right=True)  # medarbejder / emergens

    result = mastery.user_mastery(db, user.id, pack)

    assert result.statements[first.id] == pytest.approx(2 / 3)
    assert result.statements[pack.statements[1].id] == 0.0, "unseen statements count 0"
    assert result.by_cell[("compliance", "medarbejder")] == pytest.approx(1 / 3)
    assert result.by_cell[("emergens", "medarbejder")] == pytest.approx(1 / 2)
    assert result.by_cell[("compliance", "alle")] == 0.0
    assert result.by_role == {"medarbejder": pytest.approx(5 / 12), "alle": 0.0}
    assert result.by_perspective == {"compliance": pytest.approx(1 / 6), "emergens": pytest.approx(1 / 4)}
    assert result.overall == pytest.approx(5 / 24)
    assert result.mean(mastery.role_goal(pack, "medarbejder")) == result.overall
    assert len(mastery.role_goal(pack, None)) == 4, "without a role: everyone's statements"
    assert {"perspective": "compliance", "role": "medarbejder", "mastery": pytest.approx(1 / 3)} in result.cell_rows()


def test_only_the_last_five_answers_count(db, pack, registry):
    user = create_user(db, "ida", "Ida", "hemmelig123")
    statement = pack.statements[0]
    for _ in range(3):
        answer(db, user.id, pack, registry, statement, right=False)
    for _ in range(5):
        answer(db, user.id, pack, registry, statement, right=True)
    assert mastery.user_mastery(db, user.id, pack).statements[statement.id] == 1.0


def test_kept_mastery_matches_a_rebuild_from_every_result(db, pack, registry):
    rng = random.Random(7)
    users = [create_user(db, f"person{i}", f"Person {i}", "hemmelig123") for i in range(3)]
    for n in range(60):
        user = rng.choice(users)
        statement = rng.choice(pack.statements)
        answer(db, user.id, pack, registry, statement, right=rng.random() < 0.6, now=NOW + timedelta(minutes=n))
    kept = {u.id: mastery.user_mastery(db, u.id, pack).statements for u in users}
    mastery.rebuild_mastery(db)
    for u in users:
        assert mastery.user_mastery(db, u.id, pack).statements == pytest.approx(kept[u.id])


def test_hr_sees_mastery_across_active_people_by_role_and_period(db, pack, registry):
    ida = set_user_role_key(db, create_user(db, "ida", "Ida", "hemmelig123").id, "medarbejder")
    ole = set_user_role_key(db, create_user(db, "ole", "Ole", "hemmelig123").id, "alle")
    create_user(db, "ny", "Ny", "hemmelig123")  # never answered: not active
    statement = pack.statements[0]
    answer(db, ida.id, pack, registry, statement, right=True, now=NOW)
    answer(db, ole.id, pack, registry, statement, right=False, now=NOW + timedelta(days=10))

    everyone = mastery.org_mastery(db, pack)
    assert (everyone.people, everyone.active_people) == (3, 2)
    assert everyone.mastery.statements[statement.id] == 0.5
    assert everyone.mastery.statements[pack.statements[1].id] == 0.0

    staff = mastery.org_mastery(db, pack, role="medarbejder")
    assert (staff.people, staff.active_people) == (1, 1)
    assert staff.mastery.statements[statement.id] == 1.0

    recent = mastery.org_mastery(db, pack, since=NOW + timedelta(days=5))
    assert recent.active_people == 1 and recent.mastery.statements[statement.id] == 0.0

    nobody = mastery.org_mastery(db, pack, role="direktion")
    assert (nobody.people, nobody.active_people, nobody.mastery.overall) == (0, 0, 0.0)


def test_most_missed_statements_come_first(db, pack, registry):
    people = [create_user(db, f"person{i}", f"Person {i}", "hemmelig123") for i in range(3)]
    set_user_role_key(db, people[0].id, "medarbejder")
    hard, tricky, easy = pack.statements[:3]
    for person in people:
        answer(db, person.id, pack, registry, hard, right=False)
        answer(db, person.id, pack, registry, easy, right=True)
    answer(db, people[0].id, pack, registry, tricky, right=False, now=NOW + timedelta(days=1))

    # One query for "most missed", used by the HR page and the exports: quiz.hr.reports.
    missed = reports.missed_statements(db, pack)
    assert [(m.statement_id, m.results, m.wrong) for m in missed] == [(hard.id, 3, 3), (tricky.id, 1, 1)]
    assert missed[0].text == hard.text and missed[0].wrong_rate == 1.0
    assert [m.statement_id for m in reports.missed_statements(db, pack, limit=1)] == [hard.id]
    later = reports.Period(start=NOW + timedelta(hours=1))
    assert [m.statement_id for m in reports.missed_statements(db, pack, period=later)] == [tricky.id]
    assert [m.wrong for m in reports.missed_statements(db, pack, role="medarbejder")] == [1, 1]


def test_organisation_reports_are_right_for_5000_people_with_100_answers_each(db, capsys):
    """Bulk rows made in SQL (500,000 answers): every report answers at full size, and agrees with SQL.

    How long each takes is printed (``pytest -s``), not asserted: ``python -m quiz bench`` measures
    speed (docs/performance.md).
    """
    from quiz.plugins import get_registry

    pack = get_registry().packs["hvidovrevejen"]
    roles = list(pack.roles)
    db.execute("CREATE TEMP TABLE statement_ids (n INTEGER PRIMARY KEY, id TEXT)")
    db["statement_ids"].insert_all({"n": i, "id": s.id} for i, s in enumerate(pack.statements))
    db.execute("CREATE TEMP TABLE role_keys (n INTEGER PRIMARY KEY, key TEXT)")
    db["role_keys"].insert_all({"n": i, "key": r} for i, r in enumerate(roles))
    base = to_iso(NOW)
    with db.atomic():
        db.execute(
            """WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000)
            INSERT INTO users (id, username, display_name, password_hash, role_key, created_at)
            SELECT i, 'u' || i, 'U' || i, 'x', (SELECT key FROM role_keys WHERE n = i % :roles), :base FROM n""",
            {"roles": len(roles), "base": base},
        )
        db.execute(
            """INSERT INTO attempts (id, user_id, pack_id, kind, spec_json, question_count, position, started_at)
            SELECT id, id, :pack, 'quiz', '{}', 100, 0, :base FROM users""",
            {"pack": pack.id, "base": base},
        )
        db.execute(
            """WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 499999)
            INSERT INTO answers (id, user_id, attempt_id, question_index, question_type,
                                 answer_json, score, correct, time_taken_ms, answered_at)
            SELECT i + 1, i / 100 + 1, i / 100 + 1, i % 100, 'perspective', '""',
                   (i * 7919) % 10 < 7, (i * 7919) % 10 < 7, 4000,
                   '2025-03-' || printf('%02d', 1 + i % 28) || 'T09:00:00.000000+00:00'
            FROM n"""
        )
        db.execute(
            "INSERT INTO statement_keys (id, pack_id, statement_id) SELECT n + 1, :pack, id FROM statement_ids",
            {"pack": pack.id},
        )
        db.execute(
            """INSERT INTO reviews (answer_id, part, user_id, statement, correct, rating, answered_at)
            SELECT a.id, 0, a.user_id, (a.id * 31) % :count + 1, a.correct, 3 - 2 * (1 - a.correct),
                   CAST(strftime('%s', substr(a.answered_at, 1, 19)) AS INTEGER) * 1000000
            FROM answers a""",
            {"count": len(pack.statements)},
        )
        db.execute(
            """INSERT INTO statement_mastery (user_id, statement, recent, mastery, answered_at)
            SELECT r.user_id, r.statement, '1', AVG(r.correct), MAX(r.answered_at)
            FROM reviews r GROUP BY r.user_id, r.statement"""
        )
    since = NOW + timedelta(days=3)
    timed = {
        "org": lambda: mastery.org_mastery(db, pack),
        "org by role": lambda: mastery.org_mastery(db, pack, role=roles[0]),
        "org since": lambda: mastery.org_mastery(db, pack, since=since),
        "most missed": lambda: reports.missed_statements(db, pack),
        "most missed by role and period": lambda: reports.missed_statements(
            db, pack, role=roles[0], period=reports.Period(start=since)
        ),
        "one person": lambda: mastery.user_mastery(db, 2500, pack),
    }
    for name, report in timed.items():
        start = time.perf_counter()
        result = report()
        with capsys.disabled():
            print(f"\n  {name}: {(time.perf_counter() - start) * 1000:.0f} ms", end="")
        assert result
    assert mastery.org_mastery(db, pack).active_people == 5000
    in_role = db.execute("SELECT COUNT(*) FROM users WHERE role_key = ?", [roles[0]]).fetchone()[0]
    assert mastery.org_mastery(db, pack, role=roles[0]).active_people == in_role


def test_a_persons_mastery_is_read_off_their_own_rows_not_the_whole_pack(db):
    """At 5,000 people the pack has 300,000 mastery rows; the progress page must not scan them."""
    plan = [row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {mastery.USER_MASTERY_SQL}", [1, "p"])]
    # The person's rows off the key, then each row's statement by its integer key.
    assert plan == ["SEARCH m USING PRIMARY KEY (user_id=?)", "SEARCH k USING INTEGER PRIMARY KEY (rowid=?)"], plan
