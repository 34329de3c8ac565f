"""The quizzes a learner can choose, as plain data: each preset turns a few choices into a QuizSpec."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from quiz import i18n
from quiz.content.models import Pack
from quiz.i18n import t
from quiz.learning.quizzes import QuizSpec

Needs = Literal["", "perspective", "role"]


@dataclass(frozen=True)
class Preset:
    """A quiz on the menu: what it asks the learner to choose first; title and description from the catalogue."""

    key: str
    types: tuple[str, ...] = ()
    needs: Needs = ""
    own_role: bool = False

    @property
    def title(self) -> str:
        return t(f"presets.{self.key}.title")

    @property
    def description(self) -> str:
        return t(f"presets.{self.key}.description")


PRESETS: tuple[Preset, ...] = (
    Preset("min_rolle", ("perspective", "odd_one_out", "match"), own_role=True),
    Preset("perspektiv", ("role", "chain"), needs="perspective"),
    Preset("rolle", ("perspective", "match", "odd_one_out"), needs="role"),
    Preset("alt", ()),
    Preset("match", ("match",)),
    Preset("kaede", ("chain",)),
    Preset("skiller_sig_ud", ("odd_one_out",)),
    Preset("vaerdier", ("values",)),
)


def preset(key: str) -> Preset:
    return next(p for p in PRESETS if p.key == key)


def build_spec(
    p: Preset, pack: Pack, *, own_role: str | None, choice: str | None = None, length: int = 10, seed: int
) -> QuizSpec:
    """The QuizSpec for preset ``p``; ``choice`` is the perspective or role it asked for."""
    perspectives: list[str] = []
    roles: list[str] = []
    title = p.title
    if p.own_role and own_role:
        everyone = [r.key for r in pack.manifest.roles if r.everyone]
        roles = [own_role, *everyone]
        title = t("presets.own_role_title", title=p.title, role=pack.roles[own_role].name)
    elif p.needs == "perspective" and choice:
        perspectives = [choice]
        title = pack.perspectives[choice].danish_name
    elif p.needs == "role" and choice:
        roles = [choice]
        title = pack.roles[choice].name
    return QuizSpec(
        pack_id=pack.id,
        perspectives=perspectives,
        roles=roles,
        length=length,
        types=list(p.types),
        seed=seed,
        title=title,
    )


def shown_title(title: str) -> str:
    """A stored quiz title in the reader's language: a preset's title was stored in the language it was
    started in (»Værdier og navne«), and an English reader's history says »Values and names«."""
    for table in i18n.tables().values():
        for p in PRESETS:
            if table.get(f"presets.{p.key}.title") == title:
                return p.title
    return title
