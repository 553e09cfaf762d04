"""`PostalCarrier`: VNPost's order and tracking API over HTTP (../shared/INTEGRATION.md §5), speaking
the wire names of service/postal/protocol.py. The local simulator is reached through this same code:
over HTTP, or, in tests ("inline" delivery) and while the development server is down, through the app
itself (as the national portal's, service/nationalportal/client.py)."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

import requests
from flask import current_app

from service.postal import protocol, settings


class CarrierUnavailable(RuntimeError):
    """No answer, or not one the protocol allows: the order is asked again later."""


class CarrierRefused(RuntimeError):
    """The carrier answered and refused: retried (a fault may pass), then waits for an administrator."""


class PostalCarrier:
    def __init__(self, config: Mapping):
        self.config = config

    def create(self, order: protocol.Order) -> protocol.Created:
        """The order: its tracking number (ItemCode) and the carrier's order id."""
        payload = protocol.order_payload(order)
        status, body = _exchange("POST", settings.url(self.config, "POSTAL_CREATE_URL"), payload, self.config)
        if status >= 500:
            raise CarrierUnavailable(f"CreateOrder: HTTP {status}")
        try:
            return protocol.parse_created(
                body, settings.ok_statuses(self.config), settings.item_fields(self.config)
            )
        except protocol.Refused as refusal:
            raise CarrierRefused(f"CreateOrder: {refusal}") from refusal
        except protocol.ProtocolError as error:
            raise CarrierUnavailable(f"CreateOrder: HTTP {status}, {error}") from error

    def track(self, item_code: str) -> protocol.StatusReport:
        url = settings.url(self.config, "POSTAL_TRACK_URL", item=item_code)
        status, body = _exchange("GET", url, None, self.config)
        if status != 200:
            raise CarrierUnavailable(f"tracking {item_code}: HTTP {status}")
        try:
            return protocol.parse_tracking(body)
        except protocol.ProtocolError as error:
            raise CarrierUnavailable(f"tracking {item_code}: {error}") from error


def _exchange(method: str, url: str, payload, config: Mapping) -> tuple[int, str]:
    headers = settings.headers(config) or {}
    own_simulator = bool(config.get("POSTAL_SIMULATOR")) and url.startswith(
        config["APP_BASE_URL"] + settings.SIMULATOR_PATH + "/"
    )
    if own_simulator and config.get("SIMULATOR_DELIVERY") == "inline":
        return _in_process(method, url, payload, headers)
    try:
        response = requests.request(
            method, url, json=payload, headers=headers, timeout=config["POSTAL_TIMEOUT"]
        )
    except requests.ConnectionError as error:
        if own_simulator:
            return _in_process(method, url, payload, headers)
        raise CarrierUnavailable(str(error)) from error
    except requests.RequestException as error:
        raise CarrierUnavailable(str(error)) from error
    return response.status_code, response.text


def _in_process(method: str, url: str, payload, headers: dict) -> tuple[int, str]:
    response = current_app.test_client().open(
        urlsplit(url).path, method=method, headers=headers, json=payload
    )
    return response.status_code, response.get_data(as_text=True)
