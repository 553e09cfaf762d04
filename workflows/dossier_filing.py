"""The citizen's side of a dossier: draft, submit, withdraw.

Pure python-statemachine: no Flask, no database. The service layer binds a machine to a dossier row
(`model=dossier, state_field="status"`), locks the row, sends the event, writes the history row.
The official processing workflow (reception onwards) extends these states in the workflow issue.
"""

from __future__ import annotations

from enum import StrEnum

from statemachine import State, StateMachine


class DossierStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"


STATUS_LABELS = {
    DossierStatus.DRAFT: "Bản nháp",
    DossierStatus.SUBMITTED: "Đã nộp, chờ tiếp nhận",
    DossierStatus.WITHDRAWN: "Đã rút hồ sơ",
}

EVENT_LABELS = {
    "create": "Tạo bản nháp hồ sơ",
    "submit": "Nộp hồ sơ trực tuyến",
    "withdraw": "Công dân rút hồ sơ",
}


def is_owner(dossier, actor) -> bool:
    return actor is not None and dossier.owner_id == actor.id


def has_code(dossier) -> bool:
    return bool(dossier.code)


class DossierFilingMachine(StateMachine):
    draft = State("Bản nháp", initial=True, value=DossierStatus.DRAFT.value)
    submitted = State("Đã nộp", value=DossierStatus.SUBMITTED.value)
    withdrawn = State("Đã rút", final=True, value=DossierStatus.WITHDRAWN.value)

    # A draft is simply deleted; a submitted dossier can be withdrawn by its owner until it has been
    # received (Decree 118/2025).
    submit = draft.to(submitted, cond=["owner_acts", "code_allocated"])
    withdraw = submitted.to(withdrawn, cond="owner_acts")

    def owner_acts(self, actor=None) -> bool:
        return is_owner(self.model, actor)

    def code_allocated(self) -> bool:
        return has_code(self.model)
