"""Whether results by post are connected to the carrier, and where each call goes: plain functions of
the configuration, for the jobs, the safe start (service/safety.py) and `flask doctor`.

Unconfirmed facts (../shared/INTEGRATION.md §5, marked U) are settings: the order and tracking URLs,
the credentials' header, which `Status` means success, the answer's tracking-number field and the
status callback (its secret; no callback until one is set)."""

from __future__ import annotations

from collections.abc import Mapping

from service.connections import Connection

SIMULATOR_PATH = "/simulators/postal"
REQUIRED = ("POSTAL_BASE_URL", "POSTAL_CREATE_URL", "POSTAL_TRACK_URL", "POSTAL_CUSTOMER_CODE")
OFF_REASON = "Chưa kết nối dịch vụ bưu chính (chưa cấu hình POSTAL_BASE_URL): không tạo được đơn gửi kết quả."


CONNECTION = Connection("POSTAL", SIMULATOR_PATH)
given, uses_simulator = CONNECTION.given, CONNECTION.uses_simulator
base_url, url, headers = (
    CONNECTION.base_url,
    CONNECTION.url,
    CONNECTION.headers,
)  # url: "{item}", the tracking number


def missing(config: Mapping) -> list[str]:
    """What a connection that has been started on still lacks (empty when the base URL is unset: off)."""
    return CONNECTION.lacking(config, REQUIRED) if given(config) else []


def enabled(config: Mapping) -> bool:
    return given(config) and not missing(config)


def ok_statuses(config: Mapping) -> frozenset[str]:
    return frozenset(
        s.strip().lower() for s in str(config.get("POSTAL_OK_STATUSES") or "").split(",") if s.strip()
    )


def item_fields(config: Mapping) -> tuple[str, ...]:
    return tuple(s.strip() for s in str(config.get("POSTAL_ITEM_CODE_FIELDS") or "").split(",") if s.strip())


def callback_secret(config: Mapping) -> str:
    return str(config.get("POSTAL_CALLBACK_SECRET") or "")
