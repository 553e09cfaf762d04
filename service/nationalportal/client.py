"""`PortalSync`: the national portal's receiving API, as the public client code shows it
(../shared/INTEGRATION.md §2). Every call posts a JSON array; the portal answers
`{"error_code": "0", "message": ...}`. A record it already holds is refused with "đã tồn tại" and is
then sent to the update URL; progress goes 10 entries at a time. The local simulator is reached through
this same code: over HTTP, or, in tests ("inline" delivery) and while the development server is down,
through the app itself (as the payment simulators are, service/payments/transport.py)."""

from __future__ import annotations

import base64
import json
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from flask import current_app

from service.nationalportal import settings

PROGRESS_BATCH = 10
ALREADY_EXISTS = "đã tồn tại"


class PortalUnavailable(RuntimeError):
    """No answer, or not one the protocol allows: the push is retried."""


class PortalRefused(RuntimeError):
    """The portal answered with an error: the push is retried, then waits for an administrator."""


@dataclass(frozen=True)
class Answer:
    url: str  # themmoi, capnhat or tientrinh: where it was sent
    error_code: str
    message: str
    raw: str  # as received, kept as the acknowledgement

    @property
    def ok(self) -> bool:
        return self.error_code == "0"

    @property
    def already_exists(self) -> bool:
        return ALREADY_EXISTS in unicodedata.normalize("NFC", self.message).lower()


class PortalSync:
    def __init__(self, config: Mapping):
        self.config = config
        self._access: str | None = None

    def push_dossier(self, record: dict[str, Any]) -> Answer:
        """Add the dossier; if the portal holds it already (a lost acknowledgement, a later step), update."""
        answer = self._post("themmoi", [record])
        if not answer.ok and answer.already_exists:
            answer = self._post("capnhat", [record])
        return self._accepted(answer)

    def update_dossier(self, record: dict[str, Any]) -> Answer:
        return self._accepted(self._post("capnhat", [record]))

    def push_progress(self, entries: list[dict[str, Any]]) -> list[Answer]:
        return [
            self._accepted(self._post("tientrinh", entries[start : start + PROGRESS_BATCH]))
            for start in range(0, len(entries), PROGRESS_BATCH)
        ]

    def lookup(self, code: str) -> dict[str, Any] | None:
        """The dossier as the portal holds it (None when unknown or when no lookup URL is set)."""
        if not self.config.get("NATIONAL_PORTAL_LOOKUP_URL"):
            return None
        url = settings.url(self.config, "NATIONAL_PORTAL_LOOKUP_URL", ma=code)
        status, body = _exchange("GET", url, None, self._headers(), self.config)
        if status == 404:
            return None
        answer = _answer("hoso", status, body)
        result = json.loads(body).get("result") if answer.ok else None
        return result if isinstance(result, dict) else None

    def _post(self, name: str, payload: list[dict[str, Any]]) -> Answer:
        setting = {"themmoi": "CREATE", "capnhat": "UPDATE", "tientrinh": "PROGRESS"}[name]
        url = settings.url(self.config, f"NATIONAL_PORTAL_{setting}_URL")
        status, body = _exchange("POST", url, payload, self._headers(), self.config)
        return _answer(name, status, body)

    def _headers(self) -> dict[str, str]:
        headers = settings.headers(self.config) or {}
        if self.config.get("NATIONAL_PORTAL_TOKEN_URL"):
            headers["Authorization"] = f"Bearer {self._token()}"
        return headers

    def _token(self) -> str:
        """Through the integration platform: an OAuth2 client-credentials token, one per adapter (a job)."""
        if self._access is None:
            url = settings.url(self.config, "NATIONAL_PORTAL_TOKEN_URL")
            client = (
                f"{self.config['NATIONAL_PORTAL_CLIENT_ID']}:{self.config['NATIONAL_PORTAL_CLIENT_SECRET']}"
            )
            basic = {"Authorization": "Basic " + base64.b64encode(client.encode()).decode()}
            status, body = _exchange(
                "POST", url, None, basic, self.config, form={"grant_type": "client_credentials"}
            )
            try:
                token = json.loads(body).get("access_token") if status == 200 else None
            except (ValueError, AttributeError):
                token = None
            if not token:
                raise PortalUnavailable(f"token: HTTP {status}, không nhận được access_token")
            self._access = str(token)
        return self._access

    @staticmethod
    def _accepted(answer: Answer) -> Answer:
        if not answer.ok:
            raise PortalRefused(f"{answer.url}: {answer.error_code} {answer.message}")
        return answer


def _answer(name: str, status: int, body: str) -> Answer:
    try:
        data = json.loads(body)
    except ValueError as error:
        raise PortalUnavailable(f"{name}: HTTP {status}, câu trả lời không phải JSON") from error
    if not isinstance(data, dict) or "error_code" not in data:
        raise PortalUnavailable(f"{name}: HTTP {status}, câu trả lời không có error_code")
    return Answer(name, str(data["error_code"]), str(data.get("message") or ""), body[:4000])


def _exchange(
    method: str, url: str, payload, headers: dict, config: Mapping, form: dict | None = None
) -> tuple[int, str]:
    own_simulator = bool(config.get("NATIONAL_PORTAL_SIMULATOR")) and url.startswith(
        config["APP_BASE_URL"] + settings.SIMULATOR_PATH + "/"
    )
    if own_simulator and config.get("SIMULATOR_DELIVERY") == "inline":
        return _in_process(method, url, payload, headers, form)
    try:
        response = requests.request(
            method, url, json=payload, data=form, headers=headers, timeout=config["NATIONAL_PORTAL_TIMEOUT"]
        )
    except requests.ConnectionError as error:
        if own_simulator:
            return _in_process(method, url, payload, headers, form)
        raise PortalUnavailable(str(error)) from error
    except requests.RequestException as error:
        raise PortalUnavailable(str(error)) from error
    return response.status_code, response.text


def _in_process(method: str, url: str, payload, headers: dict, form: dict | None) -> tuple[int, str]:
    client = current_app.test_client()
    body = {"data": form} if form is not None else {"json": payload}
    response = client.open(urlsplit(url).path, method=method, headers=headers, **body)
    return response.status_code, response.get_data(as_text=True)
