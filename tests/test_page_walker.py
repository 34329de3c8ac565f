"""The page walker: each kind of person opens every page their menu offers, presses every button and submits
every form once with ordinary input; no page may raise, show a traceback or speak English on a Danish page.

Generic on purpose: the pages come from the menu app.py builds for the person (``st.session_state["_menu"]``),
the sections from each page's segmented controls, the buttons from what the page shows. A new page or button
is walked without a test of its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from google.protobuf.message import Message
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import ButtonGroup, Selectbox

from quiz import live
from quiz.hr import programme, units
from quiz.learning import attempts
from quiz.learning.quizzes import QuizSpec, draw_questions
from quiz.plugins import get_registry
from quiz.store import create_user, get_user_by_name, open_db, set_user_role_key
from tests.conftest import right_answer
from tests.onboarding_helpers import organisation

APP = str(Path(__file__).resolve().parents[1] / "app.py")
REPO = Path(__file__).resolve().parents[1]
# Words a Danish page never shows; "none", "true" and "false" are Python values shown raw.
ENGLISH = re.compile(
    r"\b(the|with|your|please|select all|browse files|drag and drop|error|exception|traceback|"
    r"none|true|false|submit|loading|invalid|required|click|choose an option|no options)\b",
    re.IGNORECASE,
)
# Proto fields that hold text a person reads (not keys, ids or data).
TEXT_FIELDS = {"body", "label", "help", "placeholder", "options", "text", "message", "caption", "title"}
# What ordinary input means, by the widget's key.
ORDINARY = (
    ("password", "en-god-kode-123"),
    ("mail", "test@hvidovre.dk"),
    ("username", "testbruger"),
    ("code", "ABC123"),
    ("", "Test Testesen"),
)


def texts(proto: Message) -> Iterator[str]:
    """Every readable text in an element's proto, recursively."""
    for field, value in proto.ListFields():
        values = value if isinstance(value, Sequence) and not isinstance(value, str) else [value]
        for item in values:
            if isinstance(item, Message):
                yield from texts(item)
            elif isinstance(item, str) and field.name in TEXT_FIELDS:
                yield item


def shown(at: AppTest) -> list[str]:
    found: list[str] = []

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if isinstance(proto, Message) and getattr(node, "type", "") not in ("arrow_data_frame", "dataframe"):
            found.extend(texts(proto))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return found


def readable(text: str) -> str:
    """What a person reads of a text: HTML without its styles, scripts and markup (but with its labels)."""
    text = re.sub(r"<(style|script)\b.*?</\1>", " ", text, flags=re.DOTALL | re.IGNORECASE)
    labels = " ".join(re.findall(r'(?:aria-label|alt|title)="([^"]*)"', text))
    text = re.sub(r"<[^>]+>", " ", text)
    # Links and words quoted »like this« (a text naming an English one) are not the page speaking English.
    return re.sub(r"\(https?://[^)]*\)|https?://\S+|»[^«]*«", " ", f"{text} {labels}")


def check(at: AppTest, where: str) -> None:
    assert not at.exception, f"{where}: {[e.value for e in at.exception]}"
    english = [t for t in shown(at) if ENGLISH.search(readable(t))]
    assert not english, f"{where}: English on a Danish page: {english}"


def offered_pages(at: AppTest) -> list[str]:
    """The page files the person's menu shows (visible pages), as app.py made them."""
    _, pages = at.session_state["_menu"]
    flat = [p for group in (pages.values() if isinstance(pages, dict) else [pages]) for p in group]
    return [str(Path(p._page).relative_to(REPO)) for p in flat if p.visibility == "visible"]


def fill(at: AppTest) -> None:
    """Ordinary input in every empty field and every unchosen choice."""
    for box in at.text_input:
        if not box.value and not box.disabled:
            key = (box.key or "").casefold()
            box.input(next(value for part, value in ORDINARY if part in key))
    for area in at.text_area:
        if not area.value and not area.disabled:
            area.input("En kort tekst.")
    for choice in at.selectbox:
        if choice.value is None and choice.options and not choice.disabled and not _none_is_a_choice(choice):
            choice.__class__ = _FirstOption
            choice._value = choice.options[0]  # no longer the initial value: AppTest sends the widget's state


def _none_is_a_choice(choice: Selectbox) -> bool:
    """A selectbox offering None as a choice (»Alle roller«) is answered already; one with a placeholder is not."""
    try:
        return str(choice.format_func(None)) in choice.options
    except Exception:
        return False


class _FirstOption(Selectbox):
    """A selectbox with its first option chosen (AppTest's own select_index chooses by label, not by value)."""

    @property
    def index(self) -> int:
        return 0


class _ByLabel(ButtonGroup):
    """A segmented control chosen by the label it shows (AppTest only knows how to choose by value)."""

    _label: str

    @property
    def formatted_values(self) -> list[str]:
        return [self._label]


def sections(at: AppTest) -> list[tuple[str, str]]:
    """(key, label) for every option of every single-choice segmented control: the sections of a page."""
    return [(c.key, label) for c in at.get("button_group") if c.key and c._is_single_select for label in c.options]


def open_section(at: AppTest, key: str, label: str) -> AppTest | None:
    """The page with the section chosen; None when an earlier press moved the page on (a quiz started)."""
    control = next((c for c in at.get("button_group") if c.key == key), None)
    if control is None or label not in control.options:
        return None
    control.__class__ = _ByLabel
    control._label = label
    control._value = label  # no longer the initial value: AppTest sends the widget's state
    return at.run()


def open_as(user_id: int, page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    at.session_state["user_id"] = user_id
    at.run()
    return at.switch_page(page).run()


@pytest.fixture
def people(db_path):
    db = open_db(db_path)
    registry = get_registry()
    pack = next(iter(registry.packs.values()))
    admin = organisation(
        db,
        pack,
        "Lis Læring;lis@hvidovre.dk;lis;Medarbejder;Hjemmeplejen Nord;01-09-2020",
        "Lars Leder;lars@hvidovre.dk;lars;Leder af medarbejdere;Hjemmeplejen Nord;01-09-2020",
    )
    set_user_role_key(db, admin.id, "medarbejder")
    frida = create_user(db, "frida", "Frida Facilitator", "hemmelig123", is_facilitator=True)
    set_user_role_key(db, frida.id, "leder_af_medarbejdere")
    lars, lis = get_user_by_name(db, "lars"), get_user_by_name(db, "lis")
    units.set_leader_units(db, lars.id, [units.tree(db).find("Center for Sundhed").id])
    programme.set_programme(db, programme.default_programme(pack.id), actor=admin.id)
    # Lis has begun: half a quiz, so history, progress and resuming have something to show.
    spec = QuizSpec(pack_id=pack.id, roles=["medarbejder", "alle"], length=4, seed=2)
    questions = draw_questions(spec, registry)
    attempt = attempts.start_attempt(db, lis.id, spec, questions)
    attempts.submit_answer(db, attempt, 0, right_answer(questions[0]), time_taken_ms=3000, registry=registry)
    # Frida has a live quiz waiting in its lobby: the control, stage and facilitator pages have one to show.
    live.create_session(db, frida.id, QuizSpec(pack_id=pack.id, length=2, seed=3), allow_anonymous=True)
    ids = {"learner": lis.id, "leader": lars.id, "facilitator": frida.id, "hr": admin.id}
    db.close()
    return ids


@pytest.mark.parametrize("person", ["learner", "leader", "facilitator", "hr"])
def test_every_page_and_button_works_in_danish_for_each_kind_of_person(people, person):
    user_id = people[person]
    at = AppTest.from_file(APP, default_timeout=90)
    at.session_state["user_id"] = user_id
    at.run()
    check(at, f"{person}: first page")
    pages = offered_pages(at)
    assert len(pages) >= 6, pages
    pressed = 0
    for page in pages:
        at = open_as(user_id, page)
        check(at, f"{person} opens {page}")
        views = [(None, None), *sections(at)]
        for control, option in views:
            view = open_as(user_id, page)
            if control is not None:
                view = open_section(view, control, option)
                if view is None:
                    continue
                check(view, f"{person} on {page} opens section {option} of {control}")
            buttons = [(b.key, b.label) for b in view.button if not b.disabled]
            for key, label in buttons:
                at = open_as(user_id, page)
                if control is not None and (at := open_section(at, control, option)) is None:
                    continue
                fill(at)
                target = next((b for b in at.button if (b.key, b.label) == (key, label)), None)
                if target is None or target.disabled:
                    continue
                target.click().run()
                pressed += 1
                check(at, f"{person} on {page} presses »{label}« ({key})")
    print(f"{person}: {len(pages)} pages, {pressed} buttons pressed")
    assert pressed >= 3, f"{person} pressed only {pressed} buttons"
