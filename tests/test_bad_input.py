"""Bad input never crashes, never runs, and never shows up as raw HTML.

Property tests (hypothesis): random and broken content packs give a located ``PackError`` (and
``python -m quiz validate`` a plain message, exit 1), never a traceback; random text typed into
every text field (sign-up, sign-in, the live join code and display name) gives no exception on the
page, leaves progress.db intact, and is shown escaped wherever a page shows it.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette
from starlette.testclient import TestClient
from streamlit.testing.v1 import AppTest

from quiz import live
from quiz.cli import main as cli
from quiz.content import PackError, load_pack
from quiz.content.loader import REPO_ROOT
from quiz.learning.quizzes import QuizSpec
from quiz.people import auth
from quiz.store import create_user, get_user, open_db
from quiz.ui.web import phone, stage

APP = str(Path(__file__).resolve().parents[1] / "app.py")
REAL_PACK = REPO_ROOT / "content" / "hvidovrevejen"
SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

# What people paste into forms, on purpose or not.
NASTY = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "<b>fed</b> <i>kursiv</i>",
    "'; DROP TABLE users; --",
    "Robert'); DELETE FROM answers WHERE ('1'='1",
    "**fed** [link](javascript:alert(1)) ![x](http://example.com/x.png)",
    "{{7*7}} ${7*7} %s %(name)s",
    "Ærø Østergård Åse",
    "\u202eevil\u202c",
    "zero\u200bwidth",
    "\x00nul",
    "👩‍👩‍👧‍👦 🇩🇰",
    " ",
    "",
    "A" * 5000,
]
TEXT = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=80),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=300),
    st.builds(lambda a, b: a + b, st.sampled_from(NASTY), st.text(max_size=20)),
)
TAG = re.compile(r"<\s*(script|img|iframe|svg|b|i|a)\b", re.IGNORECASE)


# --- content packs -----------------------------------------------------------------------------

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    TEXT,
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)),
    max_leaves=12,
)


def _real(name: str) -> dict:
    return yaml.safe_load((REAL_PACK / name).read_text(encoding="utf-8"))


@st.composite
def mutated(draw, name: str):
    """The real file with some keys changed to random values, removed, or added."""
    data = _real(name)
    for _ in range(draw(st.integers(1, 4))):
        action = draw(st.sampled_from(["replace", "remove", "add", "replace_item"]))
        key = draw(st.sampled_from(sorted(data)))
        if action == "replace":
            data[key] = draw(VALUES)
        elif action == "remove":
            data.pop(key, None)
        elif action == "add":
            data[draw(st.text(min_size=1, max_size=12))] = draw(VALUES)
        elif isinstance(data.get(key), list) and data[key]:
            index = draw(st.integers(0, len(data[key]) - 1))
            item = data[key][index]
            if isinstance(item, dict) and item:
                item[draw(st.sampled_from(sorted(item)))] = draw(VALUES)
            else:
                data[key][index] = draw(VALUES)
        if not data:
            break
    return yaml.safe_dump(data, allow_unicode=True)


RAW_TEXT = st.one_of(
    st.text(max_size=300),
    st.sampled_from(
        [
            "key: [unclosed",
            "a: b\n  c: d",
            "!!python/object/apply:os.system ['echo pwned']",
            "&a [*a]",
            "? [complex, key]\n: value",
            "--- a\n--- b",
            "\t- tab",
            "statements: " + "[" * 200,
            "id: x\nid: y",
        ]
    ),
)
FILE_TEXT = st.one_of(
    RAW_TEXT,
    VALUES.map(lambda v: yaml.safe_dump(v, allow_unicode=True)),
    mutated("pack.yaml"),
    mutated("statements.yaml"),
)


def _write_pack(folder: Path, manifest: str | bytes, statements: str | bytes, intro: str | bytes | None) -> None:
    for name, content in (("pack.yaml", manifest), ("statements.yaml", statements)):
        path = folder / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    if intro is not None:
        (folder / "intro").mkdir()
        path = folder / "intro" / "01-forord.md"
        if isinstance(intro, bytes):
            path.write_bytes(intro)
        else:
            path.write_text(intro, encoding="utf-8")


PACK_FILES = st.tuples(
    st.one_of(FILE_TEXT, mutated("pack.yaml"), st.binary(max_size=64)),
    st.one_of(FILE_TEXT, mutated("statements.yaml"), st.binary(max_size=64)),
    st.one_of(st.none(), st.text(max_size=200), st.binary(max_size=32), st.just("# Forord\nTekst <script>x</script>")),
)


@settings(SETTINGS, max_examples=40)
@given(files=PACK_FILES)
def test_author_gets_a_located_message_for_any_broken_pack_never_a_traceback(files):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        _write_pack(folder, *files)
        try:
            pack = load_pack(folder)
        except PackError as exc:
            assert exc.problems, "a PackError must list its problems"
            for problem in exc.problems:
                assert problem.file.is_relative_to(folder), problem
                assert problem.file.name in str(problem)
                assert problem.message.strip()
        else:
            assert pack.statements


@settings(SETTINGS, max_examples=20)
@given(files=PACK_FILES)
def test_validate_command_answers_any_broken_pack_with_plain_text_and_exit_1(files, capsys):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        _write_pack(folder, *files)
        code = cli.main(["validate", str(folder)])
        out, err = capsys.readouterr()
        assert code in (0, 1)
        assert "Traceback" not in out + err
        if code == 1:
            assert "UGYLDIG" in err and str(folder) in err


def test_the_bundled_pack_still_validates():
    assert load_pack(REAL_PACK).statements


# --- text fields in the app --------------------------------------------------------------------


def _rendered(at: AppTest) -> list[tuple[str, bool]]:
    """Every text the page shows as Markdown or plain text, and whether it was allowed to hold HTML."""
    out = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "success", "info", "warning", "error", "text"):
        for element in at.get(kind):
            proto = element.proto
            body = getattr(proto, "body", None)
            if isinstance(body, str):
                out.append((body, bool(getattr(proto, "allow_html", False))))
    return out


def assert_shown_safely(at: AppTest, typed: list[str]) -> None:
    """No exception, and no typed HTML shown raw: Markdown gets it escaped, HTML elements never get it."""
    assert not at.exception, [e.value for e in at.exception]
    for body, allow_html in _rendered(at):
        for raw in typed:
            if "<" in raw and raw.strip():
                assert raw not in body, f"typed text shown unescaped: {body[:200]!r}"
        if not allow_html:
            assert not TAG.search(body), f"raw tag in Markdown: {body[:200]!r}"


def _database_intact(path: Path) -> None:
    db = open_db(path, migrate=False)
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert {"users", "answers", "live_answers"} <= set(db.table_names())
    finally:
        db.close()


def _sign_in_page() -> AppTest:
    return AppTest.from_file(APP, default_timeout=60).run()


@SETTINGS
@given(display_name=TEXT, username=TEXT, password=TEXT)
def test_sign_up_with_any_text_shows_an_error_or_an_escaped_name(db_path, display_name, username, password):
    at = _sign_in_page()
    # set_value, not input(): a crafted client is not held to max_chars.
    at.text_input(key="signup_display_name").set_value(display_name)
    at.text_input(key="signup_username").set_value(username)
    at.text_input(key="signup_password").set_value(password)
    at.text_input(key="signup_password2").set_value(password)
    at.button(key="signup_submit").click().run()
    typed = [display_name, username, password]
    assert_shown_safely(at, typed)
    if "user_id" in at.session_state:
        at.run()  # signed in now: the front page greets the person by the stored name
        assert_shown_safely(at, typed)
        db = open_db(db_path, migrate=False)
        # The account made, found by id: the widget cuts a too-long name to its max_chars first.
        stored = get_user(db, at.session_state["user_id"])
        db.close()
        assert stored is not None and "\x00" not in stored.display_name
        assert auth.validate_username(stored.username) == stored.username
    _database_intact(db_path)


@SETTINGS
@given(username=TEXT, password=TEXT)
def test_sign_in_with_any_text_is_refused_politely(db_path, username, password):
    at = _sign_in_page()
    at.text_input(key="signin_username").set_value(username)
    at.text_input(key="signin_password").set_value(password)
    at.button(key="signin_submit").click().run()
    assert_shown_safely(at, [username, password])
    assert "user_id" not in at.session_state
    _database_intact(db_path)


@pytest.fixture
def open_room(db_path):
    """A live session in the lobby that lets anonymous people join."""
    db = open_db(db_path)
    facilitator = create_user(db, "fie", "Fie Facilitator", "hemmelig123", is_facilitator=True)
    pack_id = "hvidovrevejen"
    room = live.create_session(db, facilitator.id, QuizSpec(pack_id=pack_id, length=3), allow_anonymous=True)
    db.close()
    return room


def _phone() -> TestClient:
    routes = phone.ROUTES + stage.ROUTES
    return TestClient(Starlette(routes=routes), client=("192.0.2.44", 1), follow_redirects=True)


def assert_page_safe(body: str, typed: list[str]) -> None:
    """A page of the lean phone: typed text never shown as HTML, and never a traceback."""
    assert "Traceback" not in body
    for raw in typed:
        if "<" in raw and raw.strip():
            assert raw not in body, f"typed text shown unescaped: {body[:200]!r}"


@SETTINGS
@given(code=TEXT, name=TEXT)
def test_any_join_code_is_answered_with_a_message_not_a_crash(db_path, open_room, code, name):
    answer = _phone().post("/deltag", data={"kode": code, "navn": name}, headers={"Origin": "http://testserver"})
    assert answer.status_code in (200, 400, 429), answer.status_code
    assert_page_safe(answer.text, [code, name])
    _database_intact(db_path)


@SETTINGS
@given(name=TEXT)
def test_any_live_display_name_is_refused_or_shown_escaped_to_phone_and_facilitator(db_path, open_room, name):
    client = _phone()
    answer = client.post("/deltag", data={"kode": open_room.code, "navn": name}, headers={"Origin": "http://testserver"})
    assert answer.status_code in (200, 400, 429), answer.status_code
    assert_page_safe(answer.text, [name])
    if client.cookies.get("hv_live"):
        facilitator = AppTest.from_file(APP, default_timeout=60)
        facilitator.session_state["user_id"] = open_room.facilitator_id
        facilitator.run()
        facilitator.query_params["session"] = str(open_room.id)
        facilitator.switch_page("quiz/ui/pages/facilitator.py").run()
        assert_shown_safely(facilitator, [name])
    _database_intact(db_path)
