"""A refund: requested by an authorised official, sent to the gateway (pending), then succeeded or
failed. A gateway without a refund API (a VietQR transfer) stays pending until the accountant records
the bank transfer that returned the money. Pure python-statemachine, like the payment attempt."""

from __future__ import annotations

from statemachine import State, StateMachine

from workflows.labelled import Labelled


class RefundMachine(StateMachine):
    """A refund of a succeeded payment attempt: sent to the gateway, then succeeded or failed."""

    requested = State("Đã yêu cầu", initial=True, value="requested")
    pending = State("Đang hoàn tiền", value="pending")
    succeeded = State("Đã hoàn tiền", final=True, value="succeeded")
    failed = State("Hoàn tiền không thành công", final=True, value="failed")

    submit = requested.to(pending)
    succeed = pending.to(succeeded)
    fail = pending.to(failed) | requested.to(failed)


class RefundStatus(Labelled):
    REQUESTED = "requested", "Đã yêu cầu hoàn tiền"
    PENDING = "pending", "Đang hoàn tiền"
    SUCCEEDED = "succeeded", "Đã hoàn tiền"
    FAILED = "failed", "Hoàn tiền không thành công"


REFUND_LABELS = RefundStatus.labels()
