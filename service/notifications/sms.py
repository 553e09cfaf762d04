"""The one place that sends SMS. Every message is stored first; with SMS_PROVIDER_URL set it is posted
to the provider's HTTP API (JSON `{"to", "from", "text"}` with `Authorization: Bearer <SMS_API_KEY>`,
the shape most Vietnamese brandname-SMS gateways accept behind a small adapter), otherwise it stays in
the development outbox that administrators read."""

from __future__ import annotations

import logging
import re

import requests
from flask import current_app

from service.extensions import db
from service.notifications.models import OutboundSms
from service.text import without_diacritics
from service.timeutil import utcnow

log = logging.getLogger(__name__)
MAX_LENGTH = 320  # two concatenated unaccented SMS


def normalise_phone(phone: str) -> str | None:
    digits = re.sub(r"[\s.\-]", "", phone or "")
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    return digits if re.fullmatch(r"0\d{9,10}", digits) else None


def send_sms(phone: str, text: str) -> OutboundSms | None:
    """Brandname SMS are sent without diacritics (a Vietnamese-accented SMS costs three times more)."""
    recipient = normalise_phone(phone)
    if recipient is None:
        return None
    plain = without_diacritics(text).replace("₫", "d").encode("ascii", "ignore").decode()
    body = " ".join(plain.split())[:MAX_LENGTH]
    provider = current_app.config["SMS_PROVIDER_URL"]
    message = OutboundSms(recipient=recipient, body=body, status="pending" if provider else "outbox")
    db.session.add(message)
    db.session.commit()
    if provider:
        deliver(message)
    return message


def deliver(message: OutboundSms) -> bool:
    config = current_app.config
    try:
        response = requests.post(
            config["SMS_PROVIDER_URL"],
            json={"to": message.recipient, "from": config["SMS_SENDER"], "text": message.body},
            headers={"Authorization": f"Bearer {config['SMS_API_KEY']}"},
            timeout=10,
        )
        response.raise_for_status()
        answer = response.json() if response.content else {}
    except (requests.RequestException, ValueError) as error:
        log.warning("SMS %s to %s failed: %s", message.id, message.recipient, error)
        message.status, message.error = "failed", str(error)[:2000]
        db.session.commit()
        return False
    message.status, message.sent_at, message.error = "sent", utcnow(), None
    message.provider_id = str(answer.get("id") or answer.get("messageId") or "")[:64] or None
    db.session.commit()
    return True
