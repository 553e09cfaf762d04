"""The VNeID login's client (Decree 69/2024): OpenID Connect, authorization code with PKCE, state and
nonce, through Authlib's Flask client, configured by environment (config.py, VNEID_*).

Authlib keeps the state, nonce and PKCE verifier in the session between the redirect to VNeID and the
callback, exchanges the code at the token endpoint and verifies the ID token: its RS256 signature with
the provider's published keys (JWKS), issuer, audience (our client id), expiry and nonce. What the
national SSO is known to give (../shared/INTEGRATION.md §1: `SoDinhDanh`, `HoVaTen`,
`NgayThangNamSinh`, `TechID`, `LoaiTaiKhoan`, the level) comes from the userinfo endpoint when there is
one, otherwise from the ID token, and is read into a `Citizen`. Every failure is a `VneidRefused`, a
Vietnamese message for a 4xx page (service/accounts/vneid_views.py), never a 500.

The development identity provider (vneid_simulator.py) is part of this app: calls to it go through the
app in process (`InProcess`), not over the network, so that a single-worker server never waits on
itself.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import urlsplit

import requests
from authlib.integrations.base_client import OAuthError
from authlib.integrations.flask_client import FlaskIntegration, FlaskOAuth2App
from authlib.integrations.requests_client import OAuth2Session
from flask import Flask, current_app, url_for
from joserfc.errors import BadSignatureError, ExpiredTokenError, JoseError
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from service.accounts.vneid_settings import enabled, uses_simulator
from service.identifiers import is_personal_id

SIMULATOR_PATH = "/simulators/vneid"
DISCOVERY_PATH = "/.well-known/openid-configuration"
METADATA_SECONDS = 3600  # the provider's discovery document and keys are fetched again after an hour
# LoaiTaiKhoan: 1 a citizen's account, 2 an organisation's (INTEGRATION.md §1).
CITIZEN_ACCOUNT = "1"
LEVEL_DIGIT = re.compile(r"([12])\s*$")


class VneidRefused(Exception):
    """A VNeID login that cannot go on: `message` for the citizen (Vietnamese), `reason` for the audit
    log (English), `status` of the page that tells it."""

    def __init__(self, message: str, reason: str, status: int = 400):
        super().__init__(reason)
        self.message, self.reason, self.status = message, reason, status


@dataclass(frozen=True)
class Citizen:
    """A person as VNeID vouches for them (claims verified: signed ID token, or userinfo bound to it)."""

    subject: str
    personal_id: str  # SoDinhDanh, the key an account is found by
    full_name: str
    tech_id: str | None = None
    birth_date: date | None = None
    account_type: str = CITIZEN_ACCOUNT
    level: int | None = None
    raw: dict = field(default_factory=dict, repr=False)


def configured() -> bool:
    return enabled(current_app.config)


def authorize_redirect():
    """The redirect to VNeID's authorization page (state, nonce and PKCE verifier kept in the session)."""
    client = _client()
    extra = (
        {"acr_values": current_app.config["VNEID_ACR_VALUES"]}
        if current_app.config["VNEID_ACR_VALUES"]
        else {}
    )
    try:
        return client.authorize_redirect(redirect_uri(), **extra)
    finally:
        _keep_metadata(client)


def redirect_uri() -> str:
    return current_app.config["VNEID_REDIRECT_URL"] or (
        current_app.config["APP_BASE_URL"] + url_for("vneid.callback")
    )


def finish() -> Citizen:
    """The callback's work: check state, exchange the code, verify the ID token, read the claims."""
    client = _client()
    try:
        token = client.authorize_access_token(claims_options=_claims_options(client), leeway=60)
        claims = dict(token.get("userinfo") or {})
        if not claims:
            raise VneidRefused(MESSAGE_INVALID, "no ID token in the token response")
        claims.update(_userinfo(client, token, claims["sub"]))
    except OAuthError as error:
        raise _oauth_refusal(error) from error
    except ExpiredTokenError as error:
        raise VneidRefused(MESSAGE_EXPIRED, f"ID token expired: {error}") from error
    except BadSignatureError as error:
        raise VneidRefused(MESSAGE_INVALID, "ID token signature does not verify") from error
    except JoseError as error:
        raise VneidRefused(MESSAGE_INVALID, f"ID token refused: {error}") from error
    except (requests.RequestException, ValueError) as error:
        raise VneidRefused(
            MESSAGE_UNREACHABLE, f"provider unreachable or answered badly: {error}", 503
        ) from error
    finally:
        _keep_metadata(client)
    return citizen_from(claims)


MESSAGE_INVALID = (
    "Không xác minh được thông tin đăng nhập do VNeID gửi về. Vui lòng đăng nhập lại; nếu vẫn không được, "
    "hãy đăng nhập bằng email và mật khẩu."
)
MESSAGE_EXPIRED = "Phiên đăng nhập VNeID đã hết hạn. Vui lòng đăng nhập lại bằng VNeID."
MESSAGE_STATE = (
    "Phiên đăng nhập VNeID không còn hợp lệ (đã dùng, đã hết hạn hoặc được mở từ trình duyệt khác). "
    "Vui lòng bấm lại nút “Đăng nhập bằng VNeID”."
)
MESSAGE_DENIED = "Bạn đã hủy đăng nhập bằng VNeID hoặc chưa đồng ý chia sẻ thông tin định danh."
MESSAGE_UNREACHABLE = "Hiện không kết nối được với VNeID. Vui lòng thử lại sau ít phút."


def _oauth_refusal(error: OAuthError) -> VneidRefused:
    kind = error.error or ""
    if kind == "mismatching_state":
        return VneidRefused(MESSAGE_STATE, "state does not match this browser's login")
    if kind in ("access_denied", "login_required", "consent_required"):
        return VneidRefused(MESSAGE_DENIED, f"provider answered {kind}", 403)
    return VneidRefused(MESSAGE_INVALID, f"provider answered {kind or 'an error'}: {error.description or ''}")


def _claims_options(client: FlaskOAuth2App) -> dict:
    # The issuer is always checked (from the discovery document, or VNEID_ISSUER), and so is the audience:
    # Authlib checks only `azp` against the client id unless told to.
    return {
        "iss": {"essential": True, "values": [client.server_metadata["issuer"]]},
        "aud": {"essential": True, "value": client.client_id},
        "exp": {"essential": True},
    }


def _userinfo(client: FlaskOAuth2App, token: dict, subject: str) -> dict:
    """The userinfo claims, which must be about the ID token's subject (OpenID Connect Core §5.3.2)."""
    if not client.server_metadata.get("userinfo_endpoint"):
        return {}
    info = dict(client.userinfo(token=token))
    if info.get("sub") != subject:
        raise VneidRefused(MESSAGE_INVALID, "userinfo is about another subject than the ID token")
    return info


def citizen_from(claims: dict) -> Citizen:
    """The verified claims read as a `Citizen`; a missing or malformed identity number is refused."""
    number = str(claims.get("SoDinhDanh") or "").strip()
    if not is_personal_id(number):
        raise VneidRefused(
            "VNeID không cung cấp số định danh cá nhân hợp lệ, nên không thể đăng nhập. Vui lòng liên hệ "
            "bộ phận một cửa.",
            "no valid SoDinhDanh in the claims",
        )
    return Citizen(
        subject=str(claims["sub"]),
        personal_id=number,
        full_name=" ".join(str(claims.get("HoVaTen") or "").split()),
        tech_id=str(claims["TechID"]) if claims.get("TechID") else None,
        birth_date=_birth_date(claims.get("NgayThangNamSinh")),
        account_type=str(claims.get("LoaiTaiKhoan") or CITIZEN_ACCOUNT),
        level=identity_level(claims),
        raw={k: v for k, v in claims.items() if k not in ("nonce", "at_hash")},
    )


def identity_level(claims: dict) -> int | None:
    """The level of the electronic identification account (Decree 69/2024: 1 or 2). Which claim carries
    it is unconfirmed (INTEGRATION.md §1): `IAL`, then `loAs` ("LoA2", or a list), then `acr`."""
    for name in ("IAL", "loAs", "acr"):
        value = claims.get(name)
        values = value if isinstance(value, list) else [value]
        levels = [int(m.group(1)) for v in values if v is not None and (m := LEVEL_DIGIT.search(str(v)))]
        if levels:
            return max(levels)
    return None


def _birth_date(value) -> date | None:
    """NgayThangNamSinh is yyyyMMdd (INTEGRATION.md §1); anything else is ignored, not fatal."""
    try:
        return datetime.strptime(str(value), "%Y%m%d").date() if value else None
    except ValueError:
        return None


# The provider's metadata (with its keys once fetched), by where it came from: shared by the requests
# of this process, fetched again after METADATA_SECONDS.
_metadata_cache: dict[str, dict] = {}
_metadata_lock = threading.Lock()


def _client() -> FlaskOAuth2App:
    """A client for this request, from the current configuration (APP_BASE_URL may differ per test)."""
    config = current_app.config
    if not enabled(config):
        raise VneidRefused("Đăng nhập bằng VNeID chưa được cấu hình.", "VNeID is not configured", 404)
    client_kwargs = {
        "scope": config["VNEID_SCOPES"],
        "token_endpoint_auth_method": config["VNEID_TOKEN_AUTH_METHOD"],
        "default_timeout": config["VNEID_TIMEOUT"],
    }
    if config["VNEID_PKCE"]:
        client_kwargs["code_challenge_method"] = "S256"
    return _App(
        FlaskIntegration("vneid"),
        "vneid",
        client_id=config["VNEID_CLIENT_ID"],
        client_secret=config["VNEID_CLIENT_SECRET"],
        client_kwargs=client_kwargs,
        **_metadata(config),
    )


def _metadata(config) -> dict:
    key = _metadata_source(config)
    with _metadata_lock:
        cached = _metadata_cache.get(key)
    if cached and time.time() - cached["_loaded_at"] < METADATA_SECONDS:
        return dict(cached)
    metadata = _discover(key) if key.startswith(("http://", "https://")) else _endpoints(config)
    metadata["_loaded_at"] = time.time()
    # Only the algorithms we accept, whatever the provider lists ("none" never).
    metadata["id_token_signing_alg_values_supported"] = config["VNEID_ID_TOKEN_ALGORITHMS"].split()
    with _metadata_lock:
        _metadata_cache[key] = metadata
    return dict(metadata)


def _metadata_source(config) -> str:
    if uses_simulator(config):
        return config["APP_BASE_URL"] + SIMULATOR_PATH + DISCOVERY_PATH
    return config["VNEID_METADATA_URL"] or "endpoints:" + config["VNEID_ISSUER"]


def _discover(url: str) -> dict:
    try:
        with _Session() as session:
            answer = session.request("GET", url, withhold_token=True)
            answer.raise_for_status()
            metadata = answer.json()
    except (requests.RequestException, ValueError) as error:
        raise VneidRefused(MESSAGE_UNREACHABLE, f"discovery document unavailable: {error}", 503) from error
    if not isinstance(metadata, dict) or not metadata.get("issuer"):
        raise VneidRefused(MESSAGE_UNREACHABLE, "discovery document without an issuer", 503)
    return metadata


def _endpoints(config) -> dict:
    return {
        "issuer": config["VNEID_ISSUER"],
        "authorization_endpoint": config["VNEID_AUTHORIZE_URL"],
        "token_endpoint": config["VNEID_TOKEN_URL"],
        "userinfo_endpoint": config["VNEID_USERINFO_URL"] or None,
        "jwks_uri": config["VNEID_JWKS_URL"],
    }


def _keep_metadata(client: FlaskOAuth2App) -> None:
    """Keep the keys the client fetched (jwks) for the next login, unless they were refreshed since."""
    key = _metadata_source(current_app.config)
    with _metadata_lock:
        cached = _metadata_cache.get(key)
        if cached and cached.get("_loaded_at") == client.server_metadata.get("_loaded_at"):
            cached.update(client.server_metadata)


def forget_metadata() -> None:
    """Fetch the provider's metadata and keys afresh at the next login (tests; a key rotation)."""
    with _metadata_lock:
        _metadata_cache.clear()


class InProcess(BaseAdapter):
    """A requests transport that hands a request to the app itself (its WSGI test client): how the
    client reaches the development identity provider mounted in the same app."""

    def __init__(self, app: Flask):
        super().__init__()
        self.app = app

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        parts = urlsplit(request.url)
        answer = self.app.test_client().open(
            parts.path,
            method=request.method,
            query_string=parts.query,
            data=request.body,
            headers={k: v for k, v in request.headers.items() if k.lower() != "content-length"},
        )
        response = requests.Response()
        response.status_code = answer.status_code
        response._content = answer.get_data()
        response.headers = CaseInsensitiveDict(answer.headers)
        response.url, response.request, response.encoding = request.url, request, "utf-8"
        return response

    def close(self) -> None:
        pass


class _Session(OAuth2Session):
    """Authlib's requests session, with the app's own simulator routed in process."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        app = current_app._get_current_object()  # type: ignore[attr-defined]  # the proxy's app
        if app.config["VNEID_SIMULATOR"]:
            self.mount(app.config["APP_BASE_URL"] + SIMULATOR_PATH + "/", InProcess(app))


class _App(FlaskOAuth2App):
    client_cls = _Session
