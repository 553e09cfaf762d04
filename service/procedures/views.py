"""The public catalogue."""

from flask import Blueprint, render_template, request

from service.access import ANYONE, allow
from service.cache import public_page
from service.downloads import send_attachment
from service.procedures import form_templates, queries
from service.procedures.catalogue import DOCUMENT_KINDS_VI, RESULT_TYPES_VI

bp = Blueprint("procedures", __name__, url_prefix="/procedures")


@bp.route("/")
@allow(ANYONE)
@public_page
def index():
    text = request.args.get("q", "")[:200]
    field = request.args.get("field", "")[:200]
    applicant = request.args.get("applicant", "")
    free_only = request.args.get("free") == "1"
    results = queries.search(text, field, applicant, free_only)
    return render_template(
        "procedures/index.html",
        procedures=results,
        fields=queries.fields(),
        q=text,
        field=field,
        applicant=applicant,
        free_only=free_only,
    )


@bp.route("/<code>")
@allow(ANYONE)
@public_page
def detail(code: str):
    procedure = queries.get_published(code)
    return render_template(
        "procedures/detail.html",
        procedure=procedure,
        version=procedure.current_version,
        kinds=DOCUMENT_KINDS_VI,
        result_types=RESULT_TYPES_VI,
    )


@bp.route("/<code>/v<int:number>/forms/<document>.pdf")
@allow(ANYONE)
def form_template(code: str, number: int, document: str):
    """The blank template of a prescribed form, as a PDF to print and fill by hand."""
    version, form = queries.published_form(code, number, document)
    return send_attachment(
        form_templates.pdf(version, form), "application/pdf", form_templates.file_name(version, form)
    )
