"""The bench and the load test run end to end and report complete JSON; timings are reported, not judged.

Both start real work (a demo organisation, a real server with twenty phones), so those tests are
marked slow; docs/performance.md has the full-size figures and the targets.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PAGES = {"intro", "quiz_question", "progress", "facilitator", "hr", "hr_unit_programme"}


def _quiz(*args: str, timeout: float) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "quiz", *args], cwd=REPO, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    return json.loads(done.stdout)


def _percentiles(value, *points: str) -> None:
    assert set(value) >= set(points), value
    assert all(isinstance(value[p], float) for p in points), value


@pytest.mark.slow
@pytest.mark.browser  # the bench loads /deltag in Chromium (join_bytes_cold)
def test_bench_reports_every_page_the_floor_writes_and_hr_queries():
    report = _quiz("bench", "--quick", "--users", "100", timeout=240)
    assert report["users"] == 100
    assert report["page_errors"] == {}
    assert set(report["rerun_ms"]) == PAGES
    for page in PAGES:
        _percentiles(report["rerun_ms"][page], "p50", "p95")
    _percentiles(report["floor_ms"], "p50", "p95")
    assert report["rerun_ratio_max"] > 0
    writes = {"1", "16", "16_over_2_processes", "16_over_2_processes_paced"}
    assert set(report["answer_write_ms"]) == writes
    for writers in writes:
        _percentiles(report["answer_write_ms"][writers], "p50", "p95")
    assert report["answer_write_p95_ms_16"] == report["answer_write_ms"]["16"]["p95"]
    assert report["answer_write_p95_ms_16_2proc"] == report["answer_write_ms"]["16_over_2_processes"]["p95"]
    paced = report["answer_write_ms"]["16_over_2_processes_paced"]["p95"]
    assert report["answer_write_p95_ms_16_2proc_paced"] == paced
    _percentiles(report["hr_page_query_ms"]["total"], "p50", "p95")
    assert report["db_bytes_per_person"] == round(report["db_bytes"] / 100) > 0
    for export in ("results_csv", "xapi"):
        _percentiles(report["export_ms"][export], "p50", "p95")
    assert report["import_100_s"] > 0 and report["import_created"] == 100 and report["reimport_unchanged"] == 100
    assert report["remind_100_s"] > 0 and report["remind_sent"] == report["remind_received"] > 0
    assert report["reimport_100_s"] > 0
    assert report["peak_rss_mb"] > 0
    assert isinstance(report["join_bytes_cold"], int) and report["join_bytes_cold"] > 0
    assert report["join_cold"]["content_encodings"].get("br", 0) > 0  # the bundle comes compressed


@pytest.mark.slow
def test_loadtest_with_twenty_phones_loses_nothing_and_reports_its_timings():
    report = _quiz(
        "loadtest", "--participants", "20", "--questions", "3", "--join-seconds", "5", "--answer-window", "3",
        timeout=300,
    )  # fmt: skip
    assert report["errors"] == 0, report["error_samples"]
    assert report["lost_answers"] == 0
    assert report["participants"] == report["joined"] == 20
    assert report["answers_acknowledged"] == 20 * report["questions"]
    for key in ("live_ack_p50_ms", "live_ack_p95_ms", "live_ack_p99_ms", "server_cpu_s", "server_peak_rss_mb"):
        assert isinstance(report[key], float), key
    _percentiles(report["facilitator_update_ms"], "p50", "p95")
    _percentiles(report["question_shown_ms"], "p50", "p95")
    _percentiles(report["question_shown_first_ms"], "p50", "p95")
    # Every phone of a question sees it no sooner than its first phone; with all phones on every
    # question, at least half of all the delays are at or above the median first one.
    assert report["question_shown_first_ms"]["p50"] <= report["question_shown_ms"]["p95"]
    assert report["duration_s"] > 0
    # The lean phone page (issue #25): a cold join is the page, our script and styles, the join POST
    # and the lobby, far from Streamlit's megabyte; and every screen got the end.
    assert 0 < report["join_bytes_cold"] <= 60 * 1024
    assert report["end_missing"] == 0
    _percentiles(report["projector_count_ms"], "p50", "p95")
    _percentiles(report["end_shown_ms"], "p50", "p95")
    assert isinstance(report["server_cpu_ms_per_phone_question"], float)


def test_loadtest_refuses_unbounded_settings_with_a_plain_message():
    done = subprocess.run(
        [sys.executable, "-m", "quiz", "loadtest", "--participants", "100000"],
        cwd=REPO, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 1
    assert "--participants" in done.stderr and "Traceback" not in done.stderr


def test_paced_bench_writers_store_every_answer_they_time(tmp_path):
    from quiz.store import create_user, open_db
    from quiz_devtools.bench import answer_writes

    path = tmp_path / "progress.db"
    db = open_db(path)
    for name in ("ane", "bo"):
        create_user(db, name, name.title(), "hemmelig-kode-1")
    db.close()
    times = answer_writes(path, writers=2, answers_each=3, pace=0.01)
    assert len(times) == 6
    db = open_db(path)
    try:
        per_attempt = db.execute("SELECT attempt_id, COUNT(*) FROM answers GROUP BY attempt_id").fetchall()
        finished = db.execute("SELECT COUNT(*) FROM attempts WHERE finished_at IS NOT NULL").fetchone()[0]
    finally:
        db.close()
    assert sorted(n for _, n in per_attempt) == [3, 3] and finished == 2


def test_bench_measures_the_upgrade_of_a_database_written_before_the_lean_schema():
    from quiz_devtools.bench import migration_figures

    fixture = REPO / "tests" / "fixtures" / "progress_v011.db"
    report = migration_figures(fixture, runs=1)
    assert report["users"] == 5
    # Figures, not targets: present and sane (a small fixture's backup can round to 0.0 s).
    assert all(isinstance(report[k], float) and report[k] >= 0 for k in ("migration_s", "backup_s"))
    assert 0 < report["db_bytes"] < report["db_bytes_before"] == fixture.stat().st_size
    assert report["db_bytes_per_person"] == round(report["db_bytes"] / 5)
    _percentiles(report["hr_page_query_ms"]["total"], "p50", "p95")
    for export in ("results_csv", "xapi"):
        _percentiles(report["export_ms"][export], "p50", "p95")
    old = sqlite3.connect(fixture)
    assert "questions_json" in {row[1] for row in old.execute("PRAGMA table_info(attempts)")}, "the copy is migrated"
    old.close()


def test_bench_refuses_a_missing_database_to_migrate_with_a_plain_message(tmp_path):
    import argparse

    from quiz.cli.common import CommandError
    from quiz_devtools.commands import cmd_bench

    args = argparse.Namespace(migrate_from=str(tmp_path / "none.db"), users=None, quick=False)
    with pytest.raises(CommandError) as refused:
        cmd_bench(args)
    assert "none.db" in str(refused.value)
