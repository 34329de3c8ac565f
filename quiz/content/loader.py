"""Find and load content packs, turning every parse or validation error into a located message.

A pack is a folder holding a manifest, ``pack.yaml``. Beside it: ``statements.yaml`` and an optional
``intro/`` folder of Markdown files (``01-forord.md``, ...) whose first line is ``# Title``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from quiz.content.models import (
    IntroSection,
    Manifest,
    Pack,
    Statement,
    StatementsFile,
    Translation,
    cross_reference_problems,
)
from quiz.i18n import Msg, t

MANIFEST = "pack.yaml"
STATEMENTS = "statements.yaml"
INTRO_DIR = "intro"
TRANSLATIONS_DIR = "translations"
REPO_ROOT = Path(__file__).resolve().parents[2]


def content_root() -> Path:
    """The folder of content packs: ``QUIZ_CONTENT``, or ``content/`` at the repository root."""
    return Path(os.environ.get("QUIZ_CONTENT") or REPO_ROOT / "content")


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a pack: which file, where in it, and what to do."""

    file: Path
    detail: Msg | str
    line: int | None = None
    path: str = ""

    @property
    def message(self) -> str:
        """What is wrong, in the current language."""
        return str(self.detail)

    def __str__(self) -> str:
        where = str(self.file)
        if self.line is not None:
            where += t("content.where_line", line=self.line)
        if self.path:
            where += t("content.where_field", path=self.path)
        return f"{where}: {self.message}"


@dataclass
class PackError(Exception):
    """A pack that could not be loaded, with every problem found in it."""

    folder: Path
    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        return t("content.pack_invalid", folder=self.folder) + "\n" + "\n".join(f"  - {p}" for p in self.problems)


# Plain-language versions of pydantic's error types (``content.pydantic.<type>``); any other type
# falls back to pydantic's own English message.
_PYDANTIC_TYPES = frozenset(
    {
        "missing",
        "extra_forbidden",
        "string_too_short",
        "string_type",
        "string_pattern_mismatch",
        "list_type",
        "too_short",
        "bool_type",
        "bool_parsing",
        "model_type",
        "dict_type",
        "string_too_long",
    }
)


def _pydantic_message(err: ErrorDetails) -> Msg | str:
    return Msg(f"content.pydantic.{err['type']}") if err["type"] in _PYDANTIC_TYPES else err["msg"]


# PyYAML's most common complaints (its English text -> ``content.yaml.<name>``); others are shown as they are.
_YAML_PROBLEMS = {
    "found unhashable key": "unhashable_key",
    "mapping values are not allowed here": "colon",
    "found character '\\t' that cannot start any token": "tab",
    "could not find expected ':'": "missing_colon",
    "did not find expected key": "indent",
    "did not find expected '-' indicator": "indent",
    "found undefined alias": "alias",
    "found unexpected end of stream": "unclosed",
    "did not find expected ',' or ']'": "unclosed_list",
    "did not find expected ',' or '}'": "unclosed_map",
}


def _yaml_problem(text: str | None) -> Msg:
    text = text or ""
    for english, name in _YAML_PROBLEMS.items():
        if text.startswith(english):
            return Msg("content.yaml_unreadable", problem=Msg(f"content.yaml.{name}"))
    return Msg("content.yaml_unreadable", problem=text)


MAX_DEPTH = 40  # a real pack nests five levels deep
MAX_NODES = 200_000  # the bundled pack has about 1,500


class _TooDeep(Exception):
    """A YAML document nested deeper than any pack needs (or looping through aliases)."""


def _line_index(root: yaml.Node) -> dict[tuple, int]:
    """Map every field path in a YAML document to its 1-based line number.

    Iterative and bounded, so a pathologically deep or alias-heavy document is refused quickly
    instead of exhausting the recursion limit, memory or time.
    """
    index: dict[tuple, int] = {}
    stack: list[tuple[yaml.Node, tuple]] = [(root, ())]
    visited = 0
    while stack:
        node, path = stack.pop()
        visited += 1
        if len(path) > MAX_DEPTH or visited > MAX_NODES:
            raise _TooDeep
        index.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                # A list or mapping as a key (``? [a, b]``) is no field name; loading refuses it below.
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) else ("?", key_node.start_mark.line)
                # A field's line is where its key stands, even when its value starts below it.
                index[path + (key,)] = key_node.start_mark.line + 1
                stack.append((value_node, path + (key,)))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, path + (i,)) for i, item in enumerate(node.value))
    return index


def _line_for(lines: dict[tuple, int], loc: tuple) -> int | None:
    for end in range(len(loc), -1, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return None


def _read_yaml(file: Path, problems: list[Problem]) -> tuple[object, dict[tuple, int]] | None:
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        problems.append(Problem(file, Msg("content.file_missing")))
        return None
    except UnicodeDecodeError:
        problems.append(Problem(file, Msg("content.not_utf8")))
        return None
    try:
        node = yaml.compose(text)
        lines = _line_index(node) if node is not None else {}
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problems.append(Problem(file, _yaml_problem(exc.problem or exc.context), line))
        return None
    except yaml.YAMLError as exc:
        problems.append(Problem(file, Msg("content.yaml_unreadable", problem=str(exc))))
        return None
    except (RecursionError, _TooDeep):
        problems.append(Problem(file, TOO_DEEP))
        return None
    if node is None:
        problems.append(Problem(file, Msg("content.file_empty")))
        return None
    return data, lines


def _fmt_path(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


TOO_DEEP = Msg("content.too_deep")


def _validation_problems(file: Path, exc: ValidationError, lines: dict[tuple, int]) -> list[Problem]:
    problems = []
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        problems.append(Problem(file, _pydantic_message(err), _line_for(lines, loc), _fmt_path(loc)))
    return problems


def _read_intro(folder: Path, problems: list[Problem]) -> list[IntroSection]:
    intro_dir = folder / INTRO_DIR
    sections: list[IntroSection] = []
    if not intro_dir.is_dir():
        return sections
    for file in sorted(intro_dir.glob("*.md")):
        try:
            text = file.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            problems.append(Problem(file, Msg("content.not_utf8")))
            continue
        first, _, body = text.lstrip().partition("\n")
        if not first.startswith("# "):
            problems.append(Problem(file, Msg("content.intro_heading"), 1))
            continue
        key = file.stem.split("-", 1)[-1].replace("-", "_")
        try:
            sections.append(IntroSection(key=key, title=first[2:].strip(), body=body.strip()))
        except ValidationError as exc:
            for err in exc.errors(include_url=False):
                what = str(err["loc"][0]) if err["loc"] and err["loc"][0] in ("key", "title", "body") else "other"
                problems.append(
                    Problem(
                        file,
                        Msg(
                            "content.intro_field",
                            what=Msg(f"content.intro_part.{what}"),
                            problem=_pydantic_message(err),
                        ),
                    )
                )
    return sections


def load_pack(folder: Path | str) -> Pack:
    """Load and validate the pack in ``folder``; raise :class:`PackError` listing every problem."""
    folder = Path(folder)
    problems: list[Problem] = []
    manifest = statements = None
    manifest_file, statements_file = folder / MANIFEST, folder / STATEMENTS

    read = _read_yaml(manifest_file, problems)
    if read:
        data, manifest_lines = read
        try:
            manifest = Manifest.model_validate(data)
        except ValidationError as exc:
            problems += _validation_problems(manifest_file, exc, manifest_lines)
        except RecursionError:
            problems.append(Problem(manifest_file, TOO_DEEP))

    read = _read_yaml(statements_file, problems)
    if read:
        data, statement_lines = read
        try:
            statements = StatementsFile.model_validate(data).statements
        except ValidationError as exc:
            problems += _validation_problems(statements_file, exc, statement_lines)
        except RecursionError:
            problems.append(Problem(statements_file, TOO_DEEP))

    intro = _read_intro(folder, problems)

    if manifest and statements:
        for loc, message in cross_reference_problems(manifest, statements):
            if loc[0] == "statements":
                problems.append(Problem(statements_file, message, _line_for(statement_lines, loc), _fmt_path(loc)))
            else:
                problems.append(Problem(manifest_file, message, _line_for(manifest_lines, loc), _fmt_path(loc)))
    # A translation is compared with the original only once the original itself is sound.
    original_ok = not problems
    translations = _read_translations(folder, problems, manifest if original_ok else None, statements, intro)
    if problems:
        raise PackError(folder, problems)
    assert manifest is not None and statements is not None  # each was read, or there is a problem
    return Pack(manifest=manifest, statements=statements, intro=intro, translations=translations)


def _read_translations(
    folder: Path, problems: list[Problem], manifest: Manifest | None, statements: list[Statement] | None, intro
) -> dict[str, Translation]:
    """Every ``translations/<lang>/`` folder: its ``pack.yaml`` and its own ``intro/*.md``.

    Keys that name nothing in the original are problems (a typo would otherwise hide a text);
    text the translation lacks is not: it shows in the original language, and
    ``python -m quiz validate`` lists it.
    """
    found: dict[str, Translation] = {}
    root = folder / TRANSLATIONS_DIR
    if not root.is_dir():
        return found
    for lang_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        file = lang_dir / MANIFEST
        read = _read_yaml(file, problems)
        if not read:
            continue
        data, lines = read
        if isinstance(data, dict):
            data = {**data, "intro": _read_intro(lang_dir, problems)}
        try:
            translation = Translation.model_validate(data)
        except ValidationError as exc:
            problems.extend(_validation_problems(file, exc, lines))
            continue
        if translation.language != lang_dir.name:
            problems.append(Problem(file, Msg("content.translation_folder", folder=lang_dir.name), path="language"))
        if manifest is not None and statements is not None:
            known = {
                "perspectives": {p.key for p in manifest.perspectives},
                "roles": {r.key for r in manifest.roles},
                "values": {v.key for v in manifest.values},
                "statements": {s.id for s in statements},
            }
            for group, keys in known.items():
                for key in getattr(translation, group):
                    if key not in keys:
                        loc = (group, key)
                        problems.append(
                            Problem(
                                file, Msg("content.translation_unknown", key=key), _line_for(lines, loc), _fmt_path(loc)
                            )
                        )
            sections = {section.key for section in intro}
            for section in translation.intro:
                if section.key not in sections:
                    problems.append(Problem(lang_dir / INTRO_DIR, Msg("content.translation_unknown", key=section.key)))
        found[translation.language] = translation
    return found


def find_pack_folders(root: Path | str | None = None) -> list[Path]:
    """Every folder directly under ``root`` that holds a pack manifest."""
    root = Path(root) if root else content_root()
    if (root / MANIFEST).is_file():
        return [root]
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if (p / MANIFEST).is_file())


def load_all(root: Path | str | None = None) -> tuple[list[Pack], list[PackError]]:
    """Load every pack under ``root``; invalid packs are returned as errors, never skipped silently."""
    packs, errors = [], []
    for folder in find_pack_folders(root):
        try:
            packs.append(load_pack(folder))
        except PackError as exc:
            errors.append(exc)
    return packs, errors


__all__ = [
    "Pack",
    "PackError",
    "Problem",
    "Statement",
    "content_root",
    "find_pack_folders",
    "load_all",
    "load_pack",
]
