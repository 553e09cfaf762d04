"""The one place that sends notifications by email.

Every message is stored first. With MAIL_SERVER set it is delivered by SMTP at once (and retried by
`flask --app wsgi notifications retry` if the server was unreachable); without it, it stays in the
development outbox that administrators read in the app.
"""

from __future__ import annotations

import logging
import re
import smtplib
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app, render_template

from service.extensions import db
from service.notifications.models import OutboundEmail
from service.timeutil import utcnow

log = logging.getLogger(__name__)
SECRET_LINK = re.compile(r"(/account/(?:confirm|reset)/)\S+")


def send_email(recipient: str, template: str, **context) -> OutboundEmail:
    """Render templates/emails/<template>.txt (first line `Subject: ...`) and send it. Call after commit."""
    rendered = render_template(f"emails/{template}.txt", **context).lstrip()
    first_line, _, body = rendered.partition("\n")
    subject = first_line.removeprefix("Subject:").strip()
    smtp_configured = bool(current_app.config["MAIL_SERVER"])
    message = OutboundEmail(
        recipient=recipient,
        subject=subject,
        body_text=body.strip() + "\n",
        status="pending" if smtp_configured else "outbox",
    )
    db.session.add(message)
    db.session.commit()
    if smtp_configured:
        deliver(message)
    return message


def deliver(message: OutboundEmail) -> bool:
    config = current_app.config
    message.attempts += 1
    try:
        _smtp_send(config, _to_mime(config, message))
    except (OSError, smtplib.SMTPException) as error:
        log.warning("Email %s to %s failed: %s", message.id, message.recipient, error)
        message.status, message.error = "failed", str(error)[:2000]
        db.session.commit()
        return False
    message.status, message.sent_at, message.error = "sent", utcnow(), None
    # Once delivered, the stored copy must not keep a usable confirmation or reset link (only the
    # tokens' hashes are stored elsewhere); the development outbox keeps them, as it sends nothing.
    message.body_text = SECRET_LINK.sub(r"\1[liên kết đã được ẩn sau khi gửi]", message.body_text)
    db.session.commit()
    return True


def retry_failed() -> tuple[int, int]:
    pending = db.session.scalars(
        db.select(OutboundEmail)
        .where(OutboundEmail.status.in_(("pending", "failed")))
        .order_by(OutboundEmail.id)
    ).all()
    sent = sum(deliver(message) for message in pending)
    return sent, len(pending) - sent


def _to_mime(config, message: OutboundEmail) -> EmailMessage:
    mime = EmailMessage()
    mime["From"] = config["MAIL_DEFAULT_SENDER"]
    mime["To"] = message.recipient
    mime["Subject"] = message.subject
    mime["Message-ID"] = make_msgid(domain="gdnn.local")
    mime.set_content(message.body_text)
    return mime


def _smtp_send(config, mime: EmailMessage) -> None:
    smtp_class = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
    with smtp_class(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"]) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(mime)
