"""An English reader meets no Danish of the app's own: a quiz started in Danish is named in English in the
history, and the profile names Danish as »Danish« (not its own name »Dansk«)."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from quiz.i18n import use_language
from quiz.learning import attempts
from quiz.learning.presets import build_spec, preset
from quiz.learning.quizzes import draw_questions
from quiz.people import languages
from quiz.plugins import get_registry
from quiz.store import create_user, open_db, set_user_role_key
from quiz.ui.pages import path as page_file
from tests.test_page_walker import shown

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def open_page(user_id: int, page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["user_id"] = user_id
    at.run()
    return at.switch_page(page_file(page)).run()


def test_a_quiz_started_in_danish_is_named_in_english_in_the_english_history(db_path):
    db = open_db(db_path)
    registry = get_registry()
    pack = registry.packs["hvidovrevejen"]
    robin = create_user(db, "robin", "Robin Smith", "secret-123")
    set_user_role_key(db, robin.id, "medarbejder")
    with use_language("da"):  # Robin started it before switching the app to English
        spec = build_spec(preset("vaerdier"), pack, own_role="medarbejder", length=2, seed=1)
    assert spec.title == "Værdier og navne"
    attempts.start_attempt(db, robin.id, spec, draw_questions(spec, registry))
    languages.set_user_language(db, robin.id, "en")
    at = open_page(robin.id, "fremskridt")
    assert not at.exception
    texts = shown(at) + [str(v) for table in at.table for v in table.value.to_numpy().ravel()]
    assert [t for t in texts if "Værdier og navne" in t] == []
    assert "Continue Values and names (question 1 of 2)" in texts
    db.close()


def test_the_english_profile_calls_danish_danish(db_path):
    db = open_db(db_path)
    robin = create_user(db, "robin", "Robin Smith", "secret-123")
    set_user_role_key(db, robin.id, "medarbejder")
    languages.set_user_language(db, robin.id, "en")
    db.close()
    at = open_page(robin.id, "profil")
    assert not at.exception
    options = [str(o) for o in at.radio(key="profile_language").options]
    assert "As my browser (Danish)" in options, options
    captions = [c.value for c in at.caption]
    assert any("translated from the original in Danish" in c for c in captions), captions
