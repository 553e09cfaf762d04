"""The settings of a connection to an outside service (the national portal, the postal carrier): all
named PREFIX_..., read as plain functions of the configuration. The base URL is the service's, or
"simulator" for this application's local simulator; each call's URL is absolute as given or relative to
the base; the headers (credentials included) are a JSON object."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

SIMULATOR = "simulator"  # a base URL naming the local simulator


@dataclass(frozen=True)
class Connection:
    prefix: str  # "POSTAL": POSTAL_BASE_URL, POSTAL_HEADERS, POSTAL_SIMULATOR, ...
    simulator_path: str  # where this application mounts the service's simulator

    def given(self, config: Mapping) -> bool:
        return bool(config.get(f"{self.prefix}_BASE_URL"))

    def uses_simulator(self, config: Mapping) -> bool:
        return config.get(f"{self.prefix}_BASE_URL") == SIMULATOR

    def lacking(self, config: Mapping, required: tuple[str, ...], *also: str) -> list[str]:
        """The required settings not given, the simulator's switch when it is named, then `also` (what the
        caller found lacking besides), then malformed headers."""
        lacking = [name for name in required if not config.get(name)]
        if self.uses_simulator(config) and not config.get(f"{self.prefix}_SIMULATOR"):
            lacking.append(f"{self.prefix}_SIMULATOR")
        lacking += also
        return lacking + ([] if self.headers(config) is not None else [f"{self.prefix}_HEADERS"])

    def base_url(self, config: Mapping) -> str:
        if self.uses_simulator(config):
            return config["APP_BASE_URL"] + self.simulator_path
        return str(config.get(f"{self.prefix}_BASE_URL") or "").rstrip("/")

    def url(self, config: Mapping, name: str, **values: str) -> str:
        """A setting's URL: absolute as given, or relative to the base URL ({placeholders} filled)."""
        value = str(config.get(name) or "").format(**values)
        if value.startswith(("http://", "https://")):
            return value
        return f"{self.base_url(config)}/{value.lstrip('/')}"

    def headers(self, config: Mapping) -> dict[str, str] | None:
        """The configured headers; None when PREFIX_HEADERS is not a JSON object."""
        try:
            value = json.loads(config.get(f"{self.prefix}_HEADERS") or "{}")
        except ValueError:
            return None
        if not isinstance(value, dict):
            return None
        return {str(k): str(v) for k, v in value.items()}
