"""The workflows alone (no Flask, no database): every transition, and every forbidden one per role."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
from statemachine.exceptions import TransitionNotAllowed

from workflows.diagram import mermaid
from workflows.machines import OneStopMachine, SingleDeskMachine

ACTORS = {
    "owner": SimpleNamespace(id=1, role="citizen"),
    "stranger": SimpleNamespace(id=9, role="citizen"),
    "reception": SimpleNamespace(id=2, role="reception"),
    "specialist": SimpleNamespace(id=3, role="specialist", is_active=True),
    "other_specialist": SimpleNamespace(id=4, role="specialist", is_active=True),
    "leader": SimpleNamespace(id=5, role="leader"),
    "accountant": SimpleNamespace(id=6, role="accountant"),
    "admin": SimpleNamespace(id=7, role="admin"),
}
FULL_DATA = {
    "reason": "Thiếu bản sao giấy khai sinh",
    "assignee": ACTORS["specialist"],
    "decision": "approve",
    "draft": "Dự thảo quyết định",
    "method": "electronic",
    "today": date(2026, 12, 31),
}


def dossier(status: str, **attributes):
    values = {
        "status": status,
        "owner_id": 1,
        "assignee_id": 3,
        "code": "H01.48-261128-0001",
        "supplement_count": 0,
        "supplement_stage": "reception",
        "supplement_deadline": date(2026, 12, 1),
        "proposed_decision": "approve",
        "needs_provincial_decision": False,
        "fee_due_before_result": False,
        "fee_settled": False,
        "fee_due_at_filing": False,
        "fee_paid_at_filing": False,
    }
    values.update(attributes)
    return SimpleNamespace(**values)


# (machine, state, event, extra dossier attributes) -> (actors allowed, target state)
ONE_STOP = {
    ("draft", "submit", ()): ({"owner"}, "submitted"),
    ("submitted", "withdraw", ()): ({"owner"}, "withdrawn"),
    ("submitted", "receive", ()): ({"reception"}, "received"),
    ("submitted", "refuse", ()): ({"reception"}, "refused"),
    ("submitted", "request_supplement", ()): ({"reception"}, "supplement_requested"),
    ("under_appraisal", "request_supplement", ()): ({"specialist"}, "supplement_requested"),
    ("supplement_requested", "supplement", (("supplement_stage", "reception"),)): ({"owner"}, "submitted"),
    ("supplement_requested", "supplement", (("supplement_stage", "processing"),)): (
        {"owner"},
        "under_appraisal",
    ),
    ("supplement_requested", "close", ()): ({"reception", "leader"}, "closed"),
    ("received", "assign", ()): ({"reception", "leader"}, "assigned"),
    ("assigned", "assign", ()): ({"reception", "leader"}, "assigned"),
    ("assigned", "start_appraisal", ()): ({"specialist"}, "under_appraisal"),
    ("under_appraisal", "propose", ()): ({"specialist"}, "proposed"),
    ("proposed", "send_back", ()): ({"leader"}, "under_appraisal"),
    ("proposed", "approve", ()): ({"leader"}, "approved"),
    ("proposed", "deny", ()): ({"leader"}, "denied"),
    ("proposed", "forward", (("needs_provincial_decision", True),)): ({"leader"}, "forwarded"),
    ("forwarded", "approve", ()): ({"reception", "leader"}, "approved"),
    ("forwarded", "deny", ()): ({"reception", "leader"}, "denied"),
    ("approved", "await_payment", (("fee_due_before_result", True),)): ({"reception"}, "awaiting_payment"),
    ("awaiting_payment", "confirm_payment", ()): ({"reception"}, "approved"),
    ("approved", "return_result", ()): ({"reception"}, "returned"),
    ("denied", "return_result", ()): ({"reception"}, "returned"),
    ("received", "request_stop", ()): ({"owner"}, "stop_requested"),
    ("under_appraisal", "request_stop", ()): ({"owner"}, "stop_requested"),
    ("stop_requested", "stop", ()): ({"reception", "leader"}, "stopped"),
    ("supplement_requested", "withdraw", (("supplement_stage", "reception"),)): ({"owner"}, "withdrawn"),
    ("supplement_requested", "request_stop", (("supplement_stage", "processing"),)): (
        {"owner"},
        "stop_requested",
    ),
}
SINGLE_DESK = {
    ("submitted", "receive", ()): ({"reception"}, "received"),
    ("received", "request_supplement", ()): ({"reception"}, "supplement_requested"),
    ("supplement_requested", "supplement", (("supplement_stage", "processing"),)): ({"owner"}, "received"),
    ("received", "approve", ()): ({"reception"}, "approved"),
    ("received", "deny", ()): ({"reception"}, "denied"),
    ("approved", "return_result", ()): ({"reception"}, "returned"),
    ("received", "request_stop", ()): ({"owner"}, "stop_requested"),
    ("stop_requested", "stop", ()): ({"reception", "leader"}, "stopped"),
}
CASES = [(OneStopMachine, *key, *value) for key, value in ONE_STOP.items()] + [
    (SingleDeskMachine, *key, *value) for key, value in SINGLE_DESK.items()
]


@pytest.mark.parametrize(("machine", "state", "event", "attributes", "allowed", "target"), CASES)
@pytest.mark.parametrize("actor_name", sorted(ACTORS))
def test_each_transition_is_open_to_exactly_its_roles(
    machine, state, event, attributes, allowed, target, actor_name
):
    record = dossier(state, **dict(attributes))
    bound = machine(model=record, state_field="status")
    if actor_name in allowed:
        bound.send(event, actor=ACTORS[actor_name], data=dict(FULL_DATA))
        assert record.status == target
    else:
        with pytest.raises(TransitionNotAllowed):
            bound.send(event, actor=ACTORS[actor_name], data=dict(FULL_DATA))
        assert record.status == state


@pytest.mark.parametrize(
    ("state", "event", "actor", "data", "attributes"),
    [
        ("submitted", "refuse", "reception", {"reason": "  "}, {}),
        ("submitted", "request_supplement", "reception", {"reason": ""}, {}),
        ("submitted", "request_supplement", "reception", FULL_DATA, {"supplement_count": 1}),
        ("received", "assign", "reception", {"assignee": ACTORS["leader"]}, {}),
        ("received", "assign", "reception", {"assignee": None}, {}),
        ("under_appraisal", "propose", "specialist", {"decision": "approve", "draft": ""}, {}),
        ("under_appraisal", "propose", "specialist", {"decision": "maybe", "draft": "x"}, {}),
        ("proposed", "approve", "leader", {}, {"proposed_decision": "deny"}),
        ("proposed", "approve", "leader", {}, {"needs_provincial_decision": True}),
        ("proposed", "send_back", "leader", {"reason": ""}, {}),
        ("approved", "return_result", "reception", {"method": "electronic"}, {"fee_due_before_result": True}),
        ("approved", "return_result", "reception", {"method": "pigeon"}, {}),
        ("supplement_requested", "close", "reception", {"today": date(2026, 11, 30)}, {}),
        ("approved", "request_stop", "owner", {}, {}),
        ("withdrawn", "receive", "reception", {}, {}),
        ("submitted", "receive", "reception", {}, {"fee_due_at_filing": True}),
        ("supplement_requested", "request_stop", "owner", {}, {"supplement_stage": "reception"}),
        ("supplement_requested", "withdraw", "owner", {}, {"supplement_stage": "processing"}),
    ],
)
def test_an_event_without_what_it_needs_is_refused(state, event, actor, data, attributes):
    record = dossier(state, **attributes)
    with pytest.raises(TransitionNotAllowed):
        OneStopMachine(model=record, state_field="status").send(event, actor=ACTORS[actor], data=data)
    assert record.status == state


def test_final_states_accept_nothing():
    for machine in (OneStopMachine, SingleDeskMachine):
        for state in machine.states:
            if state.final:
                assert list(state.transitions) == []


def test_diagrams_are_drawn_from_the_machines():
    text = mermaid(OneStopMachine)
    assert text.startswith("stateDiagram-v2")
    assert "proposed --> forwarded: forward" in text
    assert 'state "Đang thẩm định" as under_appraisal' in text


@pytest.mark.parametrize(
    ("name", "machine"), [("one_stop", OneStopMachine), ("single_desk", SingleDeskMachine)]
)
def test_the_published_diagrams_are_exactly_what_the_machines_draw(name, machine):
    """docs/workflows is where staff read the flow: every state's Vietnamese name, every transition and
    its guards there must be the machine's own (a renamed state or a dropped transition shows here)."""
    published = Path(__file__).resolve().parents[2] / "docs" / "workflows" / f"{name}.md"
    assert f"```mermaid\n{mermaid(machine)}```" in published.read_text(encoding="utf-8")
