"""Issue 27's sign-in attacks: a guesser's wrong tries hold the guesser, never the owner for long.

Played with the clock given to ``verify_login``, so an attacker's whole day passes in a second.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from quiz.i18n import t, wait_time
from quiz.live.models import JoinLocked
from quiz.people import auth, brakes, invitations
from quiz.store import create_user

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
FEW_SECONDS = 5


def _guess_as_fast_as_allowed(db, username: str, tries: int, start: datetime, *, rotate: bool) -> tuple[int, datetime]:
    """Wrong passwords, each as soon as the brake lets it through; new browser and address each time when ``rotate``."""
    now, failures = start, 0
    for n in range(tries):
        browser, ip = (f"attacker-{n}", f"198.51.100.{n % 250}") if rotate else ("attacker", "198.51.100.1")
        result = auth.verify_login(db, username, f"gæt-{n}-forkert", browser=browser, ip=ip, now=now)
        if isinstance(result, auth.Locked):
            if result.another_way:
                break
            now += timedelta(seconds=result.retry_after)
            result = auth.verify_login(db, username, f"gæt-{n}-forkert", browser=browser, ip=ip, now=now)
        assert result is None
        failures += 1
    return failures, now


def test_the_owner_on_a_new_phone_waits_seconds_not_minutes_after_forty_wrong_tries_from_elsewhere(db):
    create_user(db, "lise", "Lise Holm", "hemmelig-kode-1")
    _, now = _guess_as_fast_as_allowed(db, "lise", 40, NOW, rotate=False)

    owner = auth.verify_login(db, "lise", "hemmelig-kode-1", browser="lises-nye-telefon", ip="10.0.0.8", now=now)
    if isinstance(owner, auth.Locked):
        assert not owner.another_way
        assert owner.retry_after <= FEW_SECONDS, f"the owner would wait {owner.retry_after} s"
        now += timedelta(seconds=owner.retry_after)
        owner = auth.verify_login(db, "lise", "hemmelig-kode-1", browser="lises-nye-telefon", ip="10.0.0.8", now=now)
    assert isinstance(owner, auth.User) and owner.username == "lise"


def test_seven_wrong_tries_keep_a_new_browser_waiting_at_most_a_few_seconds(db):
    create_user(db, "lise", "Lise Holm", "hemmelig-kode-1")
    _guess_as_fast_as_allowed(db, "lise", 7, NOW, rotate=False)
    waits = []
    for later in range(0, 600, 30):  # one more wrong try per window does not keep it so
        at = NOW + timedelta(seconds=60 + later)
        auth.verify_login(db, "lise", "forkert", browser="attacker", ip="198.51.100.1", now=at)
        seen = auth.verify_login(db, "lise", "forkert-igen", browser=f"fresh-{later}", ip="10.0.0.8", now=at)
        if isinstance(seen, auth.Locked):
            waits.append(seen.retry_after)
    assert max(waits, default=0) <= FEW_SECONDS


def test_guessing_an_account_from_ever_new_browsers_and_addresses_stops_at_100_a_day(db):
    create_user(db, "lise", "Lise Holm", "hemmelig-kode-1")
    ceiling = brakes.SCOPES["signin"].limits["account"].ceiling
    failures, now = _guess_as_fast_as_allowed(db, "lise", 500, NOW, rotate=True)
    assert failures == ceiling == 100
    assert now - NOW < timedelta(hours=1), "the ceiling, not the delay, is what stops the guesser"

    stopped = auth.verify_login(db, "lise", "hemmelig-kode-1", browser="ny-browser", ip="10.0.0.8", now=now)
    assert isinstance(stopped, auth.Locked) and stopped.another_way, "even the right password: another way is needed"
    assert "browser, du har logget ind fra før" in t("log_ind.locked_account")


def test_after_the_ceiling_the_owners_known_browser_still_signs_in_and_ends_the_run(db):
    create_user(db, "lise", "Lise Holm", "hemmelig-kode-1")
    assert isinstance(auth.verify_login(db, "lise", "hemmelig-kode-1", browser="lises-pc", now=NOW), auth.User)
    _, now = _guess_as_fast_as_allowed(db, "lise", 200, NOW, rotate=True)

    assert isinstance(auth.verify_login(db, "lise", "hemmelig-kode-1", browser="lises-pc", now=now), auth.User)
    again = auth.verify_login(db, "lise", "hemmelig-kode-1", browser="ny-telefon", ip="10.0.0.8", now=now)
    assert isinstance(again, auth.User), "a success ends the run of failures, also for new browsers"


def test_one_second_is_said_in_the_singular_in_both_languages():
    assert t("log_ind.locked", wait=wait_time(1)) == "For mange forsøg. Vent 1 sekund, og prøv igen."
    assert t("log_ind.locked", wait=wait_time(3)) == "For mange forsøg. Vent 3 sekunder, og prøv igen."
    assert t("log_ind.locked", lang="en", wait=wait_time(1)) == "Too many attempts. Wait 1 second and try again."
    assert t("auth.signup_slow", wait=wait_time(300)).endswith("Vent 5 minutter, og prøv igen.")
    assert str(JoinLocked(1)) == "For mange forkerte koder. Vent 1 sekund, og prøv igen."


def test_strangers_at_the_ceiling_do_not_stop_the_signed_in_owner_changing_their_password(db):
    lise = create_user(db, "lise", "Lise Holm", "hemmelig-kode-1")
    _, now = _guess_as_fast_as_allowed(db, "lise", 200, NOW, rotate=True)
    token = auth.create_session(db, lise.id)
    auth.change_own_password(db, lise.id, "hemmelig-kode-1", "en-helt-ny-kode-7", session_token=token, now=now)
    again = auth.verify_login(db, "lise", "en-helt-ny-kode-7", browser="ny-telefon", ip="10.0.0.8", now=now)
    assert isinstance(again, auth.User), "a new password ends the count of guesses at the old one"


def test_hrs_invitation_link_is_the_way_back_in_after_the_ceiling(db):
    lise = create_user(db, "lise", "Lise Holm", "hemmelig-kode-1")
    _, now = _guess_as_fast_as_allowed(db, "lise", 200, NOW, rotate=True)
    invitations.redeem(db, invitations.invite(db, lise.id), "fra-hr-linket-3")
    signed_in = auth.verify_login(db, "lise", "fra-hr-linket-3", browser="ny-telefon", ip="10.0.0.8", now=now)
    assert isinstance(signed_in, auth.User)
