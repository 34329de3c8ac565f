"""HR sets an onboarding programme; each person is ikke startet, i gang, gennemført or overskredet."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from quiz.hr import programme, units
from quiz.hr.programme import Programme, Requirement
from quiz.i18n import QuizError
from quiz.learning.intro import complete_intro, set_intro_step
from quiz.store import create_user, get_user_by_name
from tests.onboarding_helpers import complete_programme, organisation, take_quiz

PEOPLE = (
    "Ane Andersen;ane@hvidovre.dk;ane;Medarbejder;Hjemmeplejen Nord;01-09-2026",
    "Bo Berg;bo@hvidovre.dk;bo;Medarbejder;Hjemmeplejen Nord;01-09-2026",
    "Cille Carlsen;cille@hvidovre.dk;cille;Medarbejder;Center for Børn;01-09-2026",
    "Dan Dahl;dan@hvidovre.dk;dan;Medarbejder;Center for Børn;20-09-2026",
)


@pytest.fixture
def hr(db, pack):
    return organisation(db, pack, *PEOPLE)


def status_of(db, pack, prog, today, user_ids=None):
    rows = programme.statuses(db, pack, prog, today=today, user_ids=user_ids)
    return {r.username: r.status for r in rows if r.username != "hr"}


def test_statuses_follow_what_each_person_did_and_the_deadline(db, pack, registry, hr):
    prog = programme.set_programme(db, programme.default_programme(pack.id), actor=hr.id)
    sept = datetime(2026, 9, 10, 9, tzinfo=UTC)
    complete_programme(db, registry, "ane", now=sept)
    set_intro_step(db, get_user_by_name(db, "bo").id, pack.id, 2)
    assert status_of(db, pack, prog, date(2026, 9, 15)) == {
        "ane": "completed",
        "bo": "in_progress",
        "cille": "not_started",
        "dan": "not_started",
    }
    # 30 days after 1 September: Bo and Cille are late, Dan (started 20 September) is not.
    assert status_of(db, pack, prog, date(2026, 10, 2)) == {
        "ane": "completed",
        "bo": "overdue",
        "cille": "overdue",
        "dan": "not_started",
    }
    ane = next(r for r in programme.statuses(db, pack, prog, today=date(2026, 10, 2)) if r.username == "ane")
    assert ane.completed_at == sept and ane.deadline == date(2026, 10, 1)
    assert programme.status_name("overdue") == "overskredet"
    assert programme.status_name("completed") == "gennemført"


def test_a_quiz_under_the_pass_mark_or_on_other_statements_does_not_count(db, pack, registry, hr):
    prog = programme.set_programme(db, programme.default_programme(pack.id), actor=hr.id)
    complete_intro(db, get_user_by_name(db, "ane").id, pack.id)
    take_quiz(db, registry, "ane", ["medarbejder", "alle"], right=False)
    take_quiz(db, registry, "ane", ["alle"])
    [ane] = programme.statuses(db, pack, prog, today=date(2026, 9, 5), user_ids=[get_user_by_name(db, "ane").id])
    assert dict(ane.met)["role_quiz"] is None and dict(ane.met)["everyone_quiz"] is not None
    assert ane.status == "in_progress"


def test_hr_chooses_the_requirements_and_days_and_only_an_admin_may(db, pack, registry, hr):
    mine = Programme(pack.id, (Requirement("intro"),), 10)
    programme.set_programme(db, mine, actor=hr.id)
    assert programme.get_programme(db, pack.id) == mine
    complete_intro(db, get_user_by_name(db, "bo").id, pack.id)
    assert status_of(db, pack, mine, date(2026, 9, 12))["bo"] == "completed"
    learner = get_user_by_name(db, "ane")
    with pytest.raises(QuizError) as refused:
        programme.set_programme(db, Programme(pack.id, (Requirement("intro"),), 99), actor=learner.id)
    assert refused.value.msg.key == "account.actor_not_admin"
    assert programme.get_programme(db, pack.id).days == 10
    with pytest.raises(QuizError):
        programme.set_programme(db, Programme(pack.id, (), 10), actor=hr.id)


def test_a_leader_sees_the_status_of_their_own_units_people_and_no_one_else(db, pack, registry, hr):
    leader = create_user(db, "lone", "Lone Leder", "hemmelig123")
    units.set_leader_units(db, leader.id, [units.tree(db).find("Center for Sundhed").id])
    prog = programme.default_programme(pack.id)
    seen = status_of(db, pack, prog, date(2026, 9, 5), user_ids=units.visible_user_ids(db, leader.id))
    assert set(seen) == {"ane", "bo"}
    nobody = create_user(db, "ulla", "Ulla Uden", "hemmelig123")
    assert status_of(db, pack, prog, date(2026, 9, 5), user_ids=units.visible_user_ids(db, nobody.id)) == {}


def test_overdue_people_are_listed_by_centre_and_completion_over_time_per_unit(db, pack, registry, hr):
    prog = programme.default_programme(pack.id)
    complete_programme(db, registry, "cille", now=datetime(2026, 9, 8, 9, tzinfo=UTC))
    rows = [r for r in programme.statuses(db, pack, prog, today=date(2026, 10, 25)) if r.username != "hr"]
    tree = units.tree(db)
    centre = {u.id: tree.top(u.id) for u in tree.units}
    overdue = {
        tree.by_id[k].name: sorted(r.username for r in group if r.status == "overdue")
        for k, group in programme.by_unit(rows, centre).items()
    }
    assert overdue == {"Center for Sundhed": ["ane", "bo"], "Center for Børn": ["dan"]}
    series = programme.completion_over_time(rows, centre, weeks=8, today=date(2026, 10, 25))
    children = [p for p in series if p["unit"] == tree.find("Center for Børn").id]
    assert [round(p["share"], 2) for p in children] == [0.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]
