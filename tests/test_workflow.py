"""The filing state machine alone: no Flask, no database."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from statemachine.exceptions import TransitionNotAllowed

from workflows.dossier_filing import DossierFilingMachine


def dossier(status="draft", code="H01.48-261128-0001", owner_id=1):
    return SimpleNamespace(status=status, code=code, owner_id=owner_id)


OWNER, STRANGER = SimpleNamespace(id=1), SimpleNamespace(id=2)


def test_owner_submits_a_draft_with_a_code():
    record = dossier()
    DossierFilingMachine(model=record, state_field="status").send("submit", actor=OWNER)
    assert record.status == "submitted"


@pytest.mark.parametrize(
    ("record", "actor", "event"),
    [
        (dossier(), STRANGER, "submit"),
        (dossier(code=None), OWNER, "submit"),
        (dossier(status="submitted"), OWNER, "submit"),
        (dossier(status="draft"), OWNER, "withdraw"),
        (dossier(status="submitted"), STRANGER, "withdraw"),
        (dossier(status="withdrawn"), OWNER, "withdraw"),
    ],
)
def test_forbidden_events_raise_and_change_nothing(record, actor, event):
    before = record.status
    with pytest.raises(TransitionNotAllowed):
        DossierFilingMachine(model=record, state_field="status").send(event, actor=actor)
    assert record.status == before


def test_owner_withdraws_a_submitted_dossier():
    record = dossier(status="submitted")
    DossierFilingMachine(model=record, state_field="status").send("withdraw", actor=OWNER)
    assert record.status == "withdrawn"
