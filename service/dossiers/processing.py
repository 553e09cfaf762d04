"""Officials' actions on dossiers and the applicant's answers to them (Decree 118/2025).

`act()` locks the dossier, checks that the page it came from is current, sends the event through the
procedure's workflow (guards decide who may do what), applies the event's effects, writes one history
row and the applicant's email (delivered after the commit), and commits: all in one `write()`, so a
refusal raised on the way leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import NotFound

from service import uploads
from service.accounts.models import User
from service.accounts.roles import Role
from service.agencies import queries as agency_queries
from service.database import for_update, write
from service.deadlines.calendar import current_calendar
from service.dossiers import checklist, issued_documents, notices, queries
from service.dossiers.models import Dossier, DossierEvent
from service.dossiers.operations import (
    DossierError,
    _record,
    is_supplement_file,
    lock_own_dossier,
    read_upload,
    removing_on_failure,
    store_file,
    transition,
)
from service.extensions import db
from service.procedures.models import ProcedureSetting
from service.timeutil import local_today, to_local, utcnow
from workflows import guards
from workflows.machines import machine_for
from workflows.states import STATUS_LABELS, DossierStatus

RETURN_METHODS = {
    "electronic": "Trả kết quả điện tử",
    "post": "Qua dịch vụ bưu chính",
    "desk": "Tại Bộ phận Một cửa",
}


# Being processed by the agency: received, not yet decided, not waiting for the applicant.
EXTENDABLE = frozenset(
    {
        DossierStatus.RECEIVED,
        DossierStatus.ASSIGNED,
        DossierStatus.UNDER_APPRAISAL,
        DossierStatus.PROPOSED,
        DossierStatus.FORWARDED,
    }
)


class StaleAction(DossierError):
    status = 409  # someone else changed the dossier since the official's page was drawn


@dataclass
class Outcome:
    dossier: Dossier
    event: str


def lock_for_official(dossier_id: int, official: User) -> Dossier:
    """Inside a write transaction: the filed dossier, locked; 404 for a draft, no dossier, or a dossier
    another receiving agency holds (an official acts for their own agency only)."""
    dossier = db.session.scalar(
        for_update(db.select(Dossier).where(Dossier.id == dossier_id, Dossier.status != DossierStatus.DRAFT))
    )
    if dossier is None or dossier.school_id is not None:
        raise NotFound()  # none, or an application its school decides (service/dossiers/school_decisions.py)
    if not agency_queries.holds(official.agency, dossier.agency):
        raise NotFound()
    return dossier


PAPER_CHANNELS = ("desk", "post")  # filed on paper: at the one-stop desk or by post
OFFICIAL_FILE_KEY = "official"  # a document an official attaches to a step (not a catalogue document)
OFFICIAL_FILE_TYPES = ["pdf", "docx", "jpeg", "png"]


def act(
    dossier_id: int,
    actor: User,
    event: str,
    data: dict[str, Any],
    seen_version: int | None,
    attachment: FileStorage | None = None,
) -> Outcome:
    """An official's action. `seen_version` is the dossier version the official's page showed; an
    attachment (a scanned letter, a minute) becomes part of this step's history row."""
    upload = _official_upload(attachment)
    with removing_on_failure() as stored, write():
        # Accounts are locked before dossiers, here as where an account is locked and its dossiers handed
        # over (service.admin.operations): a dossier is never assigned to an account being locked.
        assignee = _assignee(data.get("assignee_id")) if event == "assign" else None
        dossier = lock_for_official(dossier_id, actor)
        check_seen(dossier, seen_version)
        if event == "assign":
            data = {**data, "assignee": assignee}
        history = take_step(dossier, actor, event, data, upload)
        if upload is not None:
            content, file_type, name = upload
            attached = store_file(dossier, OFFICIAL_FILE_KEY, content, file_type, name, actor, history.id)
            stored.append(attached.stored_name)
    return Outcome(dossier, event)


def take_step(dossier: Dossier, actor: User, event: str, data: dict[str, Any], upload=None) -> DossierEvent:
    """The step itself, on a dossier the caller has locked inside its `write()`: checked, sent through
    the workflow, its effects applied, its documents queued and the people concerned told. A supplement
    request or a refusal at reception states what the desk's checklist found (forms 02 and 03)."""
    data = {**data, "today": local_today()}
    if event in checklist.STATED_BY:
        data["reason"] = checklist.with_findings(dossier, data.get("reason"))
    problem = (
        _input_problem(dossier, actor, event, data)
        or _attachment_problem(dossier, event, upload)
        or _digitising_problem(dossier, event, data, upload)
    )
    if problem:
        raise DossierError(problem)
    if event in ("propose",):
        # The guard reads the proposal from the dossier once it is recorded, so record it first.
        dossier.proposed_decision = data.get("decision")
    history = transition(dossier, event, actor, _note(event, data), data)
    EFFECTS.get(event, _nothing)(dossier, actor, data)
    issued_documents.enqueue(dossier, event, actor.id)
    notices.tell_applicant(dossier, event)  # recorded with the step, sent after it commits
    if event == "assign":
        notices.tell_assignee(dossier)
    elif event in notices.OFFICIAL_MESSAGES:  # the next step is someone else's: they hear of it
        notices.tell_officials(
            dossier, event, [u for u in officials_who_can_act(dossier) if u.id != actor.id]
        )
    return history


def check_seen(dossier: Dossier, seen_version: int | None) -> None:
    """The official acted on the page they saw: if someone changed the dossier since, tell them."""
    if seen_version is not None and seen_version != dossier.version:
        label = STATUS_LABELS.get(dossier.status, dossier.status)
        raise StaleAction(
            f"Hồ sơ vừa được người khác xử lý và hiện ở trạng thái “{label}”. Thao tác của bạn chưa được thực hiện; "
            "vui lòng xem lại hồ sơ."
        )


def _official_upload(attachment: FileStorage | None) -> tuple[bytes, str, str] | None:
    if attachment is None or not attachment.filename:
        return None
    content = read_upload(attachment)
    file_type = uploads.sniff(content[:16], content)
    if file_type not in OFFICIAL_FILE_TYPES:
        raise DossierError(
            "Tệp đính kèm phải là PDF, Word (DOCX), JPEG hoặc PNG (nhận dạng theo nội dung tệp)."
        )
    return content, file_type, attachment.filename


REASON_NEEDED = {
    "refuse": "Vui lòng nêu rõ lý do từ chối tiếp nhận.",
    "request_supplement": "Vui lòng liệt kê đầy đủ giấy tờ, nội dung cần bổ sung và lý do.",
    "send_back": "Vui lòng ghi ý kiến chỉ đạo khi trả lại hồ sơ.",
    "deny": "Vui lòng nêu rõ lý do không giải quyết.",
}


def _assignee(raw: Any) -> User | None:
    try:
        user_id = int(raw) if raw else None
    except (TypeError, ValueError, OverflowError):
        return None
    if user_id is None or not 0 < user_id < 2**31:
        return None
    return db.session.scalar(for_update(db.select(User).where(User.id == user_id)))


def _input_problem(dossier: Dossier, actor: User, event: str, data: dict[str, Any]) -> str | None:
    """A clear message for what the official left out; the workflow's guards then decide the rest."""
    if event in REASON_NEEDED and not (data.get("reason") or "").strip():
        return REASON_NEEDED[event]
    assignee = data.get("assignee")
    if (
        event == "assign"
        and assignee is not None
        and not agency_queries.holds(assignee.agency, dossier.agency)
    ):
        return "Chuyên viên được chọn không thuộc cơ quan tiếp nhận hồ sơ này."
    if event == "receive" and not guards.fee_ready(dossier):
        return "Người nộp chưa thanh toán phí, lệ phí của thủ tục nên chưa thể tiếp nhận hồ sơ."
    if event == "request_supplement" and dossier.supplement_count:
        return "Hồ sơ đã được yêu cầu bổ sung một lần; theo quy định chỉ yêu cầu bổ sung một lần."
    if event == "assign":
        assignee = data.get("assignee")
        if assignee is None or assignee.role != Role.SPECIALIST or not assignee.is_active_account:
            return "Chỉ phân công cho tài khoản chuyên viên đang hoạt động."
    if event == "propose" and (
        data.get("decision") not in ("approve", "deny") or not (data.get("draft") or "").strip()
    ):
        return "Vui lòng chọn đề xuất (giải quyết hoặc không) và nhập dự thảo kết quả."
    if event == "return_result" and data.get("method") not in RETURN_METHODS:
        return "Vui lòng chọn hình thức trả kết quả."
    if event == "return_result" and data.get("method") == "electronic" and not _result_file_exists(dossier):
        return (
            "Hồ sơ chưa có tệp kết quả (quyết định, giấy chứng nhận hoặc văn bản trả lời) nên không thể trả kết "
            "quả điện tử; vui lòng trả qua bưu chính hoặc tại Bộ phận Một cửa."
        )
    if event not in enabled_actions(dossier, actor):
        label = STATUS_LABELS.get(dossier.status, dossier.status)
        return f"Bạn không thể thực hiện thao tác này khi hồ sơ đang ở trạng thái “{label}”."
    return None


def _result_file_exists(dossier: Dossier) -> bool:
    """Electronic delivery is claimed only with a file the applicant can download from the dossier page."""
    return issued_documents.result_on_file(dossier.id) or bool(queries.provincial_result_files(dossier))


def _attachment_problem(dossier: Dossier, event: str, upload) -> str | None:
    """The provincial chairman's decision is issued by the province: recording it needs the document."""
    if event in ("approve", "deny") and dossier.status == DossierStatus.FORWARDED and upload is None:
        return "Vui lòng đính kèm văn bản của Chủ tịch Ủy ban nhân dân tỉnh (tệp PDF)."
    return None


def _digitising_problem(dossier: Dossier, event: str, data: dict[str, Any], upload) -> str | None:
    """Components count as digitised (Decision 766) only for a paper dossier, and only once scans of them
    are in the system: attached with this step or earlier by an official."""
    if event != "receive" or not data.get("components_digitised"):
        return None
    if dossier.channel not in PAPER_CHANNELS:
        return "Hồ sơ nộp trực tuyến đã là bản điện tử; chỉ xác nhận số hóa cho hồ sơ nộp trực tiếp hoặc qua bưu chính."
    if upload is None and not any(f.uploaded_by_id != dossier.owner_id for f in dossier.files):
        return "Vui lòng đính kèm bản quét thành phần hồ sơ giấy trước khi xác nhận đã số hóa."
    return None


def _note(event: str, data: dict[str, Any]) -> str | None:
    if event == "receive":
        return "Đã số hóa thành phần hồ sơ giấy." if data.get("components_digitised") else None
    if event == "return_result":
        return RETURN_METHODS.get(data.get("method"), "") + (
            f". {data['reason']}" if data.get("reason") else ""
        )
    if event == "propose":
        return ("Đề xuất giải quyết" if data.get("decision") == "approve" else "Đề xuất không giải quyết") + (
            f": {data['reason']}" if data.get("reason") else ""
        )
    return (data.get("reason") or "").strip() or None


def _nothing(dossier: Dossier, actor: User, data: dict[str, Any]) -> None:
    return None


def _receive(dossier: Dossier, actor: User, data: dict[str, Any]) -> None:
    # A paper dossier is received on the day the desk took it in (a posted one possibly before the day
    # it is entered: service/dossiers/desk.py); deadlines count from then.
    now = data.get("received_at") or utcnow()
    content = dossier.procedure_version.content
    dossier.received_at, dossier.received_by_id = now, actor.id
    if data.get("components_digitised"):  # checked by _digitising_problem: a paper dossier, scanned
        dossier.components_digitised_at = utcnow()
    dossier.due_date = current_calendar().due_date(
        to_local(now).replace(tzinfo=None),
        dossier.processing_days,
        content.get("cutoff_hour"),
    )
    dossier.original_due_date = dossier.due_date
    setting = db.session.get(ProcedureSetting, dossier.procedure_version.procedure_id)
    if setting is not None and agency_queries.is_provincial(dossier.agency):  # the Sở's own routing
        dossier.department_id = dossier.department_id or setting.department_id


def _request_supplement(dossier: Dossier, actor: User, data: dict[str, Any]) -> None:
    days = int(dossier.procedure_version.content.get("supplement_days", 15))
    dossier.supplement_count += 1
    dossier.supplement_stage = "reception" if dossier.received_at is None else "processing"
    dossier.supplement_request = data["reason"].strip()
    dossier.supplement_requested_at = utcnow()
    dossier.supplement_deadline = current_calendar().add_working_days(local_today(), days)


def _assign(dossier: Dossier, actor: User, data: dict[str, Any]) -> None:
    assignee = data["assignee"]
    dossier.assignee_id = assignee.id
    dossier.department_id = assignee.department_id or dossier.department_id


def _propose(dossier: Dossier, actor: User, data: dict[str, Any]) -> None:
    dossier.draft_result = data["draft"].strip()
    dossier.draft_recipients = (data.get("recipients") or "").strip() or None


def _decide(dossier: Dossier, actor: User, data: dict[str, Any]) -> None:
    dossier.decided_at = utcnow()
    if data.get("reason"):
        dossier.result_note = data["reason"].strip()
    # Judged against the appointment before any apology (form 04): an extended dossier was late, as the
    # province's statistics count it; a supplement starts a new period with its own appointment.
    promised = min((d for d in (dossier.original_due_date, dossier.due_date) if d is not None), default=None)
    dossier.completed_on_time = promised is None or local_today() <= promised


def _confirm_payment(dossier: Dossier, actor: User, data: dict[str, Any]) -> None:
    dossier.fee_settled_at = utcnow()


def _return_result(dossier: Dossier, actor: User, data: dict[str, Any]) -> None:
    dossier.returned_at, dossier.return_method = utcnow(), data["method"]


def return_delivered(dossier: Dossier, actor: User, delivered_at: datetime, note: str) -> None:
    """Inside the caller's write, the dossier locked (`lock_for_official`): the carrier delivered the
    result the desk sent by post, so the desk's own return step is taken, channel "post", dated by the
    delivery (Decree 118/2025 art. 18: the result returned through the postal service), in the name of
    the official who sent it. The workflow's guards decide as for the desk's step."""
    data = {"method": "post", "reason": note, "today": local_today()}
    transition(dossier, "return_result", actor, _note("return_result", data), data)
    _return_result(dossier, actor, data)
    dossier.returned_at = delivered_at
    issued_documents.enqueue(dossier, "return_result", actor.id)
    notices.tell_applicant(dossier, "return_result")


def tell_desk_not_delivered(dossier: Dossier) -> None:
    """Inside the caller's write: the post could not deliver the result, which is back at the desk; the
    officials who may return it hear of it (the carrier's reason is on the dossier page)."""
    notices.tell_officials(dossier, "returned_by_post", officials_who_can_act(dossier))


def _close(dossier: Dossier, actor: User, data: dict[str, Any]) -> None:
    dossier.closed_at = utcnow()


def _stop(dossier: Dossier, actor: User, data: dict[str, Any]) -> None:
    dossier.stopped_at = utcnow()


EFFECTS: dict[str, Callable[[Dossier, User, dict[str, Any]], None]] = {
    "receive": _receive,
    "request_supplement": _request_supplement,
    "assign": _assign,
    "propose": _propose,
    "approve": _decide,
    "deny": _decide,
    "confirm_payment": _confirm_payment,
    "return_result": _return_result,
    "close": _close,
    "stop": _stop,
}


def enabled_actions(dossier: Dossier, actor: User) -> list[str]:
    """The events this official may send now, judged by the workflow's own guards. Inputs the official
    has yet to type (a reason, an assignee, a proposal) are assumed given: the form will ask for them."""
    if actor.role not in (Role.RECEPTION, Role.SPECIALIST, Role.LEADER):
        return []
    assumed = {
        "reason": "…",
        "draft": "…",
        "decision": dossier.proposed_decision or "approve",
        "method": "electronic",
        "assignee": _ANY_SPECIALIST,
        "today": local_today(),
    }
    machine = machine_for(dossier.workflow)(model=dossier, state_field="status")
    events = [event.id for event in machine.enabled_events(actor=actor, data=assumed)]
    return [e for e in events if e not in APPLICANT_EVENTS]


class _AnySpecialist:
    id, role, is_active, department_id = 0, Role.SPECIALIST, True, None


def officials_who_can_act(dossier: Dossier) -> list[User]:
    """Who may take the dossier's next step, asked of the workflow's own guards (never a list kept by
    hand): the assigned specialist if the machine lets them, and the active officials of each role
    it lets act (those of the dossier's department when it has any of that role)."""
    from types import SimpleNamespace

    found: list[User] = []
    assignee = dossier.assignee
    if assignee is not None and assignee.is_active_account and enabled_actions(dossier, assignee):
        found.append(assignee)
    for role in (Role.RECEPTION, Role.LEADER):
        probe = SimpleNamespace(id=0, role=role)  # any official of the role, assigned nothing
        if not enabled_actions(dossier, probe):
            continue
        staff = db.session.scalars(
            db.select(User)
            .where(
                User.role == role,
                User.is_active_account.is_(True),
                agency_queries.held_by(dossier.agency, User.agency_id),  # the dossier's agency's staff
            )
            .order_by(User.id)
        ).all()
        ours = [u for u in staff if dossier.department_id and u.department_id == dossier.department_id]
        found.extend(u for u in (ours or staff) if u not in found)
    return found


def holds_dossiers(official: User) -> bool:
    """Inside the caller's write: whether unfinished dossiers are assigned to the official (locked, so
    that none is assigned to them before the caller's commit)."""
    return bool(db.session.scalars(for_update(queries.held(official.id).limit(1))).first())


def hand_over(official: User, successor: User, actor: User) -> list[Dossier]:
    """Inside the caller's write: every unfinished dossier assigned to `official` passes to `successor`,
    each with a history row (audited) and a new version (a page drawn before is stale), and the successor
    is told once, listing them. The caller checks who may succeed (service.admin.operations)."""
    held = db.session.scalars(for_update(queries.held(official.id).order_by(Dossier.id))).all()
    note = f"Bàn giao từ {official.full_name} cho {successor.full_name} (tài khoản {official.email} bị khóa)."
    for dossier in held:
        dossier.assignee_id = successor.id
        dossier.department_id = successor.department_id or dossier.department_id
        dossier.version += 1
        _record(dossier, "assign", dossier.status, actor, note)
    if held:
        notices.tell_successor(successor, official, held)
    return held


_ANY_SPECIALIST = _AnySpecialist()
APPLICANT_EVENTS = {"submit", "withdraw", "supplement", "request_stop"}


def extend(dossier_id: int, actor: User, new_date: date, reason: str, seen_version: int | None) -> Dossier:
    """The apology with a request for extension and a new appointment date (form 04): at least one
    working day before the due date, later than it, and once only."""
    with write():
        dossier = lock_for_official(dossier_id, actor)
        check_seen(dossier, seen_version)
        problem = _extension_problem(dossier, actor, new_date, reason)
        if problem:
            raise DossierError(problem)
        dossier.extended_at, dossier.extension_reason = utcnow(), reason.strip()
        dossier.due_date = new_date
        dossier.version += 1
        note = f"{reason.strip()} Ngày hẹn mới: {new_date:%d/%m/%Y}."
        _record(dossier, "extend", dossier.status, actor, note)
        issued_documents.enqueue(dossier, "extend", actor.id)
        notices.tell_applicant(dossier, "extend")
    return dossier


def _extension_problem(dossier: Dossier, actor: User, new_date: date, reason: str) -> str | None:
    calendar, today = current_calendar(), local_today()
    if actor.role not in (Role.RECEPTION, Role.LEADER) and actor.id != dossier.assignee_id:
        return "Bạn không có quyền gia hạn hồ sơ này."
    if dossier.due_date is None or dossier.status not in EXTENDABLE:
        return "Chỉ hẹn lại ngày trả kết quả cho hồ sơ đang được giải quyết (đã tiếp nhận, chưa có kết quả)."
    if dossier.extended_at is not None:
        return "Hồ sơ đã được hẹn lại một lần; theo quy định chỉ được hẹn lại ngày trả kết quả một lần."
    if not reason.strip():
        return "Vui lòng nêu lý do chậm trễ."
    if new_date <= dossier.due_date or not calendar.is_working_day(new_date):
        return "Ngày hẹn mới phải là ngày làm việc sau ngày hẹn hiện tại."
    longest = calendar.add_working_days(dossier.due_date, dossier.processing_days)
    if new_date > longest:
        return f"Ngày hẹn mới không được quá {longest:%d/%m/%Y} (thêm tối đa một thời hạn giải quyết)."
    if calendar.working_days_between(today, dossier.due_date) < 1:
        return "Văn bản xin lỗi và đề nghị gia hạn phải gửi trước hạn giải quyết ít nhất 01 ngày làm việc."
    return None


def comment(dossier_id: int, actor: User, body: str) -> None:
    from service.dossiers.models import DossierComment

    if not body.strip():
        raise DossierError("Vui lòng nhập nội dung ý kiến.")
    with write():
        lock_for_official(dossier_id, actor)
        db.session.add(DossierComment(dossier_id=dossier_id, author_id=actor.id, body=body.strip()[:5000]))


# The applicant's answers.


def supplement(dossier_id: int, owner: User, note: str) -> Dossier:
    """Send the supplement: the files uploaded since the request become part of this step. The dossier
    keeps its code, its earlier files and its history. Answered during processing, the time limit
    restarts from zero (shared/DOMAIN.md)."""
    with write():
        dossier = lock_own_dossier(dossier_id, owner)
        new_files = [f for f in dossier.files if is_supplement_file(dossier, f)]
        if dossier.status == DossierStatus.SUPPLEMENT_REQUESTED and not new_files and not note.strip():
            raise DossierError("Vui lòng tải lên giấy tờ bổ sung hoặc ghi rõ nội dung bổ sung.")
        answer_supplement(dossier, note, new_files)
    return dossier


def answer_supplement(dossier: Dossier, note: str, new_files: list, entered_by: User | None = None) -> None:
    """In the caller's transaction: the applicant's supplement, sent by them or, handed in on paper,
    entered at the desk (`entered_by`). It is the applicant's answer (the workflow's guard is theirs);
    the history names who entered it and, waiting for the applicant, it is never measured as late."""
    history = transition(dossier, "supplement", dossier.owner, note.strip() or None, recorded_by=entered_by)
    history.on_time = None
    for attached in new_files:
        attached.event_id = history.id
    if dossier.supplement_stage == "processing":
        _restart_period(dossier)
        issued_documents.enqueue(dossier, "supplement_restart", None)  # form 01 with the new appointment
        notices.tell_applicant(dossier, "supplement_restart")
    notices.tell_officials(dossier, "supplement", officials_who_can_act(dossier))


def _restart_period(dossier: Dossier) -> None:
    """A new period starts: it has its own appointment date and its own single extension."""
    received = to_local(utcnow()).replace(tzinfo=None)
    version = dossier.procedure_version
    dossier.due_date = current_calendar().due_date(
        received, dossier.processing_days, version.content.get("cutoff_hour")
    )
    dossier.original_due_date, dossier.extended_at, dossier.extension_reason = dossier.due_date, None, None


def request_stop(dossier_id: int, owner: User, reason: str) -> Dossier:
    with write():
        dossier = lock_own_dossier(dossier_id, owner)
        dossier.stop_requested_at = utcnow()
        transition(dossier, "request_stop", owner, reason.strip() or None)
        notices.tell_officials(dossier, "request_stop", officials_who_can_act(dossier))
    return dossier


def can_add_supplement_files(dossier: Dossier) -> bool:
    return dossier.status == DossierStatus.SUPPLEMENT_REQUESTED


def owner_actions(dossier: Dossier, owner: User) -> list[str]:
    machine = machine_for(dossier.workflow)(model=dossier, state_field="status")
    return [event.id for event in machine.enabled_events(actor=owner, data={})]


def extension_offered(dossier: Dossier, actor: User) -> bool:
    """Whether the extension form is worth showing (the operation checks everything again)."""
    if dossier.extended_at is not None or dossier.due_date is None:
        return False
    if dossier.status not in EXTENDABLE:
        return False
    return actor.role in (Role.RECEPTION, Role.LEADER) or actor.id == dossier.assignee_id
