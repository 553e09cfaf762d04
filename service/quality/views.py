"""Service quality: citizens rate and give feedback on their dossiers; officials answer and read the
Decision 766 indicators and the statistics table; the public reads the same figures (no personal
data, cached); an API returns each indicator's numerator, denominator and ratio."""

from __future__ import annotations

from datetime import date, timedelta

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from service.access import ANYONE, allow
from service.accounts.roles import APPLICANT_ROLES, Role
from service.agencies import queries as agency_queries
from service.cache import cache, public_page
from service.dossiers import queries as dossier_queries
from service.dossiers.models import Dossier
from service.downloads import send_attachment
from service.extensions import db
from service.procedures.models import Procedure
from service.quality import agency_indicators, exports, indicators, operations, scoring, statistics
from service.quality import queries as quality_queries
from service.quality import ratings as ratings_queries
from service.quality.models import CRITERIA, FEEDBACK_KINDS, SCORE_LABELS, Feedback, Rating
from service.requests import database_int
from service.timeutil import local_today

bp = Blueprint("quality", __name__)
STATS_ROLES = (Role.LEADER, Role.SPECIALIST, Role.RECEPTION, Role.ADMIN)
FEEDBACK_ROLES = (Role.RECEPTION, Role.SPECIALIST, Role.LEADER)
RATINGS_ROLES = (Role.RECEPTION, Role.SPECIALIST, Role.LEADER, Role.ADMIN)
PUBLIC_CACHE_SECONDS = 600


@bp.app_context_processor
def quality_labels():
    return {"criteria": CRITERIA, "score_labels": SCORE_LABELS, "feedback_kinds": FEEDBACK_KINDS}


# ---------------------------------------------------------------- citizens


def _own_dossier(dossier_id: int):
    dossier = dossier_queries.get_viewable(dossier_id, current_user)
    if dossier.owner_id != current_user.id:
        abort(404)
    return dossier


@bp.route("/dossiers/<int:dossier_id>/rating", methods=["GET", "POST"])
@allow(*APPLICANT_ROLES)
def rate(dossier_id: int):
    dossier = _own_dossier(dossier_id)
    existing = db.session.scalar(db.select(Rating).where(Rating.dossier_id == dossier.id))
    if existing is not None:
        return render_template("quality/rating.html", dossier=dossier, rating=existing, error=None)
    if dossier.status != "returned":
        return render_template(
            "quality/rating.html",
            dossier=dossier,
            rating=None,
            error="Chỉ đánh giá được sau khi hồ sơ đã được trả kết quả.",
        ), 409
    error = None
    if request.method == "POST":
        scores = {key: request.form.get(key, type=int) for key in CRITERIA}
        try:
            operations.rate(dossier, current_user, scores, request.form.get("comment", ""))
        except operations.QualityError as problem:
            error = str(problem)
        else:
            flash("Cảm ơn bạn đã đánh giá chất lượng phục vụ.", "success")
            return redirect(url_for("dossiers.detail", dossier_id=dossier.id))
    return render_template("quality/rating.html", dossier=dossier, rating=None, error=error), (
        400 if error else 200
    )


@bp.route("/dossiers/<int:dossier_id>/feedback", methods=["POST"])
@allow(*APPLICANT_ROLES)
def file_feedback(dossier_id: int):
    dossier = _own_dossier(dossier_id)
    try:
        operations.file_feedback(
            dossier, current_user, request.form.get("kind", ""), request.form.get("content", "")
        )
    except operations.QualityError as problem:
        flash(str(problem), "error")
    else:
        flash("Đã gửi phản ánh, kiến nghị; cơ quan sẽ trả lời trong 10 ngày làm việc.", "success")
    return redirect(url_for("dossiers.detail", dossier_id=dossier.id) + "#feedback")


@bp.route("/feedback/<int:feedback_id>/judge", methods=["POST"])
@allow(*APPLICANT_ROLES)
def judge_feedback(feedback_id: int):
    answer = request.form.get("satisfied")
    if answer not in ("yes", "no"):
        feedback = quality_queries.feedback(feedback_id)
        if feedback is None or feedback.dossier.owner_id != current_user.id:
            abort(404)
        flash("Vui lòng chọn hài lòng hoặc chưa hài lòng.", "error")
        return redirect(url_for("dossiers.detail", dossier_id=feedback.dossier_id) + "#feedback"), 303
    try:
        feedback = operations.judge(feedback_id, current_user, answer == "yes")
    except LookupError:
        abort(404)
    except operations.QualityError as problem:
        flash(str(problem), "error")
        feedback = db.session.get(Feedback, feedback_id)
    else:
        flash("Cảm ơn bạn đã cho biết ý kiến về câu trả lời.", "success")
    return redirect(url_for("dossiers.detail", dossier_id=feedback.dossier_id) + "#feedback")


# ---------------------------------------------------------------- officials


def _feedback_in_reach(statement):
    """Feedback on the dossiers of the official's receiving agency; a specialist's on the dossiers
    assigned to them only, as they see only those (dossier_queries.can_view)."""
    statement = statement.join(Feedback.dossier).where(
        agency_queries.held_by(current_user.agency, Dossier.agency_id)
    )
    if current_user.role == Role.SPECIALIST:
        return statement.where(Dossier.assignee_id == current_user.id)
    return statement


@bp.route("/officials/feedback")
@allow(*FEEDBACK_ROLES)
def feedback_list():
    return _feedback_page(request.args.get("show", "open"))


def _feedback_page(show: str, typed: dict[int, str] | None = None, errors: dict[int, str] | None = None):
    """`typed` and `errors`: an answer refused, by feedback, with its text as typed."""
    statement = _feedback_in_reach(db.select(Feedback)).order_by(Feedback.due_date, Feedback.id)
    statement = statement.where(
        Feedback.answered_at.is_(None) if show == "open" else Feedback.answered_at.is_not(None)
    )
    items = db.session.scalars(statement.options(db.joinedload(Feedback.dossier)).limit(200)).all()
    return render_template(
        "quality/feedback_list.html",
        items=items,
        show=show,
        today=local_today(),
        typed=typed or {},
        errors=errors or {},
        names=ratings_queries.procedure_names({f.procedure_code for f in items}),
    ), (400 if errors else 200)


@bp.route("/officials/feedback/<int:feedback_id>/answer", methods=["POST"])
@allow(*FEEDBACK_ROLES)
def answer_feedback(feedback_id: int):
    feedback = quality_queries.feedback(feedback_id)
    if feedback is None or not dossier_queries.can_view(current_user, feedback.dossier):
        abort(404)
    typed = request.form.get("answer", "")
    try:
        operations.answer(feedback_id, current_user, typed)
    except operations.QualityError as problem:
        return _feedback_page("open", typed={feedback_id: typed}, errors={feedback_id: str(problem)})
    flash("Đã trả lời; người nộp được thông báo qua email.", "success")
    return redirect(url_for("quality.feedback_list"))


@bp.route("/officials/ratings")
@allow(*RATINGS_ROLES)
def ratings():
    """Ratings of the procedures (never who gave them): every criterion's average and recent comments."""
    recent = ratings_queries.recent_comments()
    return render_template(
        "quality/ratings.html",
        rows=ratings_queries.by_procedure(),
        total=ratings_queries.overall(),
        recent=recent,
        names=ratings_queries.procedure_names({r.procedure_code for r in recent}),
    )


def _period_from_args(default_month: bool = True) -> tuple[indicators.Period | None, str | None]:
    today = local_today()
    start = request.args.get("from") or (today.replace(day=1).isoformat() if default_month else "")
    end = request.args.get("to") or today.isoformat()
    try:
        return indicators.Period.parse(start, end), None
    except indicators.PeriodError as problem:
        return indicators.Period(today.replace(day=1), today), str(problem)


def _agency_from_args() -> str | None:
    """The statistics' receiving agency (the provincial centre's key or a commune's ward code); None
    (the whole province) for anything else."""
    key = (request.args.get("agency") or "")[:12]
    return key if key in dict(agency_queries.statistics_choices()) else None


def _procedures() -> list[tuple[str, str]]:
    from service.procedures.models import ProcedureVersion

    return db.session.execute(
        db.select(Procedure.code, ProcedureVersion.name)
        .join(ProcedureVersion, ProcedureVersion.id == Procedure.current_version_id)
        .where(Procedure.is_published.is_(True))
        .order_by(Procedure.code)
    ).all()


@bp.route("/officials/stats")
@allow(*STATS_ROLES)
def dashboard():
    period, error = _period_from_args()
    procedure = (request.args.get("procedure") or "")[:40] or None
    department_id = request.args.get("department_id", type=database_int)
    # A commune's officials see their own agency's figures; the provincial staff any agency's, and each
    # agency's indicators side by side (issue 14: statistics per agency and for the province).
    own = agency_indicators.own_key(current_user)
    agency = own or _agency_from_args()
    found = indicators.indicators(period, procedure, department_id, agency=agency)
    card = scoring.score(found, scoring.scheme_for(period.end))
    table = statistics.statistics(period, procedure, department_id, agency)
    export = request.args.get("format")
    if export == "indicators":
        return exports.indicators_xlsx(card, period)
    if export == "statistics":
        return exports.statistics_xlsx(table, period)
    departments = quality_queries.departments()
    return render_template(
        "quality/dashboard.html",
        card=card,
        table=table,
        period=period,
        error=error,
        procedure=procedure,
        procedures=_procedures(),
        department_id=department_id,
        departments=departments,
        agency=agency,
        agencies=[(k, n) for k, n in agency_queries.statistics_choices() if own is None or k == own],
        own_agency=own,
        by_agency=statistics.by_agency(period, procedure) if own is None else None,
        agency_cards=agency_indicators.by_agency(period, procedure)
        if own is None
        else [agency_indicators.card_for(period, own, procedure)],
        shown_indicators=agency_indicators.SHOWN,
        trend=statistics.monthly_trend(12, local_today(), procedure),
        public=False,
    ), (400 if error else 200)


@bp.route("/thong-ke")
@allow(ANYONE)
@public_page
def public():
    """The same figures for everyone: counts and ratios only, no dossier, name or code. The figures
    are cached for everyone, the page for anonymous visitors (service/cache.py)."""
    period, error = _period_from_args()
    procedure = (request.args.get("procedure") or "")[:40] or None
    agency = _agency_from_args()
    figures = _public_figures(period, procedure, agency)  # the figures are cached, never a rendered page
    page = render_template(
        "quality/dashboard.html",
        period=period,
        error=error,
        procedure=procedure,
        procedures=_procedures(),
        public=True,
        department_id=None,
        departments=[],
        agency=agency,
        agencies=agency_queries.statistics_choices(),
        **figures,
    )
    return page, (400 if error else 200)


def _public_figures(period, procedure, agency: str | None = None) -> dict:
    # The day in the key: the first visit of a new day (a period just closed) computes them afresh.
    key = f"public-stats:{period.start}:{period.end}:{procedure or ''}:{agency or ''}:{local_today()}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    found = indicators.indicators(period, procedure, agency=agency)
    figures = {
        "card": scoring.score(found, scoring.scheme_for(period.end)),
        "table": statistics.statistics(period, procedure, agency=agency),
        "by_agency": statistics.by_agency(period, procedure),
        "trend": statistics.monthly_trend(12, local_today(), procedure),
    }
    cache.set(key, figures, timeout=PUBLIC_CACHE_SECONDS)
    return figures


@bp.route("/api/v1/stats/indicators")
@allow(ANYONE)
def api_indicators():
    try:
        period = indicators.Period.parse(request.args.get("from"), request.args.get("to"))
    except indicators.PeriodError as problem:
        return jsonify({"error": str(problem)}), 400
    procedure = (request.args.get("procedure") or "")[:40] or None
    if procedure and not quality_queries.procedure_exists(procedure):
        return jsonify({"error": "Không có thủ tục mã này."}), 404
    found = indicators.indicators(period, procedure)
    card = scoring.score(found, scoring.scheme_for(period.end))
    return jsonify(
        {
            "from": period.start.isoformat(),
            "to": period.end.isoformat(),
            "procedure": procedure,
            "indicators": [i.as_json() for i in found],
            "score": card.as_json(),
        }
    )


@bp.route("/officials/stats/monthly.pdf")
@allow(*STATS_ROLES)
def monthly_pdf():
    """The month's statistics table as a PDF in the state document layout (Decree 30/2020)."""

    from service.documents.renderer import renderer

    month = request.args.get("month") or f"{local_today():%Y-%m}"
    try:
        first = date.fromisoformat(month[:7] + "-01")
    except ValueError:
        abort(400)
    if not 2000 <= first.year <= 2100:
        abort(400)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    period = indicators.Period(first, min(last, max(first, local_today())))
    table = statistics.statistics(period)
    card = scoring.score(indicators.indicators(period), scoring.scheme_for(period.end))
    data = exports.report_data(period, table, card)
    pdf = renderer(current_app.config["DOCUMENT_FONT_DIR"]).render("stats_monthly.html", data)
    return send_attachment(pdf, "application/pdf", f"thong-ke-{first:%Y-%m}.pdf")
