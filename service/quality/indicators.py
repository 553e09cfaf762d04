"""The Decision 766/QĐ-TTg indicators this system can measure, and the provincial statistics table.

Everything is aggregated in SQL (a handful of grouped queries whatever the number of dossiers, with
the indexes on `received_at` and `decided_at`); each indicator carries its numerator, denominator,
ratio and formula. A period is a range of local (Asia/Ho_Chi_Minh) dates, both ends included.
Time the applicant spends answering a supplement request is excluded from the deadline itself (the
clock restarts, service/dossiers), so "on time" already leaves it out.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, or_

from service.dossiers.models import Dossier
from service.extensions import db
from service.payments.models import PaymentAttempt, PaymentOrder
from service.procedures.models import Procedure, ProcedureVersion
from service.quality.models import SATISFIED, Feedback, Rating

LOCAL, UTC = ZoneInfo("Asia/Ho_Chi_Minh"), ZoneInfo("UTC")
MAX_DAYS = 366
ONLINE_GATEWAYS = ("vnpay", "vietqr", "momo", "paygov")
NEARLY_LATE_DAYS = 2  # in progress and due within this many days: "sắp đến hạn"


class PeriodError(ValueError):
    pass


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # included

    @classmethod
    def parse(cls, start: str | None, end: str | None) -> Period:
        try:
            first, last = date.fromisoformat(start or ""), date.fromisoformat(end or "")
        except ValueError:
            raise PeriodError("Ngày không hợp lệ: dùng dạng YYYY-MM-DD cho from và to.") from None
        if not (2000 <= first.year <= 2100 and 2000 <= last.year <= 2100):
            raise PeriodError("Ngày phải trong khoảng năm 2000 đến năm 2100.")
        if last < first:
            raise PeriodError("Ngày kết thúc (to) trước ngày bắt đầu (from).")
        if (last - first).days >= MAX_DAYS:
            raise PeriodError(f"Khoảng thời gian tối đa {MAX_DAYS} ngày.")
        return cls(first, last)

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        """[start, end) in naive UTC, as the database stores times."""
        start = datetime.combine(self.start, time.min, LOCAL).astimezone(UTC).replace(tzinfo=None)
        end = (
            datetime.combine(self.end + timedelta(days=1), time.min, LOCAL)
            .astimezone(UTC)
            .replace(tzinfo=None)
        )
        return start, end


@dataclass
class Indicator:
    key: str
    group: str
    name: str
    numerator: float
    denominator: float
    formula: str
    unit: str = "%"
    note: str = ""

    @property
    def ratio(self) -> float | None:
        return round(self.numerator / self.denominator, 4) if self.denominator else None

    def as_json(self) -> dict:
        return {**asdict(self), "ratio": self.ratio}


GROUPS = {
    "transparency": "Công khai, minh bạch",
    "progress": "Tiến độ giải quyết",
    "digitisation": "Số hóa hồ sơ",
    "online": "Cung cấp dịch vụ công trực tuyến",
    "satisfaction": "Mức độ hài lòng",
}


def _in(column, period: Period):
    start, end = period.bounds
    return and_(column >= start, column < end)


def _procedure_filter(statement, procedure: str | None):
    if procedure:
        statement = statement.where(Procedure.code == procedure)
    return statement


def _dossiers(procedure: str | None, *columns):
    """A select over dossiers; joined to their procedure only when one procedure is asked for."""
    statement = db.select(*columns).select_from(Dossier)
    if procedure:
        statement = statement.join(
            ProcedureVersion, ProcedureVersion.id == Dossier.procedure_version_id
        ).join(Procedure, Procedure.id == ProcedureVersion.procedure_id)
    return _procedure_filter(statement, procedure)


def _dossiers_by_procedure(procedure: str | None, *columns):
    statement = (
        db.select(*columns)
        .select_from(Dossier)
        .join(ProcedureVersion, ProcedureVersion.id == Dossier.procedure_version_id)
        .join(Procedure, Procedure.id == ProcedureVersion.procedure_id)
    )
    return _procedure_filter(statement, procedure)


def _count_if(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _days_between(later, earlier):
    """Days between two timestamps, in SQL, on SQLite and PostgreSQL."""
    if db.engine.dialect.name == "postgresql":
        return func.extract("epoch", later - earlier) / 86400.0
    return func.julianday(later) - func.julianday(earlier)


def indicators(
    period: Period, procedure: str | None = None, department_id: int | None = None
) -> list[Indicator]:
    def scoped(statement):
        return statement.where(Dossier.department_id == department_id) if department_id else statement

    received = _in(Dossier.received_at, period)
    decided = _in(Dossier.decided_at, period)
    returned = _in(Dossier.returned_at, period)
    # One indexed range per question (received, decided, returned), never a scan of every dossier.
    n_received, n_online, n_synced = db.session.execute(scoped(_dossiers(
        procedure, func.count(), _count_if(Dossier.channel == "online"), _count_if(Dossier.national_sync_at.is_not(None)),
    ).where(received))).one()  # fmt: skip
    n_digitised = db.session.scalar(
        scoped(_dossiers(procedure, func.count()).where(received, Dossier.files.any()))
    )
    n_decided, n_on_time, avg_days = db.session.execute(scoped(_dossiers(
        procedure, func.count(), _count_if(Dossier.completed_on_time.is_(True)),
        func.avg(_days_between(Dossier.decided_at, Dossier.received_at)),
    ).where(decided))).one()  # fmt: skip
    n_returned, n_electronic = db.session.execute(scoped(_dossiers(
        procedure, func.count(), _count_if(Dossier.return_method == "electronic")).where(returned))).one()  # fmt: skip

    published = db.select(Procedure.id).where(
        Procedure.current_version_id.is_not(None), Procedure.is_published.is_(True)
    )
    n_procedures = db.session.scalar(db.select(func.count()).select_from(published.subquery()))
    versions = db.session.scalars(
        scoped(
            db.select(Dossier.procedure_version_id).where(received, Dossier.channel == "online").distinct()
        )
    ).all()
    with_dossiers = len(set(db.session.scalars(
        _procedure_filter(
            db.select(Procedure.code).join(ProcedureVersion, ProcedureVersion.procedure_id == Procedure.id)
            .where(ProcedureVersion.id.in_(versions)), procedure,
        )
    )))  # fmt: skip
    paid = _in(PaymentOrder.paid_at, period)
    fee_orders = scoped(_procedure_filter(
        db.select(
            _count_if(PaymentAttempt.gateway.in_(ONLINE_GATEWAYS)), func.count(PaymentOrder.id),
            func.count(func.distinct(case((PaymentAttempt.gateway.in_(ONLINE_GATEWAYS), Procedure.code)))),
        )
        .select_from(PaymentOrder)
        .join(Dossier, Dossier.id == PaymentOrder.dossier_id)
        .join(ProcedureVersion, ProcedureVersion.id == Dossier.procedure_version_id)
        .join(Procedure, Procedure.id == ProcedureVersion.procedure_id)
        .join(PaymentAttempt, PaymentAttempt.id == PaymentOrder.paid_attempt_id)
        .where(PaymentOrder.status == "paid", paid), procedure,
    ))  # fmt: skip
    n_paid_online, n_paid, n_procedures_paid_online = db.session.execute(fee_orders).one()
    with_fee = db.session.scalar(
        db.select(func.count()).select_from(Procedure)
        .join(ProcedureVersion, ProcedureVersion.id == Procedure.current_version_id)
        .where(ProcedureVersion.fee > 0, Procedure.is_published.is_(True))
    )  # fmt: skip

    ratings = db.select(func.count(Rating.id), _count_if(Rating.overall >= SATISFIED)).where(
        _in(Rating.created_at, period)
    )
    if procedure:
        ratings = ratings.where(Rating.procedure_code == procedure)
    if department_id:
        ratings = ratings.join(Dossier, Dossier.id == Rating.dossier_id).where(
            Dossier.department_id == department_id
        )
    n_ratings, n_satisfied = db.session.execute(ratings).one()
    answered = _in(Feedback.answered_at, period)
    feedback = db.select(
        _count_if(answered), _count_if(and_(answered, Feedback.answered_on_time.is_(True))),
        _count_if(and_(answered, Feedback.satisfied.is_not(None))), _count_if(and_(answered, Feedback.satisfied.is_(True))),
    )  # fmt: skip
    if procedure:
        feedback = feedback.where(Feedback.procedure_code == procedure)
    if department_id:
        feedback = (
            feedback.select_from(Feedback)
            .join(Dossier, Dossier.id == Feedback.dossier_id)
            .where(Dossier.department_id == department_id)
        )
    n_answered, n_answered_on_time, n_judged, n_judged_satisfied = db.session.execute(feedback).one()

    return [
        Indicator("synchronised", "transparency", "Hồ sơ được đồng bộ lên Cổng Dịch vụ công quốc gia", n_synced, n_received,
                  "Số hồ sơ tiếp nhận trong kỳ đã đồng bộ / số hồ sơ tiếp nhận trong kỳ",
                  note="" if n_synced else "Chưa kết nối Cổng Dịch vụ công quốc gia: chưa hồ sơ nào được đồng bộ."),
        Indicator("resolved_on_time", "progress", "Hồ sơ giải quyết trước hạn, đúng hạn", n_on_time, n_decided,
                  "Số hồ sơ có kết quả trong kỳ trước hoặc đúng hạn / số hồ sơ có kết quả trong kỳ"),
        Indicator("average_processing_days", "progress", "Thời gian giải quyết trung bình", round(float(avg_days or 0), 2), 1,
                  "Trung bình (thời điểm có kết quả − thời điểm tiếp nhận) của hồ sơ có kết quả trong kỳ, tính bằng ngày",
                  unit="ngày"),
        Indicator("electronic_result", "digitisation", "Hồ sơ trả kết quả điện tử", n_electronic, n_returned,
                  "Số hồ sơ trả kết quả trong kỳ bằng bản điện tử / số hồ sơ trả kết quả trong kỳ"),
        Indicator("digitised", "digitisation", "Hồ sơ được số hóa", n_digitised, n_received,
                  "Số hồ sơ tiếp nhận trong kỳ có thành phần hồ sơ điện tử / số hồ sơ tiếp nhận trong kỳ"),
        Indicator("procedures_online", "online", "Thủ tục cung cấp dịch vụ công trực tuyến", n_procedures, n_procedures,
                  "Số thủ tục đang công bố có nộp hồ sơ trực tuyến / số thủ tục đang công bố"),
        Indicator("services_with_dossiers", "online", "Dịch vụ công trực tuyến có phát sinh hồ sơ", with_dossiers,
                  n_procedures if not procedure else 1,
                  "Số thủ tục có hồ sơ trực tuyến tiếp nhận trong kỳ / số thủ tục cung cấp trực tuyến"),
        Indicator("filed_online", "online", "Tỷ lệ hồ sơ nộp trực tuyến", n_online, n_received,
                  "Số hồ sơ tiếp nhận trong kỳ nộp trực tuyến / số hồ sơ tiếp nhận trong kỳ"),
        Indicator("procedures_paid_online", "online", "Thủ tục có giao dịch thanh toán trực tuyến", n_procedures_paid_online,
                  with_fee if not procedure else 1,
                  "Số thủ tục có phí, lệ phí được thanh toán trực tuyến trong kỳ / số thủ tục có phí, lệ phí"),
        Indicator("dossiers_paid_online", "online", "Hồ sơ thanh toán trực tuyến", n_paid_online, n_paid,
                  "Số hồ sơ có phí, lệ phí nộp trực tuyến trong kỳ / số hồ sơ đã nộp phí, lệ phí trong kỳ"),
        Indicator("feedback_on_time", "satisfaction", "Phản ánh, kiến nghị được xử lý đúng hạn", n_answered_on_time, n_answered,
                  "Số phản ánh, kiến nghị trả lời đúng hạn trong kỳ / số phản ánh, kiến nghị đã trả lời trong kỳ"),
        Indicator("feedback_satisfied", "satisfaction", "Hài lòng với việc xử lý phản ánh, kiến nghị", n_judged_satisfied,
                  n_judged, "Số người hài lòng với câu trả lời / số người đã đánh giá câu trả lời (trả lời trong kỳ)"),
        Indicator("satisfied", "satisfaction", "Hài lòng với việc giải quyết thủ tục", n_satisfied, n_ratings,
                  "Số đánh giá có mức hài lòng chung từ 4/5 trở lên trong kỳ / số đánh giá trong kỳ"),
    ]  # fmt: skip


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


def statistics(period: Period, procedure: str | None = None, department_id: int | None = None) -> StatsTable:
    """The provincial statistics table, one row per procedure, in one grouped query."""
    start, end = period.bounds
    gone_before = lambda moment: or_(  # noqa: E731  withdrawn or closed before `moment`
        and_(Dossier.withdrawn_at.is_not(None), Dossier.withdrawn_at < moment),
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
    statement = _dossiers_by_procedure(
        procedure, Procedure.code, func.max(ProcedureVersion.name),
        _count_if(received), _count_if(open_at(start)),
        _count_if(and_(in_progress, Dossier.due_date < last_day)),
        _count_if(and_(in_progress, Dossier.due_date >= last_day, Dossier.due_date <= last_day + timedelta(days=NEARLY_LATE_DAYS))),
        _count_if(and_(in_progress, or_(Dossier.due_date.is_(None), Dossier.due_date > last_day + timedelta(days=NEARLY_LATE_DAYS)))),
        _count_if(and_(decided, Dossier.completed_on_time.is_(False))),
        _count_if(and_(decided, Dossier.completed_on_time.is_(True))),
        _count_if(and_(or_(Dossier.decided_at.is_(None), ~decided), gone_before(end), ~gone_before(start))),
    ).where(Dossier.received_at.is_not(None), Dossier.received_at < end).group_by(Procedure.code).order_by(Procedure.code)  # fmt: skip
    if department_id:
        statement = statement.where(Dossier.department_id == department_id)
    rows = [StatsRow(*values) for values in db.session.execute(statement)]
    rows = [r for r in rows if r.total or r.completed or r.in_progress]
    total = StatsRow("", "Tổng cộng")
    for row in rows:
        for name in ("received", "carried", "in_progress_late", "in_progress_nearly_late", "in_progress_not_due",
                     "completed_late", "completed_on_time", "stopped"):  # fmt: skip
            setattr(total, name, getattr(total, name) + getattr(row, name))
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
    received = dict(((m, (n, o)) for m, n, o in db.session.execute(
        _dossiers(procedure, month(Dossier.received_at), func.count(), _count_if(Dossier.channel == "online"))
        .where(Dossier.received_at >= start, Dossier.received_at < end).group_by(month(Dossier.received_at))
    )))  # fmt: skip
    decided = dict(((m, (n, t)) for m, n, t in db.session.execute(
        _dossiers(procedure, month(Dossier.decided_at), func.count(), _count_if(Dossier.completed_on_time.is_(True)))
        .where(Dossier.decided_at >= start, Dossier.decided_at < end).group_by(month(Dossier.decided_at))
    )))  # fmt: skip
    result, cursor = [], first
    while cursor <= today:
        key = f"{cursor:%Y-%m}"
        n_received, n_online = received.get(key, (0, 0))
        n_decided, n_on_time = decided.get(key, (0, 0))
        result.append({
            "month": f"{cursor:%m/%Y}", "received": n_received, "online": n_online / n_received if n_received else None,
            "decided": n_decided, "on_time": n_on_time / n_decided if n_decided else None,
        })  # fmt: skip
        cursor = (cursor + timedelta(days=32)).replace(day=1)
    return result
