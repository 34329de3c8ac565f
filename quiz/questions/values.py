"""Values and names: the pack's values, and the perspectives' Danish names vs the model's names.

These questions use no statements. Each asks about one topic, recorded in ``data["used"]`` as a
synthetic id (``values:triplet``, ``values:meaning:dialog``, ``values:perspective:emergens``) so a
quiz does not ask about the same topic twice.
"""

from __future__ import annotations

import random
import re
from dataclasses import replace

from quiz.content.models import Pack, Statement
from quiz.hookspecs import hookimpl
from quiz.i18n import has, t
from quiz.questions.base import Answer, Grade, Item, Option, Question
from quiz.questions.common import CatalogueNames, choice_key, join_words


def distractor_values() -> list[str]:
    """Words that sound like municipal values but are not this pack's: the wrong triplets use them."""
    return [w.strip() for w in t("questions.values.distractors").split(",") if w.strip()]


def _count(n: int) -> str:
    """``3`` -> ``"tre"`` in the current language (digits beyond the catalogue's words)."""
    return t(f"questions.values.number.{n}") if has(f"questions.values.number.{n}") else str(n)


def _triplet_label(names: list[str]) -> str:
    """``["Dialog", "Åbenhed", "Engagement"]`` -> ``"Dialog, åbenhed og engagement"``."""
    words = [names[0], *(n.lower() for n in names[1:])]
    return join_words(words)


def _distractors(pack: Pack) -> list[tuple[int, str]]:
    """The catalogue's distractors that are not the pack's own values, each with its place in the catalogue.

    The place (``d:N``) is what a question keeps, so it can be shown in another language.
    """
    names = {v.name.casefold() for v in pack.manifest.values}
    return [(i, d) for i, d in enumerate(distractor_values()) if d.casefold() not in names]


def _stem_prefixes(name: str) -> set[str]:
    """The first letters of a value's word and its forms: »Åbenhed« -> {"åbe", "åbn"} (åben, åbne)."""
    stem = name.casefold()
    for suffix in ("hed", "ness", "ment", "ue"):
        if stem.endswith(suffix) and len(stem) - len(suffix) >= 3:
            stem = stem[: -len(suffix)]
            break
    # Danish drops an unstressed e before the last consonant in inflection: åben -> åbne, moden -> modne.
    syncope = re.sub(r"e(?=[^aeiouyæøå]$)", "", stem)
    return {stem[:3], syncope[:3]}


def hide_value_word(text: str, name: str) -> str:
    """The value's description with the value's own word (and its forms) blanked out, so it gives nothing away."""
    prefixes = _stem_prefixes(name)

    def blank(match: re.Match[str]) -> str:
        word = match.group(0)
        return "___" if len(word) >= 3 and word.casefold()[:3] in prefixes else word

    return re.sub(r"\w+", blank, text)


def _word(pack: Pack, token: str) -> str:
    """A value's name (``v:KEY``) or a distractor (``d:N``) in the current language."""
    kind, _, ref = token.partition(":")
    if kind == "v":
        return next(v.name for v in pack.manifest.values if v.key == ref)
    return distractor_values()[int(ref)]


class ValuesQuestion(CatalogueNames):
    """Questions on the values and on the perspectives' names; no statement needed."""

    key = "values"

    def topics(self, pack: Pack) -> list[str]:
        """Every topic this type can ask about in ``pack``."""
        topics = []
        if len(pack.manifest.values) >= 2:
            topics.append("values:triplet")
            topics += [f"values:meaning:{v.key}" for v in pack.manifest.values]
        if len(pack.perspectives) >= 2:
            topics += [f"values:perspective:{p}" for p in pack.perspectives]
        return topics

    def generate(self, pack: Pack, pool: list[Statement], rng: random.Random, used: set[str]) -> Question | None:
        topics = [t for t in self.topics(pack) if t not in used]
        if not topics:
            return None
        topic = rng.choice(topics)
        kind, _, key = topic.removeprefix("values:").partition(":")
        if kind == "triplet":
            return self._triplet(pack, topic, rng)
        if kind == "meaning":
            return self._meaning(pack, topic, key, rng)
        return self._perspective_name(pack, topic, key, rng)

    def _question(
        self,
        pack: Pack,
        topic: str,
        prompt: str,
        options: list[Option],
        right: str,
        items: tuple[Item, ...] = (),
        **words,
    ) -> Question:
        # ``words``: what the question needs to be shown in another language (``translate``).
        return Question(
            type=self.key,
            kind="choice",
            prompt=prompt,
            options=tuple(options),
            accepted=((right,),),
            items=items,
            pack_id=pack.id,
            data={"used": [topic], "topic": topic, **words},
        )

    def _triplet(self, pack: Pack, topic: str, rng: random.Random) -> Question:
        names = [f"v:{v.key}" for v in pack.manifest.values]
        triplets = [names]
        distractors = [f"d:{i}" for i, _ in _distractors(pack)]
        rng.shuffle(distractors)
        # Each wrong set swaps one or two real values for a plausible other one.
        while len(triplets) < 4 and distractors:
            wrong = list(names)
            for i in rng.sample(range(len(names)), k=min(len(triplets), len(names) - 1)):
                if distractors:
                    wrong[i] = distractors.pop()
            triplets.append(wrong)
        order = list(range(len(triplets)))
        rng.shuffle(order)
        sets = [triplets[i] for i in order]
        options = [Option(f"set{n}", _triplet_label([_word(pack, w) for w in words])) for n, words in enumerate(sets)]
        right = options[order.index(0)].key
        return self._question(
            pack, topic, t("questions.values.triplet_prompt", count=_count(len(names))), options, right, sets=sets
        )

    def _meaning(self, pack: Pack, topic: str, key: str, rng: random.Random) -> Question:
        value = next(v for v in pack.manifest.values if v.key == key)
        options = [Option(v.key, v.name) for v in pack.manifest.values]
        distractors = _distractors(pack)
        other = {}
        if distractors:
            place, word = rng.choice(distractors)
            options.append(Option("anden", word))
            other = {"other": f"d:{place}"}
        rng.shuffle(options)
        return self._question(
            pack,
            topic,
            t("questions.values.meaning_prompt"),
            options,
            value.key,
            items=(Item(text=hide_value_word(value.meaning, value.name)),),
            **other,
        )

    def _perspective_name(self, pack: Pack, topic: str, key: str, rng: random.Random) -> Question:
        ask = "own" if rng.random() < 0.5 else "model"
        prompt, options = self._name_words(pack, key, ask, list(pack.perspectives))
        return self._question(pack, topic, prompt, options, key, ask=ask)

    def _name_words(self, pack: Pack, key: str, ask: str, keys: list[str]) -> tuple[str, list[Option]]:
        """The prompt and options of a perspective-name question: asking its own name or the model's."""
        p = pack.perspectives[key]
        if ask == "own":
            prompt = t("questions.values.own_name_prompt", model=p.name, pack=pack.title)
            return prompt, [Option(k, pack.perspectives[k].danish_name) for k in keys]
        prompt = t("questions.values.model_name_prompt", own=p.danish_name, pack=pack.title)
        return prompt, [Option(k, pack.perspectives[k].name) for k in keys]

    def translate(self, question: Question, pack: Pack) -> Question:
        """``question`` in ``pack``'s language (the current one); as it is when it was stored without its words."""
        kind, _, key = question.data.get("topic", "").removeprefix("values:").partition(":")
        keys = [o.key for o in question.options]
        if kind == "perspective" and "ask" in question.data:
            prompt, options = self._name_words(pack, key, question.data["ask"], keys)
            return replace(question, prompt=prompt, options=tuple(options))
        if kind == "meaning" and ("other" in question.data or "anden" not in keys):
            value = next(v for v in pack.manifest.values if v.key == key)
            other = question.data.get("other", "")
            return replace(
                question,
                prompt=t("questions.values.meaning_prompt"),
                options=tuple(Option(k, _word(pack, other if k == "anden" else f"v:{k}")) for k in keys),
                items=(Item(text=hide_value_word(value.meaning, value.name)),),
            )
        if kind == "triplet" and "sets" in question.data:
            sets = question.data["sets"]
            return replace(
                question,
                prompt=t("questions.values.triplet_prompt", count=_count(len(sets[0]))),
                options=tuple(
                    Option(k, _triplet_label([_word(pack, w) for w in words]))
                    for k, words in zip(keys, sets, strict=True)
                ),
            )
        return question

    def grade(self, question: Question, answer: Answer, pack: Pack) -> Grade:
        right = question.accepted[0][0]
        correct = choice_key(question, answer) == right
        kind, _, key = question.data.get("topic", "").removeprefix("values:").partition(":")
        if kind == "perspective":
            p = pack.perspectives[key]
            explanation = t(
                "questions.values.perspective_explanation",
                model=p.name,
                own=p.danish_name,
                pack=pack.title,
                explanation=p.explanation,
            )
        elif kind == "meaning":
            value = next(v for v in pack.manifest.values if v.key == key)
            explanation = t("questions.values.value_explanation", name=value.name, meaning=value.meaning)
        else:
            explanation = "\n".join(
                t("questions.values.value_explanation", name=v.name, meaning=v.meaning) for v in pack.manifest.values
            )
        return Grade(
            score=1.0 if correct else 0.0,
            correct=correct,
            right_answer=question.option_label(right),
            explanation=explanation,
        )


question_type = ValuesQuestion()


@hookimpl
def register_question_types(register):
    register(question_type)
