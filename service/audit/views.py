"""The administrator's page of the audit log: search by actor, event, object and dates, newest first."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from service.access import allow
from service.accounts.roles import ROLE_LABELS, Role
from service.audit import queries
from service.audit.events import DETAIL_LABELS, OBJECT_LABELS, event_label
from service.audit.forms import AuditFilterForm
from service.timeutil import to_local
from workflows.states import EVENT_LABELS as STEP_LABELS
from workflows.states import STATUS_LABELS

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")


@bp.route("")
@allow(Role.ADMIN)
def search():
    form = AuditFilterForm(request.args)
    form.validate()
    filters = queries.AuditFilters(
        actor=form.actor.data or "",
        event=form.event.data or "",
        object_type=form.object_type.data or "",
        object_id=form.object_id.data or "",
        date_from=None if form.date_from.errors else form.date_from.data,
        date_to=None if form.date_to.errors else form.date_to.data,
        before=_before(request.args.get("before")),
    )
    page = queries.search(filters)
    args = {k: v for k, v in request.args.items() if k != "before" and v}
    return render_template(
        "audit/search.html",
        form=form,
        page=page,
        args=args,
        paged=filters.before is not None,
        event_label=event_label,
        local_time=local_time,
        object_labels=OBJECT_LABELS,
        role_labels=ROLE_LABELS,
        details_of=details_of,
    )


def _before(raw: str | None) -> int | None:
    """The keyset cursor; anything but a plausible id starts from the newest entry."""
    if raw and raw.isascii() and raw.isdigit() and 0 < int(raw) < 2**63:
        return int(raw)
    return None


def local_time(value) -> str:
    return to_local(value).strftime("%d/%m/%Y %H:%M")


def details_of(entry) -> list[tuple[str, str]]:
    """The entry's details as (label, value) lines, with the dossier's events and states in words."""
    lines = []
    for key, value in (entry.details or {}).items():
        if value is None or value == "" or value == []:
            continue
        if key == "event" and entry.event == "dossier.step":
            value = STEP_LABELS.get(value, value)
        elif key in ("from", "to"):
            value = STATUS_LABELS.get(value, value)
        elif key in ("role", "from_role"):
            value = ROLE_LABELS.get(value, value)
        elif isinstance(value, list):
            value = ", ".join(str(item) for item in value)
        lines.append((DETAIL_LABELS.get(key, key), str(value)))
    return lines
