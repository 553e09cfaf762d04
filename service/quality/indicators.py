"""The Decision 766/QĐ-TTg indicators this system can measure, with the Decision's own formulas
(shared/LAW-2026.md §6). Each carries its numerator, denominator, ratio and formula; how they become
points is data (service/quality/scoring.py).

What a period counts (a period is a range of local dates, service/quality/period.py):
- dossiers *received* in it (synchronised, filed online, paper components digitised, satisfaction with
  the handling of dossiers), *decided* in it (on time, processing time, results digitised), *returned*
  in it (electronic result), fees *paid* in it;
- feedback *filed* in it, answered or not: the Decision's denominator is all feedback within the agency's
  competence, and every feedback here is about one of its dossiers.
Late is judged as of `today`: a dossier still in progress past its due date, a feedback unanswered past
its due date. Time the applicant spends on a supplement is excluded from the deadline (the period
restarts, service/dossiers/processing.py), so "on time" already leaves it out.

Everything is counted in SQL, a fixed handful of queries whatever the number of dossiers; the processing
time fetches one (start, end) pair per decided dossier and counts working days on a cumulative index.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import and_, func, or_
from sqlalchemy.orm import aliased

from service.agencies import queries as agency_queries
from service.backoffice.queries import RUNNING
from service.deadlines.calendar import current_calendar
from service.documents.models import IssuedDocument
from service.dossiers.documents import RESULT_KINDS
from service.dossiers.models import Dossier, DossierEvent, DossierFile
from service.extensions import db
from service.nationalportal import settings as national_portal
from service.payments.models import PaymentAttempt, PaymentOrder
from service.procedures.models import Procedure, ProcedureVersion
from service.quality import sql
from service.quality.models import UNSATISFIED, Feedback, Rating
from service.quality.period import Period, PeriodError
from service.quality.sql import count_if, in_period
from service.timeutil import local_today

__all__ = ["GROUPS", "Indicator", "Period", "PeriodError", "indicators"]

ONLINE_GATEWAYS = ("vnpay", "vietqr", "momo", "paygov")
ONLINE_LEVELS = ("full", "partial")  # Decree 42/2022: toàn trình, một phần
PAPER_CHANNELS = ("desk", "post")
RESULT_DOCUMENTS = tuple(sorted(set(RESULT_KINDS.values())))
DECISION_EVENTS = ("approve", "deny")
VIETNAM_OFFSET = timedelta(hours=7)

GROUPS = {
    "transparency": "Công khai, minh bạch",
    "progress": "Tiến độ, kết quả giải quyết",
    "digitisation": "Số hóa hồ sơ",
    "online": "Cung cấp dịch vụ trực tuyến",
    "satisfaction": "Mức độ hài lòng",
}


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


@dataclass(frozen=True)
class Scope:
    period: Period
    procedure: str | None
    department_id: int | None
    today: date
    # A receiving agency's statistics key (the provincial centre's, or a commune's ward code); None: the
    # whole province, every agency's dossiers and the schools' own (service/agencies/queries.py).
    agency: str | None = None
    # Every receiving agency at once: each count grouped by the dossier's agency (the schools' own
    # applications, which no agency receives, left out as for one agency).
    by_agency: bool = False

    def dossiers(self, *columns, with_procedure: bool = False):
        select = sql.dossiers_by_procedure if with_procedure else sql.dossiers
        return self.of_dossiers(select(self.procedure, *columns))

    def of_dossiers(self, statement):
        """`statement` (over dossiers) confined to the scope's department and receiving agency."""
        if self.department_id:
            statement = statement.where(Dossier.department_id == self.department_id)
        if self.agency:
            # An agency's own dossiers: not an application a school decides (it has no agency).
            statement = statement.where(
                agency_queries.chosen(self.agency, Dossier.agency_id), Dossier.school_id.is_(None)
            )
        elif self.by_agency:
            statement = statement.where(Dossier.school_id.is_(None))
        return statement

    def received(self):
        return in_period(Dossier.received_at, self.period)

    def decided(self):
        return in_period(Dossier.decided_at, self.period)


def _zeros(n: int) -> tuple[int, ...]:
    return (0,) * n


@dataclass
class Counts:
    """What one scope's (or one agency's) indicators are computed from."""

    received: tuple = _zeros(5)  # received, filed online, synchronised, on paper, paper digitised
    decided: tuple = _zeros(3)  # decided, on time, result kept electronically
    spans: list = field(default_factory=list)  # per decided dossier: (received, decided, legal days, restart)
    returned: tuple = _zeros(2)  # returned, electronically
    online_procedures: set = field(default_factory=set)  # procedures with an online dossier received
    fees: tuple = _zeros(2)  # fees paid online, fees paid
    paid_online_procedures: set = field(default_factory=set)
    feedback: tuple = _zeros(3)  # filed, answered on time, unsatisfactory or late
    against: tuple = _zeros(2)  # received, rated unsatisfied, complained about or late

    def add(self, other: Counts) -> Counts:
        """Both counted together (the provincial centre's rows and dossiers from before agencies)."""
        plus = lambda a, b: tuple(x + y for x, y in zip(a, b, strict=True))  # noqa: E731
        return Counts(
            plus(self.received, other.received),
            plus(self.decided, other.decided),
            self.spans + other.spans,
            plus(self.returned, other.returned),
            self.online_procedures | other.online_procedures,
            plus(self.fees, other.fees),
            self.paid_online_procedures | other.paid_online_procedures,
            plus(self.feedback, other.feedback),
            plus(self.against, other.against),
        )


@dataclass(frozen=True)
class Catalogue:
    """The catalogue's side: (published procedures, offered online) and the procedures with a fee."""

    offered: tuple[int, int]
    with_fee: int


def indicators(
    period: Period,
    procedure: str | None = None,
    department_id: int | None = None,
    today: date | None = None,
    agency: str | None = None,
) -> list[Indicator]:
    """The indicators for the province, or for one receiving agency (`agency`: its statistics key)."""
    scope = Scope(period, procedure, department_id, today or local_today(), agency)
    counts = _counts(scope).get(None, Counts())
    return _indicators(counts, Catalogue(_procedures_offered(scope), _with_fee(scope)))


def indicators_by_agency(
    period: Period, keys: list[str], procedure: str | None = None, today: date | None = None
) -> dict[str, list[Indicator]]:
    """Each receiving agency's indicators (by statistics key), the same as `indicators(..., agency=key)`
    gives for one, in the same fixed handful of queries whatever the number of agencies: every count is
    grouped by the dossier's agency, then each agency's indicators are made from its own counts."""
    scope = Scope(period, procedure, None, today or local_today(), by_agency=True)
    names = agency_queries.names()
    merged: dict[str, Counts] = {}
    for agency_id, counts in _counts(scope).items():
        key = names[agency_id][0] if agency_id in names else agency_queries.PROVINCIAL_KEY
        merged[key] = merged[key].add(counts) if key in merged else counts
    offered = _procedures_offered_by_level(scope)
    with_fee = _with_fee(scope)
    return {
        key: _indicators(
            merged.get(key, Counts()),
            Catalogue(offered[key != agency_queries.PROVINCIAL_KEY], with_fee),
        )
        for key in keys
    }


def _indicators(counts: Counts, catalogue: Catalogue) -> list[Indicator]:
    return [
        _synchronised(counts.received),
        *_progress(counts),
        *_digitisation(counts),
        *_online(counts, catalogue),
        *_satisfaction(counts),
    ]


# ---------------------------------------------------------------- the counts


def _counts(scope: Scope) -> dict[int | None, Counts]:
    """The scope's counts: by the dossiers' agency id when counting by agency, else under None."""
    found: dict[int | None, Counts] = {}

    def put(name: str, by_group: dict) -> None:
        for group, value in by_group.items():
            setattr(found.setdefault(group, Counts()), name, value)

    put("received", _received(scope))
    put("decided", _decided(scope))
    put("spans", _spans(scope))
    put("returned", _returned(scope))
    put("online_procedures", _procedures_with_online_dossiers(scope))
    fees = _fees_paid(scope)
    put("fees", {group: counts for group, (counts, _) in fees.items()})
    put("paid_online_procedures", {group: codes for group, (_, codes) in fees.items()})
    put("feedback", _feedback(scope))
    put("against", _dossiers_against(scope))
    return found


def _by_group(scope: Scope, statement) -> dict[int | None, tuple]:
    """The counts `statement` selects: one row (under None), or one per dossier agency id."""
    if not scope.by_agency:
        return {None: tuple(db.session.execute(statement).one())}
    statement = statement.add_columns(Dossier.agency_id).group_by(Dossier.agency_id)
    return {row[-1]: tuple(row[:-1]) for row in db.session.execute(statement)}


def _group_column(scope: Scope) -> list:
    return [Dossier.agency_id] if scope.by_agency else []


def _group_of(scope: Scope, row) -> int | None:
    return row[-1] if scope.by_agency else None


def _received(scope: Scope) -> dict[int | None, tuple]:
    """(received, filed online, synchronised, on paper, on paper with components digitised)."""
    paper = Dossier.channel.in_(PAPER_CHANNELS)
    return _by_group(
        scope,
        scope.dossiers(
            func.count(),
            count_if(Dossier.channel == "online"),
            count_if(Dossier.national_sync_at.is_not(None)),
            count_if(paper),
            count_if(and_(paper, Dossier.components_digitised_at.is_not(None))),
        ).where(scope.received()),
    )


def _decided(scope: Scope) -> dict[int | None, tuple]:
    """(decided, decided on time, with the result kept electronically)."""
    return _by_group(
        scope,
        scope.dossiers(
            func.count(),
            count_if(Dossier.completed_on_time.is_(True)),
            count_if(_result_digitised()),
        ).where(scope.decided()),
    )


def _result_digitised():
    """The result exists as an electronic document: issued by this system (and not revoked), or the
    provincial chairman's decision attached by the official to the decision step."""
    issued = db.select(IssuedDocument.id).where(
        IssuedDocument.dossier_id == Dossier.id,
        IssuedDocument.kind.in_(RESULT_DOCUMENTS),
        IssuedDocument.status != "revoked",
    )
    attached = (
        db.select(DossierFile.id)
        .join(DossierEvent, DossierEvent.id == DossierFile.event_id)
        .where(DossierFile.dossier_id == Dossier.id, DossierEvent.event.in_(DECISION_EVENTS))
    )
    return or_(issued.exists(), attached.exists())


# ---------------------------------------------------------------- transparency, progress


def _synchronised(received) -> Indicator:
    n_received, _, n_synced, _, _ = received
    return Indicator(
        "synchronised",
        "transparency",
        "Hồ sơ được đồng bộ lên Cổng Dịch vụ công quốc gia",
        n_synced,
        n_received,
        "Số hồ sơ tiếp nhận trong kỳ đã đồng bộ / số hồ sơ tiếp nhận trong kỳ",
        note=_sync_note(n_synced),
    )


def _sync_note(n_synced: int) -> str:
    """Counted: dossiers the national portal acknowledged (service/nationalportal/jobs.py)."""
    if not national_portal.enabled(current_app.config):
        return national_portal.OFF_REASON
    return "" if n_synced else "Chưa hồ sơ nào được Cổng Dịch vụ công quốc gia xác nhận đã nhận."


def _progress(counts: Counts) -> list[Indicator]:
    n_decided, n_on_time, _ = counts.decided
    average, legal = _average_working_days(counts.spans)
    return [
        Indicator(
            "resolved_on_time",
            "progress",
            "Hồ sơ giải quyết trước hạn, đúng hạn",
            n_on_time,
            n_decided,
            "Số hồ sơ có kết quả trong kỳ trước hoặc đúng hạn / số hồ sơ có kết quả trong kỳ",
        ),
        Indicator(
            "average_processing_days",
            "progress",
            "Thời gian giải quyết trung bình",
            average or 0,
            1 if average is not None else 0,
            "Trung bình số ngày làm việc từ ngày tiếp nhận (hoặc ngày nhận đủ hồ sơ bổ sung, khi thời hạn được "
            "tính lại) đến ngày có kết quả, của các hồ sơ có kết quả trong kỳ; không tính ngày tiếp nhận, thứ "
            "Bảy, Chủ nhật, ngày lễ, Tết và ngày nghỉ được công bố",
            unit="ngày làm việc",
            note=""
            if legal is None
            else "Thời hạn giải quyết theo quy định của các hồ sơ này trung bình "
            + f"{legal:.1f}".replace(".", ",")
            + " ngày làm việc.",
        ),
    ]


def _local_day(moment: datetime) -> date:
    """The Vietnam date of a stored (naive UTC) time. Vietnam keeps UTC+7 all year, as the monthly trend's
    SQL assumes too; adding the offset is much cheaper than a time-zone conversion per dossier."""
    return (moment + VIETNAM_OFFSET).date()


def _spans(scope: Scope) -> dict[int | None, list]:
    """(received, decided, legal processing days, restarted after a supplement) of each dossier decided in
    the period: one query."""
    restarted = (
        db.select(func.max(DossierEvent.at))
        .where(DossierEvent.dossier_id == Dossier.id, DossierEvent.event == "supplement")
        .scalar_subquery()
    )
    rows = db.session.execute(
        scope.dossiers(
            Dossier.received_at,
            Dossier.decided_at,
            ProcedureVersion.processing_days,
            db.case((Dossier.supplement_stage == "processing", restarted)),
            *_group_column(scope),
            with_procedure=True,
        ).where(scope.decided(), Dossier.received_at.is_not(None))
    ).all()
    found: dict[int | None, list] = {}
    for row in rows:
        found.setdefault(_group_of(scope, row), []).append(tuple(row[:4]))
    return found


def _average_working_days(rows: list) -> tuple[float | None, float | None]:
    """(average working days taken, average legal processing days) of the dossiers decided in the period,
    from their spans: one walk of the calendar for them all."""
    spans = [
        (_local_day(max(received, restart or received)), _local_day(decided))
        for received, decided, _, restart in rows
    ]
    if not spans:
        return None, None
    days = [d for span in spans for d in span]
    index = current_calendar().index(min(days), max(days))
    taken = [max(0, index.between(start, end)) for start, end in spans]
    return round(sum(taken) / len(taken), 2), sum(r[2] for r in rows) / len(rows)


# ---------------------------------------------------------------- digitisation


def _returned(scope: Scope) -> dict[int | None, tuple]:
    """(returned in the period, returned electronically)."""
    return _by_group(
        scope,
        scope.dossiers(
            func.count(),
            count_if(Dossier.return_method == "electronic"),
        ).where(in_period(Dossier.returned_at, scope.period)),
    )


def _digitisation(counts: Counts) -> list[Indicator]:
    _, _, _, n_paper, n_paper_digitised = counts.received
    n_decided, _, n_results_digitised = counts.decided
    n_returned, n_electronic = counts.returned
    return [
        Indicator(
            "electronic_result",
            "digitisation",
            "Hồ sơ trả kết quả điện tử",
            n_electronic,
            n_returned,
            "Số hồ sơ trả kết quả trong kỳ bằng bản điện tử / số hồ sơ trả kết quả trong kỳ",
        ),
        Indicator(
            "digitised",
            "digitisation",
            "Số hóa hồ sơ, kết quả giải quyết",
            n_paper_digitised + n_results_digitised,
            n_paper + n_decided,
            "(Số hồ sơ nộp trực tiếp hoặc qua bưu chính tiếp nhận trong kỳ đã được số hóa thành phần hồ sơ + số "
            "hồ sơ có kết quả trong kỳ mà kết quả được lưu bản điện tử) / (số hồ sơ nộp trực tiếp hoặc qua bưu "
            "chính tiếp nhận trong kỳ + số hồ sơ có kết quả trong kỳ); hồ sơ nộp trực tuyến đã là bản điện tử "
            "nên không tính vào phần thành phần hồ sơ",
            note=f"Thành phần hồ sơ giấy đã số hóa: {n_paper_digitised}/{n_paper}; "
            f"kết quả lưu bản điện tử: {n_results_digitised}/{n_decided}.",
        ),
    ]


# ---------------------------------------------------------------- online provision


def _with_fee(scope: Scope) -> int:
    """Published procedures with a fee (the catalogue's, the same for every agency)."""
    return db.session.scalar(
        sql.procedure_filter(
            db.select(func.count())
            .select_from(Procedure)
            .join(ProcedureVersion, ProcedureVersion.id == Procedure.current_version_id)
            .where(ProcedureVersion.fee > 0, Procedure.is_published.is_(True)),
            scope.procedure,
        )
    )


def _online(counts: Counts, catalogue: Catalogue) -> list[Indicator]:
    n_received, n_online, _, _, _ = counts.received
    n_procedures, n_offered = catalogue.offered
    n_with_dossiers = len(counts.online_procedures)
    n_paid_online, n_paid = counts.fees
    n_procedures_paid_online = len(counts.paid_online_procedures)
    n_with_fee = catalogue.with_fee
    return [
        Indicator(
            "procedures_online",
            "online",
            "Thủ tục cung cấp dịch vụ công trực tuyến",
            n_offered,
            n_procedures,
            "Số thủ tục đang công bố cung cấp dịch vụ công trực tuyến toàn trình hoặc một phần / tổng số thủ tục "
            "đang công bố",
        ),
        Indicator(
            "services_with_dossiers",
            "online",
            "Dịch vụ công trực tuyến có phát sinh hồ sơ",
            n_with_dossiers,
            n_offered,
            "Số thủ tục cung cấp trực tuyến có hồ sơ nộp trực tuyến tiếp nhận trong kỳ / số thủ tục "
            "cung cấp trực tuyến (toàn trình hoặc một phần)",
        ),
        Indicator(
            "filed_online",
            "online",
            "Tỷ lệ hồ sơ nộp trực tuyến",
            n_online,
            n_received,
            "Số hồ sơ tiếp nhận trong kỳ nộp trực tuyến / số hồ sơ tiếp nhận trong kỳ",
        ),
        Indicator(
            "procedures_paid_online",
            "online",
            "Thủ tục có giao dịch thanh toán trực tuyến",
            n_procedures_paid_online,
            n_with_fee,
            "Số thủ tục có phí, lệ phí được thanh toán trực tuyến trong kỳ / số thủ tục có phí, lệ phí",
        ),
        Indicator(
            "dossiers_paid_online",
            "online",
            "Hồ sơ thanh toán trực tuyến",
            n_paid_online,
            n_paid,
            "Số hồ sơ có phí, lệ phí nộp trực tuyến trong kỳ / số hồ sơ đã nộp phí, lệ phí trong kỳ",
        ),
    ]


def _online_level(version):
    return version.content["online_level"].as_string()


def _procedures_offered(scope: Scope) -> tuple[int, int]:
    """(published procedures, those whose current version is offered online, fully or partly); for one
    agency, the procedures it receives: a commune's centre its commune-level ones (LAW-2026 §3)."""
    if scope.agency:
        return _procedures_offered_by_level(scope)[scope.agency != agency_queries.PROVINCIAL_KEY]
    statement = (
        db.select(func.count(), count_if(_online_level(ProcedureVersion).in_(ONLINE_LEVELS)))
        .select_from(Procedure)
        .join(ProcedureVersion, ProcedureVersion.id == Procedure.current_version_id)
        .where(Procedure.is_published.is_(True))
    )
    return db.session.execute(sql.procedure_filter(statement, scope.procedure)).one()


def _procedures_offered_by_level(scope: Scope) -> dict[bool, tuple[int, int]]:
    """The published procedures an agency receives, for the provincial centre (False) and for a commune's
    centre (True): read from the catalogue once (a few dozen rows), as a procedure's level lives in its
    version's content."""
    statement = sql.procedure_filter(
        db.select(ProcedureVersion)
        .join(Procedure, Procedure.current_version_id == ProcedureVersion.id)
        .where(Procedure.is_published.is_(True)),
        scope.procedure,
    )
    catalogue = db.session.scalars(statement).all()
    found = {}
    for commune in (False, True):
        versions = [v for v in catalogue if (v.may_be_commune_level if commune else v.level != "commune")]
        offered = sum(v.content.get("online_level", "none") in ONLINE_LEVELS for v in versions)
        found[commune] = (len(versions), offered)
    return found


def _procedures_with_online_dossiers(scope: Scope) -> dict[int | None, set[str]]:
    """Procedures offered online (by their current version) with an online dossier received in the period.
    The versions filed under come first from the received range (indexed), then their procedures."""
    filed = (
        scope.dossiers(Dossier.procedure_version_id, *_group_column(scope))
        .where(scope.received(), Dossier.channel == "online")
        .distinct()
        .subquery()
    )
    version, current = aliased(ProcedureVersion), aliased(ProcedureVersion)
    group = [filed.c.agency_id] if scope.by_agency else []
    statement = (
        db.select(Procedure.code, *group)
        .select_from(filed)
        .join(version, version.id == filed.c.procedure_version_id)
        .join(Procedure, Procedure.id == version.procedure_id)
        .join(current, current.id == Procedure.current_version_id)
        .where(Procedure.is_published.is_(True), _online_level(current).in_(ONLINE_LEVELS))
        .distinct()
    )
    found: dict[int | None, set[str]] = {}
    for row in db.session.execute(statement):
        found.setdefault(_group_of(scope, row), set()).add(row[0])
    return found


def _fees_paid(scope: Scope) -> dict[int | None, tuple[tuple[int, int], set[str]]]:
    """((fees paid online in the period, fees paid in the period), procedures with a fee paid online).
    Read from the payments paid in the period (an indexed range), never from every dossier."""
    online = PaymentAttempt.gateway.in_(ONLINE_GATEWAYS)
    statement = (
        db.select(Procedure.code, count_if(online), func.count(PaymentOrder.id), *_group_column(scope))
        .select_from(PaymentOrder)
        .join(Dossier, Dossier.id == PaymentOrder.dossier_id)
        .join(ProcedureVersion, ProcedureVersion.id == Dossier.procedure_version_id)
        .join(Procedure, Procedure.id == ProcedureVersion.procedure_id)
        .join(PaymentAttempt, PaymentAttempt.id == PaymentOrder.paid_attempt_id)
        .where(PaymentOrder.status == "paid", in_period(PaymentOrder.paid_at, scope.period))
        .group_by(Procedure.code, *_group_column(scope))
    )
    statement = sql.procedure_filter(scope.of_dossiers(statement), scope.procedure)
    found: dict[int | None, tuple[tuple[int, int], set[str]]] = {}
    for row in db.session.execute(statement):
        code, n_online, n_paid = row[:3]
        (so_far_online, so_far_paid), codes = found.get(_group_of(scope, row), ((0, 0), set()))
        if n_online:
            codes = codes | {code}
        found[_group_of(scope, row)] = ((so_far_online + n_online, so_far_paid + n_paid), codes)
    return found


# ---------------------------------------------------------------- satisfaction


def _satisfaction(counts: Counts) -> list[Indicator]:
    n_feedback, n_on_time, n_unsatisfied_or_late = counts.feedback
    n_dossiers, n_against = counts.against
    return [
        Indicator(
            "feedback_on_time",
            "satisfaction",
            "Phản ánh, kiến nghị được xử lý đúng hạn",
            n_on_time,
            n_feedback,
            "Số phản ánh, kiến nghị nhận trong kỳ được trả lời đúng hoặc trước hạn / tổng số phản ánh, kiến "
            "nghị nhận trong kỳ (đã hoặc chưa trả lời)",
        ),
        Indicator(
            "feedback_satisfied",
            "satisfaction",
            "Hài lòng trong xử lý phản ánh, kiến nghị",
            n_feedback - n_unsatisfied_or_late,
            n_feedback,
            "(Tổng số phản ánh, kiến nghị nhận trong kỳ − số phản ánh, kiến nghị bị đánh giá không hài lòng "
            "với câu trả lời hoặc xử lý quá hạn, kể cả chưa trả lời khi đã quá hạn) / tổng số phản ánh, kiến "
            "nghị nhận trong kỳ",
        ),
        Indicator(
            "satisfied",
            "satisfaction",
            "Hài lòng trong tiếp nhận, giải quyết thủ tục hành chính",
            n_dossiers - n_against,
            n_dossiers,
            "(Tổng số hồ sơ tiếp nhận trong kỳ − số hồ sơ bị đánh giá không hài lòng (mức 1–2), có phản ánh, "
            "kiến nghị về việc tiếp nhận, giải quyết, hoặc quá hạn) / tổng số hồ sơ tiếp nhận trong kỳ",
        ),
    ]


def _feedback(scope: Scope) -> dict[int | None, tuple]:
    """(filed in the period, answered on time, judged unsatisfactory or handled late)."""
    late = or_(
        Feedback.answered_on_time.is_(False),
        and_(Feedback.answered_at.is_(None), Feedback.due_date < scope.today),
    )
    statement = (
        db.select(
            func.count(),
            count_if(Feedback.answered_on_time.is_(True)),
            count_if(or_(Feedback.satisfied.is_(False), late)),
        )
        .select_from(Feedback)
        .where(in_period(Feedback.created_at, scope.period))
    )
    if scope.procedure:
        statement = statement.where(Feedback.procedure_code == scope.procedure)
    if scope.department_id or scope.agency or scope.by_agency:
        statement = scope.of_dossiers(statement.join(Dossier, Dossier.id == Feedback.dossier_id))
    return _by_group(scope, statement)


def _dossiers_against(scope: Scope) -> dict[int | None, tuple]:
    """(dossiers received in the period, those rated unsatisfied, complained about, or late)."""
    rated_unsatisfied = (
        db.select(Rating.id).where(Rating.dossier_id == Dossier.id, Rating.overall <= UNSATISFIED).exists()
    )
    complained = db.select(Feedback.id).where(Feedback.dossier_id == Dossier.id).exists()
    late = or_(
        Dossier.completed_on_time.is_(False),
        and_(Dossier.decided_at.is_(None), Dossier.status.in_(RUNNING), Dossier.due_date < scope.today),
    )
    return _by_group(
        scope,
        scope.dossiers(func.count(), count_if(or_(rated_unsatisfied, complained, late))).where(
            scope.received()
        ),
    )
