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


# --- what a reader acts on exists -------------------------------------------------------------

DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
# Paths the docs name that the reader makes themselves.
READERS_OWN = {"content/din-pakke", "content/min-pakke", ".streamlit/secrets.toml"}


def test_every_setting_the_docs_name_is_one_the_code_reads():
    from dataclasses import fields

    from quiz.settings import Settings

    code = "\n".join(p.read_text(encoding="utf-8") for p in [*(REPO / "quiz").rglob("*.py"), REPO / "app.py"])
    known = {"QUIZ_" + f.name.upper() for f in fields(Settings)} | set(re.findall(r"\bQUIZ_[A-Z_]+\b", code))
    named = {(d.name, v) for d in DOCS for v in re.findall(r"\bQUIZ_[A-Z_]*[A-Z]\b", d.read_text(encoding="utf-8"))}
    assert not [(doc, v) for doc, v in sorted(named) if v not in known]


def test_every_file_and_folder_the_docs_name_exists():
    pattern = r"(?<![\w/.-])((?:quiz|docs|scripts|tests|deploy|content|\.streamlit|\.ci)/[\w./-]*\w)"
    missing = []
    for doc in DOCS:
        for path in set(re.findall(pattern, doc.read_text(encoding="utf-8"))):
            if "*" in path or path in READERS_OWN:
                continue
            if not (REPO / path).exists() and not list(REPO.glob(path + "*")):
                missing.append((doc.name, path))
    assert not sorted(missing)


def test_every_menu_path_the_docs_give_is_what_the_app_shows_in_danish():
    from quiz import i18n

    texts = set(i18n.tables()["da"].values())
    wrong = [
        (doc.name, part)
        for doc in DOCS
        for trail in re.findall(r"\*([A-ZÆØÅ][^*]* → [^*]*)\*", doc.read_text(encoding="utf-8"))
        for part in trail.split(" → ")
        if part not in texts
    ]
    assert not wrong


def test_every_module_and_function_the_docs_name_exists():
    import importlib

    from quiz import i18n

    keys = set(i18n.tables()["da"])
    wrong = []
    for doc in DOCS:
        for ref in set(re.findall(r"`(quiz(?:\.[a-z_][a-z0-9_]*)+)(?:\(|`)", doc.read_text(encoding="utf-8"))):
            if ref in keys:  # a catalogue key (`quiz.start`), not code
                continue
            parts = ref.split(".")
            for cut in range(len(parts), 0, -1):
                try:
                    found = importlib.import_module(".".join(parts[:cut]))
                except ImportError:
                    continue
                for name in parts[cut:]:
                    found = getattr(found, name, None)
                break
            if found is None:
                wrong.append((doc.name, ref))
    assert not sorted(wrong)
