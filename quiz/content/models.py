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
    explanation: Text = Field(description="A short explanation in plain Danish.")
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


class StatementsFile(_Model):
    """The pack's ``statements.yaml``: every statement, in the source document's order."""

    statements: list[Statement] = Field(min_length=1)


@lru_cache(maxsize=8192)
def normalize_text(text: str) -> str:
    """Fold a sentence for comparison: Unicode NFC, case, dashes and white space."""
    text = unicodedata.normalize("NFC", text).casefold()
    text = re.sub(r"[\u2013\u2014-]", "-", text)
    return re.sub(r"\s+", " ", text).strip()


def cross_reference_problems(manifest: Manifest, statements: list[Statement]) -> list[tuple[tuple, str]]:
    """Problems no single field can see: duplicate keys and ids, unknown perspective or role keys.

    Returns ``(location, message)`` pairs; the location is a field path in the file concerned.
    """
    problems: list[tuple[tuple, str]] = []
    for field in ("perspectives", "roles", "values"):
        seen: set[str] = set()
        for i, item in enumerate(getattr(manifest, field)):
            if item.key in seen:
                problems.append(((field, i, "key"), f"nøglen '{item.key}' står to gange i {field}"))
            seen.add(item.key)
    perspectives = {p.key for p in manifest.perspectives}
    roles = {r.key for r in manifest.roles}
    ids: set[str] = set()
    for i, st in enumerate(statements):
        if st.id in ids:
            problems.append((("statements", i, "id"), f"id '{st.id}' er brugt før; hvert udsagn skal have sit eget id"))
        ids.add(st.id)
        if st.perspective not in perspectives:
            problems.append(
                (
                    ("statements", i, "perspective"),
                    f"ukendt perspektiv '{st.perspective}'; brug en af: {', '.join(sorted(perspectives))}",
                )
            )
        if st.role not in roles:
            problems.append(
                (("statements", i, "role"), f"ukendt rolle '{st.role}'; brug en af: {', '.join(sorted(roles))}")
            )
    return problems


class Pack(_Model):
    """A whole, validated content pack."""

    manifest: Manifest
    statements: list[Statement]
    intro: list[IntroSection] = Field(default_factory=list)

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
