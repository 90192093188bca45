"""Sending notification mails through the configured SMTP server, after the transaction that
made them has committed (``catalog.db.gateway``), never inside it.

Off when ``HAVEN_SMTP_HOST`` is unset. A mail that cannot be sent is logged by count and
error type only (no address, no text) and stays unsent (``mailed_at`` empty); the
notification itself is in the portal either way.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Sequence
from email import policy
from email.message import EmailMessage

from catalog.notifications.domain import Mail
from common.logging import get_logger, safe
from common.settings import Settings

log = get_logger(__name__)
TIMEOUT_SECONDS = 10
# Subjects stay on one header line (RFC 5322 allows up to 998 characters): folding an encoded
# subject makes some readers, Python's own included, show a doubled space at the fold.
POLICY = policy.SMTP.clone(max_line_length=998)


def _message(mail: Mail, sender: str) -> EmailMessage:
    message = EmailMessage(policy=POLICY)
    message["From"] = sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message.set_content(mail.body)
    return message


def send(settings: Settings, mails: Sequence[Mail]) -> list[str]:
    """Send ``mails`` over one SMTP connection; returns the notification ids whose mail was accepted."""
    if not mails or not settings.smtp_host:
        return []
    sent: list[str] = []
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=TIMEOUT_SECONDS) as smtp:
            if settings.smtp_tls:
                smtp.starttls(context=ssl.create_default_context())
            for mail in mails:
                try:
                    smtp.send_message(_message(mail, settings.smtp_from))
                    sent.append(mail.notification_id)
                except smtplib.SMTPRecipientsRefused:
                    continue
    except (OSError, smtplib.SMTPException) as exc:
        log.warning(
            "notifications.mail_failed", error=safe(type(exc).__name__), unsent=len(mails) - len(sent)
        )
    log.info("notifications.mailed", sent=len(sent), unsent=len(mails) - len(sent))
    return sent
