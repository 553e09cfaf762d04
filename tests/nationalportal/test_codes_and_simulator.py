"""The mapping of our statuses to the portal's codes, the date format, and what the simulated portal
refuses (as the real one would): a bad date, an unknown code, an update of a dossier it does not hold."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from config import Config
from service import safety
from service.nationalportal import codes, settings, simulator
from service.nationalportal.client import PortalRefused, PortalSync
from workflows.states import DossierStatus

EXPECTED = {
    "draft": None,
    "submitted": 1,
    "received": 2,
    "refused": 3,
    "assigned": 4,
    "under_appraisal": 4,
    "proposed": 4,
    "forwarded": 4,
    "stop_requested": 4,
    "supplement_requested": 5,
    "awaiting_payment": 6,
    "withdrawn": 7,
    "stopped": 8,
    "closed": 8,
    "approved": 9,
    "denied": 9,
    "returned": 10,
}


@pytest.mark.parametrize("status", list(DossierStatus))
def test_every_status_has_its_portal_code(status):
    assert codes.portal_status(status) == EXPECTED[status.value]


def test_the_table_names_every_status_and_only_the_portals_codes():
    assert set(codes.STATUS_CODES) == set(DossierStatus)
    assert {c for c in codes.STATUS_CODES.values() if c} <= set(codes.PORTAL_STATUS_LABELS)


def test_times_are_sent_in_viet_nam_as_yyyymmddhhmmss():
    assert codes.portal_time(datetime(2026, 11, 29, 17, 30, 5)) == "20261130003005"  # UTC+7
    assert codes.portal_time(date(2026, 12, 1)) == "20261201000000"
    assert codes.portal_time(None) == ""


def record(**changes):
    base = {
        "MaHoSo": "000.00.00.H01-261129-0001",
        "MaTTHC": "1.000530.000.00.00.H01",
        "TenTTHC": "Thủ tục thử",
        "KenhThucHien": 2,
        "ChuHoSo": "Nguyễn Văn A",
        "LoaiDoiTuong": 1,
        "NgayNopHoSo": "20261129080000",
        "TrangThaiHoSo": 1,
        "DonViXuLy": "000.00.00.H01",
    }
    return {**base, **changes}


@pytest.fixture
def portal(app):
    app.config["NATIONAL_PORTAL_BASE_URL"] = settings.SIMULATOR
    simulator.reset()
    yield PortalSync(app.config)
    app.config["NATIONAL_PORTAL_BASE_URL"] = ""
    simulator.reset()


@pytest.mark.parametrize(
    "change, message",
    [
        ({"NgayNopHoSo": "29/11/2026"}, "NgayNopHoSo không đúng định dạng yyyyMMddHHmmss"),
        ({"TrangThaiHoSo": 11}, "TrangThaiHoSo không hợp lệ"),
        ({"KenhThucHien": 4}, "KenhThucHien không hợp lệ"),
        ({"ChuHoSo": ""}, "Thiếu trường ChuHoSo"),
    ],
)
def test_the_simulated_portal_refuses_what_the_protocol_forbids(portal, change, message):
    with pytest.raises(PortalRefused, match=message):
        portal.push_dossier(record(**change))
    assert simulator.DOSSIERS == {}


def test_an_update_needs_the_dossier_and_progress_goes_ten_at_a_time(portal):
    with pytest.raises(PortalRefused, match="Không tìm thấy hồ sơ"):
        portal.update_dossier(record())
    assert portal.push_dossier(record()).url == "themmoi"
    assert portal.push_dossier(record(TrangThaiHoSo=2)).url == "capnhat"  # "đã tồn tại": updated
    entry = {"MaHoSo": record()["MaHoSo"], "NoiDungXuLy": "Bước", "TrangThai": 4}
    entries = [{**entry, "ThoiDiemXuLy": f"202611290800{n:02d}"} for n in range(23)]
    assert len(portal.push_progress(entries)) == 3  # 10 + 10 + 3
    held = portal.lookup(record()["MaHoSo"])
    assert held["TrangThaiHoSo"] == 2 and len(held["TienTrinh"]) == 23
    assert portal.lookup("khong-co") is None


def test_production_refuses_the_simulator_and_a_half_configured_sync():
    config = {"ENV_NAME": "production", "NATIONAL_PORTAL_SIMULATOR": True}
    assert "NATIONAL_PORTAL_SIMULATOR" in [p.setting for p in safety.problems(config)]
    half = {"NATIONAL_PORTAL_BASE_URL": "https://dvc.example.vn/api"}
    assert "NATIONAL_PORTAL" in [p.setting for p in safety.problems(half)]
    assert not settings.enabled(half) and settings.missing(half)
    assert not settings.given({name: getattr(Config, name) for name in dir(Config) if name.isupper()})
    full = {
        **half,
        "NATIONAL_PORTAL_CREATE_URL": "ThemMoi",
        "NATIONAL_PORTAL_UPDATE_URL": "https://dvc.example.vn/api/CapNhat",
        "NATIONAL_PORTAL_PROGRESS_URL": "DongBoTienTrinh",
        "NATIONAL_PORTAL_AGENCY_CODE": "000.00.00.H01",
        "NATIONAL_PORTAL_HEADERS": '{"Authorization": "Bearer x"}',
    }
    assert settings.enabled(full) and "NATIONAL_PORTAL" not in [p.setting for p in safety.problems(full)]
    assert settings.url(full, "NATIONAL_PORTAL_CREATE_URL") == "https://dvc.example.vn/api/ThemMoi"
    assert settings.url(full, "NATIONAL_PORTAL_UPDATE_URL") == "https://dvc.example.vn/api/CapNhat"
    assert not settings.enabled({**full, "NATIONAL_PORTAL_HEADERS": "Bearer x"})  # not a JSON object
    platform = {**full, "NATIONAL_PORTAL_TOKEN_URL": "https://lgsp.example.vn/token"}
    assert settings.missing(platform) == ["NATIONAL_PORTAL_CLIENT_ID", "NATIONAL_PORTAL_CLIENT_SECRET"]


def test_the_adapter_speaks_http_and_reaches_its_own_simulator_when_no_server_answers(app, portal):
    """Not inline: requests goes to the network; nothing listens there (as when the development server
    is down), so the adapter falls back on the simulator inside the app, through the same code."""
    saved = app.config["SIMULATOR_DELIVERY"], app.config["APP_BASE_URL"]
    app.config.update(SIMULATOR_DELIVERY="", APP_BASE_URL="http://127.0.0.1:9")
    try:
        assert PortalSync(app.config).push_dossier(record()).url == "themmoi"
        assert record()["MaHoSo"] in simulator.DOSSIERS
    finally:
        app.config["SIMULATOR_DELIVERY"], app.config["APP_BASE_URL"] = saved
