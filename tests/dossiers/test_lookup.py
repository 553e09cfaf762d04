"""Public status lookup, without login: page and JSON."""

from __future__ import annotations

from tests.factories import create_citizen, create_dossier


def test_lookup_by_code_and_secret_shows_status_without_personal_data(client):
    citizen = create_citizen(full_name="Nguyễn Văn Bí Mật")
    dossier = create_dossier(citizen, submitted=True)
    page = client.submit("/lookup", {"code": dossier.code, "secret": dossier.lookup_secret}).get_data(
        as_text=True
    )
    assert "Đã nộp, chờ tiếp nhận" in page and dossier.procedure_version.name in page
    assert "Nộp hồ sơ trực tuyến" in page  # the timeline
    assert "Bí Mật" not in page and citizen.email not in page and citizen.personal_id not in page


def test_lookup_by_registered_phone(client):
    citizen = create_citizen(phone="0987111222")
    dossier = create_dossier(citizen, submitted=True)
    page = client.submit("/lookup", {"code": dossier.code.lower(), "secret": "098 711 1222"}).get_data(
        as_text=True
    )
    assert "Đã nộp, chờ tiếp nhận" in page


def test_wrong_secret_and_unknown_code_give_the_same_message(client):
    dossier = create_dossier(create_citizen(), submitted=True)
    wrong = client.submit("/lookup", {"code": dossier.code, "secret": "SAIMA123"}).get_data(as_text=True)
    unknown = client.submit(
        "/lookup", {"code": "H01.48-261128-9999", "secret": dossier.lookup_secret}
    ).get_data(as_text=True)
    for page in (wrong, unknown):
        assert "Không tìm thấy hồ sơ với mã và mã tra cứu" in page
        assert "Đã nộp, chờ tiếp nhận" not in page


def test_malformed_code_is_explained(client):
    page = client.submit("/lookup", {"code": "abc; drop table", "secret": "X"}).get_data(as_text=True)
    assert "Mã hồ sơ không đúng định dạng" in page


def test_lookup_is_rate_limited_with_a_vietnamese_page(app, client):
    limit = int(app.config["LOOKUP_RATE_LIMIT"].split()[0])
    for _ in range(limit):
        assert client.submit("/lookup", {"code": "H01.48-261128-0001", "secret": "X"}).status_code == 200
    blocked = client.submit("/lookup", {"code": "H01.48-261128-0001", "secret": "X"})
    assert blocked.status_code == 429
    assert "Quá nhiều yêu cầu" in blocked.get_data(as_text=True)


def test_status_api(client):
    dossier = create_dossier(create_citizen(), submitted=True)
    body = client.get(f"/api/v1/dossiers/{dossier.code}/status?secret={dossier.lookup_secret}").json
    assert body["code"] == dossier.code and body["status"] == "submitted"
    assert body["processing_days"] == dossier.procedure_version.processing_days
    assert [event["event"] for event in body["timeline"]] == ["submit"]
    assert client.get(f"/api/v1/dossiers/{dossier.code}/status?secret=WRONG").status_code == 404
    assert client.get("/api/v1/dossiers/not-a-code/status?secret=x").status_code == 400


def test_drafts_cannot_be_looked_up(client):
    dossier = create_dossier(create_citizen())
    assert dossier.code is None
    assert client.get("/api/v1/dossiers/H01.48-261128-0001/status?secret=x").status_code == 404


def test_lookup_shows_the_appointment_date_once_received(client):
    from service.dossiers import processing
    from service.dossiers.models import Dossier
    from service.extensions import db
    from tests.factories import create_official

    dossier = create_dossier(create_citizen(), submitted=True)
    processing.act(dossier.id, create_official("reception"), "receive", {}, None)
    due = db.session.get(Dossier, dossier.id).due_date
    page = client.submit("/lookup", {"code": dossier.code, "secret": dossier.lookup_secret}).get_data(
        as_text=True
    )
    assert due.strftime("%d/%m/%Y") in page and "Đã tiếp nhận" in page
    body = client.get(f"/api/v1/dossiers/{dossier.code}/status?secret={dossier.lookup_secret}").json
    assert body["due_date"] == due.isoformat() and body["status"] == "received"


def test_the_status_api_takes_the_secret_in_a_header_and_deprecates_the_query_string(client):
    """ASVS 8.3.1: a secret in a URL ends up in proxies' logs."""
    dossier = create_dossier(create_citizen(), submitted=True)
    url = f"/api/v1/dossiers/{dossier.code}/status"
    answer = client.get(url, headers={"X-Lookup-Secret": dossier.lookup_secret})
    assert answer.status_code == 200 and answer.json["code"] == dossier.code
    assert "Deprecation" not in answer.headers
    assert client.get(url, headers={"X-Lookup-Secret": "WRONG"}).status_code == 404
    old = client.get(url, query_string={"secret": dossier.lookup_secret})
    assert old.status_code == 200 and old.headers["Deprecation"] == "true"
