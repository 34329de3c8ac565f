"""``python -m quiz``: validate and export content, manage users, demo data, backups, benchmarks.

Each command's work lives in the module named for it; this file only wires up arguments and turns
expected failures into a plain message and exit code 1, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from quiz.content import PackError, Problem, find_pack_folders, load_all, load_pack
from quiz.content.loader import content_root


class CommandError(Exception):
    """An expected failure: its message is shown to the user as it is, with exit code 1."""


def _counts(pack) -> str:
    per_perspective = ", ".join(
        f"{key} {sum(s.perspective == key for s in pack.statements)}" for key in pack.perspectives
    )
    per_role = ", ".join(f"{key} {sum(s.role == key for s in pack.statements)}" for key in pack.roles)
    return f"perspektiver: {per_perspective}; roller: {per_role}"


def cmd_validate(args: argparse.Namespace) -> int:
    folders: list[Path] = []
    if args.paths:
        for raw in args.paths:
            path = Path(raw)
            found = find_pack_folders(path)
            if not found:
                print(f"{path}: ingen indholdspakke fundet (mangler pack.yaml)", file=sys.stderr)
                return 1
            folders += found
    else:
        folders = find_pack_folders()
        if not folders:
            print(f"{content_root()}: ingen indholdspakker fundet", file=sys.stderr)
            return 1
    failed = False
    seen: dict[str, Path] = {}
    for folder in folders:
        try:
            pack = load_pack(folder)
            if pack.id in seen:
                raise PackError(
                    folder,
                    [Problem(folder / "pack.yaml", f"id '{pack.id}' bruges også af {seen[pack.id]}", path="id")],
                )
        except PackError as exc:
            failed = True
            print(f"UGYLDIG {folder}: {len(exc.problems)} problem(er)", file=sys.stderr)
            for problem in exc.problems:
                print(f"  - {problem}", file=sys.stderr)
            continue
        seen[pack.id] = folder
        print(f"OK {pack.id} ({folder}): {len(pack.statements)} udsagn; {_counts(pack)}")
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
            raise CommandError(str(error))
    known = ", ".join(p.id for p in packs) or "ingen"
    raise CommandError(f"Ingen indholdspakke med id '{pack_id}' i {content_root()} (fundet: {known})")


def _open_out(out: str | None):
    """Standard output, or the file named by --out (UTF-8)."""
    if not out or out == "-":
        sys.stdout.reconfigure(encoding="utf-8")
        return sys.stdout
    try:
        return open(out, "w", encoding="utf-8", newline="")  # noqa: SIM115 - closed at exit
    except OSError as exc:
        raise CommandError(f"Kan ikke skrive til {out}: {exc.strerror or exc}") from None


def _registry():
    from quiz.plugins import get_registry

    registry = get_registry()
    if not registry.packs:
        raise CommandError(f"Ingen gyldige indholdspakker i {content_root()}. Kør `python -m quiz validate`.")
    return registry


def _registry_pack(registry, pack_id: str | None):
    if pack_id is None:
        return next(iter(registry.packs.values()))
    if pack_id not in registry.packs:
        raise CommandError(f"Ingen indholdspakke med id '{pack_id}' (fundet: {', '.join(registry.packs)})")
    return registry.packs[pack_id]


def _db(*, must_exist: bool = False):
    from quiz.store import default_db_path, open_db

    path = default_db_path()
    if must_exist and not path.is_file():
        raise CommandError(f"Databasen {path} findes ikke. Sæt QUIZ_DB til stien til progress.db.")
    try:
        return open_db(path)
    except Exception as exc:  # sqlite3.Error, OSError: a path or file we cannot use
        raise CommandError(f"Kan ikke åbne databasen {path}: {exc}") from exc


def cmd_demo(args: argparse.Namespace) -> int:
    from quiz.devtools.demo import DEMO_PASSWORD, make_demo

    if args.users < 1:
        raise CommandError("--users skal være mindst 1.")
    registry = _registry()
    pack = _registry_pack(registry, args.pack)
    db = _db()

    def progress(done: int, total: int) -> None:
        print(f"  {done} af {total} personer", file=sys.stderr)

    summary = make_demo(db, registry, users=args.users, seed=args.seed, pack_id=pack.id, progress=progress)
    live = f"; live-session {summary.live_session}" if summary.live_session else "; ingen live-session"
    print(
        f"Demodata i {db.conn.execute('PRAGMA database_list').fetchone()[2]}: {summary.users} personer "
        f"({summary.usernames[0]} – {summary.usernames[-1]}), {summary.attempts} quizforsøg, "
        f"{summary.answers} svar{live}; {summary.seconds:.1f} s. Adgangskode til alle: {DEMO_PASSWORD}"
    )
    return 0


def cmd_export_xapi(args: argparse.Namespace) -> int:
    from quiz import xapi

    registry = _registry()
    db = _db(must_exist=True)
    since = _date(args.since) if args.since else None
    count = xapi.write_json(xapi.statements(db, registry.packs, base=args.base, since=since), _open_out(args.out))
    if args.out and args.out != "-":
        print(f"{count} xAPI-statements skrevet til {args.out}", file=sys.stderr)
    return 0


def cmd_export_results(args: argparse.Namespace) -> int:
    from quiz import reports
    from quiz.exports import onboarding_for, write_results

    registry = _registry()
    pack = _registry_pack(registry, args.pack)
    if args.role is not None and args.role not in pack.roles:
        raise CommandError(f"Ukendt rolle '{args.role}'. Brug en af: {', '.join(pack.roles)}")
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
        raise CommandError(f"Ugyldig dato '{text}'. Skriv den som ÅÅÅÅ-MM-DD, f.eks. 2026-09-01.") from exc


def cmd_backup(args: argparse.Namespace) -> int:
    from quiz.backup import BackupError, backup
    from quiz.store import default_db_path

    try:
        result = backup(default_db_path(), args.file, overwrite=args.force)
    except BackupError as exc:
        raise CommandError(str(exc)) from exc
    print(
        f"Sikkerhedskopi skrevet til {result.path} ({result.size_bytes / 1_000_000:.1f} MB, "
        f"{result.users} personer, {result.answers} svar)."
    )
    return 0


def cmd_users_add(args: argparse.Namespace) -> int:
    import getpass

    from quiz.accounts import add_user, temporary_password
    from quiz.auth import InvalidInput
    from quiz.store import UsernameTaken

    password, generated = args.password, False
    if password is None and sys.stdin.isatty():
        password = getpass.getpass("Adgangskode: ")
        if getpass.getpass("Gentag adgangskoden: ") != password:
            raise CommandError("De to adgangskoder er ikke ens. Intet er ændret.")
    elif password is None:
        password, generated = temporary_password(), True
    role = args.role
    if role is not None:
        pack = _registry_pack(_registry(), None)
        if role not in pack.roles:
            raise CommandError(f"Ukendt rolle '{role}'. Brug en af: {', '.join(pack.roles)}")
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
        raise CommandError(str(exc)) from exc
    rights = [label for flag, label in ((user.is_admin, "administrator"), (user.is_facilitator, "facilitator")) if flag]
    print(f"Bruger '{user.username}' oprettet" + (f" ({', '.join(rights)})" if rights else "") + ".")
    if generated:
        print(f"Midlertidig adgangskode (vises kun nu): {password}")
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    import json

    from quiz.devtools.bench import run_bench

    users = args.users if args.users is not None else (500 if args.quick else 5000)
    if not 1 <= users <= 50_000:
        raise CommandError("--users skal være mellem 1 og 50000.")
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
            raise CommandError(f"{flag} skal være mellem {low} og {high}.")
    if args.port is not None and not 1024 <= args.port <= 65535:
        raise CommandError("--port skal være mellem 1024 og 65535.")
    try:
        report = run_loadtest(
            participants=args.participants,
            questions=args.questions,
            port=args.port,
            join_seconds=args.join_seconds,
            answer_window=args.answer_window,
            signed_in_share=args.signed_in_share,
            seed=args.seed,
        )
    except ServerError as exc:
        raise CommandError(str(exc)) from exc
    print(json.dumps(report, ensure_ascii=False))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m quiz", description="Hvidovrevejen e-læring på kommandolinjen.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("validate", help="valider indholdspakker")
    p.add_argument("paths", nargs="*", help="pakkemapper eller en mappe med pakker (standard: alle)")
    p.set_defaults(func=cmd_validate)

    export = sub.add_parser("export", help="eksporter data").add_subparsers(dest="what", required=True)
    p = export.add_parser("statements", help="alle udsagn i en pakke")
    p.add_argument("--pack", required=True)
    p.add_argument("--format", choices=["json", "csv"], default="json")
    p.add_argument("--out", help="fil at skrive til (standard: skærmen)")
    p.set_defaults(func=cmd_export_statements)
    p = export.add_parser("xapi", help="læringsdata som xAPI-statements (JSON)")
    p.add_argument("--out", help="fil at skrive til (standard: skærmen)")
    p.add_argument("--since", help="kun data fra denne dato (ÅÅÅÅ-MM-DD)")
    p.add_argument("--base", help="basis-IRI (standard: QUIZ_XAPI_BASE)")
    p.set_defaults(func=cmd_export_xapi)
    p = export.add_parser("results", help="resultater pr. person (CSV til Excel eller JSON)")
    p.add_argument("--format", choices=["csv", "json"], default="csv")
    p.add_argument("--out", help="fil at skrive til (standard: skærmen)")
    p.add_argument("--pack", help="indholdspakke (standard: den første)")
    p.add_argument("--role", help="kun personer med denne rolle")
    p.add_argument("--since", help="tæl quizzer og svar fra denne dato (ÅÅÅÅ-MM-DD)")
    p.add_argument("--until", help="tæl quizzer og svar til og med denne dato (ÅÅÅÅ-MM-DD)")
    p.set_defaults(func=cmd_export_results)

    p = sub.add_parser("demo", help="fyld databasen (QUIZ_DB) med demodata")
    p.add_argument("--users", type=int, required=True, help="antal demopersoner")
    p.add_argument("--seed", type=int, default=1, help="samme seed giver samme data")
    p.add_argument("--pack", help="indholdspakke (standard: den første)")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("backup", help="sikkerhedskopi af databasen, også mens appen kører")
    p.add_argument("file", help="fil at skrive kopien til")
    p.add_argument("--force", action="store_true", help="overskriv filen, hvis den findes")
    p.set_defaults(func=cmd_backup)

    users = sub.add_parser("users", help="brugere").add_subparsers(dest="what", required=True)
    p = users.add_parser("add", help="opret en bruger (sådan oprettes den første administrator)")
    p.add_argument("name", help="brugernavn")
    p.add_argument("--admin", action="store_true", help="giv administratorrollen")
    p.add_argument("--facilitator", action="store_true", help="giv facilitatorrollen")
    p.add_argument("--display-name", help="navn som andre ser (standard: brugernavnet)")
    p.add_argument("--password", help="adgangskode (standard: spørg, eller lav en midlertidig)")
    p.add_argument("--role", help="personens rolle i organisationen, f.eks. medarbejder")
    p.set_defaults(func=cmd_users_add)

    p = sub.add_parser("bench", help="mål svartider på en realistisk database; skriver JSON")
    p.add_argument("--quick", action="store_true", help="500 demopersoner i stedet for 5.000 (hurtigt)")
    p.add_argument("--users", type=int, help="antal demopersoner (standard: 5000, med --quick 500)")
    p.set_defaults(func=cmd_bench)

    p = sub.add_parser("loadtest", help="en live-quiz med mange telefoner mod en rigtig server; skriver JSON")
    p.add_argument("--participants", type=int, default=300, help="antal telefoner (standard: 300)")
    p.add_argument("--questions", type=int, default=10, help="antal spørgsmål (standard: 10)")
    p.add_argument("--port", type=int, help="port på 127.0.0.1 (standard: en ledig)")
    p.add_argument("--join-seconds", type=float, default=60.0, help="deltagerne kommer inden for så mange sekunder")
    p.add_argument("--answer-window", type=float, default=10.0, help="hver svarer inden for så mange sekunder")
    p.add_argument("--signed-in-share", type=float, default=0.5, help="andel der er logget ind (standard: 0.5)")
    p.add_argument("--seed", type=int, default=1, help="samme seed giver samme forløb")
    p.set_defaults(func=cmd_loadtest)

    from quiz import hr_cli

    hr_cli.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
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
