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

from dataclasses import asdict, dataclass
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
        return statement

    def received(self):
        return in_period(Dossier.received_at, self.period)

    def decided(self):
        return in_period(Dossier.decided_at, self.period)


def indicators(
    period: Period,
    procedure: str | None = None,
    department_id: int | None = None,
    today: date | None = None,
    agency: str | None = None,
) -> list[Indicator]:
    """The indicators for the province, or for one receiving agency (`agency`: its statistics key)."""
    scope = Scope(period, procedure, department_id, today or local_today(), agency)
    received, decided = _received(scope), _decided(scope)
    return [
        _synchronised(received),
        *_progress(scope, decided),
        *_digitisation(scope, received, decided),
        *_online(scope, received),
        *_satisfaction(scope),
    ]


# ---------------------------------------------------------------- the shared counts


def _received(scope: Scope):
    """(received, filed online, synchronised, on paper, on paper with components digitised)."""
    paper = Dossier.channel.in_(PAPER_CHANNELS)
    return db.session.execute(
        scope.dossiers(
            func.count(),
            count_if(Dossier.channel == "online"),
            count_if(Dossier.national_sync_at.is_not(None)),
            count_if(paper),
            count_if(and_(paper, Dossier.components_digitised_at.is_not(None))),
        ).where(scope.received())
    ).one()


def _decided(scope: Scope):
    """(decided, decided on time, with the result kept electronically)."""
    return db.session.execute(
        scope.dossiers(
            func.count(),
            count_if(Dossier.completed_on_time.is_(True)),
            count_if(_result_digitised()),
        ).where(scope.decided())
    ).one()


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


def _progress(scope: Scope, decided) -> list[Indicator]:
    n_decided, n_on_time, _ = decided
    average, legal = _average_working_days(scope)
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


def _average_working_days(scope: Scope) -> tuple[float | None, float | None]:
    """(average working days taken, average legal processing days) of the dossiers decided in the period.
    One query for the (start, end) pairs, one walk of the calendar for them all."""
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
            with_procedure=True,
        ).where(scope.decided(), Dossier.received_at.is_not(None))
    ).all()
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


def _digitisation(scope: Scope, received, decided) -> list[Indicator]:
    _, _, _, n_paper, n_paper_digitised = received
    n_decided, _, n_results_digitised = decided
    n_returned, n_electronic = db.session.execute(
        scope.dossiers(
            func.count(),
            count_if(Dossier.return_method == "electronic"),
        ).where(in_period(Dossier.returned_at, scope.period))
    ).one()
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


def _online(scope: Scope, received) -> list[Indicator]:
    n_received, n_online, _, _, _ = received
    n_procedures, n_offered = _procedures_offered(scope)
    n_with_dossiers = _procedures_with_online_dossiers(scope)
    n_paid_online, n_paid, n_procedures_paid_online = _fees_paid(scope)
    n_with_fee = db.session.scalar(
        sql.procedure_filter(
            db.select(func.count())
            .select_from(Procedure)
            .join(ProcedureVersion, ProcedureVersion.id == Procedure.current_version_id)
            .where(ProcedureVersion.fee > 0, Procedure.is_published.is_(True)),
            scope.procedure,
        )
    )
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
        return _procedures_offered_by(scope)
    statement = (
        db.select(func.count(), count_if(_online_level(ProcedureVersion).in_(ONLINE_LEVELS)))
        .select_from(Procedure)
        .join(ProcedureVersion, ProcedureVersion.id == Procedure.current_version_id)
        .where(Procedure.is_published.is_(True))
    )
    return db.session.execute(sql.procedure_filter(statement, scope.procedure)).one()


def _procedures_offered_by(scope: Scope) -> tuple[int, int]:
    """The published procedures an agency receives: read from the catalogue (a few dozen rows), as a
    procedure's level lives in its version's content."""
    statement = sql.procedure_filter(
        db.select(ProcedureVersion)
        .join(Procedure, Procedure.current_version_id == ProcedureVersion.id)
        .where(Procedure.is_published.is_(True)),
        scope.procedure,
    )
    commune = scope.agency != agency_queries.PROVINCIAL_KEY
    versions = [
        v
        for v in db.session.scalars(statement)
        if (v.may_be_commune_level if commune else v.level != "commune")
    ]
    offered = sum(v.content.get("online_level", "none") in ONLINE_LEVELS for v in versions)
    return len(versions), offered


def _procedures_with_online_dossiers(scope: Scope) -> int:
    """Procedures offered online (by their current version) with an online dossier received in the period.
    The versions filed under come first from the received range (indexed), then their procedures."""
    filed = (
        scope.dossiers(Dossier.procedure_version_id)
        .where(scope.received(), Dossier.channel == "online")
        .distinct()
        .subquery()
    )
    version, current = aliased(ProcedureVersion), aliased(ProcedureVersion)
    statement = (
        db.select(func.count(func.distinct(Procedure.code)))
        .select_from(filed)
        .join(version, version.id == filed.c.procedure_version_id)
        .join(Procedure, Procedure.id == version.procedure_id)
        .join(current, current.id == Procedure.current_version_id)
        .where(Procedure.is_published.is_(True), _online_level(current).in_(ONLINE_LEVELS))
    )
    return db.session.scalar(statement)


def _fees_paid(scope: Scope) -> tuple[int, int, int]:
    """(fees paid online in the period, fees paid in the period, procedures with a fee paid online).
    Read from the payments paid in the period (an indexed range), never from every dossier."""
    online = PaymentAttempt.gateway.in_(ONLINE_GATEWAYS)
    statement = (
        db.select(
            count_if(online),
            func.count(PaymentOrder.id),
            func.count(func.distinct(db.case((online, Procedure.code)))),
        )
        .select_from(PaymentOrder)
        .join(Dossier, Dossier.id == PaymentOrder.dossier_id)
        .join(ProcedureVersion, ProcedureVersion.id == Dossier.procedure_version_id)
        .join(Procedure, Procedure.id == ProcedureVersion.procedure_id)
        .join(PaymentAttempt, PaymentAttempt.id == PaymentOrder.paid_attempt_id)
        .where(PaymentOrder.status == "paid", in_period(PaymentOrder.paid_at, scope.period))
    )
    statement = scope.of_dossiers(statement)
    return db.session.execute(sql.procedure_filter(statement, scope.procedure)).one()


# ---------------------------------------------------------------- satisfaction


def _satisfaction(scope: Scope) -> list[Indicator]:
    n_feedback, n_on_time, n_unsatisfied_or_late = _feedback(scope)
    n_dossiers, n_against = _dossiers_against(scope)
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


def _feedback(scope: Scope) -> tuple[int, int, int]:
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
    if scope.department_id or scope.agency:
        statement = scope.of_dossiers(statement.join(Dossier, Dossier.id == Feedback.dossier_id))
    return db.session.execute(statement).one()


def _dossiers_against(scope: Scope) -> tuple[int, int]:
    """(dossiers received in the period, those rated unsatisfied, complained about, or late)."""
    rated_unsatisfied = (
        db.select(Rating.id).where(Rating.dossier_id == Dossier.id, Rating.overall <= UNSATISFIED).exists()
    )
    complained = db.select(Feedback.id).where(Feedback.dossier_id == Dossier.id).exists()
    late = or_(
        Dossier.completed_on_time.is_(False),
        and_(Dossier.decided_at.is_(None), Dossier.status.in_(RUNNING), Dossier.due_date < scope.today),
    )
    return db.session.execute(
        scope.dossiers(func.count(), count_if(or_(rated_unsatisfied, complained, late))).where(
            scope.received()
        )
    ).one()
