"""Hostile or malformed input gets a 4xx and a Vietnamese message, never a 500, and changes nothing it
should not. Each test here is a defect found by review."""

from __future__ import annotations

import pytest

from service.accounts.models import AccountToken, User
from service.dossiers.models import Dossier, FormStash
from service.extensions import db
from tests.factories import (
    ORGANISATION_PROCEDURE,
    PASSWORD,
    create_citizen,
    create_dossier,
    create_organisation,
    load_catalogue,
    login,
    refused,
    row_counts,
)
from tests.support.filing import FROM_OUR_PAGE, save, start


@pytest.mark.parametrize(
    "target", ["/\t/evil.example", "//evil.example", "/\\evil.example", "https://evil.example/", "/%0A/evil"]
)
def test_login_never_redirects_off_site(client, target):
    citizen = create_citizen()
    response = client.submit(f"/account/login?next={target}", {"email": citizen.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.location == "/dashboard"


def test_login_returns_to_a_page_of_the_site(client):
    citizen = create_citizen()
    response = client.submit("/account/login?next=/dossiers", {"email": citizen.email, "password": PASSWORD})
    assert response.location == "/dossiers"


def test_public_lookup_does_not_show_the_withdrawal_reason(client):
    citizen = create_citizen()
    dossier = create_dossier(citizen, submitted=True)
    login(client, citizen)
    client.submit(f"/dossiers/{dossier.id}/withdraw", {"reason": "Con tôi bị bệnh nặng"})
    client.submit("/account/logout")
    page = client.submit("/lookup", {"code": dossier.code, "secret": dossier.lookup_secret}).get_data(
        as_text=True
    )
    assert "Công dân rút hồ sơ" in page and "bệnh nặng" not in page


@pytest.mark.parametrize("secret", ["é", "ĐĂNGKÝ12", "０９１２３４５６７８"])
def test_non_ascii_lookup_secret_is_just_not_found(client, secret):
    dossier = create_dossier(create_citizen(), submitted=True)
    page = client.submit("/lookup", {"code": dossier.code, "secret": secret})
    assert page.status_code == 200 and "Không tìm thấy hồ sơ" in page.get_data(as_text=True)
    assert (
        client.get(f"/api/v1/dossiers/{dossier.code}/status", query_string={"secret": secret}).status_code
        == 404
    )


@pytest.mark.parametrize("province", ["²", "9" * 5000, "abc"])
def test_a_strange_province_value_leaves_the_draft_editable(client, province):
    login(client, create_organisation())
    dossier_id = start(client, ORGANISATION_PROCEDURE)
    assert save(client, dossier_id, [("head_office_address-province", province)]).status_code == 200
    page = client.get(f"/dossiers/{dossier_id}/edit")
    assert page.status_code == 200 and 'name="head_office_address-province"' in page.get_data(as_text=True)
    assert db.session.get(Dossier, dossier_id).status == "draft"


@pytest.mark.parametrize("dossier_id", ["99999999999999999999", "3000000000"])
def test_ids_too_large_for_the_database_are_404(client, dossier_id):
    login(client, create_citizen())
    refused(client.get(f"/dossiers/{dossier_id}"), 404)
    refused(client.submit(f"/dossiers/{dossier_id}/withdraw", {"reason": "x"}), 404)
    assert row_counts(Dossier) == (0,)


@pytest.mark.parametrize("url", ["/procedures/?q=a%00b", "/procedures/a%00", "/api/v1/procedures?q=%00"])
def test_nul_characters_are_refused(client, url):
    load_catalogue()
    response = client.get(url)
    if url.startswith("/api/"):
        assert response.status_code == 400 and response.json["error"]
    else:
        refused(response, 400)


def test_nul_characters_in_a_form_are_refused_and_nothing_is_stored(client):
    response = client.submit(
        "/account/register",
        {
            "account_type": "citizen",
            "full_name": "A\x00B",
            "personal_id": "089205001111",
            "email": "a@b.vn",
            "phone": "0912345678",
            "password": PASSWORD,
            "password_confirm": PASSWORD,
            "consent": "y",
        },
    )
    assert response.status_code == 400
    assert "Dữ liệu gửi lên không hợp lệ" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 0


def test_confirmation_emails_cannot_be_requested_in_a_loop(client):
    citizen = create_citizen(confirmed=False)
    for _ in range(5):
        client.submit("/account/resend-confirmation", {"email": citizen.email})
    tokens = db.session.scalars(db.select(AccountToken).where(AccountToken.user_id == citizen.id)).all()
    assert len(tokens) == 1


def token_of_an_ended_session(app, client) -> dict:
    """A form of ours whose session has since ended: the case the draft rescue keeps."""
    token = client.csrf_token()
    client.delete_cookie(app.config["SESSION_COOKIE_NAME"])
    return {"csrf_token": token}


def test_anonymous_posts_to_unknown_or_submitted_dossiers_store_nothing(app, client):
    submitted = create_dossier(create_citizen(), submitted=True)
    stale = token_of_an_ended_session(app, client)
    for dossier_id in (submitted.id, 999999):
        response = client.post(
            f"/dossiers/{dossier_id}/edit", data={"x": "y" * 1000, **stale}, headers=FROM_OUR_PAGE
        )
        assert response.status_code in (302, 400)
    assert db.session.scalar(db.select(db.func.count()).select_from(FormStash)) == 0


def test_anonymous_posts_to_one_draft_keep_only_a_few_stashes(app, client):
    draft = create_dossier(create_citizen(), files=False)
    stale = token_of_an_ended_session(app, client)
    for _ in range(6):
        response = client.post(
            f"/dossiers/{draft.id}/edit", data={"student_full_name": "x", **stale}, headers=FROM_OUR_PAGE
        )
        assert response.status_code == 302  # kept, and the visitor sent to log in
    assert 1 <= db.session.scalar(db.select(db.func.count()).select_from(FormStash)) <= 3


def test_tampered_row_actions_and_unknown_names_change_nothing(client):
    organisation = create_organisation()
    login(client, organisation)
    dossier_id = start(client, ORGANISATION_PROCEDURE)
    rows = [("occupations-0-occupation_name", "Điện công nghiệp")]
    save(client, dossier_id, rows, "remove_row:occupations:abc")
    save(client, dossier_id, [*rows, ("evil-0-__row__", ""), ("whatever", "x")], "add_row:nonexistent")
    assert db.session.get(Dossier, dossier_id).form_data == [
        ["occupations-0-occupation_name", "Điện công nghiệp"]
    ]


def test_a_table_takes_no_more_rows_than_its_maximum(client):
    login(client, create_organisation())
    load_catalogue()
    dossier_id = start(client, "1.000138.000.00.00.H01")
    rows = [(f"involved_institutions-{i}-institution_name", f"Trường {i}") for i in range(11)]
    page = save(client, dossier_id, rows, "add_row:involved_institutions").get_data(as_text=True)
    assert "chỉ nhận tối đa 10 dòng" in page
    stored = db.session.get(Dossier, dossier_id).form_data
    assert ["involved_institutions-10-institution_name", "Trường 10"] not in stored
    assert ["involved_institutions-9-institution_name", "Trường 9"] in stored


def test_a_save_without_a_valid_version_is_treated_as_stale(client):
    citizen = create_citizen()
    login(client, citizen)
    dossier_id = start(client)
    before = db.session.get(Dossier, dossier_id).form_data  # what the account pre-filled
    for version in ("abc", None):
        data = [("student_full_name", "Mới"), ("action", "save")] + (
            [("version", version)] if version else []
        )
        assert client.submit(f"/dossiers/{dossier_id}/edit", data).status_code == 409
    db.session.expire_all()
    after = db.session.get(Dossier, dossier_id).form_data
    assert after == before and ["student_full_name", "Mới"] not in after


def test_an_organisation_cannot_take_a_citizens_identity_number(client):
    client.submit(
        "/account/register",
        {
            "account_type": "organisation",
            "full_name": "Đại diện",
            "personal_id": "089205001111",
            "organisation_name": "Trung tâm A",
            "tax_code": "1600123456",
            "email": "tc@example.vn",
            "phone": "0912345678",
            "password": PASSWORD,
            "password_confirm": PASSWORD,
            "consent": "y",
        },
    )
    organisation = db.session.scalar(db.select(User).where(User.email == "tc@example.vn"))
    assert organisation.personal_id is None and organisation.personal_id_claim is None
