"""Guards: pure functions of the dossier, the actor and the event's data. No Flask, no database.

The dossier is any object with the attributes read here (the service passes the ORM row); the actor
has `id` and `role`; `data` is the event's input (reason, assignee, decision, method, today).
"""

from __future__ import annotations

from datetime import date
from typing import Any

RECEPTION, SPECIALIST, LEADER = "reception", "specialist", "leader"


def is_owner(dossier, actor) -> bool:
    return actor is not None and dossier.owner_id == actor.id


def has_role(actor, *roles: str) -> bool:
    return actor is not None and actor.role in roles


def is_assigned_specialist(dossier, actor) -> bool:
    return has_role(actor, SPECIALIST) and dossier.assignee_id == actor.id


def has_reason(data: dict[str, Any] | None) -> bool:
    return bool((data or {}).get("reason", "").strip())


def assignee_is_specialist(data: dict[str, Any] | None) -> bool:
    assignee = (data or {}).get("assignee")
    return assignee is not None and assignee.role == SPECIALIST and getattr(assignee, "is_active", True)


def supplement_not_yet_requested(dossier) -> bool:
    # Decree 118/2025: a supplement is requested once, listing everything missing.
    return not dossier.supplement_count


def supplement_stage_is(dossier, stage: str) -> bool:
    return dossier.supplement_stage == stage


def supplement_overdue(dossier, data: dict[str, Any] | None) -> bool:
    today: date | None = (data or {}).get("today")
    return (
        dossier.supplement_deadline is not None and today is not None and today > dossier.supplement_deadline
    )


def proposal_is(dossier, decision: str) -> bool:
    return dossier.proposed_decision == decision


def has_proposal(data: dict[str, Any] | None) -> bool:
    data = data or {}
    return data.get("decision") in ("approve", "deny") and bool(data.get("draft", "").strip())


def needs_provincial_decision(dossier) -> bool:
    return bool(dossier.needs_provincial_decision)


def obligation_settled(dossier) -> bool:
    return not dossier.fee_due_before_result or dossier.fee_settled


def fee_ready(dossier) -> bool:
    """A fee due at filing must be paid before the desk receives the dossier (full-process service)."""
    return not dossier.fee_due_at_filing or dossier.fee_paid_at_filing


def has_return_method(data: dict[str, Any] | None) -> bool:
    return (data or {}).get("method") in ("electronic", "post", "desk")
