"""Registration with consent, email confirmation, login throttling, password reset, profile, officials."""

from __future__ import annotations

import email
import email.policy
import ipaddress
import ssl
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller

from service.accounts.models import AccountToken, ConsentRecord, User
from service.database import begin_write, write
from service.extensions import db
from service.jobs import outbox
from service.notifications.email import queue_email
from service.notifications.models import OutboundEmail
from service.timeutil import utcnow
from tests.factories import PASSWORD, create_citizen, create_official, last_email, link_in, login, refused
from tests.support.mail import _free_port, _Inbox

REGISTRATION = {
    "account_type": "citizen",
    "full_name": "Nguyễn Thị Mai",
    "personal_id": "089205001111",
    "email": "Mai.Nguyen@Example.vn",
    "phone": "091 234 5678",
    "password": "Hoa sen nở giữa đồng",
    "password_confirm": "Hoa sen nở giữa đồng",
    "consent": "y",
}


def register(client, **changes):
    return client.submit("/account/register", {**REGISTRATION, **changes})


def test_citizen_registers_with_recorded_consent_and_confirms_email(app, client):
    page = register(client).get_data(as_text=True)
    assert "Vui lòng xác nhận email" in page
    user = db.session.scalar(db.select(User).where(User.email == "mai.nguyen@example.vn"))
    assert user.role == "citizen" and user.phone == "0912345678"
    assert user.personal_id is None and user.personal_id_claim == "089205001111"  # held once confirmed
    assert user.password_hash != "Hoa sen nở giữa đồng" and user.check_password("Hoa sen nở giữa đồng")
    consent = db.session.scalar(db.select(ConsentRecord).where(ConsentRecord.user_id == user.id))
    assert consent.notice_version == app.config["PRIVACY_NOTICE_VERSION"] and consent.given_at is not None

    refused = client.submit("/account/login", {"email": user.email, "password": "Hoa sen nở giữa đồng"})
    assert "Bạn chưa xác nhận email" in refused.get_data(as_text=True)
    confirmed = client.get(link_in(last_email(user.email)), follow_redirects=True)
    assert "Email đã được xác nhận" in confirmed.get_data(as_text=True)
    assert db.session.get(User, user.id).personal_id == "089205001111"
    assert (
        client.submit("/account/login", {"email": user.email, "password": "Hoa sen nở giữa đồng"}).status_code
        == 302
    )


def test_organisation_needs_its_name_and_tax_code(client):
    page = register(client, account_type="organisation", personal_id="").get_data(as_text=True)
    assert page.count("Tổ chức cần nhập thông tin này.") == 2
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("personal_id", "12345", "phải gồm đúng 12 chữ số"),
        ("personal_id", "", "Công dân cần nhập số định danh cá nhân."),
        ("phone", "12345", "Số điện thoại không hợp lệ"),
        ("email", "khong-phai-email", "Địa chỉ email không hợp lệ."),
        ("password", "ngan", "ít nhất 12 ký tự"),
        ("consent", "", "Bạn cần đồng ý với thông báo xử lý dữ liệu cá nhân"),
    ],
)
def test_invalid_registration_is_explained_and_keeps_what_was_typed(client, field, value, message):
    data = {**REGISTRATION, field: value}
    if field == "consent":
        data.pop("consent")
    page = client.submit("/account/register", data).get_data(as_text=True)
    assert message in page
    assert 'value="Nguyễn Thị Mai"' in page
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 0


def _email_store_down(*_args, **_kwargs):
    raise RuntimeError("the outbox table cannot be written")


def test_a_registration_whose_confirmation_email_fails_leaves_no_account_behind(client, monkeypatch):
    monkeypatch.setattr("service.accounts.emails.queue_email", _email_store_down)
    assert register(client).status_code == 500
    monkeypatch.undo()
    # No half-made account blocks the address: the citizen registers again and gets the email.
    assert "Vui lòng xác nhận email" in register(client).get_data(as_text=True)
    assert "/account/confirm/" in last_email("mai.nguyen@example.vn").body_text


def test_login_is_throttled_after_repeated_failures(app, client):
    citizen = create_citizen()
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        page = client.submit("/account/login", {"email": citizen.email, "password": "sai-mat-khau"}).get_data(
            as_text=True
        )
        assert "Email hoặc mật khẩu không đúng." in page
    throttled = login(client, citizen)
    assert throttled.status_code == 200  # even the right password waits
    minutes = app.config["LOGIN_LOCK_MINUTES"]
    assert f"Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {minutes} phút." in throttled.get_data(
        as_text=True
    )


def test_login_and_logout(client):
    citizen = create_citizen()
    assert login(client, citizen).status_code == 302
    profile = client.get("/account/profile")
    assert profile.status_code == 200 and citizen.email in profile.get_data(as_text=True)
    client.submit("/account/logout")
    after = client.get("/account/profile")
    assert after.status_code == 302 and "/account/login" in after.location


def test_password_reset_link_works_once(client):
    citizen = create_citizen()
    page = client.submit(
        "/account/forgot-password", {"email": citizen.email}, follow_redirects=True
    ).get_data(as_text=True)
    assert "Nếu email đã đăng ký" in page
    link = link_in(last_email(citizen.email))
    client.submit(
        link, {"password": "trăng sáng trên sông Hậu", "password_confirm": "trăng sáng trên sông Hậu"}
    )
    assert login(client, citizen, "trăng sáng trên sông Hậu").status_code == 302
    notice = last_email(citizen.email)  # the owner is told (ASVS 2.2.3), without a link that acts
    assert notice.subject.endswith("Mật khẩu đã được đặt lại") and "/account/reset/" not in notice.body_text
    reused = client.get(link, follow_redirects=True).get_data(as_text=True)
    assert "không hợp lệ, đã được dùng hoặc đã hết hạn" in reused


def test_expired_reset_link_is_refused(client):
    citizen = create_citizen()
    client.submit("/account/forgot-password", {"email": citizen.email})
    begin_write()
    for token in db.session.scalars(db.select(AccountToken)):
        token.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    page = client.get(link_in(last_email(citizen.email)), follow_redirects=True).get_data(as_text=True)
    assert "đã hết hạn" in page


def test_unknown_email_gets_the_same_answer_and_no_mail(client):
    page = client.submit(
        "/account/forgot-password", {"email": "ai@example.vn"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "Nếu email đã đăng ký" in page
    assert db.session.scalar(db.select(db.func.count()).select_from(OutboundEmail)) == 0


def test_a_password_change_without_the_current_password_is_refused(client):
    citizen = create_citizen()
    login(client, citizen)
    new = "Sông Hậu phù sa 2026"
    data = {"current_password": "not-my-password", "password": new, "password_confirm": new}
    page = client.submit("/account/password", data).get_data(as_text=True)
    assert "Mật khẩu hiện tại không đúng." in page
    client.submit("/account/logout")
    assert login(client, citizen, new).status_code != 302  # the old password still stands
    assert login(client, citizen).status_code == 302
    assert not any("Mật khẩu đã được đổi" in m.subject for m in db.session.scalars(db.select(OutboundEmail)))
    data["current_password"] = PASSWORD
    client.submit("/account/password", data)
    assert last_email(citizen.email).subject.endswith("Mật khẩu đã được đổi")


def test_profile_edit(client):
    citizen = create_citizen()
    login(client, citizen)
    client.submit("/account/profile", {"full_name": "Nguyễn Văn Mới", "phone": "0987654321"})
    user = db.session.get(User, citizen.id)
    assert (user.full_name, user.phone) == ("Nguyễn Văn Mới", "0987654321")


def test_there_is_no_way_to_self_register_as_an_official(client):
    register(client, account_type="admin")
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 0


def test_administrator_creates_an_official_who_sets_a_password_by_email(client, other_client):
    admin = create_official("admin")
    login(client, admin)
    data = {
        "full_name": "Lê Văn Tiếp",
        "email": "tiepnhan@so.example.vn",
        "role": "reception",
        "department_id": "0",
    }
    client.submit("/admin/users/new", data)
    official = db.session.scalar(db.select(User).where(User.email == "tiepnhan@so.example.vn"))
    assert official.role == "reception"
    other_client.submit(
        link_in(last_email(official.email)),
        {"password": "mưa rào tháng sáu 2026", "password_confirm": "mưa rào tháng sáu 2026"},
    )
    assert login(other_client, official, "mưa rào tháng sáu 2026").status_code == 302


def test_an_official_whose_welcome_email_fails_is_not_created(client, monkeypatch):
    login(client, create_official("admin"))
    data = {
        "full_name": "Lê Văn Tiếp",
        "email": "tiepnhan@so.example.vn",
        "role": "reception",
        "department_id": "0",
    }
    monkeypatch.setattr("service.accounts.emails.queue_email", _email_store_down)
    assert client.submit("/admin/users/new", data).status_code == 500
    monkeypatch.undo()
    assert client.submit("/admin/users/new", data).status_code == 302
    assert "/account/reset/" in last_email("tiepnhan@so.example.vn").body_text


def test_cli_creates_officials(app):
    result = app.test_cli_runner().invoke(
        args=[
            "users",
            "create",
            "--email",
            "ld@so.example.vn",
            "--role",
            "leader",
            "--name",
            "Võ Lãnh Đạo",
            "--password",
            "song nuoc mien tay 2026",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(db.select(User).where(User.email == "ld@so.example.vn"))
    assert user.role == "leader" and user.check_password("song nuoc mien tay 2026")
    refused = app.test_cli_runner().invoke(args=["users", "create", "--email", "x@y.vn", "--role", "citizen"])
    assert refused.exit_code != 0


@pytest.mark.parametrize("role", ["citizen", "reception", "specialist", "leader", "accountant"])
def test_only_administrators_reach_administration(client, role):
    user = create_citizen() if role == "citizen" else create_official(role)
    login(client, user)
    for url in ("/admin/users", "/admin/users/new", "/admin/outbox", "/admin/catalogue"):
        refused(client.get(url), 403)


def test_administrator_reads_the_development_outbox(client):
    admin = create_official("admin")
    citizen = create_citizen()
    client.submit("/account/forgot-password", {"email": citizen.email})
    login(client, admin)
    page = client.get("/admin/outbox").get_data(as_text=True)
    assert citizen.email in page and "Đặt lại mật khẩu" in page


def test_real_smtp_delivery_when_mail_server_is_configured(app):
    inbox = _Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    saved = {k: app.config[k] for k in ("MAIL_SERVER", "MAIL_PORT")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    try:
        citizen = create_citizen()
        with write():  # delivered by the job engine once this commits
            message = queue_email(
                citizen.email, "reset_password", user=citizen, link="http://x/account/reset/abc", hours=1
            )
        assert inbox.received.wait(5)
        db.session.refresh(message)
    finally:
        controller.stop()
        app.config.update(saved)
    assert message.status == "sent"
    envelope = inbox.messages[0]
    assert envelope.rcpt_tos == [citizen.email]
    received = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert received["Subject"] == "Đặt lại mật khẩu tài khoản dịch vụ công GDNN"
    assert "http://x/account/reset/abc" in received.get_content()
    # the stored copy no longer holds a usable link once it has been delivered
    assert "reset/abc" not in db.session.get(OutboundEmail, message.id).body_text


def test_undeliverable_mail_is_kept_and_retried(app):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=1)  # nothing listens there
    try:
        citizen = create_citizen()
        with write():
            message = queue_email(citizen.email, "reset_password", user=citizen, link="http://x", hours=1)
        db.session.refresh(message)
        assert message.status == "failed" and message.error and message.attempts == 1
        assert message.next_attempt_at is not None  # retried later, with backoff
        assert outbox.run_due() == 0  # not due yet
    finally:
        app.config.update(MAIL_SERVER="", MAIL_PORT=25)
    assert PASSWORD


def _self_signed_certificate(folder) -> tuple[str, str]:
    """A certificate for 127.0.0.1 that no public authority signed, and its key (PEM files)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = utcnow()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "smtp.pem", folder / "smtp.key"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return str(cert_file), str(key_file)


def test_mail_goes_only_to_a_server_whose_certificate_is_trusted(app, tmp_path, monkeypatch):
    """STARTTLS to a server posing with a certificate no trusted authority signed: nothing is sent (the
    reset link inside must not reach whoever is in between); trusted (SSL_CERT_FILE), it is."""
    cert_file, key_file = _self_signed_certificate(tmp_path)
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert_file, key_file)
    inbox, port = _Inbox(), _free_port()
    controller = Controller(
        inbox, hostname="127.0.0.1", port=port, tls_context=server_tls, require_starttls=True
    )
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=True)
    try:
        citizen = create_citizen()
        with write():
            untrusted = queue_email(citizen.email, "reset_password", user=citizen, link="http://x/1", hours=1)
        db.session.refresh(untrusted)
        assert untrusted.status == "failed" and "CERTIFICATE_VERIFY_FAILED" in untrusted.error
        assert inbox.messages == []
        monkeypatch.setenv("SSL_CERT_FILE", cert_file)
        with write():
            trusted = queue_email(citizen.email, "reset_password", user=citizen, link="http://x/2", hours=1)
        assert inbox.received.wait(5)
        db.session.refresh(trusted)
        assert trusted.status == "sent" and len(inbox.messages) == 1
    finally:
        controller.stop()
        app.config.update(MAIL_SERVER="", MAIL_PORT=25, MAIL_USE_TLS=False)
