"""Calls from the app to a gateway's JSON API. In tests ("inline" delivery) a gateway that is the
app's own simulator is reached through the app itself instead of the network; so is it when a
command runs while the development server is down (the simulator is part of this app)."""

from __future__ import annotations

from urllib.parse import urlsplit

import requests
from flask import current_app


class GatewayUnavailable(RuntimeError):
    pass


def post_json(url: str, body: dict, timeout: int = 15, headers: dict[str, str] | None = None) -> dict:
    answer = post(url, body, timeout, headers)
    try:
        found = answer.json() if isinstance(answer, requests.Response) else answer.get_json()
    except ValueError as error:
        raise GatewayUnavailable(str(error)) from error
    return found if isinstance(found, dict) else {}


def post_for_content(
    url: str, body: dict, timeout: int = 30, headers: dict[str, str] | None = None
) -> tuple[str, bytes]:
    """A call whose answer may be a file (the payment platform's receipt): its type and bytes."""
    answer = post(url, body, timeout, headers)
    if isinstance(answer, requests.Response):
        return answer.headers.get("Content-Type", ""), answer.content
    return answer.content_type or "", answer.get_data()


def post(url: str, body: dict, timeout: int, headers: dict[str, str] | None):
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # the proxy's app
    own_simulator = app.config["PAYMENT_SIMULATORS"] and url.startswith(
        app.config["APP_BASE_URL"] + "/simulators/"
    )
    if own_simulator and app.config.get("SIMULATOR_DELIVERY") == "inline":
        return _in_process(url, body, headers)
    try:
        answer = requests.post(url, json=body, timeout=timeout, headers=headers)
    except requests.ConnectionError as error:
        if own_simulator:
            return _in_process(url, body, headers)
        raise GatewayUnavailable(str(error)) from error
    except requests.RequestException as error:
        raise GatewayUnavailable(str(error)) from error
    return answer


def _in_process(url: str, body: dict, headers: dict[str, str] | None):
    return current_app.test_client().post(urlsplit(url).path, json=body, headers=headers or {})
