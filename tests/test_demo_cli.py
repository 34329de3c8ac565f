"""`python -m quiz demo | export xapi | export results | backup | users add`, run as an operator would."""

from __future__ import annotations

import json
import sqlite3

import pytest

from quiz_devtools.demo import DEMO_PASSWORD
from tests.test_cli import run_cli


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "progress.db"
    result = run_cli("demo", "--users", "20", "--seed", "7", env={"QUIZ_DB": str(path)})
    assert result.returncode == 0, result.stderr
    assert "20 personer (demo-0001 – demo-0020)" in result.stdout and DEMO_PASSWORD in result.stdout
    return path


def query(path, sql, args=()):
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def test_demo_fills_every_role_with_intro_answers_and_consistent_records(demo_db):
    roles = {r for (r,) in query(demo_db, "SELECT DISTINCT role_key FROM users WHERE username LIKE 'demo-%'")}
    assert roles == {"direktion", "centerchef", "leder_af_ledere", "leder_af_medarbejdere", "medarbejder"}
    names = "".join(n for (n,) in query(demo_db, "SELECT display_name FROM users"))
    assert any(ch in names for ch in "æøåÆØÅ")
    [(answers,)] = query(demo_db, "SELECT COUNT(*) FROM answers")
    assert answers > 20 * 30
    # What submit_answer would have written: a result row per statement answered, mastery and a card each.
    [(orphans,)] = query(
        demo_db, "SELECT COUNT(*) FROM answers a LEFT JOIN attempts t ON t.id = a.attempt_id WHERE t.id IS NULL"
    )
    assert orphans == 0
    [(pairs,)] = query(demo_db, "SELECT COUNT(*) FROM (SELECT DISTINCT user_id, statement FROM reviews)")
    [(cards,)] = query(demo_db, "SELECT COUNT(*) FROM learning_state")
    [(mastery,)] = query(demo_db, "SELECT COUNT(*) FROM statement_mastery")
    assert pairs == cards == mastery > 0
    [(finished_wrong,)] = query(
        demo_db,
        "SELECT COUNT(*) FROM attempts t WHERE finished_at IS NOT NULL AND kind = 'quiz' "
        "AND abs(score - (SELECT AVG(score) FROM answers WHERE attempt_id = t.id)) > 1e-9",
    )
    assert finished_wrong == 0
    [(intro_done,)] = query(demo_db, "SELECT COUNT(*) FROM intro_progress WHERE completed_at IS NOT NULL")
    assert intro_done > 10


def test_demo_runs_one_finished_live_session_when_live_sessions_exist(demo_db):
    tables = {t for (t,) in query(demo_db, "SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "live_sessions" not in tables:
        pytest.skip("this installation has no live sessions")
    assert query(demo_db, "SELECT state FROM live_sessions") == [("ended",)]
    [(live_attempts,)] = query(demo_db, "SELECT COUNT(*) FROM attempts WHERE kind = 'live'")
    assert live_attempts > 0


def test_export_xapi_writes_a_json_array_of_statements(demo_db, tmp_path):
    out = tmp_path / "xapi.json"
    result = run_cli("export", "xapi", "--out", str(out), env={"QUIZ_DB": str(demo_db)})
    assert result.returncode == 0, result.stderr
    statements = json.loads(out.read_text(encoding="utf-8"))
    [(answers,)] = query(demo_db, "SELECT COUNT(*) FROM answers")
    assert sum(s["verb"]["id"].endswith("/answered") for s in statements) == answers
    assert len({s["id"] for s in statements}) == len(statements)


def test_export_results_csv_has_one_line_per_person(demo_db, tmp_path):
    out = tmp_path / "resultater.csv"
    result = run_cli("export", "results", "--format", "csv", "--out", str(out), env={"QUIZ_DB": str(demo_db)})
    assert result.returncode == 0, result.stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("\ufeffNavn;Brugernavn;Rolle;Introduktion gennemført")
    assert len(lines) == 1 + 20


def test_backup_copies_a_live_database_and_refuses_to_overwrite(demo_db, tmp_path):
    copy = tmp_path / "kopi.db"
    result = run_cli("backup", str(copy), env={"QUIZ_DB": str(demo_db)})
    assert result.returncode == 0, result.stderr
    assert "Sikkerhedskopi skrevet" in result.stdout
    assert query(copy, "SELECT COUNT(*) FROM answers") == query(demo_db, "SELECT COUNT(*) FROM answers")
    assert query(copy, "PRAGMA integrity_check") == [("ok",)]
    again = run_cli("backup", str(copy), env={"QUIZ_DB": str(demo_db)})
    assert again.returncode == 1 and "findes allerede" in again.stderr and "Traceback" not in again.stderr
    missing = run_cli("backup", str(tmp_path / "x.db"), env={"QUIZ_DB": str(tmp_path / "findes-ikke.db")})
    assert missing.returncode == 1 and "findes ikke" in missing.stderr and "Traceback" not in missing.stderr


def test_first_admin_is_made_with_users_add(tmp_path):
    env = {"QUIZ_DB": str(tmp_path / "progress.db")}
    result = run_cli(
        "users", "add", "hr-chef", "--admin", "--display-name", "Åse Ørsted", "--password", "hemmelig123", env=env
    )
    assert result.returncode == 0, result.stderr
    assert "Bruger 'hr-chef' oprettet (administrator)." in result.stdout
    assert query(tmp_path / "progress.db", "SELECT display_name, is_admin FROM users") == [("Åse Ørsted", 1)]


def test_users_add_without_a_terminal_prints_a_generated_password(tmp_path):
    from quiz.people import auth
    from quiz.store import open_db

    env = {"QUIZ_DB": str(tmp_path / "progress.db")}
    result = run_cli("users", "add", "fie", "--facilitator", env=env)
    assert result.returncode == 0, result.stderr
    password = result.stdout.split("Midlertidig adgangskode (vises kun nu): ")[1].strip()
    db = open_db(tmp_path / "progress.db")
    assert auth.verify_password(password, auth.password_hash_for(db, "fie")[1])
    db.close()


def test_users_add_refuses_a_taken_name_or_short_password_in_danish(tmp_path):
    env = {"QUIZ_DB": str(tmp_path / "progress.db")}
    run_cli("users", "add", "bo", "--password", "hemmelig123", env=env)
    taken = run_cli("users", "add", "BO", "--password", "hemmelig123", env=env)
    assert taken.returncode == 1 and "allerede i brug" in taken.stderr and "Traceback" not in taken.stderr
    short = run_cli("users", "add", "ib", "--password", "kort", env=env)
    assert short.returncode == 1 and "mindst 8 tegn" in short.stderr and "Traceback" not in short.stderr
