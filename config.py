"""Configuration classes. Every value comes from the environment (GOV.UK Notify style)."""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent

if os.environ.get("APP_ENV") == "development":
    # An optional .env file is read in development only (asked for explicitly: production is the default);
    # production takes its environment as given.
    from dotenv import load_dotenv

    load_dotenv(BASE_DIR / ".env", override=False)

INSTANCE_DIR = Path(os.environ.get("INSTANCE_PATH", BASE_DIR / "instance"))

# The demo's values, published with this source code: development and the tests fall back on them,
# production has no default for any of them and refuses to start with one (service/safety.py).
DEMO_SETTINGS = {
    "SECRET_KEY": "dev-only-secret-key-do-not-use-in-production",
    "ISSUER_TAX_CODE": "1600000000",
    "VNPAY_TMN_CODE": "GDNNDEMO",
    "VNPAY_HASH_SECRET": "DEVONLYVNPAYSECRET0123456789ABCD",
    "MOMO_PARTNER_CODE": "MOMOGDNN",
    "MOMO_ACCESS_KEY": "DEVACCESSKEY",
    "MOMO_SECRET_KEY": "DEVONLYMOMOSECRET0123456789abcdef",
    "VIETQR_BANK_BIN": "970436",
    "VIETQR_ACCOUNT_NO": "0011001234567",
    "VIETQR_ACCOUNT_NAME": "SO GIAO DUC VA DAO TAO TINH AN GIANG",
    "VIETQR_BANK_NAME": "Vietcombank",
    "BANKFEED_API_KEY": "dev-bankfeed-key",
    "PAYGOV_PARTNER_CODE": "GDNNAGDEMO",
    "PAYGOV_ACCESS_TOKEN": "dev-only-paygov-access-token-0123456789",
    "PAYGOV_SECRET": "DEVONLYPAYGOVSECRET0123456789abcd",
    "VNEID_CLIENT_ID": "gdnn-angiang-demo",
    "VNEID_CLIENT_SECRET": "dev-only-vneid-client-secret-0123456789",
}
TEST_SECRET_KEY = "test-secret-key"
# The demo officials' second-factor secret (base32, RFC 6238), published in the README so that a person
# trying the demo can add it to an authenticator app. Only `seed-demo` (development) gives it to an
# account; production refuses a code made from it (service/accounts/twofactor.py).
DEMO_TOTP_SECRET = "GDNNDEMOANGIANGQRTOTPXYZ234567AB"


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def _demo(name: str) -> str:
    return os.environ.get(name, DEMO_SETTINGS[name])


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def session_cookie_name(secure: bool) -> str:
    """With HTTPS-only cookies, the "__Host-" prefix: browsers then keep the session cookie for this host
    alone, set over HTTPS, for every path, so that no sibling subdomain can set or overwrite it (ASVS 4.0.3
    §3.4.4). Browsers refuse such a cookie over plain HTTP, hence the plain name in development."""
    return "__Host-session" if secure else "session"


class Config:
    ENV_NAME = "production"
    SECRET_KEY = os.environ.get("SECRET_KEY", "")
    # Keys SECRET_KEY replaced (comma-separated), still accepted while it is rotated: sessions signed
    # with them stay valid and second-factor secrets encrypted with them stay readable.
    SECRET_KEY_FALLBACKS = [key for key in os.environ.get("SECRET_KEY_FALLBACKS", "").split(",") if key]
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL") or f"sqlite:///{INSTANCE_DIR / 'gdnn.sqlite3'}"
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER") or str(INSTANCE_DIR / "uploads")
    # Files (uploads, issued documents, backups) in a local folder, or with STORAGE_BACKEND=s3 in one bucket
    # of an S3-compatible object store that every app host and job worker shares (service/storage.py).
    STORAGE_BACKEND = os.environ.get("STORAGE_BACKEND", "local")
    S3_BUCKET = os.environ.get("S3_BUCKET", "")
    S3_PREFIX = os.environ.get("S3_PREFIX", "")
    S3_ENDPOINT_URL = os.environ.get("S3_ENDPOINT_URL", "")  # MinIO, Ceph or a cloud's S3 endpoint
    S3_REGION = os.environ.get("S3_REGION", "")
    S3_ACCESS_KEY_ID = os.environ.get("S3_ACCESS_KEY_ID", "")
    S3_SECRET_ACCESS_KEY = os.environ.get("S3_SECRET_ACCESS_KEY", "")
    S3_ENCRYPTION = os.environ.get("S3_ENCRYPTION", "")  # e.g. AES256: encrypted at rest by the store
    APP_BASE_URL = os.environ.get("APP_BASE_URL", "http://127.0.0.1:5000").rstrip("/")

    # Mail: real SMTP when MAIL_SERVER is set, otherwise the development outbox.
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = _int("MAIL_PORT", 25)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", False)
    MAIL_USE_SSL = _bool("MAIL_USE_SSL", False)
    MAIL_TIMEOUT = _int("MAIL_TIMEOUT", 20)
    MAIL_DEFAULT_SENDER = os.environ.get(
        "MAIL_DEFAULT_SENDER", "Dịch vụ công GDNN An Giang <no-reply@localhost>"
    )

    # Limits on uploads (bytes and counts).
    MAX_FILE_BYTES = _int("MAX_FILE_BYTES", 10 * 1024 * 1024)
    MAX_DOSSIER_BYTES = _int("MAX_DOSSIER_BYTES", 50 * 1024 * 1024)
    MAX_FILES_PER_DOSSIER = _int("MAX_FILES_PER_DOSSIER", 30)
    # A request body a little larger than one file, so that an oversized file is refused by Werkzeug (413).
    MAX_CONTENT_LENGTH = MAX_FILE_BYTES + 512 * 1024
    # A body without a file (a form, JSON: every gateway notification) is refused (413) past this, well
    # before MAX_CONTENT_LENGTH (service/requests.py).
    MAX_FORM_BODY_BYTES = _int("MAX_FORM_BODY_BYTES", 1024 * 1024)
    # Per applicant account (service/dossiers/quotas.py): drafts open at once, and the bytes of the files
    # attached to them together (submitted dossiers do not count); a draft's e-form data.
    MAX_OPEN_DRAFTS = _int("MAX_OPEN_DRAFTS", 20)
    MAX_DRAFT_BYTES_PER_ACCOUNT = _int("MAX_DRAFT_BYTES_PER_ACCOUNT", 200 * 1024 * 1024)
    DRAFT_FORM_MAX_BYTES = _int("DRAFT_FORM_MAX_BYTES", 512 * 1024)
    # A draft untouched for DRAFT_ABANDONED_DAYS is announced to its owner by email, and deleted with its
    # files DRAFT_DELETION_NOTICE_DAYS later unless saved meanwhile (service/dossiers/cleanup.py; daily
    # job). 0 keeps drafts for ever.
    DRAFT_ABANDONED_DAYS = _int("DRAFT_ABANDONED_DAYS", 90)
    DRAFT_DELETION_NOTICE_DAYS = _int("DRAFT_DELETION_NOTICE_DAYS", 14)

    # The receiving agency's identifier in dossier codes (Circular 03/2025); unconfirmed after the merger.
    AGENCY_CODE = os.environ.get("AGENCY_CODE", "H01.48")
    AGENCY_NAME = os.environ.get("AGENCY_NAME", "Sở Giáo dục và Đào tạo tỉnh An Giang")
    PROVINCE_CODE = _int("PROVINCE_CODE", 91)  # An Giang in vietnam-provinces' post-2025 list
    PRIVACY_NOTICE_VERSION = os.environ.get("PRIVACY_NOTICE_VERSION", "2026-01")

    # Official documents (Decree 30/2020): issuing body, place, fonts, signing certificate, jobs.
    DOCUMENT_ISSUER_PARENT = os.environ.get("DOCUMENT_ISSUER_PARENT", "Ủy ban nhân dân tỉnh An Giang")
    DOCUMENT_ISSUER_NAME = os.environ.get("DOCUMENT_ISSUER_NAME", "Sở Giáo dục và Đào tạo")
    DOCUMENT_ISSUER_ABBREVIATION = os.environ.get("DOCUMENT_ISSUER_ABBREVIATION", "SGDĐT")
    DOCUMENT_DEPARTMENT_ABBREVIATION = os.environ.get("DOCUMENT_DEPARTMENT_ABBREVIATION", "GDNN")
    # The department's full name, as the body of a document names it (Decree 30/2020: no abbreviation there).
    DOCUMENT_DEPARTMENT_NAME = os.environ.get("DOCUMENT_DEPARTMENT_NAME", "Giáo dục nghề nghiệp")
    # The text that gives the issuer its competence, cited last among a decision's legal bases (Decree
    # 30/2020, App. I §II.6.a): the provincial decision on the Sở's functions, e.g. "Quyết định số
    # .../2025/QĐ-UBND ngày dd/mm/yyyy của Ủy ban nhân dân tỉnh An Giang quy định chức năng, nhiệm vụ,
    # quyền hạn và cơ cấu tổ chức của Sở Giáo dục và Đào tạo". Unset: `flask doctor` lists it as missing.
    DOCUMENT_COMPETENCE_BASIS = os.environ.get("DOCUMENT_COMPETENCE_BASIS", "")
    # Where the chairman of the provincial People's Committee decides (a procedure's deciding_authority),
    # the result is his: its competence comes from the law on local government (Law 72/2025/QH15, cited
    # without number as Decree 30/2020 asks for Laws).
    PROVINCIAL_COMPETENCE_BASIS = os.environ.get(
        "PROVINCIAL_COMPETENCE_BASIS", "Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025"
    )
    # A commune-level procedure's result is the commune People's Committee's (LAW-2026 §3): its
    # competence comes from the same law on local government.
    COMMUNE_COMPETENCE_BASIS = os.environ.get(
        "COMMUNE_COMPETENCE_BASIS", "Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025"
    )
    DOCUMENT_PLACE = os.environ.get("DOCUMENT_PLACE", "An Giang")
    # The receiving one-stop unit issues forms 01, 02, 03, 05 and 06 and keeps register 07, not the Sở
    # (Circular 03/2025; LAW-2026 §4): the provincial public administration service centre, whose parent
    # body heads the header. These are the provincial centre's defaults when its agency row is created
    # (service/agencies); the row, which an administrator may correct, is what documents print; a
    # commune's centre prints its own row. A Sở that still receives at its own desk sets the Sở as the parent and
    # "Bộ phận tiếp nhận và trả kết quả" as the name.
    RECEIVING_UNIT_PARENT = os.environ.get("RECEIVING_UNIT_PARENT", "Ủy ban nhân dân tỉnh An Giang")
    RECEIVING_UNIT_NAME = os.environ.get(
        "RECEIVING_UNIT_NAME", "Trung tâm Phục vụ hành chính công tỉnh An Giang"
    )
    # The desk's telephone for guidance (form 02). Unset: a line left for hand filling.
    RECEIVING_UNIT_PHONE = os.environ.get("RECEIVING_UNIT_PHONE", "")
    # The receiving unit's abbreviation in "Lưu: VT, ..." of forms 01-05 (Decree 30/2020, App. III);
    # the centres' own abbreviation is not published (unconfirmed): each agency's row may change it.
    RECEIVING_UNIT_ABBREVIATION = os.environ.get("RECEIVING_UNIT_ABBREVIATION", "TTPVHCC")
    # The hour of the result appointment on form 01 ("HH:MM", e.g. "16:00"): the data holds only the due
    # day. Unset: the hour and minute are left blank for the officer to fill in by hand.
    APPOINTMENT_TIME = os.environ.get("APPOINTMENT_TIME", "")
    DOCUMENT_FONT_DIR = os.environ.get("DOCUMENT_FONT_DIR", "/usr/share/fonts/truetype/liberation2")
    # Electronic receipts (biên lai điện tử) of the Sở's fees and charges, Decree 254/2026 and Circular
    # 91/2026 (from 01/07/2026; service/payments/receipt_rules.py keeps the earlier scheme for history):
    # form symbol EBL + two digits (EBL01: without face value), series = two digits of the year, "T", and
    # two letters the collector chose from A B C D E G H K L M N P Q R S T U V X Y (e.g. 26TAA).
    RECEIPT_FORM_SYMBOL = os.environ.get("RECEIPT_FORM_SYMBOL", "EBL01")
    RECEIPT_SERIES_LETTERS = os.environ.get("RECEIPT_SERIES_LETTERS", "AA")
    # Receipt data to the tax authority the same day (form 01/TH-BLĐT; Decree 254 Art. 29(3)(b)): one
    # outbox job per receipt (service/payments/transmission.py). TAX_AUTHORITY_URL: where the XML goes
    # ("simulator": the local stand-in, development and tests only); unset: receipts wait, `flask doctor`
    # says so. The message type and the receiver's code are not published with a schema: configured.
    TAX_AUTHORITY_URL = os.environ.get("TAX_AUTHORITY_URL", "")
    TAX_AUTHORITY_HEADERS = os.environ.get("TAX_AUTHORITY_HEADERS", "")  # JSON object: credentials
    TAX_AUTHORITY_SENDER_CODE = os.environ.get("TAX_AUTHORITY_SENDER_CODE", "")  # MNGui
    TAX_AUTHORITY_RECEIVER_CODE = os.environ.get("TAX_AUTHORITY_RECEIVER_CODE", "")  # MNNhan
    TAX_AUTHORITY_MESSAGE_TYPE = os.environ.get("TAX_AUTHORITY_MESSAGE_TYPE", "")  # MLTDiep of 01/TH-BLĐT
    TAX_AUTHORITY_TIMEOUT = _int("TAX_AUTHORITY_TIMEOUT", 15)
    TAX_AUTHORITY_SIMULATOR = _bool("TAX_AUTHORITY_SIMULATOR", False)  # development only
    ISSUER_TAX_CODE = os.environ.get("ISSUER_TAX_CODE", "")
    SIGNING_CERT = os.environ.get("SIGNING_CERT", "")
    SIGNING_KEY = os.environ.get("SIGNING_KEY", "")
    SIGNING_KEY_PASSWORD = os.environ.get("SIGNING_KEY_PASSWORD", "")
    SIGNING_CA = os.environ.get("SIGNING_CA", "")
    # Development and tests: with no SIGNING_CERT, a development CA and certificate are generated once in
    # SIGNING_DEV_DIR and sign every document ("all") or only those that exist only signed ("required":
    # receipts, Decree 254/2026). Production refuses it (a receipt is never issued unsigned).
    SIGNING_DEV_CERTIFICATE = os.environ.get("SIGNING_DEV_CERTIFICATE", "")
    SIGNING_DEV_DIR = os.environ.get("SIGNING_DEV_DIR", str(INSTANCE_DIR / "dev-signing"))

    # The job engine (huey) that delivers emails, SMS and documents after a step commits, and runs the
    # daily tasks: empty for a SQLite queue in instance/jobs.sqlite3 (one machine), redis://host:port/db
    # for several app hosts and workers (`flask --app wsgi jobs worker`). See service/jobs.
    JOBS_URL = os.environ.get("JOBS_URL", "")
    JOB_WORKERS = _int("JOB_WORKERS", 2)
    JOB_LEASE_SECONDS = _int("JOB_LEASE_SECONDS", 300)  # a claimed job whose runner died is taken again
    JOB_MAX_ATTEMPTS = _int("JOB_MAX_ATTEMPTS", 8)  # then it is dead, listed at /admin/jobs
    JOB_RETRY_SECONDS = _int("JOB_RETRY_SECONDS", 30)  # doubled after each failed attempt, at most an hour

    # Payment gateways: each is on when all its settings are given, off when none is (see
    # service/payments/adapters.py); in development the demo values and the simulators stand in.
    # VNPAY 2.1.0.
    VNPAY_TMN_CODE = os.environ.get("VNPAY_TMN_CODE", "")
    VNPAY_HASH_SECRET = os.environ.get("VNPAY_HASH_SECRET", "")
    VNPAY_PAYMENT_URL = os.environ.get("VNPAY_PAYMENT_URL", "")  # unset: the simulator's page, if mounted
    VNPAY_API_URL = os.environ.get("VNPAY_API_URL", "")
    PAYMENT_SIMULATORS = _bool("PAYMENT_SIMULATORS", False)  # development only: production refuses it
    # MoMo API v2.
    MOMO_PARTNER_CODE = os.environ.get("MOMO_PARTNER_CODE", "")
    MOMO_ACCESS_KEY = os.environ.get("MOMO_ACCESS_KEY", "")
    MOMO_SECRET_KEY = os.environ.get("MOMO_SECRET_KEY", "")
    MOMO_ENDPOINT = os.environ.get("MOMO_ENDPOINT", "")  # unset: the simulator, if mounted
    # VietQR transfers to the agency's account, confirmed by a bank-feed webhook (SePay's format).
    VIETQR_BANK_BIN = os.environ.get("VIETQR_BANK_BIN", "")
    VIETQR_ACCOUNT_NO = os.environ.get("VIETQR_ACCOUNT_NO", "")
    VIETQR_ACCOUNT_NAME = os.environ.get("VIETQR_ACCOUNT_NAME", "")
    VIETQR_BANK_NAME = os.environ.get("VIETQR_BANK_NAME", "")
    BANKFEED_API_KEY = os.environ.get("BANKFEED_API_KEY", "")
    PAYMENT_ATTEMPT_MINUTES = _int("PAYMENT_ATTEMPT_MINUTES", 15)
    # The national payment platform of the national portal (service/payments/paygov.py, INTEGRATION.md §4):
    # on when its URLs, token, partner code and secret are all given. What the platform has not published
    # (the check-code algorithm, the channel and device codes) is configuration.
    PAYGOV_INIT_URL = os.environ.get("PAYGOV_INIT_URL", "")  # unset: the simulator, if mounted
    PAYGOV_QUERY_URL = os.environ.get("PAYGOV_QUERY_URL", "")  # CheckConfirmUrl
    PAYGOV_BILL_URL = os.environ.get("PAYGOV_BILL_URL", "")  # InitReceiptUrl (GET_BILL)
    PAYGOV_ACCESS_TOKEN = os.environ.get("PAYGOV_ACCESS_TOKEN", "")  # sent as Bearer
    PAYGOV_PARTNER_CODE = os.environ.get("PAYGOV_PARTNER_CODE", "")  # MaDoiTac
    PAYGOV_SECRET = os.environ.get("PAYGOV_SECRET", "")
    PAYGOV_CHECK_ALGORITHM = os.environ.get("PAYGOV_CHECK_ALGORITHM", "sha256")  # or hmac-sha256
    PAYGOV_CHANNEL = os.environ.get("PAYGOV_CHANNEL", "")  # MaKenhThanhToan, as the operator assigns
    PAYGOV_DEVICE = os.environ.get("PAYGOV_DEVICE", "")  # MaThietBi
    PAYGOV_SERVICE_CODE = os.environ.get("PAYGOV_SERVICE_CODE", "2")  # MaDichVu: 2 = fees and charges
    PAYGOV_PORTAL_CODE = os.environ.get("PAYGOV_PORTAL_CODE", "")  # MaDVC: our portal at the platform
    PAYGOV_PORTAL_NAME = os.environ.get("PAYGOV_PORTAL_NAME", "")  # TenDVC
    PAYGOV_UNIT_CODE = os.environ.get("PAYGOV_UNIT_CODE", "")  # MaDonVi: the collecting agency
    PAYGOV_UNIT_NAME = os.environ.get("PAYGOV_UNIT_NAME", "")  # TenDonVi
    # Gateway notifications failing their signature (anyone can post to an IPN address;
    # service/payments/unverified.py): stored at most this often per client address and gateway, at most
    # this many per gateway and day (past it only counted), cut to this many bytes of raw body and of
    # payload, and deleted after this many days by a daily job. Signed ones are kept whole, for ever.
    UNVERIFIED_NOTIFICATION_RATE_LIMIT = os.environ.get("UNVERIFIED_NOTIFICATION_RATE_LIMIT", "30 per hour")
    UNVERIFIED_NOTIFICATIONS_PER_DAY = _int("UNVERIFIED_NOTIFICATIONS_PER_DAY", 1000)
    UNVERIFIED_NOTIFICATION_BYTES = _int("UNVERIFIED_NOTIFICATION_BYTES", 4096)
    UNVERIFIED_NOTIFICATION_DAYS = _int("UNVERIFIED_NOTIFICATION_DAYS", 90)
    # Schools: student files, payment links, reminders, SMS.
    STUDENT_IMPORT_MAX_BYTES = _int("STUDENT_IMPORT_MAX_BYTES", 5 * 1024 * 1024)
    # A statement file (CSV): a large school's month of bank transfers is ~100,000 lines, ~8 MB.
    STATEMENT_MAX_BYTES = _int("STATEMENT_MAX_BYTES", 20 * 1024 * 1024)
    STUDENT_IMPORT_MAX_ROWS = _int("STUDENT_IMPORT_MAX_ROWS", 20_000)  # students in one file (CSV or Excel)
    # Uploaded Excel workbooks (student lists, periodic reports; service/spreadsheets.py) are checked from
    # the zip's directory and a streamed count of their parts before openpyxl opens them: a 260 KB file
    # can unpack to gigabytes. Over any of these the upload is refused with the reason (400).
    SPREADSHEET_MAX_UNPACKED_BYTES = _int("SPREADSHEET_MAX_UNPACKED_BYTES", 20 * 1024 * 1024)  # all parts
    SPREADSHEET_MAX_RATIO = _int("SPREADSHEET_MAX_RATIO", 100)  # unpacked:packed of any part over 1 MB
    SPREADSHEET_MAX_MEMBERS = _int("SPREADSHEET_MAX_MEMBERS", 300)  # parts in the zip
    SPREADSHEET_MAX_CELLS = _int("SPREADSHEET_MAX_CELLS", 500_000)  # cells, and shared strings (each)
    # Cell formats, fonts, named ranges...: what openpyxl builds objects of when it opens a file (Excel's
    # own limit is 64,000 cell formats).
    SPREADSHEET_MAX_STYLES = _int("SPREADSHEET_MAX_STYLES", 65_000)
    PAYMENT_LINK_MAX_DOB_FAILURES = _int("PAYMENT_LINK_MAX_DOB_FAILURES", 5)
    PAYMENT_LINK_LOCK_MINUTES = _int("PAYMENT_LINK_LOCK_MINUTES", 30)
    REMINDER_DAYS_BEFORE = _int("REMINDER_DAYS_BEFORE", 3)
    SMS_PROVIDER_URL = os.environ.get("SMS_PROVIDER_URL", "")  # unset: the development outbox
    SMS_API_KEY = os.environ.get("SMS_API_KEY", "")
    SMS_SENDER = os.environ.get("SMS_SENDER", "SOGDDT-AG")
    # A bank transfer may be made later than a card payment: the QR stays payable for a day.
    VIETQR_ATTEMPT_MINUTES = _int("VIETQR_ATTEMPT_MINUTES", 24 * 60)

    TOKEN_HOURS_CONFIRM = _int("TOKEN_HOURS_CONFIRM", 48)
    TOKEN_HOURS_RESET = _int("TOKEN_HOURS_RESET", 1)
    LOGIN_MAX_FAILURES = _int("LOGIN_MAX_FAILURES", 5)
    LOGIN_LOCK_MINUTES = _int("LOGIN_LOCK_MINUTES", 15)

    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    LOOKUP_RATE_LIMIT = os.environ.get("LOOKUP_RATE_LIMIT", "10 per minute")
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "30 per minute")

    # The public catalogue, API and statistics served from a cache to anonymous visitors (service/cache.py):
    # Redis when CACHE_REDIS_URL is set (shared by every worker and host, so that a catalogue import clears
    # them all), otherwise a cache in each process whose entries expire after CACHE_DEFAULT_TIMEOUT seconds.
    CACHE_REDIS_URL = os.environ.get("CACHE_REDIS_URL", "")
    CACHE_TYPE = os.environ.get("CACHE_TYPE") or ("RedisCache" if CACHE_REDIS_URL else "SimpleCache")
    CACHE_DEFAULT_TIMEOUT = _int("CACHE_DEFAULT_TIMEOUT", 300)
    CACHE_KEY_PREFIX = os.environ.get("CACHE_KEY_PREFIX", "gdnn:")
    # How long a browser or a proxy may keep an anonymous visitor's copy of those pages.
    PUBLIC_MAX_AGE = _int("PUBLIC_MAX_AGE", 60)

    WTF_CSRF_TIME_LIMIT = _int("WTF_CSRF_TIME_LIMIT", 8 * 3600)
    PERMANENT_SESSION_LIFETIME = _int("SESSION_LIFETIME_SECONDS", 8 * 3600)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SESSION_COOKIE_NAME = session_cookie_name(SESSION_COOKIE_SECURE)
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
    # Refuse any change flushed outside write() (service/database.py); on in tests.
    STRICT_WRITES = _bool("STRICT_WRITES", False)
    # How many reverse proxies stand in front of the app (0: none); their X-Forwarded-* headers are trusted.
    PROXY_COUNT = _int("PROXY_COUNT", 0)
    # A login session ends after this long without a request, and this long after the login whatever
    # happens (ASVS 4.0.3 §3.3.2, level 2); service/accounts/sessions.py.
    SESSION_IDLE_MINUTES = _int("SESSION_IDLE_MINUTES", 30)
    SESSION_ABSOLUTE_HOURS = _int("SESSION_ABSOLUTE_HOURS", 12)
    # Failed logins from one address whatever the emails tried (LOGIN_MAX_FAILURES counts attempts per
    # email and address); service/accounts/throttle.py.
    LOGIN_ADDRESS_FAILURES = os.environ.get("LOGIN_ADDRESS_FAILURES", "50 per hour")
    # Registrations per client address, and per email typed from any address (each mails that address);
    # beyond them the registration page answers 429. service/accounts/register_throttle.py.
    REGISTER_RATE_LIMIT = os.environ.get("REGISTER_RATE_LIMIT", "5 per hour")
    REGISTER_EMAIL_RATE_LIMIT = os.environ.get("REGISTER_EMAIL_RATE_LIMIT", "3 per hour")
    # Officials sign in with a second factor (TOTP, RFC 6238; service/accounts/twofactor.py): the name
    # their authenticator app shows beside the code, and how long the half-login between the password
    # and the code (or the enrolment) lasts.
    TWO_FACTOR_ISSUER = os.environ.get("TWO_FACTOR_ISSUER", "Dịch vụ công GDNN An Giang")
    TWO_FACTOR_PENDING_MINUTES = _int("TWO_FACTOR_PENDING_MINUTES", 10)
    # Authenticates backup archives (HMAC-SHA256 over the manifest): at least 32 characters, kept apart from
    # the database and its backups. Required outside development (see service/backup.py).
    BACKUP_KEY = os.environ.get("BACKUP_KEY", "")
    # VNeID login (Decree 69/2024; service/accounts/vneid.py): OpenID Connect, authorization code with PKCE.
    # Off while VNEID_CLIENT_ID is unset (no "Đăng nhập bằng VNeID" button). The provider is named by its
    # discovery document (VNEID_METADATA_URL) or by its endpoints and issuer; the national SSO's paths are
    # not published (docs: ../shared/INTEGRATION.md §1), so every one of them is a setting.
    VNEID_CLIENT_ID = os.environ.get("VNEID_CLIENT_ID", "")
    VNEID_CLIENT_SECRET = os.environ.get("VNEID_CLIENT_SECRET", "")
    VNEID_METADATA_URL = os.environ.get("VNEID_METADATA_URL", "")
    VNEID_ISSUER = os.environ.get("VNEID_ISSUER", "")
    VNEID_AUTHORIZE_URL = os.environ.get("VNEID_AUTHORIZE_URL", "")
    VNEID_TOKEN_URL = os.environ.get("VNEID_TOKEN_URL", "")
    VNEID_USERINFO_URL = os.environ.get("VNEID_USERINFO_URL", "")
    VNEID_JWKS_URL = os.environ.get("VNEID_JWKS_URL", "")
    # Where the provider sends the citizen back: unset, APP_BASE_URL + /account/vneid/callback. It must be
    # the address registered with the provider, letter for letter.
    VNEID_REDIRECT_URL = os.environ.get("VNEID_REDIRECT_URL", "")
    VNEID_SCOPES = os.environ.get("VNEID_SCOPES", "openid")
    # acr_values sent with the authorization request (the national portal sends "LoA1"); empty: none.
    VNEID_ACR_VALUES = os.environ.get("VNEID_ACR_VALUES", "")
    # How the client authenticates at the token endpoint: the public clients post id and secret in the
    # form (client_secret_post); client_secret_basic is the other choice.
    VNEID_TOKEN_AUTH_METHOD = os.environ.get("VNEID_TOKEN_AUTH_METHOD", "client_secret_post")
    VNEID_PKCE = _bool("VNEID_PKCE", True)  # S256 code challenge; off only for a provider that refuses it
    VNEID_ID_TOKEN_ALGORITHMS = os.environ.get("VNEID_ID_TOKEN_ALGORITHMS", "RS256")
    VNEID_TIMEOUT = _int("VNEID_TIMEOUT", 10)  # seconds for each call to the provider
    # The local identity provider (service/accounts/vneid_simulator.py): development and tests only,
    # production refuses it. Its RS256 key is kept in this file (created at the first start), or in
    # memory for the process when empty.
    VNEID_SIMULATOR = _bool("VNEID_SIMULATOR", False)  # development only: production refuses it
    VNEID_SIMULATOR_KEY_FILE = ""
    # The national public-service portal (Cổng Dịch vụ công quốc gia; service/nationalportal/): every
    # dossier step is pushed to it. Off while NATIONAL_PORTAL_BASE_URL is unset (no job is queued). Its
    # receiving URLs are blank in the public client code (../shared/INTEGRATION.md §2: URLThemMoi,
    # URLCapNhat, URLDongBoTienTrinh), so each is a setting, absolute or relative to the base URL;
    # "simulator" as the base URL is the local simulator (development and tests only).
    NATIONAL_PORTAL_BASE_URL = os.environ.get("NATIONAL_PORTAL_BASE_URL", "")
    NATIONAL_PORTAL_CREATE_URL = os.environ.get("NATIONAL_PORTAL_CREATE_URL", "")
    NATIONAL_PORTAL_UPDATE_URL = os.environ.get("NATIONAL_PORTAL_UPDATE_URL", "")
    NATIONAL_PORTAL_PROGRESS_URL = os.environ.get("NATIONAL_PORTAL_PROGRESS_URL", "")
    # Looking a dossier up (optional; "{ma}" stands for MaHoSo).
    NATIONAL_PORTAL_LOOKUP_URL = os.environ.get("NATIONAL_PORTAL_LOOKUP_URL", "")
    # Credentials: a JSON object of HTTP headers sent with every call (the scheme is unconfirmed: a bearer
    # token from the integration platform, a dstcode header...), e.g. {"Authorization": "Bearer ..."}.
    NATIONAL_PORTAL_HEADERS = os.environ.get("NATIONAL_PORTAL_HEADERS", "")
    # Through the provincial integration platform (LGSP: OAuth2 client credentials at its /token, as public
    # client code shows): each job gets a token with this client's id and secret and sends it as Bearer.
    NATIONAL_PORTAL_TOKEN_URL = os.environ.get("NATIONAL_PORTAL_TOKEN_URL", "")
    NATIONAL_PORTAL_CLIENT_ID = os.environ.get("NATIONAL_PORTAL_CLIENT_ID", "")
    NATIONAL_PORTAL_CLIENT_SECRET = os.environ.get("NATIONAL_PORTAL_CLIENT_SECRET", "")
    # DonViXuLy: the agency's code in the national catalogue of agencies; MaLinhVuc: the field's code.
    NATIONAL_PORTAL_AGENCY_CODE = os.environ.get("NATIONAL_PORTAL_AGENCY_CODE", "")
    NATIONAL_PORTAL_FIELD_CODE = os.environ.get("NATIONAL_PORTAL_FIELD_CODE", "")
    NATIONAL_PORTAL_TIMEOUT = _int("NATIONAL_PORTAL_TIMEOUT", 15)
    # Dossiers filed on the national portal are pushed to us with this key (header X-Api-Key); empty: the
    # intake endpoint refuses everything.
    NATIONAL_PORTAL_INBOUND_KEY = os.environ.get("NATIONAL_PORTAL_INBOUND_KEY", "")
    NATIONAL_PORTAL_SIMULATOR = _bool("NATIONAL_PORTAL_SIMULATOR", False)  # development only
    # Results by post (VNPost; service/postal/): the desk's shipment of a result to the applicant. Off
    # while POSTAL_BASE_URL is unset. The order and tracking URLs are unconfirmed (../shared/INTEGRATION.md
    # §5: "paths U"), so each is a setting, absolute or relative to the base URL ("{item}": the tracking
    # number); "simulator" as the base URL is the local simulator (development and tests only).
    POSTAL_BASE_URL = os.environ.get("POSTAL_BASE_URL", "")
    POSTAL_CREATE_URL = os.environ.get("POSTAL_CREATE_URL", "")
    POSTAL_TRACK_URL = os.environ.get("POSTAL_TRACK_URL", "")
    # Credentials: a JSON object of HTTP headers, e.g. {"access_token": "..."} through the integration
    # platform, {"token": "..."} for MyVNPost.
    POSTAL_HEADERS = os.environ.get("POSTAL_HEADERS", "")
    POSTAL_CUSTOMER_CODE = os.environ.get("POSTAL_CUSTOMER_CODE", "")  # the agency's VNPost customer code
    POSTAL_FLAG_CONFIG = os.environ.get("POSTAL_FLAG_CONFIG", "")
    # The sender's telephone and address when the receiving agency's own are not recorded.
    POSTAL_SENDER_TEL = os.environ.get("POSTAL_SENDER_TEL", "")
    POSTAL_SENDER_ADDRESS = os.environ.get("POSTAL_SENDER_ADDRESS", "")
    # Which answer `Status` values mean "order accepted", and where the tracking number is (unconfirmed).
    POSTAL_OK_STATUSES = os.environ.get("POSTAL_OK_STATUSES", "100,1,true")
    POSTAL_ITEM_CODE_FIELDS = os.environ.get("POSTAL_ITEM_CODE_FIELDS", "ItemCode,originalID")
    POSTAL_TIMEOUT = _int("POSTAL_TIMEOUT", 15)
    # The carrier's status callback (not shown by any public source): HMAC-SHA256 of the body with this
    # secret, in POSTAL_CALLBACK_SIGNATURE_HEADER. Empty: every callback is refused, tracking is polled.
    POSTAL_CALLBACK_SECRET = os.environ.get("POSTAL_CALLBACK_SECRET", "")
    POSTAL_CALLBACK_SIGNATURE_HEADER = os.environ.get("POSTAL_CALLBACK_SIGNATURE_HEADER", "X-Signature")
    POSTAL_CALLBACK_MAX_AGE = _int(
        "POSTAL_CALLBACK_MAX_AGE", 600
    )  # seconds a callback's Timestamp is good for
    POSTAL_SIMULATOR = _bool("POSTAL_SIMULATOR", False)  # development only: production refuses it
    # Werkzeug's scrypt with its default cost (2^15); the tests use a cheaper scrypt (TestConfig).
    PASSWORD_HASH_METHOD = "scrypt"


class DemoSettings:
    """The published demo values (DEMO_SETTINGS) as defaults: for development and the tests only."""

    SECRET_KEY = _demo("SECRET_KEY")
    ISSUER_TAX_CODE = _demo("ISSUER_TAX_CODE")
    VNPAY_TMN_CODE = _demo("VNPAY_TMN_CODE")
    VNPAY_HASH_SECRET = _demo("VNPAY_HASH_SECRET")
    MOMO_PARTNER_CODE = _demo("MOMO_PARTNER_CODE")
    MOMO_ACCESS_KEY = _demo("MOMO_ACCESS_KEY")
    MOMO_SECRET_KEY = _demo("MOMO_SECRET_KEY")
    VIETQR_BANK_BIN = _demo("VIETQR_BANK_BIN")
    VIETQR_ACCOUNT_NO = _demo("VIETQR_ACCOUNT_NO")
    VIETQR_ACCOUNT_NAME = _demo("VIETQR_ACCOUNT_NAME")
    VIETQR_BANK_NAME = _demo("VIETQR_BANK_NAME")
    BANKFEED_API_KEY = _demo("BANKFEED_API_KEY")
    PAYGOV_PARTNER_CODE = _demo("PAYGOV_PARTNER_CODE")
    PAYGOV_ACCESS_TOKEN = _demo("PAYGOV_ACCESS_TOKEN")
    PAYGOV_SECRET = _demo("PAYGOV_SECRET")
    VNEID_CLIENT_ID = _demo("VNEID_CLIENT_ID")
    VNEID_CLIENT_SECRET = _demo("VNEID_CLIENT_SECRET")
    # A made-up number, marked as such, so that the demo's decisions show where the real one goes.
    DOCUMENT_COMPETENCE_BASIS = os.environ.get(
        "DOCUMENT_COMPETENCE_BASIS",
        "Quyết định số 00/2025/QĐ-UBND (mẫu) ngày 01/7/2025 của Ủy ban nhân dân tỉnh An Giang quy định chức "
        "năng, nhiệm vụ, quyền hạn và cơ cấu tổ chức của Sở Giáo dục và Đào tạo",
    )


class DevelopmentConfig(DemoSettings, Config):
    ENV_NAME = "development"
    PAYMENT_SIMULATORS = _bool("PAYMENT_SIMULATORS", True)
    VNEID_SIMULATOR = _bool("VNEID_SIMULATOR", True)
    NATIONAL_PORTAL_SIMULATOR = _bool("NATIONAL_PORTAL_SIMULATOR", True)
    SIGNING_DEV_CERTIFICATE = os.environ.get("SIGNING_DEV_CERTIFICATE", "all")
    TAX_AUTHORITY_SIMULATOR = _bool("TAX_AUTHORITY_SIMULATOR", True)
    TAX_AUTHORITY_URL = os.environ.get("TAX_AUTHORITY_URL", "simulator")
    TAX_AUTHORITY_SENDER_CODE = os.environ.get("TAX_AUTHORITY_SENDER_CODE", "K0000000000")
    TAX_AUTHORITY_RECEIVER_CODE = os.environ.get("TAX_AUTHORITY_RECEIVER_CODE", "TCT")
    TAX_AUTHORITY_MESSAGE_TYPE = os.environ.get("TAX_AUTHORITY_MESSAGE_TYPE", "400")
    NATIONAL_PORTAL_BASE_URL = os.environ.get("NATIONAL_PORTAL_BASE_URL", "simulator")
    NATIONAL_PORTAL_CREATE_URL = os.environ.get("NATIONAL_PORTAL_CREATE_URL", "themmoi")
    NATIONAL_PORTAL_UPDATE_URL = os.environ.get("NATIONAL_PORTAL_UPDATE_URL", "capnhat")
    NATIONAL_PORTAL_PROGRESS_URL = os.environ.get("NATIONAL_PORTAL_PROGRESS_URL", "tientrinh")
    NATIONAL_PORTAL_LOOKUP_URL = os.environ.get("NATIONAL_PORTAL_LOOKUP_URL", "hoso/{ma}")
    NATIONAL_PORTAL_AGENCY_CODE = os.environ.get("NATIONAL_PORTAL_AGENCY_CODE", "000.00.00.H01")
    POSTAL_SIMULATOR = _bool("POSTAL_SIMULATOR", True)
    POSTAL_BASE_URL = os.environ.get("POSTAL_BASE_URL", "simulator")
    POSTAL_CREATE_URL = os.environ.get("POSTAL_CREATE_URL", "orders")
    POSTAL_TRACK_URL = os.environ.get("POSTAL_TRACK_URL", "orders/{item}")
    POSTAL_CUSTOMER_CODE = os.environ.get("POSTAL_CUSTOMER_CODE", "C000000001")
    POSTAL_CALLBACK_SECRET = os.environ.get("POSTAL_CALLBACK_SECRET", "development-postal-callback-secret")
    POSTAL_SENDER_TEL = os.environ.get("POSTAL_SENDER_TEL", "02963852000")
    VNEID_SIMULATOR_KEY_FILE = os.environ.get(
        "VNEID_SIMULATOR_KEY_FILE", str(INSTANCE_DIR / "vneid-simulator-key.pem")
    )
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SESSION_COOKIE_NAME = session_cookie_name(SESSION_COOKIE_SECURE)


class TestConfig(DemoSettings, Config):
    ENV_NAME = "test"
    TESTING = True
    # Still scrypt, at a cost of 2^10 instead of 2^15: each of the suite's thousands of hashes takes a
    # millisecond instead of a tenth of a second. Nothing asserts the cost itself.
    PASSWORD_HASH_METHOD = "scrypt:1024:8:1"
    SECRET_KEY = TEST_SECRET_KEY
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    SESSION_COOKIE_NAME = session_cookie_name(SESSION_COOKIE_SECURE)
    MAIL_SERVER = ""
    MAX_FILE_BYTES = 200 * 1024
    MAX_DOSSIER_BYTES = 500 * 1024
    MAX_FILES_PER_DOSSIER = 8
    STUDENT_IMPORT_MAX_BYTES = 150 * 1024
    MAX_CONTENT_LENGTH = MAX_FILE_BYTES + 64 * 1024
    RATELIMIT_STORAGE_URI = "memory://"
    CACHE_TYPE = "SimpleCache"  # each test starts from an empty one (tests/conftest.py)
    STRICT_WRITES = True
    JOBS_URL = "immediate"  # every job runs as soon as its step commits, in the test's process
    PAYMENT_SIMULATORS = True
    SIMULATOR_DELIVERY = "inline"
    VNEID_SIMULATOR = True
    # Mounted, but off: a test that wants the portal sets NATIONAL_PORTAL_BASE_URL = "simulator".
    NATIONAL_PORTAL_SIMULATOR = True
    NATIONAL_PORTAL_CREATE_URL = "themmoi"
    NATIONAL_PORTAL_UPDATE_URL = "capnhat"
    NATIONAL_PORTAL_PROGRESS_URL = "tientrinh"
    NATIONAL_PORTAL_LOOKUP_URL = "hoso/{ma}"
    NATIONAL_PORTAL_AGENCY_CODE = "000.00.00.H01"
    SIGNING_DEV_CERTIFICATE = "required"  # receipts signed; other documents as without a certificate
    SIGNING_DEV_DIR = os.environ.get("SIGNING_DEV_DIR", "")  # tests/conftest.py: one per run
    TAX_AUTHORITY_SIMULATOR = True
    TAX_AUTHORITY_URL = "simulator"
    TAX_AUTHORITY_SENDER_CODE = "K0000000000"
    TAX_AUTHORITY_RECEIVER_CODE = "TCT"
    TAX_AUTHORITY_MESSAGE_TYPE = "400"
    POSTAL_SIMULATOR = True
    POSTAL_BASE_URL = "simulator"
    POSTAL_CREATE_URL = "orders"
    POSTAL_TRACK_URL = "orders/{item}"
    POSTAL_CUSTOMER_CODE = "C000000001"
    POSTAL_CALLBACK_SECRET = "test-postal-callback-secret"
    POSTAL_SENDER_TEL = "02963852000"


CONFIGS = {"development": DevelopmentConfig, "production": Config, "test": TestConfig}


def config_for(name: str | None = None) -> type[Config]:
    """Production unless APP_ENV says otherwise: a plain `gunicorn wsgi:app` must never run the demo."""
    name = name or os.environ.get("APP_ENV") or "production"
    if name not in CONFIGS:
        raise RuntimeError(f"APP_ENV must be one of {sorted(CONFIGS)}, not {name!r}")
    return CONFIGS[name]
