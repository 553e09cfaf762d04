"""A dossier's documents for the people who work with it: download, the draft result's preview,
a leader's correction or revocation, and form 07 (the tracking register). The documents service
itself only verifies (`service/documents/views.py`)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from forms.backoffice import RegisterForm
from service import uploads
from service.access import SIGNED_IN, allow
from service.accounts.roles import DOSSIER_ROLES, Role
from service.audit import operations as audit
from service.documents import issuing, jobs
from service.documents.renderer import renderer
from service.dossiers import documents, filed_form, queries, register
from service.dossiers.issued_documents import visible_documents
from service.downloads import send_attachment
from service.timeutil import local_today

bp = Blueprint("dossier_documents", __name__)


@bp.route("/dossiers/<int:dossier_id>/documents/<int:document_id>")
@allow(SIGNED_IN)
def download(dossier_id: int, document_id: int):
    dossier = queries.get_viewable(dossier_id, current_user)
    document = next((d for d in visible_documents(dossier, current_user) if d.id == document_id), None)
    if document is None:
        abort(404)
    name = f"{document.kind}-{dossier.code}.pdf"
    return send_attachment(uploads.read(document.stored_name), "application/pdf", name)


@bp.route("/dossiers/<int:dossier_id>/to-khai.pdf")
@allow(SIGNED_IN)
def filed_form_pdf(dossier_id: int):
    """ "Tờ khai đã nộp": the e-form as filed, for the owner and the officials who may see the dossier."""
    dossier = queries.get_viewable(dossier_id, current_user)
    if dossier.code is None:
        abort(404)  # a draft has not been filed
    if current_user.id != dossier.owner_id:
        audit.record_view(dossier, "dossier.filed_form_viewed", {"code": dossier.code})
    return send_attachment(filed_form.pdf(dossier), "application/pdf", f"to-khai-{dossier.code}.pdf")


@bp.route("/officials/dossiers/<int:dossier_id>/draft-result.pdf")
@allow(*DOSSIER_ROLES)
def draft_preview(dossier_id: int):
    """The result as it would be issued, watermarked DỰ THẢO, numbered and verified only when issued."""
    dossier = queries.get_viewable(dossier_id, current_user)
    if not dossier.draft_result:
        abort(404)
    kind = documents.result_kind(dossier) if dossier.proposed_decision != "deny" else "written_answer"
    data, _ = documents.build(kind, dossier)
    data["doc"].update(draft=True, place_date=issuing.place_date(local_today()))
    pdf = renderer(current_app.config["DOCUMENT_FONT_DIR"]).render(issuing.KINDS[kind].template, data)
    return send_attachment(pdf, "application/pdf", f"du-thao-{dossier.code}.pdf")


@bp.route("/officials/dossiers/<int:dossier_id>/documents/<int:document_id>/<action>", methods=["POST"])
@allow(Role.LEADER)
def correct(dossier_id: int, document_id: int, action: str):
    """A leader re-issues (corrects) or revokes an issued document, with the reason recorded."""
    dossier = queries.get_viewable(dossier_id, current_user)
    document = next((d for d in visible_documents(dossier, current_user) if d.id == document_id), None)
    if document is None or action not in ("reissue", "revoke"):
        abort(404)
    reason = (request.form.get("reason") or "").strip()[:1000]
    if not reason:
        flash("Vui lòng nêu lý do cấp lại hoặc thu hồi văn bản.", "error")
        return redirect(url_for("dossiers.detail", dossier_id=dossier_id, _anchor="documents"))
    try:
        if action == "reissue":
            jobs.request_correction(document, current_user.id, reason)
            flash("Đã yêu cầu cấp lại văn bản; văn bản mới sẽ thay thế văn bản cũ.", "success")
        else:
            jobs.revoke(document, current_user.id, reason)
            flash("Đã thu hồi văn bản.", "success")
    except ValueError as error:
        flash(str(error), "error")
    return redirect(url_for("dossiers.detail", dossier_id=dossier_id, _anchor="documents"))


@bp.route("/officials/register")
@allow(Role.RECEPTION, Role.LEADER)
def tracking_register():
    """Form 07 for a period: the page, or the PDF / Excel export."""
    form = RegisterForm(request.args)
    export = request.args.get("format")
    if export not in (None, "pdf", "xlsx"):
        abort(400)
    if export and form.validate():
        start, end = form.start.data, form.end.data
        name = f"so-theo-doi-ho-so-{start:%Y%m%d}-{end:%Y%m%d}"
        details = {
            "export": f"register_07.{export}",
            "period_start": start.isoformat(),
            "period_end": end.isoformat(),
        }
        audit.record_view(None, "dossier.register_exported", details, object_type="dossiers")
        if export == "xlsx":
            mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            return send_attachment(register.xlsx(start, end, current_user.agency), mimetype, f"{name}.xlsx")
        return send_attachment(
            register.pdf(start, end, current_user.agency), "application/pdf", f"{name}.pdf"
        )
    return render_template("verify/register.html", form=form), (400 if export else 200)
