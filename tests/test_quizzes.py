"""Drawing quizzes: filters, the cycle of question types, no repeats, the same seed twice."""

from pathlib import Path

import pydantic
import pytest

from quiz.content import load_pack
from quiz.content.models import Manifest, Pack, Perspective, Role, Statement, normalize_text
from quiz.learning.quizzes import QuizSpec, draw_questions, grade, statement_pool, used_ids
from quiz.plugins import UnknownPack, UnknownQuestionType, build_registry

BUNDLED = Path(__file__).resolve().parents[1] / "content" / "hvidovrevejen"
ALL_TYPES = ["perspective", "role", "match", "chain", "odd_one_out", "values"]


@pytest.fixture(scope="module")
def bundled_registry():
    return build_registry()


@pytest.fixture(scope="module")
def bundled_pack():
    return load_pack(BUNDLED)


def spec(**kw) -> QuizSpec:
    return QuizSpec(**{"pack_id": "hvidovrevejen", "seed": 1, **kw})


def sentences(bundled_pack, questions) -> list[str]:
    return [normalize_text(bundled_pack.statement(i).text) for q in questions for i in q.statement_ids]


def right_answer(question):
    if question.kind == "choice":
        return question.accepted[0][0]
    return [accepted[0] for accepted in question.accepted]


def test_quiz_cycles_through_the_requested_types_in_order(bundled_registry):
    questions = draw_questions(spec(length=6, types=["perspective", "role", "match"]), bundled_registry)
    assert [q.type for q in questions] == ["perspective", "role", "match"] * 2


def test_quiz_without_types_uses_every_registered_type(bundled_registry):
    questions = draw_questions(spec(length=6), bundled_registry)
    assert sorted(q.type for q in questions) == sorted(ALL_TYPES)


@pytest.mark.parametrize("seed", range(15))
def test_no_statement_or_sentence_appears_twice_in_a_quiz(bundled_registry, bundled_pack, seed):
    questions = draw_questions(spec(length=200, types=ALL_TYPES, seed=seed), bundled_registry)
    texts = sentences(bundled_pack, questions)
    assert len(texts) == len(set(texts))
    topics = [t for q in questions for t in q.data.get("used", ())]
    assert len(topics) == len(set(topics))


def test_long_quiz_is_shorter_rather_than_repeating(bundled_registry, bundled_pack):
    questions = draw_questions(spec(length=500, types=["perspective"]), bundled_registry)
    # 92 statements, but the shared sentence counts once
    assert len(questions) == 91
    assert len(set(sentences(bundled_pack, questions))) == 91


def test_quiz_for_my_role_and_alle_draws_only_those_statements(bundled_registry, bundled_pack):
    questions = draw_questions(
        spec(length=30, roles=["medarbejder", "alle"], types=["perspective", "role", "match"]),
        bundled_registry,
    )
    roles = {bundled_pack.statement(i).role for q in questions for i in q.statement_ids}
    assert roles == {"medarbejder", "alle"}
    # 16 + 12 statements: each asked once, then the quiz stops short of 30 questions
    assert len(questions) < 30
    assert sum(len(q.statement_ids) for q in questions) == 28


def test_quiz_on_one_perspective_draws_only_its_statements(bundled_registry, bundled_pack):
    questions = draw_questions(spec(length=8, perspectives=["emergens"], types=["role"]), bundled_registry)
    assert len(questions) == 8
    assert {bundled_pack.statement(q.statement_ids[0]).perspective for q in questions} == {"emergens"}


def test_type_that_cannot_be_made_is_skipped(bundled_registry):
    questions = draw_questions(spec(length=5, roles=["medarbejder"], types=["chain", "perspective"]), bundled_registry)
    assert [q.type for q in questions] == ["perspective"] * 5


def test_quiz_is_empty_when_nothing_can_be_made(bundled_registry):
    assert draw_questions(spec(roles=["medarbejder"], types=["chain"]), bundled_registry) == []


def test_same_seed_draws_the_same_quiz(bundled_registry):
    first = draw_questions(spec(length=12, seed=42), bundled_registry)
    again = draw_questions(spec(length=12, seed=42), bundled_registry)
    other = draw_questions(spec(length=12, seed=43), bundled_registry)
    assert [q.to_dict() for q in first] == [q.to_dict() for q in again]
    assert [q.to_dict() for q in first] != [q.to_dict() for q in other]


def test_learner_gets_graded_through_the_questions_own_type(bundled_registry):
    questions = draw_questions(spec(length=6), bundled_registry)
    for question in questions:
        assert grade(question, right_answer(question), bundled_registry).correct
        assert grade(question, None, bundled_registry).score == 0


def test_statement_pool_filters_by_perspective_and_role(bundled_pack):
    pool = statement_pool(bundled_pack, ["compliance"], ["alle"])
    assert [s.id for s in pool] == ["alle.compliance.1", "alle.compliance.2", "alle.compliance.3"]
    assert statement_pool(bundled_pack, [], []) == bundled_pack.statements


def test_unknown_perspective_or_role_is_a_clear_error(bundled_pack):
    with pytest.raises(ValueError, match="Ukendt rolle i hvidovrevejen: chef"):
        statement_pool(bundled_pack, [], ["chef"])
    with pytest.raises(ValueError, match="Ukendt perspektiv"):
        statement_pool(bundled_pack, ["kvalitet"], [])


def test_unknown_pack_or_question_type_is_a_clear_error(bundled_registry):
    with pytest.raises(UnknownPack, match="'andet' findes ikke"):
        draw_questions(spec(pack_id="andet"), bundled_registry)
    with pytest.raises(UnknownQuestionType, match="Tilgængelige typer: chain, match"):
        draw_questions(spec(types=["quiz_show"]), bundled_registry)


def test_quiz_spec_forbids_unknown_fields_and_cannot_change():
    quiz = spec(title="Min rolle: Medarbejder", roles=["medarbejder", "alle"])
    with pytest.raises(pydantic.ValidationError):
        QuizSpec(pack_id="hvidovrevejen", lenght=5)
    with pytest.raises(pydantic.ValidationError):
        quiz.length = 3
    with pytest.raises(pydantic.ValidationError):
        QuizSpec(pack_id="hvidovrevejen", length=0)
    assert QuizSpec.model_validate_json(quiz.model_dump_json()) == quiz


def test_used_ids_include_synthetic_topics(bundled_registry):
    [question] = draw_questions(spec(length=1, types=["values"]), bundled_registry)
    assert used_ids(question) == set(question.data["used"])


def small_pack() -> Pack:
    """Two perspectives, one role and everyone: the built-in types must cope with it."""
    perspectives = [
        Perspective(key="compliance", name="Compliance", danish_name="Sammen sikrer vi driften", explanation="Drift."),
        Perspective(key="emergens", name="Emergens", danish_name="Sammen skaber vi velfærd", explanation="Velfærd."),
    ]
    roles = [
        Role(key="alle", name="Alle ansatte", description="Alle.", everyone=True),
        Role(key="medarbejder", name="Medarbejder", description="Medarbejderen."),
    ]
    manifest = Manifest(
        id="lille",
        title="Lille",
        language="da",
        version="1",
        description="En lille pakke.",
        perspectives=perspectives,
        roles=roles,
    )
    statements = [
        Statement(id=f"{r}.{p}.{n}", text=f"Udsagn {n} for {r} under {p}.", perspective=p, role=r)
        for r in ("alle", "medarbejder")
        for p in ("compliance", "emergens")
        for n in (1, 2, 3)
    ]
    return Pack(manifest=manifest, statements=statements)


def test_built_in_types_cope_with_a_small_pack(bundled_registry):
    bundled_pack = small_pack()
    small = type(bundled_registry)(
        question_types=bundled_registry.question_types, packs={bundled_pack.id: bundled_pack}
    )
    questions = draw_questions(QuizSpec(pack_id="lille", length=50, seed=3), small)
    assert "chain" not in {q.type for q in questions}  # one role in the chain is no chain
    for question in questions:
        assert grade(question, right_answer(question), small).correct
    texts = [i for q in questions for i in q.statement_ids]
    assert len(texts) == len(set(texts))


def test_refresh_quiz_asks_only_the_due_statements(bundled_registry, bundled_pack):
    due = ["medarbejder.performance.4", "alle.compliance.2", "direktion.emergens.1"]
    spec = QuizSpec(pack_id="hvidovrevejen", statement_ids=due, length=10, types=["perspective", "role"], seed=3)
    questions = draw_questions(spec, bundled_registry)
    assert sorted(i for q in questions for i in q.statement_ids) == sorted(due)
