"""The SMTP sink of the reminder tests lives with the dev tools (``bench`` uses it too)."""

from quiz_devtools.smtp_sink import Sink, SmtpServer

__all__ = ["Sink", "SmtpServer"]
