"""Go-live day: people already employed are not overdue on day one; each mail leads to the person's next
step; an invited person gets no "not completed" in the same run; a bad row does not stop a run."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from quiz.hr import people_import, programme, reminders, units
from quiz.hr.mailer import Mailer
from quiz.learning.intro import complete_intro
from quiz.people import invitations
from quiz.people.collation import sort_key
from quiz.store import get_user_by_name, set_password
from tests.onboarding_helpers import excel_csv, organisation
from tests.smtp_sink import SmtpServer

NOW = datetime(2026, 9, 25, 7, tzinfo=UTC)  # go-live: Friday 25 September 2026
GO_LIVE = date(2026, 9, 25)
EMPLOYED = (
    "Ane Ærø;ane@hvidovre.dk;ane;Medarbejder;Hjemmeplejen Nord;01-03-2015",
    "Bo Berg;bo@hvidovre.dk;bo;Medarbejder;Hjemmeplejen Nord;15-08-2019",
    "Åse Aagaard;aase@hvidovre.dk;aase;Medarbejder;Center for Børn;01-01-2024",
)


@pytest.fixture
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


def remind(db, pack, smtp, now=NOW, **options):
    settings = smtp.settings()
    with Mailer(settings) as mailer:
        return reminders.run(db, pack, mailer=mailer, base_url=settings.base_url, now=now, **options)


def test_people_employed_for_years_are_not_overdue_on_go_live_day_and_their_deadline_counts_from_it(db, pack):
    admin = organisation(db, pack)
    people_import.apply(db, pack, excel_csv(*EMPLOYED), actor=admin.id, go_live=GO_LIVE)
    current = programme.get_programme(db, pack.id)
    assert current is not None and current.go_live == GO_LIVE, "the import set the go-live day"
    rows = [r for r in programme.statuses(db, pack, current, today=GO_LIVE) if r.username != "hr"]
    assert {r.status for r in rows} == {"not_started"}
    assert {r.deadline for r in rows} == {GO_LIVE + timedelta(days=current.days)}
    # Someone who starts after go-live counts from their own start date.
    assert current.deadline(date(2026, 11, 1)) == date(2026, 12, 1)


def test_without_a_go_live_day_the_same_import_makes_everyone_overdue_and_hr_can_set_it_afterwards(db, pack):
    admin = organisation(db, pack, *EMPLOYED)
    programme.set_programme(db, programme.default_programme(pack.id), actor=admin.id)
    current = programme.get_programme(db, pack.id)
    assert {r.status for r in programme.statuses(db, pack, current, today=GO_LIVE) if r.username != "hr"} == {"overdue"}
    programme.set_go_live(db, pack.id, GO_LIVE, actor=admin.id)
    current = programme.get_programme(db, pack.id)
    assert not [r for r in programme.statuses(db, pack, current, today=GO_LIVE) if r.status == "overdue"]


def test_a_learner_cannot_set_the_go_live_day(db, pack):
    organisation(db, pack, *EMPLOYED)
    bo = get_user_by_name(db, "bo")
    with pytest.raises(Exception) as refused:
        programme.set_go_live(db, pack.id, GO_LIVE, actor=bo.id)
    assert "administrator" in str(refused.value).casefold() or "adgang" in str(refused.value).casefold()
    assert programme.get_programme(db, pack.id) is None


def test_an_invited_person_gets_only_the_invitation_in_that_run_never_also_not_completed(db, pack, smtp):
    admin = organisation(db, pack, *EMPLOYED)  # no go-live: all three are long overdue
    programme.set_programme(db, programme.default_programme(pack.id), actor=admin.id)
    dry = reminders.run(db, pack, mailer=None, base_url="https://x", now=NOW, dry_run=True)
    assert [r.kind for r in dry.due] == ["invite"] * 3
    outcome = remind(db, pack, smtp)
    assert [m["Subject"] for m in smtp.sink.messages] == ["Velkommen til Mini – vælg din adgangskode"] * 3
    assert len(outcome.sent) == 3


def test_every_mail_links_to_the_next_step_the_person_can_take(db, pack, smtp):
    admin = organisation(db, pack, *EMPLOYED)
    programme.set_programme(db, programme.default_programme(pack.id), actor=admin.id)
    remind(db, pack, smtp)  # the three invitations
    ane, bo = get_user_by_name(db, "ane"), get_user_by_name(db, "bo")
    set_password(db, ane.id, "anes-kode-123")  # Ane set her password but has done nothing
    set_password(db, bo.id, "bos-kode-1234")  # Bo set his and began the intro
    complete_intro(db, bo.id, pack.id, now=NOW)
    smtp.sink.raw.clear()
    smtp.sink._parsed.clear()
    remind(db, pack, smtp, now=NOW + timedelta(days=1))
    bodies = {m["To"].split("<")[1].rstrip(">"): m.get_content() for m in smtp.sink.messages}
    assert "Start introduktionen her:\nhttps://laer.hvidovre.dk/intro" in bodies["ane@hvidovre.dk"]
    assert "Fortsæt, hvor du slap" not in bodies["ane@hvidovre.dk"], "only to people who started"
    assert "Fortsæt, hvor du slap:\nhttps://laer.hvidovre.dk/" in bodies["bo@hvidovre.dk"]
    # Åse never set her password: the deadline mail brings a fresh link that sets it.
    aase = bodies["aase@hvidovre.dk"]
    assert "Vælg din adgangskode her, og gå i gang" in aase
    token = re.search(r"/adgangskode\?token=(\S+)", aase).group(1)
    assert invitations.redeem(db, token, "aases-kode-12", now=NOW + timedelta(days=1)).username == "aase"


def test_a_name_with_a_line_break_is_reported_by_person_and_reason_and_the_rest_go_through(db, pack, smtp):
    organisation(db, pack, *EMPLOYED)
    bo = get_user_by_name(db, "bo")
    db["users"].update(bo.id, {"display_name": "Bo\nBerg"})  # as a bad HR export can leave it
    outcome = remind(db, pack, smtp)
    assert [(r.email, str(problem)) for r, problem in outcome.failed] == [
        (
            "bo@hvidovre.dk",
            "navnet indeholder et linjeskift eller et andet usynligt tegn; ret det i HR-systemet, og importér igen",
        )
    ]
    assert reminders.describe(outcome.failed[0][0]) == "invitation: Bo⏎Berg <bo@hvidovre.dk>"
    assert sorted(r.email for r in outcome.sent) == ["aase@hvidovre.dk", "ane@hvidovre.dk"]
    assert db["reminders_sent"].count_where("user_id = ?", [bo.id]) == 0, "nothing marked sent that was not"
    assert len(smtp.sink.messages) == 2


def test_each_run_is_recorded_with_what_it_sent(db, pack, smtp):
    admin = organisation(db, pack, *EMPLOYED)
    remind(db, pack, smtp, source="hr", actor_id=admin.id)
    reminders.run(db, pack, mailer=None, base_url="https://x", now=NOW, dry_run=True)  # a dry run is not a run
    [last] = reminders.last_runs(db)
    assert (last.source, last.user_id, last.sent, last.failed, last.kinds) == ("hr", admin.id, 3, 0, {"invite": 3})
    assert last.started_at == NOW


def test_remind_lists_people_in_danish_order():
    names = ["Åse Aagaard", "Øjvind", "Zenia", "Ærø", "Aase", "Anders", "Haagen", "Hans"]
    assert sorted(names, key=sort_key) == ["Anders", "Hans", "Haagen", "Zenia", "Ærø", "Øjvind", "Aase", "Åse Aagaard"]


def test_a_people_file_naming_new_units_offers_them_once_each_and_creates_them_under_the_chosen_parent(db, pack):
    admin = organisation(db, pack)
    data = excel_csv(
        "Ane Ærø;ane@hvidovre.dk;ane;Medarbejder;Tandplejen;01-03-2015",
        "Bo Berg;bo@hvidovre.dk;bo;Medarbejder;Tandplejen;15-08-2019",
        "Cai Ny;cai@hvidovre.dk;cai;Medarbejder;Sundhedsplejen;15-08-2019",
    )
    assert people_import.unknown_units(db, data) == ["Tandplejen", "Sundhedsplejen"]
    refused = people_import.plan(db, pack, data)
    assert not refused.ok
    offered = people_import.plan(db, pack, data, create_units=True)
    assert offered.ok and offered.new_units == ("Tandplejen", "Sundhedsplejen")
    assert units.tree(db).find("Tandplejen") is None, "a dry run creates nothing"
    people_import.apply(db, pack, data, actor=admin.id, new_units_under="Center for Sundhed")
    tree = units.tree(db)
    assert tree.path(tree.find("Tandplejen").id) == "Center for Sundhed › Tandplejen"
    assert tree.path(units.person_unit(db, get_user_by_name(db, "cai").id)) == "Center for Sundhed › Sundhedsplejen"
