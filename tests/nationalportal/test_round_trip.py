"""A dossier's round trip with the national public-service portal, against its local simulator: every
step pushed and acknowledged, a lost acknowledgement retried and sent as an update, the result
published at a stable address, and Decision 766's "synchronised" indicator counting only what the
portal acknowledged."""

from __future__ import annotations

import pytest

from service.dossiers import processing
from service.dossiers.models import Dossier
from service.extensions import db
from service.jobs import outbox
from service.nationalportal import settings, simulator
from service.nationalportal.client import PortalSync
from service.nationalportal.models import NationalPortalJob, NationalSync
from service.quality import indicators
from service.timeutil import local_today
from tests.factories import create_citizen, create_dossier, create_official, login
from tests.support.faults import make_due


@pytest.fixture
def portal(app):
    app.config["NATIONAL_PORTAL_BASE_URL"] = settings.SIMULATOR
    simulator.reset()
    yield simulator
    app.config["NATIONAL_PORTAL_BASE_URL"] = ""
    simulator.reset()


def synchronised():
    today = local_today()
    return {i.key: i for i in indicators.indicators(indicators.Period(today, today))}["synchronised"]


def jobs() -> list[NationalPortalJob]:
    return db.session.scalars(db.select(NationalPortalJob).order_by(NationalPortalJob.id)).all()


def test_a_dossier_filed_received_decided_and_returned_reaches_the_portal_step_by_step(app, client, portal):
    desk, specialist, leader = (create_official(r) for r in ("reception", "specialist", "leader"))
    dossier = create_dossier(create_citizen(), submitted=True)
    held = PortalSync(app.config).lookup(dossier.code)
    assert held["TrangThaiHoSo"] == 1 and held["KenhThucHien"] == 2 and held["MaTTHC"]
    assert len(held["NgayNopHoSo"]) == 14 and held["DonViXuLy"] == "000.00.00.H01"

    processing.act(dossier.id, desk, "receive", {}, None)
    assert PortalSync(app.config).lookup(dossier.code)["TrangThaiHoSo"] == 2
    for actor, event, data in [
        (desk, "assign", {"assignee_id": specialist.id}),
        (specialist, "start_appraisal", {}),
        (specialist, "propose", {"decision": "approve", "draft": "Cấp giấy chứng nhận."}),
        (leader, "approve", {}),
    ]:
        processing.act(dossier.id, actor, event, data, None)
    decided = PortalSync(app.config).lookup(dossier.code)
    assert decided["TrangThaiHoSo"] == 9 and len(decided["DanhSachGiayToKetQua"]) == 1  # once drawn
    processing.act(dossier.id, desk, "return_result", {"method": "desk"}, None)

    held = PortalSync(app.config).lookup(dossier.code)
    assert held["TrangThaiHoSo"] == 10 and held["NgayTra"]
    assert [p["TrangThai"] for p in held["TienTrinh"]] == [1, 2, 4, 4, 9, 10]  # propose stays internal
    assert len(portal.DOSSIERS) == 1 and portal.CALLS[0] == "themmoi"
    assert set(portal.CALLS[1:]) == {"capnhat", "tientrinh"}  # each later step: an update, its progress
    assert all(j.status == "done" and j.acknowledged_at and j.answer for j in jobs())
    assert [j.event for j in jobs()] == [
        "submit",
        "receive",
        "assign",
        "start_appraisal",
        "approve",
        "result_issued",
        "return_result",
    ]
    # The result: a signed PDF the portal downloads from its link, no login needed.
    [result] = held["DanhSachGiayToKetQua"]
    assert result["TenGiayTo"] and result["MaGiayToKetQua"]
    response = client.get(result["DuongDanTepTinKetQua"].removeprefix(app.config["APP_BASE_URL"]))
    assert response.status_code == 200 and response.data.startswith(b"%PDF-")
    assert client.get("/national-portal/results/not-a-token").status_code == 404
    sync = db.session.scalar(db.select(NationalSync))
    assert sync.last_status_code == 10 and sync.last_url == "capnhat"
    assert db.session.get(Dossier, dossier.id).national_sync_at is not None
    indicator = synchronised()
    assert (indicator.numerator, indicator.denominator) == (1, 1) and not indicator.note
    login(client, desk)
    shown = client.get(f"/dossiers/{dossier.id}").get_data(as_text=True)
    assert "Đã đồng bộ lúc" in shown and "trạng thái trên cổng: Đã trả kết quả" in shown


def test_a_lost_acknowledgement_is_retried_and_sent_again_as_an_update(app, portal):
    portal.FAULTS["lose"] = 1  # the portal stores the dossier, its answer never arrives
    dossier = create_dossier(create_citizen(), submitted=True)
    [job] = jobs()
    assert job.status == "failed" and job.next_attempt_at is not None and job.acknowledged_at is None
    assert dossier.code in portal.DOSSIERS
    assert db.session.get(Dossier, dossier.id).national_sync_at is None  # not acknowledged: not counted

    make_due(job)
    outbox.run_due("national_portal")
    job = db.session.get(NationalPortalJob, job.id)
    assert job.status == "done" and job.attempts == 2 and job.answer.startswith("capnhat:")
    assert portal.CALLS == ["themmoi", "capnhat", "tientrinh"]  # the second "themmoi" was "đã tồn tại"
    assert len(portal.DOSSIERS) == 1 and len(portal.PROGRESS[dossier.code]) == 1
    assert db.session.get(Dossier, dossier.id).national_sync_at is not None

    processing.act(dossier.id, create_official("reception"), "receive", {}, None)
    assert portal.DOSSIERS[dossier.code]["TrangThaiHoSo"] == 2
    indicator = synchronised()
    assert (indicator.numerator, indicator.denominator) == (1, 1)


def test_with_the_portal_off_nothing_is_queued_and_the_indicator_says_why(app):
    dossier = create_dossier(create_citizen(), submitted=True)
    processing.act(dossier.id, create_official("reception"), "receive", {}, None)
    assert jobs() == []
    indicator = synchronised()
    assert (indicator.numerator, indicator.denominator) == (0, 1)
    assert indicator.note == settings.OFF_REASON


def test_a_push_the_portal_keeps_refusing_waits_for_an_administrator(app, client, portal):
    portal.FAULTS["lose"] = 1
    dossier = create_dossier(create_citizen(), submitted=True)
    [job] = jobs()
    login(client, create_official("admin"))
    page = client.get("/admin/jobs").get_data(as_text=True)
    assert (
        "Đồng bộ Cổng Dịch vụ công quốc gia" in page
        and f"Nộp hồ sơ trực tuyến – hồ sơ {dossier.code}" in page
    )
    response = client.submit(f"/admin/jobs/national_portal/{job.id}/retry", follow_redirects=True)
    assert "Đã đưa công việc vào hàng đợi" in response.get_data(as_text=True)
    assert db.session.get(NationalPortalJob, job.id).status == "done"
    assert len(portal.DOSSIERS) == 1


def test_through_the_integration_platform_each_push_carries_a_client_credentials_token(app, portal):
    app.config.update(
        NATIONAL_PORTAL_TOKEN_URL="token",
        NATIONAL_PORTAL_CLIENT_ID="gdnn-angiang",
        NATIONAL_PORTAL_CLIENT_SECRET="bi-mat-thu-nghiem-0123456789",
    )
    portal.CLIENTS["gdnn-angiang"] = "bi-mat-thu-nghiem-0123456789"  # registered with the platform
    try:
        dossier = create_dossier(create_citizen(), submitted=True)
        [job] = jobs()
        assert job.status == "done" and len(portal.TOKENS) == 1 and dossier.code in portal.DOSSIERS
        app.config["NATIONAL_PORTAL_CLIENT_SECRET"] = "sai-bi-mat-0123456789"
        processing.act(dossier.id, create_official("reception"), "receive", {}, None)
        refused = jobs()[-1]
        assert refused.status == "failed" and "access_token" in refused.error
        assert portal.DOSSIERS[dossier.code]["TrangThaiHoSo"] == 1  # nothing reached the portal
    finally:
        app.config.update(
            NATIONAL_PORTAL_TOKEN_URL="", NATIONAL_PORTAL_CLIENT_ID="", NATIONAL_PORTAL_CLIENT_SECRET=""
        )
