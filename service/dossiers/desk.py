"""Paper dossiers at the one-stop desk (Decree 118/2025 art. 15): a walk-in applicant's, or one that came
by post, filed by the reception official for the applicant and answered at once, and the desk's
checklist on an online dossier it examines.

The dossier is filed on the day of receipt: its code is dated that day (Circular 04/2025, LAW-2026 §7),
its deadline counts from it, and the channel says how it came ("desk": trực tiếp, "post": qua bưu chính
công ích, with the postmark's date). Every scan the desk attaches is marked as digitised from paper
(Decision 766). All in one transaction: the dossier, its scans, the checklist, the code and the step
(received, asked to supplement, or refused) commit together or not at all.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from werkzeug.datastructures import FileStorage, MultiDict

from forms.dossier import form_class
from service.accounts.models import User
from service.accounts.roles import Role
from service.agencies import operations as agency_operations
from service.agencies import queries as agency_queries
from service.database import write
from service.dossiers import checklist, processing
from service.dossiers.checklist import CheckVerdict, Verdict
from service.dossiers.models import Dossier
from service.dossiers.operations import (
    SECRET_ALPHABET,
    DossierError,
    Incomplete,
    Problem,
    _accepted_type,
    allocate_code,
    is_supplement_file,
    not_for_account_message,
    read_upload,
    removing_on_failure,
    store_file,
    transition,
)
from service.extensions import db
from service.payments import settlement
from service.procedures.models import ProcedureVersion
from service.timeutil import LOCAL_TZ, format_date, local_today, utcnow
from workflows.states import DossierStatus

PAPER_CHANNELS = ("desk", "post")
OUTCOMES = {
    "receive": "Tiếp nhận hồ sơ, in Giấy tiếp nhận và hẹn trả kết quả (mẫu 01)",
    "request_supplement": "Yêu cầu bổ sung, hoàn thiện hồ sơ (mẫu 02)",
    "refuse": "Từ chối tiếp nhận hồ sơ (mẫu 03)",
}
DELIVERY_METHODS = ("desk", "post", "electronic")
APPLICANT, RECEIPT, OUTCOME = "Người nộp hồ sơ", "Ngày nhận hồ sơ", "Kết quả kiểm tra hồ sơ"
SUPPLEMENT_ONLINE = "Hồ sơ nộp trực tuyến: người nộp tự gửi hồ sơ bổ sung trên tài khoản của mình."


@dataclass
class PaperFiling:
    """What the desk enters for a paper dossier."""

    applicant: User
    version: ProcedureVersion
    channel: str
    pairs: list[tuple[str, str]]
    verdicts: dict[str, Verdict]
    scans: dict[str, list[FileStorage]] = field(default_factory=dict)
    outcome: str = "receive"
    reason: str = ""
    received_on: date | None = None  # a posted application: the day it reached the desk
    postmarked_on: date | None = None
    delivery_method: str = "desk"
    delivery_address: dict[str, str] | None = None
    fee_collected: bool = False


def file_paper(official: User, filing: PaperFiling) -> Dossier:
    """File a paper dossier for its applicant and take the desk's step on it. Raises Incomplete with
    every problem found (nothing is written then)."""
    scans = _read_scans(filing.version, filing.scans)
    problems = _filing_problems(official, filing, scans)
    if problems:
        raise Incomplete(problems)
    received_at = _moment_of_receipt(filing)
    with removing_on_failure() as stored, write():
        agency = _agency(official)
        dossier = _new_dossier(filing, agency.id, received_at)
        for key, items in scans.items():
            for data, file_type, name in items:
                attached = store_file(dossier, key, data, file_type, name, official)
                attached.digitised = True
                stored.append(attached.stored_name)
        db.session.flush()
        checklist.replace(dossier, official, filing.verdicts)
        dossier.code = allocate_code(agency.code, received_at)  # dated on the day of receipt
        transition(dossier, "file_on_paper", official, _filing_note(filing))
        _settle_counter_fee(dossier, filing)
        data = {"reason": filing.reason, "received_at": received_at}
        if filing.outcome == "receive":
            data["components_digitised"] = True
        processing.take_step(dossier, official, filing.outcome, data)
    return dossier


def supplement_on_paper(
    dossier_id: int, official: User, scans: dict[str, list[FileStorage]], note: str, seen_version: int | None
) -> Dossier:
    """A paper applicant's supplement, handed in at the desk or posted: reception attaches the scans of
    the papers (marked as digitised, Decision 766) and sends the supplement for the applicant, who has
    no account to do it with. As an online supplement, it restarts the period when asked for during
    processing (a new form 01) and the dossier goes back to whoever takes the next step."""
    with removing_on_failure() as stored, write():
        dossier = processing.lock_for_official(dossier_id, official)
        processing.check_seen(dossier, seen_version)
        if dossier.channel not in PAPER_CHANNELS:
            raise DossierError(SUPPLEMENT_ONLINE)
        if dossier.status != DossierStatus.SUPPLEMENT_REQUESTED:
            raise DossierError("Hồ sơ không ở trạng thái chờ bổ sung.")
        read = _read_scans(dossier.procedure_version, scans)
        if not read and not note.strip():
            raise DossierError("Vui lòng đính kèm bản quét giấy tờ bổ sung hoặc ghi rõ nội dung bổ sung.")
        for key, items in read.items():
            for data, file_type, name in items:
                attached = store_file(dossier, key, data, file_type, name, official)
                attached.digitised = True
                stored.append(attached.stored_name)
        db.session.flush()
        new_files = [f for f in dossier.files if is_supplement_file(dossier, f)]
        processing.answer_supplement(dossier, note, new_files, entered_by=official)
    return dossier


def supplement_open(dossier: Dossier, official: User) -> bool:
    """Whether the desk's supplement form is worth showing (the operation checks everything again)."""
    return (
        official.role == Role.RECEPTION
        and dossier.channel in PAPER_CHANNELS
        and dossier.status == DossierStatus.SUPPLEMENT_REQUESTED
    )


def _read_scans(version: ProcedureVersion, scans: dict) -> dict[str, list[tuple[bytes, str, str | None]]]:
    """Each scan's bytes and type, checked as a citizen's upload is (type by content, size, count)."""
    read: dict[str, list[tuple[bytes, str, str | None]]] = {}
    for document in version.documents:
        uploads = [u for u in scans.get(document["key"], []) if u and u.filename]
        if len(uploads) > int(document.get("max_files", 1)):
            raise DossierError(f"{document['name']}: chỉ nhận tối đa {document.get('max_files', 1)} tệp.")
        for upload in uploads:
            try:
                data = read_upload(upload)
                file_type = _accepted_type(data, document)
            except DossierError as error:
                raise DossierError(f"{document['name']}: {error.message}") from error
            read.setdefault(document["key"], []).append((data, file_type, upload.filename))
    return read


def _filing_problems(official: User, filing: PaperFiling, scans: dict) -> list[Problem]:
    version = filing.version
    problems = []
    if filing.applicant.role not in version.applicant_roles:
        problems.append(Problem(APPLICANT, not_for_account_message(version)))
    problems += _form_problems(version, filing.pairs)
    problems += _level_problems(official, version, filing.pairs)
    problems += _date_problems(filing)
    documents = checklist.required_documents(version)
    problems += [Problem(name, message) for name, message in checklist.problems(documents, filing.verdicts)]
    for document in documents:
        given = filing.verdicts.get(document["key"])
        if given and given.verdict == CheckVerdict.RECEIVED and not scans.get(document["key"]):
            problems.append(Problem(document["name"], "Vui lòng đính kèm bản quét của giấy tờ đã nhận."))
    if filing.outcome not in OUTCOMES:
        problems.append(Problem(OUTCOME, "Vui lòng chọn tiếp nhận, yêu cầu bổ sung hoặc từ chối tiếp nhận."))
    elif filing.outcome == "receive" and any(
        v.verdict != CheckVerdict.RECEIVED for v in filing.verdicts.values()
    ):
        problems.append(
            Problem(
                OUTCOME,
                "Hồ sơ còn giấy tờ thiếu hoặc không hợp lệ: chỉ tiếp nhận khi đủ; hãy yêu cầu bổ sung.",
            )
        )
    if filing.outcome == "receive" and version.fee > 0 and not version.content.get("fee_at_result"):
        if not filing.fee_collected:
            problems.append(Problem("Phí, lệ phí", "Vui lòng thu phí, lệ phí tại quầy trước khi tiếp nhận."))
    if filing.delivery_method not in DELIVERY_METHODS:
        problems.append(Problem("Phương thức nhận kết quả", "Vui lòng chọn phương thức nhận kết quả."))
    elif filing.delivery_method == "post" and not all(
        (filing.delivery_address or {}).get(part) for part in ("province", "ward", "street")
    ):
        problems.append(
            Problem("Phương thức nhận kết quả", "Vui lòng nhập đầy đủ địa chỉ nhận kết quả qua bưu chính.")
        )
    return problems


def _form_problems(version: ProcedureVersion, pairs: list[tuple[str, str]]) -> list[Problem]:
    form = form_class(version.fields, strict=True)(formdata=MultiDict(pairs), meta={"csrf": False})
    if form.validate():
        return []
    labels = {spec["key"]: spec["label"] for spec in version.fields}
    return [Problem(labels.get(key, key), "Thông tin chưa đầy đủ hoặc không hợp lệ.") for key in form.errors]


def _level_problems(official: User, version: ProcedureVersion, pairs: list[tuple[str, str]]) -> list[Problem]:
    """The desk receives the procedures of its own level (LAW-2026 §3)."""
    commune_level = version.level_for(pairs) == "commune"
    provincial_desk = agency_queries.is_provincial(official.agency)
    if commune_level and provincial_desk:
        message = (
            "Thủ tục (hoặc trường hợp) này thuộc cấp xã: hồ sơ được tiếp nhận tại Trung tâm phục vụ hành "
            "chính công của xã, phường, đặc khu."
        )
    elif not commune_level and not provincial_desk:
        message = (
            "Thủ tục này thuộc cấp tỉnh: hồ sơ được tiếp nhận tại Trung tâm Phục vụ hành chính công tỉnh."
        )
    else:
        return []
    return [Problem("Thủ tục hành chính", message)]


def _date_problems(filing: PaperFiling) -> list[Problem]:
    if filing.channel not in PAPER_CHANNELS:
        return [Problem("Hình thức nộp", "Vui lòng chọn nộp trực tiếp hoặc qua bưu chính công ích.")]
    if filing.channel == "desk":
        return []
    today, problems = local_today(), []
    received, postmarked = filing.received_on, filing.postmarked_on
    if received is None or received > today:
        problems.append(
            Problem(RECEIPT, "Vui lòng nhập ngày Bộ phận Một cửa nhận hồ sơ (không sau hôm nay).")
        )
    if postmarked is None or postmarked > today:
        problems.append(
            Problem("Ngày theo dấu bưu chính", "Vui lòng nhập ngày theo dấu bưu chính (không sau hôm nay).")
        )
    elif received is not None and postmarked > received:
        problems.append(
            Problem("Ngày theo dấu bưu chính", "Ngày theo dấu bưu chính không thể sau ngày nhận hồ sơ.")
        )
    return problems


def _moment_of_receipt(filing: PaperFiling) -> datetime:
    """Now for a walk-in applicant, and for a posted application that reached the desk today; the start
    of the day it reached the desk for one entered later (deadlines count from that day)."""
    if filing.channel == "desk" or filing.received_on in (None, local_today()):
        return utcnow()
    start = datetime.combine(filing.received_on, time.min, LOCAL_TZ)
    return start.astimezone(UTC).replace(tzinfo=None)


def _agency(official: User):
    """The desk's own agency: a commune's centre, or the provincial centre."""
    if agency_queries.is_provincial(official.agency):
        return agency_operations.ensure_province()
    return official.agency


def _new_dossier(filing: PaperFiling, agency_id: int, received_at: datetime) -> Dossier:
    applicant = filing.applicant
    dossier = Dossier(
        owner_id=applicant.id,
        procedure_version_id=filing.version.id,
        status="draft",
        form_data=[[name, value] for name, value in filing.pairs],
        channel=filing.channel,
        agency_id=agency_id,
        postmarked_on=filing.postmarked_on if filing.channel == "post" else None,
        applicant_name=applicant.display_name,
        lookup_phone=applicant.phone,
        lookup_secret="".join(secrets.choice(SECRET_ALPHABET) for _ in range(8)),
        submitted_at=received_at,
        delivery_method=filing.delivery_method,
        delivery_address=filing.delivery_address if filing.delivery_method == "post" else None,
    )
    db.session.add(dossier)
    db.session.flush()
    return dossier


def _filing_note(filing: PaperFiling) -> str:
    if filing.channel == "desk":
        return "Nộp trực tiếp tại Bộ phận Một cửa."
    return (
        f"Nộp qua bưu chính công ích: ngày theo dấu bưu chính {format_date(filing.postmarked_on)}, "
        f"Bộ phận Một cửa nhận ngày {format_date(filing.received_on)}."
    )


def _settle_counter_fee(dossier: Dossier, filing: PaperFiling) -> None:
    """A fee due at filing is paid at the counter for a paper dossier: its order is opened and recorded
    as paid in the same transaction (the receipt follows as for any payment)."""
    if not dossier.fee_due_at_filing or not filing.fee_collected:
        return
    order = settlement.open_order(
        dossier.procedure_version.fee,
        f"Phí, lệ phí hồ sơ {dossier.code}",
        "dossier_fee",
        dossier_id=dossier.id,
        payer_id=dossier.owner_id,
    )
    settlement.record_payment(order, f"Thu tại Bộ phận Một cửa, hồ sơ {dossier.code}")


def check_online(
    dossier_id: int, official: User, verdicts: dict[str, Verdict], seen_version: int | None
) -> Dossier:
    """The desk's checklist on a dossier waiting for reception (filed online or on paper), recorded
    before it receives the dossier, asks for a supplement or refuses it."""
    with write():
        dossier = processing.lock_for_official(dossier_id, official)
        processing.check_seen(dossier, seen_version)
        if dossier.status != "submitted" or official.role != Role.RECEPTION:
            raise DossierError("Chỉ kiểm tra thành phần hồ sơ khi hồ sơ đang chờ tiếp nhận.")
        found = checklist.problems(checklist.required_documents(dossier), verdicts)
        if found:
            raise Incomplete([Problem(name, message) for name, message in found])
        checklist.replace(dossier, official, verdicts)
        dossier.version += 1
    return dossier
