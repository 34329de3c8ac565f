"""HR's commands: ``people import|set``, ``units add|import``, ``remind`` and ``certificate``.

Registered by ``quiz.cli.main.build_parser``; the work is in ``quiz.hr.people_import``, ``quiz.hr.units``,
``quiz.hr.reminders`` and ``quiz.hr.certificate``. Every text comes from the catalogue (hr.po).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from quiz import settings
from quiz.cli import common
from quiz.hr import certificate, people_import, reminders, units
from quiz.hr.mailer import Mailer, MailError
from quiz.i18n import QuizError, t
from quiz.store import get_user_by_name


def _fail(key: str, **params) -> Exception:
    return common.CommandError(t(key, **params))


def _read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise _fail("hrcli.cannot_read", path=path, problem=exc.strerror or str(exc)) from None


def _actor(db, username: str | None) -> int:
    """The admin the command acts as: ``--as``, else the first admin (the operator runs it)."""
    if username:
        user = get_user_by_name(db, username)
        if user is None or not user.is_admin:
            raise _fail("hrcli.not_admin", username=username)
        return user.id
    row = db.execute("SELECT id FROM users WHERE is_admin = 1 ORDER BY id LIMIT 1").fetchone()
    if row is None:
        raise _fail("hrcli.no_admin")
    return row[0]


def cmd_people_import(args: argparse.Namespace) -> int:
    data = _read(args.file)
    pack = common.registry_pack(common.registry(), args.pack)
    db = common.database()
    go_live = people_import.parse_day(args.go_live) if args.go_live else None
    if args.go_live and go_live is None:
        raise _fail("hrcli.bad_day", text=args.go_live)
    under = args.new_units_under
    try:
        if args.dry_run:
            plan = people_import.plan(db, pack, data, skip_bad=args.skip_bad_rows, create_units=under is not None)
        else:
            plan = people_import.apply(
                db,
                pack,
                data,
                actor=_actor(db, args.acting),
                skip_bad=args.skip_bad_rows,
                go_live=go_live,
                new_units_under=under,
            )
    except people_import.ImportRefused as refused:
        plan = refused.plan
    except QuizError as exc:
        raise common.CommandError(str(exc)) from None
    if not plan.ok:
        for problem in plan.problems:
            print(str(problem), file=sys.stderr)
        print(t("people.refused", count=len(plan.problems)), file=sys.stderr)
        missing = people_import.unknown_units(db, data)
        if missing:
            print(t("hrcli.unknown_units", count=len(missing), names=", ".join(missing)), file=sys.stderr)
        return 1
    for problem in plan.problems:  # --skip-bad-rows: each row left out, and why
        print(str(problem), file=sys.stderr)
    if plan.problems:
        print(t("people.skipped_rows", count=plan.bad_rows), file=sys.stderr)
    for name in plan.new_units:
        print(t("hrcli.new_unit", name=name, parent=under or t("hrcli.top_level")))
    for change in plan.changes:
        if change.action != "same" or args.verbose:
            print(t(f"hrcli.change.{change.action}", username=change.line.username, name=change.line.name,
                    fields=", ".join(t(f"hrcli.field.{f}") for f in change.fields)))  # fmt: skip
    print(str(plan.summary()) if args.dry_run else t("hrcli.imported", summary=str(plan.summary(done=True))))
    if args.dry_run:
        print(t("hrcli.dry_run"))
    return 0


def cmd_people_set(args: argparse.Namespace) -> int:
    """Place a person in a unit and/or set the units they lead, acting as an admin (``--as``)."""
    db = common.database(must_exist=True)
    user = get_user_by_name(db, args.username)
    if user is None:
        raise _fail("hrcli.no_user", username=args.username)
    tree = units.tree(db)

    def unit_id(name: str) -> int:
        found = tree.find(name)
        if found is None:
            raise _fail("units.unknown", name=name)
        return found.id

    unit = units.person_unit(db, user.id) if args.unit is None else (unit_id(args.unit) if args.unit else None)
    leads = units.led_units(db, user.id) if args.leads is None else [unit_id(n) for n in args.leads if n.strip()]
    try:
        units.place_person(db, user.id, unit, leads, actor=_actor(db, args.acting))
    except QuizError as exc:
        raise common.CommandError(str(exc)) from None
    print(
        t(
            "hrcli.person_set",
            username=user.username,
            unit=tree.path(unit) or t("hrcli.no_unit"),
            leads=", ".join(tree.path(u) for u in leads) or t("hrcli.leads_none"),
        )
    )
    return 0


def cmd_units_add(args: argparse.Namespace) -> int:
    try:
        unit = units.add_unit(common.database(), args.name, parent=args.parent)
    except QuizError as exc:
        raise common.CommandError(str(exc)) from None
    print(t("hrcli.unit_added", name=unit.name))
    return 0


def cmd_units_import(args: argparse.Namespace) -> int:
    """Units from a CSV with the columns enhed;overordnet (the parent may be empty)."""
    data = _read(args.file)
    try:
        total = len(people_import.unit_rows(data))
        made = people_import.import_units(common.database(), data)
    except QuizError as exc:
        raise common.CommandError(str(exc)) from None
    print(t("hrcli.units_imported", made=made, total=total))
    return 0


def cmd_remind(args: argparse.Namespace) -> int:
    pack = common.registry_pack(common.registry(), args.pack)
    db = common.database(must_exist=True)
    current = settings.current()
    invite = not args.no_invitations and current.invitations
    if args.dry_run:
        outcome = reminders.run(db, pack, mailer=None, base_url=current.base_url, dry_run=True, invite=invite)
        for reminder in outcome.due:
            print(reminders.describe(reminder))
        print(str(outcome.summary(dry_run=True)))
        return 0

    def report(reminder, problem) -> None:
        if problem is not None:
            print(t("remind.failed", line=reminders.describe(reminder), problem=str(problem)), file=sys.stderr)
        elif args.verbose:
            print(reminders.describe(reminder))

    try:
        with Mailer(current) as mailer:
            outcome = reminders.run(db, pack, mailer=mailer, base_url=current.base_url, invite=invite, progress=report)
    except MailError as exc:
        raise common.CommandError(str(exc)) from None
    print(str(outcome.summary(dry_run=False)))
    if outcome.stopped is not None:
        print(str(outcome.stopped), file=sys.stderr)
    return 1 if outcome.failed or outcome.stopped else 0


def cmd_certificate(args: argparse.Namespace) -> int:
    pack = common.registry_pack(common.registry(), args.pack)
    db = common.database(must_exist=True)
    user = get_user_by_name(db, args.username)
    if user is None:
        raise _fail("hrcli.no_user", username=args.username)
    try:
        pdf = certificate.for_person(db, pack, user.id, actor=_actor(db, args.acting))
    except QuizError as exc:
        raise common.CommandError(str(exc)) from None
    Path(args.out).write_bytes(pdf)
    print(t("hrcli.certificate_written", path=args.out))
    return 0


def register(sub) -> None:
    """Add HR's commands to the ``python -m quiz`` parser."""
    people = sub.add_parser("people", help=t("hrcli.help.people")).add_subparsers(dest="what", required=True)
    p = people.add_parser("import", help=t("hrcli.help.people_import"))
    p.add_argument("file", help=t("hrcli.help.file"))
    p.add_argument("--dry-run", action="store_true", help=t("hrcli.help.dry_run"))
    p.add_argument("--pack", help=t("hrcli.help.pack"))
    p.add_argument("--as", dest="acting", help=t("hrcli.help.as"))
    p.add_argument("--verbose", action="store_true", help=t("hrcli.help.verbose"))
    p.add_argument("--skip-bad-rows", action="store_true", help=t("hrcli.help.skip_bad_rows"))
    p.add_argument("--go-live", metavar="DATO", help=t("hrcli.help.go_live"))
    p.add_argument("--new-units-under", metavar="ENHED", help=t("hrcli.help.new_units_under"))
    p.set_defaults(func=cmd_people_import)
    p = people.add_parser("set", help=t("hrcli.help.people_set"))
    p.add_argument("username")
    p.add_argument("--unit", help=t("hrcli.help.set_unit"))
    p.add_argument("--leads", nargs="*", metavar="UNIT", help=t("hrcli.help.set_leads"))
    p.add_argument("--as", dest="acting", help=t("hrcli.help.as"))
    p.set_defaults(func=cmd_people_set)

    units = sub.add_parser("units", help=t("hrcli.help.units")).add_subparsers(dest="what", required=True)
    p = units.add_parser("add", help=t("hrcli.help.units_add"))
    p.add_argument("name")
    p.add_argument("--parent", help=t("hrcli.help.parent"))
    p.set_defaults(func=cmd_units_add)
    p = units.add_parser("import", help=t("hrcli.help.units_import"))
    p.add_argument("file", help=t("hrcli.help.file"))
    p.set_defaults(func=cmd_units_import)

    p = sub.add_parser("remind", help=t("hrcli.help.remind"))
    p.add_argument("--dry-run", action="store_true", help=t("hrcli.help.remind_dry_run"))
    p.add_argument("--no-invitations", action="store_true", help=t("hrcli.help.no_invitations"))
    p.add_argument("--pack", help=t("hrcli.help.pack"))
    p.add_argument("--verbose", action="store_true", help=t("hrcli.help.verbose"))
    p.set_defaults(func=cmd_remind)

    p = sub.add_parser("certificate", help=t("hrcli.help.certificate"))
    p.add_argument("username")
    p.add_argument("--out", required=True, help=t("hrcli.help.out"))
    p.add_argument("--pack", help=t("hrcli.help.pack"))
    p.add_argument("--as", dest="acting", help=t("hrcli.help.as"))
    p.set_defaults(func=cmd_certificate)
