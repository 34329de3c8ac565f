"""`remind` e-mails people through a real SMTP server on 127.0.0.1, once each, and retries what failed."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from quiz.hr import programme, reminders, units
from quiz.hr.mailer import Mailer, MailError
from quiz.i18n import QuizError
from quiz.people import invitations
from quiz.store import get_user_by_name
from tests.e2e.server import free_port
from tests.onboarding_helpers import complete_programme, organisation, take_quiz
from tests.smtp_sink import SmtpServer

PEOPLE = (
    "Ane Ærø;ane@hvidovre.dk;ane;Medarbejder;Hjemmeplejen Nord;01-09-2026",
    "Bo Berg;bo@hvidovre.dk;bo;Medarbejder;Hjemmeplejen Nord;20-09-2026",
    "Cille Carlsen;cille@hvidovre.dk;cille;Medarbejder;Center for Børn;01-10-2026",
)
# 25 September: Ane is due in 6 days (1 October), Bo on 20 October, Cille on 31 October.
NOW = datetime(2026, 9, 25, 7, tzinfo=UTC)


@pytest.fixture
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def hr(db, pack):
    admin = organisation(db, pack, *PEOPLE)
    programme.set_programme(db, programme.default_programme(pack.id), actor=admin.id)
    return admin


def remind(db, pack, smtp, now=NOW, **options):
    settings = smtp.settings()
    with Mailer(settings) as mailer:
        return reminders.run(db, pack, mailer=mailer, base_url=settings.base_url, now=now, **options)


def test_imported_people_get_one_invitation_with_a_link_that_sets_their_password_once(db, pack, hr, smtp):
    outcome = remind(db, pack, smtp)
    invites = [m for m in smtp.sink.messages if "vælg din adgangskode" in m["Subject"]]
    assert len(invites) == 3 and len(outcome.failed) == 0
    [ane] = smtp.sink.to("ane@hvidovre.dk")[:1]
    assert ane["Subject"] == "Velkommen til Mini – vælg din adgangskode"
    body = ane.get_content()
    assert body.startswith("Kære Ane Ærø")
    token = re.search(r"https://laer\.hvidovre\.dk/adgangskode\?token=(\S+)", body).group(1)
    user = invitations.redeem(db, token, "min-nye-kode-1", now=NOW)
    assert user.username == "ane"
    with pytest.raises(QuizError) as used:
        invitations.redeem(db, token, "en-anden-kode", now=NOW)
    assert str(used.value).startswith("Linket er allerede brugt")
    # only the hash is stored
    assert token not in {r["token_hash"] for r in db["invitations"].rows}
    before = len(smtp.sink.messages)
    remind(db, pack, smtp)
    assert not [m for m in smtp.sink.messages[before:] if "adgangskode" in m["Subject"]]


def test_an_invitation_link_expires(db, pack, hr):
    ane = get_user_by_name(db, "ane")
    token = invitations.invite(db, ane.id, now=NOW)
    with pytest.raises(QuizError) as expired:
        invitations.check(db, token, now=NOW + timedelta(days=invitations.VALID_DAYS, seconds=1))
    assert str(expired.value) == "Linket er udløbet. Bed HR om en ny invitation."


def test_due_soon_and_overdue_reminders_go_once_and_not_to_those_who_completed(db, pack, registry, hr, smtp):
    remind(db, pack, smtp, invite=False)
    [soon] = smtp.sink.messages
    assert soon["To"] == "Ane Ærø <ane@hvidovre.dk>"
    assert soon["Subject"] == "Husk dit introforløb i Mini – frist 01-10-2026"
    assert "https://laer.hvidovre.dk/" in soon.get_content()
    remind(db, pack, smtp, invite=False)
    assert len(smtp.sink.messages) == 1  # nothing twice
    complete_programme(db, registry, "bo", now=NOW)
    later = NOW + timedelta(days=30)  # 25 October: Ane and Bo past their deadlines, Cille due on the 31st
    remind(db, pack, smtp, now=later, invite=False)
    subjects = {m["To"]: m["Subject"] for m in smtp.sink.messages[1:]}
    assert subjects == {
        "Ane Ærø <ane@hvidovre.dk>": "Dit introforløb i Mini er ikke gennemført",
        "Cille Carlsen <cille@hvidovre.dk>": "Husk dit introforløb i Mini – frist 31-10-2026",
    }


def test_a_refused_mailbox_is_reported_not_marked_sent_and_sent_on_the_next_run(db, pack, hr, smtp):
    smtp.sink.refuse.add("bo@hvidovre.dk")
    outcome = remind(db, pack, smtp)
    assert [r.email for r, _ in outcome.failed] == ["bo@hvidovre.dk"]
    assert str(outcome.failed[0][1]).startswith(
        f"Mailserveren 127.0.0.1:{smtp.port} afviste mailen til bo@hvidovre.dk (550"
    )
    bo = get_user_by_name(db, "bo")
    assert db["reminders_sent"].count_where("user_id = ?", [bo.id]) == 0
    assert db["invitations"].count_where("user_id = ?", [bo.id]) == 0
    smtp.sink.refuse.clear()
    again = remind(db, pack, smtp)
    # Bo's invitation again; Ane, invited in the first run, now hears that her deadline is near.
    assert [(r.email, r.kind) for r in again.sent] == [("ane@hvidovre.dk", "due_soon"), ("bo@hvidovre.dk", "invite")]


def test_a_server_that_is_down_is_reported_and_nothing_is_marked_sent(db, pack, hr, smtp):
    dead = replace(smtp.settings(), smtp_port=free_port())  # nothing listens there
    with pytest.raises(MailError) as down:
        with Mailer(dead) as mailer:
            reminders.run(db, pack, mailer=mailer, base_url=dead.base_url, now=NOW)
    assert str(down.value).startswith(f"Mailserveren 127.0.0.1:{dead.smtp_port} svarer ikke")
    assert db["reminders_sent"].count == 0
    assert len(remind(db, pack, smtp).sent) == 3, "three invitations, and no deadline mail in the same run"


def test_the_dry_run_lists_what_would_be_sent_and_sends_nothing(db, pack, hr, smtp):
    outcome = reminders.run(db, pack, mailer=None, base_url="https://x", now=NOW, dry_run=True)
    lines = [reminders.describe(r) for r in outcome.due]
    assert lines == [
        "invitation: Ane Ærø <ane@hvidovre.dk>",
        "invitation: Bo Berg <bo@hvidovre.dk>",
        "invitation: Cille Carlsen <cille@hvidovre.dk>",
    ], "one mail per person: the invitation, not also the deadline in the same run"
    assert smtp.sink.messages == []
    assert db["reminders_sent"].count == 0


def test_people_who_opted_in_get_a_refresh_reminder_at_most_weekly(db, pack, registry, hr, smtp):
    ane = get_user_by_name(db, "ane")
    take_quiz(db, registry, "ane", ["medarbejder"], now=NOW - timedelta(days=60))
    take_quiz(db, registry, "bo", ["medarbejder"], now=NOW - timedelta(days=60))
    reminders.set_refresh_opt_in(db, ane.id, True)
    remind(db, pack, smtp, invite=False)
    refresh = [m for m in smtp.sink.messages if "genopfriskning" in m["Subject"]]
    assert [m["To"] for m in refresh] == ["Ane Ærø <ane@hvidovre.dk>"]
    assert "https://laer.hvidovre.dk/quiz" in refresh[0].get_content()
    remind(db, pack, smtp, now=NOW + timedelta(days=3), invite=False)
    remind(db, pack, smtp, now=NOW + timedelta(days=8), invite=False)
    refresh = [m for m in smtp.sink.messages if "genopfriskning" in m["Subject"]]
    assert len(refresh) == 2
    assert units.person_unit(db, ane.id) is not None  # opting in kept the HR details


def test_each_person_is_written_to_in_the_language_they_chose_danish_when_they_chose_none(db, pack, hr, smtp):
    from email import message_from_bytes
    from email.header import decode_header, make_header

    from quiz.people.languages import set_user_language

    set_user_language(db, get_user_by_name(db, "bo").id, "en")
    set_user_language(db, get_user_by_name(db, "cille").id, "da")
    remind(db, pack, smtp)  # invitations to all three
    remind(db, pack, smtp, now=NOW + timedelta(hours=1))  # Ane's "due soon", with a fresh password link

    [bo] = smtp.sink.to("bo@hvidovre.dk")
    assert bo["Subject"] == "Welcome to Mini – choose your password"
    assert bo.get_content().startswith("Dear Bo Berg")
    cille = smtp.sink.to("cille@hvidovre.dk")[0]
    assert cille["Subject"] == "Velkommen til Mini – vælg din adgangskode"
    ane = {m["Subject"]: m for m in smtp.sink.to("ane@hvidovre.dk")}
    assert {"Velkommen til Mini – vælg din adgangskode", "Husk dit introforløb i Mini – frist 01-10-2026"} <= set(ane)

    # The Danish letters travel intact: declared UTF-8, sent as 7-bit-safe MIME (no raw 8-bit bytes).
    [raw] = [r for r in smtp.sink.raw if b"ane@hvidovre.dk" in r and b"=?utf-8?" in r][:1]
    assert all(byte < 128 for byte in raw), "nothing a 7-bit mail hop could mangle"
    parsed = message_from_bytes(raw)
    assert parsed.get_content_charset() == "utf-8"
    assert str(make_header(decode_header(parsed["Subject"]))) in ane
    body = parsed.get_payload(decode=True).decode("utf-8")
    assert "Kære Ane Ærø" in body and "ø" in body and "å" in body
    assert str(make_header(decode_header(parsed["To"]))) == "Ane Ærø <ane@hvidovre.dk>"
