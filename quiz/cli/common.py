"""What every command shares: expected failures, the database, the plugin registry, dates and output files."""

from __future__ import annotations

import io
import sys
from datetime import datetime
from typing import cast

from quiz.content import load_all
from quiz.content.loader import content_root
from quiz.i18n import Msg, QuizError, t
from quiz.learning.timefmt import LOCAL
from quiz.plugins import get_registry
from quiz.store import default_db_path, open_db


class CommandError(QuizError):
    """An expected failure: its message is shown to the user, with exit code 1."""


def pack(pack_id: str):
    """The content pack ``pack_id`` as loaded from the content folder, or a message naming the known ones."""
    packs, errors = load_all()
    for found in packs:
        if found.id == pack_id:
            return found
    for error in errors:
        if error.folder.name == pack_id:
            raise CommandError(Msg("cli.as_is", text=str(error)))
    known = ", ".join(p.id for p in packs) or t("plugins.none")
    raise CommandError("cli.no_pack_id", id=pack_id, root=content_root(), known=known)


def open_out(out: str | None):
    """Standard output, or the file named by --out (UTF-8)."""
    if not out or out == "-":
        cast(io.TextIOWrapper, sys.stdout).reconfigure(encoding="utf-8")
        return sys.stdout
    try:
        return open(out, "w", encoding="utf-8", newline="")  # noqa: SIM115 - closed at exit
    except OSError as exc:
        raise CommandError("cli.cannot_write", path=out, error=exc.strerror or exc) from None


def registry():
    found = get_registry()
    if not found.packs:
        raise CommandError("cli.no_valid_packs", root=content_root())
    return found


def registry_pack(registry, pack_id: str | None):
    if pack_id is None:
        return next(iter(registry.packs.values()))
    if pack_id not in registry.packs:
        raise CommandError("cli.no_registry_pack", id=pack_id, known=", ".join(registry.packs))
    return registry.packs[pack_id]


def database(*, must_exist: bool = False):
    path = default_db_path()
    if must_exist and not path.is_file():
        raise CommandError("cli.no_database", path=path)
    try:
        return open_db(path)
    except Exception as exc:  # sqlite3.Error, OSError: a path or file we cannot use
        raise CommandError("cli.cannot_open_database", path=path, error=exc) from exc


def parse_date(text: str):
    try:
        return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=LOCAL)
    except ValueError as exc:
        raise CommandError("cli.bad_date", text=text) from exc
