"""Shared test helpers: payments."""

from __future__ import annotations

import re
import shutil
from urllib.parse import parse_qsl, urlsplit

import pytest

from service.extensions import db
from service.payments import settlement
from service.payments.gateways import vnpay
from service.payments.models import PaymentAttempt, PaymentOrder
from service.procedures.catalogue import CATALOGUE_DIR, import_catalogue
from tests.factories import (
    PERSON_PROCEDURE,
    create_citizen,
    create_dossier,
)

FEE = 500_000
FEE_NAME = "Phí thẩm định hồ sơ (thử nghiệm)"  # the specific fee a receipt names


@pytest.fixture
def paid_procedure(tmp_path):
    """The catalogue with a fee on the person procedure (every real procedure is free today)."""
    directory = tmp_path / "procedures"
    shutil.copytree(CATALOGUE_DIR, directory)
    path = directory / "2.001959.toml"
    text = path.read_text(encoding="utf-8").replace("fee = 0", f'fee = {FEE}\nfee_name = "{FEE_NAME}"', 1)
    path.write_text(text, encoding="utf-8")
    import_catalogue(directory)
    return PERSON_PROCEDURE


def order_of(dossier) -> PaymentOrder:
    return settlement.fee_order(dossier.id)


def start_payment(client, order) -> dict[str, str]:
    response = client.submit(f"/payments/orders/{order.id}/vnpay")
    assert response.status_code == 302
    url = urlsplit(response.location)
    assert url.path == "/simulators/vnpay/paymentv2/vpcpay.html"
    return dict(parse_qsl(url.query, keep_blank_values=True))


def signed_result(app, params: dict[str, str], code: str = "00", **changes) -> dict[str, str]:
    from service.payments.simulators import result_params

    with app.test_request_context():
        result = result_params(params, code)
    result.update(changes)
    if changes:
        result["vnp_SecureHash"] = vnpay.sign(result, app.config["VNPAY_HASH_SECRET"])
    return result


AMOUNT = 500_000


def pay(client, order: PaymentOrder, gateway: str) -> PaymentAttempt:
    """Pay through the order's link and the gateway's simulator, as a payer without an account."""
    response = client.submit(f"/payments/o/{order.access_token}/pay/{gateway}")
    if gateway == "vietqr":  # the QR has its own address
        response = client.get(response.location)
    if gateway == "vnpay":
        params = dict(parse_qsl(urlsplit(response.location).query, keep_blank_values=True))
        client.post("/simulators/vnpay/pay", data={**params, "outcome": "00"})
    elif gateway == "momo":
        fields = dict(parse_qsl(urlsplit(response.location).query))
        client.post("/simulators/momo/pay", data={**fields, "outcome": "success"})
    else:
        reference = re.search(
            r'transfer-reference">(TT[A-Z2-9]{10})<', response.get_data(as_text=True)
        ).group(1)
        client.post("/simulators/bank/transfer", data={"reference": reference, "amount": order.amount})
    db.session.expire_all()
    order = db.session.get(PaymentOrder, order.id)
    assert order.status == "paid"
    return db.session.get(PaymentAttempt, order.paid_attempt_id)


def manage_page(accountant, order) -> str:
    return accountant.get(f"/payments/officials/orders/{order.id}").get_data(as_text=True)


def refund(accountant, attempt, amount, reason="Nộp nhầm", key=None, refundable=None):
    page = manage_page(accountant, attempt.order)
    form_key = key or re.search(r'name="idempotency_key" value="([^"]+)"', page).group(1)
    seen = (
        refundable if refundable is not None else re.search(r'name="refundable" value="(\d+)"', page).group(1)
    )
    return accountant.submit(
        f"/payments/officials/attempts/{attempt.id}/refund",
        {"amount": str(amount), "reason": reason, "idempotency_key": form_key, "refundable": str(seen)},
    )


@pytest.fixture
def dossier(paid_procedure):  # noqa: F811
    return create_dossier(create_citizen(), paid_procedure, submitted=True)
