"""Whether the national portal sync is configured, and where each call goes: plain functions of the
configuration, for the jobs, the safe start (service/safety.py), `flask doctor` and the indicators."""

from __future__ import annotations

from collections.abc import Mapping

from service.connections import SIMULATOR as SIMULATOR  # the tests name it here
from service.connections import Connection

SIMULATOR_PATH = "/simulators/national-portal"
URLS = ("NATIONAL_PORTAL_CREATE_URL", "NATIONAL_PORTAL_UPDATE_URL", "NATIONAL_PORTAL_PROGRESS_URL")
REQUIRED = ("NATIONAL_PORTAL_BASE_URL", *URLS, "NATIONAL_PORTAL_AGENCY_CODE")
CLIENT = ("NATIONAL_PORTAL_CLIENT_ID", "NATIONAL_PORTAL_CLIENT_SECRET")  # with NATIONAL_PORTAL_TOKEN_URL
OFF_REASON = (
    "Chưa kết nối Cổng Dịch vụ công quốc gia (chưa cấu hình NATIONAL_PORTAL_BASE_URL): "
    "hồ sơ không được đồng bộ."
)


CONNECTION = Connection("NATIONAL_PORTAL", SIMULATOR_PATH)
given, uses_simulator = CONNECTION.given, CONNECTION.uses_simulator
base_url, url, headers = CONNECTION.base_url, CONNECTION.url, CONNECTION.headers


def missing(config: Mapping) -> list[str]:
    """What a sync that has been started on still lacks (empty when the base URL is unset: off)."""
    if not given(config):
        return []
    client = (
        [name for name in CLIENT if not config.get(name)] if config.get("NATIONAL_PORTAL_TOKEN_URL") else []
    )
    return CONNECTION.lacking(config, REQUIRED, *client)


def enabled(config: Mapping) -> bool:
    """Steps are queued for the portal only when nothing is missing."""
    return given(config) and not missing(config)
