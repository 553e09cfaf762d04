"""Dossier operations: the only place that writes dossiers, their files and their history.

Each operation locks the dossier (`with write():` + `for_update()`) for its whole transaction, so two
requests acting on one dossier at once are serialised and the second sees the first's result. A refusal
is raised inside the transaction, which `write()` then rolls back.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite
from statemachine.exceptions import TransitionNotAllowed
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.exceptions import NotFound

from forms.dossier import form_class
from service import audit, uploads
from service.accounts.models import User
from service.agencies import operations as agency_operations
from service.database import for_update, write
from service.dossiers import quotas, school_filing
from service.dossiers.models import Dossier, DossierCounter, DossierEvent, DossierFile, FormStash
from service.dossiers.prefill import prefilled_pairs
from service.extensions import db
from service.notifications.email import queue_email
from service.payments import settlement
from service.procedures.models import ProcedureVersion
from service.text import format_megabytes
from service.timeutil import local_today, to_local, utcnow
from workflows.machines import machine_for
from workflows.states import DossierStatus

SECRET_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed from paper


class DossierError(ValueError):
    status = 400  # what a page answering it says: the request cannot be done as sent

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class StorageRefused(DossierError):
    status = 503  # the fault is ours and passes: the same request succeeds later


class StaleDraft(DossierError):
    pass


@dataclass
class Problem:
    where: str
    message: str


@dataclass(frozen=True)
class Filing:
    """What the applicant says when submitting: the declaration, and how the result should reach them."""

    declared: bool
    delivery_method: str = "electronic"
    delivery_address: dict[str, str] | None = None  # {"province", "ward", "street"} for "post"


# Filings made other than through the review page (demonstration data, tests) are the applicant's own,
# declared, with the result delivered electronically.
DECLARED_ELECTRONIC = Filing(declared=True)
DECLARATION = "Cam đoan"
DELIVERY = "Phương thức nhận kết quả"


class Incomplete(DossierError):
    def __init__(self, problems: list[Problem]):
        super().__init__("Hồ sơ chưa đầy đủ.")
        self.problems = problems


class NotForThisAccount(DossierError):
    status = 403


def not_for_account_message(version: ProcedureVersion) -> str:
    if version.organisation_only:
        return (
            "Thủ tục này chỉ dành cho tổ chức nên tài khoản công dân không nộp được hồ sơ. Người đại diện "
            "tổ chức vui lòng đăng nhập bằng tài khoản tổ chức để nộp."
        )
    return "Thủ tục này chỉ dành cho cá nhân nên tài khoản tổ chức không nộp được hồ sơ."


def start_draft(owner: User, version: ProcedureVersion) -> Dossier:
    if owner.role not in version.applicant_roles:
        raise NotForThisAccount(not_for_account_message(version))
    with write():
        quotas.lock_account(owner)
        problem = quotas.new_draft_problem(owner)
        if problem:
            raise DossierError(problem)
        dossier = Dossier(
            owner_id=owner.id,
            procedure_version_id=version.id,
            status=DossierStatus.DRAFT,
            form_data=prefilled_pairs(owner, version.fields),
        )
        db.session.add(dossier)
        db.session.flush()
        _record(dossier, "create", None, owner, None)
    return dossier


def lock_own_dossier(dossier_id: int, owner: User) -> Dossier:
    """Inside a write transaction: the owner's dossier, locked; 404 for anyone else's."""
    dossier = db.session.scalar(
        for_update(db.select(Dossier).where(Dossier.id == dossier_id, Dossier.owner_id == owner.id))
    )
    if dossier is None:
        raise NotFound()
    return dossier


def _require_draft(dossier: Dossier) -> None:
    if dossier.status != DossierStatus.DRAFT:
        raise DossierError("Hồ sơ đã được nộp nên không thể sửa đổi.")


def _require_open_for_files(dossier: Dossier) -> None:
    """Files are attached while drafting, and again while the agency waits for a supplement."""
    if dossier.status not in (DossierStatus.DRAFT, DossierStatus.SUPPLEMENT_REQUESTED):
        raise DossierError("Hồ sơ không ở trạng thái cho phép đính kèm hoặc xóa tệp.")


def is_supplement_file(dossier: Dossier, attached: DossierFile) -> bool:
    """A file uploaded since the supplement request and not yet sent with the supplement."""
    requested = dossier.supplement_requested_at
    return attached.event_id is None and requested is not None and attached.uploaded_at >= requested


def save_form(
    dossier_id: int, owner: User, pairs: list[tuple[str, str]], expected_version: int | None
) -> Dossier:
    with write():
        dossier = lock_own_dossier(dossier_id, owner)
        _require_draft(dossier)
        if expected_version is not None and expected_version != dossier.version:
            raise StaleDraft(
                "Bản nháp vừa được lưu từ một cửa sổ hoặc thiết bị khác. Dữ liệu bạn vừa nhập vẫn hiển thị bên "
                f"dưới; hãy kiểm tra rồi bấm Lưu nháp một lần nữa để ghi đè (phiên bản {dossier.version})."
            )
        dossier.form_data = _bounded_form_data(pairs)
        dossier.version += 1
    return dossier


def _bounded_form_data(pairs: list[tuple[str, str]]) -> list[list[str]]:
    """The pairs as stored, refused past DRAFT_FORM_MAX_BYTES: no e-form of ours comes near it, and every
    draft an account keeps would otherwise hold whatever a request can carry."""
    form_data = [[name, value] for name, value in pairs]
    if len(json.dumps(form_data, ensure_ascii=False).encode()) > current_app.config["DRAFT_FORM_MAX_BYTES"]:
        raise DossierError(
            "Dữ liệu nhập vào biểu mẫu quá lớn so với một hồ sơ nên chưa được lưu; hãy rút gọn các ô hoặc "
            "bớt dòng trong bảng. Bản nháp đã lưu trước đó vẫn được giữ nguyên."
        )
    return form_data


def read_upload(upload: FileStorage) -> bytes:
    """The uploaded bytes, refused when empty or over the per-file limit (read no further than that)."""
    limit = current_app.config["MAX_FILE_BYTES"]
    data = upload.stream.read(limit + 1)
    if not data:
        raise DossierError("Vui lòng chọn tệp cần tải lên.")
    if len(data) > limit:
        raise DossierError(f"Tệp vượt quá dung lượng cho phép ({format_megabytes(limit)} cho mỗi tệp).")
    return data


def store_file(
    dossier: Dossier, key: str, data: bytes, file_type: str, name: str | None, actor: User, event_id=None
):
    """Write the bytes and add their row; the caller commits (and removes the file if the commit fails,
    see `removing_on_failure`). A storage failure stops the operation with a message the user can act
    on (its transaction is never committed)."""
    try:
        stored_name, digest = uploads.store(data, file_type)
    except uploads.StorageUnavailable as error:
        raise StorageRefused(error.message) from error
    attached = DossierFile(
        dossier_id=dossier.id,
        document_key=key,
        original_name=uploads.clean_filename(name),
        stored_name=stored_name,
        file_type=file_type,
        size=len(data),
        sha256=digest,
        uploaded_by_id=actor.id,
        event_id=event_id,
    )
    db.session.add(attached)
    return attached


def add_file(dossier_id: int, owner: User, document_key: str, upload: FileStorage) -> DossierFile:
    return attach(dossier_id, owner, document_key, read_upload(upload), upload.filename)


def attach(dossier_id: int, owner: User, document_key: str, data: bytes, name: str | None) -> DossierFile:
    """`data` attached to the owner's dossier as `document_key`, under every rule an upload meets (type
    by content, the document's and the dossier's limits, the account's draft quota): an upload, or a
    document reused from the applicant's store (service/dossiers/store.py)."""
    with removing_on_failure() as stored, write():
        quotas.lock_account(owner)  # first, as start_draft does: the account's drafts are counted below
        dossier = lock_own_dossier(dossier_id, owner)
        _require_open_for_files(dossier)
        document = dossier.procedure_version.document(document_key)
        if document is None:
            raise NotFound()
        file_type = _accepted_type(data, document)
        _check_room(dossier, document, len(data))
        if dossier.status == DossierStatus.DRAFT:
            problem = quotas.draft_bytes_problem(owner, len(data))
            if problem:
                raise DossierError(problem)
        attached = store_file(dossier, document_key, data, file_type, name, owner)
        stored.append(attached.stored_name)
        dossier.version += 1
    return attached


@contextmanager
def removing_on_failure() -> Iterator[list[str]]:
    """Files stored for a transaction (names appended to the list) are removed if it does not commit.
    Enter it before the outermost `write()`, so that it sees the commit fail too."""
    stored: list[str] = []
    try:
        yield stored
    except BaseException:
        for name in stored:
            uploads.remove(name)
        raise


def _accepted_type(data: bytes, document: dict) -> str:
    file_type = uploads.sniff(data[:16], data)
    if file_type not in document["file_types"]:
        allowed = ", ".join(uploads.FILE_TYPE_LABELS[t] for t in document["file_types"])
        raise DossierError(f"Nội dung tệp không phải định dạng được chấp nhận ({allowed}), dù tên tệp là gì.")
    return file_type


def _check_room(dossier: Dossier, document: dict, size: int) -> None:
    config = current_app.config
    problem = None
    existing = dossier.files_for(document["key"])
    if dossier.status != DossierStatus.DRAFT:
        # A supplement brings new versions of documents: only the supplement's own files count.
        existing = [f for f in existing if is_supplement_file(dossier, f)]
    if len(existing) >= int(document.get("max_files", 1)):
        problem = f"Giấy tờ này chỉ nhận tối đa {document.get('max_files', 1)} tệp. Hãy xóa bớt tệp cũ trước."
    elif len(dossier.files) >= config["MAX_FILES_PER_DOSSIER"]:
        problem = f"Hồ sơ chỉ nhận tối đa {config['MAX_FILES_PER_DOSSIER']} tệp đính kèm."
    else:
        problem = quotas.dossier_bytes_problem(dossier, size)
    if problem:
        raise DossierError(problem)


def delete_file(dossier_id: int, owner: User, file_id: int) -> None:
    with write():
        dossier = lock_own_dossier(dossier_id, owner)
        _require_open_for_files(dossier)
        attached = next((f for f in dossier.files if f.id == file_id), None)
        if attached is None:
            raise NotFound()
        if dossier.status != DossierStatus.DRAFT and not is_supplement_file(dossier, attached):
            raise DossierError("Chỉ xóa được tệp vừa tải lên để bổ sung; các giấy tờ đã nộp được giữ nguyên.")
        stored_name = attached.stored_name
        db.session.delete(attached)
        dossier.version += 1
    uploads.remove(stored_name)  # only once its row is gone for good


def delete_draft(dossier_id: int, owner: User) -> None:
    with write():
        dossier = lock_own_dossier(dossier_id, owner)
        _require_draft(dossier)
        stored = remove_draft_rows(dossier)
    for name in stored:
        uploads.remove(name)


def remove_draft_rows(dossier: Dossier) -> list[str]:
    """A locked draft's rows deleted in the caller's transaction (files, history, kept form posts, the
    dossier); returns its files' stored names, to remove once the transaction has committed."""
    stored = [f.stored_name for f in dossier.files]
    for attached in dossier.files:
        db.session.delete(attached)
    for event in dossier.events:
        db.session.delete(event)
    db.session.execute(db.delete(FormStash).where(FormStash.dossier_id == dossier.id))
    db.session.delete(dossier)
    return stored


def check_complete(dossier: Dossier) -> list[Problem]:
    """Everything that stops a submission: required fields, invalid values, missing documents."""
    problems: list[Problem] = []
    form = form_class(dossier.procedure_version.fields, strict=True)(
        formdata=MultiDict(dossier.form_pairs), meta={"csrf": False}
    )
    if not form.validate():
        labels = {spec["key"]: spec["label"] for spec in dossier.procedure_version.fields}
        for key in form.errors:
            problems.append(Problem(labels.get(key, key), "Thông tin chưa đầy đủ hoặc không hợp lệ."))
    for document in dossier.procedure_version.documents:
        if document.get("required") and not dossier.files_for(document["key"]):
            problems.append(Problem(document["name"], "Chưa đính kèm giấy tờ bắt buộc này."))
    return problems


def submit(
    dossier_id: int,
    owner: User,
    commune: str | None = None,
    filing: Filing = DECLARED_ELECTRONIC,
    school: str | None = None,
) -> tuple[Dossier, bool]:
    """Submit a draft. A repeated submit (double click) returns the submitted dossier, creating nothing.
    `commune`: the ward code of the commune whose centre receives a commune-level filing (the
    applicant's pick); a provincial filing goes to the provincial centre whatever it says. `school`:
    the id of the learner's school, for an application that school decides (service/dossiers/school_filing.py)."""
    with write():
        dossier = lock_own_dossier(dossier_id, owner)
        if dossier.status != DossierStatus.DRAFT:
            return dossier, False
        problems = check_complete(dossier) + _filing_problems(filing)
        if dossier.school_decides:
            return _submit_to_school(dossier, owner, filing, school, problems), True
        agency = _receiving_agency(dossier, commune, problems)
        if problems:
            raise Incomplete(problems)
        dossier.agency_id = agency.id
        now = utcnow()
        _record_filing(dossier, filing, now)
        _file(dossier, owner, now, agency.code)
    return dossier, True


def _submit_to_school(dossier: Dossier, owner: User, filing: Filing, raw: str | None, problems) -> Dossier:
    """In the caller's write: the application goes to the learner's school, which receives it now."""
    school, problem = school_filing.chosen_school(raw)
    if problem:
        problems.append(Problem(school_filing.DECIDING_SCHOOL, problem))
    if problems:
        raise Incomplete(problems)
    dossier.school_id, dossier.agency_id = school.id, None
    now = utcnow()
    _record_filing(dossier, filing, now)
    school_filing.start_clock(dossier, now)
    _file(dossier, owner, now, school.code)
    return dossier


def _record_filing(dossier: Dossier, filing: Filing, now) -> None:
    dossier.declared_at, dossier.delivery_method = now, filing.delivery_method
    dossier.delivery_address = filing.delivery_address if filing.delivery_method == "post" else None


def _filing_problems(filing: Filing) -> list[Problem]:
    problems = []
    if not filing.declared:
        problems.append(Problem(DECLARATION, "Vui lòng đánh dấu ô cam đoan trước khi nộp hồ sơ."))
    if filing.delivery_method not in ("electronic", "post", "desk"):
        problems.append(Problem(DELIVERY, "Vui lòng chọn phương thức nhận kết quả."))
    elif filing.delivery_method == "post" and not _complete_address(filing.delivery_address):
        problems.append(Problem(DELIVERY, "Vui lòng nhập đầy đủ địa chỉ nhận kết quả qua bưu chính."))
    return problems


def _complete_address(address: dict[str, str] | None) -> bool:
    return address is not None and all(address.get(part) for part in ("province", "ward", "street"))


RECEIVING_PLACE = "Nơi tiếp nhận hồ sơ"


def _receiving_agency(dossier: Dossier, commune: str | None, problems: list[Problem]):
    """The agency that receives the dossier at its procedure's level (LAW-2026 §3); a commune-level
    filing without a commune of the province adds a problem instead."""
    if dossier.level != "commune":
        return agency_operations.ensure_province()
    if not commune:
        problems.append(Problem(RECEIVING_PLACE, "Vui lòng chọn xã, phường, đặc khu tiếp nhận hồ sơ."))
        return None
    try:
        return agency_operations.ensure_choice(commune)
    except agency_operations.AgencyError as error:
        problems.append(Problem(RECEIVING_PLACE, error.message))
        return None


def _file(dossier: Dossier, owner: User, now, agency_code: str) -> None:
    dossier.code = allocate_code(agency_code, now)
    dossier.lookup_secret = "".join(secrets.choice(SECRET_ALPHABET) for _ in range(8))
    dossier.lookup_phone = owner.phone
    dossier.applicant_name = owner.display_name
    dossier.submitted_at = now
    transition(dossier, "submit", owner)
    if dossier.fee_due_at_filing:
        settlement.open_order(
            dossier.procedure_version.fee,
            f"Phí, lệ phí hồ sơ {dossier.code}",
            "dossier_fee",
            dossier_id=dossier.id,
            payer_id=dossier.owner_id,
        )
    queue_email(
        dossier.owner.email, "dossier_submitted", dossier=dossier, base_url=current_app.config["APP_BASE_URL"]
    )


def allocate_code(agency_code: str, now) -> str:
    """AGENCY-YYMMDD-NNNN with a running number per agency and Vietnam day, atomic under concurrency."""
    day = to_local(now).date()
    table = DossierCounter.__table__
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(table)
        .values(agency_code=agency_code, day=day, last_number=1)
        .on_conflict_do_update(
            index_elements=["agency_code", "day"], set_={"last_number": table.c.last_number + 1}
        )
        .returning(table.c.last_number)
    )
    number = db.session.execute(statement).scalar_one()
    return f"{agency_code}-{day:%y%m%d}-{number:04d}"


def withdraw(dossier_id: int, owner: User, reason: str) -> Dossier:
    with write():
        dossier = lock_own_dossier(dossier_id, owner)
        dossier.withdrawn_at = utcnow()
        transition(dossier, "withdraw", owner, reason or None)
        _cancel_unpaid_fee(dossier.id, "Người nộp rút hồ sơ.")
    return dossier


def _cancel_unpaid_fee(dossier_id: int, reason: str) -> None:
    """A dossier that will not be processed no longer owes its fee (in the caller's transaction)."""
    for order in settlement.unpaid_orders(dossier_id=dossier_id):
        settlement.cancel_unpaid(order, reason)


def transition(
    dossier: Dossier,
    event: str,
    actor: User,
    note: str | None = None,
    data: dict | None = None,
    recorded_by: User | None = None,
):
    """Send `event` through the dossier's workflow and write the history row (in the caller's
    transaction). A forbidden event raises DossierError (and the caller's `write()` rolls back).
    `recorded_by`: who entered a step the workflow asks of `actor` (the desk entering a paper
    applicant's supplement); the history names them."""
    source = dossier.status
    machine = machine_for(dossier.workflow)(model=dossier, state_field="status")
    try:
        machine.send(event, actor=actor, data=data or {})
    except TransitionNotAllowed as error:
        raise DossierError("Không thể thực hiện thao tác này ở trạng thái hiện tại của hồ sơ.") from error
    dossier.version += 1
    return _record(dossier, event, source, recorded_by or actor, note)


def _record(
    dossier: Dossier, event: str, source: str | None, actor: User | None, note: str | None
) -> DossierEvent:
    history = DossierEvent(
        dossier_id=dossier.id,
        event=event,
        from_status=source,
        to_status=dossier.status,
        actor_id=actor.id if actor else None,
        note=note,
        due_date=dossier.due_date,
        on_time=_on_time(dossier, actor),
    )
    db.session.add(history)
    db.session.flush()
    # Every step, in its own transaction: the tamper-evident copy of this history row.
    audit.record(
        "dossier.step",
        dossier,
        actor=actor,
        details={
            "code": dossier.code,
            "event": event,
            "from": source,
            "to": dossier.status,
            "note": note,
            "history_id": history.id,
        },
    )
    return history


def _on_time(dossier: Dossier, actor: User | None) -> bool | None:
    """An official's step taken on or before the due date is on time; the applicant's own steps and
    anything before reception are not measured (waiting for the applicant never counts as late)."""
    if dossier.due_date is None or actor is None or actor.id == dossier.owner_id:
        return None
    return local_today() <= dossier.due_date
