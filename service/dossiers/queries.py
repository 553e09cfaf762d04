"""Reading dossiers: who may see which, lists without a query per row, and the public lookup."""

from __future__ import annotations

import hmac
import re

from sqlalchemy.orm import selectinload
from werkzeug.exceptions import NotFound

from service.accounts.models import User
from service.accounts.roles import SCHOOL_ROLES, Role
from service.agencies import queries as agency_queries
from service.dossiers.models import Dossier, DossierEvent
from service.extensions import db
from service.identifiers import normalise_phone
from workflows.states import APPLICANT_NOTE_EVENTS, FINAL_STATUSES, INTERNAL_EVENTS, DossierStatus

CODE_PATTERN = re.compile(r"^[A-Z0-9.]{2,30}-\d{6}-\d{4,6}$")


def held(official_id: int | None = None):
    """The unfinished dossiers an official is assigned (any official's, without `official_id`): what
    they hold, and what passes to a colleague when their account is locked."""
    statement = db.select(Dossier).where(
        Dossier.assignee_id.is_not(None), Dossier.status.not_in([s.value for s in FINAL_STATUSES])
    )
    return statement if official_id is None else statement.where(Dossier.assignee_id == official_id)


def can_view(user: User, dossier: Dossier) -> bool:
    if dossier.owner_id == user.id:
        return True
    if dossier.status == DossierStatus.DRAFT:
        return False  # a draft is the applicant's alone
    if dossier.school_id is not None:
        # An application the learner's school decides: that school's staff see it, no agency's official.
        return user.role in SCHOOL_ROLES and user.school_id == dossier.school_id
    if user.role not in (Role.RECEPTION, Role.LEADER, Role.SPECIALIST):
        return False
    # An official works for one receiving agency and sees its dossiers only (LAW-2026 §3).
    if not agency_queries.holds(user.agency, dossier.agency):
        return False
    return user.role != Role.SPECIALIST or dossier.assignee_id == user.id


def get_viewable(dossier_id: int, user: User) -> Dossier:
    """The dossier if this user has a right to it; 404 otherwise, so that its existence is not revealed."""
    dossier = db.session.get(Dossier, dossier_id)
    if dossier is None or not can_view(user, dossier):
        raise NotFound()
    return dossier


def may_download(user: User, dossier: Dossier, attached) -> bool:
    """Officials with a right to the dossier fetch every file; the applicant fetches theirs and the
    documents of the steps meant for them, not those of the officials' internal steps."""
    if user.id != dossier.owner_id or attached.uploaded_by_id == user.id:
        return True
    event = next((e for e in dossier.events if e.id == attached.event_id), None)
    return event is not None and (event.event in APPLICANT_NOTE_EVENTS or is_provincial_decision(event))


def is_provincial_decision(event: DossierEvent) -> bool:
    """The step that recorded the provincial chairman's decision or answer (the dossier had been
    forwarded): what is attached to it is the applicant's result."""
    return event.event in ("approve", "deny") and event.from_status == DossierStatus.FORWARDED


def provincial_result_files(dossier: Dossier) -> list:
    """The chairman's decision (or answer) as the official uploaded it when recording the step."""
    return [f for e in dossier.events if is_provincial_decision(e) for f in e.files]


def commune_from_address(dossier: Dossier) -> str:
    """The commune a commune-level filing goes to by default: the first address of the e-form that lies
    in the province ("" when none does)."""
    pairs = dict(dossier.form_pairs)
    communes = {code for code, _name in agency_queries.commune_choices()}
    for spec in dossier.procedure_version.fields:
        if spec["type"] == "address" and pairs.get(f"{spec['key']}-ward") in communes:
            return pairs[f"{spec['key']}-ward"]
    return ""


def get_own(dossier_id: int, user: User) -> Dossier:
    dossier = db.session.get(Dossier, dossier_id)
    if dossier is None or dossier.owner_id != user.id:
        raise NotFound()
    return dossier


def my_dossiers(user: User) -> list[Dossier]:
    return db.session.scalars(
        db.select(Dossier)
        .where(Dossier.owner_id == user.id)
        .options(selectinload(Dossier.procedure_version), selectinload(Dossier.events))
        .order_by(Dossier.created_at.desc(), Dossier.id.desc())
    ).all()


def worklist(user: User, limit: int = 200) -> list[Dossier]:
    statement = (
        db.select(Dossier)
        .where(Dossier.status != DossierStatus.DRAFT)
        .options(selectinload(Dossier.procedure_version), selectinload(Dossier.owner))
        .order_by(Dossier.submitted_at.desc())
        .limit(limit)
    )
    if user.role == Role.SPECIALIST:
        statement = statement.where(Dossier.assignee_id == user.id)
    statement = statement.where(
        agency_queries.held_by(user.agency, Dossier.agency_id), Dossier.school_id.is_(None)
    )
    return db.session.scalars(statement).all()


def normalise_code(raw: str | None) -> str:
    return (raw or "").strip().upper()


def is_well_formed_code(code: str) -> bool:
    return bool(CODE_PATTERN.match(code))


def lookup(code: str, secret_or_phone: str) -> Dossier | None:
    """A submitted dossier whose lookup secret (or registered phone) matches; None otherwise."""
    dossier = db.session.scalar(db.select(Dossier).where(Dossier.code == code))
    if dossier is None or dossier.status == DossierStatus.DRAFT:
        return None
    given = (secret_or_phone or "").strip()
    secret_ok = bool(dossier.lookup_secret) and _same(given.upper(), dossier.lookup_secret)
    phone_ok = bool(dossier.lookup_phone) and _same(normalise_phone(given) or "", dossier.lookup_phone)
    return dossier if secret_ok or phone_ok else None


def _same(given: str, expected: str) -> bool:
    """Constant-time comparison of any text (compare_digest refuses non-ASCII str)."""
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def public_timeline(dossier: Dossier) -> list[DossierEvent]:
    return [
        event for event in dossier.events if event.event != "create" and event.event not in INTERNAL_EVENTS
    ]
