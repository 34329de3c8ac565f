"""xAPI export: every statement carries what a Learning Record Store needs, with stable ids."""

from __future__ import annotations

import io
import json
import uuid
from datetime import datetime

import pytest

from quiz.hr import xapi
from tests.test_reports import MARCH_2, organisation  # noqa: F401 - the fixture is shared

BASE = "https://lrs.example.dk/hvidovre"
ADL_VERBS = {xapi.ADL + v for v in ("experienced", "answered", "completed", "passed", "failed")}


@pytest.fixture
def exported(db, pack, organisation, monkeypatch):  # noqa: F811 - pytest fixture argument
    monkeypatch.setenv("QUIZ_XAPI_BASE", BASE + "/")
    return list(xapi.statements(db, {pack.id: pack}))


def test_every_statement_has_account_actor_adl_verb_iri_object_and_timezone(exported):
    assert exported
    for s in exported:
        assert s["version"] == "1.0.3"
        uuid.UUID(s["id"])
        assert s["actor"]["objectType"] == "Agent"
        assert s["actor"]["account"]["homePage"] == BASE and s["actor"]["account"]["name"]
        assert s["actor"]["name"]
        assert s["verb"]["id"] in ADL_VERBS and s["verb"]["display"]["da-DK"]
        assert s["object"]["id"].startswith(BASE + "/packs/mini/")
        moment = datetime.fromisoformat(s["timestamp"])
        assert moment.tzinfo is not None
        score = s.get("result", {}).get("score")
        if score is not None:
            assert 0.0 <= score["scaled"] <= 1.0 and score["min"] <= score["raw"] <= score["max"]
    assert len({s["id"] for s in exported}) == len(exported)


def test_intro_answers_and_attempts_become_the_expected_verbs(exported):
    verbs = [s["verb"]["id"].rsplit("/", 1)[1] for s in exported]
    # Anna: intro + 2 answers + completed/passed; Bo: 2 answers + completed/failed.
    assert sorted(verbs) == sorted(["experienced"] + ["answered"] * 4 + ["completed"] * 2 + ["passed", "failed"])
    intro = next(s for s in exported if s["verb"]["id"].endswith("experienced"))
    assert intro["object"]["id"] == f"{BASE}/packs/mini/intro"
    assert intro["actor"] == {"objectType": "Agent", "name": "Anna Ærø", "account": {"homePage": BASE, "name": "anna"}}
    assert datetime.fromisoformat(intro["timestamp"]) == MARCH_2


def test_an_answer_points_at_its_statement_with_score_success_and_response(exported):
    wrong = next(s for s in exported if s["verb"]["id"].endswith("answered") and not s["result"]["success"])
    assert wrong["object"]["id"] == f"{BASE}/packs/mini/statements/alle.emergens.2"
    assert wrong["object"]["definition"]["name"]["da-DK"] == "Udsagn alle emergens 2."
    assert wrong["result"]["score"] == {"scaled": 0.0, "raw": 0, "min": 0, "max": 1}
    assert wrong["result"]["response"] == "compliance"
    assert wrong["result"]["duration"] == "PT4S"
    assert wrong["context"]["contextActivities"]["parent"][0]["id"].startswith(f"{BASE}/packs/mini/attempts/")


def test_a_finished_attempt_passes_at_the_pass_mark(exported):
    verdicts = {s["actor"]["account"]["name"]: s for s in exported if s["verb"]["id"].endswith(("passed", "failed"))}
    assert verdicts["anna"]["verb"]["id"].endswith("passed") and verdicts["anna"]["result"]["success"] is True
    assert verdicts["bo"]["verb"]["id"].endswith("failed")
    assert verdicts["bo"]["result"]["score"] == {"scaled": 0.5, "raw": 1, "min": 0, "max": 2}


def test_exporting_twice_gives_the_same_ids_and_valid_json(db, pack, exported):
    again = list(xapi.statements(db, {pack.id: pack}))
    assert [s["id"] for s in again] == [s["id"] for s in exported]
    out = io.StringIO()
    assert xapi.write_json(iter(again), out) == len(again)
    assert json.loads(out.getvalue()) == again
    empty = io.StringIO()
    xapi.write_json(iter([]), empty)
    assert json.loads(empty.getvalue()) == []


def test_one_persons_records_only(db, pack, organisation, exported):  # noqa: F811
    anna = organisation["anna"]
    mine = list(xapi.statements(db, {pack.id: pack}, user_id=anna.id))
    assert mine and all(s["actor"]["account"]["name"] == "anna" for s in mine)
