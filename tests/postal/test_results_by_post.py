"""Results by post (issue 17 item 4): the desk sends a ready result to the applicant who chose post, the
carrier's order goes out as an outbox job (retried while the carrier is down), the tracking number is
the applicant's to see, and the carrier's statuses (its callback, or tracking polled) end in the
dossier's "returned" step dated by the delivery, or back at the desk when the delivery fails."""

from __future__ import annotations

import time
from datetime import datetime

import pytest
from flask import current_app

from service.dossiers import operations as dossiers
from service.dossiers import processing
from service.dossiers.models import Dossier, DossierEvent
from service.extensions import db
from service.jobs import outbox
from service.notifications.models import OutboundEmail
from service.postal import jobs, simulator
from service.postal.models import PostalCallback, Shipment, ShipmentJob
from tests.factories import (
    create_citizen,
    create_dossier,
    create_official,
    last_email,
    login,
    row_counts,
)
from tests.support.faults import make_due, page_version

LONG_XUYEN = "30307"  # phường Long Xuyên (vietnam-provinces)
STREET = "12 Trần Hưng Đạo"


@pytest.fixture(autouse=True)
def carrier():
    simulator.reset()
    yield simulator
    simulator.reset()


def posted_result(citizen=None) -> tuple[Dossier, object]:
    """A dossier whose applicant chose post, decided (approved) and waiting at the desk; its desk official."""
    citizen = citizen or create_citizen()
    draft = create_dossier(citizen)
    address = {"province": str(current_app.config["PROVINCE_CODE"]), "ward": LONG_XUYEN, "street": STREET}
    dossiers.submit(draft.id, citizen, filing=dossiers.Filing(True, "post", address))
    desk, specialist, leader = (create_official(r) for r in ("reception", "specialist", "leader"))
    for actor, event, data in [
        (desk, "receive", {}),
        (desk, "assign", {"assignee_id": specialist.id}),
        (specialist, "start_appraisal", {}),
        (specialist, "propose", {"decision": "approve", "draft": "Cấp giấy chứng nhận."}),
        (leader, "approve", {}),
    ]:
        processing.act(draft.id, actor, event, data, None)
    return db.session.get(Dossier, draft.id), desk


def send_by_post(client, dossier, desk):
    login(client, desk)
    version = page_version(client, dossier.id)
    return client.submit(f"/officials/dossiers/{dossier.id}/shipments", {"version": version})


def shipment_of(dossier) -> Shipment:
    return db.session.scalars(
        db.select(Shipment).where(Shipment.dossier_id == dossier.id).order_by(Shipment.id.desc())
    ).first()


def advance(client, item: str, status: str, **extra):
    return client.post(f"/simulators/postal/orders/{item}/advance", json={"status": status, **extra})


def callback(client, data: dict, signature: str | None = None):
    body, headers = simulator.sign_callback(data)
    if signature is not None:
        headers = {"X-Signature": signature}
    return client.post("/api/postal/status", data=body, headers=headers, content_type="application/json")


def test_a_posted_result_is_created_delivering_then_delivered_and_the_dossier_returned_on_the_delivery_date(
    client, carrier
):
    dossier, desk = posted_result()
    login(client, desk)
    page = client.get(f"/dossiers/{dossier.id}").get_data(as_text=True)
    assert "Gửi kết quả qua bưu điện" in page and STREET in page

    response = send_by_post(client, dossier, desk)
    assert response.status_code == 302 and response.location.endswith(f"/dossiers/{dossier.id}#post")
    shipment = shipment_of(dossier)
    assert shipment.status == "created" and shipment.item_code.startswith("EA")
    assert shipment.order_number == dossier.code and shipment.requested_by_id == desk.id
    order = carrier.ORDERS[shipment.item_code]["order"]
    assert order["OrderNumber"] == dossier.code and order["ReceiverTel"] == "0912345678"
    assert order["ReceiverProvince"] == "91" and order["ReceiverDistrict"] == LONG_XUYEN
    assert STREET in order["ReceiverAddress"] and order["CODAmount"] == 0 and order["CustomerCode"]
    assert db.session.scalar(db.select(ShipmentJob)).status == "done"
    twice = client.submit(f"/officials/dossiers/{dossier.id}/shipments", {})  # a second click, another tab
    assert twice.status_code == 400 and "đã được gửi qua bưu chính" in twice.get_data(as_text=True)
    assert row_counts(Shipment) == (1,)

    assert advance(client, shipment.item_code, "delivering").get_json()["Callback"] == 200
    assert shipment_of(dossier).status == "delivering"
    assert db.session.get(Dossier, dossier.id).status == "approved"  # on its way: not returned yet

    # Delivered 01/12/2026 at 10:30 in Viet Nam = 03:30 UTC: the dossier is returned as of then.
    answer = advance(client, shipment.item_code, "delivered", at="20261201103000").get_json()
    assert answer["Callback"] == 200
    returned = db.session.get(Dossier, dossier.id)
    assert returned.status == "returned" and returned.return_method == "post"
    assert returned.returned_at == datetime(2026, 12, 1, 3, 30)
    step = returned.events[-1]
    assert step.event == "return_result" and step.actor_id == desk.id
    assert step.note == (
        "Qua dịch vụ bưu chính. Bưu điện đã phát thành công ngày 01/12/2026, "
        f"số hiệu bưu gửi {shipment.item_code}."
    )
    delivered = shipment_of(dossier)
    assert delivered.status == "delivered" and delivered.delivered_at == datetime(2026, 12, 1, 3, 30)
    assert [e.status for e in delivered.events] == ["created", "delivering", "delivered"]
    told = db.session.scalars(db.select(OutboundEmail).where(OutboundEmail.recipient == dossier.owner.email))
    assert any("Bưu điện đã phát thành công ngày 01/12/2026" in e.body_text for e in told)

    client.submit("/account/logout")
    login(client, dossier.owner)
    page = client.get(f"/dossiers/{dossier.id}").get_data(as_text=True)
    assert f'data-testid="tracking">{shipment.item_code}<' in page
    assert "Đã phát thành công" in page and "<dt>Đã trả kết quả</dt><dd>10:30 01/12/2026</dd>" in page
    assert "Gửi kết quả qua bưu điện" not in page  # the desk's button, never the applicant's


def test_a_failed_delivery_comes_back_to_the_desk_with_the_carriers_note(client, carrier):
    dossier, desk = posted_result()
    send_by_post(client, dossier, desk)
    item = shipment_of(dossier).item_code
    advance(client, item, "delivering")
    advance(client, item, "failed", note="Phát 3 lần không có người nhận")

    failed = shipment_of(dossier)
    assert failed.status == "failed" and failed.failure_note == "Phát 3 lần không có người nhận"
    assert db.session.get(Dossier, dossier.id).status == "approved"  # not returned: back at the desk
    assert "Bưu điện không phát được kết quả của hồ sơ" in last_email(desk.email).body_text
    page = client.get(f"/dossiers/{dossier.id}").get_data(as_text=True)
    assert "Phát 3 lần không có người nhận" in page and "Gửi kết quả qua bưu điện" in page  # may send again

    assert send_by_post(client, dossier, desk).status_code == 302
    again = shipment_of(dossier)
    assert again.id != failed.id and again.order_number == f"{dossier.code}-2" and again.status == "created"


def test_the_order_waits_and_is_retried_while_the_carrier_is_down(app, client, carrier):
    dossier, desk = posted_result()
    app.config["POSTAL_BASE_URL"] = "http://127.0.0.1:9"  # nothing listens: the connection is refused
    try:
        response = send_by_post(client, dossier, desk)
    finally:
        app.config["POSTAL_BASE_URL"] = "simulator"
    assert response.status_code == 302  # the desk's step committed; the order waits
    job = db.session.scalar(db.select(ShipmentJob))
    assert job.status == "failed" and job.attempts == 1 and "CarrierUnavailable" in job.error
    assert shipment_of(dossier).status == "requested" and shipment_of(dossier).item_code is None
    assert "đang chờ bưu điện cấp" in client.get(f"/dossiers/{dossier.id}").get_data(as_text=True)
    assert "Gửi kết quả qua bưu điện" not in client.get(f"/dossiers/{dossier.id}").get_data(as_text=True)
    client.submit("/account/logout")
    login(client, create_official("admin"))
    failing = client.get("/admin/jobs").get_data(as_text=True)
    assert f"Đơn gửi kết quả qua bưu chính – {dossier.code}" in failing and "CarrierUnavailable" in failing

    make_due(job)
    assert outbox.run_due("postal") == 1
    job = db.session.get(ShipmentJob, job.id)
    assert job.status == "done" and job.attempts == 2
    assert shipment_of(dossier).status == "created" and len(carrier.ORDERS) == 1


def test_tracking_is_polled_when_no_callback_comes(app, client, carrier):
    app.config["POSTAL_CALLBACK_SECRET"] = ""  # the carrier calls nothing back: tracking only
    try:
        dossier, desk = posted_result()
        send_by_post(client, dossier, desk)
        item = shipment_of(dossier).item_code
        advance(client, item, "delivering")
        advance(client, item, "delivered", at="20261201160000")
        assert carrier.CALLBACKS == [] and shipment_of(dossier).status == "created"
        shown = app.test_cli_runner().invoke(args=["postal", "track"])  # what the periodic job runs
        assert shown.exit_code == 0 and "1 shipments moved on." in shown.output
        returned = db.session.get(Dossier, dossier.id)
        assert returned.status == "returned" and returned.returned_at == datetime(2026, 12, 1, 9, 0)
        assert jobs.poll() == 0  # nothing on its way any more
    finally:
        app.config["POSTAL_CALLBACK_SECRET"] = "test-postal-callback-secret"


def test_bad_callbacks_are_refused_and_logged_and_a_repeated_delivery_changes_nothing(
    client, carrier, caplog
):
    dossier, desk = posted_result()
    send_by_post(client, dossier, desk)
    item = shipment_of(dossier).item_code
    delivered = {"ItemCode": item, "StatusCode": 14, "StatusTime": "20261201103000", "Note": ""}

    fresh = {**delivered, "Timestamp": int(time.time())}
    assert callback(client, fresh, signature="0" * 64).status_code == 401
    assert callback(client, {**fresh, "ItemCode": "EA999999999VN"}).status_code == 404
    assert callback(client, {**fresh, "Timestamp": int(time.time()) - 3600}).status_code == 400
    assert callback(client, {**fresh, "StatusCode": 99}).status_code == 400
    assert db.session.get(Dossier, dossier.id).status == "approved"  # none of them did anything
    assert [r.getMessage() for r in caplog.records if "Postal callback refused" in r.getMessage()][:2] == [
        "Postal callback refused (401): Chữ ký không hợp lệ. from 127.0.0.1",
        "Postal callback refused (404): Không có bưu gửi số hiệu EA999999999VN. from 127.0.0.1",
    ]

    assert callback(client, fresh).get_json()["Result"] == "recorded"
    assert db.session.get(Dossier, dossier.id).status == "returned"
    assert callback(client, fresh).status_code == 409  # the same signed message again: a replay
    emails, steps = row_counts(OutboundEmail, DossierEvent)
    again = callback(client, {**delivered, "Timestamp": int(time.time()) + 1})  # a new message, same news
    assert again.status_code == 200 and again.get_json()["Result"] == "duplicate"
    assert row_counts(OutboundEmail, DossierEvent) == (emails, steps)
    assert [c.outcome for c in db.session.scalars(db.select(PostalCallback))] == ["recorded", "duplicate"]


def test_only_the_dossiers_desk_may_send_it_and_only_its_applicant_sees_the_shipment(client, carrier):
    dossier, desk = posted_result()
    other_citizen = create_citizen()
    for user, status in [
        (dossier.owner, 403),
        (create_official("specialist"), 403),
        (create_official("leader"), 403),
        (create_official("reception", agency=LONG_XUYEN), 404),  # another agency's desk
    ]:
        login(client, user)
        assert client.submit(f"/officials/dossiers/{dossier.id}/shipments", {}).status_code == status
        client.submit("/account/logout")
    assert row_counts(Shipment) == (0,)

    send_by_post(client, dossier, desk)
    item = shipment_of(dossier).item_code
    client.submit("/account/logout")
    login(client, other_citizen)
    response = client.get(f"/dossiers/{dossier.id}")
    assert response.status_code == 404 and item not in response.get_data(as_text=True)


def test_the_desk_is_told_why_a_result_cannot_go_by_post(client, carrier):
    citizen = create_citizen()
    electronic = create_dossier(citizen, submitted=True)  # chose electronic delivery, not even received
    desk = create_official("reception")
    login(client, desk)
    response = client.submit(f"/officials/dossiers/{electronic.id}/shipments", {})
    assert response.status_code == 400
    assert "không chọn nhận kết quả qua dịch vụ bưu chính" in response.get_data(as_text=True)

    dossier, desk = posted_result()
    processing.act(dossier.id, desk, "return_result", {"method": "desk"}, None)  # handed over at the desk
    client.submit("/account/logout")
    login(client, desk)
    response = client.submit(f"/officials/dossiers/{dossier.id}/shipments", {})
    assert response.status_code == 400 and "Hồ sơ chưa có kết quả để trả" in response.get_data(as_text=True)
    assert row_counts(Shipment) == (0,)


def test_the_status_lookup_shows_the_tracking_number(client, carrier):
    dossier, desk = posted_result()
    send_by_post(client, dossier, desk)
    client.submit("/account/logout")
    page = client.submit("/lookup", {"code": dossier.code, "secret": dossier.lookup_secret}).get_data(
        as_text=True
    )
    assert f'data-testid="lookup-tracking">{shipment_of(dossier).item_code}<' in page
