"""What the national portal is told: a dossier as one record of §2's fields, and its history as progress
entries. Plain dictionaries with the portal's own (Vietnamese) field names; read from the dossier as it
is when the job runs, so a retried push always carries the latest state."""

from __future__ import annotations

import secrets
from typing import Any

from flask import current_app, url_for

from service.accounts.models import User
from service.documents.models import IssuedDocument
from service.dossiers.documents import RESULT_DOCUMENT_KINDS
from service.dossiers.models import Dossier, DossierEvent
from service.extensions import db
from service.nationalportal.codes import APPLICANT_KINDS, CHANNEL_CODES, portal_status, portal_time
from service.nationalportal.models import NationalResultLink
from service.payments import settlement
from workflows.states import EVENT_LABELS, INTERNAL_EVENTS

# Steps the portal hears of: every step of the applicant or the agency but the officials' internal
# deliberation and the draft's creation.
NOT_PUSHED = frozenset({"create", "comment", *INTERNAL_EVENTS})


def dossier_record(dossier: Dossier, links: list[tuple[IssuedDocument, str]]) -> dict[str, Any]:
    version, owner = dossier.procedure_version, dossier.owner
    content = version.content
    return {
        "MaHoSo": dossier.code,
        "MaTTHC": content["code"],
        "TenTTHC": content["name"],
        "MaLinhVuc": current_app.config["NATIONAL_PORTAL_FIELD_CODE"],
        "TenLinhVuc": content.get("field", ""),
        "KenhThucHien": CHANNEL_CODES.get(dossier.channel, 2),
        **_holder(dossier, owner),
        "TrichYeuHoSo": f"{content['name']} - {dossier.applicant_name or owner.display_name}"[:500],
        "NgayNopHoSo": portal_time(dossier.submitted_at),
        "NgayTiepNhan": portal_time(dossier.received_at),
        "NgayHenTra": portal_time(dossier.due_date),
        "NgayTra": portal_time(dossier.returned_at),
        "NgayKetThucXuLy": portal_time(dossier.decided_at or dossier.stopped_at or dossier.closed_at),
        "NgayTuChoi": portal_time(_refused_at(dossier)),
        "TrangThaiHoSo": portal_status(dossier.status),
        "DonViXuLy": current_app.config["NATIONAL_PORTAL_AGENCY_CODE"],
        "NoiNopHoSo": content.get("receiving_place", ""),
        "HoSoCoThanhPhanSoHoa": int(
            dossier.channel == "online" or dossier.components_digitised_at is not None
        ),
        "TaiKhoanDuocXacThucVoiVNeID": int(bool(owner.vneid_tech_id)),
        "DuocThanhToanTrucTuyen": int(_paid_online(dossier)),
        "TaiLieuNop": [
            {
                "TenTepDinhKem": f.original_name,
                "MaThanhPhanHoSo": f.document_key,
                "DuongDanTaiTepTin": "",  # the applicant's files stay here (personal data)
                "DuocSoHoa": int(dossier.channel != "online"),
                "DuocTaiSuDung": 0,
                "DuocLayTuKhoDMQG": 0,
                "MaKetQuaThayThe": "",
            }
            for f in dossier.files
        ],
        "DanhSachLePhi": _fees(version.fee, content),
        "DanhSachHoSoBoSung": [],
        "DanhSachGiayToKetQua": [
            {
                "TenGiayTo": document.title,
                "DuongDanTepTinKetQua": link,
                "MaGiayToKetQua": document.number or "",
            }
            for document, link in links
        ],
    }


def _holder(dossier: Dossier, owner: User) -> dict[str, Any]:
    number = owner.personal_id or owner.tax_code or ""
    identities = [{"LoaiDinhDanh": 1, "SoDinhDanh": owner.personal_id}] if owner.personal_id else []
    return {
        "ChuHoSo": dossier.applicant_name or owner.display_name,
        "SoGiayToChuHoSo": number,
        "LoaiDoiTuong": APPLICANT_KINDS.get(owner.role, 4),
        "MaDoiTuong": owner.vneid_tech_id or "",
        "Email": owner.email or "",
        "SoDienThoai": dossier.lookup_phone or owner.phone or "",
        "DinhDanhCHS": identities,
    }


def _refused_at(dossier: Dossier):
    refusal = next((e for e in dossier.events if e.event == "refuse"), None)
    return refusal.at if refusal else None


def _paid_online(dossier: Dossier) -> bool:
    order = settlement.fee_order(dossier.id)
    return order is not None and order.status == "paid"


def _fees(amount: int, content: dict) -> list[dict[str, Any]]:
    if not amount:
        return []
    name = content.get("fee_note") or "Phí, lệ phí"
    return [{"TenPhiLePhi": name, "MaPhiLePhi": "", "HinhThucThu": 2, "Gia": amount, "LoaiPhiLePhi": 2}]


def progress_entries(dossier: Dossier, after: int) -> list[tuple[int, dict[str, Any]]]:
    """The history rows the portal has not acknowledged yet, oldest first, as (id, entry)."""
    return [
        (e.id, _progress(dossier, e)) for e in dossier.events if e.id > after and e.event not in NOT_PUSHED
    ]


def _progress(dossier: Dossier, event: DossierEvent) -> dict[str, Any]:
    actor = event.actor
    return {
        "MaHoSo": dossier.code,
        "NguoiXuLy": actor.full_name if actor else "",
        "ChucDanh": (actor.position or "") if actor else "",
        "ThoiDiemXuLy": portal_time(event.at),
        "PhongBanXuLy": actor.department.name if actor and actor.department else "",
        "NoiDungXuLy": EVENT_LABELS.get(event.event, event.event),
        "TrangThai": portal_status(event.to_status),
        "NgayBatDau": portal_time(event.at),
        "NgayKetThucTheoQuyDinh": portal_time(event.due_date),
    }


def result_links(dossier: Dossier) -> list[tuple[IssuedDocument, str]]:
    """The dossier's results in force, each with its stable download address (created the first time,
    in the caller's transaction)."""
    documents = db.session.scalars(
        db.select(IssuedDocument)
        .where(
            IssuedDocument.dossier_id == dossier.id,
            IssuedDocument.kind.in_(RESULT_DOCUMENT_KINDS),
            IssuedDocument.status == "valid",
        )
        .order_by(IssuedDocument.id)
    ).all()
    return [(d, url_for("nationalportal.result_file", token=_token(d), _external=True)) for d in documents]


def _token(document: IssuedDocument) -> str:
    link = db.session.scalar(
        db.select(NationalResultLink).where(NationalResultLink.document_id == document.id)
    )
    if link is None:
        link = NationalResultLink(document_id=document.id, token=secrets.token_urlsafe(32))
        db.session.add(link)
    return link.token
