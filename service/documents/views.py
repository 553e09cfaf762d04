"""Issued documents: download, draft preview, and the public verification page."""

from __future__ import annotations

import hashlib
import re

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from forms.backoffice import RegisterForm
from service import uploads
from service.access import ANYONE, SIGNED_IN, allow
from service.accounts.roles import DOSSIER_ROLES, Role
from service.audit import operations as audit
from service.documents import builders, issuing, jobs, register, signing
from service.documents.models import IssuedDocument
from service.documents.renderer import renderer
from service.dossiers import queries as dossier_queries
from service.downloads import send_attachment
from service.extensions import db, limiter, lookup_limit
from service.timeutil import local_today

bp = Blueprint("documents", __name__)
CODE = re.compile(r"^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$")
OFFICIALS_ONLY = {"form_06"}  # the control slip is the agency's own record


def visible_documents(dossier, user) -> list[IssuedDocument]:
    documents = db.session.scalars(
        db.select(IssuedDocument).where(IssuedDocument.dossier_id == dossier.id).order_by(IssuedDocument.id)
    ).all()
    if user.role in DOSSIER_ROLES:
        return documents
    return [d for d in documents if d.kind not in OFFICIALS_ONLY]


@bp.route("/dossiers/<int:dossier_id>/documents/<int:document_id>")
@allow(SIGNED_IN)
def download(dossier_id: int, document_id: int):
    dossier = dossier_queries.get_viewable(dossier_id, current_user)
    document = next((d for d in visible_documents(dossier, current_user) if d.id == document_id), None)
    if document is None:
        abort(404)
    name = f"{document.kind}-{dossier.code}.pdf"
    return send_attachment(uploads.path_for(document.stored_name), "application/pdf", name)


@bp.route("/officials/dossiers/<int:dossier_id>/draft-result.pdf")
@allow(*DOSSIER_ROLES)
def draft_preview(dossier_id: int):
    """The result as it would be issued, watermarked DỰ THẢO, numbered and verified only when issued."""
    dossier = dossier_queries.get_viewable(dossier_id, current_user)
    if not dossier.draft_result:
        abort(404)
    kind = builders.result_kind(dossier) if dossier.proposed_decision != "deny" else "written_answer"
    data, _ = builders.build(kind, dossier)
    data["doc"].update(draft=True, place_date=issuing.place_date(local_today()))
    pdf = renderer(current_app.config["DOCUMENT_FONT_DIR"]).render(issuing.KINDS[kind].template, data)
    return send_attachment(pdf, "application/pdf", f"du-thao-{dossier.code}.pdf")


@bp.route("/verify", methods=["GET"])
@allow(ANYONE)
def verify_start():
    code = (request.args.get("code") or "").strip().upper()
    if code:
        return verify(code)
    return render_template("verify/start.html")


@bp.route("/verify/<code>", methods=["GET", "POST"])
@allow(ANYONE)
@limiter.limit(lookup_limit, methods=["POST"])
def verify(code: str):
    code = code.strip().upper()
    document = issuing.find_by_code(code) if CODE.match(code) else None
    if document is None:
        return render_template("verify/start.html", code=code, unknown=True), 404
    comparison = None
    if request.method == "POST":
        comparison = _compare(document)
    replacement = db.session.scalar(
        db.select(IssuedDocument).where(IssuedDocument.replaces_id == document.id)
    )
    check = signing.check(issuing.pdf_bytes(document)) if document.signed else None
    return render_template(
        "verify/document.html",
        document=document,
        comparison=comparison,
        replacement=replacement,
        signature=check,
        issuer=issuer_of(document),
    )


def issuer_of(document: IssuedDocument) -> str:
    """The body named in the document's own header (the receiving unit for the one-stop forms)."""
    issued_by = ((document.data or {}).get("doc") or {}).get("issuer") or {}
    return issued_by.get("name") or current_app.config["DOCUMENT_ISSUER_NAME"]


def _compare(document: IssuedDocument) -> str:
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return "missing"
    data = upload.stream.read(current_app.config["MAX_FILE_BYTES"] + 1)
    if not data.startswith(b"%PDF-"):
        return "not_pdf"
    return "match" if hashlib.sha256(data).hexdigest() == document.sha256 else "mismatch"


def verify_url(document: IssuedDocument) -> str:
    return url_for("documents.verify", code=document.verification_code)


@bp.route("/officials/dossiers/<int:dossier_id>/documents/<int:document_id>/<action>", methods=["POST"])
@allow(Role.LEADER)
def correct(dossier_id: int, document_id: int, action: str):
    """A leader re-issues (corrects) or revokes an issued document, with the reason recorded."""
    dossier = dossier_queries.get_viewable(dossier_id, current_user)
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
