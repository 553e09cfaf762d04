"""Officials' worklists: filtered, searched, sorted by due date, paginated, a constant number of queries."""

from __future__ import annotations

import base64
import bisect
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import false, or_, tuple_
from sqlalchemy.orm import defer, selectinload

from service.accounts.models import User
from service.accounts.roles import Role
from service.agencies import queries as agency_queries
from service.agencies.models import Agency
from service.deadlines.calendar import current_calendar
from service.dossiers import queries as dossier_queries
from service.dossiers.models import (
    APPROVAL,
    NO_DUE_DATE,
    NOT_DRAFT,
    RUNNING_NOW,
    SORT_KEY,
    SUPPLEMENTED_NOW,
    TO_RETURN,
    Dossier,
    status_in,
)
from service.dossiers.models import RUNNING as RUNNING  # re-exported: the statuses whose clock runs
from service.extensions import db
from service.identifiers import normalise_phone
from service.procedures.models import Procedure, ProcedureVersion
from service.timeutil import LOCAL_TZ, local_today
from service.workdays import DUE_SOON_WORKING_DAYS
from workflows.states import DossierStatus

PAGE_SIZE = 25
# A list counts its rows up to this many and then says "hơn 10.000 hồ sơ": counting a million rows
# would read them all.
COUNT_CAP = 10_000
# The lists' tabs count up to this many each ("hơn 1.000"): seven counts on every worklist page.
TAB_COUNT_CAP = 1_000
# A search sorts up to this many of its matches by due date; a broader one (a surname) says "hơn 2.000"
# and its page is read along the list's index, where its matches are dense. Its cost is then bounded
# at any number of dossiers: at most this many matches read through the trigram index (a heap row each),
# or a walk of the list's index reading its name column, about PAGE_SIZE x dossiers / matches entries.
SEARCH_CAP = 2_000
# SQLite has no trigram index: a search by name reads the newest this many dossiers only.
SQLITE_NAME_WINDOW = 50_000
PHONE = re.compile(r"0\d{9,10}")
PERSONAL_ID = re.compile(r"\d{9}|\d{12}")  # identity card (old) or personal identification number
CURSOR = re.compile(r"(\d{4}-\d{2}-\d{2})~(\d{1,10})")

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
        "to_receive",
        "supplemented",
        "to_return",
        "stop_requests",
        "supplement",
        "due_soon",
        "overdue",
        "department",
        "all",
    ],
    Role.SPECIALIST: ["mine", "supplemented", "supplement", "due_soon", "overdue", "department"],
    Role.LEADER: [
        "approval",
        "to_receive",
        "stop_requests",
        "to_return",
        "supplement",
        "due_soon",
        "overdue",
        "department",
        "all",
    ],
}
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
    # Keyset pagination: the page after (or before) the row this opaque cursor names.
    after: str = ""
    before: str = ""


@dataclass
class Page:
    items: list[Dossier] = field(default_factory=list)
    total: int = 0  # counted up to cap + 1 rows only: more than cap reads "hơn 10.000" ("hơn 2.000")
    next_cursor: str | None = None
    previous_cursor: str | None = None
    cap: int = COUNT_CAP

    @property
    def more_than_cap(self) -> bool:
        return self.total > self.cap


def worklist(user: User, filters: Filters) -> Page:
    """One page of a list, a constant number of queries whatever the number of dossiers: a count
    that stops at COUNT_CAP + 1 rows, the page read by keyset on (SORT_KEY, id) along a partial index
    (or, for a search, taken from its sorted matches), and the procedure versions and assignees it
    shows loaded together."""
    statement = _visible_to(user, db.select(Dossier).where(NOT_DRAFT))
    statement = _apply_list(statement, user, filters.list)
    statement = _apply_filters(statement, filters)
    before, after = decode_cursor(filters.before), decode_cursor(filters.after)
    cap = COUNT_CAP
    if filters.q:
        # A search reads its matches once through its own indexes (code, phone, owner, trigram): up to
        # SEARCH_CAP of them are sorted here and the page taken from them; more than that are dense in
        # the list's index, which is then walked in order as for a list.
        cap = SEARCH_CAP
        found = db.session.execute(
            statement.with_only_columns(SORT_KEY, Dossier.id).order_by(None).limit(cap + 1)
        ).all()
        if len(found) <= cap:
            return _gathered(sorted((k, i) for k, i in found), before, after)
        total = len(found)
    else:
        capped = statement.with_only_columns(Dossier.id).order_by(None).limit(COUNT_CAP + 1).subquery()
        total = db.session.scalar(db.select(db.func.count()).select_from(capped))
    key = tuple_(SORT_KEY, Dossier.id)
    if before:
        rows = _page(statement.where(key < tuple_(*before)), descending=True)
        if rows:
            more = len(rows) > PAGE_SIZE
            rows = rows[:PAGE_SIZE][::-1]
            return Page(rows, total, encode_cursor(rows[-1]), encode_cursor(rows[0]) if more else None, cap)
        after = None  # nothing before it (the rows were closed meanwhile): the first page
    if after:
        statement = statement.where(key > tuple_(*after))
    rows = _page(statement, descending=False)
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    return Page(
        rows,
        total,
        encode_cursor(rows[-1]) if more else None,
        encode_cursor(rows[0]) if after and rows else None,
        cap,
    )


def _page(statement, descending: bool) -> list[Dossier]:
    """The page's ids from the list's index alone (a search walking the list reads the name there),
    then their rows."""
    order = (SORT_KEY.desc(), Dossier.id.desc()) if descending else (SORT_KEY, Dossier.id)
    ids = db.session.scalars(
        statement.with_only_columns(Dossier.id).order_by(*order).limit(PAGE_SIZE + 1)
    ).all()
    loaded = {d.id: d for d in db.session.scalars(_shown(db.select(Dossier)).where(Dossier.id.in_(ids)))}
    return [loaded[i] for i in ids if i in loaded]


def _shown(statement):
    # What a row shows, without the JSON it does not (the version's whole content, the e-form's
    # answers): decoding those was most of a page's time.
    return statement.options(
        defer(Dossier.form_data, raiseload=True),
        selectinload(Dossier.procedure_version).load_only(
            ProcedureVersion.name, ProcedureVersion.procedure_id, raiseload=True
        ),
        selectinload(Dossier.assignee),
    )


def _gathered(keys: list[tuple[date, int]], before, after) -> Page:
    """The page of a search from all its matches' (sort key, id), in order."""
    start = 0
    if before:
        # Fewer than a page before it (or none: the rows were closed meanwhile): the first page.
        start = max(0, bisect.bisect_left(keys, before) - PAGE_SIZE)
    elif after:
        start = bisect.bisect_right(keys, after)
    chosen = keys[start : start + PAGE_SIZE]
    loaded = {
        d.id: d
        for d in db.session.scalars(_shown(db.select(Dossier)).where(Dossier.id.in_([i for _, i in chosen])))
    }
    rows = [loaded[i] for _, i in chosen if i in loaded]
    return Page(
        rows,
        len(keys),
        encode_cursor(rows[-1]) if rows and start + PAGE_SIZE < len(keys) else None,
        encode_cursor(rows[0]) if rows and start > 0 else None,
        SEARCH_CAP,
    )


def encode_cursor(dossier: Dossier) -> str:
    """Opaque to the browser: the row's sort key and id, base64url without padding."""
    raw = f"{(dossier.due_date or NO_DUE_DATE).isoformat()}~{dossier.id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(text: str) -> tuple[date, int] | None:
    """The (sort key, id) a cursor names; None for anything else (a tampered link shows the first page)."""
    if not text or len(text) > 40:
        return None
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode("ascii")
        match = CURSOR.fullmatch(raw)
        if match is None:
            return None
        dossier_id = int(match.group(2))
        return (date.fromisoformat(match.group(1)), dossier_id) if 0 < dossier_id < 2**31 else None
    except ValueError:  # not base64, not ASCII (UnicodeDecodeError), not a calendar date
        return None


# The day's work each role starts from: these lists show how many dossiers wait in them.
COUNTED_LISTS = {
    Role.RECEPTION: ("to_receive", "supplemented", "to_return", "stop_requests", "due_soon", "overdue"),
    Role.SPECIALIST: ("mine", "supplemented", "due_soon", "overdue"),
    Role.LEADER: ("approval", "stop_requests", "to_return", "overdue"),
}


def list_counts(user: User) -> dict[str, int]:
    """How many dossiers wait in each of the role's working lists, up to TAB_COUNT_CAP (a tab reads
    "hơn 1.000"): one query per list, read from its partial index alone, whatever the number of rows."""
    counts = {}
    for name in COUNTED_LISTS.get(user.role, ()):
        statement = _apply_list(_visible_to(user, db.select(Dossier.id).where(NOT_DRAFT)), user, name)
        capped = statement.limit(TAB_COUNT_CAP + 1).subquery()
        counts[name] = db.session.scalar(db.select(db.func.count()).select_from(capped))
    return counts


def _visible_to(user: User, statement):
    # The official's receiving agency holds the dossier (LAW-2026 §3), then the role's own limit.
    # An application a school decides (Dossier.school_id) is its staff's, never an agency's.
    statement = statement.where(
        agency_queries.held_by(user.agency, Dossier.agency_id), Dossier.school_id.is_(None)
    )
    if user.role == Role.SPECIALIST:
        return statement.where(Dossier.assignee_id == user.id)
    return statement


def _due_window():
    today = local_today()
    return today, current_calendar().add_working_days(today, DUE_SOON_WORKING_DAYS)


def _due_condition(name: str):
    # On the sort key rather than due_date, so that the running index answers the range; a dossier
    # without a due date sorts at NO_DUE_DATE, after any window.
    today, soon = _due_window()
    if name == "due_soon":
        return RUNNING_NOW & (SORT_KEY >= today) & (SORT_KEY <= soon)
    return RUNNING_NOW & (SORT_KEY < today)


def _apply_list(statement, user: User, name: str):
    if name in ("due_soon", "overdue"):
        return statement.where(_due_condition(name))
    conditions = {
        "to_receive": lambda: status_in(DossierStatus.SUBMITTED),
        "mine": lambda: Dossier.assignee_id == user.id,
        "approval": lambda: APPROVAL,
        "supplement": lambda: status_in(DossierStatus.SUPPLEMENT_REQUESTED),
        "supplemented": lambda: SUPPLEMENTED_NOW,
        "to_return": lambda: TO_RETURN,
        "stop_requests": lambda: status_in(DossierStatus.STOP_REQUESTED),
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


def personal_search(text: str) -> str | None:
    """What kind of personal data a search names (audited, never its value): an identity number, a
    phone number, or None for a code or a name."""
    text = (text or "").strip()
    if PERSONAL_ID.fullmatch(text):
        return "identity_number"
    phone = normalise_phone(text) or ""
    return "phone" if PHONE.fullmatch(phone) else None


def _search(statement, text: str):
    """Each way of finding a dossier reads its own index: the code (unique), the applicant's name
    (a trigram index on PostgreSQL; on SQLite a substring match over the newest SQLITE_NAME_WINDOW
    dossiers only), the contact phone, and the owner's identity number or phone. A name is looked for
    only in text of at least three characters (a trigram) without digits."""
    phone = normalise_phone(text) or ""
    phone = phone if PHONE.fullmatch(phone) else ""
    if not any(c.isdigit() for c in text):  # names hold no digits; codes (dated), numbers do
        # Only the name, so that a walk of the list's index answers from the index alone.
        return statement.where(_name_matches(text) if len(text) >= 3 else false())
    conditions = [Dossier.code == text.upper()]
    if phone:
        conditions.append(Dossier.lookup_phone == phone)
    owner_conditions = ([User.phone == phone] if phone else []) + (
        [User.personal_id == text] if PERSONAL_ID.fullmatch(text) else []
    )
    if owner_conditions:
        # Asked first (one query, a handful of accounts), so that the dossiers' owner index answers.
        owners = db.session.scalars(db.select(User.id).where(or_(*owner_conditions)).limit(100)).all()
        if owners:
            conditions.append(Dossier.owner_id.in_(owners))
    return statement.where(or_(*conditions))


def _name_matches(text: str):
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    matches = Dossier.applicant_name.ilike(pattern, escape="\\")
    if db.session.get_bind().dialect.name == "postgresql":
        return matches
    newest = db.select(db.func.max(Dossier.id)).scalar_subquery()
    return matches & (Dossier.id > newest - SQLITE_NAME_WINDOW)


def _utc_start(day: date) -> datetime:
    """Midnight of a Vietnam day, as the naive UTC the database stores."""
    return datetime.combine(day, time.min, LOCAL_TZ).astimezone(UTC).replace(tzinfo=None)


def specialists(agency: Agency | None = None) -> list[User]:
    """The active specialists of an agency (the provincial centre's by default): whom a dossier it
    holds may be assigned to."""
    return db.session.scalars(
        db.select(User)
        .where(
            User.role == Role.SPECIALIST,
            User.is_active_account.is_(True),
            agency_queries.held_by(agency, User.agency_id),
        )
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
        .where(
            User.role == user.role,
            User.is_active_account.is_(True),
            User.id != user.id,
            User.school_id.is_(None),
            agency_queries.held_by(user.agency, User.agency_id),  # within the same receiving agency
        )
        .options(selectinload(User.department))
    )
    if user.department_id:
        statement = statement.order_by(db.case((User.department_id == user.department_id, 0), else_=1))
    return db.session.scalars(statement.order_by(User.full_name, User.id)).all()
