"""The content-pack model, the loader and the bundled Hvidovrevejen pack."""

import re
import shutil
from collections import Counter
from pathlib import Path

import pytest

from quiz.content import PackError, load_all, load_pack
from quiz.content.models import Statement

REPO = Path(__file__).resolve().parents[1]
BUNDLED = REPO / "content" / "hvidovrevejen"
PERSPECTIVES = {"compliance", "performance", "emergens", "resiliens"}
ROLES = ["alle", "direktion", "centerchef", "leder_af_ledere", "leder_af_medarbejdere", "medarbejder"]


@pytest.fixture(scope="module")
def bundled_pack():
    return load_pack(BUNDLED)


@pytest.fixture
def broken_pack(tmp_path):
    """A copy of the bundled pack that a test may damage."""
    folder = tmp_path / "broken"
    shutil.copytree(BUNDLED, folder)
    return folder


def test_bundled_pack_has_every_statement_of_the_seed(bundled_pack):
    assert len(bundled_pack.statements) == 92
    assert Counter(s.perspective for s in bundled_pack.statements) == {p: 23 for p in PERSPECTIVES}
    per_role = Counter(s.role for s in bundled_pack.statements)
    assert per_role == {"alle": 12, **{r: 16 for r in ROLES[1:]}}


def test_roles_are_in_hierarchy_order_and_perspectives_have_danish_names(bundled_pack):
    assert [r.key for r in bundled_pack.manifest.roles] == ROLES
    assert bundled_pack.chain_roles == ROLES[1:]
    names = {p.key: p.danish_name for p in bundled_pack.manifest.perspectives}
    assert names == {
        "compliance": "Sammen sikrer vi driften",
        "performance": "Sammen styrker vi resultaterne",
        "emergens": "Sammen skaber vi velfærd",
        "resiliens": "Sammen udvikler vi en robust organisation",
    }
    assert [v.name for v in bundled_pack.manifest.values] == ["Dialog", "Åbenhed", "Engagement"]


def test_each_role_page_lists_four_statements_per_perspective_in_seed_order(bundled_pack):
    order = ["performance", "compliance", "emergens", "resiliens"]
    for role in ROLES:
        perspectives = [s.perspective for s in bundled_pack.statements if s.role == role]
        per = 3 if role == "alle" else 4
        assert perspectives == [p for p in order for _ in range(per)], role


@pytest.mark.parametrize(
    ("start", "role", "perspective"),
    [
        # Confirmed by the surviving per-perspective pages (18-25).
        ("Vi sikrer en tydelig opgave- og ansvarsfordeling", "alle", "compliance"),
        ("Vi nytænker velfærdsydelser", "alle", "emergens"),
        ("Direktionen går forrest med at skabe en kultur", "direktion", "compliance"),
        ("Jeg fremmer åbenhed, dialog og en systematisk", "centerchef", "compliance"),
        ("Jeg skaber effektive, engagerede teams", "leder_af_ledere", "compliance"),
        ("Jeg skaber resultater med min faglighed", "medarbejder", "performance"),
        ("Jeg organiserer min enhed fleksibelt", "leder_af_medarbejdere", "resiliens"),
        # Worked out from the role pages' order where the per-perspective page was lost.
        ("Vi opstiller klare mål", "alle", "performance"),
        ("Vi vedligeholder en organisation", "alle", "resiliens"),
        ("Direktionen omsætter visioner og strategier", "direktion", "performance"),
        ("Vi iværksætter en fleksibel organisering", "direktion", "resiliens"),
        ("Jeg skaber et tillidsfuldt arbejdsmiljø", "centerchef", "resiliens"),
    ],
)
def test_statement_has_the_perspective_the_seed_gives_it(bundled_pack, start, role, perspective):
    matches = [s for s in bundled_pack.statements if s.text.startswith(start) and s.role == role]
    assert len(matches) == 1
    assert matches[0].perspective == perspective


def test_role_page_wording_is_kept_where_the_seed_words_a_statement_twice(bundled_pack):
    texts = {s.text for s in bundled_pack.statements}
    assert "Jeg engagerer mig i mit team og bidrager til sikker drift gennem godt samarbejde." in texts
    assert "Vi sikrer sammenhængskraft og dialog i organisationen – også når vi arbejder på tværs." in texts


def test_shared_sentence_belongs_to_both_roles(bundled_pack):
    shared = [
        s for s in bundled_pack.statements if s.text == "Med klare processer og værktøjer opnår jeg nye standarder."
    ]
    assert {s.role for s in shared} == {"centerchef", "leder_af_ledere"}
    for s in shared:
        assert set(bundled_pack.roles_of(s)) == {"centerchef", "leder_af_ledere"}
        assert bundled_pack.perspectives_of(s) == ("resiliens",)


def test_no_ocr_damage_left_in_any_text(bundled_pack):
    texts = [s.text for s in bundled_pack.statements] + [i.body + i.title for i in bundled_pack.intro]
    texts += [p.explanation for p in bundled_pack.manifest.perspectives] + [
        v.meaning for v in bundled_pack.manifest.values
    ]
    damage = [r" pa ", r"\bpa\b", r"hgj", r"lgs", r"\bsa\b", r"\bmal\b", r"ae", r"\bfa\b", r"\bnar\b", r"gnsk"]
    for text in texts:
        for pattern in damage:
            assert not re.search(pattern, text), f"{pattern!r} in {text!r}"
    # The scan read a capital I as '|' ("| dialog med ..."); Markdown tables may use pipes.
    assert not [s.text for s in bundled_pack.statements if "|" in s.text]


def test_intro_covers_foreword_values_model_perspectives_and_roles(bundled_pack):
    assert [s.key for s in bundled_pack.intro] == [
        "forord",
        "vaerdier",
        "den_nye_syntese",
        "de_fire_perspektiver",
        "rollerne",
    ]
    assert "dialog" in bundled_pack.intro[1].body and "åbenhed" in bundled_pack.intro[1].body


def test_statement_model_forbids_unknown_fields():
    with pytest.raises(ValueError):
        Statement(id="x.1", text="Tekst", perspective="compliance", role="alle", colour="red")


def test_unknown_perspective_is_reported_with_file_line_and_field(broken_pack):
    file = broken_pack / "statements.yaml"
    file.write_text(
        file.read_text(encoding="utf-8").replace("perspective: emergens", "perspective: emergence", 1), encoding="utf-8"
    )
    with pytest.raises(PackError) as info:
        load_pack(broken_pack)
    (problem,) = info.value.problems
    assert problem.file == file
    assert problem.path.endswith(".perspective") and problem.path.startswith("statements[")
    assert problem.line is not None
    assert file.read_text(encoding="utf-8").splitlines()[problem.line - 1].strip() == "perspective: emergence"
    assert "ukendt perspektiv 'emergence'" in problem.message


def test_duplicate_ids_empty_texts_and_missing_fields_are_all_reported(broken_pack):
    file = broken_pack / "statements.yaml"
    text = file.read_text(encoding="utf-8")
    text = text.replace("id: alle.performance.2", "id: alle.performance.1", 1)
    text = text.replace("text: Vi er åbne, risikovillige og lærer af vores fejl.", 'text: "  "', 1)
    text = text.replace("    role: direktion\n", "", 1)
    file.write_text(text, encoding="utf-8")
    with pytest.raises(PackError) as info:
        load_pack(broken_pack)
    messages = [str(p) for p in info.value.problems]
    assert any("teksten er tom" in m and "statements[1].text" in m for m in messages), messages
    assert any("feltet mangler" in m and ".role" in m for m in messages), messages


def test_duplicate_id_is_reported(broken_pack):
    file = broken_pack / "statements.yaml"
    file.write_text(
        file.read_text(encoding="utf-8").replace("id: alle.performance.2", "id: alle.performance.1", 1),
        encoding="utf-8",
    )
    with pytest.raises(PackError) as info:
        load_pack(broken_pack)
    assert ["statements[1].id"] == [p.path for p in info.value.problems]
    assert "brugt før" in info.value.problems[0].message


def test_malformed_yaml_names_the_line(broken_pack):
    (broken_pack / "pack.yaml").write_text("id: x\ntitle: [oops\n", encoding="utf-8")
    with pytest.raises(PackError) as info:
        load_pack(broken_pack)
    problem = info.value.problems[0]
    assert problem.file.name == "pack.yaml" and problem.line is not None
    assert "YAML kan ikke læses" in problem.message


def test_a_list_as_a_field_name_gets_a_danish_message_not_a_crash(broken_pack):
    # Found by the property tests: a complex key (``? [a, b]``) crashed the line index.
    (broken_pack / "pack.yaml").write_text("? [complex, key]\n: value\n", encoding="utf-8")
    with pytest.raises(PackError) as info:
        load_pack(broken_pack)
    [problem] = info.value.problems
    assert problem.message == "YAML kan ikke læses: en liste eller samling kan ikke være et feltnavn"
    assert problem.line == 1


def test_a_tab_for_indentation_is_explained_in_danish(broken_pack):
    (broken_pack / "pack.yaml").write_text("id: x\n\ttitle: y\n", encoding="utf-8")
    with pytest.raises(PackError) as info:
        load_pack(broken_pack)
    [problem] = info.value.problems
    assert problem.message == "YAML kan ikke læses: tabulator er ikke tilladt; ryk ind med mellemrum"
    assert problem.line == 2


def test_unknown_field_in_manifest_is_named(broken_pack):
    file = broken_pack / "pack.yaml"
    file.write_text(
        file.read_text(encoding="utf-8").replace("language: da", "language: da\nlangauge: da"), encoding="utf-8"
    )
    with pytest.raises(PackError) as info:
        load_pack(broken_pack)
    (problem,) = info.value.problems
    assert problem.path == "langauge" and "ukendt felt" in problem.message and problem.line == 5


def test_invalid_pack_is_reported_not_skipped(tmp_path, broken_pack):
    (broken_pack / "statements.yaml").write_text("statements: []\n", encoding="utf-8")
    shutil.copytree(BUNDLED, tmp_path / "good")
    packs, errors = load_all(tmp_path)
    assert [p.id for p in packs] == ["hvidovrevejen"]
    assert [e.folder.name for e in errors] == ["broken"]


def test_absurdly_deep_yaml_gets_a_plain_message_not_a_recursion_error(broken_pack):
    # Found by the property tests: 3,000 nested lists exhausted Python's recursion limit.
    (broken_pack / "pack.yaml").write_text("[" * 3000 + "]" * 3000, encoding="utf-8")
    with pytest.raises(PackError) as info:
        load_pack(broken_pack)
    assert [p.message for p in info.value.problems] == [
        "filen er indlejret for dybt eller er for stor (lister i lister i lister …); skriv den enklere"
    ]
