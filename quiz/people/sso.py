"""People who sign in through the organisation's identity provider (OIDC, e.g. Microsoft Entra ID).

An SSO person's account is keyed on the provider's issuer and ``sub`` (and, from Entra ID, the
tenant ``tid`` and object id ``oid``, kept in their own columns), never on the e-mail or
``preferred_username``, which can change or be reassigned. The account has no local password, and
a local account with a matching username is never taken over: the SSO person gets a username of
their own. Self-registration being off does not stop them: the provider vouches for them.

One exception to "a new account on the first sign-in": a person HR imported (``quiz.hr.people_import``)
is linked to their SSO identity when the provider vouches for the e-mail HR gave
(:func:`vouched_email`), so their unit, programme and progress are theirs from the first sign-in.
Only an account without an SSO identity is linked, decided inside the transaction that links it.
"""

from __future__ import annotations

import hashlib
import sqlite3
import unicodedata
from collections.abc import Mapping

import sqlite_utils

from quiz.people import passwords
from quiz.store.db import transaction
from quiz.store.users import (
    NO_PASSWORD,
    OidcIdentity,
    User,
    UsernameTaken,
    create_user,
    get_user,
    user_for_email,
    user_for_identity,
)

_ALLOWED = "abcdefghijklmnopqrstuvwxyz0123456789æøå._-"


def username_for(hint: str, identity: OidcIdentity) -> str:
    """A local username for an SSO person: the hint's local part plus a short hash of the identity."""
    plain = unicodedata.normalize("NFKD", (hint or "").split("@")[0].casefold())
    local = "".join(ch for ch in plain if ch in _ALLOWED).lstrip("._-")[:20] or "bruger"
    tag = hashlib.sha256(f"{identity.issuer}\n{identity.subject}".encode()).hexdigest()[:8]
    return f"{local}-{tag}"


def vouched_email(claims: Mapping[str, object], *, trusted_tenant: str | None) -> str | None:
    """The e-mail the provider vouches for in ``claims`` (an ID token's), or None.

    Microsoft Entra ID (its tokens carry the tenant ``tid``) sends no ``email_verified``, and any
    tenant's administrators can write any address into their own users' ``email``; so from Entra
    ID only the municipality's own tenant (``QUIZ_SSO_TENANT``) is believed. Any other OpenID
    Connect provider must say ``email_verified: true``.
    """
    email = claims.get("email")
    if not isinstance(email, str) or not passwords.EMAIL.match(email.strip()):
        return None
    verified = claims.get("email_verified")
    if verified is False or str(verified).lower() == "false":
        return None
    tid = claims.get("tid")
    if tid:
        return email.strip().casefold() if trusted_tenant and str(tid) == trusted_tenant else None
    return email.strip().casefold() if verified is True or str(verified).lower() == "true" else None


def link_imported(db: sqlite_utils.Database, identity: OidcIdentity, email: str) -> User | None:
    """Give the account HR imported with ``email`` this SSO identity; None when there is none to link.

    Refused (None) when no one, or more than one person, has the e-mail, and when the account has
    an SSO identity already: a different identity never takes over an account. Checked and written
    in one transaction, so two first sign-ins cannot both link. The link clears the "no password
    yet" mark and any unused set-password link: the person signs in through the provider now.
    """
    with transaction(db):
        found = user_for_identity(db, identity)
        if found is not None:  # a parallel first request of the same person got here first
            return found
        user_id = user_for_email(db, email)
        if user_id is None:
            return None
        linked = db.execute(
            """
            UPDATE users SET oidc_issuer = ?, oidc_subject = ?, entra_tid = ?, entra_oid = ?,
                password_hash = CASE WHEN password_hash = ? THEN NULL ELSE password_hash END
            WHERE id = ? AND oidc_subject IS NULL
            """,
            [identity.issuer, identity.subject, identity.tid, identity.oid, NO_PASSWORD, user_id],
        ).rowcount
        if not linked:
            return None
        db.execute("DELETE FROM invitations WHERE user_id = ? AND used_at IS NULL", [user_id])
    return get_user(db, user_id)


def account_for(
    db: sqlite_utils.Database, identity: OidcIdentity, *, hint: str, display_name: str, email: str | None = None
) -> User:
    """The person's account: found by identity, else HR's import linked by ``email``, else made new.

    ``email`` is one the provider vouches for (:func:`vouched_email`), or None.
    """
    if email is not None:
        # Read first: only a first sign-in pays for the write lock of the link.
        found = user_for_identity(db, identity) or link_imported(db, identity, email)
        if found is not None:
            return found
    username = username_for(hint, identity)
    try:
        name = passwords.validate_person_name(display_name[: passwords.DISPLAY_NAME_MAX])
    except passwords.InvalidInput:  # e.g. control characters, or a script no certificate font has
        name = username
    for attempt in range(4):
        found = user_for_identity(db, identity)
        if found is not None:  # also when a parallel first request of the same person made it
            return found
        candidate = username if attempt == 0 else f"{username[:28]}-{attempt}"
        try:
            return create_user(db, candidate, name, None, identity=identity)
        except UsernameTaken:  # a local account has the name: never theirs, take another
            continue
        except sqlite3.IntegrityError:  # the identity was stored meanwhile: read it above
            continue
    raise UsernameTaken("auth.username_taken", username=username)
