"""``python -m quiz bench``: how fast the app is on a full-size organisation, as one JSON object.

Builds a realistic progress.db in a temporary folder with the demo generator (``quiz_devtools.demo``: 5,000
people with their intro, quizzes and answers over several weeks; ``--quick``: 500), adds what the
pages need to show something real (an administrator, a learner in the middle of a quiz, a
facilitator with a live session of 300 people answering), and measures:

* ``rerun_ms``: a full script run of each main page, through ``streamlit.testing.v1.AppTest``
  (the page signed in via ``session_state["user_id"]``, timed over repeated ``run()`` after a
  warm-up), and beside it, one run of each in turn, a page with one button (``floor_beside_ms``):
  Streamlit's own cost per run on the same machine in the same seconds. ``rerun_ratio`` is each
  page's p50 over its floor's, ``rerun_ratio_max`` the largest: how much of a run is ours. The HR page is
  measured twice: as it opens, and on its onboarding section filtered to one centre
  (``hr_unit_programme``: statuses, overdue by unit, completion over time). Each script is
  compiled once per measured AppTest, as ``streamlit run`` compiles it once per process, and runs
  with the options of the app's .streamlit/config.toml, wherever the bench is started;
* ``answer_write_ms``: recording one answer (``quiz.learning.attempts.submit_answer``) with 1 and with 16
  writers at once, each thread with its own connection, all writing back to back; and the 16
  spread over 2 processes (``answer_write_p95_ms_16_2proc``), as two app servers would write; and
  those 16 at a person's pace (``answer_write_p95_ms_16_2proc_paced``: each answer at a random
  moment within :data:`PACE_S` of the writer's last, the wait not timed);
* ``join_bytes_cold``: bytes on the wire for a phone's first load of ``/deltag`` (Debian's Chromium
  against a real server; :mod:`quiz_devtools.wire`), with its breakdown in ``join_cold``;
* ``hr_page_query_ms``: the HR aggregates of ``quiz.hr.reports`` over the whole database;
* ``export_ms``: HR's results CSV and the xAPI export of everyone;
* ``db_bytes`` and ``db_bytes_per_person``: the database's size on disk as the demo wrote it;
* ``remind_<n>_s`` and ``import_<n>_s``: a ``remind`` run over everyone to a local SMTP sink, and a
  people import of as many new people (``quiz_devtools.bench_onboarding``);
* ``peak_rss_mb``: this process's peak memory.

``python -m quiz bench --migrate-from OLD.db`` measures instead the upgrade of a database written
before the lean schema (issue 26): ``migration_s``, the sizes before and after, and the HR figures
and exports on the result (:func:`migration_figures`).

Timings are reported, not judged; docs/performance.md holds the targets and the latest figures.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import random
import resource
import shutil
import sqlite3
import sys
import tempfile
import threading
import time
import tomllib
import types
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

from streamlit.runtime.scriptrunner.script_cache import ScriptCache
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.util import patch_config_options

from quiz import live
from quiz.hr import exports, reports, xapi
from quiz.learning import attempts
from quiz.learning.quizzes import QuizSpec, draw_questions
from quiz.plugins import get_registry
from quiz.store import create_user, open_db
from quiz.store.backup import backup
from quiz_devtools.bench_onboarding import import_figures, remind_figures
from quiz_devtools.demo import make_demo
from quiz_devtools.loadtest.stats import summary_ms
from quiz_devtools.wire import cold_join_bytes

REPO = Path(__file__).resolve().parents[1]
PAGES = {
    "intro": "quiz/ui/pages/intro.py",
    "quiz_question": "quiz/ui/pages/quiz.py",
    "progress": "quiz/ui/pages/progress.py",
    "facilitator": "quiz/ui/pages/facilitator.py",
    "hr": "quiz/ui/pages/admin.py",
    "hr_unit_programme": "quiz/ui/pages/admin.py",
}
FLOOR_PAGE = 'import streamlit as st\n\nst.button("Klik", key="klik")\n'
LIVE_ROOM = 300  # people answering in the facilitator's live session
PACE_S = 0.25  # the paced writers: each answer within a quarter of a second of the writer's last


@contextmanager
def _env(name: str, value: str):
    old = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if old is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = old


def _timed(fn: Callable[[], object], runs: int, *, warmup: int = 1) -> list[float]:
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(runs):
        began = time.perf_counter()
        fn()
        out.append(time.perf_counter() - began)
    return out


# --- the database ------------------------------------------------------------------------------


def build_db(path: Path, *, users: int, seed: int = 1) -> dict:
    """The demo organisation plus the people the measured pages are shown to; returns their ids."""
    registry = get_registry()
    pack = next(iter(registry.packs.values()))
    db = open_db(path)
    try:
        summary = make_demo(db, registry, users=users, seed=seed, pack_id=pack.id)
        admin = create_user(db, "bench-hr", "Bench HR", "bench-hemmelig-1", is_admin=True)
        facilitator = create_user(db, "bench-facilitator", "Bench Facilitator", "bench-hemmelig-1", is_facilitator=True)
        # The learner: the most active demo person, in the middle of a new quiz.
        (learner_id,) = db.execute(
            "SELECT user_id FROM answers GROUP BY user_id ORDER BY COUNT(*) DESC LIMIT 1"
        ).fetchone()
        (role,) = db.execute("SELECT role_key FROM users WHERE id = ?", [learner_id]).fetchone()
        spec = QuizSpec(pack_id=pack.id, roles=[role] if role else [], length=10, seed=seed, title="Bench-quiz")
        attempt_id = attempts.start_attempt(db, learner_id, spec, draw_questions(spec, registry))
        rng = random.Random(seed)
        first = attempts.get_attempt(db, attempt_id).questions[0]
        attempts.submit_answer(db, attempt_id, 0, _some_answer(first, rng), time_taken_ms=4000, registry=registry)
        # The facilitator's session: a full room answering the first question.
        room = live.create_session(
            db, facilitator.id, QuizSpec(pack_id=pack.id, length=10, seed=seed), allow_anonymous=True, registry=registry
        )
        live.start(db, room.id, actor_id=facilitator.id)
        question = live.get_session(db, room.id).current_question
        for n in range(LIVE_ROOM):
            person, _ = live.join(db, room.code, display_name=f"Deltager {n + 1:03d}", client_key=f"bench-{n}")
            if n % 10:  # nine in ten have answered
                live.submit_answer(db, room.id, person.id, 0, _some_answer(question, rng), registry=registry)
        answers = db.execute("SELECT COUNT(*) FROM answers").fetchone()[0]
        # The centre with the most people (the demo's 80 units: 10 centres of 7 departments).
        centre = db.execute(
            """SELECT c.id FROM units c JOIN units d ON d.parent_id = c.id JOIN people p ON p.unit_id = d.id
               WHERE c.parent_id IS NULL GROUP BY c.id ORDER BY COUNT(*) DESC LIMIT 1"""
        ).fetchone()
        return {
            "users": summary.users,
            "answers": answers,
            "admin_id": admin.id,
            "facilitator_id": facilitator.id,
            "learner_id": learner_id,
            "live_session_id": room.id,
            "centre_id": centre[0] if centre else None,
            "db_mb": round(path.stat().st_size / 1e6, 1),
        }
    finally:
        db.close()


def _some_answer(question, rng: random.Random):
    keys = [o.key for o in question.options]
    return rng.choice(keys) if question.kind == "choice" else [rng.choice(keys) for _ in question.items]


# --- page runs ---------------------------------------------------------------------------------


@contextmanager
def _compiled_once():
    """Compile each script once for all runs, as the server does.

    ``streamlit run`` keeps one ``ScriptCache`` for the whole process, so a script is parsed and
    compiled on its first run only. AppTest makes a new one for every run and so recompiles app.py and
    the page each time, with Streamlit's "magic" AST rewrite: measured 14 ms of a 25 ms intro run and
    28 ms of a 38 ms quiz-question run at 5,000 people, a cost that grows with the length of the
    source file and that no user pays.
    """
    shared = ScriptCache()
    with (
        mock.patch("streamlit.testing.v1.app_test.ScriptCache", lambda: shared),
        mock.patch("streamlit.testing.v1.local_script_runner.ScriptCache", lambda: shared),
    ):
        yield


@contextmanager
def _server_config():
    """The options of the app's own .streamlit/config.toml, as ``streamlit run`` from the repository has them.

    AppTest reads the config of the working directory, which need not be the repository. With
    Streamlit's defaults, usage statistics are gathered for every element and a full garbage
    collection follows every run, neither of which the server does (``browser.gatherUsageStats``,
    ``runner.postScriptGC``): a bench started elsewhere measured more than a user waits for.
    """
    found = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    options = {f"{section}.{key}": value for section, values in found.items() for key, value in values.items()}
    with patch_config_options(options):
        yield


def page_runs(
    page: str,
    *,
    user_id: int,
    query: dict[str, str] | None = None,
    widgets: list[tuple[str, str, object]] | None = None,
    runs: int,
    floor_folder: Path,
) -> tuple[list[float], list[float]]:
    """Seconds per full run of ``page`` for a signed-in person, after a warm-up; and of the floor.

    ``widgets``: (kind, key, value) the person chose first, e.g. ("selectbox", "admin_unit", 3).
    The one-button page (``FLOOR_PAGE``, written to ``floor_folder``) is run beside it, one run of each
    in turn, so that both see the same machine: on a shared virtual machine the speed drifts by a
    third from one second to the next, and a floor measured a minute apart moved the ratio more than
    any change to a page did.
    """
    with _compiled_once(), _server_config():
        at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
        at.session_state["user_id"] = user_id
        at.run()
        for key, value in (query or {}).items():
            at.query_params[key] = value
        at.switch_page(page).run()
        for kind, key, value in widgets or ():
            getattr(at, kind)(key=key).set_value(value).run()
        if at.exception:
            raise RuntimeError(f"{page}: {at.exception[0].value}")
        floor = _floor_app(floor_folder)
        _timed(floor.run, 0, warmup=2)
        _timed(at.run, 0, warmup=1)
        page_times: list[float] = []
        floor_times: list[float] = []
        for _ in range(runs):
            page_times += _timed(at.run, 1, warmup=0)
            floor_times += _timed(floor.run, 1, warmup=0)
        return page_times, floor_times


def _floor_app(folder: Path):
    script = folder / "floor_page.py"
    script.write_text(FLOOR_PAGE, encoding="utf-8")
    return AppTest.from_file(str(script), default_timeout=60)


# --- writes ------------------------------------------------------------------------------------


def answer_writes(
    path: Path,
    *,
    writers: int,
    answers_each: int,
    seed: int = 1,
    offset: int = 0,
    ready: Callable[[], object] | None = None,
    pace: float = 0.0,
) -> list[float]:
    """Seconds per ``submit_answer`` with ``writers`` threads writing at once (own connection each).

    ``offset`` skips that many people (another process writes for them); ``ready`` is called once
    everything is prepared, just before the writers start (a barrier shared with other processes).
    ``pace`` > 0: each writer first waits a random 0–``pace`` s before each answer (a person
    reading the next question; not timed), instead of sending the next one the moment the last is
    stored.
    """
    registry = get_registry()
    pack = next(iter(registry.packs.values()))
    setup = open_db(path, migrate=False)
    try:
        people = [
            r[0]
            for r in setup.execute("SELECT id FROM users ORDER BY id LIMIT ? OFFSET ?", [writers, offset]).fetchall()
        ]
        plans = []
        for n, user_id in enumerate(people):
            spec = QuizSpec(pack_id=pack.id, length=answers_each, seed=seed + n, title="Bench-skrivning")
            questions = draw_questions(spec, registry)
            plans.append((attempts.start_attempt(setup, user_id, spec, questions), questions))
    finally:
        setup.close()
    barrier = threading.Barrier(len(plans))
    times: list[float] = []
    failures: list[BaseException] = []
    lock = threading.Lock()

    def writer(attempt_id: int, questions, rng: random.Random) -> None:
        db = open_db(path, migrate=False)
        mine = []
        try:
            barrier.wait(timeout=60)
            for index, question in enumerate(questions):
                if pace:
                    time.sleep(rng.uniform(0, pace))
                began = time.perf_counter()
                attempts.submit_answer(
                    db, attempt_id, index, _some_answer(question, rng), time_taken_ms=3000, registry=registry
                )
                mine.append(time.perf_counter() - began)
        except BaseException as exc:  # reported by the caller
            failures.append(exc)
        finally:
            db.close()
            with lock:
                times.extend(mine)

    threads = [
        threading.Thread(target=writer, args=(attempt_id, questions, random.Random(seed + n)), daemon=True)
        for n, (attempt_id, questions) in enumerate(plans)
    ]
    if ready is not None:
        ready()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    if failures:
        raise RuntimeError(f"answer writes failed: {failures[0]!r}")
    return times


def _writer_process(
    path: str, writers: int, answers_each: int, seed: int, offset: int, pace: float, barrier, out
) -> None:
    try:
        times = answer_writes(
            Path(path),
            writers=writers,
            answers_each=answers_each,
            seed=seed,
            offset=offset,
            ready=barrier.wait,
            pace=pace,
        )
        out.put(("ok", times))
    except BaseException as exc:  # reported by the parent
        out.put(("error", f"{type(exc).__name__}: {exc}"))


def answer_writes_spread(
    path: Path, *, processes: int, writers: int, answers_each: int, pace: float = 0.0
) -> list[float]:
    """``answer_writes`` with the ``writers`` shared out over ``processes`` OS processes (as N app servers)."""
    ctx = multiprocessing.get_context("spawn")
    # Streamlit's script runner (the page runs measured before) leaves the last page script
    # installed as ``__main__``; a spawned child would run it again. The children get a plain one.
    saved_main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    barrier, out = ctx.Barrier(processes), ctx.Queue()
    each = writers // processes
    procs = [
        ctx.Process(
            target=_writer_process, args=(str(path), each, answers_each, 1 + 1000 * n, n * each, pace, barrier, out)
        )
        for n in range(processes)
    ]
    try:
        for proc in procs:
            proc.start()
    finally:
        if saved_main is not None:
            sys.modules["__main__"] = saved_main
    times: list[float] = []
    try:
        for _ in procs:
            status, value = out.get(timeout=300)
            if status != "ok":
                raise RuntimeError(f"answer writes failed: {value}")
            times.extend(value)
    finally:
        for proc in procs:
            proc.join(timeout=30)
            if proc.is_alive():
                proc.kill()
    return times


# --- HR aggregates -----------------------------------------------------------------------------


def hr_queries(path: Path, *, runs: int) -> dict[str, dict[str, float | None]]:
    """Seconds of each HR aggregate of ``quiz.hr.reports`` over the whole organisation, and of all together."""
    pack = next(iter(get_registry().packs.values()))
    db = open_db(path, migrate=False)
    try:
        parts: dict[str, Callable[[], object]] = {
            "people": lambda: reports.people(db, pack),
            "by_role": lambda: reports.by_role(reports.people(db, pack), pack),
            "organisation_mastery": lambda: reports.organisation_mastery(db, pack),
            "missed_statements": lambda: reports.missed_statements(db, pack),
        }
        timings = {name: _timed(fn, runs, warmup=1) for name, fn in parts.items()}
        timings["total"] = [
            timings["by_role"][i] + timings["organisation_mastery"][i] + timings["missed_statements"][i]
            for i in range(runs)
        ]
        return {name: summary_ms(values) for name, values in timings.items()}
    finally:
        db.close()


def export_times(path: Path, *, runs: int) -> dict[str, dict[str, float | None]]:
    """Milliseconds of HR's results CSV (everyone, with units and programme) and of the xAPI export of everyone."""
    registry = get_registry()
    pack = next(iter(registry.packs.values()))
    db = open_db(path, migrate=False)
    try:

        def results_csv() -> None:
            onboarding = exports.onboarding_for(db, pack)
            exports.write_results(reports.people(db, pack), pack, fmt="csv", out=io.StringIO(), onboarding=onboarding)

        def xapi_all() -> None:
            xapi.write_json(xapi.statements(db, dict(registry.packs), base="https://bench.invalid"), io.StringIO())

        return {
            "results_csv": summary_ms(_timed(results_csv, runs, warmup=1)),
            "xapi": summary_ms(_timed(xapi_all, runs, warmup=0)),
        }
    finally:
        db.close()


def size_figures(path: Path, people: int) -> dict[str, int]:
    """The database's bytes on disk (its WAL copied back first), in all and per person."""
    db = open_db(path, migrate=False)
    try:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        db.close()
    size = path.stat().st_size
    return {"db_bytes": size, "db_bytes_per_person": round(size / max(people, 1))}


def migration_figures(old: Path, *, runs: int = 3, progress: Callable[[str], None] = lambda text: None) -> dict:
    """Migrate a copy of ``old`` (a database written before the lean schema) and measure it.

    ``migration_s`` is the whole upgrade as the app runs it at start (the backup copy included,
    ``backup_s`` of it), then the sizes before and after (``VACUUM`` after: the freed pages given
    back), and HR's aggregates and exports on the migrated database.
    """
    with tempfile.TemporaryDirectory(prefix="quiz-bench-migrate-") as tmp:
        path = Path(tmp) / "progress.db"
        shutil.copy(old, path)
        raw = sqlite3.connect(path)
        (people,) = raw.execute("SELECT COUNT(*) FROM users").fetchone()
        raw.close()
        report: dict = {"users": people, "db_bytes_before": path.stat().st_size}
        report["db_bytes_per_person_before"] = round(report["db_bytes_before"] / max(people, 1))
        progress(f"Migrerer en kopi af {old} ({people} personer) ...")
        backup_began = time.perf_counter()
        backup(path, Path(tmp) / "timed-backup.db")
        report["backup_s"] = round(time.perf_counter() - backup_began, 2)
        (Path(tmp) / "timed-backup.db").unlink()
        began = time.perf_counter()
        open_db(path).close()
        report["migration_s"] = round(time.perf_counter() - began, 2)
        for copy in Path(tmp).glob("progress.before-*.db"):
            copy.unlink()
        raw = sqlite3.connect(path)
        raw.execute("VACUUM")
        raw.close()
        report.update(size_figures(path, people))
        progress("Måler HR-opgørelserne og eksporterne efter migreringen ...")
        report["hr_page_query_ms"] = hr_queries(path, runs=runs)
        report["export_ms"] = export_times(path, runs=runs)
    return report


def join_bytes(errors: dict[str, str]) -> dict:
    """``join_bytes_cold`` and its breakdown (quiz_devtools.wire); None, with the reason, without Chromium."""
    try:
        wire = cold_join_bytes()
    except Exception as exc:  # no browser, or the page did not come up: reported, the rest stands
        errors["join_cold"] = f"{type(exc).__name__}: {exc}"[:300]
        return {"join_bytes_cold": None}
    if wire.get("error"):
        errors["join_cold"] = wire["error"]
    return {"join_bytes_cold": wire.pop("join_bytes_cold"), "join_cold": wire}


# --- all of it ---------------------------------------------------------------------------------


def run_bench(*, users: int, quick: bool = False, progress: Callable[[str], None] = lambda text: None) -> dict:
    """Build the database, measure everything, and return the report (a JSON-ready dict)."""
    began = time.perf_counter()
    runs = 8 if quick else 101  # page runs, each beside a floor run: ~10 s in all, a steadier p50 than 31
    with tempfile.TemporaryDirectory(prefix="quiz-bench-") as tmp:
        folder = Path(tmp)
        path = folder / "progress.db"
        progress(f"Bygger databasen med {users} demopersoner ...")
        built = build_db(path, users=users)
        report: dict = {"users": built["users"], "answers": built["answers"], "db_mb": built["db_mb"]}
        report.update(size_figures(path, built["users"]))
        report["build_s"] = round(time.perf_counter() - began, 1)

        progress("Måler sidernes kørsler ...")
        who = {
            "intro": (built["learner_id"], None),
            "quiz_question": (built["learner_id"], None),
            "progress": (built["learner_id"], None),
            "facilitator": (built["facilitator_id"], {"session": str(built["live_session_id"])}),
            "hr": (built["admin_id"], None),
            # The onboarding section with a unit filter: the programme's statuses and chart for one centre.
            "hr_unit_programme": (built["admin_id"], None),
        }
        widgets = {
            "hr_unit_programme": [
                ("segmented_control", "admin_section", "programme"),
                ("selectbox", "admin_unit", built["centre_id"]),
            ]
        }
        rerun: dict[str, dict] = {}
        floors: dict[str, dict] = {}
        ratios: dict[str, float] = {}
        floor_all: list[float] = []
        errors: dict[str, str] = {}
        with _env("QUIZ_DB", str(path)):
            for name, page in PAGES.items():
                user_id, query = who[name]
                try:
                    times, beside = page_runs(
                        page, user_id=user_id, query=query, widgets=widgets.get(name), runs=runs, floor_folder=folder
                    )
                except Exception as exc:  # a broken page is reported, and the rest still measured
                    errors[name] = f"{type(exc).__name__}: {exc}"[:300]
                    continue
                rerun[name], floors[name] = summary_ms(times), summary_ms(beside)
                floor_all += beside
                if floors[name]["p50"]:
                    ratios[name] = round(rerun[name]["p50"] / floors[name]["p50"], 2)
        report["rerun_ms"] = rerun
        # The floor of all pages together, and the one run beside each page, against which its ratio is.
        report["floor_ms"] = summary_ms(floor_all) if floor_all else None
        report["floor_beside_ms"] = floors
        report["rerun_ratio"] = ratios
        report["rerun_ratio_max"] = max(ratios.values(), default=None)

        progress("Måler skrivning af svar ...")
        report["answer_write_ms"] = {
            "1": summary_ms(answer_writes(path, writers=1, answers_each=60)),
            "16": summary_ms(answer_writes(path, writers=16, answers_each=20)),
        }
        report["answer_write_p95_ms_16"] = report["answer_write_ms"]["16"]["p95"]
        # The same 16 writers as two app processes would have them: 8 threads in each of 2 processes.
        spread = answer_writes_spread(path, processes=2, writers=16, answers_each=20)
        report["answer_write_ms"]["16_over_2_processes"] = summary_ms(spread)
        report["answer_write_p95_ms_16_2proc"] = report["answer_write_ms"]["16_over_2_processes"]["p95"]
        # The same 16 at a person's pace: each answers at a random moment within a quarter of a
        # second of the last (up to ~64 answers a second in all, more than a full training room sends).
        paced = answer_writes_spread(path, processes=2, writers=16, answers_each=20, pace=PACE_S)
        report["answer_write_ms"]["16_over_2_processes_paced"] = summary_ms(paced)
        report["answer_write_p95_ms_16_2proc_paced"] = report["answer_write_ms"]["16_over_2_processes_paced"]["p95"]

        progress("Måler HR-opgørelserne ...")
        report["hr_page_query_ms"] = hr_queries(path, runs=3 if quick else 5)
        report["export_ms"] = export_times(path, runs=1 if quick else 3)


        progress("Måler påmindelser og import ...")
        # remind first: over the demo organisation, before the import adds people awaiting an invitation
        report.update(remind_figures(path, people=built["users"]))
        report.update(import_figures(path, rows=users, admin_id=built["admin_id"]))
    report["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    progress("Måler en telefons første besøg på /deltag (Chromium) ...")
    report.update(join_bytes(errors))
    report["page_errors"] = errors
    report["duration_s"] = round(time.perf_counter() - began, 1)
    return report
