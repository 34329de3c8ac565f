"""Pydantic models of a content pack.

A pack is data, not code: a manifest (``pack.yaml``), its statements (``statements.yaml``) and
intro sections (``intro/*.md``). The models forbid unknown fields so that a typo in a content file
is reported instead of silently ignored.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cached_property, lru_cache
from typing import Annotated, NewType

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from quiz.i18n import Msg, current_language

StatementId = NewType("StatementId", str)
PerspectiveKey = NewType("PerspectiveKey", str)
RoleKey = NewType("RoleKey", str)

Key = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
StatementIdStr = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.-]*$", max_length=80)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Perspective(_Model):
    """One of the framework's perspectives, e.g. Compliance / "Sammen sikrer vi driften"."""

    key: Key
    name: Text = Field(description="The model's own name, e.g. 'Compliance'.")
    danish_name: Text = Field(description="The framework's Danish name, e.g. 'Sammen sikrer vi driften'.")
    explanation: Text = Field(description="A short explanation in plain words.")
    color: str = Field(default="#4c6a92", pattern=r"^#[0-9a-fA-F]{6}$")


class Role(_Model):
    """A role in the organisation; ``everyone`` marks the statements shared by all employees."""

    key: Key
    name: Text
    description: Text
    everyone: bool = False


class Value(_Model):
    """One of the organisation's values, with what it means here."""

    key: Key
    name: Text
    meaning: Text


class IntroSection(_Model):
    """One step of the guided intro, written in Markdown."""

    key: Key
    title: Text
    body: Text


class Statement(_Model):
    """One statement of the framework, placed under one perspective and one role."""

    id: StatementIdStr
    text: Text
    perspective: Key
    role: Key
    why: Text | None = None
    """Why the statement stands under its perspective for its role, in a sentence or two: the feedback
    after an answer. A pack gives it for every statement or for none (``validate`` checks)."""


class Manifest(_Model):
    """The pack manifest, ``pack.yaml``: metadata, perspectives, roles and values."""

    id: Key
    title: Text
    language: Annotated[str, StringConstraints(pattern=r"^[a-z]{2}(-[A-Z]{2})?$")]
    version: Text
    description: Text
    perspectives: list[Perspective] = Field(min_length=1)
    roles: list[Role] = Field(min_length=1)
    values: list[Value] = Field(default_factory=list)
    discussion_prompts: list[Text] = Field(default_factory=list)
    organisation: Text | None = Field(default=None, description="Whose pack it is, e.g. on certificates.")


class PerspectiveText(_Model):
    """A perspective's text in a translation (every field optional: a gap shows the original)."""

    name: Text | None = None
    danish_name: Text | None = Field(default=None, description="The pack's own name, in this language.")
    explanation: Text | None = None


class RoleText(_Model):
    """A role's text in a translation."""

    name: Text | None = None
    description: Text | None = None


class ValueText(_Model):
    """A value's text in a translation."""

    name: Text | None = None
    meaning: Text | None = None


class Translation(_Model):
    """A pack's text in another language: ``translations/<lang>/pack.yaml`` and ``intro/*.md``.

    Keys name the original's perspectives, roles, values, statement ids and intro steps; the
    original stays the answer key (placements are never translated). ``translation_of`` names
    the language translated from, so a reader knows it is a translation of the original.
    """

    language: Annotated[str, StringConstraints(pattern=r"^[a-z]{2}(-[A-Z]{2})?$")]
    translation_of: Annotated[str, StringConstraints(pattern=r"^[a-z]{2}(-[A-Z]{2})?$")]
    title: Text | None = None
    description: Text | None = None
    perspectives: dict[str, PerspectiveText] = Field(default_factory=dict)
    roles: dict[str, RoleText] = Field(default_factory=dict)
    values: dict[str, ValueText] = Field(default_factory=dict)
    discussion_prompts: list[Text] = Field(default_factory=list)
    statements: dict[str, Text] = Field(default_factory=dict)
    whys: dict[str, Text] = Field(default_factory=dict)
    """Each statement's ``why``, by statement id."""
    intro: list[IntroSection] = Field(default_factory=list)


class StatementsFile(_Model):
    """The pack's ``statements.yaml``: every statement, in the source document's order."""

    statements: list[Statement] = Field(min_length=1)


@lru_cache(maxsize=8192)
def normalize_text(text: str) -> str:
    """Fold a sentence for comparison: Unicode NFC, case, dashes and white space."""
    text = unicodedata.normalize("NFC", text).casefold()
    text = re.sub(r"[\u2013\u2014-]", "-", text)
    return re.sub(r"\s+", " ", text).strip()


def cross_reference_problems(manifest: Manifest, statements: list[Statement]) -> list[tuple[tuple, Msg]]:
    """Problems no single field can see: duplicate keys and ids, unknown perspective or role keys.

    Returns ``(location, message)`` pairs; the location is a field path in the file concerned.
    """
    problems: list[tuple[tuple, Msg]] = []
    for field in ("perspectives", "roles", "values"):
        seen: set[str] = set()
        for i, item in enumerate(getattr(manifest, field)):
            if item.key in seen:
                problems.append(((field, i, "key"), Msg("content.duplicate_key", key=item.key, field=field)))
            seen.add(item.key)
    perspectives = {p.key for p in manifest.perspectives}
    roles = {r.key for r in manifest.roles}
    ids: set[str] = set()
    # A "why" for every statement or for none: a pack that teaches why does so for each statement.
    with_why = any(st.why for st in statements)
    for i, st in enumerate(statements):
        if with_why and not st.why:
            problems.append((("statements", i, "why"), Msg("content.why_missing", id=st.id)))
        if st.id in ids:
            problems.append((("statements", i, "id"), Msg("content.duplicate_id", id=st.id)))
        ids.add(st.id)
        if st.perspective not in perspectives:
            problems.append(
                (
                    ("statements", i, "perspective"),
                    Msg("content.unknown_perspective", key=st.perspective, known=", ".join(sorted(perspectives))),
                )
            )
        if st.role not in roles:
            problems.append(
                (("statements", i, "role"), Msg("content.unknown_role", key=st.role, known=", ".join(sorted(roles))))
            )
    return problems


class Pack(_Model):
    """A whole, validated content pack."""

    manifest: Manifest
    statements: list[Statement]
    intro: list[IntroSection] = Field(default_factory=list)
    translations: dict[str, Translation] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check_references(self) -> Pack:
        problems = cross_reference_problems(self.manifest, self.statements)
        if problems:
            loc, message = problems[0]
            raise ValueError(f"{'.'.join(map(str, loc))}: {message}")
        return self

    # Lookups used on every rerun: computed once per (frozen, cached) pack.
    @property
    def id(self) -> str:
        return self.manifest.id

    @property
    def title(self) -> str:
        return self.manifest.title

    @cached_property
    def perspectives(self) -> dict[str, Perspective]:
        return {p.key: p for p in self.manifest.perspectives}

    @cached_property
    def roles(self) -> dict[str, Role]:
        return {r.key: r for r in self.manifest.roles}

    @cached_property
    def chain_roles(self) -> list[str]:
        """Role keys from the top of the hierarchy down, without the everyone-role."""
        return [r.key for r in self.manifest.roles if not r.everyone]

    @cached_property
    def statements_by_id(self) -> dict[str, Statement]:
        return {s.id: s for s in self.statements}

    @cached_property
    def _roles_by_text(self) -> dict[str, tuple[str, ...]]:
        by_text: dict[str, list[str]] = {}
        for s in self.statements:
            roles = by_text.setdefault(normalize_text(s.text), [])
            if s.role not in roles:
                roles.append(s.role)
        return {text: tuple(roles) for text, roles in by_text.items()}

    def roles_of(self, statement: Statement) -> tuple[str, ...]:
        """Every role whose page carries this exact sentence (usually one; a shared sentence has more)."""
        return self._roles_by_text[normalize_text(statement.text)]

    @cached_property
    def _perspectives_by_text(self) -> dict[str, tuple[str, ...]]:
        by_text: dict[str, list[str]] = {}
        for s in self.statements:
            perspectives = by_text.setdefault(normalize_text(s.text), [])
            if s.perspective not in perspectives:
                perspectives.append(s.perspective)
        return {text: tuple(perspectives) for text, perspectives in by_text.items()}

    def perspectives_of(self, statement: Statement) -> tuple[str, ...]:
        """Every perspective under which this exact sentence stands."""
        return self._perspectives_by_text[normalize_text(statement.text)]

    def statement(self, statement_id: str) -> Statement:
        return self.statements_by_id[statement_id]

    # --- languages ---------------------------------------------------------------------------

    @property
    def language(self) -> str:
        """The language this pack's text is in (a translated pack says the translation's)."""
        return self.manifest.language

    @property
    def source_language(self) -> str:
        """The language of the original, the answer key."""
        return self._source.manifest.language if self._source is not None else self.manifest.language

    @property
    def _source(self) -> Pack | None:
        return self.__dict__.get("_original")

    def text(self, statement: Statement | str, lang: str | None = None) -> str:
        """A statement's sentence in ``lang`` (default: the current language), else the original's."""
        statement_id = statement if isinstance(statement, str) else statement.id
        return self.in_language(lang).statement(statement_id).text

    def in_language(self, lang: str | None = None) -> Pack:
        """This pack with its text in ``lang`` (default: the current language), made once per language.

        Ids, keys and placements stay the original's; only what a person reads changes. Text the
        translation lacks stays in the original language. A language without a translation gives
        the original pack itself.
        """
        original = self._source or self
        if lang is None:
            lang = current_language()
        if lang == original.manifest.language or lang not in original.translations:
            return original
        made = original.__dict__.setdefault("_in_language", {})
        if lang not in made:
            made[lang] = _translated(original, original.translations[lang])
        return made[lang]

    def missing_translations(self, lang: str) -> list[str]:
        """Field paths of the original's text that the ``lang`` translation lacks (empty: complete)."""
        tr = self.translations.get(lang)
        if tr is None:
            return ["*"]
        missing = [f for f in ("title", "description") if getattr(tr, f) is None]
        for group, items, fields in (
            ("perspectives", self.manifest.perspectives, ("name", "danish_name", "explanation")),
            ("roles", self.manifest.roles, ("name", "description")),
            ("values", self.manifest.values, ("name", "meaning")),
        ):
            for item in items:
                text = getattr(tr, group).get(item.key)
                missing += [f"{group}.{item.key}.{f}" for f in fields if text is None or getattr(text, f) is None]
        if len(tr.discussion_prompts) != len(self.manifest.discussion_prompts):
            missing.append("discussion_prompts")
        missing += [f"statements.{s.id}" for s in self.statements if s.id not in tr.statements]
        missing += [f"whys.{s.id}" for s in self.statements if s.why and s.id not in tr.whys]
        have = {section.key for section in tr.intro}
        missing += [f"intro.{section.key}" for section in self.intro if section.key not in have]
        return missing


def _translated(original: Pack, tr: Translation) -> Pack:
    """The pack ``original`` with the text of translation ``tr`` laid over it."""

    def over(item, text, fields):
        if text is None:
            return item
        return item.model_copy(update={f: getattr(text, f) for f in fields if getattr(text, f) is not None})

    m = original.manifest
    manifest = m.model_copy(
        update={
            "language": tr.language,
            "title": tr.title or m.title,
            "description": tr.description or m.description,
            "perspectives": [
                over(p, tr.perspectives.get(p.key), ("name", "danish_name", "explanation")) for p in m.perspectives
            ],
            "roles": [over(r, tr.roles.get(r.key), ("name", "description")) for r in m.roles],
            "values": [over(v, tr.values.get(v.key), ("name", "meaning")) for v in m.values],
            "discussion_prompts": tr.discussion_prompts or m.discussion_prompts,
        }
    )
    # A sentence the original places under several roles (two ids) keeps one translation, so the
    # translated pack groups its statements exactly as the original does.
    by_text: dict[str, str] = {}
    for s in original.statements:
        if s.id in tr.statements:
            by_text.setdefault(normalize_text(s.text), tr.statements[s.id])
    statements = [
        s.model_copy(update={"text": by_text.get(normalize_text(s.text), s.text), "why": tr.whys.get(s.id, s.why)})
        for s in original.statements
    ]
    sections = {section.key: section for section in tr.intro}
    intro = [sections.get(section.key, section) for section in original.intro]
    pack = Pack.model_construct(manifest=manifest, statements=statements, intro=intro, translations={})
    pack.__dict__["_original"] = original
    return pack
