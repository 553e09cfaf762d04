"""Behaviour exactly at the limits: a gateway's smallest and largest amount, an order or attempt expiring
this very second, a deadline on the last working day, across Tết and make-up days, the cut-off hour.
Each limit is tested on both sides (equal accepted, one over refused), so `<` and `<=` cannot swap."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from service.database import write
from service.extensions import db
from service.payments import reconcile as reconciliation
from service.payments import settlement
from service.payments.adapters import ADAPTERS, offered
from service.payments.gateways import vnpay
from service.payments.models import PaymentAttempt, PaymentIncident, PaymentOrder
from service.workdays import DueState, WorkCalendar
from tests.factories import create_payment_order

NOW = datetime(2026, 11, 28, 3, 0, 0)  # naive UTC, as stored
calendar = WorkCalendar()


def reload(model, row_id):
    db.session.expire_all()
    return db.session.get(model, row_id)


# ---------------------------------------------------------------- amounts at each gateway's limits

LIMITS = [("vnpay", 5_000, 999_999_999), ("momo", 1_000, 50_000_000), ("vietqr", 1, 499_999_999)]


@pytest.mark.parametrize(("gateway", "smallest", "largest"), LIMITS)
def test_each_gateway_takes_its_smallest_and_largest_amount_and_nothing_beyond(gateway, smallest, largest):
    adapter = ADAPTERS[gateway]
    assert adapter.check_amount(smallest) is None and adapter.check_amount(largest) is None
    below, above = adapter.check_amount(smallest - 1), adapter.check_amount(largest + 1)
    assert below.startswith(f"{adapter.label} chỉ nhận khoản từ ") and below.endswith(" trở lên.")
    assert above.startswith(f"Số tiền vượt hạn mức một giao dịch của {adapter.label} (")


def test_vnpays_limits_are_in_its_own_words():
    assert ADAPTERS["vnpay"].check_amount(4_999) == "VNPAY chỉ nhận khoản từ 5.000\xa0₫ trở lên."
    assert ADAPTERS["vnpay"].check_amount(1_000_000_000) == (
        "Số tiền vượt hạn mức một giao dịch của VNPAY (999.999.999\xa0₫)."
    )


def test_a_payer_is_offered_only_the_gateways_that_take_the_amount():
    # The national payment platform publishes no limit: the intermediary the payer picks applies its own.
    assert [a.name for a in offered(1_000, None)] == ["vietqr", "momo", "paygov"]
    assert [a.name for a in offered(5_000, None)] == ["vnpay", "vietqr", "momo", "paygov"]
    assert [a.name for a in offered(50_000_000, None)] == ["vnpay", "vietqr", "momo", "paygov"]
    assert [a.name for a in offered(50_000_001, None)] == ["vnpay", "vietqr", "paygov"]
    assert [a.name for a in offered(499_999_999, None)] == ["vnpay", "vietqr", "paygov"]
    assert [a.name for a in offered(500_000_000, None)] == ["vnpay", "paygov"]


def test_an_amount_one_over_the_limit_is_refused_before_any_attempt_with_the_reason(client):
    order = create_payment_order(50_000_001, "Lệ phí")
    page = client.submit(f"/payments/o/{order.access_token}/pay/momo")
    assert page.status_code == 409
    assert "Số tiền vượt hạn mức một giao dịch của Ví MoMo (50.000.000" in page.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(PaymentAttempt)) == 0
    at_limit = create_payment_order(50_000_000, "Lệ phí")
    assert client.submit(f"/payments/o/{at_limit.access_token}/pay/momo").status_code == 302


# ---------------------------------------------------------------- expiry at the second


def test_an_order_expiring_this_second_can_no_longer_be_paid(monkeypatch):
    monkeypatch.setattr(settlement, "utcnow", lambda: NOW)
    order = create_payment_order(500_000, "Học phí", expires_at=NOW)
    assert settlement.payable_problem(order) == "Khoản phải nộp này đã hết hạn thanh toán."
    with pytest.raises(ValueError, match="đã hết hạn thanh toán"):
        settlement.start_attempt(order.id, "vnpay")
    later = create_payment_order(500_000, "Học phí", expires_at=NOW + timedelta(seconds=1))
    assert settlement.payable_problem(later) is None


def test_an_attempt_never_outlives_its_order(monkeypatch):
    monkeypatch.setattr(settlement, "utcnow", lambda: NOW)
    order = create_payment_order(500_000, "Học phí", expires_at=NOW + timedelta(minutes=5))
    attempt = settlement.start_attempt(order.id, "vnpay")
    assert (attempt.created_at, attempt.expires_at, attempt.status) == (
        NOW,
        NOW + timedelta(minutes=5),
        "pending",
    )
    free = create_payment_order(500_000, "Học phí")
    assert settlement.start_attempt(free.id, "vnpay").expires_at == NOW + timedelta(minutes=15)
    assert settlement.start_attempt(free.id, "vietqr").expires_at == NOW + timedelta(hours=24)


def pending_attempt(expires_at: datetime) -> PaymentAttempt:
    order = create_payment_order(500_000, "Học phí")
    attempt = settlement.start_attempt(order.id, "vnpay")
    with write():
        db.session.get(PaymentAttempt, attempt.id).expires_at = expires_at
    return attempt


def test_reconciliation_expires_an_attempt_only_after_its_last_second(monkeypatch):
    monkeypatch.setattr(reconciliation, "utcnow", lambda: NOW)
    due_now = pending_attempt(NOW)
    overdue = pending_attempt(NOW - timedelta(seconds=1))
    report = reconciliation.reconcile()
    assert report.expired == [overdue.reference] and report.unknown == [due_now.reference]
    assert reload(PaymentAttempt, due_now.id).status == "pending"
    expired = reload(PaymentAttempt, overdue.id)
    assert (expired.status, expired.result_code) == ("expired", "11")
    assert reload(PaymentOrder, expired.order_id).status == "unpaid"


# ---------------------------------------------------------------- what the IPN's codes do


def ipn(
    client, attempt: PaymentAttempt, code: str = "00", status: str | None = None, amount: int | None = None
):
    params = {
        "vnp_Amount": str((attempt.amount if amount is None else amount) * 100),
        "vnp_BankCode": "NCB",
        "vnp_OrderInfo": "Hoc phi",
        "vnp_PayDate": "20261128100000",
        "vnp_ResponseCode": code,
        "vnp_TmnCode": "GDNNDEMO",
        "vnp_TransactionNo": "1422",
        "vnp_TxnRef": attempt.reference,
        "vnp_TransactionStatus": status or ("00" if code == "00" else "02"),
    }
    params["vnp_SecureHash"] = vnpay.sign(params, client.application.config["VNPAY_HASH_SECRET"])
    return client.get("/payments/vnpay/ipn", query_string=params).json


@pytest.mark.parametrize(("code", "state"), [("24", "cancelled"), ("11", "expired"), ("51", "failed")])
def test_a_refusal_code_ends_the_attempt_in_its_own_state(client, code, state):
    attempt = settlement.start_attempt(create_payment_order(500_000, "Học phí").id, "vnpay")
    assert ipn(client, attempt, code) == {"RspCode": "00", "Message": "Confirm Success"}
    after = reload(PaymentAttempt, attempt.id)
    assert (after.status, after.result_code, after.gateway_transaction) == (state, code, "1422")
    assert after.finished_at is not None and reload(PaymentOrder, attempt.order_id).status == "unpaid"


def test_an_amount_one_dong_off_is_answered_04_and_settles_nothing(client):
    attempt = settlement.start_attempt(create_payment_order(500_000, "Học phí").id, "vnpay")
    assert ipn(client, attempt, amount=500_001) == {"RspCode": "04", "Message": "Invalid amount"}
    assert ipn(client, attempt, amount=499_999)["RspCode"] == "04"
    assert reload(PaymentAttempt, attempt.id).status == "pending"
    unknown = PaymentAttempt(reference="TTKHONGCO2345", amount=500_000)
    assert ipn(client, unknown) == {"RspCode": "01", "Message": "Order not found"}


def test_a_late_success_still_pays_but_a_late_failure_changes_nothing(client, monkeypatch):
    monkeypatch.setattr(reconciliation, "utcnow", lambda: NOW)
    late_success, late_failure = (
        pending_attempt(NOW - timedelta(seconds=1)),
        pending_attempt(NOW - timedelta(days=1)),
    )
    reconciliation.reconcile()
    assert ipn(client, late_failure, "24") == {"RspCode": "02", "Message": "Order already confirmed"}
    assert reload(PaymentAttempt, late_failure.id).status == "expired"
    assert ipn(client, late_success)["RspCode"] == "00"
    assert reload(PaymentAttempt, late_success.id).status == "succeeded"
    assert reload(PaymentOrder, late_success.order_id).status == "paid"


def test_a_second_success_for_a_paid_order_is_counted_once_and_flagged(client):
    order = create_payment_order(500_000, "Học phí")
    first = settlement.start_attempt(order.id, "vnpay")
    second = settlement.start_attempt(order.id, "vnpay")
    assert ipn(client, first)["RspCode"] == "00" and ipn(client, second)["RspCode"] == "00"
    paid = reload(PaymentOrder, order.id)
    assert (paid.status, paid.paid_attempt_id) == ("paid", first.id)
    incident = db.session.scalar(db.select(PaymentIncident))
    assert (incident.kind, incident.attempt_id) == ("second_success", second.id)
    assert incident.detail == (
        f"Khoản {order.reference} đã được thanh toán; giao dịch {second.reference} thành công thêm một lần."
    )


def test_money_taken_for_an_order_cancelled_meanwhile_is_flagged_for_a_refund(client):
    order = create_payment_order(500_000, "Học phí")
    attempt = settlement.start_attempt(order.id, "vnpay")
    assert settlement.cancel_order(order.id, "Rút hồ sơ") is True
    assert settlement.cancel_order(order.id, "Lần nữa") is False
    assert ipn(client, attempt)["RspCode"] == "00"
    assert reload(PaymentOrder, order.id).status == "cancelled"
    assert db.session.scalar(db.select(PaymentIncident.kind)) == "paid_cancelled"


# ---------------------------------------------------------------- an order's own limits


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"amount": 0}, "Số tiền phải là số nguyên dương (đồng)."),
        ({"description": "   "}, "Vui lòng ghi nội dung khoản phải nộp."),
        ({"description": "x" * 256}, "Nội dung khoản phải nộp tối đa 255 ký tự."),
        ({"payer_name": "x" * 201}, "Tên người nộp tối đa 200 ký tự."),
        ({"payer_email": "a@b"}, "Email người nộp không hợp lệ."),
        ({"payer_email": "a" * 244 + "@example.vn"}, "Email người nộp không hợp lệ."),  # 255 characters
    ],
)
def test_an_order_past_a_limit_is_refused_and_not_kept(fields, message):
    values = {
        "amount": 500_000,
        "description": "Học phí",
        "payer_name": "Lê Văn A",
        "payer_email": None,
        **fields,
    }
    with pytest.raises(ValueError) as refused:
        settlement.create_order(**values)
    assert str(refused.value) == message
    assert db.session.scalar(db.select(db.func.count()).select_from(PaymentOrder)) == 0


def test_an_order_exactly_at_each_limit_is_kept():
    order = settlement.create_order(
        1, "x" * 255, payer_name="y" * 200, payer_email="a" * 243 + "@example.vn"
    )  # 254 characters
    assert (order.amount, len(order.description), len(order.payer_name), len(order.payer_email)) == (
        1,
        255,
        200,
        254,
    )
    assert settlement.find_order(f"  {order.reference.lower()} ").id == order.id


# ---------------------------------------------------------------- deadlines in working days


def test_a_deadline_across_tet_2027_skips_every_day_of_it():
    # Tết 2027: Thursday 04/02 to Wednesday 10/02 are days off (the 29th, New Year's Eve, days 1 to 5).
    assert calendar.holiday_name(date(2027, 2, 6)) == "Tết Nguyên Đán"
    assert calendar.next_working_day(date(2027, 2, 3)) == date(2027, 2, 11)
    assert calendar.add_working_days(date(2027, 2, 2), 1) == date(2027, 2, 3)  # the last day before Tết
    assert calendar.add_working_days(date(2027, 2, 2), 2) == date(2027, 2, 11)
    assert calendar.working_days_between(date(2027, 2, 3), date(2027, 2, 11)) == 1
    received_on_tet = calendar.receipt_day(datetime(2027, 2, 8, 9, 0))
    assert received_on_tet == date(2027, 2, 11)
    assert calendar.due_date(datetime(2027, 2, 8, 9, 0), 3) == date(2027, 2, 16)


def test_a_declared_make_up_saturday_counts_and_a_declared_day_off_does_not():
    declared = WorkCalendar({date(2027, 2, 13): True, date(2027, 2, 12): False})
    assert declared.is_working_day(date(2027, 2, 13)) and not declared.is_working_day(date(2027, 2, 12))
    assert declared.add_working_days(date(2027, 2, 11), 1) == date(2027, 2, 13)
    assert declared.working_days_between(date(2027, 2, 11), date(2027, 2, 15)) == 2
    index = declared.index(date(2027, 2, 1), date(2027, 2, 28))
    assert index.between(date(2027, 2, 11), date(2027, 2, 15)) == 2
    assert index.between(date(2027, 2, 1), date(2027, 2, 28)) == declared.working_days_between(
        date(2027, 2, 1), date(2027, 2, 28)
    )
    with pytest.raises(ValueError, match="outside the index"):
        index.between(date(2027, 1, 31), date(2027, 2, 5))
    with pytest.raises(ValueError, match="outside the index"):
        index.between(date(2027, 2, 5), date(2027, 3, 1))


def test_the_cut_off_hour_is_the_last_minute_of_the_day():
    friday = date(2026, 11, 6)
    assert calendar.receipt_day(datetime(2026, 11, 6, 15, 0, 0), cutoff_hour=15) == friday
    assert calendar.receipt_day(datetime(2026, 11, 6, 15, 0, 1), cutoff_hour=15) == date(2026, 11, 9)
    assert calendar.due_date(datetime(2026, 11, 6, 15, 0, 0), 0, cutoff_hour=15) == friday
    assert calendar.add_working_days(friday, 0) == friday


@pytest.mark.parametrize(
    ("today", "state"),
    [
        (date(2026, 11, 17), DueState.ON_TIME),  # three working days left
        (date(2026, 11, 18), DueState.DUE_SOON),  # two
        (date(2026, 11, 20), DueState.DUE_SOON),  # the last working day itself is not late
        (date(2026, 11, 21), DueState.OVERDUE),  # the Saturday after is
    ],
)
def test_the_due_state_changes_exactly_at_its_limits(today, state):
    assert calendar.due_state(date(2026, 11, 20), today) == state


def test_each_due_state_has_the_colour_the_worklist_paints_it():
    """The states' values are the badges' CSS classes (templates/backoffice/_panel.html): a renamed value
    would leave an overdue dossier without its red badge."""
    from pathlib import Path

    css = (Path(__file__).resolve().parents[2] / "service" / "static" / "app.css").read_text(encoding="utf-8")
    assert [state.value for state in DueState] == ["on_time", "due_soon", "overdue"]
    for state in DueState:
        assert f".due-{state.value} {{" in css
