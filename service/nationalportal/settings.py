"""Whether the national portal sync is configured, and where each call goes: plain functions of the
configuration, for the jobs, the safe start (service/safety.py), `flask doctor` and the indicators."""

from __future__ import annotations

import json
from collections.abc import Mapping

SIMULATOR = "simulator"  # NATIONAL_PORTAL_BASE_URL naming the local simulator
SIMULATOR_PATH = "/simulators/national-portal"
URLS = ("NATIONAL_PORTAL_CREATE_URL", "NATIONAL_PORTAL_UPDATE_URL", "NATIONAL_PORTAL_PROGRESS_URL")
REQUIRED = ("NATIONAL_PORTAL_BASE_URL", *URLS, "NATIONAL_PORTAL_AGENCY_CODE")
CLIENT = ("NATIONAL_PORTAL_CLIENT_ID", "NATIONAL_PORTAL_CLIENT_SECRET")  # with NATIONAL_PORTAL_TOKEN_URL
OFF_REASON = (
    "Chưa kết nối Cổng Dịch vụ công quốc gia (chưa cấu hình NATIONAL_PORTAL_BASE_URL): "
    "hồ sơ không được đồng bộ."
)


def given(config: Mapping) -> bool:
    return bool(config.get("NATIONAL_PORTAL_BASE_URL"))


def missing(config: Mapping) -> list[str]:
    """What a sync that has been started on still lacks (empty when the base URL is unset: off)."""
    if not given(config):
        return []
    lacking = [name for name in REQUIRED if not config.get(name)]
    if uses_simulator(config) and not config.get("NATIONAL_PORTAL_SIMULATOR"):
        lacking.append("NATIONAL_PORTAL_SIMULATOR")
    if config.get("NATIONAL_PORTAL_TOKEN_URL"):
        lacking += [name for name in CLIENT if not config.get(name)]
    return lacking + ([] if headers(config) is not None else ["NATIONAL_PORTAL_HEADERS"])


def enabled(config: Mapping) -> bool:
    """Steps are queued for the portal only when nothing is missing."""
    return given(config) and not missing(config)


def uses_simulator(config: Mapping) -> bool:
    return config.get("NATIONAL_PORTAL_BASE_URL") == SIMULATOR


def base_url(config: Mapping) -> str:
    if uses_simulator(config):
        return config["APP_BASE_URL"] + SIMULATOR_PATH
    return str(config.get("NATIONAL_PORTAL_BASE_URL") or "").rstrip("/")


def url(config: Mapping, name: str, **values: str) -> str:
    """A setting's URL: absolute as given, or relative to the base URL."""
    value = str(config.get(name) or "").format(**values)
    if value.startswith(("http://", "https://")):
        return value
    return f"{base_url(config)}/{value.lstrip('/')}"


def headers(config: Mapping) -> dict[str, str] | None:
    """The configured headers (credentials); None when NATIONAL_PORTAL_HEADERS is not a JSON object."""
    raw = config.get("NATIONAL_PORTAL_HEADERS") or "{}"
    try:
        value = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(value, dict):
        return None
    return {str(k): str(v) for k, v in value.items()}
