"""Issuing documents: numbering, rendering, signing, storing immutably, verifying.

Every issued PDF is stored with the template version, the data it was made from and its SHA-256,
and carries a verification code and QR code that lead to the public verification page.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite

from service import uploads
from service.database import for_update, write
from service.documents import signing
from service.documents.citations import long_date
from service.documents.models import DocumentCounter, IssuedDocument
from service.documents.renderer import TEMPLATE_DIR, qr_data_uri, renderer
from service.extensions import db
from service.timeutil import local_today

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class NotReplaceable(ValueError):
    """The document a correction would replace is no longer in force."""


class Unsigned(RuntimeError):
    """A document that exists only signed (a receipt) and no signing certificate: it is not issued."""


UNSIGNED_MESSAGE = (
    "Chưa có chứng thư số để ký: biên lai chỉ được phát hành khi có chữ ký số của đơn vị thu "
    "(Nghị định 254/2026/NĐ-CP, Điều 23). Cấu hình SIGNING_CERT, SIGNING_KEY rồi chạy lại việc này."
)


@dataclass(frozen=True)
class Kind:
    template: str
    title: str
    numbering: str | None  # type code in the document number, None for the one-stop forms
    number_in: str | None = None  # a part of the data that prints the number itself (the receipt's)
    must_sign: bool = False  # not issued at all without a digital signature (a receipt, Decree 254/2026)


# The templates the service draws (templates/documents/), whatever feature feeds them their data.

KINDS: dict[str, Kind] = {
    "form_01": Kind("form_01.html", "Giấy tiếp nhận hồ sơ và hẹn trả kết quả", None),
    "form_02": Kind("form_02.html", "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ", None),
    "form_03": Kind("form_03.html", "Phiếu từ chối tiếp nhận giải quyết hồ sơ", None),
    "form_04": Kind("form_04.html", "Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết", None),
    "form_05": Kind("form_05.html", "Thông báo dừng giải quyết hồ sơ", None),
    "form_06": Kind("form_06.html", "Phiếu kiểm soát quá trình giải quyết hồ sơ", None),
    "decision": Kind("decision.html", "Quyết định", "QĐ"),
    "certificate": Kind("certificate.html", "Giấy chứng nhận", "GCN"),
    "written_answer": Kind("written_answer.html", "Văn bản trả lời", "CV"),
    "receipt": Kind("receipt.html", "Biên lai thu phí, lệ phí", "BL", number_in="receipt", must_sign=True),
}


def template_version(template: str) -> str:
    """A digest of the template and what it is drawn with (layout, macros and stylesheet)."""
    digest = hashlib.sha256()
    for name in (template, "_layout.html", "_macros.html", "document.css"):
        digest.update((TEMPLATE_DIR / name).read_bytes())
    return digest.hexdigest()[:16]


def allocate_number(doc_type: str, year: int, register: str | None = None) -> int:
    """The next number for this issuer, type and year, atomic under concurrent issuing (upsert).
    `register`: another issuer's register (a commune People's Committee's), the Sở's by default."""
    issuer = register or current_app.config["DOCUMENT_ISSUER_ABBREVIATION"]
    table = DocumentCounter.__table__
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(table)
        .values(issuer=issuer, doc_type=doc_type, year=year, last_number=1)
        .on_conflict_do_update(
            index_elements=["issuer", "doc_type", "year"], set_={"last_number": table.c.last_number + 1}
        )
        .returning(table.c.last_number)
    )
    return db.session.execute(statement).scalar_one()


def format_number(doc_type: str, number: int, year: int, symbol: str | None = None) -> str:
    """Decree 30/2020: numbers below 10 get a leading zero; a công văn has no type abbreviation.
    `symbol`: the issuer's abbreviation when it is not the Sở (UBND for a commune People's Committee)."""
    config = current_app.config
    issuer = symbol or config["DOCUMENT_ISSUER_ABBREVIATION"]
    department = config["DOCUMENT_DEPARTMENT_ABBREVIATION"]
    if doc_type == "CV":
        return f"{number:02d}/{issuer}-{department}"
    if doc_type == "BL":
        # A receipt's number in its series: at most 8 digits, from 1 each 1 January (Decree 254/2026 Art. 23).
        if number > 99_999_999:
            raise ValueError("receipt numbers have at most 8 digits")
        return f"{number:07d}"
    if doc_type == "GCN":
        return f"{number:02d}/{year}/GCNĐKHĐ-{issuer}"
    return f"{number:02d}/{doc_type}-{issuer}"


def place_date(day: date, place: str | None = None) -> str:
    """Decree 30/2020: a leading zero for days below 10 and for months 1 and 2 only. The place is the
    issuer's (a commune's own name for its documents), the configured province's by default."""
    return f"{place or current_app.config['DOCUMENT_PLACE']}, {long_date(day)}"


def new_verification_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


@dataclass(frozen=True)
class Reservation:
    """What a document will carry, fixed before it is drawn: its number (None for the one-stop forms),
    verification code and date. Kept on its job, so that a job run again reuses them."""

    number: str | None
    code: str
    day: date


@dataclass(frozen=True)
class Drawn:
    """A rendered, signed and stored document, not yet recorded."""

    data: dict[str, Any]
    stored_name: str
    sha256: str
    size: int
    signed: bool


def reserve(kind: str, numbering: tuple[str, str] | None = None) -> Reservation:
    """Inside a write transaction: the next number of its type for this issuer and year (gapless only
    if the caller keeps the reservation until the document is recorded, as DocumentJob does).
    `numbering`: (register, symbol) of an issuer other than the Sở, e.g. a commune's People's Committee."""
    spec, today = KINDS[kind], local_today()
    check_signable(kind)  # before a number is spent on a document that could not be issued
    number = None
    register, symbol = numbering or (None, None)
    if spec.numbering:
        allocated = allocate_number(spec.numbering, today.year, register)
        number = format_number(spec.numbering, allocated, today.year, symbol)
    return Reservation(number, new_verification_code(), today)


def check_signable(kind: str) -> None:
    if KINDS[kind].must_sign and not signing.configured(required=True):
        raise Unsigned(UNSIGNED_MESSAGE)


def draw(kind: str, data: dict[str, Any], reservation: Reservation) -> Drawn:
    """Render, sign and store the PDF. Slow (fonts, a signature): called with no transaction open, so
    no lock is held meanwhile; a failure leaves no file behind."""
    spec, config = KINDS[kind], current_app.config
    url = f"{config['APP_BASE_URL']}/verify/{reservation.code}"
    if spec.number_in:
        data = {**data, spec.number_in: {**data[spec.number_in], "number": reservation.number}}
    signed = signing.configured(required=spec.must_sign)
    if spec.must_sign and not signed:
        raise Unsigned(UNSIGNED_MESSAGE)
    data = {
        **data,
        "doc": {
            **data["doc"],
            "signed": signed,  # "(Ký điện tử)" is printed only over a signature
            "number": reservation.number,
            "place_date": place_date(reservation.day, data["doc"].get("place")),
            "verification": {"code": reservation.code, "url": url, "qr": qr_data_uri(url)},
        },
    }
    pdf = renderer(config["DOCUMENT_FONT_DIR"]).render(spec.template, data)
    if signed:
        pdf = signing.sign(pdf, reason=f"{spec.title} {reservation.number or ''}".strip())
    stored_name, digest = uploads.store(pdf, "pdf")
    return Drawn(data, stored_name, digest, len(pdf), signed)


def record(
    kind: str,
    reservation: Reservation,
    drawn: Drawn,
    holder: str,
    dossier_id: int | None,
    actor_id: int | None,
    replaces: IssuedDocument | None = None,
    payment_order_id: int | None = None,
    masked: bool = True,
) -> IssuedDocument:
    """Inside a write transaction: the document, immutable from now on (the caller removes the stored
    file if this transaction does not commit). The public verification page names the holder masked
    when a person (personal data), in full when `masked` is False (an organisation, whose name is
    public: an employer must see whom a certificate names)."""
    spec = KINDS[kind]
    document = IssuedDocument(
        dossier_id=dossier_id,
        kind=kind,
        # A receipt carries its own name (a school's "Biên lai thu học phí"); every other kind, its kind's.
        title=(drawn.data[spec.number_in].get("title") if spec.number_in else None) or spec.title,
        template=spec.template,
        template_version=template_version(spec.template),
        number=reservation.number,
        data=_without_images(drawn.data),
        sha256=drawn.sha256,
        stored_name=drawn.stored_name,
        size=drawn.size,
        verification_code=reservation.code,
        holder_masked=mask(holder) if masked else holder,
        signed=drawn.signed,
        issued_by_id=actor_id,
        replaces_id=replaces.id if replaces else None,
        payment_order_id=payment_order_id,
    )
    if replaces is not None:
        check_replaceable(replaces.id)
        db.session.get(IssuedDocument, replaces.id).status = "replaced"
    db.session.add(document)
    db.session.flush()
    return document


def check_replaceable(document_id: int) -> None:
    """Only a document still in force can be replaced: a revocation or another correction that got
    there first wins, and this one is refused (the job records why)."""
    previous = db.session.scalar(
        for_update(db.select(IssuedDocument).where(IssuedDocument.id == document_id))
    )
    if previous.status != "valid":
        raise NotReplaceable("Văn bản cần thay thế không còn hiệu lực (đã bị thu hồi hoặc đã được thay thế).")


def issue(
    kind: str,
    data: dict[str, Any],
    holder: str,
    dossier_id: int | None,
    actor_id: int | None,
    replaces: IssuedDocument | None = None,
    payment_order_id: int | None = None,
) -> IssuedDocument:
    """All three steps in one transaction (samples, tests). The job engine uses them apart, so that
    no lock is held while the PDF is drawn (service.documents.jobs)."""
    with write():
        reservation = reserve(kind)
        drawn = draw(kind, data, reservation)
        try:
            return record(kind, reservation, drawn, holder, dossier_id, actor_id, replaces, payment_order_id)
        except BaseException:
            uploads.remove(drawn.stored_name)
            raise


def _without_images(data: dict[str, Any]) -> dict[str, Any]:
    """The data kept with the document: everything it was made from but the QR image (derivable)."""
    doc = {**data["doc"], "verification": {k: v for k, v in data["doc"]["verification"].items() if k != "qr"}}
    return {**data, "doc": doc}


def mask(name: str) -> str:
    """Holder shown on the public page: first letters only ("Nguyễn Văn An" -> "N*** V** A*")."""
    return " ".join(word[0] + "*" * (len(word) - 1) for word in name.split()) if name else ""


def find_by_code(code: str) -> IssuedDocument | None:
    return db.session.scalar(
        db.select(IssuedDocument).where(IssuedDocument.verification_code == code.strip().upper())
    )


def replacement_of(document: IssuedDocument) -> IssuedDocument | None:
    """The document that replaced this one (a correction), if any."""
    return db.session.scalar(db.select(IssuedDocument).where(IssuedDocument.replaces_id == document.id))


def pdf_bytes(document: IssuedDocument) -> bytes:
    return uploads.read(document.stored_name)
