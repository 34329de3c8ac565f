"""Generating and grading every built-in question type, as a learner meets them."""

import json
import random
from collections import Counter
from pathlib import Path

import pytest

from quiz.content import load_pack
from quiz.questions.base import Question
from quiz.questions.chain import question_type as chain
from quiz.questions.match import question_type as match
from quiz.questions.odd_one_out import question_type as odd_one_out
from quiz.questions.perspective import question_type as perspective
from quiz.questions.role import question_type as role
from quiz.questions.values import question_type as values

BUNDLED = Path(__file__).resolve().parents[1] / "content" / "hvidovrevejen"
SHARED = "Med klare processer og værktøjer opnår jeg nye standarder."
ALL_TYPES = [perspective, role, match, chain, odd_one_out, values]
SEEDS = range(40)


@pytest.fixture(scope="module")
def bundled_pack():
    return load_pack(BUNDLED)


def right_answer(question: Question):
    """The answer a learner who knows the material gives."""
    if question.kind == "choice":
        return question.accepted[0][0]
    return [accepted[0] for accepted in question.accepted]


def statements_of(bundled_pack, **where):
    return [s for s in bundled_pack.statements if all(getattr(s, k) == v for k, v in where.items())]


# --- perspective ---------------------------------------------------------------------------------


def test_perspective_question_offers_the_four_danish_perspective_names(bundled_pack):
    question = perspective.generate(bundled_pack, bundled_pack.statements, random.Random(1), set())
    assert question.prompt == "Hvilket perspektiv hører udsagnet til?"
    assert [o.label for o in question.options] == [
        "Sammen sikrer vi driften (Compliance)",
        "Sammen styrker vi resultaterne (Performance)",
        "Sammen skaber vi velfærd (Emergens)",
        "Sammen udvikler vi en robust organisation (Resiliens)",
    ]
    [item] = question.items
    assert item.statement_id == question.statement_ids[0]


def test_learner_who_picks_the_right_perspective_is_told_where_the_statement_stands(bundled_pack):
    statement = bundled_pack.statement("medarbejder.performance.3")
    question = perspective.generate(bundled_pack, [statement], random.Random(0), set())
    grade = perspective.grade(question, "performance", bundled_pack)
    assert grade.correct and grade.score == 1
    assert grade.right_answer == "Sammen styrker vi resultaterne (Performance)"
    assert grade.explanation == "Udsagnet står hos Medarbejder under Performance – »Sammen styrker vi resultaterne«."
    assert grade.per_statement == {"medarbejder.performance.3": True}


def test_wrong_perspective_scores_zero_and_marks_the_statement_missed(bundled_pack):
    statement = bundled_pack.statement("alle.emergens.1")
    question = perspective.generate(bundled_pack, [statement], random.Random(0), set())
    grade = perspective.grade(question, "compliance", bundled_pack)
    assert not grade.correct and grade.score == 0
    assert grade.right_answer == "Sammen skaber vi velfærd (Emergens)"
    assert "Alle ansatte" in grade.explanation
    assert grade.per_statement == {"alle.emergens.1": False}


def test_every_statement_is_answered_by_its_perspective_in_the_document(bundled_pack):
    for statement in bundled_pack.statements:
        question = perspective.generate(bundled_pack, [statement], random.Random(0), set())
        assert question.accepted == ((statement.perspective,),)


# --- role ----------------------------------------------------------------------------------------


def test_shared_sentence_accepts_both_roles(bundled_pack):
    [first, second] = [s for s in bundled_pack.statements if s.text == SHARED]
    for statement in (first, second):
        question = role.generate(bundled_pack, [statement], random.Random(0), set())
        assert set(question.accepted[0]) == {"centerchef", "leder_af_ledere"}
        keys = [o.key for o in question.options]
        assert {"centerchef", "leder_af_ledere"} <= set(keys)
        for right in ("centerchef", "leder_af_ledere"):
            assert role.grade(question, right, bundled_pack).correct
        wrong = next(k for k in keys if k not in question.accepted[0])
        assert role.grade(question, wrong, bundled_pack).score == 0
        grade = role.grade(question, "centerchef", bundled_pack)
        assert grade.right_answer == "Centerchef eller Leder af ledere"
        assert grade.explanation == (
            "Udsagnet står hos Centerchef og Leder af ledere under Resiliens – "
            "»Sammen udvikler vi en robust organisation«."
        )


def test_role_question_for_a_shared_statement_offers_alle_ansatte(bundled_pack):
    for seed in SEEDS:
        question = role.generate(bundled_pack, statements_of(bundled_pack, role="alle"), random.Random(seed), set())
        assert "Alle ansatte" in [o.label for o in question.options]
        assert question.accepted == (("alle",),)


def test_role_options_are_plausible_and_only_accepted_ones_are_right(bundled_pack):
    order = list(bundled_pack.roles)
    for statement in bundled_pack.statements:
        question = role.generate(bundled_pack, [statement], random.Random(statement.id), set())
        keys = [o.key for o in question.options]
        accepted = question.accepted[0]
        assert len(keys) == 4 and len(set(keys)) == 4
        assert keys == sorted(keys, key=order.index), "options in hierarchy order"
        assert set(accepted) == set(bundled_pack.roles_of(statement)) <= set(keys)
        for key in set(keys) - set(accepted):
            assert key not in bundled_pack.roles_of(statement)
            # a neighbour in the hierarchy, not a far-off role
            assert min(abs(order.index(key) - order.index(r)) for r in accepted) <= 3
        assert [o.label for o in question.options] == [bundled_pack.roles[k].name for k in keys]


def test_wrong_role_options_are_the_nearest_roles(bundled_pack):
    statement = bundled_pack.statement("medarbejder.compliance.1")
    question = role.generate(bundled_pack, [statement], random.Random(0), set())
    assert [o.label for o in question.options] == [
        "Centerchef",
        "Leder af ledere",
        "Leder af medarbejdere",
        "Medarbejder",
    ]


# --- match ---------------------------------------------------------------------------------------


def test_match_question_has_one_statement_per_perspective_from_one_role(bundled_pack):
    for seed in SEEDS:
        question = match.generate(bundled_pack, bundled_pack.statements, random.Random(seed), set())
        statements = [bundled_pack.statement(i) for i in question.statement_ids]
        assert question.kind == "assign"
        assert sorted(s.perspective for s in statements) == sorted(bundled_pack.perspectives)
        assert len({s.role for s in statements}) == 1
        assert [i.statement_id for i in question.items] == list(question.statement_ids)
        assert [o.key for o in question.options] == list(bundled_pack.perspectives)


def test_match_gives_partial_credit_for_each_pair_right(bundled_pack):
    question = match.generate(bundled_pack, bundled_pack.statements, random.Random(3), set())
    answer = right_answer(question)
    assert match.grade(question, answer, bundled_pack).score == 1
    swapped = [answer[1], answer[0], *answer[2:]]
    grade = match.grade(question, swapped, bundled_pack)
    assert grade.score == 0.5 and not grade.correct
    ids = question.statement_ids
    assert grade.per_statement == {ids[0]: False, ids[1]: False, ids[2]: True, ids[3]: True}
    assert grade.explanation.count(" står hos ") == 4


def test_match_falls_back_to_mixed_roles_when_no_role_has_all_four(bundled_pack):
    pool = [
        bundled_pack.statement("alle.compliance.1"),
        bundled_pack.statement("direktion.performance.1"),
        bundled_pack.statement("medarbejder.emergens.1"),
        bundled_pack.statement("centerchef.resiliens.1"),
    ]
    question = match.generate(bundled_pack, pool, random.Random(0), set())
    assert sorted(question.statement_ids) == sorted(s.id for s in pool)


def test_match_cannot_be_made_without_every_perspective(bundled_pack):
    pool = [s for s in bundled_pack.statements if s.perspective != "emergens"]
    assert match.generate(bundled_pack, pool, random.Random(0), set()) is None


# --- chain ---------------------------------------------------------------------------------------


def test_chain_question_walks_one_perspective_from_direktion_to_medarbejder(bundled_pack):
    for seed in SEEDS:
        question = chain.generate(bundled_pack, bundled_pack.statements, random.Random(seed), set())
        statements = [bundled_pack.statement(i) for i in question.statement_ids]
        assert [o.label for o in question.options] == [
            "1. Direktion",
            "2. Centerchef",
            "3. Leder af ledere",
            "4. Leder af medarbejdere",
            "5. Medarbejder",
        ]
        assert sorted(s.role for s in statements) == sorted(bundled_pack.chain_roles)
        assert len({s.perspective for s in statements}) == 1
        assert all(len(a) == 1 for a in question.accepted), "each place in the chain is unique"


def test_chain_never_uses_the_shared_sentence(bundled_pack):
    pool = statements_of(bundled_pack, perspective="resiliens")
    for seed in SEEDS:
        question = chain.generate(bundled_pack, pool, random.Random(seed), set())
        assert SHARED not in [i.text for i in question.items]


def test_chain_gives_partial_credit_per_statement(bundled_pack):
    question = chain.generate(bundled_pack, bundled_pack.statements, random.Random(7), set())
    answer = right_answer(question)
    assert chain.grade(question, answer, bundled_pack).correct
    answer[0], answer[1] = answer[1], answer[0]
    grade = chain.grade(question, answer, bundled_pack)
    assert grade.score == pytest.approx(3 / 5)
    assert Counter(grade.per_statement.values()) == {True: 3, False: 2}
    assert grade.right_answer.splitlines()[0].startswith("1. Direktion: »")


def test_chain_cannot_be_made_for_one_role(bundled_pack):
    pool = statements_of(bundled_pack, role="medarbejder")
    assert chain.generate(bundled_pack, pool, random.Random(0), set()) is None


# --- odd one out ---------------------------------------------------------------------------------


def test_odd_one_out_has_three_of_one_perspective_and_one_of_another(bundled_pack):
    for seed in SEEDS:
        question = odd_one_out.generate(bundled_pack, bundled_pack.statements, random.Random(seed), set())
        statements = [bundled_pack.statement(o.key) for o in question.options]
        counts = Counter(s.perspective for s in statements)
        assert sorted(counts.values()) == [1, 3]
        [odd] = [s for s in statements if counts[s.perspective] == 1]
        assert question.accepted == ((odd.id,),)
        assert len({s.role for s in statements}) == 1, "same role: only the perspective differs"
        assert [o.label for o in question.options] == [s.text for s in statements]


def test_picking_the_odd_one_is_right_and_a_wrong_pick_marks_two_statements_missed(bundled_pack):
    question = odd_one_out.generate(bundled_pack, bundled_pack.statements, random.Random(2), set())
    odd = question.accepted[0][0]
    grade = odd_one_out.grade(question, odd, bundled_pack)
    assert grade.correct and all(grade.per_statement.values())
    assert "De tre andre hører til" in grade.right_answer
    wrong = next(o.key for o in question.options if o.key != odd)
    grade = odd_one_out.grade(question, wrong, bundled_pack)
    assert grade.score == 0
    assert {k for k, ok in grade.per_statement.items() if not ok} == {odd, wrong}


# --- values --------------------------------------------------------------------------------------


def every_values_question(bundled_pack, seed=0):
    rng, used, questions = random.Random(seed), set(), []
    while (question := values.generate(bundled_pack, [], rng, used)) is not None:
        questions.append(question)
        used |= set(question.data["used"])
    return questions


def test_values_questions_cover_values_and_perspective_names_without_repeats(bundled_pack):
    questions = every_values_question(bundled_pack)
    topics = [q.data["used"][0] for q in questions]
    assert len(topics) == len(set(topics)) == 1 + 3 + 4
    assert all(q.statement_ids == () for q in questions)


def test_learner_recognises_the_three_values(bundled_pack):
    [question] = [q for q in every_values_question(bundled_pack) if q.data["topic"] == "values:triplet"]
    assert question.prompt == "Hvilke er vores tre værdier?"
    labels = [o.label for o in question.options]
    assert "Dialog, åbenhed og engagement" in labels
    assert len(labels) == len(set(labels)) == 4
    right = question.accepted[0][0]
    assert question.option_label(right) == "Dialog, åbenhed og engagement"
    grade = values.grade(question, right, bundled_pack)
    assert grade.correct and grade.right_answer == "Dialog, åbenhed og engagement"
    wrong = next(o.key for o in question.options if o.key != right)
    assert values.grade(question, wrong, bundled_pack).score == 0


def test_learner_knows_what_emergens_is_called_in_hvidovrevejen(bundled_pack):
    for seed in SEEDS:
        questions = every_values_question(bundled_pack, seed)
        [question] = [q for q in questions if q.data["topic"] == "values:perspective:emergens"]
        grade = values.grade(question, "emergens", bundled_pack)
        assert grade.correct
        if question.prompt == "Hvad hedder Emergens i Hvidovrevejen?":
            assert grade.right_answer == "Sammen skaber vi velfærd"
        else:
            assert "»Sammen skaber vi velfærd«" in question.prompt
            assert grade.right_answer == "Emergens"


# --- every type ----------------------------------------------------------------------------------


@pytest.mark.parametrize("question_type", ALL_TYPES, ids=lambda t: t.key)
def test_right_answer_scores_full_marks_and_survives_a_json_round_trip(bundled_pack, question_type):
    question = question_type.generate(bundled_pack, bundled_pack.statements, random.Random(11), set())
    stored = Question.from_dict(json.loads(json.dumps(question.to_dict())))
    assert stored == question
    grade = question_type.grade(stored, right_answer(stored), bundled_pack)
    assert grade.correct and grade.score == 1
    assert grade.right_answer and grade.explanation
    assert set(grade.per_statement) == set(question.statement_ids)
    assert all(grade.per_statement.values())


@pytest.mark.parametrize("question_type", ALL_TYPES, ids=lambda t: t.key)
@pytest.mark.parametrize(
    "answer",
    [None, 3, "", "ukendt", [], ["ukendt"] * 5, {"a": 1}, [None, None, None, None], ("x",)],
    ids=repr,
)
def test_malformed_answer_scores_zero_and_never_raises(bundled_pack, question_type, answer):
    question = question_type.generate(bundled_pack, bundled_pack.statements, random.Random(5), set())
    grade = question_type.grade(question, answer, bundled_pack)
    assert grade.score == 0 and not grade.correct
    assert not any(grade.per_statement.values())


@pytest.mark.parametrize("question_type", [match, chain], ids=lambda t: t.key)
def test_assign_answer_of_the_wrong_length_scores_zero(bundled_pack, question_type):
    question = question_type.generate(bundled_pack, bundled_pack.statements, random.Random(5), set())
    answer = right_answer(question)
    assert question_type.grade(question, answer[:-1], bundled_pack).score == 0
    assert question_type.grade(question, [*answer, answer[0]], bundled_pack).score == 0
    assert question_type.grade(question, "".join(answer), bundled_pack).score == 0


@pytest.mark.parametrize("question_type", ALL_TYPES, ids=lambda t: t.key)
def test_generation_skips_used_statements_and_the_twin_of_a_used_shared_sentence(bundled_pack, question_type):
    [first, second] = [s for s in bundled_pack.statements if s.text == SHARED]
    used = {first.id} | {s.id for s in bundled_pack.statements if s.perspective == "compliance"}
    for seed in range(10):
        question = question_type.generate(bundled_pack, bundled_pack.statements, random.Random(seed), used)
        if question is None:
            continue
        assert not set(question.statement_ids) & (used | {second.id})


@pytest.mark.parametrize("question_type", ALL_TYPES, ids=lambda t: t.key)
def test_same_seed_draws_the_same_question(bundled_pack, question_type):
    a = question_type.generate(bundled_pack, bundled_pack.statements, random.Random(9), set())
    b = question_type.generate(bundled_pack, bundled_pack.statements, random.Random(9), set())
    assert a == b


@pytest.mark.parametrize("question_type", ALL_TYPES, ids=lambda t: t.key)
def test_user_facing_text_is_danish(question_type, bundled_pack):
    question = question_type.generate(bundled_pack, bundled_pack.statements, random.Random(4), set())
    grade = question_type.grade(question, right_answer(question), bundled_pack)
    text = " ".join(
        [question_type.label, question_type.description, question.prompt, grade.right_answer, grade.explanation]
    )
    for english in ("Which", "statement", "perspective ", "role ", "correct"):
        assert english not in text
