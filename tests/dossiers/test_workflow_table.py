"""Every state × every event of every workflow, against tables written by hand from the law's flow.

The one-stop flow (Decree 118/2025, Circular 03/2025; shared/DOMAIN.md): receive (accept, request a
supplement once, or refuse), transfer and assign, appraise, submit for signature (or to the provincial
chairman), issue, return the result; the applicant withdraws before reception, asks to stop after it;
a supplement not answered in time closes the dossier; the result waits for the financial obligation.
A single-desk procedure is received and decided by the reception officer. The tables below say, for
each state, which event moves the dossier where and who may send it; every pair they do not list must
be refused to everyone, in every circumstance. They are not derived from the machines: a transition
added, dropped, redirected or opened to another role fails here.
"""

from __future__ import annotations

import itertools
from datetime import date
from types import SimpleNamespace

import pytest
from statemachine.exceptions import TransitionNotAllowed

from workflows.machines import MACHINES, OneStopMachine, SingleDeskMachine
from workflows.payment_attempt import PaymentAttemptMachine
from workflows.refund import RefundMachine

OWNER, RECEPTION, SPECIALIST, LEADER = "owner", "reception", "specialist", "leader"
DESK_OR_LEADER = {RECEPTION, LEADER}
ACTORS = {
    OWNER: SimpleNamespace(id=1, role="citizen"),
    "stranger": SimpleNamespace(id=9, role="citizen"),
    RECEPTION: SimpleNamespace(id=2, role="reception"),
    SPECIALIST: SimpleNamespace(id=3, role="specialist"),  # the assigned one
    "other_specialist": SimpleNamespace(id=4, role="specialist"),
    LEADER: SimpleNamespace(id=5, role="leader"),
    "accountant": SimpleNamespace(id=6, role="accountant"),
    "school_admin": SimpleNamespace(id=8, role="school_admin"),
    "admin": SimpleNamespace(id=7, role="admin"),
}
DATA = {
    "reason": "Thiếu bản sao quyết định thành lập",
    "assignee": SimpleNamespace(id=3, role="specialist", is_active=True),
    "decision": "approve",
    "draft": "Dự thảo giấy chứng nhận",
    "method": "electronic",
    "today": date(2026, 12, 31),
}
# What an event cannot do without (the reason of a refusal, the specialist assigned, the draft, how
# the result goes back, the day the supplement is judged overdue).
NEEDS = {
    "refuse": "reason",
    "request_supplement": "reason",
    "send_back": "reason",
    "deny": "reason",
    "assign": "assignee",
    "propose": "draft",
    "return_result": "method",
    "close": "today",
}

# The circumstances a dossier can be in, beyond its state: where a supplement was asked (at reception or
# during processing), whether the provincial chairman decides, and the fee due before the result.
# Each condition reads one of these, so four worlds give every value of each (all 12 combinations would
# only repeat the same checks three times over).
STAGES, PROVINCIAL, FEES = ("reception", "processing"), (False, True), ("none", "owed", "settled")
WORLDS = [
    ("reception", False, "none"),
    ("processing", True, "owed"),
    ("reception", True, "settled"),
    ("processing", False, "settled"),
]
ANY = {"stage": set(STAGES), "provincial": set(PROVINCIAL), "fee": set(FEES)}


def when(**conditions) -> dict:
    return {**ANY, **{k: set(v) if isinstance(v, tuple) else {v} for k, v in conditions.items()}}


# (state, event) -> [(circumstances, target, who may)]: written from the flow above.
ONE_STOP = {
    ("draft", "submit"): [(ANY, "submitted", {OWNER})],
    ("draft", "file_on_paper"): [(ANY, "submitted", {RECEPTION})],
    ("submitted", "withdraw"): [(ANY, "withdrawn", {OWNER})],
    ("submitted", "receive"): [(ANY, "received", {RECEPTION})],
    ("submitted", "refuse"): [(ANY, "refused", {RECEPTION})],
    ("submitted", "request_supplement"): [(ANY, "supplement_requested", {RECEPTION})],
    ("supplement_requested", "supplement"): [
        (when(stage="reception"), "submitted", {OWNER}),
        (when(stage="processing"), "under_appraisal", {OWNER}),
    ],
    ("supplement_requested", "withdraw"): [(when(stage="reception"), "withdrawn", {OWNER})],
    ("supplement_requested", "request_stop"): [(when(stage="processing"), "stop_requested", {OWNER})],
    ("supplement_requested", "close"): [(ANY, "closed", DESK_OR_LEADER)],
    ("received", "assign"): [(ANY, "assigned", DESK_OR_LEADER)],
    ("received", "request_stop"): [(ANY, "stop_requested", {OWNER})],
    ("assigned", "assign"): [(ANY, "assigned", DESK_OR_LEADER)],
    ("assigned", "start_appraisal"): [(ANY, "under_appraisal", {SPECIALIST})],
    ("assigned", "request_stop"): [(ANY, "stop_requested", {OWNER})],
    ("under_appraisal", "request_supplement"): [(ANY, "supplement_requested", {SPECIALIST})],
    ("under_appraisal", "propose"): [(ANY, "proposed", {SPECIALIST})],
    ("under_appraisal", "request_stop"): [(ANY, "stop_requested", {OWNER})],
    ("proposed", "send_back"): [(ANY, "under_appraisal", {LEADER})],
    ("proposed", "approve"): [(when(provincial=False), "approved", {LEADER})],
    ("proposed", "forward"): [(when(provincial=True), "forwarded", {LEADER})],
    ("proposed", "deny"): [(ANY, "denied", {LEADER})],
    ("proposed", "request_stop"): [(ANY, "stop_requested", {OWNER})],
    ("forwarded", "approve"): [(ANY, "approved", DESK_OR_LEADER)],
    ("forwarded", "deny"): [(ANY, "denied", DESK_OR_LEADER)],
    ("approved", "await_payment"): [(when(fee="owed"), "awaiting_payment", {RECEPTION})],
    ("approved", "return_result"): [(when(fee=("none", "settled")), "returned", {RECEPTION})],
    ("awaiting_payment", "confirm_payment"): [(ANY, "approved", {RECEPTION})],
    ("denied", "return_result"): [(ANY, "returned", {RECEPTION})],
    ("stop_requested", "stop"): [(ANY, "stopped", DESK_OR_LEADER)],
}
SINGLE_DESK = {
    ("draft", "submit"): [(ANY, "submitted", {OWNER})],
    ("draft", "file_on_paper"): [(ANY, "submitted", {RECEPTION})],
    ("submitted", "withdraw"): [(ANY, "withdrawn", {OWNER})],
    ("submitted", "receive"): [(ANY, "received", {RECEPTION})],
    ("submitted", "refuse"): [(ANY, "refused", {RECEPTION})],
    ("submitted", "request_supplement"): [(ANY, "supplement_requested", {RECEPTION})],
    ("received", "request_supplement"): [(ANY, "supplement_requested", {RECEPTION})],
    ("supplement_requested", "supplement"): [
        (when(stage="reception"), "submitted", {OWNER}),
        (when(stage="processing"), "received", {OWNER}),
    ],
    ("supplement_requested", "withdraw"): [(when(stage="reception"), "withdrawn", {OWNER})],
    ("supplement_requested", "request_stop"): [(when(stage="processing"), "stop_requested", {OWNER})],
    ("supplement_requested", "close"): [(ANY, "closed", DESK_OR_LEADER)],
    ("received", "approve"): [(ANY, "approved", {RECEPTION})],
    ("received", "deny"): [(ANY, "denied", {RECEPTION})],
    ("received", "request_stop"): [(ANY, "stop_requested", {OWNER})],
    ("approved", "await_payment"): [(when(fee="owed"), "awaiting_payment", {RECEPTION})],
    ("approved", "return_result"): [(when(fee=("none", "settled")), "returned", {RECEPTION})],
    ("awaiting_payment", "confirm_payment"): [(ANY, "approved", {RECEPTION})],
    ("denied", "return_result"): [(ANY, "returned", {RECEPTION})],
    ("stop_requested", "stop"): [(ANY, "stopped", DESK_OR_LEADER)],
}
# An application the learner's school decides (1.005144 at a public institution, LAW-2026 §2): filed
# straight to the school, whose staff (its administrator or accountant) approve it, or refuse it with the
# reason; no one-stop desk, no Sở official. Which school may act is the service's check.
SCHOOL_STAFF = {"accountant", "school_admin"}
SCHOOL = {
    ("draft", "submit"): [(ANY, "submitted", {OWNER})],
    ("submitted", "withdraw"): [(ANY, "withdrawn", {OWNER})],
    ("submitted", "approve"): [(ANY, "approved", SCHOOL_STAFF)],
    ("submitted", "deny"): [(ANY, "denied", SCHOOL_STAFF)],
}
DOSSIER_STATES = {
    "one_stop": [
        "draft",
        "submitted",
        "received",
        "supplement_requested",
        "assigned",
        "under_appraisal",
        "proposed",
        "forwarded",
        "approved",
        "denied",
        "awaiting_payment",
        "stop_requested",
        "refused",
        "returned",
        "withdrawn",
        "stopped",
        "closed",
    ],
    "single_desk": [
        "draft",
        "submitted",
        "received",
        "supplement_requested",
        "approved",
        "denied",
        "awaiting_payment",
        "stop_requested",
        "refused",
        "returned",
        "withdrawn",
        "stopped",
        "closed",
    ],
    "school": ["draft", "submitted", "approved", "denied", "withdrawn"],
}
FINAL = {"refused", "returned", "withdrawn", "stopped", "closed"}
# The school's decision is its result, issued electronically with it: nothing follows it.
FINAL_OF = {"school": {"approved", "denied", "withdrawn"}}
TABLES = {"one_stop": ONE_STOP, "single_desk": SINGLE_DESK, "school": SCHOOL}


def dossier(state: str, world: tuple) -> SimpleNamespace:
    stage, provincial, fee = world
    return SimpleNamespace(
        status=state,
        owner_id=1,
        assignee_id=3,
        code="H01.48-261128-0001",
        supplement_count=0,
        supplement_stage=stage,
        supplement_deadline=date(2026, 12, 1),
        proposed_decision="approve",
        needs_provincial_decision=provincial,
        fee_due_before_result=fee != "none",
        fee_settled=fee == "settled",
        fee_due_at_filing=False,
        fee_paid_at_filing=False,
    )


def expected(table: dict, state: str, event: str, world: tuple) -> tuple[str | None, set[str]]:
    stage, provincial, fee = world
    for circumstances, target, who in table.get((state, event), []):
        if (
            stage in circumstances["stage"]
            and provincial in circumstances["provincial"]
            and fee in circumstances["fee"]
        ):
            return target, who
    return None, set()


def events_of(machine) -> set[str]:
    return {event.id for event in machine.events}


def test_the_machines_have_exactly_the_laws_states_and_events():
    for workflow, table in TABLES.items():
        machine = MACHINES[workflow]
        assert [state.value for state in machine.states] == DOSSIER_STATES[workflow]
        assert {state.value for state in machine.states if state.final} == FINAL_OF.get(workflow, FINAL)
        assert events_of(machine) == {event for _, event in table}
    assert set(MACHINES) == {"one_stop", "single_desk", "school"}


# One test per state (the events are looped inside): the suite's per-test database cleanup costs more
# than the checks themselves.
STATES = [(workflow, state) for workflow in TABLES for state in DOSSIER_STATES[workflow]]


@pytest.mark.parametrize(("workflow", "state"), STATES)
def test_each_event_in_each_state_does_what_the_table_says_for_each_actor(workflow, state):
    machine, table = MACHINES[workflow], TABLES[workflow]
    for event, world in itertools.product(sorted({event for _, event in table}), WORLDS):
        target, who = expected(table, state, event, world)
        record = dossier(state, world)
        bound = machine(model=record, state_field="status")  # reused while the events are refused
        for name, actor in ACTORS.items():
            if name in who:
                bound.send(event, actor=actor, data=dict(DATA))
                assert record.status == target, (event, world, name)
                record = dossier(state, world)
                bound = machine(model=record, state_field="status")
            else:
                with pytest.raises(TransitionNotAllowed):
                    bound.send(event, actor=actor, data=dict(DATA))
                assert record.status == state, (event, world, name)


def world_of(circumstances: dict) -> tuple:
    return (min(circumstances["stage"]), min(circumstances["provincial"]), min(circumstances["fee"]))


@pytest.mark.parametrize("workflow", sorted(TABLES))
def test_an_allowed_transition_is_refused_to_nobody_and_without_what_it_needs(workflow):
    machine = MACHINES[workflow]
    for (state, event), rows in TABLES[workflow].items():
        for circumstances, _, who in rows:
            world = world_of(circumstances)
            with pytest.raises(TransitionNotAllowed):  # nobody signed in
                machine(model=dossier(state, world), state_field="status").send(
                    event, actor=None, data=dict(DATA)
                )
            if event not in NEEDS:
                continue
            for actor in who:
                record = dossier(state, world)
                missing = {**DATA, NEEDS[event]: None if NEEDS[event] in ("assignee", "today") else "   "}
                for data in ({}, missing):
                    with pytest.raises(TransitionNotAllowed):
                        machine(model=record, state_field="status").send(
                            event, actor=ACTORS[actor], data=data
                        )
                assert record.status == state, (state, event, actor)


@pytest.mark.parametrize(
    ("machine", "state", "event", "actor", "data", "changes"),
    [
        # A supplement is requested once (Decree 118/2025), at reception and in appraisal alike.
        (OneStopMachine, "submitted", "request_supplement", RECEPTION, DATA, {"supplement_count": 1}),
        (OneStopMachine, "under_appraisal", "request_supplement", SPECIALIST, DATA, {"supplement_count": 1}),
        (SingleDeskMachine, "received", "request_supplement", RECEPTION, DATA, {"supplement_count": 1}),
        # Only an active specialist is assigned.
        (
            OneStopMachine,
            "received",
            "assign",
            LEADER,
            {"assignee": SimpleNamespace(id=3, role="specialist", is_active=False)},
            {},
        ),
        (
            OneStopMachine,
            "received",
            "assign",
            LEADER,
            {"assignee": SimpleNamespace(id=5, role="leader")},
            {},
        ),
        # Not the assigned specialist.
        (OneStopMachine, "assigned", "start_appraisal", SPECIALIST, DATA, {"assignee_id": 4}),
        # The proposal says approve or deny, with a draft; only an approval is approved or forwarded.
        (OneStopMachine, "under_appraisal", "propose", SPECIALIST, {"decision": "maybe", "draft": "x"}, {}),
        (OneStopMachine, "proposed", "approve", LEADER, DATA, {"proposed_decision": "deny"}),
        (
            OneStopMachine,
            "proposed",
            "forward",
            LEADER,
            DATA,
            {"proposed_decision": "deny", "needs_provincial_decision": True},
        ),
        # The result goes back electronically, by post or at the desk: nothing else.
        (OneStopMachine, "denied", "return_result", RECEPTION, {"method": "pigeon"}, {}),
        # A supplement is overdue only after its deadline (the last day itself is still in time).
        (OneStopMachine, "supplement_requested", "close", RECEPTION, {"today": date(2026, 12, 1)}, {}),
        (OneStopMachine, "supplement_requested", "close", RECEPTION, DATA, {"supplement_deadline": None}),
        # A fee due at filing is paid before the desk receives the dossier; no code, no submission.
        (OneStopMachine, "submitted", "receive", RECEPTION, DATA, {"fee_due_at_filing": True}),
        (SingleDeskMachine, "submitted", "receive", RECEPTION, DATA, {"fee_due_at_filing": True}),
        (OneStopMachine, "draft", "submit", OWNER, DATA, {"code": None}),
        (OneStopMachine, "draft", "submit", OWNER, DATA, {"code": ""}),
        (SingleDeskMachine, "draft", "file_on_paper", RECEPTION, DATA, {"code": None}),
    ],
)
def test_a_transition_is_refused_when_the_dossier_does_not_meet_its_condition(
    machine, state, event, actor, data, changes
):
    record = dossier(state, ("reception", False, "none"))
    for name, value in changes.items():
        setattr(record, name, value)
    with pytest.raises(TransitionNotAllowed):
        machine(model=record, state_field="status").send(event, actor=ACTORS[actor], data=dict(data))
    assert record.status == state


@pytest.mark.parametrize(
    ("changes", "data"),
    [
        ({"fee_due_at_filing": True, "fee_paid_at_filing": True}, DATA),  # paid at filing: received
        ({}, {**DATA, "today": date(2026, 12, 2)}),  # the day after the supplement's deadline: closed
    ],
)
def test_conditions_met_exactly_let_the_dossier_through(changes, data):
    record = dossier("submitted", ("reception", False, "none"))
    for name, value in changes.items():
        setattr(record, name, value)
    OneStopMachine(model=record, state_field="status").send("receive", actor=ACTORS[RECEPTION], data=data)
    assert record.status == "received"
    overdue = dossier("supplement_requested", ("reception", False, "none"))
    OneStopMachine(model=overdue, state_field="status").send("close", actor=ACTORS[LEADER], data=dict(data))
    assert overdue.status == "closed"


def test_a_proposal_to_deny_with_its_draft_goes_to_the_leader_who_denies_it():
    """The specialist may propose either decision (Decree 118/2025): a refusal is drafted too."""
    record = dossier("under_appraisal", ("reception", False, "none"))
    proposal = {"decision": "deny", "draft": "Dự thảo văn bản trả lời không giải quyết"}
    OneStopMachine(model=record, state_field="status").send(
        "propose", actor=ACTORS[SPECIALIST], data=proposal
    )
    assert record.status == "proposed"
    record.proposed_decision = "deny"
    OneStopMachine(model=record, state_field="status").send("deny", actor=ACTORS[LEADER], data=dict(DATA))
    assert record.status == "denied"


# ---------------------------------------------------------------- payment attempts and refunds

# GOV.UK Pay's states (shared/PAYMENTS.md): created → started (pending) → success | failed | cancelled |
# expired; an attempt we expired still succeeds when the gateway proves the payer paid.
ATTEMPT = {
    ("created", "start"): "pending",
    ("pending", "succeed"): "succeeded",
    ("pending", "fail"): "failed",
    ("pending", "cancel"): "cancelled",
    ("pending", "expire"): "expired",
    ("expired", "succeed_late"): "succeeded",
}
ATTEMPT_STATES = ["created", "pending", "succeeded", "failed", "cancelled", "expired"]
# A refund: requested, sent to the gateway (pending), then succeeded or failed; one the gateway refuses
# outright fails without ever pending.
REFUND = {
    ("requested", "submit"): "pending",
    ("pending", "succeed"): "succeeded",
    ("pending", "fail"): "failed",
    ("requested", "fail"): "failed",
}
REFUND_STATES = ["requested", "pending", "succeeded", "failed"]


@pytest.mark.parametrize(
    ("machine", "table", "states", "final"),
    [
        (PaymentAttemptMachine, ATTEMPT, ATTEMPT_STATES, {"succeeded", "failed", "cancelled"}),
        (RefundMachine, REFUND, REFUND_STATES, {"succeeded", "failed"}),
    ],
)
def test_payment_machines_move_only_as_their_tables_say(machine, table, states, final):
    assert [state.value for state in machine.states] == states
    assert {state.value for state in machine.states if state.final} == final
    events = {event for _, event in table}
    assert events_of(machine) == events
    for state, event in itertools.product(states, sorted(events)):
        record = SimpleNamespace(status=state)
        bound = machine(model=record, state_field="status")
        if (state, event) in table:
            bound.send(event)
            assert record.status == table[(state, event)], (state, event)
        else:
            with pytest.raises(TransitionNotAllowed):
                bound.send(event)
            assert record.status == state
