"""Administrators see the work that keeps failing after a step (dead and retrying jobs) and send it
round again once the cause is fixed (an SMTP password, a full disk, a provider that was down)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for

from service.access import allow
from service.accounts.roles import Role
from service.documents.issuing import KINDS
from service.dossiers.models import Dossier
from service.extensions import db
from service.jobs import outbox

bp = Blueprint("jobs", __name__, url_prefix="/admin/jobs")

CHANNEL_LABELS = {"email": "Thư điện tử", "sms": "Tin nhắn SMS", "document": "Văn bản, giấy tờ"}


@bp.route("")
@allow(Role.ADMIN)
def failing():
    rows = outbox.stuck()
    return render_template(
        "jobs/failing.html", rows=rows, subjects=_subjects(rows), counts=outbox.counts(),
        channel_labels=CHANNEL_LABELS, status_labels=outbox.STATUS_LABELS,
    )  # fmt: skip


@bp.route("/<channel>/<int:row_id>/retry", methods=["POST"])
@allow(Role.ADMIN)
def retry(channel: str, row_id: int):
    if channel not in outbox.CHANNELS:
        abort(404)
    if outbox.retry(channel, row_id):
        flash("Đã đưa công việc vào hàng đợi để thực hiện lại.", "success")
    else:
        flash("Công việc này không còn ở trạng thái lỗi (có thể đã được thực hiện).", "warning")
    return redirect(url_for("jobs.failing"))


def _subjects(rows) -> dict[tuple[str, int], str]:
    """What each row is about, in words; the dossiers of documents are read in one query."""
    dossier_ids = {row.dossier_id for channel, row in rows if channel == "document" and row.dossier_id}
    codes = dict(
        db.session.execute(db.select(Dossier.id, Dossier.code).where(Dossier.id.in_(dossier_ids))).all()
    )
    subjects = {}
    for channel, row in rows:
        if channel == "email":
            text = f"{row.recipient}: {row.subject}"
        elif channel == "sms":
            text = f"{row.recipient}: {row.body[:80]}"
        else:
            title = KINDS[row.kind].title if row.kind in KINDS else row.kind
            text = f"{title} – hồ sơ {codes.get(row.dossier_id) or '(không có)'}"
        subjects[(channel, row.id)] = text
    return subjects
