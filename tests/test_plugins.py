"""Plugin loading: built-ins, a test plugin, content packs from QUIZ_CONTENT, and clear errors."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pluggy
import pytest

from quiz import hookspecs
from quiz.content import load_pack
from quiz.hookspecs import hookimpl
from quiz.learning.quizzes import QuizSpec, draw_questions, grade
from quiz.plugins import (
    PluginError,
    UnknownPack,
    build_registry,
    get_pack,
    get_registry,
    pm,
    reset_registry,
)
from quiz.questions import perspective
from tests.plugins import true_or_false

REPO = Path(__file__).resolve().parents[1]
BUNDLED = Path(__file__).resolve().parents[1] / "content" / "hvidovrevejen"
BUILT_IN_TYPES = {"perspective", "role", "match", "chain", "odd_one_out", "values"}


@pytest.fixture(autouse=True)
def fresh_registry(monkeypatch):
    monkeypatch.delenv("QUIZ_CONTENT", raising=False)
    reset_registry()
    yield
    reset_registry()


@pytest.fixture
def true_or_false_plugin():
    pm.register(true_or_false, "tests.plugins.true_or_false")
    reset_registry()
    yield true_or_false
    pm.unregister(true_or_false)
    reset_registry()


def manager(*plugins) -> pluggy.PluginManager:
    """A plugin manager holding only ``plugins``, so a test can break things in isolation."""
    m = pluggy.PluginManager("quiz")
    m.add_hookspecs(hookspecs)
    for plugin in plugins:
        m.register(plugin)
    return m


def copy_pack(tmp_path: Path, name: str, pack_id: str | None = None) -> Path:
    folder = tmp_path / name
    shutil.copytree(BUNDLED, folder)
    if pack_id:
        manifest = folder / "pack.yaml"
        text = manifest.read_text(encoding="utf-8")
        manifest.write_text(text.replace("id: hvidovrevejen", f"id: {pack_id}", 1), "utf-8")
    return folder


def test_built_in_question_types_and_bundled_pack_are_registered():
    registry = get_registry()
    assert set(registry.question_types) == BUILT_IN_TYPES
    assert list(registry.packs) == ["hvidovrevejen"]
    assert registry.pack_errors == []
    for key, question_type in registry.question_types.items():
        assert question_type.key == key
        assert question_type.label and question_type.description


def test_registry_is_built_once_per_content_root():
    assert get_registry() is get_registry()


def test_question_type_from_a_plugin_is_drawn_into_a_quiz_and_graded(true_or_false_plugin):
    registry = get_registry()
    assert "true_or_false" in registry.question_types
    spec = QuizSpec(pack_id="hvidovrevejen", length=4, types=["true_or_false"], seed=1)
    questions = draw_questions(spec)
    assert [q.type for q in questions] == ["true_or_false"] * 4
    question = questions[0]
    right = question.accepted[0][0]
    wrong = "falsk" if right == "sandt" else "sandt"
    assert grade(question, right).correct
    assert grade(question, wrong).score == 0
    assert grade(question, ["sandt"]).score == 0


def test_plugin_question_type_mixes_with_built_in_types(true_or_false_plugin):
    spec = QuizSpec(pack_id="hvidovrevejen", length=6, types=["role", "true_or_false"], seed=5)
    assert [q.type for q in draw_questions(spec)] == ["role", "true_or_false"] * 3


def test_unregistered_plugin_is_gone_after_reset(true_or_false_plugin):
    pm.unregister(true_or_false_plugin)
    reset_registry()
    assert "true_or_false" not in get_registry().question_types
    pm.register(true_or_false_plugin, "tests.plugins.true_or_false")


def test_pack_in_quiz_content_folder_reaches_the_registry(tmp_path, monkeypatch):
    copy_pack(tmp_path, "kopi", pack_id="kopi")
    monkeypatch.setenv("QUIZ_CONTENT", str(tmp_path))
    registry = get_registry()
    assert list(registry.packs) == ["kopi"]
    assert get_pack("kopi").title == "Hvidovrevejen"
    questions = draw_questions(QuizSpec(pack_id="kopi", length=3, types=["role"], seed=2))
    assert {q.pack_id for q in questions} == {"kopi"}


def test_changing_quiz_content_gives_its_own_registry(tmp_path, monkeypatch):
    bundled = get_registry()
    copy_pack(tmp_path, "kopi", pack_id="kopi")
    monkeypatch.setenv("QUIZ_CONTENT", str(tmp_path))
    assert get_registry() is not bundled
    assert "kopi" in get_registry().packs
    monkeypatch.delenv("QUIZ_CONTENT")
    assert get_registry() is bundled


def test_invalid_pack_is_reported_not_skipped(tmp_path, monkeypatch):
    copy_pack(tmp_path, "god", pack_id="god")
    broken = copy_pack(tmp_path, "ødelagt", pack_id="oedelagt")
    statements = broken / "statements.yaml"
    text = statements.read_text(encoding="utf-8")
    statements.write_text(text.replace("perspective: emergens", "perspective: empati", 1), "utf-8")
    monkeypatch.setenv("QUIZ_CONTENT", str(tmp_path))

    registry = get_registry()
    assert list(registry.packs) == ["god"]
    [error] = registry.pack_errors
    assert error.folder == broken
    assert "ukendt perspektiv 'empati'" in str(error)
    assert "statements.yaml" in str(error)


def test_unknown_pack_id_names_the_packs_there_are():
    with pytest.raises(UnknownPack) as excinfo:
        get_pack("findes-ikke")
    assert str(excinfo.value) == ("Indholdspakken 'findes-ikke' findes ikke. Tilgængelige pakker: hvidovrevejen.")


def test_same_question_type_key_from_two_plugins_is_a_clear_error():
    class Impostor:
        key = "perspective"
        label = "Falsk perspektiv"
        description = "Registrerer en nøgle, der allerede er taget."

        def generate(self, pack, pool, rng, used):
            return None

        def grade(self, question, answer, pack):
            raise AssertionError

    class ImpostorPlugin:
        @hookimpl
        def register_question_types(self, register):
            register(Impostor())

    with pytest.raises(PluginError, match="'perspective' is registered twice") as excinfo:
        build_registry(manager(perspective, ImpostorPlugin()))
    assert "quiz.questions.perspective" in str(excinfo.value)


def test_same_pack_id_twice_is_reported_and_the_first_pack_still_works(tmp_path):
    copy = copy_pack(tmp_path, "kopi")

    class TwoPacks:
        @hookimpl
        def register_content_packs(self, register):
            register(BUNDLED)
            register(copy)

    registry = build_registry(manager(TwoPacks()))
    assert list(registry.packs) == ["hvidovrevejen"]
    (error,) = registry.pack_errors
    assert error.folder == copy
    assert "id 'hvidovrevejen' bruges også af" in str(error) and str(BUNDLED) in str(error)


def test_plugin_may_register_a_pack_object():
    pack = load_pack(BUNDLED)

    class PackObject:
        @hookimpl
        def register_content_packs(self, register):
            register(pack)

    assert build_registry(manager(PackObject())).packs == {"hvidovrevejen": pack}


def test_registering_something_that_is_not_a_question_type_is_a_clear_error():
    class Sloppy:
        @hookimpl
        def register_question_types(self, register):
            register("perspective")

    with pytest.raises(PluginError, match="needs a QuestionType instance"):
        build_registry(manager(Sloppy()))


def test_folder_without_a_pack_is_reported(tmp_path):
    empty = tmp_path / "tom"
    empty.mkdir()

    class Missing:
        @hookimpl
        def register_content_packs(self, register):
            register(empty)

    registry = build_registry(manager(Missing()))
    assert registry.packs == {}
    assert [e.folder for e in registry.pack_errors] == [empty]
    assert "filen mangler" in str(registry.pack_errors[0])


def test_separately_installed_package_is_found_through_the_quiz_entry_point(tmp_path):
    """An outside package, installed beside quiz (a dist-info with an entry point), adds its type."""
    site = tmp_path / "site"
    package = site / "hv_sandt"
    package.mkdir(parents=True)
    source = Path(__file__).parent / "plugins" / "true_or_false.py"
    (package / "__init__.py").write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    dist = site / "hv_sandt-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: hv-sandt\nVersion: 0.1\n", encoding="utf-8")
    (dist / "entry_points.txt").write_text("[quiz]\nsandt = hv_sandt\n", encoding="utf-8")
    code = (
        "from quiz.plugins import get_registry, pm\n"
        "print(sorted(get_registry().question_types))\n"
        "print([name for name, _ in pm.list_name_plugin()])\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), str(REPO)])}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    types, plugins = result.stdout.splitlines()
    assert "'true_or_false'" in types and "'perspective'" in types
    assert "'sandt'" in plugins


def test_a_room_joining_a_fresh_server_loads_the_packs_once(monkeypatch):
    """Parallel first calls (every phone's script thread at once) share one build of the registry."""
    import threading
    import time as _time

    from quiz import plugins

    built = []
    real = plugins.build_registry

    def slow_build(*args, **kwargs):
        built.append(1)
        _time.sleep(0.05)  # a wide window for the other threads to arrive
        return real(*args, **kwargs)

    monkeypatch.setattr(plugins, "build_registry", slow_build)
    plugins.reset_registry()
    try:
        start = threading.Barrier(8)
        found = []

        def phone():
            start.wait()
            found.append(plugins.get_registry("da"))

        threads = [threading.Thread(target=phone) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(built) == 1
        assert len(found) == 8 and all(r is found[0] for r in found)
        assert "hvidovrevejen" in found[0].packs
    finally:
        plugins.reset_registry()
