"""The carrier's settings and wire format: production refuses the simulator, a half-configured carrier
and a weak callback secret; every unconfirmed detail is a setting; times are Viet Nam's on the wire."""

from __future__ import annotations

from datetime import datetime

from config import Config
from service import safety
from service.postal import protocol, settings


def test_production_refuses_the_simulator_a_half_configured_carrier_and_a_weak_secret():
    assert "POSTAL_SIMULATOR" in [p.setting for p in safety.problems({"POSTAL_SIMULATOR": True})]
    half = {"POSTAL_BASE_URL": "https://lgsp.example.vn/vnpost"}
    assert "POSTAL" in [p.setting for p in safety.problems(half)]
    assert settings.missing(half) == ["POSTAL_CREATE_URL", "POSTAL_TRACK_URL", "POSTAL_CUSTOMER_CODE"]
    assert not settings.given({name: getattr(Config, name) for name in dir(Config) if name.isupper()})
    full = {
        **half,
        "POSTAL_CREATE_URL": "CreateOrder",
        "POSTAL_TRACK_URL": "https://lgsp.example.vn/vnpost/Tracking/{item}",
        "POSTAL_CUSTOMER_CODE": "C0001",
        "POSTAL_HEADERS": '{"access_token": "x"}',
    }
    assert settings.enabled(full) and "POSTAL" not in [p.setting for p in safety.problems(full)]
    assert settings.url(full, "POSTAL_CREATE_URL") == "https://lgsp.example.vn/vnpost/CreateOrder"
    assert (
        settings.url(full, "POSTAL_TRACK_URL", item="EA1VN")
        == "https://lgsp.example.vn/vnpost/Tracking/EA1VN"
    )
    assert not settings.enabled({**full, "POSTAL_HEADERS": "access_token x"})  # not a JSON object
    weak = {**full, "POSTAL_CALLBACK_SECRET": "secret"}
    assert "POSTAL_CALLBACK_SECRET" in [p.setting for p in safety.problems(weak)]


def test_the_wire_format_the_answers_and_the_signature():
    assert protocol.wire_time(datetime(2026, 12, 1, 3, 30)) == "20261201103000"  # UTC+7
    assert protocol.parse_time("20261201103000") == datetime(2026, 12, 1, 3, 30)
    ok, fields = frozenset({"100"}), ("ItemCode", "originalID")
    created = protocol.parse_created('{"Status": 100, "originalID": "EA1VN"}', ok, fields)
    assert created.item_code == "EA1VN" and created.order_id == "EA1VN"
    try:
        protocol.parse_created('{"Status": "101", "Message": "Thiếu trường SenderTel."}', ok, fields)
    except protocol.Refused as refusal:
        assert str(refusal) == "Thiếu trường SenderTel."
    else:
        raise AssertionError("a refused order was taken for accepted")
    report = protocol.parse_tracking(
        '{"Data": {"ItemCode": "EA1VN", "StatusCode": 22, "StatusTime": "20261201103000"}}'
    )
    assert report.status == "failed" and report.at == datetime(
        2026, 12, 1, 3, 30
    )  # cancelled counts as failed
    assert protocol.signature_valid("k", b"{}", protocol.sign("k", b"{}"))
    assert not protocol.signature_valid("k", b"{} ", protocol.sign("k", b"{}"))
    assert not protocol.signature_valid("", b"{}", protocol.sign("", b"{}"))  # no secret: nothing is valid
