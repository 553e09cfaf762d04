"""Online filing: drafts, e-form, attachments, review, submission, my dossiers, withdrawal."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import Forbidden

from forms.dossier import form_class, ward_options
from service import audit, uploads
from service.access import SIGNED_IN, allow
from service.accounts.roles import APPLICANT_ROLES
from service.agencies import queries as agency_queries
from service.dossiers import operations, processing, queries, quotas, school_filing, store, table_rows
from service.dossiers.display import describe, format_address
from service.dossiers.documents import RETURN_METHODS
from service.dossiers.drafts import posted_pairs, restore_stash
from service.dossiers.forms import SubmitForm
from service.dossiers.page import dossier_page
from service.downloads import send_upload
from service.payments.settlement import fee_order
from service.procedures.queries import get_published
from service.requests import database_int
from workflows.states import (
    APPLICANT_NOTE_EVENTS,
    EVENT_LABELS,
    INTERNAL_EVENTS,
    STATUS_LABELS,
    DossierStatus,
)

bp = Blueprint("dossiers", __name__)
APPLICANTS = tuple(APPLICANT_ROLES)


@bp.app_context_processor
def dossier_labels():
    return {
        "status_labels": STATUS_LABELS,
        "event_labels": EVENT_LABELS,
        "internal_events": INTERNAL_EVENTS,
        "applicant_note_events": APPLICANT_NOTE_EVENTS,
        "delivery_labels": RETURN_METHODS,
        "format_address": format_address,
    }


@bp.route("/dossiers/new/<code>", methods=["POST"])
@allow(*APPLICANTS)
def start(code: str):
    procedure = get_published(code)
    try:
        dossier = operations.start_draft(current_user, procedure.current_version)
    except operations.NotForThisAccount as error:
        refused = Forbidden()
        refused.user_message = error.message  # type: ignore[attr-defined]  # read by service.errors
        raise refused from error
    except operations.DossierError as error:
        flash(error.message, "error")
        return redirect(url_for("procedures.detail", code=code))
    return redirect(url_for("dossiers.edit", dossier_id=dossier.id))


@bp.route("/dossiers")
@allow(*APPLICANTS)
def mine():
    return render_template(
        "dossiers/mine.html", dossiers=queries.my_dossiers(current_user), usage=quotas.usage(current_user.id)
    )


def _draft_or_redirect(dossier_id: int):
    dossier = queries.get_own(dossier_id, current_user)
    if dossier.status != DossierStatus.DRAFT:
        flash("Hồ sơ đã được nộp nên không thể sửa đổi.", "info")
        return dossier, redirect(url_for("dossiers.detail", dossier_id=dossier.id))
    return dossier, None


def _render_edit(dossier, form, version: int):
    return render_template(
        "dossiers/edit.html",
        dossier=dossier,
        form=form,
        fields=dossier.procedure_version.fields,
        version=version,
        ward_options=ward_options,
    )


@bp.route("/dossiers/<int:dossier_id>/edit", methods=["GET", "POST"])
@allow(*APPLICANTS)
def edit(dossier_id: int):
    dossier, elsewhere = _draft_or_redirect(dossier_id)
    if elsewhere:
        return elsewhere
    draft_form = form_class(dossier.procedure_version.fields, strict=False)
    if request.method == "GET":
        restored = restore_stash(dossier, current_user)
        if restored is not None:
            dossier = restored
            flash(
                "Dữ liệu bạn nhập trước khi hết phiên làm việc đã được giữ lại và lưu vào bản nháp.",
                "success",
            )
        return _render_edit(dossier, draft_form(formdata=MultiDict(dossier.form_pairs)), dossier.version)
    return _save_draft(dossier, draft_form)


def _save_draft(dossier, draft_form):
    fields = dossier.procedure_version.fields
    pairs = _apply_row_action(table_rows.keep_known(posted_pairs(), fields), fields)
    action = request.form.get("action", "save")
    form = draft_form(formdata=MultiDict(pairs))
    form.validate()
    # A post without a valid version is treated as coming from a stale page (versions start at 1).
    version = request.form.get("version", type=database_int) or 0
    try:
        dossier = operations.save_form(dossier.id, current_user, pairs, version)
    except operations.StaleDraft as error:
        flash(error.message, "warning")
        current = queries.get_own(dossier.id, current_user)
        return _render_edit(current, form, current.version), 409
    except operations.DossierError as error:
        flash(error.message, "error")
        return redirect(url_for("dossiers.detail", dossier_id=dossier.id))
    if action == "next" and not form.errors:
        return redirect(url_for("dossiers.attachments", dossier_id=dossier.id))
    if form.errors:
        flash("Đã lưu nháp. Một số thông tin chưa hợp lệ, vui lòng xem các ô được đánh dấu.", "warning")
    elif action == "save":
        flash("Đã lưu nháp.", "success")
    return _render_edit(dossier, form, dossier.version)


def _apply_row_action(pairs, fields):
    pairs, message = table_rows.apply_action(pairs, fields, request.form.get("action", ""))
    if message:
        flash(message, "warning")
    return pairs


@bp.route("/dossiers/<int:dossier_id>/attachments")
@allow(*APPLICANTS)
def attachments(dossier_id: int):
    dossier, elsewhere = _draft_or_redirect(dossier_id)
    if elsewhere:
        return elsewhere
    return render_template(
        "dossiers/attachments.html",
        dossier=dossier,
        type_labels=uploads.FILE_TYPE_LABELS,
        stored=store.my_documents(current_user, dossier.id),
    )


@bp.route("/dossiers/documents")
@allow(*APPLICANTS)
def my_documents():
    """ "Giấy tờ của tôi": earlier uploads and issued results, to download or reuse in a new dossier."""
    return render_template(
        "dossiers/store.html", stored=store.my_documents(current_user), type_labels=uploads.FILE_TYPE_LABELS
    )


@bp.route("/dossiers/<int:dossier_id>/attachments/<document_key>/reuse", methods=["POST"])
@allow(*APPLICANTS)
def reuse(dossier_id: int, document_key: str):
    back = redirect(_files_page(dossier_id, f"doc-{document_key}"))
    try:
        attached = store.reuse(dossier_id, current_user, document_key, request.form.get("source", ""))
    except operations.DossierError as error:
        flash(f"Không dùng lại được tệp: {error.message}", f"at:doc-{document_key}")
        return back
    flash(f"Đã đính kèm tệp “{attached.original_name}” từ giấy tờ của bạn.", "success")
    return back


def _files_page(dossier_id: int, anchor: str) -> str:
    """Files are managed on the attachments page while drafting, on the dossier page while supplementing."""
    dossier = queries.get_own(dossier_id, current_user)
    if dossier.status == DossierStatus.DRAFT:
        return url_for("dossiers.attachments", dossier_id=dossier_id, _anchor=anchor)
    return url_for("dossiers.detail", dossier_id=dossier_id, _anchor=anchor)


@bp.route("/dossiers/<int:dossier_id>/attachments/<document_key>", methods=["POST"])
@allow(*APPLICANTS)
def upload(dossier_id: int, document_key: str):
    back = redirect(_files_page(dossier_id, f"doc-{document_key}"))
    uploaded = request.files.get("file")  # a body over MAX_CONTENT_LENGTH is answered by service.errors
    dossier = queries.get_own(dossier_id, current_user)
    # The message is shown at the document it concerns where the page shows that document's upload
    # (drafting, or supplementing); at the top otherwise.
    has_section = dossier.status == DossierStatus.DRAFT or processing.can_add_supplement_files(dossier)
    at = (
        f"at:doc-{document_key}"
        if has_section and dossier.procedure_version.document(document_key)
        else "error"
    )
    if uploaded is None or not uploaded.filename:
        flash("Vui lòng chọn tệp cần tải lên.", at)
        return back
    try:
        attached = operations.add_file(dossier_id, current_user, document_key, uploaded)
    except operations.DossierError as error:
        flash(f"Không nhận tệp “{uploads.clean_filename(uploaded.filename)}”: {error.message}", at)
        return back
    flash(f"Đã đính kèm tệp “{attached.original_name}”.", "success")
    return back


@bp.route("/dossiers/<int:dossier_id>/files/<int:file_id>/delete", methods=["POST"])
@allow(*APPLICANTS)
def delete_file(dossier_id: int, file_id: int):
    try:
        operations.delete_file(dossier_id, current_user, file_id)
    except operations.DossierError as error:
        flash(error.message, "error")
    else:
        flash("Đã xóa tệp.", "success")
    return redirect(_files_page(dossier_id, "supplement"))


@bp.route("/dossiers/<int:dossier_id>/review")
@allow(*APPLICANTS)
def review(dossier_id: int):
    dossier, elsewhere = _draft_or_redirect(dossier_id)
    if elsewhere:
        return elsewhere
    return _render_review(dossier, operations.check_complete(dossier))


def _render_review(dossier, problems, status: int = 200, form: SubmitForm | None = None):
    entries = describe(dossier.procedure_version.fields, dossier.form_pairs)
    return render_template(
        "dossiers/review.html",
        dossier=dossier,
        entries=entries,
        problems=problems,
        form=form or SubmitForm(formdata=None),
        ward_options=ward_options,
        # A missing commune is answered on this page: it does not keep the button from the applicant.
        blocking=[
            p for p in problems if p.where not in (operations.RECEIVING_PLACE, school_filing.DECIDING_SCHOOL)
        ],
        communes=agency_queries.commune_choices(),
        chosen_commune=request.form.get("commune") or queries.commune_from_address(dossier),
        provincial_centre=agency_queries.provincial_centre_name(),
        schools=school_filing.school_choices() if dossier.school_decides else [],
        chosen_school=request.form.get("school", ""),
    ), status


@bp.route("/dossiers/<int:dossier_id>/submit", methods=["POST"])
@allow(*APPLICANTS)
def submit(dossier_id: int):
    form = SubmitForm()
    if not form.validate():
        # Refused at the field (the declaration, the postal address); the draft stays as it was.
        dossier = queries.get_own(dossier_id, current_user)
        if dossier.status != DossierStatus.DRAFT:
            return redirect(url_for("dossiers.detail", dossier_id=dossier.id))
        flash("Hồ sơ chưa được nộp. Vui lòng xem các ô được đánh dấu bên dưới.", "error")
        return _render_review(dossier, operations.check_complete(dossier), 422, form)
    filing = operations.Filing(True, form.delivery_method.data, form.postal_address())
    try:
        dossier, _newly = operations.submit(
            dossier_id, current_user, request.form.get("commune"), filing, request.form.get("school")
        )
    except operations.Incomplete as error:
        flash("Hồ sơ chưa đầy đủ, chưa thể nộp. Vui lòng bổ sung các mục dưới đây.", "error")
        return _render_review(queries.get_own(dossier_id, current_user), error.problems, 422, form)
    return redirect(url_for("dossiers.submitted", dossier_id=dossier.id))


@bp.route("/dossiers/<int:dossier_id>/submitted")
@allow(*APPLICANTS)
def submitted(dossier_id: int):
    dossier = queries.get_own(dossier_id, current_user)
    if dossier.code is None:
        return redirect(url_for("dossiers.edit", dossier_id=dossier.id))
    return render_template("dossiers/submitted.html", dossier=dossier, fee_order=fee_order(dossier.id))


@bp.route("/dossiers/<int:dossier_id>")
@allow(SIGNED_IN)
def detail(dossier_id: int):
    return dossier_page(queries.get_viewable(dossier_id, current_user))


@bp.route("/dossiers/<int:dossier_id>/supplement", methods=["POST"])
@allow(*APPLICANTS)
def send_supplement(dossier_id: int):
    note = (request.form.get("note") or "").strip()[:2000]
    try:
        processing.supplement(dossier_id, current_user, note)
    except operations.DossierError as error:
        flash(error.message, "error")
    else:
        flash("Đã gửi hồ sơ bổ sung. Mã hồ sơ không thay đổi.", "success")
    return redirect(url_for("dossiers.detail", dossier_id=dossier_id))


@bp.route("/dossiers/<int:dossier_id>/request-stop", methods=["POST"])
@allow(*APPLICANTS)
def request_stop(dossier_id: int):
    reason = (request.form.get("reason") or "").strip()[:1000]
    try:
        processing.request_stop(dossier_id, current_user, reason)
    except operations.DossierError as error:
        flash(error.message, "error")
    else:
        flash("Đã gửi đề nghị dừng giải quyết hồ sơ. Cơ quan sẽ gửi thông báo dừng.", "success")
    return redirect(url_for("dossiers.detail", dossier_id=dossier_id))


@bp.route("/dossiers/<int:dossier_id>/files/<int:file_id>")
@allow(SIGNED_IN)
def download(dossier_id: int, file_id: int):
    dossier = queries.get_viewable(dossier_id, current_user)
    attached = next((f for f in dossier.files if f.id == file_id), None)
    if attached is None or not queries.may_download(current_user, dossier, attached):
        abort(404)
    if current_user.id != dossier.owner_id:
        audit.record_view(
            attached, "dossier.file_viewed", {"code": dossier.code, "file": attached.original_name}
        )
    return send_upload(
        uploads.read(attached.stored_name),
        uploads.MIME_TYPES[attached.file_type],
        attached.original_name,
        uploads.EXTENSIONS[attached.file_type],
    )


@bp.route("/dossiers/<int:dossier_id>/withdraw", methods=["POST"])
@allow(*APPLICANTS)
def withdraw(dossier_id: int):
    reason = (request.form.get("reason") or "").strip()[:1000]
    try:
        operations.withdraw(dossier_id, current_user, reason)
    except operations.DossierError as error:
        flash(error.message, "error")
    else:
        flash("Đã rút hồ sơ. Cơ quan sẽ không xử lý hồ sơ này.", "success")
    return redirect(url_for("dossiers.detail", dossier_id=dossier_id))


@bp.route("/dossiers/<int:dossier_id>/delete", methods=["POST"])
@allow(*APPLICANTS)
def delete_draft(dossier_id: int):
    try:
        operations.delete_draft(dossier_id, current_user)
    except operations.DossierError as error:
        flash(error.message, "error")
        return redirect(url_for("dossiers.detail", dossier_id=dossier_id))
    flash("Đã xóa bản nháp.", "success")
    return redirect(url_for("dossiers.mine"))
