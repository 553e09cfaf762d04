"""The application shell: health check, configuration rules, friendly errors, request ids, access declarations."""

from __future__ import annotations

import logging

import pytest
from flask import Flask

from config import Config, TestConfig
from service import create_app
from service.access import ANYONE, allow, check_every_view_declares_access


def test_healthz_checks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["status"] == "ok"
    assert response.json["database"] in ("sqlite", "postgresql")


def test_production_refuses_to_start_without_secret_key(monkeypatch):
    monkeypatch.setattr(Config, "SECRET_KEY", None)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(Config)


def test_unknown_page_is_a_friendly_vietnamese_404(client):
    response = client.get("/khong-co-trang-nay")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "Không tìm thấy trang" in page
    assert "Traceback" not in page


def test_api_errors_are_json(client):
    response = client.get("/api/v1/procedures/KHONG-CO")
    assert response.status_code == 404
    assert response.json["error"]["code"] == 404


def test_unexpected_error_is_a_friendly_500_without_stack_trace(app):
    fresh = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])

    @fresh.get("/__boom")
    @allow(ANYONE)
    def boom():
        raise RuntimeError("secret internals")

    response = fresh.test_client().get("/__boom")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Lỗi hệ thống" in page and "secret internals" not in page


def test_every_response_carries_a_request_id(client):
    assert len(client.get("/healthz").headers["X-Request-ID"]) == 32
    assert client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["X-Request-ID"] == "abc-123"


def test_a_view_without_access_declaration_stops_the_app():
    app = Flask("undeclared")
    app.add_url_rule("/open", "open", lambda: "x")
    with pytest.raises(RuntimeError, match="open"):
        check_every_view_declares_access(app)


def test_every_registered_view_declares_who_may_use_it(app):
    undeclared = [
        name for name, view in app.view_functions.items() if name != "static" and not hasattr(view, "access")
    ]
    assert undeclared == []


def test_test_config_is_not_production():
    assert TestConfig.TESTING and TestConfig.SECRET_KEY


def test_pages_carry_security_headers(client):
    headers = client.get("/").headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in headers["Content-Security-Policy"]


def test_an_oversized_request_gets_the_vietnamese_413_page(app, client):
    response = client.submit("/lookup", {"code": "x" * (app.config["MAX_CONTENT_LENGTH"] + 1), "secret": "y"})
    assert response.status_code == 413
    assert "Tệp quá lớn" in response.get_data(as_text=True)


def test_models_and_migrations_agree(app):
    result = app.test_cli_runner().invoke(args=["db", "check"])
    assert result.exit_code == 0, result.output


def test_behind_a_proxy_the_client_address_comes_from_forwarded_for(app):
    behind = create_app(
        TestConfig, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"], PROXY_COUNT=1
    )

    @behind.get("/__whoami")
    @allow(ANYONE)
    def whoami():
        from flask import request

        return request.remote_addr

    response = behind.test_client().get("/__whoami", headers={"X-Forwarded-For": "203.0.113.7"})
    assert response.get_data(as_text=True) == "203.0.113.7"


def test_a_line_break_in_the_address_cannot_forge_a_log_line(app):
    """A path's %0A decodes to a line break: logged as is, it would start a forged log line of its own."""
    fresh = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])

    @fresh.get("/__boom/<rest>")
    @allow(ANYONE)
    def boom(rest):
        raise RuntimeError("boom")

    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logger = logging.getLogger("service.errors")
    logger.addHandler(handler)
    try:
        response = fresh.test_client().get("/__boom/x%0A2026-01-01 ERROR [-] service: forged")
    finally:
        logger.removeHandler(handler)
    assert response.status_code == 500
    (record,) = records
    assert "\n" not in record.getMessage() and "forged" in record.getMessage()
