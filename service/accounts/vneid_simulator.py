"""A local VNeID (the national identity provider) for development and the tests: an OpenID Connect
provider that speaks the authorization-code flow with PKCE, mounted only when VNEID_SIMULATOR is on
(production refuses it, service/safety.py).

It serves discovery, an authorization page where a test citizen is picked or typed in, the token
endpoint (an RS256-signed ID token), userinfo with the claims the national SSO is known to give
(../shared/INTEGRATION.md §1) and its public key (JWKS). The key is kept in VNEID_SIMULATOR_KEY_FILE
(created at the first start) or in memory. Codes and access tokens are signed with SECRET_KEY (no
table): a code lives a minute and is accepted once per process.

Faults a developer or a test can choose on the authorization page, to see the login refuse them: an ID
token signed by another key, for another audience or issuer, with another nonce, or expired.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from flask import Blueprint, Flask, current_app, jsonify, redirect, render_template, request
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from service.access import ANYONE, allow
from service.accounts.vneid import SIMULATOR_PATH, redirect_uri
from service.extensions import csrf

bp = Blueprint("vneid_simulator", __name__, url_prefix=SIMULATOR_PATH)
CODE_SECONDS, ACCESS_SECONDS, ID_TOKEN_SECONDS = 60, 300, 300
# Made-up people (numbers of An Giang, 089), one of each level of electronic identification.
TEST_CITIZENS = {
    "089090000101": {
        "HoVaTen": "Nguyễn Văn An",
        "NgayThangNamSinh": "19900115",
        "level": 2,
        "TechID": "sim-tech-089090000101",
    },
    "089195000202": {
        "HoVaTen": "Trần Thị Bình",
        "NgayThangNamSinh": "19950320",
        "level": 1,
        "TechID": "sim-tech-089195000202",
    },
}
FAULTS = {
    "": "Không (ID token hợp lệ)",
    "bad_signature": "Chữ ký sai (ký bằng khóa khác)",
    "wrong_audience": "Sai đối tượng nhận (aud)",
    "wrong_issuer": "Sai đơn vị phát hành (iss)",
    "wrong_nonce": "Sai nonce",
    "expired": "ID token đã hết hạn",
}
_used_codes: set[str] = set()
_used_lock = threading.Lock()


def issuer() -> str:
    return current_app.config["APP_BASE_URL"] + SIMULATOR_PATH


@bp.route("/.well-known/openid-configuration")
@allow(ANYONE)
def discovery():
    base = issuer()
    return jsonify(
        issuer=base,
        authorization_endpoint=base + "/auth",
        token_endpoint=base + "/token",
        userinfo_endpoint=base + "/userinfo",
        jwks_uri=base + "/jwks",
        response_types_supported=["code"],
        subject_types_supported=["public"],
        id_token_signing_alg_values_supported=["RS256"],
        code_challenge_methods_supported=["S256"],
        token_endpoint_auth_methods_supported=["client_secret_post", "client_secret_basic"],
        scopes_supported=["openid"],
        claims_supported=[
            "sub",
            "TechID",
            "LoaiTaiKhoan",
            "SoDinhDanh",
            "HoVaTen",
            "NgayThangNamSinh",
            "loAs",
            "IAL",
        ],
    )


@bp.route("/jwks")
@allow(ANYONE)
def jwks():
    return jsonify(KeySet([signing_key(current_app)]).as_dict(private=False))


@bp.route("/auth", methods=["GET", "POST"])
@allow(ANYONE)
def authorize():
    """GET: the page where the test citizen is chosen; POST (CSRF-protected): back to the client."""
    params = request.values
    problem = _request_problem(params)
    if problem:
        return render_template("accounts/vneid_simulator.html", problem=problem), 400
    if request.method == "GET":
        return render_template(
            "accounts/vneid_simulator.html",
            params=params,
            citizens=TEST_CITIZENS,
            faults=FAULTS,
            problem=None,
        )
    if request.form.get("decision") != "allow":
        return _back(params, error="access_denied", error_description="Người dùng từ chối")
    claims = _chosen_citizen(request.form)
    if claims is None:
        return render_template(
            "accounts/vneid_simulator.html", problem="Số định danh phải gồm 12 chữ số."
        ), 400
    code = _serializer("code").dumps(
        {
            "claims": claims,
            "nonce": params.get("nonce"),
            "challenge": params.get("code_challenge"),
            "redirect_uri": params["redirect_uri"],
            "fault": request.form.get("fault", "") if request.form.get("fault") in FAULTS else "",
            "jti": secrets.token_urlsafe(12),
        }
    )
    return _back(params, code=code)


@bp.route("/token", methods=["POST"])
@allow(ANYONE)
@csrf.exempt
def token():
    """Server to server: the code for tokens (client authenticated, PKCE verifier checked, code once)."""
    if not _client_authenticated():
        return _token_error("invalid_client", 401)
    if request.form.get("grant_type") != "authorization_code":
        return _token_error("unsupported_grant_type")
    try:
        grant = _serializer("code").loads(request.form.get("code", ""), max_age=CODE_SECONDS)
    except (BadSignature, SignatureExpired):
        return _token_error("invalid_grant")
    if (
        grant["redirect_uri"] != request.form.get("redirect_uri")
        or not _verifier_matches(grant)
        or not _first_use(grant)
    ):
        return _token_error("invalid_grant")
    access = _serializer("access").dumps(grant["claims"])
    return jsonify(
        access_token=access,
        token_type="Bearer",
        expires_in=ACCESS_SECONDS,
        id_token=_id_token(grant),
        scope="openid",
    )


@bp.route("/userinfo", methods=["GET", "POST"])
@allow(ANYONE)
@csrf.exempt
def userinfo():
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    try:
        claims = _serializer("access").loads(value, max_age=ACCESS_SECONDS) if scheme == "Bearer" else None
    except (BadSignature, SignatureExpired):
        claims = None
    if claims is None:
        return jsonify(error="invalid_token"), 401
    return jsonify(claims)


def signing_key(app: Flask) -> RSAKey:
    """The simulator's RS256 key: from VNEID_SIMULATOR_KEY_FILE (created there at the first start), or
    made for this process when no file is configured."""
    key = app.extensions.get("vneid_simulator_key")
    if key is None:
        path = (
            Path(app.config["VNEID_SIMULATOR_KEY_FILE"]) if app.config["VNEID_SIMULATOR_KEY_FILE"] else None
        )
        if path is not None and path.exists():
            key = RSAKey.import_key(path.read_bytes())
        else:
            key = RSAKey.generate_key(2048)
            if path is not None:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(key.as_pem(private=True))
                path.chmod(0o600)
        key = RSAKey.import_key(
            key.as_pem(private=True), {"kid": key.thumbprint(), "use": "sig", "alg": "RS256"}
        )
        app.extensions["vneid_simulator_key"] = key
    return key


def _request_problem(params) -> str | None:
    """A request from an unknown client, or for a redirect address it has not registered, is answered
    here and never sent back (an open redirect otherwise)."""
    if params.get("client_id") != current_app.config["VNEID_CLIENT_ID"]:
        return "Ứng dụng (client_id) không được đăng ký với VNeID mô phỏng."
    if params.get("redirect_uri") != redirect_uri():
        return "Địa chỉ chuyển hướng (redirect_uri) không khớp địa chỉ đã đăng ký."
    if params.get("response_type") != "code" or not params.get("state"):
        return "Yêu cầu xác thực thiếu response_type=code hoặc state."
    return None


def _chosen_citizen(form) -> dict | None:
    number = (form.get("custom_number") or form.get("number") or "").strip()
    known = TEST_CITIZENS.get(number)
    name = (form.get("full_name") or "").strip() or (known or {}).get("HoVaTen", "")
    if not (len(number) == 12 and number.isdigit()):
        return None
    level = form.get("level", type=int) or (known or {}).get("level", 2)
    return {
        "sub": hashlib.sha256(number.encode()).hexdigest()[:32],
        "TechID": (known or {}).get("TechID") or f"sim-tech-{number}",
        "LoaiTaiKhoan": form.get("account_type") or "1",
        "SoDinhDanh": number,
        "HoVaTen": name,
        "NgayThangNamSinh": (form.get("birth_date") or "").strip()
        or (known or {}).get("NgayThangNamSinh", ""),
        "loAs": f"LoA{level}",
        "IAL": str(level),
        "loginIdp": "BCA",
    }


def _back(params, **answer: str):
    answer["state"] = params["state"]
    return redirect(params["redirect_uri"] + "?" + urlencode(answer))


def _client_authenticated() -> bool:
    config = current_app.config
    client_id, secret = request.form.get("client_id"), request.form.get("client_secret")
    if request.authorization and request.authorization.type == "basic":
        client_id, secret = request.authorization.username, request.authorization.password
    return client_id == config["VNEID_CLIENT_ID"] and hmac.compare_digest(
        (secret or "").encode(), config["VNEID_CLIENT_SECRET"].encode()
    )


def _verifier_matches(grant: dict) -> bool:
    if not grant["challenge"]:
        return True
    verifier = request.form.get("code_verifier", "")
    digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return hmac.compare_digest(digest, grant["challenge"])


def _first_use(grant: dict) -> bool:
    with _used_lock:
        if grant["jti"] in _used_codes:
            return False
        _used_codes.add(grant["jti"])
        return True


def _id_token(grant: dict) -> str:
    fault, now = grant["fault"], int(time.time())
    claims = {
        "iss": issuer() + ("/other" if fault == "wrong_issuer" else ""),
        "sub": grant["claims"]["sub"],
        "aud": "another-client" if fault == "wrong_audience" else current_app.config["VNEID_CLIENT_ID"],
        "iat": now - (3600 if fault == "expired" else 0),
        "exp": now + (-1800 if fault == "expired" else ID_TOKEN_SECONDS),
        "auth_time": now,
        "nonce": "another-nonce" if fault == "wrong_nonce" else grant["nonce"],
        "acr": grant["claims"]["loAs"],
    }
    key = signing_key(current_app)
    if fault == "bad_signature":  # the same key id, another key: only the signature gives it away
        key = RSAKey.import_key(RSAKey.generate_key(2048).as_pem(private=True), {"kid": key.kid})
    return jwt.encode({"alg": "RS256", "kid": key.kid, "typ": "JWT"}, claims, key)


def _token_error(error: str, status: int = 400):
    return jsonify(error=error), status


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"vneid-simulator-{purpose}")
