"""The public verification page of every issued document (a dossier's own pages for its documents are
in `service/dossiers/document_views.py`)."""

from __future__ import annotations

import hashlib
import re

from flask import Blueprint, current_app, render_template, request, url_for

from service.access import ANYONE, allow
from service.documents import issuing, signing
from service.documents.models import IssuedDocument
from service.extensions import limiter, lookup_limit

bp = Blueprint("documents", __name__)
CODE = re.compile(r"^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$")


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
    replacement = issuing.replacement_of(document)
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
