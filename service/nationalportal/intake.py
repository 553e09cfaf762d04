"""Dossiers filed on the national portal, taken in with the code the portal issued (MaHoSo, kept as is).

Only a procedure-specific push is public (OCPS `POST /nps/createdossierfromdvcqg`: MaHoSo, MaTTHC,
TaiLieuNop[{TenTepDinhKem, Base64}] answered `{error_code, message}`; ../shared/INTEGRATION.md §2), so
the portal pushes to us: the general contract is unconfirmed, and this takes §2's dossier fields. The
applicant is found by the identity number the portal verified (SoGiayToChuHoSo, 12 digits), or gets a
citizen's account with no email and no usable password, as a VNeID login would create (a VNeID login
later opens it and shows the dossier). A MaHoSo taken in already is answered as such, nothing created.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
from datetime import UTC
from typing import Any

from sqlalchemy.exc import IntegrityError

from service import audit, uploads
from service.accounts.models import User
from service.accounts.roles import Role
from service.database import write
from service.dossiers.models import Dossier
from service.dossiers.operations import removing_on_failure, store_file, transition
from service.extensions import db
from service.nationalportal.codes import parse_portal_time
from service.nationalportal.models import NationalSync
from service.payments import settlement
from service.procedures.models import Procedure
from service.timeutil import LOCAL_TZ, utcnow
from workflows.states import DossierStatus

PERSONAL_ID = re.compile(r"^\d{12}$")
CODE = re.compile(r"^[A-Za-z0-9.\-]{4,40}$")
PORTAL_FILE_KEY = "dvcqg"  # the components as the portal sent them


class Refused(ValueError):
    """The pushed dossier cannot be taken in; the message (Vietnamese) goes back to the portal."""


def take_in(body: Any) -> tuple[Dossier, bool]:
    record = _checked(body)
    known = db.session.scalar(db.select(Dossier).where(Dossier.code == record["MaHoSo"]))
    if known is not None:
        return known, False
    files = _files(record.get("TaiLieuNop") or [])
    try:
        with removing_on_failure() as stored, write():
            dossier = _file(record, files, stored)
    except IntegrityError:  # the same push twice at once: the other one took it in
        db.session.rollback()
        return db.session.scalar(db.select(Dossier).where(Dossier.code == record["MaHoSo"])), False
    return dossier, True


def _checked(body: Any) -> dict[str, Any]:
    record = body[0] if isinstance(body, list) and len(body) == 1 else body
    if not isinstance(record, dict):
        raise Refused("Dữ liệu phải là một hồ sơ (đối tượng JSON).")
    if not CODE.match(str(record.get("MaHoSo") or "")):
        raise Refused("MaHoSo không hợp lệ.")
    if not PERSONAL_ID.match(str(record.get("SoGiayToChuHoSo") or "")):
        raise Refused("SoGiayToChuHoSo phải là số định danh cá nhân 12 chữ số.")
    if not str(record.get("ChuHoSo") or "").strip():
        raise Refused("Thiếu ChuHoSo.")
    try:
        parse_portal_time(str(record.get("NgayNopHoSo") or ""))
    except ValueError as error:
        raise Refused("NgayNopHoSo không đúng định dạng yyyyMMddHHmmss.") from error
    return record


def _files(items: list) -> list[tuple[str, bytes, str]]:
    files = []
    for item in items if isinstance(items, list) else []:
        try:
            data = base64.b64decode(str(item.get("Base64") or ""), validate=True)
        except (binascii.Error, ValueError, AttributeError) as error:
            raise Refused("TaiLieuNop: Base64 không hợp lệ.") from error
        file_type = uploads.sniff(data[:16], data)
        if not data or file_type is None:
            raise Refused(f"TaiLieuNop: tệp {item.get('TenTepDinhKem')!r} không đúng định dạng cho phép.")
        files.append((str(item.get("TenTepDinhKem") or "tep-dinh-kem"), data, file_type))
    return files


def _file(record: dict[str, Any], files: list, stored: list[str]) -> Dossier:
    procedure = db.session.scalar(db.select(Procedure).where(Procedure.code == record.get("MaTTHC")))
    if procedure is None or procedure.current_version is None:
        raise Refused(f"Thủ tục {record.get('MaTTHC')!r} không thuộc thẩm quyền tiếp nhận của đơn vị.")
    owner = _applicant(record)
    local = parse_portal_time(record["NgayNopHoSo"]).replace(tzinfo=LOCAL_TZ)
    dossier = Dossier(
        owner_id=owner.id,
        procedure_version_id=procedure.current_version.id,
        status=DossierStatus.DRAFT,
        form_data=[],
        code=record["MaHoSo"],  # as the portal issued it
        applicant_name=str(record["ChuHoSo"]).strip()[:255],
        lookup_phone=str(record.get("SoDienThoai") or "")[:15] or owner.phone,
        lookup_secret="".join(secrets.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(8)),
        submitted_at=local.astimezone(UTC).replace(tzinfo=None),
        channel="online",
    )
    db.session.add(dossier)
    db.session.flush()
    db.session.add(NationalSync(dossier_id=dossier.id, national_code=dossier.code, filed_on_portal=True))
    history = transition(dossier, "submit", owner, "Nộp trên Cổng Dịch vụ công quốc gia")
    if dossier.fee_due_at_filing:
        # Owed as for a dossier filed here (reception waits for it); whether the portal collected it
        # already is unconfirmed (DuocThanhToanTrucTuyen), so the desk settles it as any other fee.
        settlement.open_order(
            dossier.procedure_version.fee,
            f"Phí, lệ phí hồ sơ {dossier.code}",
            "dossier_fee",
            dossier_id=dossier.id,
            payer_id=owner.id,
        )
    for name, data, file_type in files:
        stored.append(
            store_file(dossier, PORTAL_FILE_KEY, data, file_type, name, owner, history.id).stored_name
        )
    return dossier


def _applicant(record: dict[str, Any]) -> User:
    number = record["SoGiayToChuHoSo"]
    user = db.session.scalar(db.select(User).where(User.personal_id == number))
    if user is not None:
        if user.role != Role.CITIZEN:
            raise Refused("Số định danh này thuộc một tài khoản không phải của công dân.")
        return user
    user = User(
        email=None, role=Role.CITIZEN, full_name=str(record["ChuHoSo"]).strip()[:200], personal_id=number
    )
    user.set_password(secrets.token_urlsafe(32))  # unusable: the person signs in through VNeID
    user.created_at = utcnow()
    db.session.add(user)
    db.session.flush()
    audit.record("account.registered", user, actor=None, details={"role": user.role, "method": "dvcqg"})
    return user
