"""An imported person's first SSO sign-in lands in the account HR made, never in someone else's."""

from __future__ import annotations

from datetime import UTC, date, datetime

from quiz.hr import programme, reminders, units
from quiz.people import invitations, sso
from quiz.store import create_user, get_user_by_name, open_db
from quiz.store.db import transaction
from quiz.store.users import OidcIdentity
from tests.onboarding_helpers import organisation
from tests.test_signin_attacks import _threads

ENTRA = "https://login.microsoftonline.com/tenant-hvidovre/v2.0"
TENANT = "tenant-hvidovre"
SOREN = "Søren Ærø;soren@hvidovre.dk;sae;Medarbejder;Hjemmeplejen Nord;01-09-2026"
AASE = "Åse Øst;aase@hvidovre.dk;aoe;medarbejder;Center for Børn;15-09-2026"


def _first_sign_in(db, subject: str, email: str | None, *, hint: str = "soren@hvidovre.dk"):
    who = OidcIdentity(ENTRA, subject, tid=TENANT, oid=f"oid-{subject}")
    return sso.account_for(db, who, hint=hint, display_name="Søren Ærø", email=email)


def test_an_imported_person_signing_in_by_sso_gets_the_account_hr_made_with_unit_and_programme(db, pack):
    organisation(db, pack, SOREN, AASE)
    imported = get_user_by_name(db, "sae")
    invitations.invite(db, imported.id)  # sent before IT switched the municipality to SSO
    accounts_before = db["users"].count

    person = _first_sign_in(db, "sub-soren", "Soren@Hvidovre.dk")

    assert person.id == imported.id and person.sso and person.username == "sae"
    assert db["users"].count == accounts_before, "no second account"
    assert units.tree(db).path(units.person_unit(db, person.id)) == "Center for Sundhed › Hjemmeplejen Nord"
    row = db["users"].get(person.id)
    assert (row["entra_tid"], row["entra_oid"], row["password_hash"]) == (TENANT, "oid-sub-soren", None)
    assert db["invitations"].count_where("user_id = ? AND used_at IS NULL", [person.id]) == 0, (
        "the set-password link no longer works: the person signs in through the provider"
    )
    again = _first_sign_in(db, "sub-soren", "soren.aero@hvidovre.dk")
    assert again.id == imported.id, "found by issuer and subject afterwards, whatever the e-mail says"


def test_a_linked_person_gets_no_set_password_invitation_and_keeps_their_programme_deadline(db, pack):
    organisation(db, pack, SOREN)
    prog = programme.set_programme(db, programme.default_programme(pack.id), actor=get_user_by_name(db, "hr").id)
    person = _first_sign_in(db, "sub-soren", "soren@hvidovre.dk")
    kinds = {r.kind for r in reminders.due(db, pack, now=datetime(2026, 9, 2, 8, tzinfo=UTC)) if r.user_id == person.id}
    assert "invite" not in kinds
    [status] = programme.statuses(db, pack, prog, today=date(2026, 9, 2), user_ids=[person.id])
    assert (status.status, status.deadline) == ("not_started", date(2026, 10, 1))


def test_an_account_with_another_sso_identity_is_never_taken_over(db, pack):
    organisation(db, pack, SOREN)
    owner = _first_sign_in(db, "sub-soren", "soren@hvidovre.dk")
    intruder = _first_sign_in(db, "sub-someone-else", "soren@hvidovre.dk", hint="soren@evil.example")
    assert intruder.id != owner.id and intruder.username != "sae"
    assert db["users"].get(owner.id)["oidc_subject"] == "sub-soren"


def test_an_unvouched_or_unknown_e_mail_makes_a_new_account_and_links_nothing(db, pack):
    organisation(db, pack, SOREN)
    unvouched = _first_sign_in(db, "sub-a", None)
    unknown = _first_sign_in(db, "sub-b", "nobody@hvidovre.dk", hint="nobody@hvidovre.dk")
    imported = db["users"].get(get_user_by_name(db, "sae").id)
    assert imported["oidc_subject"] is None and imported["password_hash"] == "!"
    assert {unvouched.username, unknown.username}.isdisjoint({"sae"})


def test_two_people_with_the_same_e_mail_are_never_guessed_between(db, pack):
    organisation(db, pack, SOREN)
    other = create_user(db, "sae2", "Søren Anden", "hemmelig123")
    with transaction(db):
        units.upsert_person(db, other.id, {"email": "soren@hvidovre.dk"})
    person = _first_sign_in(db, "sub-soren", "soren@hvidovre.dk")
    assert person.id not in {other.id, get_user_by_name(db, "sae").id}


def test_simultaneous_first_sign_ins_link_the_imported_account_once(db_path, db, pack):
    organisation(db, pack, SOREN)
    who = OidcIdentity(ENTRA, "sub-soren", tid=TENANT)

    def first_visit(i):
        conn = open_db(db_path, migrate=False, check_same_thread=False)
        try:
            return sso.account_for(conn, who, hint="soren@hvidovre.dk", display_name="Søren", email="soren@hvidovre.dk")
        finally:
            conn.close()

    assert not _threads(6, first_visit)
    assert db["users"].count_where("oidc_subject = 'sub-soren'") == 1
    assert db["users"].get(get_user_by_name(db, "sae").id)["oidc_subject"] == "sub-soren"


def test_the_provider_vouches_for_an_e_mail_only_as_documented():
    vouched = sso.vouched_email
    # Any OpenID Connect provider: only with email_verified true.
    assert vouched({"email": "Lise@Hvidovre.dk", "email_verified": True}, trusted_tenant=None) == "lise@hvidovre.dk"
    assert vouched({"email": "lise@hvidovre.dk", "email_verified": "true"}, trusted_tenant=None) == "lise@hvidovre.dk"
    assert vouched({"email": "lise@hvidovre.dk"}, trusted_tenant=None) is None
    assert vouched({"email": "lise@hvidovre.dk", "email_verified": False}, trusted_tenant=None) is None
    # Entra ID (a tid in the token): only the configured tenant, never a stranger tenant's e-mail.
    entra = {"email": "lise@hvidovre.dk", "tid": TENANT}
    assert vouched(entra, trusted_tenant=TENANT) == "lise@hvidovre.dk"
    assert vouched(entra, trusted_tenant=None) is None
    assert vouched({**entra, "tid": "tenant-of-someone-else", "email_verified": True}, trusted_tenant=TENANT) is None
    assert vouched({**entra, "email_verified": False}, trusted_tenant=TENANT) is None
    assert vouched({"email": "not an address", "email_verified": True}, trusted_tenant=None) is None
