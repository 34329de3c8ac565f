"""People who sign in through the organisation's identity provider (OIDC, e.g. Microsoft Entra ID).

An SSO person's account is keyed on the provider's issuer and ``sub`` (and, from Entra ID, the
tenant ``tid`` and object id ``oid``, kept in their own columns), never on the e-mail or
``preferred_username``, which can change or be reassigned. The account has no local password, and
a local account with a matching username is never taken over: the SSO person gets a username of
their own. Self-registration being off does not stop them: the provider vouches for them.
"""

from __future__ import annotations

import hashlib
import sqlite3
import unicodedata

import sqlite_utils

from quiz import passwords
from quiz.store.users import OidcIdentity, User, UsernameTaken, create_user, user_for_identity

_ALLOWED = "abcdefghijklmnopqrstuvwxyz0123456789æøå._-"


def username_for(hint: str, identity: OidcIdentity) -> str:
    """A local username for an SSO person: the hint's local part plus a short hash of the identity."""
    plain = unicodedata.normalize("NFKD", (hint or "").split("@")[0].casefold())
    local = "".join(ch for ch in plain if ch in _ALLOWED).lstrip("._-")[:20] or "bruger"
    tag = hashlib.sha256(f"{identity.issuer}\n{identity.subject}".encode()).hexdigest()[:8]
    return f"{local}-{tag}"


def account_for(db: sqlite_utils.Database, identity: OidcIdentity, *, hint: str, display_name: str) -> User:
    """The person's account, made on their first sign-in from the provider's claims."""
    username = username_for(hint, identity)
    try:
        name = passwords.validate_display_name(display_name[: passwords.DISPLAY_NAME_MAX])
    except passwords.InvalidInput:  # e.g. control characters in the name the provider sends
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
