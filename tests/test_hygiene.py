"""The test suite's own habits: browser tests say so, shared fixtures live in conftest."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
CONFTEST_FIXTURES = {"db_path", "store", "db", "pack", "registry"}


def _module_marks(file: Path) -> set[str]:
    tree = ast.parse(file.read_text(encoding="utf-8"))
    marks = set()
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "pytestmark" for t in node.targets):
            marks |= {n.attr for n in ast.walk(node.value) if isinstance(n, ast.Attribute)}
    return marks


@pytest.mark.parametrize("file", sorted((TESTS / "e2e").glob("test_*.py")), ids=lambda f: f.name)
def test_every_browser_test_module_carries_the_browser_marker(file):
    assert "browser" in _module_marks(file), f"{file.name} needs pytestmark = [pytest.mark.browser, ...]"


@pytest.mark.parametrize("file", sorted(TESTS.glob("test_*.py")), ids=lambda f: f.name)
def test_no_test_module_redefines_a_conftest_fixture(file):
    tree = ast.parse(file.read_text(encoding="utf-8"))
    redefined = [
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef)
        and node.name in CONFTEST_FIXTURES
        and any("fixture" in ast.unparse(d) for d in node.decorator_list)
    ]
    assert not redefined, f"{file.name} redefines {redefined}: use the one in tests/conftest.py"


# What starts Chromium: Playwright itself, the Chromium fixture of the browser tests, and the bench
# (its ``join_bytes_cold`` loads /deltag in Chromium through quiz_devtools.wire).
STARTS_A_BROWSER = ("sync_playwright", "chromium.launch", "cold_join_bytes", "measure_cold_join", '"bench"')


def _starts_a_browser(test: ast.FunctionDef, source: str) -> bool:
    text = ast.get_source_segment(source, test) or ""
    return "browser" in {a.arg for a in test.args.args} or any(s in text for s in STARTS_A_BROWSER)


@pytest.mark.parametrize("file", sorted(TESTS.rglob("test_*.py")), ids=lambda f: f.relative_to(TESTS).as_posix())
def test_every_test_that_starts_a_browser_carries_the_browser_marker(file):
    source = file.read_text(encoding="utf-8")
    module_marked = "browser" in _module_marks(file)
    unmarked = [
        node.name
        for node in ast.parse(source).body
        if isinstance(node, ast.FunctionDef)
        and node.name.startswith("test_")
        and _starts_a_browser(node, source)
        and not module_marked
        and not any("mark.browser" in ast.unparse(d) for d in node.decorator_list)
    ]
    assert not unmarked, f"{file.name}: {unmarked} start Chromium; mark them @pytest.mark.browser"


def test_every_fragment_of_the_live_pages_has_a_slot_of_its_own():
    """``st.fragment`` only through ``live_watch.fragment``, which gives the fragment a container the
    full run always writes (a fragment's own container that a run skipped shifted the page under
    the next fragment run, and the control page went blank)."""
    package = Path(__file__).resolve().parents[1] / "quiz"
    direct = [
        f"{path.relative_to(package)}:{node.lineno}"
        for path in sorted(package.rglob("*.py"))
        if path.relative_to(package).as_posix() != "ui/live/watch.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call) and ast.unparse(node.func) == "st.fragment"
    ]
    assert direct == [], f"st.fragment called directly: {direct}"
