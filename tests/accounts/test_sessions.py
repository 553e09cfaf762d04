"""Login sessions end for real: a cookie copied before logout, a password change or reset, or an
administrator's deactivation is refused afterwards; sessions time out when idle and after a fixed
lifetime; a login starts a fresh session; older reset links die; login answers do not tell which
emails have accounts, and a stranger's wrong guesses do not lock the owner out."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from service.accounts import models
from service.accounts.models import AccountToken, User
from service.database import write
from service.dossiers.models import Dossier
from service.extensions import db
from service.timeutil import utcnow
from tests.factories import (
    PASSWORD,
    create_citizen,
    create_dossier,
    create_official,
    last_email,
    link_in,
    login,
)

NEW_PASSWORD = "một mật khẩu mới khá dài 2026"
EXPIRED = "Phiên đăng nhập đã hết hạn. Vui lòng đăng nhập lại."
STRANGER, OWNER = {"REMOTE_ADDR": "203.0.113.9"}, {"REMOTE_ADDR": "198.51.100.20"}


@pytest.fixture
def third_client(app):
    return app.test_client()


def copy_session(app, source, target) -> None:
    """As a thief would: the session cookie taken from one browser and replayed in another."""
    name = app.config["SESSION_COOKIE_NAME"]
    target.set_cookie(name, source.get_cookie(name).value)


def refused(client) -> bool:
    response = client.get("/account/profile")
    if response.status_code != 302 or "/account/login" not in response.location:
        return False
    return EXPIRED in client.get(response.location).get_data(as_text=True)


def logout(client, _user, _helper):
    client.submit("/account/logout")


def change_password(client, _user, _helper):
    data = {"current_password": PASSWORD, "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}
    assert client.submit("/account/password", data).status_code == 302


def reset_password(_client, user, helper):
    helper.submit("/account/forgot-password", {"email": user.email})
    helper.submit(
        link_in(last_email(user.email)), {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}
    )


def deactivate(_client, user, helper):
    login(helper, create_official("admin"))
    assert helper.submit(f"/admin/users/{user.id}/active/0").status_code == 302


@pytest.mark.parametrize("event", [logout, change_password, reset_password, deactivate])
def test_a_session_cookie_copied_before_the_event_is_refused_after_it(
    app, client, other_client, third_client, event
):
    citizen = create_citizen()
    login(client, citizen)
    copy_session(app, client, other_client)
    assert other_client.get("/account/profile").status_code == 200  # the copy works until then
    event(client, citizen, third_client)
    assert refused(other_client)


def test_changing_the_password_keeps_this_browser_signed_in_and_ends_the_others(app, client, other_client):
    citizen = create_citizen()
    login(client, citizen)
    login(other_client, citizen)
    change_password(client, citizen, None)
    assert client.get("/account/profile").status_code == 200
    assert refused(other_client)


def test_an_idle_session_ends_and_activity_keeps_it_alive(app, client):
    login(client, create_citizen())
    idle = app.config["SESSION_IDLE_MINUTES"] * 60
    with client.session_transaction() as session:
        session["seen_at"] -= idle - 60
    assert client.get("/account/profile").status_code == 200  # just in time: the clock starts again
    with client.session_transaction() as session:
        session["seen_at"] -= idle - 60
    assert client.get("/account/profile").status_code == 200
    with client.session_transaction() as session:
        session["seen_at"] -= idle + 1
    assert refused(client)


def test_an_active_session_still_ends_after_its_lifetime(app, client):
    login(client, create_citizen())
    with client.session_transaction() as session:
        session["login_at"] -= app.config["SESSION_ABSOLUTE_HOURS"] * 3600 + 1
    assert refused(client)


def test_a_login_starts_a_fresh_session(client):
    citizen = create_citizen()
    with client.session_transaction() as session:  # set by someone else before the citizen signs in
        session["planted"] = "giá trị của kẻ gian"
        session["csrf_token"] = "a-secret-the-planter-knows"
    before = client.session_data()
    assert login(client, citizen).status_code == 302
    after = client.session_data()
    assert "planted" not in after and "csrf_token" not in after
    client.get("/account/profile")  # a page with a form gets a token of the new session
    assert client.session_data()["csrf_token"] != before["csrf_token"]
    assert after["_user_id"] == f"{citizen.id}:{citizen.session_version}"


def request_reset(client, user: User) -> str:
    client.submit("/account/forgot-password", {"email": user.email})
    return link_in(last_email(user.email))


def test_a_newer_reset_link_ends_the_older_one(client):
    citizen = create_citizen()
    older = request_reset(client, citizen)
    with write():  # a minute later: the form sends at most one link a minute
        for token in db.session.scalars(db.select(AccountToken)):
            token.created_at -= timedelta(minutes=2)
    newer = request_reset(client, citizen)
    assert newer != older
    page = client.get(older, follow_redirects=True).get_data(as_text=True)
    assert "không hợp lệ, đã được dùng hoặc đã hết hạn" in page
    client.submit(newer, {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    assert login(client, citizen, NEW_PASSWORD).status_code == 302


def test_a_password_change_ends_the_reset_links_sent_before(client, other_client):
    citizen = create_citizen()
    link = request_reset(other_client, citizen)
    login(client, citizen)
    change_password(client, citizen, None)
    taken_over = other_client.submit(
        link, {"password": "mật khẩu của kẻ gian 2026", "password_confirm": "mật khẩu của kẻ gian 2026"}
    )
    assert "/account/forgot-password" in taken_over.location
    assert db.session.get(User, citizen.id).check_password(NEW_PASSWORD)
    assert db.session.scalar(db.select(AccountToken).where(AccountToken.expires_at > utcnow())) is None


def answer(client, email: str, **kwargs) -> str:
    page = client.submit("/account/login", {"email": email, "password": "sai mật khẩu rồi"}, **kwargs)
    return re.sub(r'value="[^"]*"', "", page.get_data(as_text=True))  # the token and the typed email


def test_login_answers_alike_for_unknown_and_known_emails(app, client, monkeypatch):
    known = create_citizen()
    checked = []  # a password hash checked for both, so that both take about as long
    real = models.check_password_hash
    monkeypatch.setattr(models, "check_password_hash", lambda *args: checked.append(1) or real(*args))
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert answer(client, known.email) == answer(client, "khong-co-ai@example.vn")
    assert len(checked) == 2 * app.config["LOGIN_MAX_FAILURES"]
    throttled = answer(client, known.email)
    assert "Đăng nhập sai quá nhiều lần" in throttled and throttled == answer(
        client, "khong-co-ai@example.vn"
    )


def test_a_strangers_guesses_do_not_lock_the_owner_out(app, client, other_client):
    official = create_official("admin")
    for _ in range(3 * app.config["LOGIN_MAX_FAILURES"]):
        answer(other_client, official.email, environ_base=STRANGER)
    assert "Đăng nhập sai quá nhiều lần" in answer(other_client, official.email, environ_base=STRANGER)
    assert (
        client.submit(
            "/account/login", {"email": official.email, "password": PASSWORD}, environ_base=OWNER
        ).status_code
        == 302
    )


def test_one_address_trying_many_emails_is_slowed(app, client, other_client, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_ADDRESS_FAILURES", "3 per hour")
    owner = create_citizen()
    for n in range(3):
        assert "Email hoặc mật khẩu không đúng." in answer(
            client, f"thu{n}@example.vn", environ_base=STRANGER
        )
    right = {"email": owner.email, "password": PASSWORD}
    stranger = client.submit("/account/login", right, environ_base=STRANGER)
    assert "Đăng nhập sai quá nhiều lần" in stranger.get_data(as_text=True)
    assert other_client.submit("/account/login", right, environ_base=OWNER).status_code == 302


def test_a_draft_posted_after_the_idle_timeout_is_kept(app, client):
    citizen = create_citizen()
    dossier = create_dossier(citizen, files=False)
    login(client, citizen)
    edit = f"/dossiers/{dossier.id}/edit"
    version = re.search(r'name="version" value="(\d+)"', client.get(edit).get_data(as_text=True)).group(1)
    client.csrf_token()  # the page's token, as the open form holds it
    with client.session_transaction() as session:  # the citizen typed for longer than the idle limit
        session["seen_at"] -= app.config["SESSION_IDLE_MINUTES"] * 60 + 1
    posted = client.submit(
        edit, [("student_full_name", "Trần Văn Kiên"), ("action", "save"), ("version", version)]
    )
    assert posted.status_code == 302 and "/account/login" in posted.location
    assert EXPIRED in client.get(posted.location).get_data(as_text=True)
    after_login = client.submit(posted.location, {"email": citizen.email, "password": PASSWORD})
    assert after_login.location.endswith(edit)
    assert 'value="Trần Văn Kiên"' in client.get(edit).get_data(as_text=True)
    assert ["student_full_name", "Trần Văn Kiên"] in db.session.get(Dossier, dossier.id).form_data
