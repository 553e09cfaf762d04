"""Calls from the app to a gateway's JSON API. In tests ("inline" delivery) a gateway that is the
app's own simulator is reached through the app itself instead of the network; so is it when a
command runs while the development server is down (the simulator is part of this app)."""

from __future__ import annotations

from urllib.parse import urlsplit

import requests
from flask import current_app


class GatewayUnavailable(RuntimeError):
    pass


def post_json(url: str, body: dict, timeout: int = 15) -> dict:
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # the proxy's app
    own_simulator = app.config["PAYMENT_SIMULATORS"] and url.startswith(
        app.config["APP_BASE_URL"] + "/simulators/"
    )
    if own_simulator and app.config.get("SIMULATOR_DELIVERY") == "inline":
        return _in_process(url, body)
    try:
        return requests.post(url, json=body, timeout=timeout).json()
    except requests.ConnectionError as error:
        if own_simulator:
            return _in_process(url, body)
        raise GatewayUnavailable(str(error)) from error
    except (requests.RequestException, ValueError) as error:
        raise GatewayUnavailable(str(error)) from error


def _in_process(url: str, body: dict) -> dict:
    response = current_app.test_client().post(urlsplit(url).path, json=body)
    return response.get_json() or {}
