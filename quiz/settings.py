"""The deployment's settings, read from ``QUIZ_*`` environment variables.

One place for everything an operator sets (docs/operations.md lists them): whether people may
create their own accounts, which reverse proxies are trusted, cookies, e-mail. Values are checked
when read, and a bad one raises :class:`SettingsError` naming the variable, so the server refuses
to start with a clear message instead of half-working. ``QUIZ_DB`` and ``QUIZ_CONTENT`` stay where
they are read (``quiz.store.db``, ``quiz.content.loader``).
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from quiz.i18n import Msg, QuizError, languages

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class SettingsError(QuizError):
    """A ``QUIZ_*`` variable has a value the app cannot use."""


@dataclass(frozen=True)
class Settings:
    """What an operator can set; the defaults are the embedded single-machine set-up."""

    # Sign-in (issue: sign-in and accounts)
    self_signup: bool = True
    """QUIZ_SELF_SIGNUP: may people create their own local accounts on the sign-in page."""

    # Serving (issue: reverse proxy, several processes)
    trusted_proxies: tuple[IPNetwork, ...] = ()
    """QUIZ_TRUSTED_PROXIES: comma-separated addresses/networks whose X-Forwarded-* are believed."""
    secure_cookies: bool = False
    """QUIZ_SECURE_COOKIES: always mark cookies Secure (set it when a proxy terminates TLS)."""
    live_room_cap: int = 2500
    """QUIZ_LIVE_ROOM_CAP: the most people one live room takes (1-100000); newcomers beyond it are refused."""
    live_stage_bars: str = "reveal"
    """QUIZ_LIVE_STAGE_BARS: when the stage shows the answers' bars: ``reveal`` (after the reveal) or ``live``."""

    # Links and e-mail (issue: onboarding)
    base_url: str = "http://localhost:8501"
    """QUIZ_BASE_URL: the address people open the app at, for links in e-mails and QR codes."""
    smtp_host: str | None = None
    """QUIZ_SMTP_HOST: the mail server; no e-mail is sent while it is unset."""
    smtp_port: int = 587
    smtp_starttls: bool = True
    smtp_user: str | None = None
    smtp_password: str | None = field(default=None, repr=False)
    smtp_sender: str = "no-reply@localhost"
    invitations: bool = True
    """QUIZ_INVITATIONS: ``remind`` e-mails imported people a set-password link (false: all use SSO)."""
    sso_tenant: str | None = None
    """QUIZ_SSO_TENANT: the Entra ID tenant id whose ``email`` claim links a first SSO sign-in to HR's import."""

    # Language (issue: a second language)
    language: str | None = None
    """QUIZ_LANGUAGE: the language when neither the person nor the browser names one we have, and the CLI's."""


_TRUE = {"1", "true", "yes", "on", "ja", "sand"}
_FALSE = {"0", "false", "no", "off", "nej", "falsk"}


def _bool(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise SettingsError("settings.invalid", name=name, problem=Msg("settings.bool"))


def _int(name: str, raw: str) -> int:
    try:
        return int(raw.strip())
    except ValueError:
        raise SettingsError("settings.invalid", name=name, problem=Msg("settings.int")) from None


def _room_cap(name: str, raw: str) -> int:
    value = _int(name, raw)
    if not 1 <= value <= 100_000:
        raise SettingsError("settings.invalid", name=name, problem=Msg("settings.range", low=1, high=100_000))
    return value


def _stage_bars(name: str, raw: str) -> str:
    value = raw.strip().lower()
    if value not in ("reveal", "live"):
        raise SettingsError("settings.invalid", name=name, problem=Msg("settings.choice", known="reveal, live"))
    return value


def _networks(name: str, raw: str) -> tuple[IPNetwork, ...]:
    networks = []
    for part in (p.strip() for p in raw.split(",")):
        if not part:
            continue
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise SettingsError("settings.invalid", name=name, problem=Msg("settings.proxy", value=part)) from None
    return tuple(networks)


def _text(name: str, raw: str) -> str | None:
    return raw.strip() or None


def _language(name: str, raw: str) -> str | None:
    value = raw.strip().lower() or None
    if value is not None and value not in languages():
        raise SettingsError(
            "settings.invalid", name=name, problem=Msg("settings.language", known=", ".join(languages()))
        )
    return value


_READERS = {
    "self_signup": _bool,
    "trusted_proxies": _networks,
    "secure_cookies": _bool,
    "live_room_cap": _room_cap,
    "live_stage_bars": _stage_bars,
    "base_url": lambda name, raw: raw.strip().rstrip("/") or Settings.base_url,
    "smtp_host": _text,
    "smtp_port": _int,
    "smtp_starttls": _bool,
    "smtp_user": _text,
    "smtp_password": lambda name, raw: raw or None,
    "smtp_sender": lambda name, raw: raw.strip() or Settings.smtp_sender,
    "invitations": _bool,
    "sso_tenant": _text,
    "language": _language,
}


def load(environ: Mapping[str, str] | None = None) -> Settings:
    """The settings from ``environ`` (default: the process environment); raises SettingsError."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}  # each reader returns its own field's type
    for attr, reader in _READERS.items():
        name = "QUIZ_" + attr.upper()
        raw = env.get(name)
        if raw is not None:
            values[attr] = reader(name, raw)
    return Settings(**values)


_cached: tuple[tuple, Settings] | None = None


def _environment_key() -> tuple:
    """The ``QUIZ_*`` variables as they are now: what :func:`current` compares with its copy.

    Every HTTP request asks for the settings (trusted proxies, room cap, language); going through
    ``os.environ``'s mapping decodes every variable of the process each time (~20 µs), so on POSIX
    the bytes behind it (``os.environb``'s ``_data``, a CPython detail) are read directly (~3 µs).
    Without it (another platform or Python), the public mapping is used.
    """
    raw = getattr(os.environb, "_data", None) if hasattr(os, "environb") else None
    if isinstance(raw, dict):
        return tuple(sorted(item for item in raw.items() if item[0][:5] == b"QUIZ_"))
    return tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith("QUIZ_")))


def current() -> Settings:
    """The process's settings, read again only when a ``QUIZ_*`` variable changed (cheap per request)."""
    global _cached
    key = _environment_key()
    if _cached is None or _cached[0] != key:
        _cached = (key, load())
    return _cached[1]
