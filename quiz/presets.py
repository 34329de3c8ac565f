"""The quizzes a learner can choose, as plain data: each preset turns a few choices into a QuizSpec."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from quiz.content.models import Pack
from quiz.quizzes import QuizSpec

Needs = Literal["", "perspective", "role"]


@dataclass(frozen=True)
class Preset:
    """A quiz on the menu: Danish title and description, what it asks the learner to choose first."""

    key: str
    title: str
    description: str
    types: tuple[str, ...] = ()
    needs: Needs = ""
    own_role: bool = False


PRESETS: tuple[Preset, ...] = (
    Preset(
        "min_rolle",
        "Min rolle",
        "Dine egne udsagn og dem, der gælder for alle ansatte: hvilket perspektiv hører de til?",
        ("perspective", "odd_one_out", "match"),
        own_role=True,
    ),
    Preset(
        "perspektiv",
        "Et perspektiv",
        "Vælg et perspektiv, og placér dets udsagn hos den rigtige rolle – hele kæden.",
        ("role", "chain"),
        needs="perspective",
    ),
    Preset(
        "rolle",
        "En rolle",
        "Vælg en rolle, og placér dens udsagn under det rigtige perspektiv.",
        ("perspective", "match", "odd_one_out"),
        needs="role",
    ),
    Preset("alt", "Det hele", "Alle spørgsmålstyper på tværs af hele grundlaget.", ()),
    Preset("match", "Match", "Fire udsagn og fire perspektiver: sæt dem sammen.", ("match",)),
    Preset("kaede", "Hele kæden", "Sæt udsagn i rækkefølge fra Direktion til Medarbejder.", ("chain",)),
    Preset(
        "skiller_sig_ud", "Hvem skiller sig ud?", "Tre udsagn deler perspektiv – find det fjerde.", ("odd_one_out",)
    ),
    Preset(
        "vaerdier", "Værdier og navne", "Dialog, åbenhed, engagement – og perspektivernes danske navne.", ("values",)
    ),
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
        title = f"{p.title}: {pack.roles[own_role].name}"
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
