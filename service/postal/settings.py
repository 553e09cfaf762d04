"""Whether results by post are connected to the carrier, and where each call goes: plain functions of
the configuration, for the jobs, the safe start (service/safety.py) and `flask doctor`.

Unconfirmed facts (../shared/INTEGRATION.md §5, marked U) are settings: the order and tracking URLs,
the credentials' header, which `Status` means success, the answer's tracking-number field and the
status callback (its secret; no callback until one is set)."""

from __future__ import annotations

import json
from collections.abc import Mapping

SIMULATOR = "simulator"  # POSTAL_BASE_URL naming the local simulator
SIMULATOR_PATH = "/simulators/postal"
REQUIRED = ("POSTAL_BASE_URL", "POSTAL_CREATE_URL", "POSTAL_TRACK_URL", "POSTAL_CUSTOMER_CODE")
OFF_REASON = "Chưa kết nối dịch vụ bưu chính (chưa cấu hình POSTAL_BASE_URL): không tạo được đơn gửi kết quả."


def given(config: Mapping) -> bool:
    return bool(config.get("POSTAL_BASE_URL"))


def missing(config: Mapping) -> list[str]:
    """What a connection that has been started on still lacks (empty when the base URL is unset: off)."""
    if not given(config):
        return []
    lacking = [name for name in REQUIRED if not config.get(name)]
    if uses_simulator(config) and not config.get("POSTAL_SIMULATOR"):
        lacking.append("POSTAL_SIMULATOR")
    return lacking + ([] if headers(config) is not None else ["POSTAL_HEADERS"])


def enabled(config: Mapping) -> bool:
    return given(config) and not missing(config)


def uses_simulator(config: Mapping) -> bool:
    return config.get("POSTAL_BASE_URL") == SIMULATOR


def base_url(config: Mapping) -> str:
    if uses_simulator(config):
        return config["APP_BASE_URL"] + SIMULATOR_PATH
    return str(config.get("POSTAL_BASE_URL") or "").rstrip("/")


def url(config: Mapping, name: str, **values: str) -> str:
    """A setting's URL: absolute as given, or relative to the base URL ("{item}": the tracking number)."""
    value = str(config.get(name) or "").format(**values)
    if value.startswith(("http://", "https://")):
        return value
    return f"{base_url(config)}/{value.lstrip('/')}"


def headers(config: Mapping) -> dict[str, str] | None:
    """The configured headers (the integration platform's `access_token`, MyVNPost's `token`); None
    when POSTAL_HEADERS is not a JSON object."""
    try:
        value = json.loads(config.get("POSTAL_HEADERS") or "{}")
    except ValueError:
        return None
    if not isinstance(value, dict):
        return None
    return {str(k): str(v) for k, v in value.items()}


def ok_statuses(config: Mapping) -> frozenset[str]:
    return frozenset(
        s.strip().lower() for s in str(config.get("POSTAL_OK_STATUSES") or "").split(",") if s.strip()
    )


def item_fields(config: Mapping) -> tuple[str, ...]:
    return tuple(s.strip() for s in str(config.get("POSTAL_ITEM_CODE_FIELDS") or "").split(",") if s.strip())


def callback_secret(config: Mapping) -> str:
    return str(config.get("POSTAL_CALLBACK_SECRET") or "")
