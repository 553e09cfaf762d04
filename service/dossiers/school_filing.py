"""Filing an application the learner's own school decides (1.005144 at a public institution: Decree
238/2025, LAW-2026 §2): the learner picks the school when submitting; the dossier goes straight to it,
numbered in the school's name and received the day it is filed (there is no one-stop desk between the
learner and the school), its clock running from that day in working days."""

from __future__ import annotations

from typing import Any

from service.deadlines.calendar import current_calendar
from service.extensions import db
from service.schools.models import School
from service.text import fold
from service.timeutil import to_local

DECIDING_SCHOOL = "Cơ sở giáo dục nghề nghiệp giải quyết"


def school_choices() -> list[tuple[str, str]]:
    """The schools of the system, by name (accents folded): (id, name)."""
    schools = db.session.scalars(db.select(School)).all()
    return [(str(s.id), s.name) for s in sorted(schools, key=lambda s: fold(s.name))]


def chosen_school(raw: str | None) -> tuple[School | None, str | None]:
    """The school a submission names, or the applicant's message."""
    if not raw:
        return None, "Vui lòng chọn cơ sở giáo dục nghề nghiệp đang theo học."
    school = db.session.get(School, int(raw)) if raw.isdigit() and len(raw) < 10 else None
    if school is None:
        return None, "Cơ sở giáo dục nghề nghiệp đã chọn không có trong danh sách."
    return school, None


def start_clock(dossier: Any, now) -> None:
    """The school receives the application when it is filed: the legal time counts from then."""
    content = dossier.procedure_version.content
    dossier.received_at = now
    dossier.due_date = current_calendar().due_date(
        to_local(now).replace(tzinfo=None), dossier.processing_days, content.get("cutoff_hour")
    )
    dossier.original_due_date = dossier.due_date
