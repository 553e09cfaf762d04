"""A refund: requested by an authorised official, sent to the gateway (pending), then succeeded or
failed. A gateway without a refund API (a VietQR transfer) stays pending until the accountant records
the bank transfer that returned the money. Pure python-statemachine, like the payment attempt."""

from __future__ import annotations

from statemachine import State, StateMachine


class RefundMachine(StateMachine):
    """A refund of a succeeded payment attempt: sent to the gateway, then succeeded or failed."""

    requested = State("Đã yêu cầu", initial=True, value="requested")
    pending = State("Đang hoàn tiền", value="pending")
    succeeded = State("Đã hoàn tiền", final=True, value="succeeded")
    failed = State("Hoàn tiền không thành công", final=True, value="failed")

    submit = requested.to(pending)
    succeed = pending.to(succeeded)
    fail = pending.to(failed) | requested.to(failed)


REFUND_LABELS = {
    "requested": "Đã yêu cầu hoàn tiền", "pending": "Đang hoàn tiền", "succeeded": "Đã hoàn tiền",
    "failed": "Hoàn tiền không thành công",
}  # fmt: skip
