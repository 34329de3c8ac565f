"""The plugin manager, the built-in plugins, and the registry of what they registered.

Built-in question types and the bundled content go through the same door an outside plugin uses:
each is a plugin implementing a hook from :mod:`quiz.hookspecs`. Outside packages are found through
the ``quiz`` entry-point group.
"""

from __future__ import annotations

import importlib
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pluggy

from quiz import hookspecs
from quiz.content import Pack, PackError, Problem, content_root, find_pack_folders, load_pack
from quiz.content.loader import MANIFEST
from quiz.hookspecs import hookimpl
from quiz.i18n import Msg, current_language
from quiz.questions.base import QuestionType

BUILTIN_QUESTION_TYPES = (
    "quiz.questions.perspective",
    "quiz.questions.role",
    "quiz.questions.match",
    "quiz.questions.chain",
    "quiz.questions.odd_one_out",
    "quiz.questions.values",
)

_KEY = re.compile(r"^[a-z][a-z0-9_]*$")


class PluginError(Exception):
    """A plugin registered something the platform cannot use (a programming error, not content)."""


class UnknownPack(KeyError):
    """No registered content pack has the requested id (``args[0]`` is the :class:`Msg` to show)."""

    def __str__(self) -> str:  # KeyError would show the message in quotes
        return str(self.args[0])


class UnknownQuestionType(KeyError):
    """No registered question type has the requested key (e.g. its plugin was uninstalled)."""

    def __str__(self) -> str:
        return str(self.args[0])


class ContentRootPlugin:
    """The built-in content plugin: every pack folder under ``QUIZ_CONTENT`` (or ``content/``)."""

    @hookimpl
    def register_content_packs(self, register):
        for folder in find_pack_folders(content_root()):
            register(folder)


pm = pluggy.PluginManager("quiz")
pm.add_hookspecs(hookspecs)
pm.load_setuptools_entrypoints("quiz")
for _name in BUILTIN_QUESTION_TYPES:
    pm.register(importlib.import_module(_name), _name)
pm.register(ContentRootPlugin(), "quiz.content_root")


@dataclass(frozen=True)
class Registry:
    """Everything the plugins registered: question types by key, valid packs by id, invalid packs."""

    question_types: dict[str, QuestionType] = field(default_factory=dict)
    packs: dict[str, Pack] = field(default_factory=dict)
    pack_errors: list[PackError] = field(default_factory=list)

    def get_pack(self, pack_id: str) -> Pack:
        """The pack with this id; :class:`UnknownPack` names the packs there are instead."""
        return pack_in(self, pack_id)

    def get_question_type(self, key: str) -> QuestionType:
        """The question type with this key; :class:`UnknownQuestionType` names the keys there are."""
        return question_type_in(self, key)


# Functions rather than only methods, so any object with ``packs`` and ``question_types`` dicts
# (a test's stand-in registry, say) works too.
def pack_in(registry: Registry, pack_id: str) -> Pack:
    """The pack with this id in ``registry``, or :class:`UnknownPack` naming the packs there are."""
    try:
        return registry.packs[pack_id]
    except KeyError:
        known = ", ".join(sorted(registry.packs)) or Msg("plugins.none")
        raise UnknownPack(Msg("plugins.unknown_pack", id=pack_id, known=known)) from None


def question_type_in(registry: Registry, key: str) -> QuestionType:
    """The question type with this key, or :class:`UnknownQuestionType` naming the keys there are."""
    try:
        return registry.question_types[key]
    except KeyError:
        known = ", ".join(sorted(registry.question_types)) or Msg("plugins.none")
        raise UnknownQuestionType(Msg("plugins.unknown_type", key=key, known=known)) from None


def _source(obj: object) -> str:
    """Where a registered object came from, for error messages."""
    return getattr(type(obj), "__module__", "?")


def build_registry(manager: pluggy.PluginManager | None = None) -> Registry:
    """Call every plugin's register hooks and collect the results.

    Invalid packs, and a second pack with an id already taken, land in ``pack_errors``; a question
    type key registered twice raises :class:`PluginError` naming both sources.
    """
    manager = manager or pm
    question_types: dict[str, QuestionType] = {}
    packs: dict[str, Pack] = {}
    pack_sources: dict[str, str] = {}
    pack_errors: list[PackError] = []

    def register_question_type(question_type: QuestionType) -> None:
        if not isinstance(question_type, QuestionType):
            raise PluginError(
                f"register() for question types needs a QuestionType instance (key, label, "
                f"description, generate, grade), got {question_type!r}"
            )
        key = question_type.key
        if not isinstance(key, str) or not _KEY.match(key):
            raise PluginError(f"Question type key {key!r} must match {_KEY.pattern}")
        if key in question_types:
            raise PluginError(
                f"Question type '{key}' is registered twice: by {_source(question_types[key])} "
                f"and by {_source(question_type)}"
            )
        question_types[key] = question_type

    def register_pack(pack_or_folder: Pack | Path | str) -> None:
        if isinstance(pack_or_folder, Pack):
            pack, source = pack_or_folder, f"a Pack object ({pack_or_folder.title})"
        elif isinstance(pack_or_folder, (str, Path)):
            source = str(pack_or_folder)
            try:
                pack = load_pack(pack_or_folder)
            except PackError as exc:
                pack_errors.append(exc)
                return
        else:
            raise PluginError(f"register() for content packs needs a folder path or a Pack, got {pack_or_folder!r}")
        if pack.id in packs:
            # Reported like an invalid pack, so the app goes on with the first one.
            folder = Path(source) if isinstance(pack_or_folder, (str, Path)) else Path(".")
            problem = Problem(
                folder / MANIFEST, Msg("content.duplicate_pack", id=pack.id, other=pack_sources[pack.id]), path="id"
            )
            pack_errors.append(PackError(folder, [problem]))
            return
        packs[pack.id] = pack
        pack_sources[pack.id] = source

    manager.hook.register_question_types(register=register_question_type)
    manager.hook.register_content_packs(register=register_pack)
    return Registry(question_types=question_types, packs=packs, pack_errors=pack_errors)


# Built registries by (content root, language). A plain dict under a lock instead of
# ``functools.cache``, which does not stop parallel first calls: a room of phones joining a fresh
# server made every script thread parse the pack at once (docs/performance.md).
_REGISTRIES: dict[tuple[str, str], Registry] = {}
_BUILDING = threading.Lock()


def _registry_in(root: str, lang: str) -> Registry:
    found = _REGISTRIES.get((root, lang))
    if found is not None:  # every run after the first: no lock taken
        return found
    with _BUILDING:
        found = _REGISTRIES.get((root, lang))
        if found is None:
            source = _REGISTRIES.get((root, ""))  # the packs as written, before any translation
            if source is None:
                source = _REGISTRIES[(root, "")] = build_registry()
            packs = {pack_id: pack.in_language(lang) for pack_id, pack in source.packs.items()}
            if all(packs[k] is source.packs[k] for k in packs):
                found = source
            else:
                found = Registry(question_types=source.question_types, packs=packs, pack_errors=source.pack_errors)
            _REGISTRIES[(root, lang)] = found
        return found


def get_registry(lang: str | None = None) -> Registry:
    """The registry for the current content root, its packs' text in ``lang`` (default: the run's).

    Built once per root and language, then reused; a pack without that language's translation is
    the original pack itself. Call :func:`reset_registry` after registering or unregistering a
    plugin at runtime.
    """
    return _registry_in(str(content_root()), lang or current_language())


def reset_registry() -> None:
    """Forget every cached registry (tests, or after ``pm.register``)."""
    with _BUILDING:
        _REGISTRIES.clear()


def get_pack(pack_id: str) -> Pack:
    """The registered pack with this id; raises :class:`UnknownPack` with a message to show."""
    return pack_in(get_registry(), pack_id)
