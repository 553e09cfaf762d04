"""The provincial statistics table (received, carried over, in progress, completed, late rate, one row per
procedure) and the monthly trend, each in one grouped query whatever the number of dossiers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import and_, func, or_

from service.agencies import queries as agency_queries
from service.dossiers.models import Dossier
from service.extensions import db
from service.procedures.models import Procedure, ProcedureVersion
from service.quality.period import Period
from service.quality.sql import count_if, dossiers, dossiers_by_procedure

NEARLY_LATE_DAYS = 2  # in progress and due within this many days: "sắp đến hạn"


@dataclass
class StatsRow:
    code: str
    name: str
    received: int = 0
    carried: int = 0
    in_progress_late: int = 0
    in_progress_nearly_late: int = 0
    in_progress_not_due: int = 0
    completed_late: int = 0
    completed_on_time: int = 0
    stopped: int = 0  # withdrawn by the applicant, stopped or closed during the period

    @property
    def total(self) -> int:
        return self.received + self.carried

    @property
    def in_progress(self) -> int:
        return self.in_progress_late + self.in_progress_nearly_late + self.in_progress_not_due

    @property
    def completed(self) -> int:
        return self.completed_late + self.completed_on_time

    @property
    def late_rate(self) -> float | None:
        return (self.in_progress_late + self.completed_late) / self.total if self.total else None


@dataclass
class StatsTable:
    rows: list[StatsRow]
    total: StatsRow = field(default_factory=lambda: StatsRow("", "Tổng cộng"))


def statistics(
    period: Period, procedure: str | None = None, department_id: int | None = None, agency: str | None = None
) -> StatsTable:
    """The statistics table, one row per procedure, in one grouped query: for the whole province, or
    for one receiving agency (`agency`: "province" for the provincial centre, a commune's ward code)."""
    end = period.bounds[1]
    statement = (
        dossiers_by_procedure(procedure, Procedure.code, func.max(ProcedureVersion.name), *_counts(period))
        .where(Dossier.received_at.is_not(None), Dossier.received_at < end)
        .group_by(Procedure.code)
        .order_by(Procedure.code)
    )
    if department_id:
        statement = statement.where(Dossier.department_id == department_id)
    if agency:
        statement = statement.where(agency_queries.chosen(agency, Dossier.agency_id))
    rows = [StatsRow(*values) for values in db.session.execute(statement)]
    return _table([r for r in rows if r.total or r.completed or r.in_progress])


def by_agency(period: Period, procedure: str | None = None) -> StatsTable:
    """The same figures, one row per receiving agency (the provincial centre, each commune's centre
    that had dossiers), and the province's total: one grouped query."""
    end = period.bounds[1]
    statement = (
        dossiers_by_procedure(procedure, Dossier.agency_id, *_counts(period))
        .where(Dossier.received_at.is_not(None), Dossier.received_at < end)
        .group_by(Dossier.agency_id)
    )
    names = agency_queries.names()
    merged: dict[str, StatsRow] = {}
    for agency_id, *counts in db.session.execute(statement):
        key, name = names.get(agency_id) or agency_queries.provincial_key_and_name()
        row = StatsRow(key, name, *counts)
        if key in merged:  # the provincial centre's row and dossiers from before agencies were data
            row = _added(merged[key], row)
        merged[key] = row
    rows = sorted(merged.values(), key=lambda r: (r.code != agency_queries.PROVINCIAL_KEY, r.name))
    return _table([r for r in rows if r.total or r.completed or r.in_progress])


def _counts(period: Period) -> list:
    """The counted columns of a statistics row, in StatsRow's order after code and name."""
    start, end = period.bounds
    gone_before = lambda moment: or_(  # noqa: E731  withdrawn, stopped or closed before `moment`
        and_(Dossier.withdrawn_at.is_not(None), Dossier.withdrawn_at < moment),
        and_(Dossier.stopped_at.is_not(None), Dossier.stopped_at < moment),
        and_(Dossier.closed_at.is_not(None), Dossier.closed_at < moment),
    )
    open_at = lambda moment: and_(  # noqa: E731
        Dossier.received_at < moment,
        or_(Dossier.decided_at.is_(None), Dossier.decided_at >= moment),
        ~gone_before(moment),
    )
    received = and_(Dossier.received_at >= start, Dossier.received_at < end)
    decided = and_(Dossier.decided_at >= start, Dossier.decided_at < end)
    in_progress = open_at(end)
    last_day = period.end
    nearly = last_day + timedelta(days=NEARLY_LATE_DAYS)
    return [
        count_if(received),
        count_if(open_at(start)),
        count_if(and_(in_progress, Dossier.due_date < last_day)),
        count_if(and_(in_progress, Dossier.due_date >= last_day, Dossier.due_date <= nearly)),
        count_if(and_(in_progress, or_(Dossier.due_date.is_(None), Dossier.due_date > nearly))),
        count_if(and_(decided, Dossier.completed_on_time.is_(False))),
        count_if(and_(decided, Dossier.completed_on_time.is_(True))),
        count_if(and_(or_(Dossier.decided_at.is_(None), ~decided), gone_before(end), ~gone_before(start))),
    ]


COUNTED = (
    "received",
    "carried",
    "in_progress_late",
    "in_progress_nearly_late",
    "in_progress_not_due",
    "completed_late",
    "completed_on_time",
    "stopped",
)


def _added(one: StatsRow, other: StatsRow) -> StatsRow:
    for name in COUNTED:
        setattr(one, name, getattr(one, name) + getattr(other, name))
    return one


def _table(rows: list[StatsRow]) -> StatsTable:
    total = StatsRow("", "Tổng cộng")
    for row in rows:
        _added(total, row)
    return StatsTable(rows, total)


def _local_month(column):
    """The Vietnam-time month of a UTC timestamp as literal SQL (no bind parameters, so that GROUP BY
    repeats exactly what SELECT says, which PostgreSQL requires)."""
    if db.engine.dialect.name == "postgresql":
        return func.to_char(column + db.literal_column("interval '7 hours'"), db.literal_column("'YYYY-MM'"))
    return func.strftime(db.literal_column("'%Y-%m'"), column, db.literal_column("'+7 hours'"))


def monthly_trend(months: int, today: date, procedure: str | None = None) -> list[dict]:
    """Per month (local time) for the last `months`: received, share filed online, resolved, share on time."""
    year, month_index = divmod(today.year * 12 + today.month - 1 - (months - 1), 12)
    first = date(year, month_index + 1, 1)
    period = Period(first, today)
    start, end = period.bounds
    month = _local_month
    received = dict(
        (
            (m, (n, o))
            for m, n, o in db.session.execute(
                dossiers(
                    procedure, month(Dossier.received_at), func.count(), count_if(Dossier.channel == "online")
                )
                .where(Dossier.received_at >= start, Dossier.received_at < end)
                .group_by(month(Dossier.received_at))
            )
        )
    )
    decided = dict(
        (
            (m, (n, t))
            for m, n, t in db.session.execute(
                dossiers(
                    procedure,
                    month(Dossier.decided_at),
                    func.count(),
                    count_if(Dossier.completed_on_time.is_(True)),
                )
                .where(Dossier.decided_at >= start, Dossier.decided_at < end)
                .group_by(month(Dossier.decided_at))
            )
        )
    )
    result, cursor = [], first
    while cursor <= today:
        key = f"{cursor:%Y-%m}"
        n_received, n_online = received.get(key, (0, 0))
        n_decided, n_on_time = decided.get(key, (0, 0))
        result.append(
            {
                "month": f"{cursor:%m/%Y}",
                "received": n_received,
                "online": n_online / n_received if n_received else None,
                "decided": n_decided,
                "on_time": n_on_time / n_decided if n_decided else None,
            }
        )
        cursor = (cursor + timedelta(days=32)).replace(day=1)
    return result
