"""Feedback that teaches: every statement of the bundled pack has its own short "why" in Danish and English,
``validate`` says when one is missing, and the feedback shows it (grammatical, one quotation style)."""

from __future__ import annotations

import shutil
from pathlib import Path

from quiz.cli import main as cli
from quiz.content.models import Pack
from quiz.i18n import use_language
from quiz.learning import explain
from quiz.plugins import get_registry
from quiz.questions.base import Question

REPO = Path(__file__).resolve().parents[1]


def test_every_statement_has_its_own_why_in_danish_and_english():
    pack = get_registry().packs["hvidovrevejen"]
    danish = [s.why for s in pack.statements]
    english = [s.why for s in pack.in_language("en").statements]
    assert all(danish) and all(english)
    assert len(set(danish)) >= 85, "a reason of its own, not the perspective's description repeated"
    assert not {d for d in danish if d in {p.explanation for p in pack.manifest.perspectives}}
    for why in danish + english:
        assert "”" not in why and "“" not in why and '"' not in why, f"one quotation style (»…«): {why}"
    assert pack.missing_translations("en") == []


def test_validate_names_a_statement_without_its_why(tmp_path, capsys):
    folder = tmp_path / "hvidovrevejen"
    shutil.copytree(REPO / "content" / "hvidovrevejen", folder)
    statements = folder / "statements.yaml"
    lines = statements.read_text(encoding="utf-8").splitlines(keepends=True)
    first_why = next(i for i, line in enumerate(lines) if line.startswith("    why:"))
    statements.write_text("".join(lines[:first_why] + lines[first_why + 1 :]), encoding="utf-8")
    assert cli.main(["validate", str(folder)]) == 1
    err = capsys.readouterr().err
    assert "alle.performance.1" in err and "mangler sit »why«" in err


def test_a_pack_without_whys_explains_by_its_perspective_in_a_grammatical_sentence():
    bundled = get_registry().packs["hvidovrevejen"]
    pack = Pack(
        manifest=bundled.manifest,
        statements=[s.model_copy(update={"why": None}) for s in bundled.statements],
    )
    question = Question(type="perspective", kind="choice", prompt="?", options=(), accepted=(), pack_id=pack.id,
                        statement_ids=("alle.emergens.1",))  # fmt: skip
    with use_language("da"):
        [reason] = [str(m) for m in explain.why(pack, question)]
    assert reason.startswith("Hvorfor: Perspektivet »Sammen skaber vi velfærd« beskrives sådan: Myndigheder, borgere")
    assert "handler om" not in reason
