"""What the back office adds to the dossier page: the officials' action panel. Connected by the app
factory."""

from __future__ import annotations

from typing import Any

from flask_login import current_user

from service.accounts.roles import Role
from service.agencies import queries as agency_queries
from service.backoffice.queries import RUNNING, specialists
from service.deadlines.calendar import due_state
from service.dossiers import checklist, desk, processing
from service.dossiers.checklist import CheckVerdict
from service.dossiers.models import Dossier
from service.dossiers.page import Viewer, add_section
from service.extensions import db
from service.procedures.models import ProcedureSetting
from service.workdays import DUE_STATE_LABELS
from workflows.states import DossierStatus


def official_section(dossier: Dossier, viewer: Viewer) -> dict[str, Any]:
    """The officials' action panel: what they may do now, to whom, by when, and what they typed."""
    if not viewer.official:
        return {}
    kept = viewer.kept
    actions = processing.enabled_actions(dossier, current_user)
    setting = db.session.get(ProcedureSetting, dossier.procedure_version.procedure_id)
    can_extend = processing.extension_offered(dossier, current_user)
    offered = {*(f"act:{a}" for a in actions), "comment", *(("extend",) if can_extend else ())}
    return {
        "actions": actions,
        "specialists": specialists(dossier.agency) if "assign" in actions else [],
        # The Sở's default specialist (ProcedureSetting) is offered for the provincial centre's dossiers.
        "default_specialist": setting.default_specialist
        if setting and agency_queries.is_provincial(dossier.agency)
        else None,
        "due_state": due_state(dossier.due_date) if dossier.status in RUNNING else None,
        "due_labels": DUE_STATE_LABELS,
        "can_extend": can_extend,
        "kept": kept,
        "kept_gone": kept.form and kept.form not in offered,  # the action is no longer possible
        **_checklist(dossier),
    }


def _checklist(dossier: Dossier) -> dict[str, Any]:
    """The desk's checklist: to fill while the dossier waits for reception, and its verdicts after."""
    return {
        "checklist_open": dossier.status == DossierStatus.SUBMITTED and current_user.role == Role.RECEPTION,
        "desk_supplement_open": desk.supplement_open(dossier, current_user),
        "checklist_documents": checklist.required_documents(dossier),
        "checked": checklist.verdicts_of(dossier),
        "findings": checklist.findings(dossier),
        "verdict_choices": CheckVerdict.choices(),
        "verdict_labels": CheckVerdict.labels(),
    }


def connect() -> None:
    add_section(official_section)
