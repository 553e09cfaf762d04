"""The password policy (ASVS 4.0.3 §2.1), registration that tells nothing about who has an account, an
identity number held by one confirmed account only, and registration throttling."""

from __future__ import annotations

import re
import unicodedata

import flask_migrate
import pytest
from sqlalchemy import text

from config import TestConfig
from service import create_app
from service.accounts import identity, operations, passwords
from service.accounts import models as account_models
from service.accounts.models import User, hash_password
from service.audit.models import AuditEntry
from service.database import write
from service.demo import DEMO_PASSWORD
from service.extensions import db
from service.notifications.models import OutboundEmail
from tests.factories import PASSWORD, create_citizen, last_email, link_in, login
from tests.support.database import scratch_database

PASSPHRASE = "Hoa sen nở giữa đồng"
FORM = {
    "account_type": "citizen",
    "full_name": "Nguyễn Thị Mai",
    "personal_id": "089205001111",
    "email": "mai.nguyen@example.vn",
    "phone": "0912345678",
    "password": PASSPHRASE,
    "password_confirm": PASSPHRASE,
    "consent": "y",
}


def register(client, environ_base: dict | None = None, **changes):
    data = {**FORM, **changes}
    if "password" in changes and "password_confirm" not in changes:
        data["password_confirm"] = changes["password"]
    return client.submit("/account/register", data, environ_base=environ_base or {})


def user_count() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(User))


def audited(event: str) -> list[AuditEntry]:
    return db.session.scalars(db.select(AuditEntry).where(AuditEntry.event == event)).all()


def emails_to(recipient: str) -> list[OutboundEmail]:
    return db.session.scalars(db.select(OutboundEmail).where(OutboundEmail.recipient == recipient)).all()


# The password policy


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("password1234", "Mật khẩu quá phổ biến hoặc đã bị lộ trong các vụ rò rỉ dữ liệu"),
        ("LEAVEMEALONE", "Mật khẩu quá phổ biến hoặc đã bị lộ"),  # the list is compared ignoring case
        ("hoa sen nở", "ít nhất 12 ký tự"),
        ("mai.nguyen@example.vn", "không được tạo từ email, họ tên, số định danh"),
        ("Nguyễn Thị Mai 1990", "không được tạo từ email, họ tên, số định danh"),
        ("089205001111 nhà tôi", "không được tạo từ email, họ tên, số định danh"),
        ("MatKhauMatKhau2026", "Mật khẩu quá dễ đoán"),
        ("Demo@2026-gdnn-angiang", "Mật khẩu quá dễ đoán"),
        ("Mật khẩu của tôi", "Mật khẩu quá dễ đoán"),
        ("zaq12wsxcde3", "Mật khẩu quá dễ đoán"),  # a keyboard walk (zxcvbn's score)
        ("x" * 129, "Mật khẩu tối đa 128 ký tự."),
    ],
)
def test_a_guessable_password_is_refused_at_registration_with_the_reason(client, password, message):
    page = register(client, password=password).get_data(as_text=True)
    assert message in page
    assert 'value="Nguyễn Thị Mai"' in page  # what was typed is kept
    assert user_count() == 0


def test_eleven_characters_are_too_few_even_when_an_input_method_sends_more_code_points(client):
    typed = unicodedata.normalize("NFD", "trời mưa to")  # 11 characters, 14 code points decomposed
    assert len(typed) > 12
    assert "ít nhất 12 ký tự" in register(client, password=typed).get_data(as_text=True)
    assert user_count() == 0


def test_a_twelve_character_passphrase_with_diacritics_and_spaces_is_accepted_as_typed(client):
    typed = unicodedata.normalize("NFD", "trời hôm nay")  # 12 characters once composed
    assert "Vui lòng xác nhận email" in register(client, password=typed).get_data(as_text=True)
    client.get(link_in(last_email("mai.nguyen@example.vn")))
    user = db.session.scalar(db.select(User))
    # Composed or decomposed, it is the same password; its spaces are its own.
    assert login(client, user, "trời hôm nay").status_code == 302
    assert login(client, user, "trời hôm nay ").status_code == 200
    assert login(client, user, "trờihômnay").status_code == 200


def test_a_password_of_spaces_only_is_refused(client):
    assert "Vui lòng nhập thông tin này." in register(client, password=" " * 14).get_data(as_text=True)
    assert passwords.password_problem(" " * 14) == passwords.BLANK
    assert user_count() == 0


def test_the_registration_and_password_forms_show_the_policy(client):
    assert "Ít nhất 12 ký tự" in client.get("/account/register").get_data(as_text=True)
    login(client, create_citizen())
    assert "Ít nhất 12 ký tự" in client.get("/account/password").get_data(as_text=True)


def test_a_new_password_is_judged_against_the_accounts_own_details(client):
    citizen = create_citizen(full_name="Trần Văn Bảo")
    login(client, citizen)
    data = {
        "current_password": PASSWORD,
        "password": "tran van bao 2026",
        "password_confirm": "tran van bao 2026",
    }
    page = client.submit("/account/password", data).get_data(as_text=True)
    assert "không được tạo từ email, họ tên" in page
    common = {"current_password": PASSWORD, "password": "password1234", "password_confirm": "password1234"}
    assert "quá phổ biến" in client.submit("/account/password", common).get_data(as_text=True)
    assert login(client, citizen, PASSWORD).status_code == 302  # unchanged


def test_a_reset_refuses_the_accounts_own_email_and_leaves_the_link_usable(client):
    citizen = create_citizen()
    client.submit("/account/forgot-password", {"email": citizen.email})
    link = link_in(last_email(citizen.email))
    page = client.submit(link, {"password": citizen.email, "password_confirm": citizen.email})
    assert "không được tạo từ email" in page.get_data(as_text=True)
    assert client.submit(link, {"password": PASSPHRASE, "password_confirm": PASSPHRASE}).status_code == 302
    assert login(client, citizen, PASSPHRASE).status_code == 302


def test_an_official_created_from_the_command_line_needs_a_policy_password(app):
    runner = app.test_cli_runner()
    args = ["users", "create", "--email", "ld@so.example.vn", "--role", "leader", "--password"]
    refused = runner.invoke(args=[*args, "Demo@2026"])
    assert refused.exit_code != 0 and "ít nhất 12 ký tự" in refused.output
    refused = runner.invoke(args=[*args, "matkhau-gdnn-2026"])
    assert refused.exit_code != 0 and "quá dễ đoán" in refused.output
    assert user_count() == 0
    assert runner.invoke(args=[*args, PASSPHRASE]).exit_code == 0


def test_production_gives_the_first_administrator_a_link_not_a_chosen_password(app, client, monkeypatch):
    """ASVS 2.3.1: an administrator's chosen password would stay the official's; at the server the
    operator gets a single-use link to hand over instead (mail may not work yet)."""
    runner = app.test_cli_runner()
    monkeypatch.setitem(app.config, "ENV_NAME", "production")
    refused = runner.invoke(
        args=["users", "create", "--email", "qt@so.vn", "--role", "admin", "--password", PASSPHRASE]
    )
    assert refused.exit_code != 0 and "--print-link" in refused.output and user_count() == 0
    made = runner.invoke(args=["users", "create", "--email", "qt@so.vn", "--role", "admin", "--print-link"])
    assert made.exit_code == 0, made.output
    link = re.search(r"https?://\S+/account/reset/\S+", made.output).group(0)
    assert emails_to("qt@so.vn") == []  # shown on the terminal, not mailed
    monkeypatch.setitem(app.config, "ENV_NAME", "test")
    from urllib.parse import urlsplit

    assert (
        client.submit(
            urlsplit(link).path, {"password": PASSPHRASE, "password_confirm": PASSPHRASE}
        ).status_code
        == 302
    )


def test_an_old_password_set_before_the_policy_still_logs_in(client):
    citizen = create_citizen()
    with write():
        db.session.get(User, citizen.id).password_hash = hash_password("MatKhau2026")
    assert login(client, citizen, "MatKhau2026").status_code == 302
    profile = client.get("/account/profile")
    assert profile.status_code == 200 and citizen.email in profile.get_data(as_text=True)


def test_the_demo_and_test_passwords_meet_the_policy():
    assert passwords.password_problem(DEMO_PASSWORD, ["congdan@demo.gdnn.vn", "Nguyễn Văn An"]) is None
    assert passwords.password_problem(PASSWORD, ["congdan1@example.vn", "Nguyễn Văn Thử 1"]) is None
    assert passwords.password_problem("Demo@2026") is not None  # the former demo password


# No account enumeration


def _page(response) -> str:
    return re.sub(r'name="csrf_token" value="[^"]+"', "", response.get_data(as_text=True))


def test_registering_an_email_that_has_an_account_answers_as_a_new_one_and_warns_its_owner(
    client, other_client, monkeypatch
):
    hashed = []
    real = account_models.generate_password_hash
    monkeypatch.setattr(
        account_models, "generate_password_hash", lambda *a, **k: hashed.append(1) or real(*a, **k)
    )
    fresh = register(other_client, email="moi@example.vn", personal_id="089205003333")
    assert hashed == [1]
    owner = create_citizen(email="mai.nguyen@example.vn")
    hashed.clear()
    again = register(client, password="một mật khẩu khác hẳn")

    assert again.status_code == fresh.status_code == 200
    assert _page(again) == _page(fresh).replace("moi@example.vn", "mai.nguyen@example.vn")
    assert hashed == [1]  # a password hashed as for a new account: the answer takes as long
    warning = last_email("mai.nguyen@example.vn")
    assert warning.subject == "Có người vừa đăng ký tài khoản bằng email của bạn"
    assert "/account/login" in warning.body_text and "/account/forgot-password" in warning.body_text
    assert user_count() == 2
    assert login(client, owner, PASSWORD).status_code == 302  # nothing about the account changed
    [entry] = audited("account.register_existing")
    assert entry.object_id == str(owner.id) and entry.actor_label == "mai.nguyen@example.vn"


def test_an_unconfirmed_account_is_not_handed_a_confirmation_link_by_a_second_registration(client):
    create_citizen(email="mai.nguyen@example.vn", confirmed=False)
    before = len(emails_to("mai.nguyen@example.vn"))
    register(client)
    warning = last_email("mai.nguyen@example.vn")
    assert len(emails_to("mai.nguyen@example.vn")) == before + 1
    # Confirming the first registrant's account would let whoever chose its password in.
    assert "/account/confirm/" not in warning.body_text and "chưa được xác nhận" in warning.body_text


@pytest.mark.parametrize("url", ["/account/resend-confirmation", "/account/forgot-password"])
def test_resend_and_forgot_password_answer_alike_for_every_address(client, url):
    create_citizen(email="daxacnhan@example.vn")
    create_citizen(email="chuaxacnhan@example.vn", confirmed=False)
    answers = set()
    for email in ("daxacnhan@example.vn", "chuaxacnhan@example.vn", "khongco@example.vn"):
        response = client.submit(url, {"email": email})
        page = client.get(response.location).get_data(as_text=True)
        answers.add((response.status_code, response.location, re.search(r"Nếu email[^<]*", page).group(0)))
    assert len(answers) == 1


def test_a_confirmation_asked_again_makes_the_owner_set_the_password(client, other_client):
    """Someone registers the victim's address with a password of theirs and leaves it unconfirmed. The
    victim asks for the confirmation again: the link makes them choose the password, so the stranger's
    password never opens the confirmed account."""
    register(client, email="nannhan@example.vn", password="mat-khau-cua-ke-gia-mao-2026")
    client.submit("/account/resend-confirmation", {"email": "nannhan@example.vn"})
    letter = last_email("nannhan@example.vn")
    assert (
        letter.subject == "Kích hoạt tài khoản dịch vụ công GDNN"
        and "/account/confirm/" not in letter.body_text
    )
    link = link_in(letter)
    other_client.submit(
        link, {"password": "con-duong-lang-que-2026", "password_confirm": "con-duong-lang-que-2026"}
    )
    victim = db.session.scalar(db.select(User).where(User.email == "nannhan@example.vn"))
    db.session.refresh(victim)
    assert victim.email_confirmed_at is not None
    assert not victim.check_password("mat-khau-cua-ke-gia-mao-2026")
    assert victim.check_password("con-duong-lang-que-2026")


# The identity number is held by one confirmed account


def test_a_number_held_by_a_confirmed_account_is_not_attached_to_another(client, other_client):
    holder = create_citizen(email="chu@example.vn", personal_id="089205001111")
    page = register(client).get_data(as_text=True)
    assert "Vui lòng xác nhận email" in page and "089205001111" not in page  # nothing told on screen
    client.get(link_in(last_email("mai.nguyen@example.vn")))

    second = db.session.scalar(db.select(User).where(User.email == "mai.nguyen@example.vn"))
    assert second.personal_id is None and second.personal_id_claim == "089205001111"
    assert db.session.get(User, holder.id).personal_id == "089205001111"
    notice = last_email("chu@example.vn")
    assert notice.subject == "Số định danh cá nhân của bạn vừa được khai ở một tài khoản khác"
    assert "mai.nguyen" not in notice.body_text  # the holder is not told who
    [refused] = audited("account.identity_claim_refused")
    assert refused.object_id == str(second.id) and refused.details == {"holder_id": holder.id}

    login(other_client, second, PASSPHRASE)
    profile = other_client.get("/account/profile").get_data(as_text=True)
    assert "Chưa xác minh" in profile and "Bộ phận Một cửa" in profile and "VNeID" in profile


def test_an_unconfirmed_squatter_does_not_keep_the_owner_from_her_number(client):
    squatter = create_citizen(email="keggian@example.vn", personal_id="089205001111", confirmed=False)
    assert squatter.personal_id is None
    register(client)
    client.get(link_in(last_email("mai.nguyen@example.vn")))
    owner = db.session.scalar(db.select(User).where(User.email == "mai.nguyen@example.vn"))
    assert owner.personal_id == "089205001111" and owner.personal_id_claim is None
    assert len(audited("account.identity_attached")) == 1

    operations.mark_email_confirmed(squatter.id)  # the first confirmed keeps it
    assert db.session.get(User, squatter.id).personal_id is None
    assert db.session.get(User, owner.id).personal_id == "089205001111"
    assert last_email("mai.nguyen@example.vn").subject.startswith("Số định danh cá nhân của bạn")


def test_two_confirmations_at_once_leave_the_number_with_one_account(app):
    """PostgreSQL runs them side by side: the unique index decides, and only the loser's savepoint is
    undone (here the loser is made to miss the winner when it looks)."""
    winner = create_citizen(personal_id="089205001111")
    loser = create_citizen(email="sau@example.vn", personal_id="089205002222", confirmed=False)
    with write():
        user = db.session.get(User, loser.id)
        assert identity._attach(user, "089205001111") is False
        assert user.personal_id is None and user.personal_id_claim == "089205002222"
    assert db.session.get(User, winner.id).personal_id == "089205001111"


# Registration throttling


def test_two_registrations_of_one_new_email_at_once_make_one_account_and_no_error(app):
    """On PostgreSQL both may read "no account" before either writes: the loser is answered as a
    registration of an existing email, never with an error page."""
    from tests.support.threads import run_together

    def register_once(n):
        with app.test_request_context(environ_base={"REMOTE_ADDR": f"203.0.113.{n + 1}"}):
            operations.register({**FORM, "email": "cung.luc@example.vn"}, f"203.0.113.{n + 1}")
            return "ok"

    assert run_together(app, 2, register_once) == ["ok", "ok"]
    assert user_count() == 1
    assert len(emails_to("cung.luc@example.vn")) == 2  # the confirmation, and the warning of a second try


def test_registrations_from_one_address_are_throttled(app, client):
    app.config["REGISTER_RATE_LIMIT"] = "2 per hour"
    try:
        for n in range(2):
            register(client, email=f"nguoi{n}@example.vn", personal_id=f"08920500{n:04d}")
        refused = register(client, email="nguoi9@example.vn")
        assert refused.status_code == 429
        assert "Có quá nhiều lượt đăng ký tài khoản" in refused.get_data(as_text=True)
        assert int(refused.headers["Retry-After"]) > 0
        assert user_count() == 2
        other = register(client, email="nguoi9@example.vn", environ_base={"REMOTE_ADDR": "198.51.100.7"})
        assert other.status_code == 200 and user_count() == 3  # another address is not held up
    finally:
        app.config["REGISTER_RATE_LIMIT"] = TestConfig.REGISTER_RATE_LIMIT


def test_registrations_of_one_email_are_throttled_from_any_address(app, client):
    limit = int(app.config["REGISTER_EMAIL_RATE_LIMIT"].split()[0])
    for n in range(limit):
        assert register(client, environ_base={"REMOTE_ADDR": f"198.51.100.{n + 1}"}).status_code == 200
    refused = register(client, environ_base={"REMOTE_ADDR": "203.0.113.50"})
    assert refused.status_code == 429
    assert len(emails_to("mai.nguyen@example.vn")) == limit  # the mailbox gets no more


def test_a_mistyped_registration_form_does_not_count(app, client):
    for _ in range(int(app.config["REGISTER_RATE_LIMIT"].split()[0]) + 1):
        register(client, password="ngan")
    assert register(client).status_code == 200 and user_count() == 1


# The migration


def test_the_migration_turns_numbers_held_by_unconfirmed_accounts_into_claims(tmp_path):
    url, drop = scratch_database(tmp_path)
    old = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url, UPLOAD_FOLDER=str(tmp_path / "uploads"))
    insert = (
        "INSERT INTO users (id, email, password_hash, role, full_name, personal_id, is_active_account, "
        "created_at, session_version, email_confirmed_at) VALUES "
        "(1, 'a@example.vn', 'x', 'citizen', 'A', '089205001111', true, CURRENT_TIMESTAMP, 0, CURRENT_TIMESTAMP),"
        "(2, 'b@example.vn', 'x', 'citizen', 'B', '089205002222', true, CURRENT_TIMESTAMP, 0, NULL)"
    )
    try:
        with old.app_context():
            flask_migrate.upgrade(revision="0018")
            db.session.execute(text(insert))
            db.session.commit()
            flask_migrate.upgrade()
            rows = db.session.execute(
                text("SELECT id, personal_id, personal_id_claim FROM users ORDER BY id")
            )
            assert rows.all() == [(1, "089205001111", None), (2, None, "089205002222")]
            db.session.remove()
            db.engine.dispose()
    finally:
        drop()
