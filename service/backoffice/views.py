"""The back office: worklists, officials' actions on a dossier, bulk assignment, extension, comments."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.exceptions import NotFound

from forms.backoffice import ActionForm, CommentForm, ExtendForm, WorklistFilters
from forms.base import options
from service import audit
from service.access import allow
from service.accounts.roles import DOSSIER_ROLES, Role
from service.backoffice import queries
from service.deadlines.calendar import current_calendar
from service.dossiers import processing
from service.dossiers import queries as dossier_queries
from service.dossiers.operations import DossierError
from service.dossiers.page import Kept, dossier_page
from service.dossiers.processing import StaleAction
from service.nationalportal import queries as portal_queries
from service.procedures import queries as procedure_queries
from service.timeutil import local_today
from service.workdays import DUE_STATE_LABELS
from workflows.states import EVENT_LABELS, STATUS_LABELS

bp = Blueprint("backoffice", __name__, url_prefix="/officials")
OFFICIALS = tuple(DOSSIER_ROLES)


ASSIGNERS = (Role.RECEPTION, Role.LEADER)  # as assign_many allows
ASSIGNABLE = ("received", "assigned")
# The worklist's "Kênh nộp" column, short (Dossier.channel; a dossier taken in from the national portal
# is "online" there, told apart by its sync record).
WORKLIST_CHANNELS = {"online": "Trực tuyến", "desk": "Trực tiếp", "post": "Bưu chính"}
PORTAL_CHANNEL = "Cổng DVC quốc gia"


@bp.route("/dossiers")
@allow(*OFFICIALS)
def worklist():
    allowed = queries.LISTS_BY_ROLE[current_user.role]
    chosen = request.args.get("list", queries.DEFAULT_LIST[current_user.role])
    form = WorklistFilters(request.args)
    form.procedure.choices = options([("", "Tất cả"), *procedure_queries.names()])
    form.status.choices = options(
        [("", "Tất cả"), *[(s.value, label) for s, label in STATUS_LABELS.items() if s != "draft"]]
    )
    form.validate()
    filters = queries.Filters(
        list=chosen if chosen in allowed else allowed[0],
        procedure=form.procedure.data or "",
        status=form.status.data or "",
        due=form.due.data or "",
        q=form.q.data or "",
        date_from=None if form.date_from.errors else form.date_from.data,
        date_to=None if form.date_to.errors else form.date_to.data,
        after=request.args.get("after", "")[:40],
        before=request.args.get("before", "")[:40],
    )
    page = queries.worklist(current_user, filters)
    searched = queries.personal_search(filters.q)
    if searched:  # who looked for a person by their number (ASVS 8.3.5); the number itself is not kept
        audit.record_view(
            None,
            event="dossier.searched",
            details={"search": searched, "list": filters.list},
            object_type="dossiers",
        )
    calendar, today = current_calendar(), local_today()
    # The select column and the bulk assignment only where a row can be assigned by this official.
    may_assign = current_user.role in ASSIGNERS
    selectable = {d.id for d in page.items if d.status in ASSIGNABLE} if may_assign else set()
    return render_template(
        "backoffice/worklist.html",
        page=page,
        filters=filters,
        form=form,
        tab_cap=queries.TAB_COUNT_CAP,
        pager_args={k: v for k, v in request.args.items() if k not in ("after", "before", "page")},
        lists=[(n, queries.LISTS[n]) for n in allowed],
        list_counts=queries.list_counts(current_user),
        due_state=lambda d: (
            calendar.due_state(d.due_date, today) if d.due_date and d.status in queries.RUNNING else None
        ),
        due_labels=DUE_STATE_LABELS,
        specialists=queries.specialists(current_user.agency) if may_assign else [],
        selectable=selectable,
        channels=_channels(page.items),
    )


def _channels(dossiers) -> dict[int, str]:
    """How each row's dossier came, as the worklist names it: one query for the page, whatever its size."""
    on_portal = portal_queries.filed_on_portal([d.id for d in dossiers])
    return {
        d.id: PORTAL_CHANNEL if d.id in on_portal else WORKLIST_CHANNELS.get(d.channel, d.channel)
        for d in dossiers
    }


@bp.route("/dossiers/<int:dossier_id>/act/<event>", methods=["POST"])
@allow(*OFFICIALS)
def act(dossier_id: int, event: str):
    dossier = dossier_queries.get_viewable(dossier_id, current_user)
    if event not in EVENT_LABELS or event in processing.APPLICANT_EVENTS:
        abort(404)
    form = ActionForm()
    if not form.validate():
        return _not_done(
            dossier.id, f"act:{event}", DossierError("Dữ liệu nhập chưa hợp lệ: " + _errors(form))
        )
    try:
        processing.act(
            dossier.id, current_user, event, form.data, form.version.data, request.files.get("attachment")
        )
    except DossierError as error:
        return _not_done(dossier_id, f"act:{event}", error)
    flash(f"Đã thực hiện: {EVENT_LABELS[event]}.", "success")
    return redirect(url_for("dossiers.detail", dossier_id=dossier_id))


def _errors(form) -> str:
    return "; ".join(e for errors in form.errors.values() for e in errors)


def _not_done(dossier_id: int, form: str, error: DossierError):
    """The step was not taken: the dossier page again, as it stands now, with the reason and what the
    official typed back in the form it came from (409 when someone else changed the dossier meanwhile,
    503 when the file store failed)."""
    flash(error.message, "warning" if isinstance(error, StaleAction) else "error")
    dossier = dossier_queries.get_viewable(dossier_id, current_user)
    return dossier_page(dossier, Kept.from_request(form)), error.status


@bp.route("/dossiers/assign", methods=["POST"])
@allow(Role.RECEPTION, Role.LEADER)
def assign_many():
    ids = list(dict.fromkeys(i for i in request.form.getlist("dossier_ids", type=int) if 0 < i < 2**31))[:200]
    assignee_id = request.form.get("assignee_id", "")
    done, failed = 0, []
    for dossier_id in ids:
        try:
            processing.act(dossier_id, current_user, "assign", {"assignee_id": assignee_id}, None)
        except DossierError as error:
            failed.append(error.message)
            continue
        except NotFound:
            failed.append("Không tìm thấy hồ sơ.")
            continue
        done += 1
    if done:
        flash(f"Đã phân công {done} hồ sơ.", "success")
    if failed or not ids:
        flash(
            f"{len(failed) or 'Không có'} hồ sơ chưa được phân công. {failed[0] if failed else 'Vui lòng chọn hồ sơ.'}",
            "error",
        )
    return redirect(request.referrer or url_for("backoffice.worklist"))


@bp.route("/dossiers/<int:dossier_id>/extend", methods=["POST"])
@allow(*OFFICIALS)
def extend(dossier_id: int):
    dossier = dossier_queries.get_viewable(dossier_id, current_user)
    form = ExtendForm()
    if not form.validate():
        return _not_done(dossier.id, "extend", DossierError(_errors(form)))
    try:
        processing.extend(dossier.id, current_user, form.new_date.data, form.reason.data, form.version.data)
    except DossierError as error:
        return _not_done(dossier.id, "extend", error)
    flash("Đã gửi văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết.", "success")
    return redirect(url_for("dossiers.detail", dossier_id=dossier_id))


@bp.route("/dossiers/<int:dossier_id>/comments", methods=["POST"])
@allow(*OFFICIALS)
def comment(dossier_id: int):
    dossier = dossier_queries.get_viewable(dossier_id, current_user)
    form = CommentForm()
    if not form.validate():
        return _not_done(dossier.id, "comment", DossierError(_errors(form)))
    processing.comment(dossier.id, current_user, form.body.data)
    flash("Đã ghi ý kiến.", "success")
    return redirect(url_for("dossiers.detail", dossier_id=dossier_id, _anchor="comments"))
