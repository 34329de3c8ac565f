"""The results CSV and the xAPI export carry each person's unit and onboarding completion."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

from quiz.hr import programme, reports, xapi
from quiz.hr.exports import onboarding_for, write_results
from tests.onboarding_helpers import complete_programme, organisation

PEOPLE = (
    "Ane Ærø;ane@hvidovre.dk;ane;Medarbejder;Hjemmeplejen Nord;01-09-2026",
    "Bo Berg;bo@hvidovre.dk;bo;Medarbejder;Center for Børn;01-09-2026",
)
DONE = datetime(2026, 9, 14, 10, tzinfo=UTC)


def test_results_csv_has_unit_status_and_completion_for_excel(db, pack, registry):
    hr = organisation(db, pack, *PEOPLE)
    programme.set_programme(db, programme.default_programme(pack.id), actor=hr.id)
    complete_programme(db, registry, "ane", now=DONE)
    out = io.StringIO()
    onboarding = onboarding_for(db, pack, today=date(2026, 10, 5))
    write_results(reports.people(db, pack), pack, fmt="csv", out=out, onboarding=onboarding)
    rows = {r["Brugernavn"]: r for r in csv.DictReader(io.StringIO(out.getvalue().lstrip("\ufeff")), delimiter=";")}
    assert rows["ane"]["Enhed"] == "Center for Sundhed › Hjemmeplejen Nord"
    assert rows["ane"]["Introforløb"] == "gennemført"
    assert rows["ane"]["Introforløb gennemført"] == "2026-09-14 12:00"
    assert (rows["bo"]["Enhed"], rows["bo"]["Introforløb"]) == ("Center for Børn", "overskredet")


def test_xapi_has_one_programme_completed_statement_and_the_unit_on_every_statement(db, pack, registry):
    hr = organisation(db, pack, *PEOPLE)
    programme.set_programme(db, programme.default_programme(pack.id), actor=hr.id)
    complete_programme(db, registry, "ane", now=DONE)
    statements = list(xapi.statements(db, {pack.id: pack}, base="https://x.dk/xapi"))
    done = [s for s in statements if s["object"]["id"] == "https://x.dk/xapi/packs/mini/programme"]
    assert len(done) == 1
    [ane] = done
    assert ane["verb"]["id"].endswith("/completed") and ane["actor"]["account"]["name"] == "ane"
    assert ane["object"]["definition"]["name"] == {
        "da-DK": "Introforløb i Mini",
        "en-US": "Onboarding programme in Mini",
    }
    assert ane["timestamp"].startswith("2026-09-14T10:00")
    units = {s["context"]["extensions"]["https://x.dk/xapi/extensions/unit"] for s in statements}
    assert units == {"Center for Sundhed › Hjemmeplejen Nord"}
    attempt = next(s for s in statements if s["object"]["id"].endswith("/attempts/1"))
    assert attempt["object"]["definition"]["description"]["en-US"] == "Quiz with 4 questions"
