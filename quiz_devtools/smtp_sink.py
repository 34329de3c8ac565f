"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it receives: for the tests and ``bench``.

aiosmtpd is a test dependency (pyproject ``[test]``); nothing in the app imports this module.
"""

from __future__ import annotations

import email
import email.policy
import socket
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller

from quiz.settings import Settings


@dataclass
class Sink:
    """Collects messages; addresses in ``refuse`` get a 550, as a real server refuses a mailbox."""

    raw: list[bytes] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    _parsed: list = field(default_factory=list, repr=False)

    @property
    def messages(self) -> list:
        """What was received, parsed (lazily: the bench only counts, the tests read)."""
        for content in self.raw[len(self._parsed) :]:
            self._parsed.append(email.message_from_bytes(content, policy=email.policy.default))
        return list(self._parsed)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.casefold() in self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.raw.append(envelope.content)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list:
        return [m for m in self.messages if address in m["To"]]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpServer:
    def __init__(self):
        self.sink = Sink()
        self.port = free_port()
        self.controller = Controller(self.sink, hostname="127.0.0.1", port=self.port)

    def start(self) -> SmtpServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def settings(self, **extra) -> Settings:
        return Settings(
            smtp_host="127.0.0.1",
            smtp_port=self.port,
            smtp_starttls=False,
            smtp_sender="hr@hvidovre.dk",
            base_url="https://laer.hvidovre.dk",
            **extra,
        )
