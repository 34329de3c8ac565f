"""``python -m quiz``: validate and export content, manage users, demo data, backups, benchmarks.

Each command's work lives in the module named for it; this file only wires up arguments and turns
expected failures into a plain message and exit code 1, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from quiz import i18n
from quiz.content import PackError, Problem, find_pack_folders, load_all, load_pack
from quiz.content.loader import content_root
from quiz.i18n import Msg, QuizError, t


class CommandError(QuizError):
    """An expected failure: its message is shown to the user, with exit code 1."""


def _counts(pack) -> str:
    per_perspective = ", ".join(
        f"{key} {sum(s.perspective == key for s in pack.statements)}" for key in pack.perspectives
    )
    per_role = ", ".join(f"{key} {sum(s.role == key for s in pack.statements)}" for key in pack.roles)
    return t("cli.validate.counts", perspectives=per_perspective, roles=per_role)


def _translation_report(pack) -> tuple[list[str], bool]:
    """One line per translation of ``pack``: complete, or what it lacks; and whether all are complete."""
    lines, complete = [], True
    for lang, translation in sorted(pack.translations.items()):
        missing = pack.missing_translations(lang)
        if missing:
            complete = False
            shown = ", ".join(missing[:10]) + (" …" if len(missing) > 10 else "")
            lines.append(t("cli.validate.translation_incomplete", language=lang, count=len(missing), missing=shown))
        else:
            lines.append(t("cli.validate.translation_complete", language=lang, original=translation.translation_of))
    return lines, complete


def cmd_validate(args: argparse.Namespace) -> int:
    folders: list[Path] = []
    if args.paths:
        for raw in args.paths:
            path = Path(raw)
            found = find_pack_folders(path)
            if not found:
                print(t("cli.validate.no_pack", path=path), file=sys.stderr)
                return 1
            folders += found
    else:
        folders = find_pack_folders()
        if not folders:
            print(t("cli.validate.no_packs", path=content_root()), file=sys.stderr)
            return 1
    failed = False
    seen: dict[str, Path] = {}
    for folder in folders:
        try:
            pack = load_pack(folder)
            if pack.id in seen:
                raise PackError(
                    folder,
                    [
                        Problem(
                            folder / "pack.yaml",
                            Msg("cli.validate.duplicate_id", id=pack.id, other=seen[pack.id]),
                            path="id",
                        )
                    ],
                )
        except PackError as exc:
            failed = True
            print(t("cli.validate.invalid", folder=folder, count=len(exc.problems)), file=sys.stderr)
            for problem in exc.problems:
                print(f"  - {problem}", file=sys.stderr)
            continue
        seen[pack.id] = folder
        print(t("cli.validate.ok", id=pack.id, folder=folder, count=len(pack.statements), counts=_counts(pack)))
        lines, complete = _translation_report(pack)
        for line in lines:
            print(f"  {line}", file=sys.stdout if complete else sys.stderr)
        failed = failed or not complete
    return 1 if failed else 0


def cmd_export_statements(args: argparse.Namespace) -> int:
    from quiz.exports import write_statements

    write_statements(_pack(args.pack), fmt=args.format, out=_open_out(args.out))
    return 0


def _pack(pack_id: str):
    packs, errors = load_all()
    for pack in packs:
        if pack.id == pack_id:
            return pack
    for error in errors:
        if error.folder.name == pack_id:
            raise CommandError(Msg("cli.as_is", text=str(error)))
    known = ", ".join(p.id for p in packs) or t("plugins.none")
    raise CommandError("cli.no_pack_id", id=pack_id, root=content_root(), known=known)


def _open_out(out: str | None):
    """Standard output, or the file named by --out (UTF-8)."""
    if not out or out == "-":
        sys.stdout.reconfigure(encoding="utf-8")
        return sys.stdout
    try:
        return open(out, "w", encoding="utf-8", newline="")  # noqa: SIM115 - closed at exit
    except OSError as exc:
        raise CommandError("cli.cannot_write", path=out, error=exc.strerror or exc) from None


def _registry():
    from quiz.plugins import get_registry

    registry = get_registry()
    if not registry.packs:
        raise CommandError("cli.no_valid_packs", root=content_root())
    return registry


def _registry_pack(registry, pack_id: str | None):
    if pack_id is None:
        return next(iter(registry.packs.values()))
    if pack_id not in registry.packs:
        raise CommandError("cli.no_registry_pack", id=pack_id, known=", ".join(registry.packs))
    return registry.packs[pack_id]


def _db(*, must_exist: bool = False):
    from quiz.store import default_db_path, open_db

    path = default_db_path()
    if must_exist and not path.is_file():
        raise CommandError("cli.no_database", path=path)
    try:
        return open_db(path)
    except Exception as exc:  # sqlite3.Error, OSError: a path or file we cannot use
        raise CommandError("cli.cannot_open_database", path=path, error=exc) from exc


def cmd_demo(args: argparse.Namespace) -> int:
    from quiz.devtools.demo import DEMO_PASSWORD, make_demo

    if args.users < 1:
        raise CommandError("cli.at_least", flag="--users", low=1)
    registry = _registry()
    pack = _registry_pack(registry, args.pack)
    db = _db()

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


def cmd_export_xapi(args: argparse.Namespace) -> int:
    from quiz import xapi

    registry = _registry()
    db = _db(must_exist=True)
    since = _date(args.since) if args.since else None
    count = xapi.write_json(xapi.statements(db, registry.packs, base=args.base, since=since), _open_out(args.out))
    if args.out and args.out != "-":
        print(t("cli.xapi.written", count=count, path=args.out), file=sys.stderr)
    return 0


def cmd_export_results(args: argparse.Namespace) -> int:
    from quiz import reports
    from quiz.exports import onboarding_for, write_results

    registry = _registry()
    pack = _registry_pack(registry, args.pack)
    if args.role is not None and args.role not in pack.roles:
        raise CommandError("cli.unknown_role", role=args.role, known=", ".join(pack.roles))
    period = reports.Period.from_dates(
        _date(args.since).date() if args.since else None, _date(args.until).date() if args.until else None
    )
    db = _db(must_exist=True)
    people = reports.people(db, pack, role=args.role, period=period)
    write_results(people, pack, fmt=args.format, out=_open_out(args.out), onboarding=onboarding_for(db, pack))
    return 0


def _date(text: str):
    from datetime import datetime

    from quiz.reports import LOCAL

    try:
        return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=LOCAL)
    except ValueError as exc:
        raise CommandError("cli.bad_date", text=text) from exc


def cmd_backup(args: argparse.Namespace) -> int:
    from quiz.backup import BackupError, backup
    from quiz.store import default_db_path

    try:
        result = backup(default_db_path(), args.file, overwrite=args.force)
    except BackupError as exc:
        raise CommandError(exc.msg) from exc
    print(
        t(
            "cli.backup.done",
            path=result.path,
            mb=f"{result.size_bytes / 1_000_000:.1f}",
            users=result.users,
            answers=result.answers,
        )
    )
    return 0


def cmd_users_add(args: argparse.Namespace) -> int:
    import getpass

    from quiz.accounts import add_user, temporary_password
    from quiz.auth import InvalidInput
    from quiz.store import UsernameTaken

    password, generated = args.password, False
    if password is None and sys.stdin.isatty():
        password = getpass.getpass(t("cli.users.password_prompt"))
        if getpass.getpass(t("cli.users.repeat_prompt")) != password:
            raise CommandError("cli.users.mismatch")
    elif password is None:
        password, generated = temporary_password(), True
    role = args.role
    if role is not None:
        pack = _registry_pack(_registry(), None)
        if role not in pack.roles:
            raise CommandError("cli.unknown_role", role=role, known=", ".join(pack.roles))
    try:
        user = add_user(
            _db(),
            args.name,
            password,
            display_name=args.display_name,
            is_admin=args.admin,
            is_facilitator=args.facilitator,
            role_key=role,
        )
    except (InvalidInput, UsernameTaken) as exc:
        raise CommandError(exc.msg if isinstance(exc, QuizError) else Msg("cli.as_is", text=str(exc))) from exc
    rights = [
        t(label)
        for flag, label in ((user.is_admin, "cli.users.admin"), (user.is_facilitator, "cli.users.facilitator"))
        if flag
    ]
    if rights:
        print(t("cli.users.created_with", username=user.username, rights=", ".join(rights)))
    else:
        print(t("cli.users.created", username=user.username))
    if generated:
        print(t("cli.users.temporary", password=password))
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    import json

    from quiz.devtools.bench import run_bench

    users = args.users if args.users is not None else (500 if args.quick else 5000)
    if not 1 <= users <= 50_000:
        raise CommandError("cli.between", flag="--users", low=1, high=50000)
    report = run_bench(users=users, quick=args.quick, progress=lambda text: print(text, file=sys.stderr))
    print(json.dumps(report, ensure_ascii=False))
    return 0


def cmd_loadtest(args: argparse.Namespace) -> int:
    import json

    from quiz.devtools.loadtest.driver import run_loadtest
    from quiz.devtools.loadtest.server import ServerError

    limits = (
        ("--participants", args.participants, 1, 1000),
        ("--questions", args.questions, 1, 40),
        ("--join-seconds", args.join_seconds, 0, 600),
        ("--answer-window", args.answer_window, 0, 120),
        ("--signed-in-share", args.signed_in_share, 0, 1),
    )
    for flag, value, low, high in limits:
        if not low <= value <= high:
            raise CommandError("cli.between", flag=flag, low=low, high=high)
    if args.timer is not None and not 5 <= args.timer <= 600:
        raise CommandError("cli.between", flag="--timer", low=5, high=600)
    if args.port is not None and not 1024 <= args.port <= 65535:
        raise CommandError("cli.between", flag="--port", low=1024, high=65535)
    if not 0 <= args.processes <= 8:
        raise CommandError(Msg("deploy.cli.processes_range"))
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
        raise CommandError(Msg("cli.as_is", text=str(exc))) from exc
    print(json.dumps(report, ensure_ascii=False))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m quiz", description=t("cli.help.description"))
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("validate", help=t("cli.help.validate"))
    p.add_argument("paths", nargs="*", help=t("cli.help.validate.paths"))
    p.set_defaults(func=cmd_validate)

    export = sub.add_parser("export", help=t("cli.help.export")).add_subparsers(dest="what", required=True)
    p = export.add_parser("statements", help=t("cli.help.statements"))
    p.add_argument("--pack", required=True)
    p.add_argument("--format", choices=["json", "csv"], default="json")
    p.add_argument("--out", help=t("cli.help.statements.out"))
    p.set_defaults(func=cmd_export_statements)
    p = export.add_parser("xapi", help=t("cli.help.xapi"))
    p.add_argument("--out", help=t("cli.help.xapi.out"))
    p.add_argument("--since", help=t("cli.help.xapi.since"))
    p.add_argument("--base", help=t("cli.help.xapi.base"))
    p.set_defaults(func=cmd_export_xapi)
    p = export.add_parser("results", help=t("cli.help.results"))
    p.add_argument("--format", choices=["csv", "json"], default="csv")
    p.add_argument("--out", help=t("cli.help.results.out"))
    p.add_argument("--pack", help=t("cli.help.results.pack"))
    p.add_argument("--role", help=t("cli.help.results.role"))
    p.add_argument("--since", help=t("cli.help.results.since"))
    p.add_argument("--until", help=t("cli.help.results.until"))
    p.set_defaults(func=cmd_export_results)

    p = sub.add_parser("demo", help=t("cli.help.demo"))
    p.add_argument("--users", type=int, required=True, help=t("cli.help.demo.users"))
    p.add_argument("--seed", type=int, default=1, help=t("cli.help.demo.seed"))
    p.add_argument("--pack", help=t("cli.help.demo.pack"))
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("backup", help=t("cli.help.backup"))
    p.add_argument("file", help=t("cli.help.backup.file"))
    p.add_argument("--force", action="store_true", help=t("cli.help.backup.force"))
    p.set_defaults(func=cmd_backup)

    users = sub.add_parser("users", help=t("cli.help.users")).add_subparsers(dest="what", required=True)
    p = users.add_parser("add", help=t("cli.help.add"))
    p.add_argument("name", help=t("cli.help.add.name"))
    p.add_argument("--admin", action="store_true", help=t("cli.help.add.admin"))
    p.add_argument("--facilitator", action="store_true", help=t("cli.help.add.facilitator"))
    p.add_argument("--display-name", help=t("cli.help.add.display_name"))
    p.add_argument("--password", help=t("cli.help.add.password"))
    p.add_argument("--role", help=t("cli.help.add.role"))
    p.set_defaults(func=cmd_users_add)

    p = sub.add_parser("bench", help=t("cli.help.bench"))
    p.add_argument("--quick", action="store_true", help=t("cli.help.bench.quick"))
    p.add_argument("--users", type=int, help=t("cli.help.bench.users"))
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

    from quiz import hr_cli

    hr_cli.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    from quiz import settings

    try:
        i18n.set_language(settings.current().language)
    except settings.SettingsError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except CommandError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader (e.g. `| head`) stopped early; that is not an error of ours.
        sys.stderr.close()
        return 0
