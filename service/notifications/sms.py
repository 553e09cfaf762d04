"""The one place that sends SMS. `queue_sms()` adds the message to the current transaction; after the
commit the job engine posts it to the provider's HTTP API (JSON `{"to", "from", "text"}` with
`Authorization: Bearer <SMS_API_KEY>`, the shape most Vietnamese brandname-SMS gateways accept behind a
small adapter), retrying while the provider is down. Without SMS_PROVIDER_URL it stays in the
development outbox that administrators read."""

from __future__ import annotations

import requests
from flask import current_app

from service.database import write
from service.extensions import db
from service.identifiers import phone_or_none
from service.jobs import outbox
from service.notifications.models import OutboundSms
from service.text import without_diacritics
from service.timeutil import utcnow

MAX_LENGTH = 320  # two concatenated unaccented SMS


class ProviderRefused(Exception):
    pass


def queue_sms(phone: str, text: str) -> OutboundSms | None:
    """Brandname SMS are sent without diacritics (a Vietnamese-accented SMS costs three times more)."""
    recipient = phone_or_none(phone)
    if recipient is None:
        return None
    plain = without_diacritics(text).replace("₫", "d").encode("ascii", "ignore").decode()
    body = " ".join(plain.split())[:MAX_LENGTH]
    provider = current_app.config["SMS_PROVIDER_URL"]
    message = OutboundSms(recipient=recipient, body=body, status="pending" if provider else "outbox")
    db.session.add(message)
    return message


def deliver(message_id: int, attempt: int) -> None:
    config = current_app.config
    message = db.session.get(OutboundSms, message_id)
    payload = {"to": message.recipient, "from": config["SMS_SENDER"], "text": message.body}
    db.session.rollback()  # no transaction stays open while we talk to the provider
    try:
        response = requests.post(
            config["SMS_PROVIDER_URL"],
            json=payload,
            headers={"Authorization": f"Bearer {config['SMS_API_KEY']}"},
            timeout=10,
        )
        response.raise_for_status()
        answer = response.json() if response.content else {}
    except ValueError as error:
        raise ProviderRefused(f"Nhà cung cấp SMS trả lời không hợp lệ: {error}") from error
    with write():
        message = outbox.lock_claimed(OutboundSms, message_id, attempt)
        outbox.finish(message, "sent")
        message.sent_at = utcnow()
        message.provider_id = str(answer.get("id") or answer.get("messageId") or "")[:64] or None


outbox.register(outbox.Channel("sms", OutboundSms, deliver, "sent"))
