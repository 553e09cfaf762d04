"""Officials' worklists: filtered, searched, sorted by due date, paginated, a constant number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import false, or_
from sqlalchemy.orm import selectinload

from service.accounts.models import User
from service.accounts.roles import Role
from service.deadlines.calendar import current_calendar
from service.dossiers import queries as dossier_queries
from service.dossiers.models import Dossier
from service.extensions import db
from service.identifiers import normalise_phone
from service.procedures.models import Procedure, ProcedureVersion
from service.timeutil import LOCAL_TZ, local_today
from service.workdays import DUE_SOON_WORKING_DAYS
from workflows.states import FINAL_STATUSES, WAITING_FOR_APPLICANT, DossierStatus

PAGE_SIZE = 25
# Dossiers whose clock runs against the agency.
RUNNING = [
    s.value for s in DossierStatus if s not in FINAL_STATUSES | WAITING_FOR_APPLICANT | {DossierStatus.DRAFT}
]

LISTS = {
    "to_receive": "Chờ tiếp nhận",
    "mine": "Được giao cho tôi",
    "approval": "Chờ tôi phê duyệt",
    "supplemented": "Đã bổ sung",
    "to_return": "Chờ trả kết quả",
    "stop_requests": "Đề nghị dừng",
    "supplement": "Chờ bổ sung",
    "due_soon": "Sắp đến hạn",
    "overdue": "Quá hạn",
    "department": "Của phòng tôi",
    "all": "Tất cả hồ sơ",
}
LISTS_BY_ROLE = {
    Role.RECEPTION: [
        "to_receive", "supplemented", "to_return", "stop_requests", "supplement", "due_soon", "overdue", "department", "all",
    ],
    Role.SPECIALIST: ["mine", "supplemented", "supplement", "due_soon", "overdue", "department"],
    Role.LEADER: [
        "approval", "to_receive", "stop_requests", "to_return", "supplement", "due_soon", "overdue", "department", "all",
    ],
}  # fmt: skip
# The one supplement was answered and the dossier is back with the desk or the specialist.
SUPPLEMENTED = (DossierStatus.SUBMITTED, DossierStatus.UNDER_APPRAISAL)
DEFAULT_LIST = {Role.RECEPTION: "to_receive", Role.SPECIALIST: "mine", Role.LEADER: "approval"}


@dataclass
class Filters:
    list: str = "all"
    procedure: str = ""
    status: str = ""
    due: str = ""
    date_from: date | None = None
    date_to: date | None = None
    q: str = ""
    page: int = 1


@dataclass
class Page:
    items: list[Dossier] = field(default_factory=list)
    total: int = 0
    page: int = 1

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


def worklist(user: User, filters: Filters) -> Page:
    statement = _visible_to(user, db.select(Dossier).where(Dossier.status != DossierStatus.DRAFT))
    statement = _apply_list(statement, user, filters.list)
    statement = _apply_filters(statement, filters)
    total = db.session.scalar(db.select(db.func.count()).select_from(statement.order_by(None).subquery()))
    items = db.session.scalars(
        statement.options(
            selectinload(Dossier.procedure_version),
            selectinload(Dossier.owner),
            selectinload(Dossier.assignee),
        )
        .order_by(Dossier.due_date.is_(None), Dossier.due_date, Dossier.submitted_at)
        .limit(PAGE_SIZE)
        .offset((filters.page - 1) * PAGE_SIZE)
    ).all()
    return Page(items, total, filters.page)


def _visible_to(user: User, statement):
    if user.role == Role.SPECIALIST:
        return statement.where(Dossier.assignee_id == user.id)
    return statement


def _due_window():
    today = local_today()
    return today, current_calendar().add_working_days(today, DUE_SOON_WORKING_DAYS)


def _due_condition(name: str):
    today, soon = _due_window()
    if name == "due_soon":
        return Dossier.status.in_(RUNNING) & (Dossier.due_date >= today) & (Dossier.due_date <= soon)
    return Dossier.status.in_(RUNNING) & (Dossier.due_date < today)


def _apply_list(statement, user: User, name: str):
    if name in ("due_soon", "overdue"):
        return statement.where(_due_condition(name))
    conditions = {
        "to_receive": lambda: Dossier.status == DossierStatus.SUBMITTED,
        "mine": lambda: Dossier.assignee_id == user.id,
        "approval": lambda: Dossier.status.in_([DossierStatus.PROPOSED, DossierStatus.FORWARDED]),
        "supplement": lambda: Dossier.status == DossierStatus.SUPPLEMENT_REQUESTED,
        "supplemented": lambda: (Dossier.supplement_count > 0) & Dossier.status.in_(SUPPLEMENTED),
        "to_return": lambda: Dossier.status.in_([DossierStatus.APPROVED, DossierStatus.DENIED]),
        "stop_requests": lambda: Dossier.status == DossierStatus.STOP_REQUESTED,
        # An official outside any department has no "department" list (NULL would match unrouted dossiers).
        "department": lambda: (
            (Dossier.department_id == user.department_id) if user.department_id else false()
        ),
    }
    condition = conditions.get(name)
    return statement if condition is None else statement.where(condition())


def _apply_filters(statement, filters: Filters):
    if filters.procedure:
        procedure_ids = db.select(ProcedureVersion.id).join(
            Procedure, ProcedureVersion.procedure_id == Procedure.id
        )
        statement = statement.where(
            Dossier.procedure_version_id.in_(procedure_ids.where(Procedure.code == filters.procedure))
        )
    if filters.status:
        statement = statement.where(Dossier.status == filters.status)
    if filters.due in ("due_soon", "overdue"):
        statement = statement.where(_due_condition(filters.due))
    if filters.date_from:
        statement = statement.where(Dossier.submitted_at >= _utc_start(filters.date_from))
    if filters.date_to:
        statement = statement.where(Dossier.submitted_at < _utc_start(filters.date_to + timedelta(days=1)))
    if filters.q:
        statement = _search(statement, filters.q.strip())
    return statement


def _search(statement, text: str):
    phone = normalise_phone(text) or ""
    owners = db.select(User.id).where(or_(User.personal_id == text, User.phone == phone))
    return statement.where(
        or_(
            Dossier.code == text.upper(),
            Dossier.applicant_name.ilike(f"%{text}%"),
            Dossier.lookup_phone == phone,
            Dossier.owner_id.in_(owners),
        )
    )


def _utc_start(day: date) -> datetime:
    """Midnight of a Vietnam day, as the naive UTC the database stores."""
    return datetime.combine(day, time.min, LOCAL_TZ).astimezone(UTC).replace(tzinfo=None)


def specialists() -> list[User]:
    return db.session.scalars(
        db.select(User)
        .where(User.role == Role.SPECIALIST, User.is_active_account.is_(True))
        .options(selectinload(User.department))
        .order_by(User.full_name)
    ).all()


# ---------------------------------------------------------------- an official leaving


def held_counts() -> dict[int, int]:
    """How many unfinished dossiers each official holds (is assigned), by official."""
    unfinished = dossier_queries.held().subquery()
    rows = db.session.execute(
        db.select(unfinished.c.assignee_id, db.func.count()).group_by(unfinished.c.assignee_id)
    ).all()
    return dict(rows)


def held_by(user_id: int) -> list[Dossier]:
    return db.session.scalars(dossier_queries.held(user_id).order_by(Dossier.id)).all()


def successors(user: User) -> list[User]:
    """Who can take over an official's dossiers: the active officials of the same role, those of the same
    department first."""
    statement = (
        db.select(User)
        .where(User.role == user.role, User.is_active_account.is_(True), User.id != user.id, User.school_id.is_(None))
        .options(selectinload(User.department))
    )  # fmt: skip
    if user.department_id:
        statement = statement.order_by(db.case((User.department_id == user.department_id, 0), else_=1))
    return db.session.scalars(statement.order_by(User.full_name, User.id)).all()
