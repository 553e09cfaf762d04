"""Receipt data to the tax authority the same day (form 01/TH-BLĐT; Decree 254/2026 Art. 29(3)(b),
Circular 91/2026 Art. 4), through an outbox with a pluggable transmitter (../shared/INTEGRATION.md §6).

An issued receipt gets a TaxTransmission in the transaction that records it (`queue_transmission` hears
`document_issued`): the job engine sends it at once after the commit, retries a failure with backoff and
leaves a dead one for an administrator (/admin/jobs). The message is the tax data envelope the public code
shows (`TDiep/TTChung{PBan, MNGui, MNNhan, MLTDiep, MTDiep, MTDTChieu, MST, SLuong}/DLieu`); the schema
of 01/TH-BLĐT itself was not found, so the receipt's fields inside DLieu are ours and the message type,
sender and receiver codes are configuration. The acknowledgement (999, `TTTNhan` 0) is stored as received.
The transmitter is an interface: `HttpTransmitter` posts the XML to TAX_AUTHORITY_URL, or to the local
simulator (tax_simulator.py; development and tests only) when it names "simulator".
"""

from __future__ import annotations

import json
import secrets
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

import requests
from flask import current_app

from service.database import for_update, write
from service.documents import events as document_events
from service.documents.models import IssuedDocument
from service.extensions import db
from service.jobs import outbox
from service.payments.models import TaxTransmission
from service.timeutil import to_local, utcnow

VERSION = "2.1.0"  # PBan, as the tax data envelopes seen in public code carry it
SIMULATOR = "simulator"
SIMULATOR_PATH = "/simulators/tax-authority"
REQUIRED = ("TAX_AUTHORITY_SENDER_CODE", "TAX_AUTHORITY_RECEIVER_CODE", "TAX_AUTHORITY_MESSAGE_TYPE")
ACCEPTED = "0"  # TTTNhan of an acknowledgement that accepts the message


class TransmissionRefused(RuntimeError):
    """No acknowledgement, or one that refuses the message: retried, then left for an administrator."""


@dataclass(frozen=True)
class Acknowledgement:
    accepted: bool
    raw: str


class ReceiptTransmitter(Protocol):
    def send(self, message_id: str, xml: str) -> Acknowledgement: ...


def missing(config: Mapping) -> list[str]:
    """What the transmission lacks (empty: it can send)."""
    if not config.get("TAX_AUTHORITY_URL"):
        return ["TAX_AUTHORITY_URL"]
    lacking = [name for name in REQUIRED if not config.get(name)]
    if config["TAX_AUTHORITY_URL"] == SIMULATOR and not config.get("TAX_AUTHORITY_SIMULATOR"):
        lacking.append("TAX_AUTHORITY_SIMULATOR")
    return lacking + ([] if _headers(config) is not None else ["TAX_AUTHORITY_HEADERS"])


class HttpTransmitter:
    """POST the XML; the answer is the acknowledgement envelope. The simulator is reached in-process in
    tests ("inline" delivery) and while the development server is down, as the portal's is."""

    def __init__(self, config: Mapping):
        self.config = config

    def send(self, message_id: str, xml: str) -> Acknowledgement:
        status, body = self._exchange(xml)
        if status != 200:
            raise TransmissionRefused(f"HTTP {status}: {body[:200]}")
        return parse_acknowledgement(body, message_id)

    def _exchange(self, xml: str) -> tuple[int, str]:
        config, url = self.config, self.url()
        own = config["TAX_AUTHORITY_URL"] == SIMULATOR
        headers = {"Content-Type": "application/xml; charset=utf-8", **(_headers(config) or {})}
        if own and config.get("SIMULATOR_DELIVERY") == "inline":
            return _in_process(url, xml, headers)
        try:
            response = requests.post(
                url, data=xml.encode(), headers=headers, timeout=config["TAX_AUTHORITY_TIMEOUT"]
            )
        except requests.ConnectionError as error:
            if own:
                return _in_process(url, xml, headers)
            raise TransmissionRefused(str(error)) from error
        except requests.RequestException as error:
            raise TransmissionRefused(str(error)) from error
        return response.status_code, response.text

    def url(self) -> str:
        given = self.config["TAX_AUTHORITY_URL"]
        return f"{self.config['APP_BASE_URL']}{SIMULATOR_PATH}/receive" if given == SIMULATOR else given


def _in_process(url: str, xml: str, headers: dict[str, str]) -> tuple[int, str]:
    response = current_app.test_client().post(urlsplit(url).path, data=xml.encode(), headers=headers)
    return response.status_code, response.get_data(as_text=True)


def _headers(config: Mapping) -> dict[str, str] | None:
    try:
        value = json.loads(config.get("TAX_AUTHORITY_HEADERS") or "{}")
    except ValueError:
        return None
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else None


def transmitter() -> ReceiptTransmitter:
    return HttpTransmitter(current_app.config)


def parse_acknowledgement(body: str, message_id: str) -> Acknowledgement:
    """A 999 envelope that refers to our message: `TTTNhan` 0 accepts it, anything else refuses it."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError as error:
        raise TransmissionRefused("câu trả lời không phải XML") from error
    if root.findtext("TTChung/MTDTChieu") != message_id:
        raise TransmissionRefused("câu trả lời không nhắc đến thông điệp đã gửi")
    if root.findtext("DLieu/TBao/TTTNhan") != ACCEPTED:
        reason = root.findtext("DLieu/TBao/MTLoi") or "không rõ lý do"
        raise TransmissionRefused(f"cơ quan thuế không tiếp nhận: {reason}")
    return Acknowledgement(True, body[:8000])


def new_message_id(config: Mapping) -> str:
    return f"{config['TAX_AUTHORITY_SENDER_CODE']}{secrets.token_hex(16).upper()}"


def message(document: IssuedDocument, message_id: str, config: Mapping) -> str:
    """The receipt's data in the tax data envelope (its DLieu fields are ours: the XSD is unpublished)."""
    receipt = document.data["receipt"]
    root = ET.Element("TDiep")
    common = ET.SubElement(root, "TTChung")
    for name, value in (
        ("PBan", VERSION),
        ("MNGui", config["TAX_AUTHORITY_SENDER_CODE"]),
        ("MNNhan", config["TAX_AUTHORITY_RECEIVER_CODE"]),
        ("MLTDiep", config["TAX_AUTHORITY_MESSAGE_TYPE"]),
        ("MTDiep", message_id),
        ("MTDTChieu", ""),
        ("MST", receipt["issuer_tax_code"]),
        ("SLuong", "1"),
    ):
        ET.SubElement(common, name).text = value
    data = ET.SubElement(ET.SubElement(root, "DLieu"), "BLai")
    for name, value in _receipt_fields(document, receipt):
        ET.SubElement(data, name).text = value
    return ET.tostring(root, encoding="unicode")


def _receipt_fields(document: IssuedDocument, receipt: dict[str, Any]) -> list[tuple[str, str]]:
    lines = receipt["lines"]
    return [
        ("TBLai", receipt.get("title", document.title)),
        ("KHMSBLai", receipt["form_symbol"]),
        ("KHBLai", receipt["series"]),
        ("SBLai", document.number or ""),
        ("NLap", f"{to_local(document.issued_at):%Y-%m-%d}"),
        ("TDVThu", receipt.get("issuer_name", "")),
        ("MSTDVThu", receipt["issuer_tax_code"]),
        ("TNNop", receipt["payer"]["name"]),
        ("MSNNop", receipt["payer"].get("identifier", "")),
        ("TKThu", "; ".join(line["name"] for line in lines)),
        ("TgTien", str(receipt.get("total") or sum(line.get("amount", 0) for line in lines))),
        ("TgTienBChu", receipt["total_words"]),
    ]


def queue_transmission(document: IssuedDocument, **_: Any) -> None:
    """In the receipt's own transaction: its data will reach the tax authority, at least once."""
    if document.kind == "receipt":
        db.session.add(TaxTransmission(document_id=document.id))


def perform(row_id: int, attempt: int) -> None:
    config = current_app.config
    lacking = missing(config)
    if lacking:
        raise TransmissionRefused(
            f"chưa cấu hình gửi dữ liệu biên lai cho cơ quan thuế: {', '.join(lacking)}"
        )
    with write():
        row = outbox.lock_claimed(TaxTransmission, row_id, attempt)
        document = db.session.get(IssuedDocument, row.document_id)
        assert document is not None, "a transmission names its receipt"
        message_id = row.message_id or new_message_id(config)
        row.message_id, row.message = message_id, message(document, message_id, config)
        xml = row.message
    db.session.rollback()  # nothing is held while the tax authority answers
    answer = transmitter().send(message_id, xml)
    with write():
        row = outbox.lock_claimed(TaxTransmission, row_id, attempt)
        outbox.finish(row, "done")
        row.answer, row.acknowledged_at = answer.raw, utcnow()


def hurry_unsent() -> list[int]:
    """Late in the day: transmissions still waiting out a backoff are due now, so that today's receipts
    still reach the tax authority today (a dead one stays for an administrator). Their ids."""
    with write():
        rows = db.session.scalars(
            for_update(db.select(TaxTransmission).where(TaxTransmission.status.in_(outbox.RETRYABLE)))
        ).all()
        for row in rows:
            row.next_attempt_at = None
        return [row.id for row in rows]


def connect() -> None:
    document_events.document_issued.connect(queue_transmission)


outbox.register(outbox.Channel("tax_authority", TaxTransmission, perform, "done"))
