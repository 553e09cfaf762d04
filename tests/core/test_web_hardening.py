"""What an adversarial probe of a production-style deployment found at the HTTP edge: response headers,
uploaded files served back, JSON and numbers that used to answer 500, amounts typed in other digits,
and emailed links built from the Host header."""

from __future__ import annotations

import io

import pytest
from werkzeug.datastructures import FileStorage

from config import Config, DevelopmentConfig, session_cookie_name
from service.dossiers import operations as dossiers
from service.extensions import db
from service.payments.bankfeed import sepay_body
from service.payments.models import PaymentIncident, PaymentOrder
from service.schools import fees
from service.schools.models import School
from tests.conftest import CSRF_INPUT
from tests.factories import (
    create_citizen,
    create_dossier,
    create_official,
    create_school_user,
    last_email,
    load_catalogue,
    login,
    pdf_upload,
)
from tests.support.schools import confirm

BANKFEED = {"Authorization": "Apikey test-bankfeed-key"}


@pytest.fixture(autouse=True)
def gateway_keys(app, monkeypatch):
    monkeypatch.setitem(app.config, "BANKFEED_API_KEY", "test-bankfeed-key")


# ---------------------------------------------------------------- headers


def test_pages_files_and_json_are_never_cached_static_assets_are(client):
    """Signed in, nothing is kept; anonymous, only the public catalogue and statistics are (see
    tests/quality/test_public_cache.py)."""
    citizen = create_citizen()
    dossier = create_dossier(citizen, submitted=True)
    assert client.get("/lookup").headers["Cache-Control"] == "no-store"
    assert client.get("/").headers["Cache-Control"] == "public, max-age=60"
    login(client, citizen)
    for url in (
        "/",
        "/api/v1/procedures",
        f"/dossiers/{dossier.id}",
        f"/dossiers/{dossier.id}/files/{dossier.files[0].id}",
        "/dossiers",
    ):
        assert client.get(url).headers["Cache-Control"] == "no-store", url
    assert "no-store" not in client.get("/static/app.css").headers.get("Cache-Control", "")


def test_an_api_answer_opened_in_a_browser_is_a_file_not_a_page(client):
    answer = client.get("/api/v1/procedures")
    assert answer.headers["Content-Disposition"] == 'attachment; filename="api.json"'
    assert "Content-Disposition" not in client.get("/").headers


def test_refused_requests_leave_a_line_in_the_log(client, other_client, caplog):
    """Someone else's dossier, an administrator's page, a forged form: who tried what is written down."""
    owner, stranger = create_citizen(), create_citizen()
    dossier = create_dossier(owner, submitted=True)
    login(client, stranger)
    with caplog.at_level("WARNING", logger="service.errors"):
        client.get(f"/dossiers/{dossier.id}")
        client.get("/admin/audit")
        other_client.post("/account/login", data={"email": "a@b.vn", "password": "x"})  # no CSRF token
    lines = [r.getMessage() for r in caplog.records if r.name == "service.errors"]
    assert any(
        f"Refused 404 GET '/dossiers/{dossier.id}'" in line and f"account {stranger.id}" in line
        for line in lines
    )
    assert any("Refused 403 GET '/admin/audit'" in line for line in lines)
    assert any(line.startswith("Refused 400 POST '/account/login': CSRF") for line in lines)


def test_browser_features_are_switched_off_and_https_is_pinned_when_cookies_are_https_only(
    app, client, monkeypatch
):
    headers = client.get("/").headers
    assert {"camera=()", "microphone=()", "geolocation=()", "payment=()"} <= set(
        headers["Permissions-Policy"].replace(",", " ").split()
    )
    assert "Strict-Transport-Security" not in headers  # plain-HTTP development
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)
    hsts = client.get("/", base_url="https://localhost").headers["Strict-Transport-Security"]
    assert hsts == "max-age=31536000; includeSubDomains"


def test_over_https_the_session_cookie_is_bound_to_this_host(app, monkeypatch):
    """Production's cookie settings: the "__Host-" name, which browsers keep only when the cookie is
    Secure, has Path=/ and no Domain, so no sibling subdomain can plant or overwrite a session."""
    assert Config.SESSION_COOKIE_NAME == "__Host-session"
    assert DevelopmentConfig.SESSION_COOKIE_NAME == "session"  # plain HTTP: browsers would drop a __Host- one
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)
    monkeypatch.setitem(app.config, "SESSION_COOKIE_NAME", session_cookie_name(True))
    client = app.test_client()
    cookie = client.get("/account/login", base_url="https://localhost").headers["Set-Cookie"]
    assert cookie.startswith("__Host-session=")
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
    assert {"secure", "httponly", "path", "samesite"} <= attributes and "domain" not in attributes
    assert "Path=/;" in cookie or cookie.endswith("Path=/")


# ---------------------------------------------------------------- uploaded files


def test_an_uploaded_file_is_saved_under_a_safe_name_with_its_real_type(client):
    """A PDF uploaded as "thư mời.html" (with quotes and a bidirectional override) is downloaded as a
    PDF named "thư mời.pdf": never an .html file, never a name that breaks the header."""
    citizen = create_citizen()
    draft = create_dossier(citizen, files=False)
    key = next(d["key"] for d in draft.procedure_version.documents if "pdf" in d["file_types"])
    data, _ = pdf_upload()
    dossiers.add_file(
        draft.id, citizen, key, FileStorage(io.BytesIO(data.read()), filename='thư "mời"\u202e;.html')
    )
    login(client, citizen)
    attached = [f for f in db.session.get(type(draft), draft.id).files if f.original_name.startswith("thư")][
        0
    ]
    response = client.get(f"/dossiers/{draft.id}/files/{attached.id}?preview=1")
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=\"thu _moi__.pdf\"; filename*=UTF-8''th%C6%B0%20_m%E1%BB%9Di__.pdf"
    )


# ---------------------------------------------------------------- JSON and numbers: 400, not 500

DEEP = "[" * 10_000 + "]" * 10_000
NESTED = '{"id": 7, "extra": ' + "[" * 100 + "]" * 100 + "}"  # parses, but deeper than any body we take


@pytest.mark.parametrize(
    "body",
    [DEEP, NESTED, '{"id": 1' + "0" * 30 + "}", '{"id": NaN}'],
    ids=["10000-deep", "100-deep", "30-digit-integer", "NaN"],
)
def test_json_too_deep_or_too_large_is_a_400(client, body):
    bank = client.post(
        "/payments/bankfeed/sepay", data=body, content_type="application/json", headers=BANKFEED
    )
    assert bank.status_code == 400 and bank.json == {"success": False, "message": "Bad request"}
    paygov = client.post("/payments/paygov/confirm", data=body, content_type="application/json")
    assert paygov.status_code == 400 and paygov.json["MaLoi"] == "99"
    assert client.post("/lookup", data=body, content_type="application/json").status_code == 400


@pytest.mark.parametrize("amount", ["1" * 30, 10**17, -(10**17), 1e300])
def test_a_bank_credit_of_an_impossible_amount_goes_to_review_not_to_a_500(client, amount):
    body = sepay_body("TTABCDEFGHJK", 1, 4242, "0011001234567")
    body["transferAmount"] = amount
    response = client.post("/payments/bankfeed/sepay", json=body, headers=BANKFEED)
    assert response.status_code == 200 and response.json == {"success": True}
    [incident] = db.session.scalars(db.select(PaymentIncident)).all()
    assert incident.kind == "unmatched_credit" and incident.amount is None


def test_an_identifier_too_large_for_the_database_in_a_query_is_ignored(client, invoice):  # noqa: F811
    load_catalogue()
    huge = "9" * 30
    login(client, create_official("leader"))
    stats = client.get(f"/officials/stats?department_id={huge}")
    assert stats.status_code == 200 and "Tỷ lệ trễ hạn" in stats.get_data(as_text=True)
    login(client, create_school_user(db.session.get(School, invoice.school_id)))
    assert client.get(f"/school/students?class_id={huge}").status_code == 200
    assert client.get(f"/school/invoices?term_id={huge}&class_id=٣").status_code == 200


# ---------------------------------------------------------------- amounts in other digits

OTHER_DIGITS = [
    "١٠٠٠٠٠٠",
    "１００００００",
    "1_000_000",
    "²",
]  # Arabic-Indic, fullwidth, Python's, a superscript


@pytest.mark.parametrize("amount", OTHER_DIGITS)
def test_an_amount_in_other_digits_is_refused_on_a_payment_link(client, invoice, amount):  # noqa: F811
    from service.database import begin_write

    begin_write()
    db.session.get(School, invoice.school_id).allow_partial_payment = True
    db.session.commit()
    confirm(client, invoice)
    assert client.submit(f"/pay/{invoice.access_token}/pay/vnpay", {"amount": amount}).status_code == 400
    assert db.session.scalar(db.select(db.func.count()).select_from(PaymentOrder)) == 0


@pytest.mark.parametrize("amount", OTHER_DIGITS)
def test_an_amount_in_other_digits_is_refused_at_the_counter(client, invoice, amount):  # noqa: F811
    login(client, create_school_user(db.session.get(School, invoice.school_id)))
    data = {"manual-amount": amount, "manual-reference": "PT-001", "manual-reason": "Nộp tại phòng kế toán"}
    response = client.submit(f"/school/invoices/{invoice.id}/manual-payment", data)
    assert response.status_code == 400 and "Vui lòng nhập số nguyên bằng các chữ số 0–9" in response.get_data(
        as_text=True
    )
    assert fees.paid_amount(invoice.id) == 0


# ---------------------------------------------------------------- emailed links


def test_an_emailed_link_never_takes_the_host_a_client_sent(app, client):
    citizen = create_citizen()
    forged = {"base_url": "http://evil.example"}  # the Host header of the request
    page = client.get("/account/forgot-password", **forged).get_data(as_text=True)
    token = CSRF_INPUT.search(page).group(1)
    client.post("/account/forgot-password", data={"email": citizen.email, "csrf_token": token}, **forged)
    body = last_email(citizen.email).body_text
    assert f"{app.config['APP_BASE_URL']}/account/reset/" in body and "evil.example" not in body
