"""Guards: pure functions of the dossier, the actor and the event's data. No Flask, no database.

The dossier is any object with the attributes read here (`DossierFacts`; the service passes the ORM
row); the actor has `id` and `role` (`Actor`); `data` is the event's input (reason, assignee, decision,
method, today).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Protocol

RECEPTION, SPECIALIST, LEADER = "reception", "specialist", "leader"
# A vocational school's own staff: they decide the applications their school decides (1.005144).
SCHOOL_STAFF = ("school_admin", "accountant")


class Actor(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def role(self) -> str: ...


class DossierFacts(Protocol):
    """What the guards read of a dossier."""

    @property
    def owner_id(self) -> int: ...
    @property
    def assignee_id(self) -> int | None: ...
    @property
    def code(self) -> str | None: ...
    @property
    def supplement_count(self) -> int: ...
    @property
    def supplement_stage(self) -> str | None: ...
    @property
    def supplement_deadline(self) -> date | None: ...
    @property
    def proposed_decision(self) -> str | None: ...
    @property
    def needs_provincial_decision(self) -> bool: ...
    @property
    def fee_due_before_result(self) -> bool: ...
    @property
    def fee_settled(self) -> bool: ...
    @property
    def fee_due_at_filing(self) -> bool: ...
    @property
    def fee_paid_at_filing(self) -> bool: ...


def is_owner(dossier: DossierFacts, actor: Actor | None) -> bool:
    return actor is not None and dossier.owner_id == actor.id


def has_role(actor: Actor | None, *roles: str) -> bool:
    return actor is not None and actor.role in roles


def is_assigned_specialist(dossier: DossierFacts, actor: Actor | None) -> bool:
    return actor is not None and has_role(actor, SPECIALIST) and dossier.assignee_id == actor.id


def has_reason(data: dict[str, Any] | None) -> bool:
    return bool((data or {}).get("reason", "").strip())


def assignee_is_specialist(data: dict[str, Any] | None) -> bool:
    assignee = (data or {}).get("assignee")
    return assignee is not None and assignee.role == SPECIALIST and getattr(assignee, "is_active", True)


def supplement_not_yet_requested(dossier: DossierFacts) -> bool:
    # Decree 118/2025: a supplement is requested once, listing everything missing.
    return not dossier.supplement_count


def supplement_stage_is(dossier: DossierFacts, stage: str) -> bool:
    return dossier.supplement_stage == stage


def supplement_overdue(dossier: DossierFacts, data: dict[str, Any] | None) -> bool:
    today: date | None = (data or {}).get("today")
    return (
        dossier.supplement_deadline is not None and today is not None and today > dossier.supplement_deadline
    )


def proposal_is(dossier: DossierFacts, decision: str) -> bool:
    return dossier.proposed_decision == decision


def has_proposal(data: dict[str, Any] | None) -> bool:
    data = data or {}
    return data.get("decision") in ("approve", "deny") and bool(data.get("draft", "").strip())


def needs_provincial_decision(dossier: DossierFacts) -> bool:
    return bool(dossier.needs_provincial_decision)


def obligation_settled(dossier: DossierFacts) -> bool:
    return not dossier.fee_due_before_result or bool(dossier.fee_settled)


def fee_ready(dossier: DossierFacts) -> bool:
    """A fee due at filing must be paid before the desk receives the dossier (full-process service)."""
    return not dossier.fee_due_at_filing or bool(dossier.fee_paid_at_filing)


def has_return_method(data: dict[str, Any] | None) -> bool:
    return (data or {}).get("method") in ("electronic", "post", "desk")
