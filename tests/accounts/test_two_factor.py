"""Officials sign in with a second factor (TOTP): enrolment at the first login before any other page, a
code at every login that is refused when wrong, replayed or guessed too often, single-use recovery
codes, an administrator's reset that ends the account's sessions, a secret kept encrypted, and the
demo's published secret refused in production. Citizens are not asked."""

from __future__ import annotations

import html
import re

import pyotp
import pytest

from config import DEMO_SETTINGS, DEMO_TOTP_SECRET
from service.accounts import totp, twofactor
from service.accounts.models import RecoveryCode, SecondFactor, User
from service.audit.models import AuditEntry
from service.extensions import db
from service.safety import problems
from tests.factories import (
    PASSWORD,
    create_citizen,
    create_official,
    create_school,
    create_school_user,
    fresh_code,
    last_email,
    login,
)

WORKLIST = "/officials/dossiers"
SECOND_STEP, ENROL = "/account/two-factor", "/account/two-factor/enrol"


def password_step(client, user: User, **kwargs):
    return client.submit("/account/login", {"email": user.email, "password": PASSWORD}, **kwargs)


def give(client, code: str, url: str = SECOND_STEP):
    return client.submit(url, {"code": code})


def wrong_code(user: User) -> str:
    """Six digits that are none of the codes the app shows around now."""
    secret = totp.decrypt(db.session.get(SecondFactor, user.id).secret_encrypted)
    valid = {totp.code_at(secret, totp.current_step() + offset) for offset in (-1, 0, 1)}
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in valid)


def logged(event: str) -> list[AuditEntry]:
    db.session.rollback()
    return db.session.scalars(
        db.select(AuditEntry).where(AuditEntry.event == event).order_by(AuditEntry.id)
    ).all()


def signed_in(client) -> bool:
    return client.get("/account/profile").status_code == 200


def enrol_through_the_page(client) -> tuple[str, str]:
    """Read the manual-entry key off the enrolment page and confirm it with the app's code."""
    page = client.get(ENROL).get_data(as_text=True)
    shown = re.search(r'data-testid="manual-secret">([A-Z2-7 ]+)<', page).group(1)
    secret = shown.replace(" ", "")
    return secret, give(client, pyotp.TOTP(secret).now(), ENROL).get_data(as_text=True)


# ---------------------------------------------------------------- enrolment


def test_an_official_without_a_factor_enrols_before_reaching_any_page(client):
    official = create_official("reception", enrolled=False)
    assert password_step(client, official).location.endswith(SECOND_STEP)
    assert "_user_id" not in client.session_data()  # the password alone is not a login
    assert client.get(SECOND_STEP).location.endswith(ENROL)
    for page in (WORKLIST, "/account/profile"):
        refused = client.get(page)
        assert refused.status_code == 302 and refused.location.endswith(SECOND_STEP)
    assert client.get("/admin/users").location.endswith(SECOND_STEP)

    secret, codes_page = enrol_through_the_page(client)
    codes = re.findall(r"<li>((?:[a-z2-7]{4}-){5}[a-z2-7]{4})</li>", codes_page)
    assert len(set(codes)) == 10 and "chỉ hiện một lần" in codes_page and "nơi an toàn" in codes_page
    assert client.get(WORKLIST).status_code == 200
    factor = db.session.get(SecondFactor, official.id)
    assert factor.confirmed_at is not None and secret not in factor.secret_encrypted
    stored = db.session.scalars(
        db.select(RecoveryCode.code_hash).where(RecoveryCode.user_id == official.id)
    ).all()
    assert len(stored) == 10 and not set(codes) & set(stored)
    assert [e.actor_id for e in logged("account.second_factor_enrolled")] == [official.id]
    assert logged("login.success")[0].details == {"second_factor": "enrolled"}
    # Never shown again: the enrolment page is gone with the half-login, the profile shows no key.
    assert client.get(ENROL).location.endswith("/dashboard")
    assert secret[:8] not in client.get("/account/profile").get_data(as_text=True)


def test_the_enrolment_page_draws_its_qr_code_itself_and_names_the_issuer(app, client):
    official = create_official("specialist", enrolled=False)
    password_step(client, official)
    page = client.get(ENROL).get_data(as_text=True)
    assert re.search(r'<svg viewBox="[\d ]+" class="qr">', page) and "<img" not in page
    assert not re.search(r'(?:src|href|action)="(?:https?:)?//', page)  # nothing fetched from elsewhere
    assert app.config["TWO_FACTOR_ISSUER"] in html.unescape(page) and official.email in page
    secret = re.search(r'data-testid="manual-secret">([A-Z2-7 ]+)<', page).group(1)
    assert re.fullmatch(r"([A-Z2-7]{4} ){7}[A-Z2-7]{4}", secret)
    uri = totp.provisioning_uri(secret.replace(" ", ""), official.email)
    assert pyotp.parse_uri(uri).issuer == "Dịch vụ công GDNN An Giang"
    assert client.get(ENROL).get_data(as_text=True).count(secret) == 1  # the same key on a reload


def test_a_wrong_code_does_not_confirm_the_enrolment(client):
    official = create_official("leader", enrolled=False)
    password_step(client, official)
    client.get(ENROL)
    refused = give(client, wrong_code(official), ENROL)
    assert refused.status_code == 400 and "Mã xác thực không đúng" in refused.get_data(as_text=True)
    assert not twofactor.has_factor(official.id) and not signed_in(client)
    assert len(logged("login.second_factor_failure")) == 1


# ---------------------------------------------------------------- every login


def test_citizens_are_not_asked_for_a_second_factor(client):
    citizen = create_citizen()
    response = password_step(client, citizen)
    assert response.status_code == 302 and not response.location.endswith(SECOND_STEP)
    assert signed_in(client)


def test_an_official_gives_the_code_after_the_password_and_goes_where_he_was_going(client):
    official = create_official("reception")
    client.submit("/account/login?next=/officials/dossiers", {"email": official.email, "password": PASSWORD})
    assert logged("login.success") == []  # not yet
    assert "Xác thực hai bước" in client.get(SECOND_STEP).get_data(as_text=True)
    done = give(client, fresh_code(official))
    assert done.status_code == 302 and done.location.endswith(WORKLIST)
    assert client.get(WORKLIST).status_code == 200
    assert logged("login.success")[0].details == {"second_factor": "totp"}


def test_a_wrong_code_is_refused_and_audited(client):
    official = create_official("specialist")
    password_step(client, official)
    client.environ_base["REMOTE_ADDR"] = "203.0.113.5"
    refused = give(client, wrong_code(official))
    assert refused.status_code == 400 and "Mã xác thực không đúng" in refused.get_data(as_text=True)
    assert not signed_in(client)
    [failure] = logged("login.second_factor_failure")
    assert (failure.object_id, failure.actor_label, failure.address) == (
        str(official.id),
        official.email,
        "203.0.113.5",
    )


def test_a_code_is_not_accepted_twice(client, other_client):
    official = create_official("accountant")
    code = fresh_code(official)
    password_step(client, official)
    assert give(client, code).status_code == 302
    password_step(other_client, official)  # someone who saw the code typed, within the same half minute
    replayed = give(other_client, code)
    assert replayed.status_code == 400 and "Mã này vừa được dùng" in replayed.get_data(as_text=True)
    assert not signed_in(other_client)
    warned = last_email(official.email)  # the owner hears of it (ASVS 2.8.5)
    assert warned.subject.endswith("Một mã xác thực đã dùng vừa được nhập lại")


def test_guessing_codes_is_slowed_per_account_whatever_the_address(app, client, other_client):
    official = create_official("admin")
    for n in range(app.config["LOGIN_MAX_FAILURES"]):
        address = {"REMOTE_ADDR": f"203.0.113.{n + 1}"}
        password_step(other_client, official, environ_base=address)
        assert give(other_client, wrong_code(official)).status_code == 400
    password_step(client, official)
    throttled = give(client, fresh_code(official))  # even the right code waits now
    assert throttled.status_code == 429 and "quá nhiều lần" in throttled.get_data(as_text=True)
    assert not signed_in(client)


def test_a_recovery_code_works_once(client, other_client):
    official = create_official("leader")
    codes = twofactor.enrol(official.id, pyotp.random_base32())
    password_step(client, official)
    done = give(client, codes[0].upper().replace("-", " "))  # as typed from paper
    assert "còn 9 mã chưa dùng" in client.get(done.location, follow_redirects=True).get_data(as_text=True)
    assert signed_in(client)
    assert logged("login.recovery_code_used")[0].details == {"remaining": 9}
    password_step(other_client, official)
    refused = give(other_client, codes[0])
    assert refused.status_code == 400 and not signed_in(other_client)


def test_the_half_login_expires(app, client):
    official = create_official("reception")
    password_step(client, official)
    with client.session_transaction() as session:
        pending = session["pending_login"]
        pending["since"] -= app.config["TWO_FACTOR_PENDING_MINUTES"] * 60 + 1
        session["pending_login"] = pending
    expired = give(client, fresh_code(official))
    assert expired.status_code == 302 and expired.location.endswith("/account/login")
    assert "hết hạn" in client.get(expired.location).get_data(as_text=True)
    assert not signed_in(client)


def test_each_step_of_the_login_starts_a_fresh_session(client):
    official = create_official("reception")
    with client.session_transaction() as session:  # set by someone else before the official signs in
        session["planted"] = "x"
    password_step(client, official)
    assert "planted" not in client.session_data()
    half = client.session_data()["pending_login"]
    give(client, fresh_code(official))
    assert "pending_login" not in client.session_data() and half["user"] == official.id
    assert client.session_data()["second_factor"] is True


def test_an_officials_session_without_the_second_factor_is_refused(client):
    official = create_official("reception")
    login(client, official)
    with client.session_transaction() as session:  # a login that skipped the second step
        del session["second_factor"]
    assert not signed_in(client)


def test_cancelling_forgets_the_half_login(client):
    official = create_official("reception")
    password_step(client, official)
    assert client.submit("/account/two-factor/cancel").location.endswith("/account/login")
    assert give(client, fresh_code(official)).location.endswith("/account/login")


def test_logging_out_is_audited(client):
    official = create_official("specialist")
    login(client, official)
    client.submit("/account/logout")
    assert [e.actor_id for e in logged("login.logout")] == [official.id]


# ---------------------------------------------------------------- profile: recovery codes


def test_an_official_makes_new_recovery_codes_with_a_current_code(client, other_client):
    official = create_official("specialist")
    old = twofactor.enrol(official.id, pyotp.random_base32())
    login(client, official)
    profile = client.get("/account/profile").get_data(as_text=True)
    assert "Xác thực hai bước" in profile and "Còn <strong>10</strong> mã khôi phục" in profile
    refused = client.submit("/account/two-factor/recovery-codes", {"code": wrong_code(official)})
    assert refused.status_code == 400
    page = client.submit("/account/two-factor/recovery-codes", {"code": fresh_code(official)}).get_data(
        as_text=True
    )
    new = re.findall(r"<li>([a-z2-7-]{29})</li>", page)
    assert len(new) == 10 and not set(new) & set(old)
    assert [e.actor_id for e in logged("account.recovery_codes_regenerated")] == [official.id]
    password_step(other_client, official)
    assert give(other_client, old[1]).status_code == 400  # the old ones are gone
    assert give(other_client, new[1]).status_code == 302


def test_citizens_have_no_recovery_codes_page(client):
    login(client, create_citizen())
    assert client.get("/account/two-factor/recovery-codes").status_code == 403
    assert "Xác thực hai bước" not in client.get("/account/profile").get_data(as_text=True)


# ---------------------------------------------------------------- an administrator's reset


def reset(client, user: User, **data):
    return client.submit(f"/admin/users/{user.id}/second-factor/reset", data)


def test_an_administrator_resets_a_factor_ending_the_sessions_and_forcing_enrolment(client, other_client):
    admin, official = create_official("admin"), create_official("reception")
    login(other_client, official)
    login(client, admin)
    assert "Đang bật từ" in client.get(f"/admin/users/{official.id}/edit").get_data(as_text=True)
    unconfirmed = reset(client, official)
    assert unconfirmed.status_code == 400 and "Vui lòng đánh dấu xác nhận" in unconfirmed.get_data(
        as_text=True
    )
    assert twofactor.has_factor(official.id) and signed_in(other_client)

    assert reset(client, official, confirm="y").status_code == 302
    assert not signed_in(other_client)  # its sessions ended
    assert db.session.scalar(db.select(db.func.count()).select_from(RecoveryCode)) == 10  # the admin's own
    [entry] = logged("account.second_factor_reset")
    assert (entry.actor_id, entry.object_id) == (admin.id, str(official.id))
    assert last_email(official.email).subject.endswith("Bước xác thực thứ hai đã được đặt lại")
    assert "chưa bật xác thực hai bước" in client.get("/admin/users").get_data(as_text=True)
    assert password_step(other_client, official).location.endswith(SECOND_STEP)
    assert other_client.get(SECOND_STEP).location.endswith(ENROL)


@pytest.mark.parametrize("role", ["leader", "school_admin", "citizen"])
def test_nobody_but_an_administrator_resets_a_factor(client, role):
    official = create_official("specialist")
    user = (
        create_citizen()
        if role == "citizen"
        else (create_school_user(create_school(), role) if role == "school_admin" else create_official(role))
    )
    login(client, user)
    assert reset(client, official, confirm="y").status_code == 403
    assert twofactor.has_factor(official.id)


def test_an_administrator_resets_his_own_factor_only_with_a_current_code(client):
    admin = create_official("admin")
    login(client, admin)
    page = client.get(f"/admin/users/{admin.id}/edit").get_data(as_text=True)
    assert "Mã xác thực hiện tại của bạn" in page
    without = reset(client, admin, confirm="y")
    assert without.status_code == 400 and "của chính mình" in without.get_data(as_text=True)
    assert reset(client, admin, confirm="y", code=wrong_code(admin)).status_code == 400
    assert twofactor.has_factor(admin.id) and logged("account.second_factor_reset") == []
    done = reset(client, admin, confirm="y", code=fresh_code(admin))
    assert done.status_code == 302 and done.location.endswith("/account/login")
    assert not twofactor.has_factor(admin.id) and not signed_in(client)


# ---------------------------------------------------------------- the secret at rest


def test_the_secret_is_kept_encrypted_with_a_key_from_secret_key(app, client, monkeypatch):
    official = create_official("reception")
    secret = totp.decrypt(db.session.get(SecondFactor, official.id).secret_encrypted)
    old_key = app.config["SECRET_KEY"]
    monkeypatch.setitem(app.config, "SECRET_KEY", "a-new-secret-key-after-a-rotation-0123456789")
    password_step(client, official)
    unreadable = give(client, totp.code_at(secret, totp.current_step()))
    assert unreadable.status_code == 400 and "Không đọc được khóa xác thực" in unreadable.get_data(
        as_text=True
    )

    monkeypatch.setitem(app.config, "SECRET_KEY_FALLBACKS", [old_key])
    assert give(client, totp.code_at(secret, totp.current_step() + 1)).status_code == 302
    monkeypatch.setitem(app.config, "SECRET_KEY_FALLBACKS", [])  # written again under the new key
    assert totp.decrypt(db.session.get(SecondFactor, official.id).secret_encrypted) == secret


# ---------------------------------------------------------------- the demo's published secret


def test_production_refuses_the_demos_published_secret(app, client, monkeypatch):
    official = create_official("reception", enrolled=False)
    twofactor.enrol(official.id, DEMO_TOTP_SECRET)  # a demo database carried into production
    monkeypatch.setitem(app.config, "ENV_NAME", "production")
    password_step(client, official)
    page = client.get(SECOND_STEP).get_data(as_text=True)
    assert DEMO_TOTP_SECRET[:8] not in page  # no demo hint outside development
    refused = give(client, pyotp.TOTP(DEMO_TOTP_SECRET).now())
    assert refused.status_code == 400 and "khóa xác thực mẫu của bản demo" in refused.get_data(as_text=True)
    with pytest.raises(twofactor.TwoFactorError):
        twofactor.enrol(official.id, DEMO_TOTP_SECRET)


@pytest.mark.parametrize("environment", ["production", "test"])
def test_the_demo_data_is_seeded_in_development_only(app, monkeypatch, environment):
    monkeypatch.setitem(app.config, "ENV_NAME", environment)
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 1 and "chỉ dành cho development" in result.output
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 0


def test_a_demo_official_signs_in_with_the_code_shown_in_development(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "ENV_NAME", "development")
    official = create_official("reception", enrolled=False)
    twofactor.enrol(official.id, DEMO_TOTP_SECRET)
    password_step(client, official)
    page = client.get(SECOND_STEP).get_data(as_text=True)
    assert "Chỉ có trong bản demo" in page and totp.grouped(DEMO_TOTP_SECRET) in page
    code = re.search(r'data-testid="demo-code">(\d{6})<', page).group(1)
    assert give(client, code).status_code == 302 and signed_in(client)
    client.submit("/account/logout")
    password_step(client, official)  # at once again: the hint offers a code not used yet
    code = re.search(
        r'data-testid="demo-code">(\d{6})<', client.get(SECOND_STEP).get_data(as_text=True)
    ).group(1)
    assert give(client, code).status_code == 302


def test_production_refuses_a_weak_or_published_replaced_key():
    good = {
        "SECRET_KEY": "k" + "".join(chr(65 + n) for n in range(26)) + "abcdefghij0123",
        "ISSUER_TAX_CODE": "0312345678",
    }
    assert not problems(good) and not problems({**good, "SECRET_KEY_FALLBACKS": [good["SECRET_KEY"][::-1]]})
    for replaced in (DEMO_SETTINGS["SECRET_KEY"], "ngan"):
        found = problems({**good, "SECRET_KEY_FALLBACKS": [replaced]})
        assert [p.setting for p in found] == ["SECRET_KEY_FALLBACKS"]


def test_the_last_administrator_is_reset_on_the_server(app, client):
    admin = create_official("admin")
    login(client, admin)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "reset-second-factor", "--email", admin.email])
    assert result.exit_code == 0 and not twofactor.has_factor(admin.id) and not signed_in(client)
    [entry] = logged("account.second_factor_reset")
    assert (entry.actor_id, entry.actor_label) == (None, "flask users reset-second-factor")
    unknown = runner.invoke(args=["users", "reset-second-factor", "--email", "khong-co@example.vn"])
    assert unknown.exit_code == 1 and "Không tìm thấy tài khoản cán bộ" in unknown.output
