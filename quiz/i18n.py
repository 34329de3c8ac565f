"""The message catalogue: every text a person reads, in Danish (the source) and other languages.

Messages have symbolic keys (``log_ind.title``, ``auth.locked``) with ``str.format`` placeholders
(``{seconds}``). They live in gettext catalogues under ``quiz/locale/<lang>/LC_MESSAGES/<domain>.po``
(and in any folder named by ``QUIZ_LOCALE_DIR``, so a translator adds a language with files only).
A domain is one area of the product (``core``, ``auth``, ``live`` ...); every domain of a language
is merged into one table, and a key may be defined in one domain only.

Domain code never formats user text itself: it returns or raises a :class:`Msg` (a key and its
parameters) and the UI or CLI renders it with :func:`t`. Pages keep their short names through
:func:`messages`: ``TXT = messages("log_ind")`` then ``TXT["title"]``.

The language of the current script run or CLI command is held in a context variable
(:func:`use_language`); each language's table (Danish filled in where it lacks a text) is built once
per process, so a look-up is one dict read and a rerun pays next to nothing for them.

Compiled catalogues (``.mo``) are built by the project's install (``python -m quiz.i18n compile``,
called from scripts/run.sh and scripts/test.sh) and never committed; when a ``.mo`` is missing or
older than its ``.po``, the ``.po`` is read directly, so a plain ``streamlit run`` still works.
``python -m quiz.i18n check`` lists every key the code names that a language lacks (docs/i18n.md).
"""

from __future__ import annotations

import ast
import builtins
import contextvars
import gettext
import math
import os
import re
import string
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache, wraps
from pathlib import Path
from typing import Any, TypeVar

SOURCE_LANGUAGE = "da"
PACKAGE_LOCALE_DIR = Path(__file__).parent / "locale"

T = TypeVar("T")

_language: contextvars.ContextVar[str] = contextvars.ContextVar("quiz_language", default=SOURCE_LANGUAGE)


@dataclass(frozen=True)
class Msg:
    """A message to show a person: a catalogue key and the values of its placeholders."""

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __init__(self, key: str, /, **params: Any) -> None:
        object.__setattr__(self, "key", key)
        object.__setattr__(self, "params", params)

    def render(self, lang: str | None = None) -> str:
        return t(self.key, lang=lang, **self.params)

    def __str__(self) -> str:
        return self.render()


class QuizError(Exception):
    """A failure a person can understand: carries a :class:`Msg`, rendered where it is shown."""

    def __init__(self, key: str | Msg, /, **params: Any) -> None:
        self.msg = key if isinstance(key, Msg) else Msg(key, **params)
        super().__init__(self.msg.key)

    def __str__(self) -> str:
        return self.msg.render()


def locale_dirs() -> tuple[Path, ...]:
    """The folders searched for catalogues: the package's own, then ``QUIZ_LOCALE_DIR`` (os.pathsep list)."""
    extra = [Path(p) for p in (os.environ.get("QUIZ_LOCALE_DIR") or "").split(os.pathsep) if p]
    return (PACKAGE_LOCALE_DIR, *extra)


def _po_files(dirs: tuple[Path, ...]) -> dict[str, list[Path]]:
    found: dict[str, list[Path]] = {}
    for root in dirs:
        if not root.is_dir():
            continue
        for po in sorted(root.glob("*/LC_MESSAGES/*.po")):
            found.setdefault(po.parent.parent.name, []).append(po)
    return found


def _read_catalogue(po: Path) -> dict[str, str]:
    mo = po.with_suffix(".mo")
    if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
        with mo.open("rb") as fh:
            table = gettext.GNUTranslations(fh)._catalog  # type: ignore[attr-defined]  # the parsed table; no public accessor
        return {k: v for k, v in table.items() if isinstance(k, str) and k and v}
    # Deferred: babel reads a .po only where no compiled .mo exists (a checkout before the install step).
    from babel.messages.pofile import read_po

    with po.open("rb") as fh:
        catalogue = read_po(fh)
    # Singular messages only, as from the .mo above (a plural's id and string are tuples).
    return {
        m.id: m.string for m in catalogue if isinstance(m.id, str) and isinstance(m.string, str) and m.id and m.string
    }


class CatalogueError(Exception):
    """The catalogues themselves are inconsistent (a key in two domains)."""


@cache
def _tables(dirs: tuple[Path, ...]) -> dict[str, dict[str, str]]:
    tables: dict[str, dict[str, str]] = {}
    for lang, files in _po_files(dirs).items():
        merged: dict[str, str] = {}
        origin: dict[str, Path] = {}
        for po in files:
            for key, text in _read_catalogue(po).items():
                if key in merged and origin[key].name != po.name:
                    raise CatalogueError(f"{key} står i både {origin[key]} og {po}")
                merged[key] = text
                origin[key] = po
        tables[lang] = merged
    return tables


@cache
def tables() -> dict[str, dict[str, str]]:
    """Every language's merged table (key -> text), read once per process.

    ``QUIZ_LOCALE_DIR`` is read then too: after changing it, call :func:`reload`. (Reading the
    variable on every look-up cost ~1-3 µs, most of a look-up; a page shows hundreds of texts.)
    """
    return _tables(locale_dirs())


@cache
def _texts(code: str) -> dict[str, str]:
    """One language's texts with the Danish ones filled in where it lacks a key: one dict read per look-up."""
    found = tables()
    return {**found.get(SOURCE_LANGUAGE, {}), **found.get(code, {})}


_PER_LANGUAGE: list[dict[str, Any]] = []


def per_language(fn: Callable[[], T]) -> Callable[[], T]:
    """``fn()`` made once per language and process, shared by every caller: texts that a page would
    otherwise put together again on every run (a table's column settings). What ``fn`` returns must
    never be changed by a caller. Forgotten on :func:`reload`."""
    made: dict[str, T] = {}
    _PER_LANGUAGE.append(made)

    @wraps(fn)
    def cached() -> T:
        lang = _language.get()
        value = made.get(lang)
        if value is None:
            value = made[lang] = fn()
        return value

    return cached


def reload() -> None:
    """Forget the catalogues read so far (tests that add a language, a translator's edit)."""
    _tables.cache_clear()
    tables.cache_clear()
    _texts.cache_clear()
    for made in _PER_LANGUAGE:
        made.clear()


def languages() -> dict[str, str]:
    """Available languages, code -> own name (``{"da": "Dansk", "en": "English"}``), Danish first."""
    found = tables()
    codes = sorted(found, key=lambda c: (c != SOURCE_LANGUAGE, c))
    return {code: found[code].get("language.name", code) for code in codes}


def best_language(requested: str | None) -> str:
    """The available language closest to a browser locale such as ``en-GB`` or ``da``."""
    if requested:
        available = tables()
        for candidate in (requested, requested.replace("_", "-").split("-")[0]):
            candidate = candidate.lower()
            if candidate in available:
                return candidate
    return SOURCE_LANGUAGE


def current_language() -> str:
    return _language.get()


def set_language(lang: str | None) -> None:
    """Use ``lang`` for the rest of this script run or command (unknown codes give Danish)."""
    _language.set(lang if lang in tables() else SOURCE_LANGUAGE)


@contextmanager
def use_language(lang: str | None) -> Iterator[None]:
    token = _language.set(lang if lang in tables() else SOURCE_LANGUAGE)
    try:
        yield
    finally:
        _language.reset(token)


def t(key: str, /, *, lang: str | None = None, **params: Any) -> str:
    """The text of ``key`` in ``lang`` (default: the current language), placeholders filled.

    A key missing in the language falls back to Danish, then to the key itself, so a gap shows
    as a readable key rather than a crash; the tests make sure there are no gaps.
    """
    lang = lang or _language.get()
    text = _texts(lang).get(key, key)
    if params:
        # A parameter that is itself a message (a duration, a count) is said in the same language.
        params = {name: value.render(lang) if isinstance(value, Msg) else value for name, value in params.items()}
        try:
            return text.format(**params)
        except (KeyError, IndexError, ValueError):
            return text
    return text


def wait_time(seconds: float) -> Msg:
    """How long to wait, as a reader says it: ``1 sekund``, ``2 sekunder``, ``5 minutter`` (rounded up)."""
    whole = max(1, math.ceil(seconds))
    if whole == 1:
        return Msg("fmt.seconds_one")
    if whole < 120:
        return Msg("fmt.seconds", n=whole)
    return Msg("fmt.minutes", n=math.ceil(whole / 60))


def has(key: str, *, lang: str = SOURCE_LANGUAGE) -> bool:
    return key in tables().get(lang, {})


class Messages(Mapping[str, str]):
    """A page's short names for its messages: ``messages("quiz")["start"]`` is ``t("quiz.start")``."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self._start = prefix + "."

    def __getitem__(self, name: str) -> str:
        key = self._start + name
        return _texts(_language.get()).get(key, key)

    def __iter__(self) -> Iterator[str]:
        start = self.prefix + "."
        return (k[len(start) :] for k in tables().get(SOURCE_LANGUAGE, {}) if k.startswith(start))

    def __len__(self) -> int:
        return sum(1 for _ in self)


def messages(prefix: str) -> Messages:
    return Messages(prefix)


def placeholders(text: str) -> set[str]:
    """The named ``{placeholders}`` of a message (for the tests that compare languages)."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def compile_catalogues(dirs: tuple[Path, ...] | None = None) -> list[Path]:
    """Write a ``.mo`` beside every ``.po`` (the install step); returns the files written."""
    # Deferred: babel only compiles the catalogues at install time; no page run needs it.
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for files in _po_files(dirs or locale_dirs()).values():
        for po in files:
            with po.open("rb") as fh:
                catalogue = read_po(fh)
            mo = po.with_suffix(".mo")
            with mo.open("wb") as fh:
                write_mo(fh, catalogue)
            written.append(mo)
    reload()
    return written


@dataclass(frozen=True)
class KeyUse:
    """A catalogue key named in the code; ``prefix`` when only its start is literal (an f-string)."""

    key: str
    file: Path
    line: int
    prefix: bool = False


_KEY = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
_KEY_START = re.compile(r"^[a-z][a-z0-9_]*\.[a-z0-9_.]*$")


def _callee(node: ast.Call) -> str:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def _literal_key(node: ast.expr) -> tuple[str, bool] | None:
    """The key a first argument names: a plain string, or the literal start of an f-string."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value, False
    if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
        return str(node.values[0].value), True
    return None


def referenced_keys(files: list[Path]) -> list[KeyUse]:
    """Every key the code names: ``t("k")``, ``Msg("k")``, ``QuizError("k")`` (and its subclasses),
    and ``messages("p")["name"]`` through a variable (``TXT = messages("p")`` then ``TXT["name"]``).
    """
    found: list[KeyUse] = []
    for file in files:
        tree = ast.parse(file.read_text(encoding="utf-8"), str(file))
        prefixes: dict[str, str] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
                call = node.value
                if (
                    _callee(call) == "messages"
                    and call.args
                    and isinstance(call.args[0], ast.Constant)
                    and isinstance(call.args[0].value, str)
                ):
                    for target in node.targets:
                        if isinstance(target, ast.Name):
                            prefixes[target.id] = call.args[0].value
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and node.args:
                name = _callee(node)
                # QuizError and its subclasses (SettingsError, BackupError, ...), not Python's own.
                if name in ("t", "Msg") or (name.endswith("Error") and not hasattr(builtins, name)):
                    literal = _literal_key(node.args[0])
                    if literal is None:
                        continue
                    key, partial = literal
                    if (_KEY_START if partial else _KEY).match(key) and " " not in key:
                        found.append(KeyUse(key, file, node.lineno, partial))
            elif isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
                base = node.value
                prefix = None
                if isinstance(base, ast.Name) and base.id in prefixes:
                    prefix = prefixes[base.id]
                elif isinstance(base, ast.Call) and _callee(base) == "messages" and base.args:
                    first = base.args[0]
                    prefix = first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else None
                if prefix and isinstance(node.slice.value, str):
                    found.append(KeyUse(f"{prefix}.{node.slice.value}", file, node.lineno))
    return found


def missing_keys(files: list[Path]) -> list[tuple[KeyUse, list[str]]]:
    """The keys ``files`` name that some language lacks, with the languages that lack them."""
    found = tables()
    out = []
    for use in referenced_keys(files):
        if use.prefix:
            lacking = [lang for lang, table in found.items() if not any(k.startswith(use.key) for k in table)]
        else:
            lacking = [lang for lang, table in found.items() if use.key not in table]
        if lacking:
            out.append((use, sorted(lacking)))
    return out


def code_files(root: Path | None = None) -> list[Path]:
    """The project's own Python files that show text: the package and app.py."""
    root = root or PACKAGE_LOCALE_DIR.parents[1]
    return sorted((root / "quiz").rglob("*.py")) + [root / "app.py"]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args == ["compile"]:
        written = compile_catalogues()
        print(t("i18n.compiled", count=len(written)))
        return 0
    if args == ["check"]:
        files = code_files()
        gaps = missing_keys(files)
        for use, lacking in gaps:
            where = f"{use.file.name}:{use.line}"
            print(t("i18n.check_missing", key=use.key, where=where, languages=", ".join(lacking)), file=sys.stderr)
        if gaps:
            return 1
        print(t("i18n.check_ok", count=len({u.key for u in referenced_keys(files)}), languages=len(tables())))
        return 0
    print(t("i18n.usage"), file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
