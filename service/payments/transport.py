"""Calls from the app to a gateway's JSON API. In tests ("inline" delivery) a gateway that is the
app's own simulator is reached through the app itself instead of the network."""

from __future__ import annotations

from urllib.parse import urlsplit

import requests
from flask import current_app


class GatewayUnavailable(RuntimeError):
    pass


def post_json(url: str, body: dict, timeout: int = 15) -> dict:
    app = current_app._get_current_object()
    if app.config.get("SIMULATOR_DELIVERY") == "inline" and url.startswith(app.config["APP_BASE_URL"]):
        response = app.test_client().post(urlsplit(url).path, json=body)
        return response.get_json() or {}
    try:
        return requests.post(url, json=body, timeout=timeout).json()
    except (requests.RequestException, ValueError) as error:
        raise GatewayUnavailable(str(error)) from error
