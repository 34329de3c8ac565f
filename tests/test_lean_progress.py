"""The lean progress.db (issue 26): a database written before m030 keeps every figure, grades read
in the reader's language, a changed pack never breaks an old attempt, and the reviews' indexes are
the ones the app's queries use.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import re
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from quiz import live
from quiz.content.models import Pack
from quiz.hr import own_data, reports, xapi
from quiz.i18n import t, use_language
from quiz.learning import attempts, mastery, quizzes, refresh, stored
from quiz.learning.quizzes import QuizSpec, draw_questions
from quiz.learning.timefmt import local_time
from quiz.plugins import get_registry
from quiz.store import create_user, from_iso, open_db
from quiz.store.db import to_micros
from quiz.store.migrations import migrations
from tests.fixtures.make_progress_v011 import DB as FIXTURE
from tests.fixtures.make_progress_v011 import FIGURES, NOW, figures

REPO = Path(__file__).resolve().parents[1]


def _reviews_before(person: dict) -> list[tuple]:
    """A person's FSRS reviews in their own-data export before m030: raw ``review_logs`` rows."""
    rows = person["own_data"].get(t("own_data.other.name"), {}).get("review_logs", [])
    return [(r["rating"], round(r["review_duration_ms"] / 1000, 1) if r["review_duration_ms"] else None,
             local_time(from_iso(r["review_datetime"]))) for r in rows]  # fmt: skip


def _reviews_after(person: dict) -> list[tuple]:
    """The same reviews after m030: their own readable part, the result beside the rating."""
    rows = person["own_data"][t("own_data.reviews.name")][t("own_data.rows")]
    field = lambda name: t(f"own_data.field.{name}")  # noqa: E731
    return [(r[field("rating")], r[field("seconds")], r[field("answered_at")]) for r in rows]


def _without_column(csv_texts: list[str], name: str) -> tuple[list[str], list[str]]:
    """The values of column ``name`` in each CSV text, and the texts without that column."""
    values, texts = [], []
    for text in csv_texts:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
        at = rows[0].index(name)
        values += [row[at] for row in rows[1:]]
        out = io.StringIO(newline="")
        csv.writer(out, delimiter=";", lineterminator="\r\n").writerows([row[:at] + row[at + 1 :] for row in rows])
        texts.append(out.getvalue())
    return values, texts


@pytest.fixture
def migrated(tmp_path, caplog):
    path = tmp_path / "progress.db"
    shutil.copy(FIXTURE, path)
    with caplog.at_level(logging.WARNING, logger="quiz.store"):
        db = open_db(path)
    yield db
    db.close()


def test_a_database_written_before_m030_migrates_with_every_figure_unchanged(migrated):
    _assert_the_fixtures_figures(migrated)


def test_a_database_at_m032_moves_its_cards_and_mastery_to_statement_keys_with_every_figure_unchanged(
    tmp_path, caplog
):
    """m033 on a database that had the lean schema of m030–m032 already (issue 26's second step)."""
    path = tmp_path / "progress.db"
    shutil.copy(FIXTURE, path)
    raw = open_db(path, migrate=False)
    raw.execute("PRAGMA foreign_keys = OFF")
    migrations.apply(raw, stop_before="m033_cards_and_mastery_by_statement_key")
    cards = raw.execute(
        "SELECT user_id, pack_id, statement_id, state, step, stability, difficulty, due_at, last_review_at, reps, "
        "lapses FROM learning_state ORDER BY 1, 2, 3"
    ).fetchall()
    kept = raw.execute(
        "SELECT user_id, pack_id, statement_id, recent, mastery, answered_at FROM statement_mastery ORDER BY 1, 2, 3"
    ).fetchall()
    raw.close()
    assert cards and kept

    with caplog.at_level(logging.WARNING, logger="quiz.store"):
        db = open_db(path)
    [backup] = tmp_path.glob("progress.before-m033_cards_and_mastery_by_statement_key-*.db")
    assert any(str(backup) in r.getMessage() for r in caplog.records)
    # The same cards and mastery, each time to the microsecond, under the statement's integer key.
    assert db.execute(
        "SELECT l.user_id, k.pack_id, k.statement_id, l.state, l.step, l.stability, l.difficulty, l.due_at, "
        "l.last_review_at, l.reps, l.lapses FROM learning_state l JOIN statement_keys k ON k.id = l.statement "
        "ORDER BY 1, 2, 3"
    ).fetchall() == [(*row[:7], to_micros(from_iso(row[7])), to_micros(from_iso(row[8])), *row[9:]) for row in cards]
    assert db.execute(
        "SELECT m.user_id, k.pack_id, k.statement_id, m.recent, m.mastery, m.answered_at FROM statement_mastery m "
        "JOIN statement_keys k ON k.id = m.statement ORDER BY 1, 2, 3"
    ).fetchall() == [(*row[:5], to_micros(from_iso(row[5]))) for row in kept]
    _assert_the_fixtures_figures(db)
    db.close()


def _assert_the_fixtures_figures(migrated) -> None:
    """Every figure the fixture's code showed (``progress_v011_figures.json``), shown again after the migrations."""
    before = json.loads(FIGURES.read_text(encoding="utf-8"))
    after = figures(migrated)

    # HR's report, the results CSV, the xAPI export, the live room's CSV: the same to the character.
    for part in ("hr_people", "hr_overview", "hr_by_role", "hr_by_unit", "hr_mastery", "hr_missed"):
        assert after[part] == before[part], part
    assert after["results_csv"] == before["results_csv"]
    assert after["xapi"] == before["xapi"]
    # The live CSV gained a »fjernet« column with issue #25's fair results (no one in the fixture was
    # removed): without it, every other column is the same to the character.
    removed, rest = _without_column(after["live_results_csv"], "fjernet")
    assert set(removed) == {"nej"}
    assert rest == before["live_results_csv"]
    assert after["people"].keys() == before["people"].keys()
    with use_language("da"):
        for user_id, old in before["people"].items():
            new = after["people"][user_id]
            for part in ("mastery", "due", "due_count", "next_due", "history", "attempts"):
                assert new[part] == old[part], (user_id, part)
            # The one change meant: a review's FSRS rating now sits in its ``reviews`` row, so the
            # own-data export shows the same reviews in a readable part instead of raw ``review_logs``.
            assert _reviews_after(new) == _reviews_before(old), user_id
            del new["own_data"][t("own_data.reviews.name")]
            other, rows = t("own_data.other.name"), t("own_data.rows")
            # m018 (issue #25's fair results) added when a participant was removed: no one was.
            for participant in new["own_data"].get(other, {}).get("live_participants", []):
                assert participant.pop("removed_after") is None
            for export in (old["own_data"], new["own_data"]):
                export.get(other, {}).pop("review_logs", None)
                # FSRS cards and mastery are keyed WITHOUT ROWID now: listed by statement, no longer
                # in the order first answered; the same rows with the same values.
                for part in (t("own_data.refresh.name"), t("own_data.mastery.name")):
                    export[part][rows].sort(key=lambda row: json.dumps(row, sort_keys=True))
            assert new["own_data"] == old["own_data"], user_id


def test_the_migration_takes_a_backup_first_and_logs_where(migrated, caplog):
    (path,) = [r[2] for r in migrated.execute("PRAGMA database_list") if r[1] == "main"]
    [backup] = Path(path).parent.glob("progress.before-m030_lean_progress-*.db")
    assert any(str(backup) in r.getMessage() for r in caplog.get_records("setup"))
    old = open_db(backup, migrate=False)
    assert "questions_json" in old["attempts"].columns_dict, "the copy is the database as it was"
    assert old["answers"].count == migrated["answers"].count


KILLER = """
import os, signal, sys
from quiz.store.migrations import migrations
from quiz.store import open_db

@migrations()
def m999_killed_midway(db):
    # m030 has rewritten the tables in this transaction when the process dies.
    assert "question_sets" in db.table_names()
    os.kill(os.getpid(), signal.SIGKILL)

open_db(sys.argv[1])
"""


def test_a_migration_killed_midway_leaves_the_database_as_it_was_and_runs_again(tmp_path):
    path = tmp_path / "progress.db"
    shutil.copy(FIXTURE, path)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    killed = subprocess.run([sys.executable, "-c", KILLER, str(path)], cwd=REPO, env=env, capture_output=True)
    assert killed.returncode == -9, killed.stderr.decode()

    untouched = open_db(path, migrate=False)
    assert "questions_json" in untouched["attempts"].columns_dict
    assert "question_sets" not in untouched.table_names()
    untouched.close()

    db = open_db(path)
    assert "question_sets" in db.table_names() and "statement_results" not in db.table_names()
    before = json.loads(FIGURES.read_text(encoding="utf-8"))
    assert figures(db)["hr_people"] == before["hr_people"]


def _danish_quiz(db, learner_id: int, **spec) -> tuple[int, list]:
    registry = get_registry("da")
    with use_language("da"):
        quiz_spec = QuizSpec(pack_id="hvidovrevejen", seed=5, **spec)
        questions = draw_questions(quiz_spec, registry)
        attempt_id = attempts.start_attempt(db, learner_id, quiz_spec, questions, registry=registry)
    return attempt_id, questions


def test_an_english_reader_sees_english_explanations_on_answers_graded_in_danish(db):
    learner = create_user(db, "lone", "Lone", "hemmelig123")
    attempt_id, questions = _danish_quiz(db, learner.id, length=2, types=["perspective"])
    wrong = next(o.key for o in questions[0].options if o.key not in questions[0].accepted[0])
    with use_language("da"):
        danish = attempts.submit_answer(db, attempt_id, 0, wrong, time_taken_ms=4000, registry=get_registry("da"))
    assert danish.explanation.startswith("Udsagnet står hos")

    with use_language("en"):
        english = get_registry("en")
        attempt = attempts.get_attempt(db, attempt_id, registry=english)
        shown = attempt.answers[0].grade
        expected = quizzes.grade(attempt.questions[0], wrong, english)
    assert shown.explanation == expected.explanation and shown.explanation.startswith("The statement stands with")
    assert shown.right_answer == expected.right_answer != danish.right_answer
    assert (shown.score, shown.correct, shown.per_statement) == (danish.score, danish.correct, danish.per_statement)
    assert attempt.questions[0].prompt == quizzes.shown_in(QuizSpec(**attempt.spec), questions, "en")[0].prompt


def _without(pack: Pack, statement_id: str) -> SimpleNamespace:
    """The registry after the pack lost one statement (a content update)."""
    changed = Pack(
        manifest=pack.manifest,
        statements=[s for s in pack.statements if s.id != statement_id],
        intro=pack.intro,
        translations=pack.translations,
    )
    return SimpleNamespace(question_types=get_registry("da").question_types, packs={pack.id: changed})


def test_an_attempt_on_a_statement_removed_from_the_pack_shows_it_as_removed(db):
    learner = create_user(db, "rasmus", "Rasmus", "hemmelig123")
    attempt_id, questions = _danish_quiz(db, learner.id, length=3, types=["perspective"])
    with use_language("da"):
        attempts.submit_answer(
            db, attempt_id, 0, questions[0].accepted[0][0], time_taken_ms=3000, registry=get_registry("da")
        )
        gone = questions[0].statement_ids[0]
        changed = _without(get_registry("da").packs["hvidovrevejen"], gone)

        resumed = attempts.open_attempt(db, learner.id, registry=changed)
        assert resumed is not None and resumed.position == 1
        assert resumed.questions[0].items[0].text == t("questions.removed.statement")
        assert resumed.answers[0].grade.right_answer == t("questions.removed.right_answer")
        assert resumed.answers[0].grade.correct, "what was right stays right"
        assert resumed.questions[1] == questions[1], "the other questions read as before"
        attempts.submit_answer(db, attempt_id, 1, questions[1].accepted[0][0], time_taken_ms=3000, registry=changed)
        [row] = attempts.attempt_history(db, learner.id)
        assert (row.answered, row.total) == (2, 3)
        exported = list(xapi.statements(db, dict(changed.packs), base="https://x.example", user_id=learner.id))
        assert any(
            s["object"]["definition"]["name"]["da-DK"] == gone for s in exported if s["verb"]["id"].endswith("answered")
        )
        assert own_data.readable_records(db, learner.id, dict(changed.packs))


def test_a_question_whose_statement_was_removed_cannot_be_answered_and_says_so(db):
    learner = create_user(db, "rikke", "Rikke", "hemmelig123")
    attempt_id, questions = _danish_quiz(db, learner.id, length=2, types=["perspective"])
    changed = _without(get_registry("da").packs["hvidovrevejen"], questions[0].statement_ids[0])
    with use_language("da"), pytest.raises(attempts.AttemptError):
        attempts.submit_answer(db, attempt_id, 0, questions[0].accepted[0][0], time_taken_ms=3000, registry=changed)
    assert db["answers"].count == 0


def test_an_attempt_records_its_pack_version_and_stores_questions_without_their_words(db):
    learner = create_user(db, "vera", "Vera", "hemmelig123")
    attempt_id, questions = _danish_quiz(db, learner.id, length=10)
    (version, encoded) = db.execute(
        "SELECT a.pack_version, s.questions_json FROM attempts a JOIN question_sets s ON s.id = a.question_set_id "
        "WHERE a.id = ?",
        [attempt_id],
    ).fetchone()
    assert version == stored.pack_version(get_registry("da").packs["hvidovrevejen"])
    assert version == stored.pack_version(get_registry("en").packs["hvidovrevejen"]), "the same in every language"
    assert questions[0].items[0].text not in encoded, "statement texts come from the pack"
    with use_language("da"):
        assert attempts.get_attempt(db, attempt_id).questions == questions


def test_the_signed_in_participants_of_a_live_room_refer_to_the_rooms_questions(db):
    registry = get_registry("da")
    host = create_user(db, "fie", "Fie", "hemmelig123", is_facilitator=True)
    people = [create_user(db, f"deltager{n}", f"Deltager {n}", "hemmelig123") for n in range(3)]
    with use_language("da"):
        session = live.create_session(
            db, host.id, QuizSpec(pack_id="hvidovrevejen", length=2, seed=3), registry=registry
        )
        joined = [live.join(db, session.code, user_id=p.id, client_key="k")[0] for p in people]
        live.start(db, session.id, actor_id=host.id)
        question = live.get_session(db, session.id).current_question
        for participant in joined:
            live.submit_answer(db, session.id, participant.id, 0, question.accepted[0][0], registry=registry)
        live.reveal(db, session.id, actor_id=host.id, registry=registry)
    rows = db.execute("SELECT COUNT(*), COUNT(DISTINCT question_set_id) FROM attempts WHERE kind = 'live'").fetchone()
    assert rows == (3, 1)
    assert db["question_sets"].count == 1
    assert attempts.get_attempt(db, db.execute("SELECT MIN(id) FROM attempts").fetchone()[0]).answers[0].grade.correct


# --- the reviews' indexes: each used by a query the app runs, and every such query uses one ------------


def _plans(db, run) -> dict[str, str]:
    """The queries ``run`` sends that read ``reviews``, each with SQLite's plan for it."""
    sent: list[str] = []
    db.conn.set_trace_callback(sent.append)
    try:
        run()
    finally:
        db.conn.set_trace_callback(None)
    plans = {}
    for sql in sent:
        if "reviews" not in sql or not sql.lstrip().upper().startswith(("SELECT", "WITH")):
            continue
        plan = db.execute(f"EXPLAIN QUERY PLAN {sql}").fetchall()
        plans[sql] = "\n".join(row[3] for row in plan)
    return plans


def test_every_report_query_on_reviews_uses_an_index_and_every_index_is_used(migrated):
    pack = get_registry("da").packs["hvidovrevejen"]
    learner = migrated.execute("SELECT user_id FROM answers GROUP BY user_id ORDER BY COUNT(*) DESC").fetchone()[0]
    role = migrated.execute("SELECT role_key FROM users WHERE id = ?", [learner]).fetchone()[0]
    since = reports.Period.from_dates((NOW - timedelta(days=3)).date(), NOW.date())
    runs = {
        "most missed": lambda: reports.missed_statements(migrated, pack),
        "most missed by role and period": lambda: reports.missed_statements(migrated, pack, role=role, period=since),
        "refreshed today": lambda: refresh.refreshed_today(migrated, learner, pack.id, now=NOW),
        "a person's reviews": lambda: refresh.review_logs(migrated, learner),
        "a person's attempt": lambda: attempts.get_attempt(migrated, attempts.attempt_history(migrated, learner)[0].id),
        "xAPI": lambda: list(xapi.statements(migrated, {pack.id: pack}, user_id=learner)),
        "mastery map": lambda: mastery.user_mastery(migrated, learner, pack),
    }
    used: set[str] = set()
    for name, run in runs.items():
        for sql, plan in _plans(migrated, run).items():
            assert "SCAN r\n" not in plan + "\n" and "SCAN reviews" not in plan, f"{name}: {sql}\n{plan}"
            used |= {
                idx
                for (idx,) in migrated.execute(
                    "SELECT name FROM sqlite_master WHERE tbl_name = 'reviews' AND type = 'index'"
                )
                if idx in plan
            }
    indexes = {
        idx
        for (idx,) in migrated.execute("SELECT name FROM sqlite_master WHERE tbl_name = 'reviews' AND type = 'index'")
    }
    assert used == indexes, f"indexes no query uses: {indexes - used}"


def test_a_persons_refresh_queries_read_their_cards_off_the_key(migrated):
    pack = get_registry("da").packs["hvidovrevejen"]
    learner = migrated.execute("SELECT user_id FROM learning_state GROUP BY user_id ORDER BY COUNT(*) DESC").fetchone()[
        0
    ]
    runs = [
        lambda: refresh.due_statements(migrated, learner, pack, now=NOW),
        lambda: refresh.next_due(migrated, learner, pack, now=NOW),
        lambda: refresh.learning_states(migrated, learner, pack.id),
        lambda: mastery.user_mastery(migrated, learner, pack),
    ]
    sent = statements_sent(migrated, runs)
    person_queries = [sql for sql in sent if "learning_state" in sql or "statement_mastery" in sql]
    assert person_queries
    for sql in person_queries:
        plan = "\n".join(row[3] for row in migrated.execute(f"EXPLAIN QUERY PLAN {sql}"))
        assert "USING PRIMARY KEY (user_id=?" in plan, f"{sql}\n{plan}"


def statements_sent(db, runs) -> list[str]:
    """Every SQL statement the connection ran while ``runs`` were called, in order."""
    sent: list[str] = []
    db.conn.set_trace_callback(sent.append)
    try:
        for run in runs:
            run()
    finally:
        db.conn.set_trace_callback(None)
    return sent


def test_the_organisation_reports_read_each_mastery_row_once_and_its_statement_by_key(migrated):
    """m033 keys mastery by (person, statement key) with no second index: HR's organisation figures
    pass over the table once, looking each row's statement up by its key. Not the other way round:
    a loop over the pack's statements that scanned the table once for each took 2.3 s instead of
    0.1 s at 5,000 people."""
    pack = get_registry("da").packs["hvidovrevejen"]
    role = migrated.execute("SELECT role_key FROM users WHERE role_key IS NOT NULL LIMIT 1").fetchone()[0]
    runs = [
        lambda: mastery.org_mastery(migrated, pack),
        lambda: mastery.org_mastery(migrated, pack, role=role),
        lambda: mastery.org_mastery(migrated, pack, since=NOW - timedelta(days=3)),
        lambda: reports.people(migrated, pack),
    ]
    sent = statements_sent(migrated, runs)
    queries = [sql for sql in sent if "statement_mastery" in sql]
    assert len(queries) >= len(runs)
    for sql in queries:
        plan = [row[3] for row in migrated.execute(f"EXPLAIN QUERY PLAN {sql}", _params_of(sql))]
        text = "\n".join(plan)
        assert "(pack_id=?)" not in text, f"a loop over the pack's statement keys:\n{sql}\n{text}"
        assert any(line.startswith("SEARCH") and ("(rowid=?)" in line or "(statement=?)" in line) for line in plan), (
            f"each mastery row's statement by its key:\n{sql}\n{text}"
        )


def _params_of(sql: str) -> dict[str, None]:
    """NULL for each named parameter of ``sql`` (a plan does not depend on the values)."""
    return dict.fromkeys(re.findall(r":(\w+)", sql))
