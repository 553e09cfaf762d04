"""Everything a school user sees and does is confined to their school: views take the school from the
signed-in user, never from the URL, and fetch every record through `owned()`, so another school's id
in a URL is a 404."""

from __future__ import annotations

from typing import TypeVar

from flask import abort
from flask_login import current_user

from service.extensions import db
from service.schools.models import School

SCHOOL_STAFF = ("accountant", "school_admin")
T = TypeVar("T")


def current_school() -> School:
    """The signed-in user's school; 403 for a user who works for no school."""
    school_id = getattr(current_user, "school_id", None)
    if school_id is None:
        abort(403)
    return db.session.get(School, school_id)


def owned(model: type[T], record_id: int) -> T:
    """A record of the current school, or 404 (whether it is missing or another school's)."""
    record = db.session.get(model, record_id)
    if record is None or record.school_id != current_school().id:
        abort(404)
    return record
