"""VNeID login (Decree 69/2024) against the simulated provider mounted in the same app: the round trip
through the Flask test client (the client's token, userinfo and key requests reach the simulator in
process), accounts found by identity number, created with consent, refusals that show a Vietnamese
page and change nothing."""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

from service.accounts import operations as accounts
from service.accounts import vneid, vneid_accounts
from service.accounts.models import ConsentRecord, User
from service.audit.models import AuditEntry
from service.database import write
from service.dossiers.models import Dossier
from service.dossiers.samples import sample_pairs
from service.extensions import db
from service.notifications.models import OutboundEmail
from service.safety import problems
from tests.factories import (
    PASSWORD,
    create_citizen,
    login,
    pdf_upload,
    procedure_version,
    refused,
    row_counts,
)
from tests.support.filing import save
from tests.support.filing import start as start_draft

AN, BINH = "089090000101", "089195000202"  # the simulator's test citizens: levels 2 and 1


def start(client, path: str = "/account/vneid/login") -> dict:
    """Press "Đăng nhập bằng VNeID": the redirect to the provider's authorization page, read."""
    response = client.get(path) if path.endswith("login") else client.submit(path)
    assert response.status_code == 302, response.status_code
    target = urlsplit(response.location)
    assert target.path == "/simulators/vneid/auth"
    params = dict(parse_qsl(target.query))
    # Authorization code with PKCE (S256), state and nonce (the simulator checks the verifier).
    assert params["response_type"] == "code" and params["code_challenge_method"] == "S256"
    assert params["state"] and params["nonce"] and params["code_challenge"]
    return params


def choose(client, params: dict, number: str = AN, decision: str = "allow", **fields):
    """The citizen's answer on the provider's page; returns the callback's response."""
    page = client.get("/simulators/vneid/auth?" + urlencode(params))
    assert "Đăng nhập VNeID – môi trường mô phỏng" in page.get_data(as_text=True)
    answer = client.submit(
        "/simulators/vneid/auth", {**params, "number": number, "decision": decision, **fields}
    )
    assert answer.status_code == 302
    back = urlsplit(answer.location)
    assert back.path == "/account/vneid/callback"
    return client.get(back.path + "?" + back.query)


def round_trip(client, number: str = AN, **fields):
    return choose(client, start(client), number, **fields)


def vneid_refused(response, status: int, message: str) -> str:
    """The VNeID refusal page: its status, title and the reason in Vietnamese, never a trace."""
    assert response.status_code == status, response.status_code
    page = response.get_data(as_text=True)
    assert "Không đăng nhập được bằng VNeID" in page and message in page, page[-3000:]
    assert "Traceback" not in page
    return page


def holder(number: str) -> User | None:
    return db.session.scalar(db.select(User).where(User.personal_id == number))


def audit_events(event: str) -> list[AuditEntry]:
    return list(db.session.scalars(db.select(AuditEntry).where(AuditEntry.event == event)))


def dashboard_text(client) -> str:
    return client.get("/account/profile").get_data(as_text=True)


def test_the_login_page_offers_vneid_only_when_it_is_configured(app, client, monkeypatch):
    assert "Đăng nhập bằng VNeID" in client.get("/account/login").get_data(as_text=True)
    monkeypatch.setitem(app.config, "VNEID_CLIENT_ID", "")
    monkeypatch.setitem(app.config, "VNEID_CLIENT_SECRET", "")
    assert "Đăng nhập bằng VNeID" not in client.get("/account/login").get_data(as_text=True)
    refused(client.get("/account/vneid/login"), 404)


def test_a_first_vneid_login_creates_the_account_after_consent_and_the_next_one_signs_it_in(client):
    response = round_trip(client, AN)
    assert response.location.endswith("/account/vneid/consent")
    page = client.get("/account/vneid/consent").get_data(as_text=True)
    assert "Nguyễn Văn An" in page and AN in page and "15/01/1990" in page and "Mức 2" in page
    assert holder(AN) is None  # nothing is made before the consent

    without = client.submit("/account/vneid/consent", {})
    assert "Bạn cần đồng ý với thông báo xử lý dữ liệu cá nhân để tạo tài khoản." in without.get_data(
        as_text=True
    )
    assert holder(AN) is None

    created = client.submit("/account/vneid/consent", {"consent": "y"})
    assert created.status_code == 302
    user = holder(AN)
    assert (user.full_name, user.email, user.role, user.identity_level) == (
        "Nguyễn Văn An",
        None,
        "citizen",
        2,
    )
    assert user.birth_date == date(1990, 1, 15) and user.vneid_tech_id == "sim-tech-089090000101"
    assert user.vneid_login_at is not None
    assert db.session.scalar(db.select(ConsentRecord).where(ConsentRecord.user_id == user.id)) is not None
    profile = dashboard_text(client)
    assert "Mức 2" in profile and "Chưa có (tài khoản đăng nhập bằng VNeID)" in profile

    client.submit("/account/logout")
    first_login = user.vneid_login_at
    again = round_trip(client, AN)
    assert again.status_code == 302 and not again.location.endswith("/consent")
    assert "Bạn đã đăng nhập bằng VNeID" in client.get(again.location, follow_redirects=True).get_data(
        as_text=True
    )
    db.session.refresh(user)
    assert user.vneid_login_at >= first_login
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 1
    successes = audit_events("login.success")
    assert len(successes) == 2 and all(e.details["method"] == "vneid" for e in successes)


def test_a_registered_citizen_is_found_by_identity_number_and_the_level_is_recorded(client):
    citizen = create_citizen(personal_id=BINH)
    response = round_trip(client, BINH)
    assert response.status_code == 302 and not response.location.endswith("/consent")
    db.session.refresh(citizen)
    assert (citizen.identity_level, citizen.vneid_tech_id) == (1, "sim-tech-089195000202")
    assert citizen.email is not None  # the account keeps its email and password
    assert "Mức 1" in dashboard_text(client)

    client.submit("/account/logout")
    round_trip(client, BINH, level="2")  # the account was raised to level 2 meanwhile
    db.session.refresh(citizen)
    assert citizen.identity_level == 2


@pytest.mark.parametrize(
    "fault", ["bad_signature", "wrong_nonce", "wrong_audience", "wrong_issuer", "expired"]
)
def test_an_id_token_that_does_not_verify_is_refused_and_nothing_is_made(client, fault):
    before = row_counts(User)
    response = round_trip(client, AN, fault=fault)
    message = vneid.MESSAGE_EXPIRED if fault == "expired" else vneid.MESSAGE_INVALID
    page = vneid_refused(response, 400, message)
    assert "Không đăng nhập được bằng VNeID" in page
    assert row_counts(User) == before
    assert "vneid_pending" not in client.session_data() and "_user_id" not in client.session_data()
    (failure,) = audit_events("login.failure")
    assert failure.details["method"] == "vneid"


def test_a_wrong_or_replayed_state_and_a_tampered_code_are_vneid_refused(client):
    params = start(client)
    page = client.get("/simulators/vneid/auth?" + urlencode(params))
    assert page.status_code == 200
    answer = client.submit("/simulators/vneid/auth", {**params, "number": AN, "decision": "allow"})
    query = dict(parse_qsl(urlsplit(answer.location).query))

    vneid_refused(
        client.get("/account/vneid/callback?" + urlencode({**query, "state": "forged"})),
        400,
        vneid.MESSAGE_STATE,
    )
    # The forged state did not consume the real one? It did not match, so the real one still waits:
    ok = client.get("/account/vneid/callback?" + urlencode(query))
    assert ok.status_code == 302
    vneid_refused(
        client.get("/account/vneid/callback?" + urlencode(query)), 400, vneid.MESSAGE_STATE
    )  # replayed

    params = start(client)
    answer = client.submit("/simulators/vneid/auth", {**params, "number": AN, "decision": "allow"})
    query = dict(parse_qsl(urlsplit(answer.location).query))
    tampered = {**query, "code": query["code"][:-3] + "xyz"}
    vneid_refused(client.get("/account/vneid/callback?" + urlencode(tampered)), 400, vneid.MESSAGE_INVALID)
    assert holder(AN) is None


def test_a_citizen_who_refuses_at_vneid_gets_a_vietnamese_page(client):
    response = round_trip(client, AN, decision="deny")
    vneid_refused(response, 403, vneid.MESSAGE_DENIED)


def test_a_callback_without_a_login_started_is_vneid_refused(client):
    vneid_refused(client.get("/account/vneid/callback?code=abc&state=xyz"), 400, vneid.MESSAGE_STATE)
    vneid_refused(client.get("/account/vneid/consent"), 400, vneid.MESSAGE_EXPIRED)


def test_an_official_is_never_signed_in_through_vneid(client):
    accounts.create_official("canbo@so.example.vn", "reception", "Cán bộ Một Cửa", PASSWORD, personal_id=AN)
    page = vneid_refused(round_trip(client, AN), 403, vneid_accounts.STAFF)
    assert "mã xác thực hai bước" in page
    assert "_user_id" not in client.session_data()
    (failure,) = audit_events("login.failure")
    assert failure.details["cause"] == "staff account"


def test_a_deactivated_account_is_vneid_refused(client):
    citizen = create_citizen(personal_id=AN)
    accounts.set_active(citizen.id, False)
    vneid_refused(round_trip(client, AN), 403, vneid_accounts.LOCKED)
    db.session.refresh(citizen)
    assert citizen.vneid_login_at is None and citizen.identity_level is None


def test_a_vneid_account_linked_to_another_number_is_vneid_refused(client):
    other = create_citizen(personal_id=AN)
    with write():
        db.session.get(User, other.id).vneid_tech_id = "sim-tech-089195000202"  # Bình's VNeID
    vneid_refused(round_trip(client, BINH), 409, vneid_accounts.OTHER_NUMBER)
    assert holder(BINH) is None and "vneid_pending" not in client.session_data()


def test_an_organisation_account_of_vneid_is_vneid_refused(client):
    vneid_refused(
        round_trip(client, "089090000303", account_type="2", full_name="Công ty A"),
        403,
        vneid_accounts.ORGANISATION,
    )


def test_a_signed_in_citizen_links_vneid_which_proves_the_number(client):
    citizen = create_citizen(personal_id=None)
    login(client, citizen)
    assert "Liên kết với VNeID" in dashboard_text(client)
    response = choose(client, start(client, "/account/vneid/link"), AN)
    assert response.location.endswith("/account/profile")
    db.session.refresh(citizen)
    assert (citizen.personal_id, citizen.identity_level) == (AN, 2)
    assert "Đã liên kết tài khoản với VNeID" in dashboard_text(client)
    assert len(audit_events("account.vneid_linked")) == 1


def test_linking_a_vneid_of_another_number_is_vneid_refused(client):
    citizen = create_citizen(personal_id=BINH)
    login(client, citizen)
    vneid_refused(
        choose(client, start(client, "/account/vneid/link"), AN), 409, vneid_accounts.YOUR_NUMBER_DIFFERS
    )
    db.session.refresh(citizen)
    assert citizen.personal_id == BINH and citizen.vneid_login_at is None


def test_level_claims_are_read_whichever_the_provider_sends():
    assert vneid.identity_level({"IAL": "2"}) == 2
    assert vneid.identity_level({"loAs": ["LoA1", "LoA2"]}) == 2
    assert vneid.identity_level({"acr": "LoA1"}) == 1
    assert vneid.identity_level({}) is None
    with pytest.raises(vneid.VneidRefused):
        vneid.citizen_from({"sub": "x", "SoDinhDanh": "123"})


def test_production_needs_the_client_secret_only_once_vneid_is_configured():
    good = {"SECRET_KEY": "k" * 8 + "abcdefghijklmnopqrstuvwxyz0123456789", "ISSUER_TAX_CODE": "0312345678"}
    assert not [p for p in problems(good) if "VNEID" in p.setting]  # off: nothing to say
    half = {
        **good,
        "VNEID_CLIENT_ID": "dvc-angiang-web",
        "VNEID_METADATA_URL": "https://sso.example/.well-known",
    }
    (problem,) = [p for p in problems(half) if "VNEID" in p.setting]
    assert "VNEID_CLIENT_SECRET" in problem.reason
    whole = {**half, "VNEID_CLIENT_SECRET": "s3cret-from-the-provider-registration"}
    assert not [p for p in problems(whole) if "VNEID" in p.setting]
    assert [p.setting for p in problems({**whole, "VNEID_SIMULATOR": True}) if "VNEID" in p.setting] == [
        "VNEID_SIMULATOR"
    ]


def test_a_code_redeemed_without_the_browsers_pkce_verifier_is_refused(client):
    params = start(client)
    answer = client.submit("/simulators/vneid/auth", {**params, "number": AN, "decision": "allow"})
    with client.session_transaction() as session:  # the verifier kept for this login, replaced
        kept = session[f"_state_vneid_{params['state']}"]
        kept["data"]["code_verifier"] = "x" * 64
        session[f"_state_vneid_{params['state']}"] = kept
    back = urlsplit(answer.location)
    vneid_refused(client.get(back.path + "?" + back.query), 400, vneid.MESSAGE_INVALID)
    assert holder(AN) is None


def test_a_citizen_without_an_email_files_a_dossier_and_no_email_is_attempted(client):
    round_trip(client, BINH)
    client.submit("/account/vneid/consent", {"consent": "y"})
    version = procedure_version()
    dossier_id = start_draft(client)
    save(client, dossier_id, sample_pairs(version.fields), "next")
    for document in version.documents:
        if document["required"]:
            client.submit(f"/dossiers/{dossier_id}/attachments/{document['key']}", {"file": pdf_upload()})
    page = client.submit(
        f"/dossiers/{dossier_id}/submit", {"declaration": "y"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "Nộp hồ sơ thành công" in page
    assert db.session.get(Dossier, dossier_id).status == "submitted"
    assert row_counts(OutboundEmail) == (0,)
