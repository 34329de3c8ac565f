"""Shared steps of the onboarding tests: HR's units and people, and a learner doing the programme."""

from __future__ import annotations

from datetime import datetime

from quiz.hr import people_import, units
from quiz.learning import attempts
from quiz.learning.intro import complete_intro
from quiz.learning.quizzes import QuizSpec, draw_questions
from quiz.store import create_user, get_user_by_name
from tests.conftest import right_answer, wrong_answer

HEADER = "Navn;E-mail;Brugernavn;Rolle;Enhed;Startdato"


def excel_csv(*lines: str, encoding: str = "utf-8-sig", sep: str = ";") -> bytes:
    """Rows as Excel writes them: CRLF line ends, the chosen separator and encoding."""
    text = "\r\n".join(line.replace(";", sep) for line in (HEADER, *lines)) + "\r\n"
    return text.encode(encoding)


def organisation(db, pack, *lines: str):
    """An admin, two centres with a department, and the people of ``lines`` imported; returns the admin."""
    admin = create_user(db, "hr", "Hanne HR", "hemmelig123", is_admin=True)
    units.add_unit(db, "Center for Sundhed")
    units.add_unit(db, "Hjemmeplejen Nord", parent="Center for Sundhed")
    units.add_unit(db, "Center for Børn")
    if lines:
        people_import.apply(db, pack, excel_csv(*lines), actor=admin.id)
    return admin


def take_quiz(db, registry, username: str, roles: list[str], *, right: bool = True, now: datetime | None = None):
    """The person finishes a quiz on ``roles``' statements, all right (or all wrong)."""
    user = get_user_by_name(db, username)
    pack = next(iter(registry.packs.values()))
    spec = QuizSpec(pack_id=pack.id, roles=roles, length=4, seed=1)
    questions = draw_questions(spec, registry)
    attempt_id = attempts.start_attempt(db, user.id, spec, questions, now=now)
    for index, question in enumerate(questions):
        answer = right_answer(question) if right else wrong_answer(question)
        attempts.submit_answer(db, attempt_id, index, answer, time_taken_ms=4000, registry=registry, now=now)
    return attempt_id


def complete_programme(db, registry, username: str, *, now: datetime | None = None) -> None:
    user = get_user_by_name(db, username)
    pack = next(iter(registry.packs.values()))
    complete_intro(db, user.id, pack.id, now=now)
    take_quiz(db, registry, username, ["medarbejder", "alle"], now=now)
