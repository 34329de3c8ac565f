"""``python -m quiz``: validate and export content, manage users, demo data, backups, benchmarks.

Each command's work lives in the module named for it; this file only wires up arguments and turns
expected failures into a plain message and exit code 1, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from quiz.content import PackError, find_pack_folders, load_all, load_pack
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
    for folder in folders:
        try:
            pack = load_pack(folder)
        except PackError as exc:
            failed = True
            print(f"UGYLDIG {folder}: {len(exc.problems)} problem(er)", file=sys.stderr)
            for problem in exc.problems:
                print(f"  - {problem}", file=sys.stderr)
            continue
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
    return open(out, "w", encoding="utf-8", newline="")  # noqa: SIM115 - closed at exit

def cmd_bench(args: argparse.Namespace) -> int:
    import json

    from quiz.bench import run_bench

    users = args.users if args.users is not None else (500 if args.quick else 5000)
    if not 1 <= users <= 50_000:
        raise CommandError("--users skal være mellem 1 og 50000.")
    report = run_bench(users=users, quick=args.quick, progress=lambda text: print(text, file=sys.stderr))
    print(json.dumps(report, ensure_ascii=False))
    return 0


def cmd_loadtest(args: argparse.Namespace) -> int:
    import json

    from quiz.loadtest.driver import run_loadtest
    from quiz.loadtest.server import ServerError

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
    parser = argparse.ArgumentParser(prog="python -m quiz", description=__doc__.splitlines()[0])
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
