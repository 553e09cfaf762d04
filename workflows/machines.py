"""The dossier workflows (Decree 118/2025, Circular 03/2025) as python-statemachine `StateMachine`s, so
that a forbidden event raises `TransitionNotAllowed`.

Events are sent with `actor=` (who acts) and `data=` (the event's input). Conditions are the pure
guards of workflows.guards. The service layer binds a machine to the dossier row, locks it, sends the
event, writes the history row and notifies; nothing here touches a database.
"""

from __future__ import annotations

from typing import Any

from statemachine import State, StateMachine

from workflows import guards
from workflows.guards import LEADER, RECEPTION, Actor, DossierFacts
from workflows.states import DossierStatus as S


class _Conditions:
    """Guards bound to the machine's dossier (`self.model`), named as the transitions use them."""

    model: DossierFacts

    def by_owner(self, actor: Actor | None = None) -> bool:
        return guards.is_owner(self.model, actor)

    def by_reception(self, actor: Actor | None = None) -> bool:
        return guards.has_role(actor, RECEPTION)

    def by_leader(self, actor: Actor | None = None) -> bool:
        return guards.has_role(actor, LEADER)

    def by_desk_or_leader(self, actor: Actor | None = None) -> bool:
        return guards.has_role(actor, RECEPTION, LEADER)

    def by_assigned_specialist(self, actor: Actor | None = None) -> bool:
        return guards.is_assigned_specialist(self.model, actor)

    def with_reason(self, data: dict[str, Any] | None = None) -> bool:
        return guards.has_reason(data)

    def code_allocated(self) -> bool:
        return bool(self.model.code)

    def to_a_specialist(self, data: dict[str, Any] | None = None) -> bool:
        return guards.assignee_is_specialist(data)

    def first_supplement(self) -> bool:
        return guards.supplement_not_yet_requested(self.model)

    def supplement_at_reception(self) -> bool:
        return guards.supplement_stage_is(self.model, "reception")

    def supplement_in_processing(self) -> bool:
        return guards.supplement_stage_is(self.model, "processing")

    def supplement_overdue(self, data: dict[str, Any] | None = None) -> bool:
        return guards.supplement_overdue(self.model, data)

    def with_proposal(self, data: dict[str, Any] | None = None) -> bool:
        return guards.has_proposal(data)

    def proposed_approval(self) -> bool:
        return guards.proposal_is(self.model, "approve")

    def provincial(self) -> bool:
        return guards.needs_provincial_decision(self.model)

    def obligation_settled(self) -> bool:
        return guards.obligation_settled(self.model)

    def obligation_due(self) -> bool:
        return not guards.obligation_settled(self.model)

    def fee_ready(self) -> bool:
        return guards.fee_ready(self.model)

    def with_return_method(self, data: dict[str, Any] | None = None) -> bool:
        return guards.has_return_method(data)

    def by_school_staff(self, actor: Actor | None = None) -> bool:
        return guards.has_role(actor, *guards.SCHOOL_STAFF)


class OneStopMachine(_Conditions, StateMachine):
    """Reception at the one-stop desk, appraisal by a specialist, decision by the leader (or the
    provincial chairman), result returned by the desk."""

    draft = State("Bản nháp", initial=True, value=S.DRAFT.value)
    submitted = State("Chờ tiếp nhận", value=S.SUBMITTED.value)
    received = State("Đã tiếp nhận", value=S.RECEIVED.value)
    supplement_requested = State("Chờ bổ sung", value=S.SUPPLEMENT_REQUESTED.value)
    assigned = State("Đã phân công", value=S.ASSIGNED.value)
    under_appraisal = State("Đang thẩm định", value=S.UNDER_APPRAISAL.value)
    proposed = State("Chờ phê duyệt", value=S.PROPOSED.value)
    forwarded = State("Trình UBND tỉnh", value=S.FORWARDED.value)
    approved = State("Đã có kết quả", value=S.APPROVED.value)
    denied = State("Không giải quyết", value=S.DENIED.value)
    awaiting_payment = State("Chờ nghĩa vụ tài chính", value=S.AWAITING_PAYMENT.value)
    stop_requested = State("Đề nghị dừng", value=S.STOP_REQUESTED.value)
    refused = State("Từ chối tiếp nhận", final=True, value=S.REFUSED.value)
    returned = State("Đã trả kết quả", final=True, value=S.RETURNED.value)
    withdrawn = State("Đã rút", final=True, value=S.WITHDRAWN.value)
    stopped = State("Đã dừng", final=True, value=S.STOPPED.value)
    closed = State("Đã đóng", final=True, value=S.CLOSED.value)

    submit = draft.to(submitted, cond=["by_owner", "code_allocated"])
    # A paper dossier (a walk-in applicant, or one that came by post) is filed by the desk for them.
    file_on_paper = draft.to(submitted, cond=["by_reception", "code_allocated"])
    # Withdrawal is possible until the dossier has been received, also while a reception-stage
    # supplement is pending; afterwards the applicant asks to stop instead.
    withdraw = submitted.to(withdrawn, cond="by_owner") | supplement_requested.to(
        withdrawn, cond=["by_owner", "supplement_at_reception"]
    )
    receive = submitted.to(received, cond=["by_reception", "fee_ready"])
    refuse = submitted.to(refused, cond=["by_reception", "with_reason"])
    request_supplement = submitted.to(
        supplement_requested, cond=["by_reception", "with_reason", "first_supplement"]
    ) | (
        under_appraisal.to(
            supplement_requested, cond=["by_assigned_specialist", "with_reason", "first_supplement"]
        )
    )
    supplement = supplement_requested.to(submitted, cond=["by_owner", "supplement_at_reception"]) | (
        supplement_requested.to(under_appraisal, cond=["by_owner", "supplement_in_processing"])
    )
    close = supplement_requested.to(closed, cond=["by_desk_or_leader", "supplement_overdue"])
    assign = received.to(assigned, cond=["by_desk_or_leader", "to_a_specialist"]) | (
        assigned.to.itself(cond=["by_desk_or_leader", "to_a_specialist"])  # type: ignore[no-untyped-call]
    )  # (python-statemachine leaves `itself` unannotated)
    start_appraisal = assigned.to(under_appraisal, cond="by_assigned_specialist")
    propose = under_appraisal.to(proposed, cond=["by_assigned_specialist", "with_proposal"])
    send_back = proposed.to(under_appraisal, cond=["by_leader", "with_reason"])
    forward = proposed.to(forwarded, cond=["by_leader", "provincial", "proposed_approval"])
    approve = proposed.to(approved, cond=["by_leader", "proposed_approval"], unless="provincial") | (
        forwarded.to(approved, cond="by_desk_or_leader")
    )
    deny = proposed.to(denied, cond=["by_leader", "with_reason"]) | forwarded.to(
        denied, cond=["by_desk_or_leader", "with_reason"]
    )
    await_payment = approved.to(awaiting_payment, cond=["by_reception", "obligation_due"])
    confirm_payment = awaiting_payment.to(approved, cond="by_reception")
    return_result = approved.to(
        returned, cond=["by_reception", "obligation_settled", "with_return_method"]
    ) | (denied.to(returned, cond=["by_reception", "with_return_method"]))
    request_stop = (
        received.to(stop_requested, cond="by_owner")
        | assigned.to(stop_requested, cond="by_owner")
        | under_appraisal.to(stop_requested, cond="by_owner")
        | supplement_requested.to(stop_requested, cond=["by_owner", "supplement_in_processing"])
        | proposed.to(stop_requested, cond="by_owner")
    )
    stop = stop_requested.to(stopped, cond="by_desk_or_leader")


class SingleDeskMachine(_Conditions, StateMachine):
    """For procedures processed entirely at one desk: the reception officer receives and decides."""

    draft = State("Bản nháp", initial=True, value=S.DRAFT.value)
    submitted = State("Chờ tiếp nhận", value=S.SUBMITTED.value)
    received = State("Đã tiếp nhận", value=S.RECEIVED.value)
    supplement_requested = State("Chờ bổ sung", value=S.SUPPLEMENT_REQUESTED.value)
    approved = State("Đã có kết quả", value=S.APPROVED.value)
    denied = State("Không giải quyết", value=S.DENIED.value)
    awaiting_payment = State("Chờ nghĩa vụ tài chính", value=S.AWAITING_PAYMENT.value)
    stop_requested = State("Đề nghị dừng", value=S.STOP_REQUESTED.value)
    refused = State("Từ chối tiếp nhận", final=True, value=S.REFUSED.value)
    returned = State("Đã trả kết quả", final=True, value=S.RETURNED.value)
    withdrawn = State("Đã rút", final=True, value=S.WITHDRAWN.value)
    stopped = State("Đã dừng", final=True, value=S.STOPPED.value)
    closed = State("Đã đóng", final=True, value=S.CLOSED.value)

    submit = draft.to(submitted, cond=["by_owner", "code_allocated"])
    # A paper dossier (a walk-in applicant, or one that came by post) is filed by the desk for them.
    file_on_paper = draft.to(submitted, cond=["by_reception", "code_allocated"])
    # Withdrawal is possible until the dossier has been received, also while a reception-stage
    # supplement is pending; afterwards the applicant asks to stop instead.
    withdraw = submitted.to(withdrawn, cond="by_owner") | supplement_requested.to(
        withdrawn, cond=["by_owner", "supplement_at_reception"]
    )
    receive = submitted.to(received, cond=["by_reception", "fee_ready"])
    refuse = submitted.to(refused, cond=["by_reception", "with_reason"])
    request_supplement = submitted.to(
        supplement_requested, cond=["by_reception", "with_reason", "first_supplement"]
    ) | (received.to(supplement_requested, cond=["by_reception", "with_reason", "first_supplement"]))
    supplement = supplement_requested.to(submitted, cond=["by_owner", "supplement_at_reception"]) | (
        supplement_requested.to(received, cond=["by_owner", "supplement_in_processing"])
    )
    close = supplement_requested.to(closed, cond=["by_desk_or_leader", "supplement_overdue"])
    approve = received.to(approved, cond="by_reception")
    deny = received.to(denied, cond=["by_reception", "with_reason"])
    await_payment = approved.to(awaiting_payment, cond=["by_reception", "obligation_due"])
    confirm_payment = awaiting_payment.to(approved, cond="by_reception")
    return_result = approved.to(
        returned, cond=["by_reception", "obligation_settled", "with_return_method"]
    ) | (denied.to(returned, cond=["by_reception", "with_return_method"]))
    request_stop = received.to(stop_requested, cond="by_owner") | supplement_requested.to(
        stop_requested, cond=["by_owner", "supplement_in_processing"]
    )
    stop = stop_requested.to(stopped, cond="by_desk_or_leader")


class SchoolMachine(_Conditions, StateMachine):
    """An application the learner's own school decides (1.005144 at a public institution: Decree
    238/2025, LAW-2026 §2): filed online straight to the school, which verifies it and decides, granting
    the reduction or refusing it with its reason. No one-stop desk and no Sở official take part; which
    school's staff may act is the service's check (the dossier's school), as an agency's is."""

    draft = State("Bản nháp", initial=True, value=S.DRAFT.value)
    submitted = State("Chờ nhà trường xét duyệt", value=S.SUBMITTED.value)
    approved = State("Đã có kết quả", final=True, value=S.APPROVED.value)
    denied = State("Không giải quyết", final=True, value=S.DENIED.value)
    withdrawn = State("Đã rút", final=True, value=S.WITHDRAWN.value)

    submit = draft.to(submitted, cond=["by_owner", "code_allocated"])
    withdraw = submitted.to(withdrawn, cond="by_owner")
    approve = submitted.to(approved, cond="by_school_staff")
    deny = submitted.to(denied, cond=["by_school_staff", "with_reason"])


MACHINES: dict[str, type[StateMachine]] = {
    "one_stop": OneStopMachine,
    "single_desk": SingleDeskMachine,
    "school": SchoolMachine,
}


def machine_for(workflow: str) -> type[StateMachine]:
    return MACHINES[workflow]
