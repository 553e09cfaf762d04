"""Production is the default and refuses to start unsafe; a gateway without its settings does not exist;
`flask doctor` says what is configured, missing and unsafe.

The starts are made as an operator makes them: a new process importing `wsgi` (what gunicorn does) or
running `flask --app wsgi doctor`, in an environment holding only what the test gives it. They run side
by side, once for the module, so the whole costs about one start.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from config import DEMO_SETTINGS, TEST_SECRET_KEY, Config, DevelopmentConfig, config_for
from service.accounts.models import User
from service.extensions import db
from service.payments import settlement
from service.payments.adapters import offered
from service.payments.gateways import momo, vnpay
from service.payments.models import PaymentOrder
from service.safety import PROTECTED_SETTINGS, doctor_requested, problems
from tests.factories import create_payment_order, create_school

ROOT = Path(__file__).resolve().parents[2]
FLASK = str(Path(sys.executable).parent / "flask")
GOOD = {"SECRET_KEY": secrets.token_urlsafe(48), "ISSUER_TAX_CODE": "0312345678"}
REAL_VNPAY = {
    "VNPAY_TMN_CODE": "AGGDNN01",
    "VNPAY_PAYMENT_URL": "https://pay.vnpay.vn/vpcpay.html",
    "VNPAY_API_URL": "https://merchant.vnpay.vn/merchant_webapi/api/transaction",
}
SHOW_STARTED = (
    "import gc, json; from wsgi import app; from service.payments.adapters import ADAPTERS\n"
    # What the start loaded is frozen: the collector's full passes look at what requests add only.
    "frozen = gc.get_freeze_count() > 100_000 and len(gc.get_objects()) < gc.get_freeze_count() // 10\n"
    "with app.app_context(): on = sorted(n for n, a in ADAPTERS.items() if a.enabled())\n"
    "simulators = any('/simulators' in r.rule for r in app.url_map.iter_rules())\n"
    "print(json.dumps({'env': app.config['ENV_NAME'], 'on': on, 'simulators': simulators, 'frozen': frozen}))"
)


def operator_shell(folder: Path, **settings: str) -> dict[str, str]:
    """An operator's environment: no APP_ENV and nothing of this test run's own settings."""
    return {
        "PATH": os.environ["PATH"],
        "HOME": str(folder),
        "LANG": "C.UTF-8",
        "INSTANCE_PATH": str(folder / "instance"),
        "UPLOAD_FOLDER": str(folder / "uploads"),
        "DATABASE_URL": f"sqlite:///{folder / 'gdnn.sqlite3'}",
        "JOBS_URL": f"sqlite:///{folder / 'jobs.sqlite3'}",
        **settings,
    }


@pytest.fixture(scope="module")
def starts(app, tmp_path_factory) -> dict[str, tuple[int, str]]:
    """Every start of this module at once: name -> (exit status, everything it printed)."""
    folder = tmp_path_factory.mktemp("operator")
    migrated = {
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "APP_BASE_URL": "https://dvc.example.vn",
    }
    start, doctor = [sys.executable, "-c", "from wsgi import app"], [FLASK, "--app", "wsgi", "doctor"]
    runs = {
        "bare": (start, {}),
        "published_key": (start, {**GOOD, "SECRET_KEY": DEMO_SETTINGS["SECRET_KEY"]}),
        "short_key_demo_secret_simulators": (
            start,
            {
                **GOOD,
                **REAL_VNPAY,
                "SECRET_KEY": "x7Kp2",
                "PAYMENT_SIMULATORS": "1",
                "VNPAY_HASH_SECRET": DEMO_SETTINGS["VNPAY_HASH_SECRET"],
            },
        ),
        "good": ([sys.executable, "-c", SHOW_STARTED], GOOD),
        "debug": (start, {**GOOD, "FLASK_DEBUG": "1"}),
        "receipt_stand_ins": (
            start,
            {
                **GOOD,
                "SIGNING_DEV_CERTIFICATE": "1",
                "TAX_AUTHORITY_URL": "simulator",
                "RECEIPT_SERIES_LETTERS": "AF",
            },
        ),
        "doctor_refused": (doctor, {**GOOD, **migrated, "SECRET_KEY": TEST_SECRET_KEY}),
        "doctor_good": (doctor, {**GOOD, **migrated, "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/2"}),
        "doctor_memory_limits": (doctor, {**GOOD, **migrated}),
    }
    processes = {
        name: subprocess.Popen(
            command,
            cwd=ROOT,
            env=operator_shell(folder, **settings),
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for name, (command, settings) in runs.items()
    }
    return {name: (p.wait(120), p.stdout.read()) for name, p in processes.items()}


def test_a_plain_start_is_production_and_refuses_without_a_secret_key(starts):
    status, output = starts["bare"]
    assert status != 0
    assert "từ chối khởi động" in output or "không khởi động" in output
    assert "SECRET_KEY: chưa được đặt (is not set)" in output
    assert "ISSUER_TAX_CODE: chưa được đặt" in output
    assert "flask --app wsgi doctor" in output


def test_production_refuses_the_published_development_key(starts):
    status, output = starts["published_key"]
    assert status != 0
    assert "SECRET_KEY: là giá trị mẫu công bố trong mã nguồn" in output


def test_production_names_every_reason_at_once(starts):
    status, output = starts["short_key_demo_secret_simulators"]
    assert status != 0
    assert "SECRET_KEY: quá ngắn: 5 byte, cần ít nhất 32" in output
    assert "VNPAY_HASH_SECRET" in output and "giá trị mẫu" in output
    assert "PAYMENT_SIMULATORS: đang bật" in output


def test_production_refuses_debug_mode(starts):
    status, output = starts["debug"]
    assert status != 0
    assert "FLASK_DEBUG: chế độ gỡ lỗi đang bật" in output


def test_production_refuses_the_development_certificate_the_simulated_tax_authority_and_bad_symbols(starts):
    status, output = starts["receipt_stand_ins"]
    assert status != 0
    assert "SIGNING_DEV_CERTIFICATE: đang bật" in output
    assert "TAX_AUTHORITY_SIMULATOR, TAX_AUTHORITY_URL: đang bật" in output
    assert "Hai chữ cái của ký hiệu biên lai 'AF'" in output


def test_a_good_production_environment_starts_with_no_gateway_and_no_simulator(starts):
    status, output = starts["good"]
    assert status == 0, output
    assert json.loads(output.strip().splitlines()[-1]) == {
        "env": "production",
        "on": ["manual"],
        "simulators": False,
        "frozen": True,
    }


def test_doctor_explains_a_refused_configuration_and_exits_non_zero(starts):
    status, output = starts["doctor_refused"]
    assert status == 1, output
    unsafe, _, rest = output.partition("Chưa cấu hình, đang tắt (missing, off):")
    assert unsafe.startswith("Chưa an toàn (unsafe):")
    assert "SECRET_KEY: là giá trị mẫu" in unsafe
    assert "MAIL_SERVER" in rest and "Đã cấu hình (configured):" in rest
    assert "điều chưa an toàn" in output.splitlines()[-1]


def test_doctor_passes_a_good_configuration_and_lists_what_is_off(starts):
    status, output = starts["doctor_good"]
    assert status == 0, output
    assert "Chưa an toàn" not in output
    missing, _, configured = output.partition("Đã cấu hình (configured):")
    for gateway in ("VNPAY: tắt", "Ví MoMo: tắt", "Chuyển khoản VietQR: tắt"):
        assert gateway in missing
    assert "MAIL_SERVER: thư chỉ nằm trong hộp thư phát triển" in missing
    assert "DOCUMENT_COMPETENCE_BASIS: quyết định cấp giấy thiếu căn cứ thẩm quyền" in missing
    # Without a signing certificate production starts (the one-stop service goes on) but issues no receipt.
    assert "SIGNING_CERT: văn bản không được ký số, và BIÊN LAI KHÔNG ĐƯỢC PHÁT HÀNH" in missing
    assert "TAX_AUTHORITY_URL: thiếu TAX_AUTHORITY_URL" in missing
    for setting in (
        "APP_ENV: production",
        "SECRET_KEY: đủ mạnh",
        "lược đồ mới nhất",
        "SESSION_COOKIE_SECURE",
        "PROXY_COUNT: 0",
        "UPLOAD_FOLDER",
        "JOBS_URL",
        "PAYMENT_SIMULATORS: tắt",
        "RATELIMIT_STORAGE_URI: redis://127.0.0.1:6379/2",
    ):
        assert setting in configured
    assert output.splitlines()[-1] == "Không có điều gì chưa an toàn (nothing unsafe)."


def test_doctor_calls_per_process_rate_limits_unsafe_in_production(starts):
    """Each gunicorn worker counting login attempts on its own multiplies the limits an attacker gets."""
    status, output = starts["doctor_memory_limits"]
    assert status == 1, output
    unsafe = output.partition("Chưa cấu hình, đang tắt (missing, off):")[0]
    assert "RATELIMIT_STORAGE_URI: memory://" in unsafe


# ---------------------------------------------------------------- the rules, in process


def test_without_app_env_the_settings_are_productions_with_no_demo_value(monkeypatch):
    monkeypatch.delenv("APP_ENV", raising=False)
    assert config_for() is Config
    for name, value in DEMO_SETTINGS.items():
        assert getattr(Config, name) != value, name
    assert DevelopmentConfig.VNPAY_HASH_SECRET == DEMO_SETTINGS["VNPAY_HASH_SECRET"]  # the demo keeps them
    assert Config.PASSWORD_HASH_METHOD == DevelopmentConfig.PASSWORD_HASH_METHOD == "scrypt"  # full cost


@pytest.mark.parametrize("name", PROTECTED_SETTINGS)
def test_every_published_value_is_refused(name):
    for published in {DEMO_SETTINGS.get(name), TEST_SECRET_KEY} - {None}:
        found = problems({**GOOD, name: published})
        assert any(name in problem.setting for problem in found), (name, published)


def test_a_key_of_few_distinct_characters_is_refused():
    (problem,) = [p for p in problems({**GOOD, "SECRET_KEY": "ab12" * 10}) if p.setting == "SECRET_KEY"]
    assert "quá dễ đoán: chỉ 4 ký tự khác nhau" in problem.reason
    assert not problems(GOOD)


def test_a_half_configured_gateway_is_refused_and_an_unconfigured_one_is_simply_off():
    (problem,) = problems({**GOOD, "MOMO_SECRET_KEY": secrets.token_hex(16)})
    assert problem.setting == "MOMO" and "MOMO_PARTNER_CODE, MOMO_ACCESS_KEY, MOMO_ENDPOINT" in problem.reason
    (account,) = problems(
        {
            **GOOD,
            "VIETQR_BANK_BIN": "970436",
            "VIETQR_ACCOUNT_NO": "1234567890",
            "VIETQR_ACCOUNT_NAME": "SO GDDT",
        }
    )
    assert "BANKFEED_API_KEY" in account.reason  # transfers to it would never be confirmed
    assert not problems({**GOOD, **REAL_VNPAY, "VNPAY_HASH_SECRET": secrets.token_hex(16)})


def test_only_the_doctor_and_the_schema_commands_are_let_through_a_refusal():
    assert doctor_requested(["/srv/gdnn/.venv/bin/flask", "--app", "wsgi", "doctor"])
    assert doctor_requested(["/srv/gdnn/.venv/bin/flask", "--app", "wsgi", "db", "upgrade"])
    assert not doctor_requested(["/srv/gdnn/.venv/bin/flask", "--app", "wsgi", "jobs", "worker"])
    assert not doctor_requested(["/srv/gdnn/.venv/bin/flask", "--app", "wsgi", "seed-demo"])
    assert doctor_requested(["/usr/lib/python3/site-packages/flask/__main__.py", "-A", "wsgi", "doctor"])
    assert not doctor_requested(["/srv/gdnn/.venv/bin/flask", "--app", "wsgi", "run"])
    assert not doctor_requested(["/srv/gdnn/.venv/bin/flask", "--app", "doctor", "jobs", "worker"])
    assert not doctor_requested(["/srv/gdnn/.venv/bin/gunicorn", "wsgi:app", "doctor"])


def test_production_refuses_the_demo_data_and_its_published_password(app, monkeypatch):
    monkeypatch.setitem(app.config, "ENV_NAME", "production")
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 1 and "Dữ liệu mẫu chỉ dành cho development" in result.output
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 0


# ---------------------------------------------------------------- gateways off


PRODUCTION_GATEWAYS = {
    "PAYMENT_SIMULATORS": False,
    "VNPAY_TMN_CODE": "",
    "VNPAY_HASH_SECRET": "",
    "MOMO_PARTNER_CODE": "",
    "MOMO_ACCESS_KEY": "",
    "MOMO_SECRET_KEY": "",
    "BANKFEED_API_KEY": "",
    "VIETQR_BANK_BIN": "",
    "VIETQR_ACCOUNT_NO": "",
    "VIETQR_ACCOUNT_NAME": "",
    "PAYGOV_PARTNER_CODE": "",
    "PAYGOV_ACCESS_TOKEN": "",
    "PAYGOV_SECRET": "",
}


def test_unconfigured_gateways_are_not_offered_and_forged_notifications_find_nothing(
    app, client, monkeypatch
):
    order = create_payment_order(500_000)
    vnpay_attempt = settlement.start_attempt(order.id, "vnpay")
    qr_attempt = settlement.start_attempt(order.id, "vietqr")
    for name, value in PRODUCTION_GATEWAYS.items():
        monkeypatch.setitem(app.config, name, value)

    page = client.get(f"/payments/o/{order.access_token}").get_data(as_text=True)
    assert "Hiện chưa có cách thanh toán trực tuyến" in page and "/pay/vnpay" not in page
    for gateway in ("vnpay", "momo", "vietqr"):
        assert client.submit(f"/payments/o/{order.access_token}/pay/{gateway}").status_code == 404
    # What the probe forged with the secrets published in config.py: each lands on nothing.
    ipn = {
        "vnp_TxnRef": vnpay_attempt.reference,
        "vnp_Amount": "50000000",
        "vnp_ResponseCode": "00",
        "vnp_TransactionStatus": "00",
        "vnp_TransactionNo": "14000001",
        "vnp_TmnCode": "GDNNDEMO",
    }
    ipn["vnp_SecureHash"] = vnpay.sign(ipn, DEMO_SETTINGS["VNPAY_HASH_SECRET"])
    assert client.get("/payments/vnpay/ipn", query_string=ipn).status_code == 404
    assert client.get("/payments/vnpay/return", query_string=ipn).status_code == 404
    momo_ipn = {"orderId": vnpay_attempt.reference, "amount": 500_000, "resultCode": 0}
    momo_ipn["signature"] = momo.sign(momo_ipn, momo.IPN_FIELDS, DEMO_SETTINGS["MOMO_SECRET_KEY"])
    assert client.post("/payments/momo/ipn", json=momo_ipn).status_code == 404
    assert client.get("/payments/momo/return", query_string=momo_ipn).status_code == 404
    credit = {
        "id": 1,
        "accountNumber": DEMO_SETTINGS["VIETQR_ACCOUNT_NO"],
        "transferType": "in",
        "transferAmount": 500_000,
        "content": qr_attempt.reference,
    }
    headers = {"Authorization": f"Apikey {DEMO_SETTINGS['BANKFEED_API_KEY']}"}
    assert client.post("/payments/bankfeed/sepay", json=credit, headers=headers).status_code == 404
    assert client.get(f"/payments/qr/{qr_attempt.reference}.png").status_code == 404
    assert client.post("/payments/paygov/confirm", json={"MaThamChieu": "X"}).status_code == 404
    assert db.session.get(PaymentOrder, order.id).status == "unpaid"


def test_a_gateway_given_its_settings_is_offered_alone(app, client, monkeypatch):
    for name, value in {
        **PRODUCTION_GATEWAYS,
        **REAL_VNPAY,
        "VNPAY_HASH_SECRET": secrets.token_hex(16),
    }.items():
        monkeypatch.setitem(app.config, name, value)
    order = create_payment_order(500_000)
    page = client.get(f"/payments/o/{order.access_token}").get_data(as_text=True)
    assert "Thanh toán qua VNPAY" in page
    assert "Thanh toán bằng ví MoMo" not in page and "VietQR" not in page


def test_without_the_agency_account_only_a_school_with_its_own_account_offers_vietqr(app, monkeypatch):
    school = create_school(
        bank_bin="970436", bank_account_no="1903123456789", bank_account_name="TRUONG CD AG"
    )
    for name in ("VIETQR_BANK_BIN", "VIETQR_ACCOUNT_NO", "VIETQR_ACCOUNT_NAME"):
        monkeypatch.setitem(app.config, name, "")
    assert "vietqr" not in [adapter.name for adapter in offered(500_000, None)]
    assert "vietqr" in [adapter.name for adapter in offered(500_000, school.id)]


def test_doctor_calls_every_plain_connection_to_another_host_unsafe():
    """ASVS 9.2.2: payment requests, SMS, jobs, the database and mail leave the machine encrypted."""
    from service import doctor

    plain = {
        "VNPAY_API_URL": "http://sandbox.vnpayment.vn/merchant_webapi/api/transaction",
        "MOMO_ENDPOINT": "https://test-payment.momo.vn",
        "SMS_PROVIDER_URL": "http://sms.example.vn/send",
        "JOBS_URL": "redis://cache.internal:6379/0",
        "RATELIMIT_STORAGE_URI": "rediss://cache.internal:6380/1",
        "SQLALCHEMY_DATABASE_URI": "postgresql://gdnn@db.internal/gdnn?sslmode=require",
        "MAIL_SERVER": "smtp.angiang.gov.vn",
        "MAIL_USE_TLS": False,
        "MAIL_USE_SSL": False,
    }
    unsafe = {f.topic: f.detail for f in doctor._transport(plain)}
    assert set(unsafe) == {"VNPAY_API_URL", "SMS_PROVIDER_URL", "JOBS_URL", "DATABASE_URL", "MAIL_USE_TLS"}
    assert "sslmode=require" in unsafe["DATABASE_URL"] and "verify-full" in unsafe["DATABASE_URL"]
    safe = {
        **plain,
        "VNPAY_API_URL": "https://sandbox.vnpayment.vn/x",
        "SMS_PROVIDER_URL": "https://sms.example.vn/send",
        "JOBS_URL": "rediss://cache.internal:6380/0",
        "MAIL_USE_TLS": True,
        "SQLALCHEMY_DATABASE_URI": "postgresql://gdnn@db.internal/gdnn?sslmode=verify-full",
    }
    assert doctor._transport(safe) == []
    local = {
        "JOBS_URL": "redis://127.0.0.1:6379/0",
        "SQLALCHEMY_DATABASE_URI": "postgresql://postgres@127.0.0.1/test",
        "MAIL_SERVER": "localhost",
        "SMS_PROVIDER_URL": "http://127.0.0.1:9000/sms",
    }
    assert doctor._transport(local) == []  # on the machine itself nothing crosses a network
    assert doctor._transport in doctor.CHECKS
