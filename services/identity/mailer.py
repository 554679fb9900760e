"""Sending identity's emails over SMTP (SMTP_URL), for the worker."""

from __future__ import annotations

import smtplib
import ssl
import uuid
from email.message import EmailMessage
from email.utils import parseaddr

from services.identity.domain import SmtpSettings

TIMEOUT_SECONDS = 10.0


class Mailer:
    def __init__(self, smtp: SmtpSettings, sender: str):
        self.smtp = smtp
        self.sender = sender
        address = parseaddr(sender)[1]
        self.message_id_domain = address.rpartition("@")[2] or "skillpass.localhost"

    def message_id(self, email_id: uuid.UUID) -> str:
        """The same for every attempt at one email: a copy sent again after a crash is recognisable."""
        return f"<{email_id}@{self.message_id_domain}>"

    def send(self, emails: list[tuple[uuid.UUID, str, str, str]]) -> dict[uuid.UUID, str]:
        """Send (id, to, subject, body) emails over one connection; the ids that were not sent, with why."""
        try:
            connection = self._connect()
        except (OSError, smtplib.SMTPException) as error:
            return {email_id: _describe(error) for email_id, *_ in emails}
        failures: dict[uuid.UUID, str] = {}
        try:
            for index, (email_id, to, subject, body) in enumerate(emails):
                try:
                    connection.send_message(self._message(email_id, to, subject, body))
                except smtplib.SMTPServerDisconnected as error:  # the rest cannot go on this connection
                    failures.update({later_id: _describe(error) for later_id, *_ in emails[index:]})
                    break
                except (OSError, smtplib.SMTPException) as error:
                    failures[email_id] = _describe(error)
        finally:
            try:
                connection.quit()
            except (OSError, smtplib.SMTPException):
                connection.close()  # what was accepted before is sent, whatever QUIT answers
        return failures

    def _connect(self) -> smtplib.SMTP:
        connection = smtplib.SMTP(self.smtp.host, self.smtp.port, timeout=TIMEOUT_SECONDS)
        try:
            connection.ehlo()
            if self.smtp.starttls:
                connection.starttls(context=ssl.create_default_context())
                connection.ehlo()
            if self.smtp.username:
                connection.login(self.smtp.username, self.smtp.password or "")
        except BaseException:
            connection.close()
            raise
        return connection

    def _message(self, email_id: uuid.UUID, to: str, subject: str, body: str) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = to
        message["Subject"] = subject
        message["Message-ID"] = self.message_id(email_id)
        message.set_content(body)
        return message


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"
