"""The pieces of a time-based second factor (RFC 6238, with pyotp) that touch no database: secrets and
their encryption at rest, matching a code to its time step, recovery codes, the QR code for an app.

The secret is kept encrypted with a key derived from SECRET_KEY (HKDF-SHA256, then Fernet), so that a
copy of the database alone does not give anyone an official's second factor. SECRET_KEY_FALLBACKS
(the keys a rotated SECRET_KEY replaced) still decrypt; a secret read with one of them is written
again under the current key the next time it is used (twofactor.py).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from markupsafe import Markup

from config import DEMO_TOTP_SECRET

DIGITS = 6
STEP_SECONDS = 30
# A code of the step before or after the current one is accepted too: a phone's clock a little off,
# or a code typed just as it changed.
WINDOW = 1
RECOVERY_CODE_COUNT = 10
# 24 characters of base32: 120 random bits (ASVS 4.0.3 §2.6.2 asks at least 112 for a lookup secret
# kept as an unsalted hash), so that their SHA-256 in a database copy cannot be reversed by trying them.
RECOVERY_CODE_LENGTH = 24
_HKDF_INFO = b"gdnn second factor secret v1"


def new_secret() -> str:
    return pyotp.random_base32()  # 32 base32 characters: 160 bits, as RFC 4226 recommends


def code_at(secret: str, step: int) -> str:
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).generate_otp(step)


def current_step(now: float | None = None) -> int:
    return int(time.time() if now is None else now) // STEP_SECONDS


def matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    """The time step whose code `code` is, within WINDOW steps of now; None if it is none of them."""
    code = code.strip().replace(" ", "")
    if len(code) != DIGITS or not code.isdigit():
        return None
    step = current_step(now)
    for candidate in range(step - WINDOW, step + WINDOW + 1):
        if pyotp.utils.strings_equal(code, code_at(secret, candidate)):
            return candidate
    return None


def looks_like_code(value: str) -> bool:
    """Six digits: a code from the app; anything else typed in the same box is a recovery code."""
    value = value.strip().replace(" ", "")
    return len(value) == DIGITS and value.isdigit()


def is_published(secret: str) -> bool:
    """The demo's secret, printed in the README: production never accepts it (twofactor.py)."""
    return secrets.compare_digest(secret, DEMO_TOTP_SECRET)


# ---------------------------------------------------------------- encryption at rest


def _fernet(key: str) -> Fernet:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_HKDF_INFO).derive(key.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


def _keys() -> MultiFernet:
    config = current_app.config
    return MultiFernet(
        [_fernet(k) for k in [config["SECRET_KEY"], *(config.get("SECRET_KEY_FALLBACKS") or [])]]
    )


def encrypt(secret: str) -> str:
    return _keys().encrypt(secret.encode()).decode()


def decrypt(stored: str) -> str | None:
    """The secret, or None when no configured key opens it (SECRET_KEY changed without a fallback)."""
    try:
        return _keys().decrypt(stored.encode()).decode()
    except InvalidToken:
        return None


def reencrypted(stored: str) -> str | None:
    """The same secret under the current SECRET_KEY when it was kept under a fallback key; else None."""
    try:
        _fernet(current_app.config["SECRET_KEY"]).decrypt(stored.encode())
        return None  # already under the current key
    except InvalidToken:
        pass
    try:
        return _keys().rotate(stored.encode()).decode()
    except InvalidToken:
        return None  # no key opens it


# ---------------------------------------------------------------- recovery codes


def new_recovery_codes() -> list[str]:
    alphabet = "abcdefghijklmnopqrstuvwxyz234567"
    codes = [
        "".join(secrets.choice(alphabet) for _ in range(RECOVERY_CODE_LENGTH))
        for _ in range(RECOVERY_CODE_COUNT)
    ]
    return [grouped(code, 4, "-") for code in codes]


def recovery_hash(code: str) -> str:
    """Typed with or without its dashes and spaces, in either case."""
    normalised = "".join(ch for ch in code.lower() if ch.isalnum())
    return hashlib.sha256(normalised.encode()).hexdigest()


# ---------------------------------------------------------------- showing a secret once


def grouped(text: str, size: int = 4, separator: str = " ") -> str:
    """ "JBSWY3DPEHPK3PXP" -> "JBSW Y3DP EHPK 3PXP": easier to type into an app by hand."""
    return separator.join(text[i : i + size] for i in range(0, len(text), size))


def provisioning_uri(secret: str, account: str) -> str:
    issuer = current_app.config["TWO_FACTOR_ISSUER"]
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(
        name=account, issuer_name=issuer
    )


def qr_svg(uri: str) -> Markup:
    """The otpauth:// link as an inline SVG: drawn by the page itself, nothing fetched from elsewhere
    (the secret must not travel to a QR service)."""
    svg = segno.make(uri, error="m").svg_inline(
        scale=1, border=4, omitsize=True, svgclass="qr", light="#fff", title="Mã QR khóa xác thực"
    )
    return Markup(svg)  # noqa: S704  segno's own output: a path and a title it escapes
