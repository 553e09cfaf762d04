"""The one place that sends notifications by email.

`queue_email()` renders the message and adds it to the current transaction: it exists if and only if
the step that wrote it committed. The job engine delivers it by SMTP after the commit, retrying with
backoff while the server is unreachable (`service.jobs.outbox`). Without MAIL_SERVER nothing is sent:
the message stays in the development outbox that administrators read in the app.
"""

from __future__ import annotations

import re
import smtplib
import ssl
from email.message import EmailMessage

from flask import current_app, has_request_context, render_template

from service.database import write
from service.extensions import db
from service.jobs import outbox
from service.notifications.models import OutboundEmail
from service.timeutil import utcnow

SECRET_LINK = re.compile(r"(/account/(?:confirm|reset)/)\S+")


def queue_email(recipient: str | None, template: str, **context) -> OutboundEmail | None:
    """Render templates/emails/<template>.txt (first line `Subject: ...`) into the current transaction.
    Nothing for an account without an email (a citizen who signs in through VNeID alone)."""
    if not recipient:
        return None
    rendered = _render(template, context).lstrip()
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
    return message


def _render(template: str, context: dict) -> str:
    """Outside a request (a job, a command) links are built for APP_BASE_URL, as in a request."""
    if has_request_context():
        return render_template(f"emails/{template}.txt", **context)
    with current_app.test_request_context(base_url=current_app.config["APP_BASE_URL"]):
        return render_template(f"emails/{template}.txt", **context)


def deliver(message_id: int, attempt: int) -> None:
    """Send one message by SMTP (raises if the server refuses or cannot be reached), then record it.

    The Message-ID is the row's, so that a message sent again after a runner died between the
    server's acceptance and our commit is recognisable as the same message by mail clients."""
    config = current_app.config
    message = db.session.get(OutboundEmail, message_id)
    mime = _to_mime(config, message)
    db.session.rollback()  # no transaction stays open while we talk to the server
    _smtp_send(config, mime)
    with write():
        message = outbox.lock_claimed(OutboundEmail, message_id, attempt)
        outbox.finish(message, "sent")
        message.sent_at = utcnow()
        # Once delivered, the stored copy must not keep a usable confirmation or reset link (only the
        # tokens' hashes are stored elsewhere); the development outbox keeps them, as it sends nothing.
        message.body_text = SECRET_LINK.sub(r"\1[liên kết đã được ẩn sau khi gửi]", message.body_text)


def _to_mime(config, message: OutboundEmail) -> EmailMessage:
    mime = EmailMessage()
    mime["From"] = config["MAIL_DEFAULT_SENDER"]
    mime["To"] = message.recipient
    mime["Subject"] = message.subject
    mime["Message-ID"] = f"<outbound-{message.id}-{message.created_at:%Y%m%d%H%M%S}@{_domain(config)}>"
    mime.set_content(message.body_text)
    return mime


def _domain(config) -> str:
    sender = config["MAIL_DEFAULT_SENDER"]
    found = re.search(r"@([A-Za-z0-9.-]+)", sender)
    return found.group(1) if found else "gdnn.local"


def _smtp_send(config, mime: EmailMessage) -> None:
    # smtplib's own TLS context checks neither the server's certificate nor its name: anyone in between
    # could pose as the server and read every reset link. The system's trusted CAs and the host name must
    # match (ASVS 4.0.3 §9.2.1).
    tls = ssl.create_default_context()
    server, port, timeout = config["MAIL_SERVER"], config["MAIL_PORT"], config["MAIL_TIMEOUT"]
    if config["MAIL_USE_SSL"]:
        connection = smtplib.SMTP_SSL(server, port, timeout=timeout, context=tls)
    else:
        connection = smtplib.SMTP(server, port, timeout=timeout)
    with connection as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls(context=tls)
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(mime)


outbox.register(outbox.Channel("email", OutboundEmail, deliver, "sent"))
