"""`flask --app wsgi doctor`: what is configured, what is missing and what is unsafe, for the operator
before a start or after a refusal. Unsafe is every reason production refuses to start for
(service/safety.py) and a few it tolerates but should not (cookies over plain HTTP, an unreachable
database or queue); the exit status is 1 when anything is unsafe. wsgi.py lets this one command through
a configuration the app refuses, so that it can explain it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit, urlunsplit

import click
from flask import current_app
from sqlalchemy import make_url

from config import BASE_DIR
from service import safety
from service.accounts import vneid_settings
from service.documents import signing
from service.nationalportal import settings as national_portal
from service.payments import transmission
from service.payments.adapters import ADAPTERS, AGENCY_ACCOUNT
from service.postal import settings as postal

CONFIGURED, MISSING, UNSAFE = "configured", "missing", "unsafe"
SECTIONS = (
    (UNSAFE, "Chưa an toàn (unsafe)"),
    (MISSING, "Chưa cấu hình, đang tắt (missing, off)"),
    (CONFIGURED, "Đã cấu hình (configured)"),
)


@dataclass(frozen=True)
class Finding:
    status: str  # configured, missing, unsafe
    topic: str
    detail: str


@click.command("doctor")
@click.pass_context
def doctor(ctx: click.Context) -> None:
    """Cấu hình: đã đặt, còn thiếu, chưa an toàn (exit status 1 when anything is unsafe)."""
    findings = examine(current_app.config)
    for status, title in SECTIONS:
        chosen = [f for f in findings if f.status == status]
        if chosen:
            click.echo(f"{title}:")
            click.echo("".join(f"  - {f.topic}: {f.detail}\n" for f in chosen))
    unsafe = sum(f.status == UNSAFE for f in findings)
    if unsafe:
        click.echo(f"{unsafe} điều chưa an toàn: sửa trước khi phục vụ người dân ({unsafe} unsafe).")
        ctx.exit(1)
    click.echo("Không có điều gì chưa an toàn (nothing unsafe).")


def examine(config: Mapping) -> list[Finding]:
    """Every finding about this configuration, the reasons for a refusal first."""
    findings = [Finding(UNSAFE, p.setting, f"{p.reason}\n      → {p.fix}") for p in safety.problems(config)]
    for check in CHECKS:
        findings.extend(check(config))
    return findings


def _environment(config: Mapping) -> list[Finding]:
    if config["ENV_NAME"] == "production":
        return [Finding(CONFIGURED, "APP_ENV", "production")]
    detail = (
        f"{config['ENV_NAME']}: giá trị mẫu, bộ giả lập; không dùng để phục vụ (demo values: never serve)"
    )
    return [Finding(UNSAFE, "APP_ENV", detail)]


def _secret_key(config: Mapping) -> list[Finding]:
    value = config.get("SECRET_KEY") or ""
    if not value or value in safety.PUBLISHED or safety.secret_weakness(value):
        return []  # a reason for refusal, listed already
    return [Finding(CONFIGURED, "SECRET_KEY", f"đủ mạnh ({len(value.encode())} byte)")]


def _database(config: Mapping) -> list[Finding]:
    from service.extensions import db

    url = make_url(config["SQLALCHEMY_DATABASE_URI"])
    shown = url.render_as_string(hide_password=True)
    if url.get_backend_name() == "sqlite":
        shown += " (SQLite: một máy chủ, one host only)"
    try:
        with db.engine.connect() as connection:
            behind = _schema_state(connection)
    except Exception as error:  # noqa: BLE001  whatever the driver says is the diagnosis
        return [Finding(UNSAFE, "DATABASE_URL", f"{shown}: không kết nối được (unreachable): {error}")]
    if behind:
        return [Finding(UNSAFE, "DATABASE_URL", f"{shown}: {behind}")]
    return [Finding(CONFIGURED, "DATABASE_URL", f"{shown}: lược đồ mới nhất (schema up to date)")]


def _schema_state(connection) -> str | None:
    """None when the schema is at the migrations' head; otherwise what to do."""
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory

    current = set(MigrationContext.configure(connection).get_current_heads())
    heads = set(ScriptDirectory(str(BASE_DIR / "migrations")).get_heads())
    if current == heads:
        return None
    return "lược đồ chưa cập nhật, chạy (schema behind, run): flask --app wsgi db upgrade"


def _mail(config: Mapping) -> list[Finding]:
    if not config["MAIL_SERVER"]:
        detail = "thư chỉ nằm trong hộp thư phát triển /admin/outbox, không ai nhận được (no email is sent)"
        return [Finding(MISSING, "MAIL_SERVER", detail)]
    secured = (
        "SSL" if config["MAIL_USE_SSL"] else "STARTTLS" if config["MAIL_USE_TLS"] else "không mã hóa (plain)"
    )
    return [Finding(CONFIGURED, "MAIL_SERVER", f"{config['MAIL_SERVER']}:{config['MAIL_PORT']}, {secured}")]


def _sms(config: Mapping) -> list[Finding]:
    if not config["SMS_PROVIDER_URL"]:
        return [
            Finding(MISSING, "SMS_PROVIDER_URL", "tin nhắn chỉ nằm trong hộp thư phát triển (no SMS is sent)")
        ]
    return [Finding(CONFIGURED, "SMS_PROVIDER_URL", f"{config['SMS_PROVIDER_URL']} ({config['SMS_SENDER']})")]


def _gateways(config: Mapping) -> list[Finding]:
    findings = []
    for adapter in ADAPTERS.values():
        if not adapter.settings or (adapter.given(config) and adapter.missing(config)):
            continue  # always on (counter), or half configured: a reason for refusal, listed already
        if adapter.enabled(config):
            findings.append(
                Finding(CONFIGURED, adapter.label, "bật (on)" + _gateway_detail(adapter.name, config))
            )
        else:
            detail = (
                "tắt: không hiện cho người nộp, địa chỉ của nó trả 404 (off: not offered, endpoints 404); "
                f"bật bằng (to turn on, set) {', '.join(adapter.missing(config))}"
            )
            findings.append(Finding(MISSING, adapter.label, detail))
    return findings


def _gateway_detail(name: str, config: Mapping) -> str:
    simulated = " qua bộ giả lập (through the simulator)"
    if name == "vnpay":
        return f", TMN {config['VNPAY_TMN_CODE']}" + ("" if config["VNPAY_PAYMENT_URL"] else simulated)
    if name == "momo":
        return f", partner {config['MOMO_PARTNER_CODE']}" + ("" if config["MOMO_ENDPOINT"] else simulated)
    if name == "vietqr":
        if all(config.get(setting) for setting in AGENCY_ACCOUNT):
            return f", tài khoản của Sở {config['VIETQR_ACCOUNT_NO']} ({config['VIETQR_BANK_BIN']})"
        return ", chỉ cho trường có tài khoản riêng: tài khoản của Sở chưa đặt (schools' own accounts only)"
    if name == "paygov":
        detail = f", MaDoiTac {config['PAYGOV_PARTNER_CODE']}, mã xác thực {config['PAYGOV_CHECK_ALGORITHM']}"
        return detail + ("" if config["PAYGOV_INIT_URL"] else simulated)
    return ""


def _simulators(config: Mapping) -> list[Finding]:
    if config["PAYMENT_SIMULATORS"]:
        return []  # a reason for refusal, listed already
    return [Finding(CONFIGURED, "PAYMENT_SIMULATORS", "tắt (off)")]


def _vneid(config: Mapping) -> list[Finding]:
    if vneid_settings.given(config) and vneid_settings.missing(config):
        return []  # half configured: a reason for refusal, listed already
    if not vneid_settings.enabled(config):
        detail = (
            "tắt: không hiện nút “Đăng nhập bằng VNeID” (off: no VNeID button); bật bằng (to turn on, set) "
            "VNEID_CLIENT_ID, VNEID_CLIENT_SECRET, VNEID_METADATA_URL"
        )
        return [Finding(MISSING, "VNEID", detail)]
    if vneid_settings.uses_simulator(config):
        return [Finding(CONFIGURED, "VNEID", "bật, qua VNeID mô phỏng (on, through the simulator)")]
    provider = config.get("VNEID_METADATA_URL") or config.get("VNEID_ISSUER")
    return [Finding(CONFIGURED, "VNEID", f"bật (on): {provider}, client {config.get('VNEID_CLIENT_ID')}")]


def _national_portal(config: Mapping) -> list[Finding]:
    if national_portal.missing(config):
        lacking = ", ".join(national_portal.missing(config))
        return [Finding(MISSING, "NATIONAL_PORTAL", f"cấu hình một phần, thiếu {lacking} (half configured)")]
    if not national_portal.enabled(config):
        detail = "tắt: hồ sơ không được đồng bộ lên Cổng DVCQG (off); đặt NATIONAL_PORTAL_BASE_URL và các URL"
        return [Finding(MISSING, "NATIONAL_PORTAL", detail)]
    where = (
        "Cổng DVCQG mô phỏng (the simulator)"
        if national_portal.uses_simulator(config)
        else national_portal.base_url(config)
    )
    inbound = "có" if config.get("NATIONAL_PORTAL_INBOUND_KEY") else "không"
    detail = f"bật (on): {where}, đơn vị {config.get('NATIONAL_PORTAL_AGENCY_CODE')}; nhận hồ sơ từ cổng: {inbound}"
    return [Finding(CONFIGURED, "NATIONAL_PORTAL", detail)]


def _postal(config: Mapping) -> list[Finding]:
    if postal.missing(config):
        lacking = ", ".join(postal.missing(config))
        return [Finding(MISSING, "POSTAL", f"cấu hình một phần, thiếu {lacking} (half configured)")]
    if not postal.enabled(config):
        detail = "tắt: không gửi được kết quả qua bưu chính (off); đặt POSTAL_BASE_URL và các URL"
        return [Finding(MISSING, "POSTAL", detail)]
    where = "bưu điện mô phỏng (the simulator)" if postal.uses_simulator(config) else postal.base_url(config)
    status = (
        "nhận thông báo trạng thái và tra cứu định kỳ"
        if postal.callback_secret(config)
        else "tra cứu định kỳ"
    )
    return [Finding(CONFIGURED, "POSTAL", f"bật (on): {where}; {status}")]


def _signing(config: Mapping) -> list[Finding]:
    files = {name: config.get(name) for name in ("SIGNING_CERT", "SIGNING_KEY")}
    if not any(files.values()) and signing.dev_mode(config):
        where = config.get("SIGNING_DEV_DIR")
        return [
            Finding(CONFIGURED, "SIGNING_CERT", f"ký bằng chứng thư phát triển trong {where} (development)")
        ]
    if not any(files.values()):
        detail = (
            "văn bản không được ký số, và BIÊN LAI KHÔNG ĐƯỢC PHÁT HÀNH: biên lai chỉ có giá trị khi có chữ ký "
            "số (Nghị định 254/2026/NĐ-CP, Điều 23); các biên lai chờ ở /admin/jobs và được phát hành khi "
            "đặt SIGNING_CERT, SIGNING_KEY (documents unsigned; receipts are not issued until a certificate is set)"
        )
        return [Finding(MISSING, "SIGNING_CERT", detail)]
    unreadable = [f"{name}={path or '(trống)'}" for name, path in files.items() if not _readable(path)]
    if unreadable:
        return [Finding(UNSAFE, "SIGNING_CERT", f"không đọc được (unreadable): {', '.join(unreadable)}")]
    checked = "có SIGNING_CA" if config.get("SIGNING_CA") else "chưa có SIGNING_CA để kiểm tra chữ ký"
    return [Finding(CONFIGURED, "SIGNING_CERT", f"văn bản được ký số PAdES ({checked})")]


def _tax_authority(config: Mapping) -> list[Finding]:
    lacking = transmission.missing(config)
    if lacking:
        detail = (
            f"thiếu {', '.join(lacking)}: dữ liệu biên lai chưa gửi được cho cơ quan thuế trong ngày "
            "(Nghị định 254/2026/NĐ-CP, Điều 29); các lần gửi chờ ở /admin/jobs (receipt data not sent)"
        )
        return [Finding(MISSING, "TAX_AUTHORITY_URL", detail)]
    where = (
        "bộ giả lập (simulator)"
        if config["TAX_AUTHORITY_URL"] == transmission.SIMULATOR
        else config["TAX_AUTHORITY_URL"]
    )
    return [Finding(CONFIGURED, "TAX_AUTHORITY_URL", f"gửi dữ liệu biên lai trong ngày tới {where}")]


def _competence_basis(config: Mapping) -> list[Finding]:
    basis = (config.get("DOCUMENT_COMPETENCE_BASIS") or "").strip()
    if not basis:
        detail = (
            "quyết định cấp giấy thiếu căn cứ thẩm quyền của Sở (decisions lack the basis of the issuer's "
            "competence: the provincial decision on the Sở's functions)"
        )
        return [Finding(MISSING, "DOCUMENT_COMPETENCE_BASIS", detail)]
    if "(mẫu)" in basis:
        return [Finding(UNSAFE, "DOCUMENT_COMPETENCE_BASIS", f"giá trị mẫu (demo value): {basis}")]
    return [Finding(CONFIGURED, "DOCUMENT_COMPETENCE_BASIS", basis)]


def _readable(path: str | None) -> bool:
    return bool(path) and Path(path).is_file() and os.access(path, os.R_OK)


def _jobs(config: Mapping) -> list[Finding]:
    url = config["JOBS_URL"]
    if not url:
        return [
            Finding(CONFIGURED, "JOBS_URL", "hàng đợi SQLite instance/jobs.sqlite3: một máy (one host only)")
        ]
    if url == "immediate":
        return [
            Finding(
                UNSAFE,
                "JOBS_URL",
                "immediate: công việc chạy trong yêu cầu web, chỉ dành cho kiểm thử (tests only)",
            )
        ]
    shown = _without_password(url)
    if url.startswith(("redis://", "rediss://")):
        problem = _redis_problem(url)
        if problem:
            return [Finding(UNSAFE, "JOBS_URL", f"{shown}: không kết nối được (unreachable): {problem}")]
    return [Finding(CONFIGURED, "JOBS_URL", shown)]


def _redis_problem(url: str) -> str | None:
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3).ping()
    except redis.RedisError as error:
        return str(error)
    return None


def _cookies(config: Mapping) -> list[Finding]:
    if config["SESSION_COOKIE_SECURE"]:
        return [Finding(CONFIGURED, "SESSION_COOKIE_SECURE", "cookie phiên chỉ gửi qua HTTPS (HTTPS only)")]
    detail = "tắt: cookie phiên đi cả qua HTTP không mã hóa (session cookies also sent over plain HTTP)"
    return [Finding(UNSAFE, "SESSION_COOKIE_SECURE", detail)]


def _proxies(config: Mapping) -> list[Finding]:
    count = config["PROXY_COUNT"]
    if count:
        detail = f"{count}: địa chỉ người dùng lấy từ X-Forwarded-For (client address from X-Forwarded-For)"
    else:
        detail = (
            "0: người dùng kết nối thẳng; sau nginx hãy đặt 1 (clients connect directly; behind nginx set 1)"
        )
    return [Finding(CONFIGURED, "PROXY_COUNT", detail)]


def _uploads(config: Mapping) -> list[Finding]:
    if config.get("STORAGE_BACKEND", "local") == "s3":
        return _object_store(config)
    if config.get("STORAGE_BACKEND", "local") != "local":
        return [Finding(UNSAFE, "STORAGE_BACKEND", f"{config['STORAGE_BACKEND']}: chỉ nhận local hoặc s3")]
    folder = config["UPLOAD_FOLDER"]
    if Path(folder).is_dir() and os.access(folder, os.W_OK | os.X_OK):
        return [Finding(CONFIGURED, "UPLOAD_FOLDER", f"{folder} (ghi được, writable)")]
    return [Finding(UNSAFE, "UPLOAD_FOLDER", f"{folder}: không ghi được (not writable)")]


def _object_store(config: Mapping) -> list[Finding]:
    if not config.get("S3_BUCKET"):
        return [Finding(UNSAFE, "S3_BUCKET", "chưa đặt tên bucket (STORAGE_BACKEND=s3 needs S3_BUCKET)")]
    return [Finding(CONFIGURED, "S3_BUCKET", f"s3://{config['S3_BUCKET']}/{config.get('S3_PREFIX', '')}")]


def _base_url(config: Mapping) -> list[Finding]:
    url = config["APP_BASE_URL"]
    if url.startswith("https://"):
        return [Finding(CONFIGURED, "APP_BASE_URL", url)]
    if "127.0.0.1" in url or "localhost" in url:
        return [
            Finding(
                MISSING,
                "APP_BASE_URL",
                f"{url}: liên kết trong thư trỏ về máy này (emailed links point here)",
            )
        ]
    return [
        Finding(
            UNSAFE,
            "APP_BASE_URL",
            f"{url}: liên kết trong thư không dùng HTTPS (emailed links without HTTPS)",
        )
    ]


def _rate_limits(config: Mapping) -> list[Finding]:
    """Login, registration and callback throttles count in this storage. In memory each gunicorn worker
    and each host counts apart, so an attacker gets the limit once per process: production needs Redis."""
    storage = config["RATELIMIT_STORAGE_URI"]
    if storage.startswith("memory://"):
        detail = (
            "memory://: mỗi tiến trình đếm riêng, giới hạn đăng nhập bị nhân lên theo số tiến trình; "
            "đặt redis://… (per-process counts multiply the login limits: set redis://…)"
        )
        return [
            Finding(
                UNSAFE if config["ENV_NAME"] == "production" else MISSING, "RATELIMIT_STORAGE_URI", detail
            )
        ]
    shown = _without_password(storage)
    if storage.startswith(("redis://", "rediss://")):
        problem = _redis_problem(storage)
        if problem:
            return [
                Finding(
                    UNSAFE, "RATELIMIT_STORAGE_URI", f"{shown}: không kết nối được (unreachable): {problem}"
                )
            ]
    return [Finding(CONFIGURED, "RATELIMIT_STORAGE_URI", shown)]


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if not parts.password:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@")))


def _dotenv(config: Mapping) -> list[Finding]:
    # `flask` reads ./.env whatever APP_ENV says (python-dotenv), gunicorn does not: workers and web would
    # then run different settings.
    if config["ENV_NAME"] != "production" or not (Path.cwd() / ".env").exists():
        return []
    detail = (
        "lệnh flask đọc tệp này, gunicorn thì không: hãy bỏ nó (flask commands read it, gunicorn does not)"
    )
    return [Finding(UNSAFE, ".env", detail)]


LOCAL_HOSTS = {"", "localhost", "127.0.0.1", "::1"}
# Where the connections of a production deployment go, and what makes each one encrypted.
OUTBOUND_URLS = ("VNPAY_PAYMENT_URL", "VNPAY_API_URL", "MOMO_ENDPOINT", "SMS_PROVIDER_URL", "S3_ENDPOINT_URL")
REDIS_URLS = ("JOBS_URL", "RATELIMIT_STORAGE_URI", "CACHE_REDIS_URL")


def _transport(config: Mapping) -> list[Finding]:
    """ASVS 9.2.2: every connection that leaves this machine is encrypted. A plain one to another host
    is unsafe (personal data, payment requests and passwords would cross the network in clear)."""
    found = []
    for name in OUTBOUND_URLS:
        url = urlsplit(config.get(name) or "")
        if url.scheme == "http" and url.hostname not in LOCAL_HOSTS:
            found.append(
                Finding(
                    UNSAFE, name, f"{url.scheme}://{url.hostname}: không mã hóa, hãy dùng https (plain HTTP)"
                )
            )
    for name in REDIS_URLS:
        url = urlsplit(config.get(name) or "")
        if url.scheme == "redis" and url.hostname not in LOCAL_HOSTS:
            found.append(
                Finding(
                    UNSAFE, name, f"redis://{url.hostname}: không mã hóa, hãy dùng rediss:// (plain Redis)"
                )
            )
    database = urlsplit(config.get("SQLALCHEMY_DATABASE_URI") or "")
    if database.scheme.startswith("postgresql") and database.hostname not in LOCAL_HOSTS:
        mode = dict(parse_qsl(database.query)).get("sslmode", "")
        if mode not in ("verify-full", "verify-ca"):
            detail = f"{database.hostname}: sslmode={mode or 'mặc định'}; hãy đặt sslmode=verify-full (unverified TLS)"
            found.append(Finding(UNSAFE, "DATABASE_URL", detail))
    mail_host = config.get("MAIL_SERVER") or ""
    if mail_host not in LOCAL_HOSTS and not (config.get("MAIL_USE_TLS") or config.get("MAIL_USE_SSL")):
        detail = f"{mail_host}: thư gửi không mã hóa; đặt MAIL_USE_TLS=1 hoặc MAIL_USE_SSL=1 (plain SMTP)"
        found.append(Finding(UNSAFE, "MAIL_USE_TLS", detail))
    return found


CHECKS: tuple[Callable[[Mapping], list[Finding]], ...] = (
    _environment,
    _dotenv,
    _secret_key,
    _database,
    _mail,
    _sms,
    _gateways,
    _simulators,
    _vneid,
    _national_portal,
    _postal,
    _signing,
    _tax_authority,
    _jobs,
    _cookies,
    _proxies,
    _uploads,
    _base_url,
    _rate_limits,
    _competence_basis,
    _transport,
)
