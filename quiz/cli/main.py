"""``python -m quiz``: validate and export content, manage users, demo data, backups, benchmarks.

Each command's work lives in the module named for it; this file only wires up arguments and turns
expected failures into a plain message and exit code 1, never a traceback.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from quiz import i18n, settings
from quiz.cli import common, hr
from quiz.content import PackError, Problem, find_pack_folders, load_pack
from quiz.content.loader import content_root
from quiz.hr import reports, xapi
from quiz.hr.exports import onboarding_for, write_results, write_statements
from quiz.i18n import Msg, QuizError, t
from quiz.people.accounts import add_user, temporary_password
from quiz.people.auth import InvalidInput
from quiz.store import UsernameTaken, default_db_path
from quiz.store.backup import BackupError, backup


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
    write_statements(common.pack(args.pack), fmt=args.format, out=common.open_out(args.out))
    return 0


def cmd_export_xapi(args: argparse.Namespace) -> int:
    registry = common.registry()
    db = common.database(must_exist=True)
    since = common.parse_date(args.since) if args.since else None
    skipped: list[xapi.Skipped] = []
    statements = xapi.statements(db, registry.packs, base=args.base, since=since, skipped=skipped)
    count = xapi.write_json(statements, common.open_out(args.out))
    for left_out in skipped:  # by person and record; everyone else's records are in the file
        print(left_out.message().render(), file=sys.stderr)
    if args.out and args.out != "-":
        print(t("cli.xapi.written", count=count, path=args.out), file=sys.stderr)
    return 0


def cmd_export_results(args: argparse.Namespace) -> int:
    registry = common.registry()
    pack = common.registry_pack(registry, args.pack)
    if args.role is not None and args.role not in pack.roles:
        raise common.CommandError("cli.unknown_role", role=args.role, known=", ".join(pack.roles))
    since = common.parse_date(args.since).date() if args.since else None
    until = common.parse_date(args.until).date() if args.until else None
    period = reports.Period.from_dates(since, until)
    db = common.database(must_exist=True)
    people = reports.people(db, pack, role=args.role, period=period)
    skipped: list = []
    out = common.open_out(args.out)
    write_results(people, pack, fmt=args.format, out=out, onboarding=onboarding_for(db, pack), skipped=skipped)
    for left_out in skipped:  # by person; everyone else is in the file
        print(left_out.render(), file=sys.stderr)
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    try:
        result = backup(default_db_path(), args.file, overwrite=args.force)
    except BackupError as exc:
        raise common.CommandError(exc.msg) from exc
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
    password, generated = args.password, False
    if password is None and sys.stdin.isatty():
        password = getpass.getpass(t("cli.users.password_prompt"))
        if getpass.getpass(t("cli.users.repeat_prompt")) != password:
            raise common.CommandError("cli.users.mismatch")
    elif password is None:
        password, generated = temporary_password(), True
    role = args.role
    if role is not None:
        pack = common.registry_pack(common.registry(), None)
        if role not in pack.roles:
            raise common.CommandError("cli.unknown_role", role=role, known=", ".join(pack.roles))
    try:
        user = add_user(
            common.database(),
            args.name,
            password,
            display_name=args.display_name,
            is_admin=args.admin,
            is_facilitator=args.facilitator,
            role_key=role,
        )
    except (InvalidInput, UsernameTaken) as exc:
        raise common.CommandError(exc.msg if isinstance(exc, QuizError) else Msg("cli.as_is", text=str(exc))) from exc
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

    hr.register(sub)
    _register_devtools(sub)
    return parser


def _register_devtools(sub) -> None:
    """The developers' commands (demo, bench, loadtest), where a checkout has ``quiz_devtools``."""
    try:
        # Deferred: the dev tools live beside the product, in a checkout with the test extra only;
        # the product runs without them.
        from quiz_devtools import commands
    except ImportError:
        for name in ("demo", "bench", "loadtest"):
            missing = sub.add_parser(name, help=t("cli.help.devtools_missing"), add_help=False)
            missing.set_defaults(func=_devtools_missing, command_name=name)
        return
    commands.register(sub)


def _devtools_missing(args: argparse.Namespace) -> int:
    raise common.CommandError("cli.devtools_missing", command=args.command_name)


def main(argv: list[str] | None = None) -> int:
    try:
        i18n.set_language(settings.current().language)
    except settings.SettingsError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown and getattr(args, "func", None) is not _devtools_missing:
        parser.parse_args(argv)  # argparse's own message for what the command does not take
    try:
        return args.func(args)
    except common.CommandError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader (e.g. `| head`) stopped early; that is not an error of ours.
        sys.stderr.close()
        return 0
