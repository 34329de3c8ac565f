"""Sign-in and accounts played as an attacker would: each attack of issue 10, and that it now fails."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from quiz.hr import exports
from quiz.hr.exports import user_records
from quiz.i18n import QuizError
from quiz.people import accounts, auth, brakes, login_codes, passwords, sso
from quiz.store import create_user, delete_user, get_user, open_db, set_password
from quiz.store.users import OidcIdentity

NOW = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
FREE = brakes.SCOPES["signin"].limits["account"].free


def _threads(n, work):
    barrier = threading.Barrier(n)
    errors = []

    def run(i):
        try:
            barrier.wait()
            work(i)
        except Exception as exc:  # reported below, not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


# --- the brake -----------------------------------------------------------------------------------


@pytest.mark.parametrize("shared_ip", ["10.0.0.1", None], ids=["behind-one-proxy", "address-unknown"])
def test_thirty_wrong_passwords_from_one_client_never_stop_another_persons_correct_sign_in(db, shared_ip):
    admin = create_user(db, "admin", "Admin", "hemmelig123", is_admin=True)
    create_user(db, "lise", "Lise", "hemmelig123")
    # The administrator signed in from her own browser yesterday.
    assert auth.verify_login(db, "admin", "hemmelig123", browser="admins-pc", ip=shared_ip, now=NOW).id == admin.id

    for _ in range(30):
        auth.verify_login(db, "admin", "gæt", browser="attacker", ip=shared_ip, now=NOW)
    for i in range(30):
        auth.verify_login(db, f"nogen{i}", "gæt", browser="attacker", ip=shared_ip, now=NOW)

    assert auth.verify_login(db, "lise", "hemmelig123", browser="lises-pc", ip=shared_ip, now=NOW).username == "lise"
    signed_in = auth.verify_login(db, "admin", "hemmelig123", browser="admins-pc", ip=shared_ip, now=NOW)
    assert signed_in.id == admin.id, "her own browser is not slowed down by the attacker's guesses"
    # The attacker's browser is slowed down, never refused for longer than the cap.
    slowed = auth.verify_login(db, "admin", "hemmelig123", browser="attacker", ip=shared_ip, now=NOW)
    assert isinstance(slowed, auth.Locked) and slowed.retry_after <= 300


def test_five_wrong_tries_by_a_stranger_do_not_lock_the_person_out_of_their_usual_browser(db):
    create_user(db, "lise", "Lise", "hemmelig123")
    auth.verify_login(db, "lise", "hemmelig123", browser="lises-pc", now=NOW)
    for _ in range(FREE * 3):
        auth.verify_login(db, "lise", "forkert", browser="stranger", now=NOW)
    assert auth.verify_login(db, "lise", "hemmelig123", browser="lises-pc", now=NOW).username == "lise"


def test_thirty_parallel_wrong_tries_check_no_more_passwords_than_the_limit(db_path, db, monkeypatch):
    create_user(db, "admin", "Admin", "hemmelig123", is_admin=True)
    checked = []
    real_verify = passwords.verify

    def counting_verify(password, encoded):
        checked.append(password)
        return real_verify(password, encoded)

    monkeypatch.setattr(passwords, "verify", counting_verify)

    def guess(i):
        conn = open_db(db_path, migrate=False, check_same_thread=False)
        try:
            auth.verify_login(conn, "admin", f"gæt-{i}", ip="10.9.9.9", now=NOW)
        finally:
            conn.close()

    assert not _threads(30, guess)
    assert len(checked) == FREE


# --- sign-up -------------------------------------------------------------------------------------


def test_simultaneous_sign_ups_on_an_empty_database_make_exactly_one_administrator(db_path, db):
    def sign_up(i):
        conn = open_db(db_path, migrate=False, check_same_thread=False)
        try:
            auth.sign_up(conn, f"person{i}", f"Person {i}", "lang-hemmelig-1", browser=f"b{i}")
        finally:
            conn.close()

    assert not _threads(8, sign_up)
    assert db["users"].count == 8
    assert db["users"].count_where("is_admin = 1") == 1


def test_self_registration_switched_off_refuses_and_creates_nothing(db, monkeypatch):
    monkeypatch.setenv("QUIZ_SELF_SIGNUP", "false")
    with pytest.raises(QuizError, match="Kontakt HR"):
        auth.sign_up(db, "lise", "Lise", "hemmelig123")
    assert db["users"].count == 0


def test_sign_up_is_braked_per_browser(db):
    free = brakes.SCOPES["signup"].limits["browser"].free
    for i in range(free):
        auth.sign_up(db, f"konto{i}", "Konto", "hemmelig123", browser="bot", now=NOW)
    with pytest.raises(QuizError, match="Vent 2 sekunder"):
        auth.sign_up(db, "en-til", "Konto", "hemmelig123", browser="bot", now=NOW)
    assert db["users"].count == free
    assert auth.sign_up(db, "lise", "Lise", "hemmelig123", browser="lises-pc", now=NOW).username == "lise"


def test_a_taken_username_is_only_told_after_every_other_rule_passed(db):
    create_user(db, "lise", "Lise", "hemmelig123")
    with pytest.raises(passwords.InvalidInput, match="mindst 8 tegn"):
        auth.sign_up(db, "lise", "Lise", "kort", browser="b")
    assert brakes.tries(db, scope="signup", key="browser:b") == 0, "a refused form costs no try"
    with pytest.raises(QuizError, match="allerede i brug"):
        auth.sign_up(db, "lise", "Lise", "hemmelig123", browser="b")
    assert brakes.tries(db, scope="signup", key="browser:b") == 1, "but asking whether a name exists does"


# --- passwords -----------------------------------------------------------------------------------


@pytest.mark.parametrize("common", ["password1", "Sommer2025", "12345678", "velkommen1", "Hvidovre123"])
def test_the_commonest_passwords_are_refused_in_danish(db, common):
    with pytest.raises(passwords.InvalidInput, match="mest brugte"):
        create_user(db, "lise", "Lise", common)


def test_the_username_is_not_accepted_as_password(db):
    with pytest.raises(passwords.InvalidInput, match="brugernavnet"):
        create_user(db, "lise.hansen", "Lise", "Lise.Hansen")


def test_an_old_scrypt_hash_is_replaced_by_argon2id_at_the_next_sign_in(db):
    user = create_user(db, "lise", "Lise", "hemmelig123")
    db["users"].update(user.id, {"password_hash": passwords.scrypt_hash("hemmelig123")})
    assert auth.verify_login(db, "lise", "hemmelig123", now=NOW).id == user.id
    assert db["users"].get(user.id)["password_hash"].startswith("$argon2id$")
    assert auth.verify_login(db, "lise", "hemmelig123", now=NOW).id == user.id


def test_a_person_changes_their_own_password_and_their_other_sign_ins_end(db):
    user = create_user(db, "lise", "Lise", "hemmelig123")
    here, elsewhere = auth.create_session(db, user.id), auth.create_session(db, user.id)
    with pytest.raises(QuizError, match="nuværende adgangskode er forkert"):
        auth.change_own_password(db, user.id, "forkert", "nyt-hemmeligt-9", session_token=here)
    auth.change_own_password(db, user.id, "hemmelig123", "nyt-hemmeligt-9", session_token=here)
    assert auth.user_for_session(db, here).id == user.id
    assert auth.user_for_session(db, elsewhere) is None
    assert auth.verify_login(db, "lise", "nyt-hemmeligt-9", now=NOW).id == user.id


def test_a_password_set_by_hr_must_be_changed_at_the_next_sign_in(db):
    hr = create_user(db, "hr", "HR", "hemmelig123", is_admin=True)
    lise = create_user(db, "lise", "Lise", "hemmelig123")
    temporary = accounts.reset_password(db, hr.id, lise.id)
    signed_in = auth.verify_login(db, "lise", temporary, now=NOW)
    assert signed_in.must_change_password
    auth.change_own_password(db, lise.id, temporary, "mit-eget-kodeord", session_token=None)
    assert not get_user(db, lise.id).must_change_password


# --- sign-in codes -------------------------------------------------------------------------------


def test_a_sign_in_code_works_once_in_the_browser_that_asked_within_a_minute(db):
    user = create_user(db, "lise", "Lise", "hemmelig123")
    token = auth.create_session(db, user.id)
    code = login_codes.issue(db, token, user_id=user.id, browser="lises-pc", now=NOW)
    stored = " ".join(str(v) for row in db["login_codes"].rows for v in row.values())
    assert code not in stored and token not in stored, "neither the code nor the token is stored"
    assert login_codes.redeem(db, code, browser="lises-pc", now=NOW) == token
    assert login_codes.redeem(db, code, browser="lises-pc", now=NOW) is None, "a replay gets nothing"


def test_a_sign_in_code_from_another_browser_or_too_late_gets_nothing(db):
    user = create_user(db, "lise", "Lise", "hemmelig123")
    token = auth.create_session(db, user.id)
    stolen = login_codes.issue(db, token, user_id=user.id, browser="lises-pc", now=NOW)
    assert login_codes.redeem(db, stolen, browser="attacker", now=NOW) is None, "login CSRF / a leaked code"
    assert login_codes.redeem(db, stolen, browser="lises-pc", now=NOW) is None, "and it is used up"
    late = login_codes.issue(db, token, user_id=user.id, browser="lises-pc", now=NOW)
    assert login_codes.redeem(db, late, browser="lises-pc", now=NOW + timedelta(seconds=61)) is None
    assert login_codes.redeem(db, "x" * 500, browser="lises-pc", now=NOW) is None
    assert login_codes.redeem(db, "made-up", browser=None, now=NOW) is None


def test_a_code_issued_by_one_server_process_is_redeemed_by_another(db_path, db):
    user = create_user(db, "lise", "Lise", "hemmelig123")
    token = auth.create_session(db, user.id)
    code = login_codes.issue(db, token, user_id=user.id, browser="lises-pc")
    other_process = open_db(db_path, migrate=False)
    assert login_codes.redeem(other_process, code, browser="lises-pc") == token
    other_process.close()


# --- privileged actions ------------------------------------------------------------------------


def test_an_administrator_whose_role_was_removed_can_no_longer_grant_it(db):
    hanne = create_user(db, "hanne", "Hanne", "hemmelig123", is_admin=True)
    boss = create_user(db, "boss", "Boss", "hemmelig123", is_admin=True)
    lise = create_user(db, "lise", "Lise", "hemmelig123")
    accounts.change_flags(db, boss.id, hanne.id, is_admin=False)
    with pytest.raises(accounts.AccountRefused, match="ikke længere administrator"):
        accounts.change_flags(db, hanne, lise.id, is_admin=True)  # the User read before the change
    with pytest.raises(accounts.AccountRefused):
        accounts.reset_password(db, hanne.id, lise.id)
    with pytest.raises(accounts.AccountRefused):
        accounts.delete_person(db, hanne.id, lise.id)
    with pytest.raises(accounts.AccountRefused):
        exports.records_for_export(db, hanne.id, lise.id)
    assert not get_user(db, lise.id).is_admin and get_user(db, lise.id) is not None


def test_an_administrator_whose_sign_in_ended_cannot_act_with_it(db):
    hanne = create_user(db, "hanne", "Hanne", "hemmelig123", is_admin=True)
    lise = create_user(db, "lise", "Lise", "hemmelig123")
    token = auth.create_session(db, hanne.id)
    actor = accounts.Actor(hanne.id, auth.token_hash(token))
    set_password(db, hanne.id, "nyt-kodeord-7")  # e.g. reset: every sign-in ends
    with pytest.raises(accounts.AccountRefused, match="logget ud"):
        accounts.change_flags(db, actor, lise.id, is_admin=True)
    assert not get_user(db, lise.id).is_admin


def test_require_actor_is_the_check_other_privileged_code_reuses(db):
    fie = create_user(db, "fie", "Fie", "hemmelig123", is_facilitator=True)
    assert accounts.require_actor(db, fie.id, facilitator=True).id == fie.id
    with pytest.raises(accounts.AccountRefused, match="administrator"):
        accounts.require_actor(db, fie.id, admin=True)
    delete_user(db, fie.id)
    with pytest.raises(accounts.AccountRefused, match="findes ikke længere"):
        accounts.require_actor(db, fie.id, facilitator=True)


# --- identity ------------------------------------------------------------------------------------


def test_a_deleted_persons_id_is_never_given_to_the_next_person(db):
    first = create_user(db, "forste", "Første", "hemmelig123")
    token = auth.create_session(db, first.id)
    delete_user(db, first.id)
    second = create_user(db, "anden", "Anden", "hemmelig123")
    assert second.id != first.id
    assert auth.user_for_session(db, token) is None, "a deleted account's cookie signs nobody in"


ENTRA = "https://login.microsoftonline.com/tenant-1/v2.0"


def test_an_sso_person_is_found_by_issuer_and_subject_after_their_e_mail_changed(db, monkeypatch):
    monkeypatch.setenv("QUIZ_SELF_SIGNUP", "false")  # SSO people still get in
    who = OidcIdentity(ENTRA, "sub-abc", tid="tenant-1", oid="oid-1")
    first = sso.account_for(db, who, hint="lise@hvidovre.dk", display_name="Lise Ørsted")
    again = sso.account_for(db, who, hint="lise.oersted@hvidovre.dk", display_name="Lise Ørsted")
    assert again.id == first.id and first.sso
    row = db["users"].get(first.id)
    assert (row["entra_tid"], row["entra_oid"], row["password_hash"]) == ("tenant-1", "oid-1", None)
    other = sso.account_for(db, OidcIdentity(ENTRA, "sub-xyz"), hint="lise@hvidovre.dk", display_name="Lise 2")
    assert other.id != first.id, "another subject is another person, whatever the e-mail says"


def test_a_local_account_never_captures_an_sso_person(db):
    who = OidcIdentity(ENTRA, "sub-abc")
    squatter = create_user(db, sso.username_for("lise@hvidovre.dk", who), "Squatter", "hemmelig123")
    person = sso.account_for(db, who, hint="lise@hvidovre.dk", display_name="Lise")
    assert person.id != squatter.id and person.username != squatter.username
    assert auth.verify_login(db, person.username, "", now=NOW) is None, "no local password to guess"


def test_simultaneous_first_sso_sign_ins_make_one_account(db_path, db):
    who = OidcIdentity(ENTRA, "sub-abc")

    def first_visit(i):
        conn = open_db(db_path, migrate=False, check_same_thread=False)
        try:
            sso.account_for(conn, who, hint="lise@hvidovre.dk", display_name="Lise")
        finally:
            conn.close()

    assert not _threads(6, first_visit)
    assert db["users"].count == 1


# --- GDPR ----------------------------------------------------------------------------------------


def _rows_naming(db, user_id: int, username: str) -> list[tuple[str, dict]]:
    found = []
    for table in db.tables:
        for row in table.rows:
            if table.name == "users" and row["id"] == user_id:
                found.append((table.name, row))
            elif row.get("user_id") == user_id or any(
                isinstance(v, str)
                and (v == f"user:{user_id}" or v.startswith(f"device:{user_id}:") or username in v.split(":"))
                for v in row.values()
            ):
                found.append((table.name, row))
    return found


def test_after_a_delete_no_row_refers_to_the_person_and_their_export_held_every_one(db):
    from quiz import live  # noqa: F401  (the live tables are part of the schema)

    lise = create_user(db, "lise", "Lise", "hemmelig123")
    hr = create_user(db, "hr", "HR", "hemmelig123", is_admin=True)
    auth.verify_login(db, "lise", "forkert-1", browser="stranger", now=NOW)
    auth.verify_login(db, "lise", "hemmelig123", browser="lises-pc", now=NOW)
    auth.verify_login(db, "lise", "forkert-2", browser="lises-pc", now=NOW)
    token = auth.create_session(db, lise.id)
    login_codes.issue(db, token, user_id=lise.id, browser="lises-pc")
    brakes.settle(db, brakes.reserve(db, scope="join", keys=[f"user:{lise.id}"]), success=False)
    db["live_join_failures"].insert({"client_key": f"user:{lise.id}", "code": "9999", "failed_at": "x"})

    naming = _rows_naming(db, lise.id, "lise")
    exported = user_records(db, lise.id)
    secrets_ = {"sessions", "login_codes"}
    for table, row in naming:
        if table in secrets_ or table == "users":
            continue
        held = exported.get(table, [])
        assert any(all(row.get(k) == v for k, v in h.items()) for h in held), (table, row)
    assert {"brake_events", "live_join_failures", "known_browsers"} <= set(exported)

    accounts.delete_person(db, hr.id, lise.id)
    assert _rows_naming(db, lise.id, "lise") == []
