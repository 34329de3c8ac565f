"""The developers' commands of ``python -m quiz``: ``demo``, ``bench`` and ``loadtest``.

Registered by ``quiz.cli.main`` when a checkout has this package beside ``quiz``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from quiz.cli import common
from quiz.i18n import Msg, t
from quiz_devtools.bench import migration_figures, run_bench
from quiz_devtools.demo import DEMO_PASSWORD, make_demo
from quiz_devtools.loadtest.driver import run_loadtest
from quiz_devtools.loadtest.server import ServerError


def cmd_demo(args: argparse.Namespace) -> int:
    if args.users < 1:
        raise common.CommandError("cli.at_least", flag="--users", low=1)
    registry = common.registry()
    pack = common.registry_pack(registry, args.pack)
    db = common.database()

    def progress(done: int, total: int) -> None:
        print(t("cli.demo.progress", done=done, total=total), file=sys.stderr)

    summary = make_demo(db, registry, users=args.users, seed=args.seed, pack_id=pack.id, progress=progress)
    live = t("cli.demo.live", session=summary.live_session) if summary.live_session else t("cli.demo.no_live")
    print(
        t(
            "cli.demo.done",
            path=db.conn.execute("PRAGMA database_list").fetchone()[2],
            users=summary.users,
            first=summary.usernames[0],
            last=summary.usernames[-1],
            attempts=summary.attempts,
            answers=summary.answers,
            live=live,
            seconds=f"{summary.seconds:.1f}",
            password=DEMO_PASSWORD,
        )
    )
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    if args.migrate_from is not None:
        if not Path(args.migrate_from).is_file():
            raise common.CommandError("cli.bench.no_database", path=args.migrate_from)
        report = migration_figures(Path(args.migrate_from), progress=lambda text: print(text, file=sys.stderr))
        print(json.dumps(report, ensure_ascii=False))
        return 0
    users = args.users if args.users is not None else (500 if args.quick else 5000)
    if not 1 <= users <= 50_000:
        raise common.CommandError("cli.between", flag="--users", low=1, high=50000)
    report = run_bench(users=users, quick=args.quick, progress=lambda text: print(text, file=sys.stderr))
    print(json.dumps(report, ensure_ascii=False))
    return 0


def cmd_loadtest(args: argparse.Namespace) -> int:
    limits = (
        ("--participants", args.participants, 1, 5000),
        ("--questions", args.questions, 1, 40),
        ("--join-seconds", args.join_seconds, 0, 600),
        ("--answer-window", args.answer_window, 0, 120),
        ("--signed-in-share", args.signed_in_share, 0, 1),
    )
    for flag, value, low, high in limits:
        if not low <= value <= high:
            raise common.CommandError("cli.between", flag=flag, low=low, high=high)
    if args.timer is not None and not 5 <= args.timer <= 600:
        raise common.CommandError("cli.between", flag="--timer", low=5, high=600)
    if args.port is not None and not 1024 <= args.port <= 65535:
        raise common.CommandError("cli.between", flag="--port", low=1024, high=65535)
    if not 0 <= args.processes <= 8:
        raise common.CommandError(Msg("deploy.cli.processes_range"))
    try:
        report = run_loadtest(
            participants=args.participants,
            questions=args.questions,
            port=args.port,
            join_seconds=args.join_seconds,
            answer_window=args.answer_window,
            signed_in_share=args.signed_in_share,
            seed=args.seed,
            processes=args.processes,
            timer_seconds=args.timer,
            open_question=args.open_question,
        )
    except ServerError as exc:
        raise common.CommandError(Msg("cli.as_is", text=str(exc))) from exc
    print(json.dumps(report, ensure_ascii=False))
    return 0


def register(sub) -> None:
    """Add ``demo``, ``bench`` and ``loadtest`` to the command line's subcommands."""
    p = sub.add_parser("demo", help=t("cli.help.demo"))
    p.add_argument("--users", type=int, required=True, help=t("cli.help.demo.users"))
    p.add_argument("--seed", type=int, default=1, help=t("cli.help.demo.seed"))
    p.add_argument("--pack", help=t("cli.help.demo.pack"))
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("bench", help=t("cli.help.bench"))
    p.add_argument("--quick", action="store_true", help=t("cli.help.bench.quick"))
    p.add_argument("--users", type=int, help=t("cli.help.bench.users"))
    p.add_argument("--migrate-from", help=t("cli.help.bench.migrate_from"))
    p.set_defaults(func=cmd_bench)

    p = sub.add_parser("loadtest", help=t("cli.help.loadtest"))
    p.add_argument("--participants", type=int, default=300, help=t("cli.help.loadtest.participants"))
    p.add_argument("--questions", type=int, default=10, help=t("cli.help.loadtest.questions"))
    p.add_argument("--port", type=int, help=t("cli.help.loadtest.port"))
    p.add_argument("--join-seconds", type=float, default=60.0, help=t("cli.help.loadtest.join_seconds"))
    p.add_argument("--answer-window", type=float, default=10.0, help=t("cli.help.loadtest.answer_window"))
    p.add_argument("--signed-in-share", type=float, default=0.5, help=t("cli.help.loadtest.signed_in_share"))
    p.add_argument("--seed", type=int, default=1, help=t("cli.help.loadtest.seed"))
    p.add_argument("--processes", type=int, default=0, help=t("deploy.cli.processes_help"))
    p.add_argument("--timer", type=int, help=t("cli.help.loadtest.timer"))
    p.add_argument("--open-question", action="store_true", help=t("cli.help.loadtest.open_question"))
    p.set_defaults(func=cmd_loadtest)
