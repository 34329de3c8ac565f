"""Passwords and names people type: the rules they must meet, and argon2id hashing.

Plain functions with no database, so both ``quiz.store.users`` and ``quiz.people.auth`` use them without
importing each other. Refusals are :class:`InvalidInput`, a :class:`~quiz.i18n.QuizError` whose
message the UI renders in the person's language.

Hashes are argon2id (argon2-cffi) with the OWASP Password Storage Cheat Sheet's first
configuration: 19 MiB of memory, 2 iterations, 1 lane. Accounts made before carry
``scrypt$n$r$p$salt$hash``; :func:`verify` still checks those, and :func:`needs_rehash` tells the
sign-in to store a fresh argon2id hash once the password is known to be right.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import unicodedata
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from quiz.i18n import QuizError

USERNAME_MIN, USERNAME_MAX = 2, 32
DISPLAY_NAME_MAX = 60
PASSWORD_MIN, PASSWORD_MAX = 8, 1024
USERNAME_PATTERN = re.compile(r"^[a-z0-9æøå][a-z0-9æøå._-]*$")
# An e-mail address as HR files and identity providers give it: something@somewhere.tld, one of it.
EMAIL = re.compile(r"^[^@\s;,]+@[^@\s;,]+\.[^@\s;,]+$")

# OWASP Password Storage Cheat Sheet (2025): argon2id, m=19 MiB, t=2, p=1.
ARGON2_TIME_COST, ARGON2_MEMORY_KIB, ARGON2_PARALLELISM = 2, 19 * 1024, 1
_HASHER = PasswordHasher(
    time_cost=ARGON2_TIME_COST, memory_cost=ARGON2_MEMORY_KIB, parallelism=ARGON2_PARALLELISM, hash_len=32
)
BLOCKLIST_FILE = Path(__file__).resolve().parents[1] / "data" / "common_passwords.txt"


class InvalidInput(QuizError, ValueError):
    """Input a person typed that cannot be used; the message says what to do."""


# --- names -------------------------------------------------------------------------------------


def normalize_username(username: str | None) -> str:
    """How a username is compared and stored: NFC, trimmed, inner white space collapsed, case folded."""
    return " ".join(unicodedata.normalize("NFC", username or "").split()).casefold()


def validate_username(username: str) -> str:
    """The username as stored (trimmed, lower case) or ``InvalidInput``."""
    name = unicodedata.normalize("NFC", username or "").strip().casefold()
    if not USERNAME_MIN <= len(name) <= USERNAME_MAX:
        raise InvalidInput("auth.username_length", min=USERNAME_MIN, max=USERNAME_MAX)
    if not USERNAME_PATTERN.match(name):
        raise InvalidInput("auth.username_chars")
    return name


def validate_display_name(display_name: str) -> str:
    """The display name as stored (trimmed, inner white space collapsed) or ``InvalidInput``."""
    name = " ".join(unicodedata.normalize("NFC", display_name or "").split())
    if not name:
        raise InvalidInput("auth.display_name_empty")
    if len(name) > DISPLAY_NAME_MAX:
        raise InvalidInput("auth.display_name_long", max=DISPLAY_NAME_MAX)
    if any(unicodedata.category(ch).startswith("C") for ch in name):
        raise InvalidInput("auth.display_name_control")
    return name


def validate_person_name(display_name: str) -> str:
    """An account's name as stored, or ``InvalidInput``: also every character must print on a certificate.

    Checked where an account's name is entered (sign-up, HR, the import, SSO), so a name the
    certificate cannot print is refused with the characters named, never dropped from the PDF.
    """
    name = validate_display_name(display_name)
    missing = [ch for ch in dict.fromkeys(name) if not ch.isspace() and ord(ch) not in printable()]
    if missing:
        raise InvalidInput("auth.display_name_unprintable", chars=" ".join(missing[:5]))
    return name


ASSETS = Path(__file__).resolve().parents[1] / "assets"
NAME_FONTS = (
    "DejaVuSans-Bold.ttf",
    "NotoNaskhArabic-Regular.ttf",
    "NotoSansHebrew-Regular.ttf",
    "DroidSansFallback-names.ttf",
    "NanumGothic-names.ttf",
    "Symbola-emoji.ttf",
)
"""The fonts a certificate prints a name with (quiz.hr.certificate: DejaVu Sans Bold, then its fallbacks)."""


@cache
def printable() -> frozenset[int]:
    """Every character some font of :data:`NAME_FONTS` has: a name of these prints on a certificate."""
    # Deferred: fontTools (fpdf2's dependency) is read once, on the first name checked.
    from fontTools.ttLib import TTFont

    found: set[int] = set()
    for file in NAME_FONTS:
        found.update(TTFont(ASSETS / file, lazy=True).getBestCmap())
    return frozenset(found)


# --- passwords ---------------------------------------------------------------------------------


@cache
def blocklist() -> frozenset[str]:
    """The bundled common passwords, case folded."""
    lines = BLOCKLIST_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().casefold() for line in lines if line.strip() and not line.startswith("#"))


def validate_password(password: str, *, username: str | None = None) -> None:
    """Long enough, not too long, not one of the commonest passwords, not the username."""
    if len(password or "") < PASSWORD_MIN:
        raise InvalidInput("auth.password_short", min=PASSWORD_MIN)
    if len(password) > PASSWORD_MAX:
        raise InvalidInput("auth.password_long", max=PASSWORD_MAX)
    folded = unicodedata.normalize("NFC", password).casefold()
    if folded in blocklist():
        raise InvalidInput("auth.password_common")
    if username and folded == normalize_username(username):
        raise InvalidInput("auth.password_is_username")


def hash_password(password: str) -> str:
    """An argon2id hash (PHC string ``$argon2id$v=19$m=...,t=...,p=...$salt$hash``)."""
    return _HASHER.hash(password)


def verify(password: str, encoded: str | None) -> bool:
    """Constant-time check of ``password`` against a stored argon2id or old scrypt hash.

    False for a missing (SSO-only account) or malformed hash, never an exception.
    """
    if not encoded:
        return False
    if encoded.startswith("scrypt$"):
        return _verify_scrypt(password, encoded)
    try:
        return _HASHER.verify(encoded, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(encoded: str) -> bool:
    """True for an old scrypt hash or argon2id with other parameters than today's."""
    if not encoded.startswith("$argon2id$"):
        return True
    try:
        return _HASHER.check_needs_rehash(encoded)
    except InvalidHashError:
        return True


# A hash to check against when the username does not exist, so both cases take the same time.
DUMMY_HASH = hash_password(secrets.token_urlsafe(16))


# --- the hashes of the first version (scrypt), still read -----------------------------------------


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _verify_scrypt(password: str, encoded: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = encoded.split("$")
        n_, r_, p_ = int(n), int(r), int(p)
        maxmem = 2 * 128 * r_ * (n_ + p_ + 2)
        actual = hashlib.scrypt(password.encode("utf-8"), salt=_unb64(salt), n=n_, r=r_, p=p_, maxmem=maxmem, dklen=32)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, _unb64(digest))


def scrypt_hash(password: str, *, n: int = 2**14, r: int = 8, p: int = 1) -> str:
    """A hash in the first version's format (tests of the upgrade path and old databases only)."""
    salt = secrets.token_bytes(16)
    maxmem = 2 * 128 * r * (n + p + 2)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=maxmem, dklen=32)

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")

    return f"scrypt${n}${r}${p}${b64(salt)}${b64(digest)}"
