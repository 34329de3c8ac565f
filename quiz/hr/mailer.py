"""E-mail out through the SMTP server in the settings (``QUIZ_SMTP_*``): one connection per run.

Every failure is a :class:`MailError` with a Danish message naming the server, so a cron run can
say what went wrong; a message counts as sent only when the server accepted it.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.header import Header
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate, make_msgid

from quiz.i18n import QuizError
from quiz.settings import Settings

TIMEOUT_SECONDS = 20


@dataclass(frozen=True)
class Mail:
    """One e-mail to one person (plain text)."""

    to: str
    to_name: str
    subject: str
    body: str


class MailError(QuizError):
    """The server could not be reached, or refused a message."""


class Mailer:
    """A connection to the SMTP server; use as a context manager and call :meth:`send` per mail."""

    def __init__(self, settings: Settings):
        if not settings.smtp_host:
            raise MailError("mail.no_host")
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    @property
    def where(self) -> str:
        return f"{self.settings.smtp_host}:{self.settings.smtp_port}"

    def __enter__(self) -> Mailer:
        self.connect()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def connect(self) -> None:
        s = self.settings
        try:
            smtp = smtplib.SMTP(s.smtp_host or "", s.smtp_port, timeout=TIMEOUT_SECONDS)
            smtp.ehlo()
            if s.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if s.smtp_user:
                smtp.login(s.smtp_user, s.smtp_password or "")
        except smtplib.SMTPAuthenticationError:
            raise MailError("mail.login", server=self.where) from None
        except smtplib.SMTPNotSupportedError:
            raise MailError("mail.no_starttls", server=self.where) from None
        except (OSError, smtplib.SMTPException) as exc:
            raise MailError("mail.unreachable", server=self.where, problem=str(exc) or type(exc).__name__) from None
        self._smtp = smtp

    def send(self, mail: Mail) -> None:
        """Hand one mail to the server; :class:`MailError` when it is refused or the line is gone."""
        if self._smtp is None:
            self.connect()
        assert self._smtp is not None  # connect() set it, or raised
        # The classic (compat32) message classes: the modern EmailMessage parses every header it is
        # given, which cost more than the SMTP exchange itself in a remind run over 5,000 people.
        message = MIMEText(mail.body, "plain", "utf-8")
        message["From"] = self.settings.smtp_sender
        message["To"] = formataddr((mail.to_name, mail.to), charset="utf-8")
        message["Subject"] = Header(mail.subject, "utf-8")  # type: ignore[assignment]  # compat32 takes a Header
        message["Date"] = formatdate(localtime=True)
        message["Message-ID"] = make_msgid(domain=self.settings.smtp_sender.rpartition("@")[2] or None)
        try:
            refused = self._smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = next(iter(exc.recipients.values()), (550, b""))
            problem = f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"
            raise MailError("mail.refused", to=mail.to, server=self.where, problem=problem) from None
        except smtplib.SMTPResponseException as exc:
            said = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else exc.smtp_error
            problem = f"{exc.smtp_code} {said}"
            raise MailError("mail.refused", to=mail.to, server=self.where, problem=problem) from None
        except (OSError, smtplib.SMTPException) as exc:
            self._smtp = None  # reconnect for the next mail
            raise MailError("mail.unreachable", server=self.where, problem=str(exc) or type(exc).__name__) from None
        if refused:
            raise MailError("mail.refused", to=mail.to, server=self.where, problem=str(refused))

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (OSError, smtplib.SMTPException):
                pass
            self._smtp = None
