"""A payment attempt: created, sent to the gateway (pending), then succeeded, failed, cancelled or
expired. An attempt we expired (nothing heard before its deadline) still becomes a success when the
gateway later proves the payer paid: the money was taken, so it counts. Pure python-statemachine;
settlement binds it to the attempt row under a lock."""

from __future__ import annotations

from statemachine import State, StateMachine

from workflows.labelled import Labelled


class PaymentAttemptMachine(StateMachine):
    """One attempt to pay an order at a gateway; append-only, settled once under a row lock."""

    created = State("Khởi tạo", initial=True, value="created")
    pending = State("Chờ kết quả", value="pending")
    succeeded = State("Thành công", final=True, value="succeeded")
    failed = State("Thất bại", final=True, value="failed")
    cancelled = State("Đã hủy", final=True, value="cancelled")
    expired = State("Hết hạn", value="expired")

    start = created.to(pending)
    succeed = pending.to(succeeded)
    fail = pending.to(failed)
    cancel = pending.to(cancelled)
    expire = pending.to(expired)
    succeed_late = expired.to(succeeded)


class AttemptStatus(Labelled):
    CREATED = "created", "Khởi tạo"
    PENDING = "pending", "Chờ kết quả thanh toán"
    SUCCEEDED = "succeeded", "Thanh toán thành công"
    FAILED = "failed", "Thanh toán không thành công"
    CANCELLED = "cancelled", "Đã hủy thanh toán"
    EXPIRED = "expired", "Hết hạn thanh toán"


ATTEMPT_LABELS = AttemptStatus.labels()
