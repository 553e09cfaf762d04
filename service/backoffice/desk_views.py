"""The one-stop desk's paper filing (pages for reception officials): find or record the applicant by
identification number, pick the procedure and how the dossier came, fill the procedure's e-form, check
and scan each component, and answer at once (received with form 01, a supplement asked with form 02,
refused with form 03). Also the checklist on a dossier filed online that waits for reception."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from forms.dossier import form_class, ward_options
from service import audit, uploads
from service.access import allow
from service.accounts import walk_in
from service.accounts.operations import AccountError
from service.accounts.roles import Role
from service.backoffice.desk_forms import CHANNELS, LookupForm, PaperForm, WalkInForm
from service.dossiers import checklist, desk, table_rows
from service.dossiers import queries as dossier_queries
from service.dossiers.checklist import CheckVerdict, Verdict
from service.dossiers.drafts import posted_pairs
from service.dossiers.operations import DossierError, Incomplete
from service.dossiers.page import dossier_page
from service.procedures import queries as procedure_queries
from service.requests import database_int
from service.timeutil import local_today

bp = Blueprint("desk", __name__, url_prefix="/officials/desk")
CHANNEL_NAMES = dict(CHANNELS)


@bp.route("/")
@allow(Role.RECEPTION)
def start():
    applicant = walk_in.from_reference(request.args.get("applicant"))
    return _start_page(LookupForm(), applicant=applicant)


def _start_page(lookup, applicant=None, new_applicant=None, status: int = 200):
    procedures = []
    if applicant is not None:
        procedures = [
            (p.code, p.current_version.name)
            for p in procedure_queries.search()
            if applicant.role in p.current_version.applicant_roles
        ]
    page = render_template(
        "backoffice/desk_start.html",
        lookup=lookup,
        applicant=applicant,
        applicant_ref=walk_in.reference(applicant) if applicant is not None else None,
        new_applicant=new_applicant,
        procedures=procedures,
        channels=CHANNELS,
    )
    return page, status


@bp.route("/", methods=["POST"])
@allow(Role.RECEPTION)
def lookup():
    form = LookupForm()
    if not form.validate():
        return _start_page(form, status=400)
    found = walk_in.find(form.number.data)
    kind = walk_in.kind_of(form.number.data)
    # Who looked a person up by their number (ASVS 8.3.5); the number itself is not kept.
    audit.record_view(
        None, event="applicant.looked_up", details={"kind": kind, "found": bool(found)}, object_type="users"
    )
    if found is not None:
        return redirect(url_for("desk.start", applicant=walk_in.reference(found)))
    flash("Chưa có tài khoản nào mang số này: nhập thông tin người nộp để tạo hồ sơ người nộp.", "info")
    return _start_page(form, new_applicant=WalkInForm(formdata=None, number=form.number.data))


@bp.route("/applicants", methods=["POST"])
@allow(Role.RECEPTION)
def create_applicant():
    form = WalkInForm()
    if not form.validate():
        return _start_page(LookupForm(formdata=None), new_applicant=form, status=400)
    person = walk_in.WalkIn(
        number=form.number.data,
        full_name=form.full_name.data,
        phone=form.phone.data,
        email=form.email.data,
        organisation_name=form.organisation_name.data,
    )
    try:
        applicant = walk_in.create(person, current_user)
    except AccountError as error:
        flash(error.message, "error")
        return _start_page(LookupForm(formdata=None), new_applicant=form, status=400)
    flash(f"Đã ghi nhận người nộp {applicant.display_name}.", "success")
    return redirect(url_for("desk.start", applicant=walk_in.reference(applicant)))


@bp.route("/choose")
@allow(Role.RECEPTION)
def choose():
    """The start page's choice (a GET form) turned into the filing page's address."""
    applicant = walk_in.from_reference(request.args.get("applicant"))
    if applicant is None:
        abort(404)
    channel, code = request.args.get("channel", ""), request.args.get("procedure", "")
    if channel not in CHANNEL_NAMES or not code:
        flash("Vui lòng chọn thủ tục hành chính và hình thức nộp hồ sơ.", "error")
        return _start_page(LookupForm(formdata=None), applicant=applicant, status=400)
    ref = walk_in.reference(applicant)
    return redirect(url_for("desk.file", applicant_ref=ref, code=code[:40], channel=channel))


@bp.route("/file/<applicant_ref>/<code>/<channel>", methods=["GET", "POST"])
@allow(Role.RECEPTION)
def file(applicant_ref: str, code: str, channel: str):
    applicant = walk_in.from_reference(applicant_ref)
    if applicant is None or channel not in CHANNEL_NAMES:
        abort(404)
    version = procedure_queries.get_published(code).current_version
    fields = version.fields
    if request.method == "GET":
        paper = PaperForm(prefix="desk-", formdata=None, received_on=local_today())
        return _file_page(applicant, version, channel, form_class(fields, strict=False)(formdata=None), paper)
    pairs = table_rows.keep_known(posted_pairs(), fields)
    action = request.form.get("action", "")
    paper = PaperForm(prefix="desk-")
    if action.startswith(("add_row:", "remove_row:")):
        pairs, message = table_rows.apply_action(pairs, fields, action)
        flash(message or "Đã cập nhật bảng. Tệp đã chọn cần chọn lại trước khi ghi nhận hồ sơ.", "warning")
        return _file_page(
            applicant, version, channel, form_class(fields, strict=False)(MultiDict(pairs)), paper
        )
    eform = form_class(fields, strict=True)(formdata=MultiDict(pairs), meta={"csrf": False})
    valid = paper.validate() & eform.validate()
    verdicts = _posted_verdicts(version)
    if not valid:
        return _file_page(applicant, version, channel, eform, paper, verdicts=verdicts, status=400)
    filing = desk.PaperFiling(
        applicant=applicant,
        version=version,
        channel=channel,
        pairs=pairs,
        verdicts=verdicts,
        scans={d["key"]: request.files.getlist(f"scan-{d['key']}") for d in version.documents},
        outcome=paper.outcome.data,
        reason=paper.reason.data or "",
        received_on=paper.received_on.data if channel == "post" else None,
        postmarked_on=paper.postmarked_on.data if channel == "post" else None,
        delivery_method=paper.delivery_method.data,
        delivery_address=paper.postal_address(),
        fee_collected=paper.fee_collected.data,
    )
    try:
        dossier = desk.file_paper(current_user, filing)
    except Incomplete as error:
        return _file_page(applicant, version, channel, eform, paper, verdicts, error.problems, 400)
    except DossierError as error:
        flash(error.message, "error")
        return _file_page(applicant, version, channel, eform, paper, verdicts, status=error.status)
    flash(_done_message(dossier, paper.outcome.data), "success")
    return redirect(url_for("dossiers.detail", dossier_id=dossier.id, _anchor="documents"))


def _posted_verdicts(version) -> dict[str, Verdict]:
    return {
        d["key"]: Verdict(
            request.form.get(f"check-{d['key']}", ""), request.form.get(f"check-reason-{d['key']}", "")[:1001]
        )
        for d in checklist.required_documents(version)
        if request.form.get(f"check-{d['key']}")
    }


def _done_message(dossier, outcome: str) -> str:
    if outcome == "receive":
        return (
            f"Đã tiếp nhận hồ sơ {dossier.code}. Giấy tiếp nhận hồ sơ và hẹn trả kết quả (mẫu 01) được lập "
            "trong giây lát ở mục Văn bản bên dưới: in hai bản để người nộp và người tiếp nhận cùng ký."
        )
    form = (
        "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (mẫu 02)"
        if outcome == "request_supplement"
        else ("Phiếu từ chối tiếp nhận giải quyết hồ sơ (mẫu 03)")
    )
    return (
        f"Đã ghi nhận hồ sơ {dossier.code}. {form} được lập ở mục Văn bản bên dưới để in và giao người nộp."
    )


def _file_page(applicant, version, channel, eform, paper, verdicts=None, problems=(), status: int = 200):
    page = render_template(
        "backoffice/desk_file.html",
        applicant=applicant,
        applicant_ref=walk_in.reference(applicant),
        version=version,
        channel=channel,
        channel_name=CHANNEL_NAMES[channel],
        fields=version.fields,
        form=eform,
        paper=paper,
        verdicts=verdicts or {},
        verdict_choices=CheckVerdict.choices(),
        problems=problems,
        fee_at_filing=version.fee > 0 and not version.content.get("fee_at_result"),
        type_labels=uploads.FILE_TYPE_LABELS,
        ward_options=ward_options,
        today=local_today(),
    )
    return page, status


@bp.route("/dossiers/<int:dossier_id>/checklist", methods=["POST"])
@allow(Role.RECEPTION)
def check(dossier_id: int):
    """The checklist on a dossier waiting for reception; its findings go into form 02 or 03."""
    dossier = dossier_queries.get_viewable(dossier_id, current_user)
    verdicts = _posted_verdicts(dossier.procedure_version)
    try:
        desk.check_online(dossier.id, current_user, verdicts, request.form.get("version", type=database_int))
    except Incomplete as error:
        for problem in error.problems:
            flash(f"{problem.where}: {problem.message}", "error")
        return dossier_page(dossier_queries.get_viewable(dossier_id, current_user)), 400
    except DossierError as error:
        flash(error.message, "error")
        return dossier_page(dossier_queries.get_viewable(dossier_id, current_user)), error.status
    flash("Đã ghi kết quả kiểm tra thành phần hồ sơ.", "success")
    return redirect(url_for("dossiers.detail", dossier_id=dossier.id, _anchor="actions"))


@bp.route("/dossiers/<int:dossier_id>/supplement", methods=["POST"])
@allow(Role.RECEPTION)
def supplement(dossier_id: int):
    """A paper applicant's supplement, entered by the desk: the scans of what they handed in or posted."""
    dossier = dossier_queries.get_viewable(dossier_id, current_user)
    scans = {d["key"]: request.files.getlist(f"scan-{d['key']}") for d in dossier.procedure_version.documents}
    note = (request.form.get("note") or "").strip()[:2000]
    try:
        desk.supplement_on_paper(
            dossier.id, current_user, scans, note, request.form.get("version", type=database_int)
        )
    except DossierError as error:
        flash(error.message, "error")
        return dossier_page(dossier_queries.get_viewable(dossier_id, current_user)), error.status
    flash("Đã ghi nhận hồ sơ bổ sung của người nộp. Mã hồ sơ không thay đổi.", "success")
    return redirect(url_for("dossiers.detail", dossier_id=dossier.id, _anchor="actions"))
