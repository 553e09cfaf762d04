"""What production needs before it serves anyone, and the refusal to start without it.

Production is the default (config.config_for). It refuses to start, naming every reason at once, with a
missing or weak SECRET_KEY, with any value published with this source code (config.DEMO_SETTINGS, the
tests' key), with a payment gateway half configured, with the payment simulators mounted, or in debug
mode. A gateway given none of its settings is simply off (service/payments/adapters.py).
`flask --app wsgi doctor` (service/doctor.py) shows the same reasons beside everything else that is
configured or missing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from config import DEMO_SETTINGS, TEST_SECRET_KEY
from service.accounts import vneid_settings
from service.documents import signing
from service.nationalportal import settings as national_portal
from service.payments import receipt_rules
from service.payments.adapters import ADAPTERS, AGENCY_ACCOUNT
from service.postal import settings as postal

# A key an attacker must not guess: 32 bytes, and not a long run of few characters ("aaaa…", "1212…").
MIN_SECRET_BYTES = 32
MIN_DISTINCT_CHARACTERS = 16
NEW_SECRET = "python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"

# Settings that are a secret or one of our identities: none may keep a value published with the code.
PROTECTED_SETTINGS = (  # SECRET_KEY first: its own check names it
    "SECRET_KEY",
    "ISSUER_TAX_CODE",
    "VNPAY_TMN_CODE",
    "VNPAY_HASH_SECRET",
    "MOMO_PARTNER_CODE",
    "MOMO_ACCESS_KEY",
    "MOMO_SECRET_KEY",
    "VIETQR_ACCOUNT_NO",
    "BANKFEED_API_KEY",
    "PAYGOV_PARTNER_CODE",
    "PAYGOV_ACCESS_TOKEN",
    "PAYGOV_SECRET",
    "VNEID_CLIENT_SECRET",
    "NATIONAL_PORTAL_INBOUND_KEY",
)
# The demo's bank, bank code and account holder are public facts a real deployment may share.
PUBLIC_FACTS = {"VIETQR_BANK_BIN", "VIETQR_BANK_NAME", "VIETQR_ACCOUNT_NAME"}
PUBLISHED = frozenset(
    {value for name, value in DEMO_SETTINGS.items() if name not in PUBLIC_FACTS} | {TEST_SECRET_KEY}
)


@dataclass(frozen=True)
class Problem:
    """Why production will not start: the setting, what is wrong (Vietnamese, then English), the fix."""

    setting: str
    reason: str
    fix: str

    def __str__(self) -> str:
        return f"{self.setting}: {self.reason}\n    → {self.fix}"


def problems(config: Mapping) -> list[Problem]:
    """Every reason production refuses this configuration (empty: it may start)."""
    found = [*_secret_key(config), *_fallback_keys(config), *_published(config), *_bank_feed_key(config)]
    found += _tax_code(config)
    found += [*_simulators(config), *_half_configured_gateways(config), *_agency_account(config)]
    found += _receipts(config)
    found += _postal(config)
    return found + _vneid(config) + _national_portal(config) + _debug(config) + _storage(config)


def refuse_unsafe_start(config: Mapping) -> None:
    """Raise RuntimeError with every reason at once: production with `problems`, any environment
    without a SECRET_KEY."""
    if config.get("ENV_NAME") == "production":
        found = problems(config)
    else:
        found = [p for p in _secret_key(config) if not config.get("SECRET_KEY")]
    if found:
        raise RuntimeError(refusal_message(found))


def refusal_message(found: list[Problem]) -> str:
    lines = "\n".join(f"- {problem}" for problem in found)
    return (
        "Ứng dụng không khởi động vì cấu hình production chưa an toàn "
        "(the app refuses to start: unsafe production configuration):\n"
        f"{lines}\n"
        "Xem toàn bộ cấu hình (see the whole configuration): flask --app wsgi doctor. "
        "Bản demo (the demo): APP_ENV=development, hoặc make run."
    )


def secret_weakness(value: str) -> str | None:
    """Why a key is too weak to keep (Vietnamese, then English); None if it is strong enough."""
    size, distinct = len(value.encode()), len(set(value))
    if size < MIN_SECRET_BYTES:
        return (
            f"quá ngắn: {size} byte, cần ít nhất {MIN_SECRET_BYTES} "
            f"(too short: {size} bytes, at least {MIN_SECRET_BYTES})"
        )
    if distinct < MIN_DISTINCT_CHARACTERS:
        return (
            f"quá dễ đoán: chỉ {distinct} ký tự khác nhau, cần ít nhất {MIN_DISTINCT_CHARACTERS} "
            f"(too little entropy: {distinct} distinct characters, at least {MIN_DISTINCT_CHARACTERS})"
        )
    return None


def _secret_key(config: Mapping) -> list[Problem]:
    value = config.get("SECRET_KEY") or ""
    fix = f"Đặt một khóa ngẫu nhiên (set a random key): SECRET_KEY=$({NEW_SECRET})"
    if not value:
        return [Problem("SECRET_KEY", "chưa được đặt (is not set)", fix)]
    weakness = PUBLISHED_REASON if value in PUBLISHED else secret_weakness(value)
    return [Problem("SECRET_KEY", weakness, fix)] if weakness else []


PUBLISHED_REASON = "là giá trị mẫu công bố trong mã nguồn (a demo value published with the source code)"


def _fallback_keys(config: Mapping) -> list[Problem]:
    """A key SECRET_KEY replaced still signs sessions and opens second-factor secrets: as strong."""
    weak = [
        key for key in config.get("SECRET_KEY_FALLBACKS") or [] if key in PUBLISHED or secret_weakness(key)
    ]
    if not weak:
        return []
    reason = "có khóa cũ là giá trị mẫu hoặc quá yếu (a replaced key is a published demo value or too weak)"
    return [
        Problem("SECRET_KEY_FALLBACKS", reason, "Bỏ khóa đó khỏi danh sách (remove that key from the list).")
    ]


def _published(config: Mapping) -> list[Problem]:
    names = [name for name in PROTECTED_SETTINGS[1:] if config.get(name) and config[name] in PUBLISHED]
    if not names:
        return []
    fix = (
        "Dùng giá trị thật của cơ quan; muốn tắt một cổng thanh toán thì bỏ hết các biến của nó "
        "(use the agency's own values; to turn a gateway off, unset all its settings)."
    )
    return [Problem(", ".join(names), PUBLISHED_REASON, fix)]


def _bank_feed_key(config: Mapping) -> list[Problem]:
    # Whoever holds it can report a credit, and a credit marks an order paid: as strong as SECRET_KEY.
    value = config.get("BANKFEED_API_KEY") or ""
    weakness = secret_weakness(value) if value and value not in PUBLISHED else None
    fix = f"Tạo khóa mới và đặt ở cả hai nơi (a new key, set here and in the bank feed): {NEW_SECRET}"
    return [Problem("BANKFEED_API_KEY", weakness, fix)] if weakness else []


def _tax_code(config: Mapping) -> list[Problem]:
    if config.get("ISSUER_TAX_CODE"):
        return []
    return [
        Problem(
            "ISSUER_TAX_CODE",
            "chưa được đặt: biên lai điện tử phải ghi mã số thuế của đơn vị thu "
            "(is not set: e-receipts must carry the collecting agency's tax code)",
            "Đặt mã số thuế của cơ quan (set the agency's tax code), ví dụ ISSUER_TAX_CODE=0123456789.",
        )
    ]


def _simulators(config: Mapping) -> list[Problem]:
    if not config.get("PAYMENT_SIMULATORS"):
        return []
    return [
        Problem(
            "PAYMENT_SIMULATORS",
            "đang bật: bộ giả lập cho phép bất kỳ ai đánh dấu một khoản phải nộp là đã thanh toán "
            "(is on: the simulators let anyone mark an order paid)",
            "Bỏ biến này: bộ giả lập chỉ dành cho development (unset it: simulators are development only).",
        )
    ]


def _vneid(config: Mapping) -> list[Problem]:
    """The VNeID login: its simulator never in production; once any VNEID_* is set, all it needs (the
    client secret first). None set: the login is simply off, no button shown."""
    found = []
    if config.get("VNEID_SIMULATOR"):
        found.append(
            Problem(
                "VNEID_SIMULATOR",
                "đang bật: VNeID mô phỏng cho phép bất kỳ ai đăng nhập bằng số định danh của người khác "
                "(is on: the simulated VNeID lets anyone sign in as anyone)",
                "Bỏ biến này: bộ giả lập chỉ dành cho development (unset it: simulators are development only).",
            )
        )
    missing = vneid_settings.missing(config)
    if missing:
        found.append(
            Problem(
                "VNEID",
                f"đăng nhập VNeID mới cấu hình một phần, thiếu {', '.join(missing)} "
                f"(half configured: {', '.join(missing)} missing)",
                "Đặt VNEID_CLIENT_ID, VNEID_CLIENT_SECRET và VNEID_METADATA_URL (hoặc VNEID_ISSUER, "
                "VNEID_AUTHORIZE_URL, VNEID_TOKEN_URL, VNEID_JWKS_URL), hoặc bỏ hết để tắt "
                "(set them all, or none to turn the VNeID login off).",
            )
        )
    return found


def _national_portal(config: Mapping) -> list[Problem]:
    """The national portal sync: its simulator never in production; started on, all it needs."""
    found = []
    if config.get("NATIONAL_PORTAL_SIMULATOR"):
        found.append(
            Problem(
                "NATIONAL_PORTAL_SIMULATOR",
                "đang bật: Cổng Dịch vụ công quốc gia mô phỏng nhận hồ sơ thay cho cổng thật "
                "(is on: the simulated national portal takes the dossiers instead of the real one)",
                "Bỏ biến này: bộ giả lập chỉ dành cho development (unset it: simulators are development only).",
            )
        )
    missing = national_portal.missing(config)
    if missing:
        found.append(
            Problem(
                "NATIONAL_PORTAL",
                f"đồng bộ Cổng Dịch vụ công quốc gia mới cấu hình một phần, thiếu hoặc sai {', '.join(missing)} "
                f"(half configured: {', '.join(missing)} missing or invalid)",
                f"Đặt {', '.join(national_portal.REQUIRED)} (và NATIONAL_PORTAL_HEADERS là một đối tượng JSON), "
                "hoặc bỏ NATIONAL_PORTAL_BASE_URL để tắt (set them all, or unset the base URL to turn it off).",
            )
        )
    key = config.get("NATIONAL_PORTAL_INBOUND_KEY") or ""
    weakness = secret_weakness(key) if key and key not in PUBLISHED else None
    if weakness:
        found.append(Problem("NATIONAL_PORTAL_INBOUND_KEY", weakness, f"Tạo khóa mới: {NEW_SECRET}"))
    return found


DEVELOPMENT_ONLY = "Bỏ biến này: chỉ dành cho development (unset it: development only)."


def _postal(config: Mapping) -> list[Problem]:
    """Results by post: the simulated carrier never in production; started on, all it needs; a callback
    secret strong enough to sign with."""
    found = []
    if config.get("POSTAL_SIMULATOR"):
        reason = "đang bật: bưu điện mô phỏng nhận đơn gửi kết quả (the simulated carrier takes the orders)"
        found.append(Problem("POSTAL_SIMULATOR", reason, DEVELOPMENT_ONLY))
    missing = postal.missing(config)
    if missing:
        found.append(
            Problem(
                "POSTAL",
                f"gửi kết quả qua bưu chính mới cấu hình một phần, thiếu hoặc sai {', '.join(missing)} "
                f"(half configured: {', '.join(missing)} missing or invalid)",
                f"Đặt {', '.join(postal.REQUIRED)} (và POSTAL_HEADERS là một đối tượng JSON), "
                "hoặc bỏ POSTAL_BASE_URL để tắt (set them all, or unset the base URL to turn it off).",
            )
        )
    secret = postal.callback_secret(config)
    weakness = secret_weakness(secret) if secret else None
    if weakness:
        found.append(Problem("POSTAL_CALLBACK_SECRET", weakness, f"Tạo khóa mới: {NEW_SECRET}"))
    return found


def _receipts(config: Mapping) -> list[Problem]:
    """Receipts: never signed by the development certificate nor sent to the simulated tax authority, and
    symbols the current scheme accepts. A missing signing certificate does not stop the start (the
    one-stop service goes on; receipts wait unissued and `flask doctor` says so)."""
    found = []
    if str(config.get("SIGNING_DEV_CERTIFICATE") or "").strip().lower() not in signing.OFF:
        reason = "đang bật: văn bản, biên lai được ký bằng chứng thư phát triển (documents signed by a development certificate)"
        found.append(Problem("SIGNING_DEV_CERTIFICATE", reason, DEVELOPMENT_ONLY))
    if config.get("TAX_AUTHORITY_SIMULATOR") or config.get("TAX_AUTHORITY_URL") == "simulator":
        reason = "đang bật: dữ liệu biên lai gửi cho cơ quan thuế mô phỏng (receipt data goes to a simulator)"
        found.append(Problem("TAX_AUTHORITY_SIMULATOR, TAX_AUTHORITY_URL", reason, DEVELOPMENT_ONLY))
    symbols = receipt_rules.symbol_problem(  # (a configuration without them has config.Config's defaults)
        config.get("RECEIPT_FORM_SYMBOL", "EBL01"), config.get("RECEIPT_SERIES_LETTERS", "AA")
    )
    if symbols:
        fix = "Đặt ký hiệu đã đăng ký với cơ quan thuế (set the registered symbols), ví dụ EBL01 và AA."
        found.append(Problem("RECEIPT_FORM_SYMBOL, RECEIPT_SERIES_LETTERS", symbols, fix))
    return found


def _debug(config: Mapping) -> list[Problem]:
    # Flask turns DEBUG on from FLASK_DEBUG=1 or `flask --debug`; `flask run` then serves Werkzeug's
    # interactive debugger, which runs any Python its visitor types (ASVS 4.0.3 §14.3.2).
    if not config.get("DEBUG"):
        return []
    return [
        Problem(
            "FLASK_DEBUG",
            "chế độ gỡ lỗi đang bật: trình gỡ lỗi cho phép chạy mã tùy ý từ trình duyệt "
            "(debug mode is on: its debugger runs any code a visitor types)",
            "Bỏ biến FLASK_DEBUG và tùy chọn --debug (unset FLASK_DEBUG, drop --debug).",
        )
    ]


def _half_configured_gateways(config: Mapping) -> list[Problem]:
    found = []
    for adapter in ADAPTERS.values():
        given, missing = adapter.given(config), adapter.missing(config)
        if given and missing:
            found.append(
                Problem(
                    adapter.name.upper(),
                    f"mới cấu hình một phần, thiếu {', '.join(missing)} "
                    f"(half configured: {', '.join(missing)} missing)",
                    f"Đặt đủ {', '.join(adapter.settings)}, hoặc bỏ hết để tắt {adapter.label} "
                    "(set them all, or none to turn it off).",
                )
            )
    return found


def _agency_account(config: Mapping) -> list[Problem]:
    given = [name for name in AGENCY_ACCOUNT if config.get(name)]
    if not given:
        return []
    if len(given) < len(AGENCY_ACCOUNT):
        missing = ", ".join(name for name in AGENCY_ACCOUNT if name not in given)
        reason = f"tài khoản nhận chuyển khoản thiếu {missing} (the collecting account lacks {missing})"
        return [
            Problem(
                "VIETQR", reason, f"Đặt đủ hoặc bỏ hết (set all or none of): {', '.join(AGENCY_ACCOUNT)}."
            )
        ]
    if config.get("BANKFEED_API_KEY"):
        return []
    reason = (
        "có tài khoản nhận nhưng thiếu BANKFEED_API_KEY: không chuyển khoản nào được xác nhận "
        "(an account without BANKFEED_API_KEY: no transfer would ever be confirmed)"
    )
    return [Problem("VIETQR", reason, "Đặt BANKFEED_API_KEY như trong cấu hình webhook của ngân hàng.")]


def _storage(config: Mapping) -> list[Problem]:
    backend = config.get("STORAGE_BACKEND", "local")
    if backend == "local":
        return []
    if backend != "s3":
        reason = f"không có kho tệp tên {backend!r} (no file store named {backend!r})"
        return [
            Problem("STORAGE_BACKEND", reason, "Đặt local (thư mục UPLOAD_FOLDER) hoặc s3 (object storage).")
        ]
    if config.get("S3_BUCKET"):
        return []
    reason = "STORAGE_BACKEND=s3 nhưng chưa đặt S3_BUCKET (object storage without a bucket)"
    return [Problem("S3_BUCKET", reason, "Đặt S3_BUCKET (và S3_ENDPOINT_URL, khóa truy cập nếu cần).")]


# Commands that serve nothing and use no secret: the doctor explains a refused configuration, and the
# schema commands (`flask db upgrade|check|current`) let an operator migrate before the secrets are set.
LET_THROUGH = frozenset({"doctor", "db"})


def doctor_requested(argv: list[str]) -> bool:
    """`flask [options] doctor` or `flask [options] db ...`: let through an unsafe configuration, as
    they serve nothing. Every other way in, gunicorn and the job worker first, gets the refusal."""
    program = Path(argv[0]) if argv else Path()
    if program.name != "flask" and not (program.name == "__main__.py" and program.parent.name == "flask"):
        return False
    words = iter(argv[1:])
    for word in words:
        if word in ("--app", "-A", "--env-file", "-e"):
            next(words, None)  # the option's value
        elif not word.startswith("-"):
            return word in LET_THROUGH
    return False
