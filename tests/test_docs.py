"""docs/plugins.md keeps up with the code: every hook documented, the worked example real."""

import inspect
import re
from pathlib import Path

import pytest

from quiz import hookspecs

REPO = Path(__file__).resolve().parents[1]
PLUGINS_DOC = REPO / "docs" / "plugins.md"


def hook_names() -> list[str]:
    return [name for name, fn in inspect.getmembers(hookspecs, inspect.isfunction) if hasattr(fn, "quiz_spec")]


@pytest.fixture(scope="module")
def doc() -> str:
    return PLUGINS_DOC.read_text(encoding="utf-8")


def test_there_are_hooks_to_document():
    assert set(hook_names()) >= {"register_question_types", "register_content_packs"}


@pytest.mark.parametrize("hook", hook_names())
def test_every_hook_has_its_own_section_in_plugins_doc(doc, hook):
    headings = re.findall(r"^## (\S+)\s*$", doc, flags=re.MULTILINE)
    assert hook in headings, f"docs/plugins.md needs a '## {hook}' section"


@pytest.mark.parametrize("hook", hook_names())
def test_every_hook_has_a_one_line_docstring(hook):
    doc = inspect.getdoc(getattr(hookspecs, hook))
    assert doc and "\n" not in doc


def test_worked_example_is_the_plugin_the_tests_register(doc):
    plugin = (REPO / "tests" / "plugins" / "true_or_false.py").read_text(encoding="utf-8")
    assert plugin in doc


def test_python_examples_in_plugins_doc_compile(doc):
    blocks = re.findall(r"```python\n(.*?)```", doc, flags=re.DOTALL)
    assert blocks
    for block in blocks:
        compile(block, str(PLUGINS_DOC), "exec")


def test_plugins_doc_shows_the_entry_point_group(doc):
    assert "[project.entry-points.quiz]" in doc
