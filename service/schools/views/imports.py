"""Student lists imported from a file: upload and check, the report with its progress, confirmation."""

from __future__ import annotations

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from service.access import allow
from service.schools import imports, queries, runs, tasks
from service.schools.access import current_school, owned
from service.schools.forms import ImportForm
from service.schools.models import StudentImport
from service.schools.views.base import STAFF, bp, progress_json


@bp.route("/students/import", methods=["GET", "POST"])
@allow(*STAFF)
def import_students():
    school = current_school()
    form = ImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        if upload is None or not getattr(upload, "filename", ""):
            form.file.errors.append("Vui lòng chọn tệp danh sách.")
        else:
            data = upload.stream.read(current_app.config["STUDENT_IMPORT_MAX_BYTES"] + 1)
            try:
                batch = imports.stage(data, upload.filename, school.id, current_user.id)
            except imports.ImportFileError as error:
                form.file.errors.append(str(error))
            else:
                return redirect(url_for("schools.import_report", batch_id=batch.id))
    recent = queries.recent_imports(school.id)
    return render_template("schools/import.html", form=form, recent=recent, school=school), (
        400 if form.errors else 200
    )


@bp.route("/students/import/template.csv")
@allow(*STAFF)
def import_template():
    current_school()
    return Response(
        imports.template_csv(),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=mau-danh-sach-sinh-vien.csv"},
    )


@bp.route("/imports/<int:batch_id>")
@allow(*STAFF)
def import_report(batch_id: int):
    batch = owned(StudentImport, batch_id)
    phase = runs.phase(batch)
    if request.args.get("format") == "json":  # the progress the page polls
        return progress_json(batch.status, phase, batch.processed_rows, batch.valid_rows)
    return render_template("schools/import_report.html", batch=batch, phase=phase, school=current_school())


@bp.route("/imports/<int:batch_id>/confirm", methods=["POST"])
@allow(*STAFF)
def import_confirm(batch_id: int):
    batch = owned(StudentImport, batch_id)
    try:
        imports.confirm(batch.id, accept_valid=request.form.get("accept_valid") == "yes")
    except imports.ImportRefused as refusal:
        flash(str(refusal), "error")
    else:
        tasks.import_students(batch.id)  # on the job engine; the sweep finds the batch if this is lost
    return redirect(url_for("schools.import_report", batch_id=batch.id))


@bp.route("/imports/<int:batch_id>/retry", methods=["POST"])
@allow(*STAFF)
def import_retry(batch_id: int):
    batch = owned(StudentImport, batch_id)
    if imports.retry(batch.id):
        tasks.import_students(batch.id)
    return redirect(url_for("schools.import_report", batch_id=batch.id))
