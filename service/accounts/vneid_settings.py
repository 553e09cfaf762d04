"""Whether the VNeID login is configured, and what a half configuration lacks: plain functions of the
configuration, for the login page, the safe start (service/safety.py) and `flask doctor`."""

from __future__ import annotations

from collections.abc import Mapping

# Naming the provider without a discovery document: its issuer (checked in every ID token) and the
# endpoints the login needs (userinfo is optional: without it the ID token's claims are used).
ENDPOINTS = ("VNEID_ISSUER", "VNEID_AUTHORIZE_URL", "VNEID_TOKEN_URL", "VNEID_JWKS_URL")
PROVIDER = ("VNEID_METADATA_URL", *ENDPOINTS, "VNEID_USERINFO_URL")
CREDENTIALS = ("VNEID_CLIENT_ID", "VNEID_CLIENT_SECRET")
SETTINGS = (*CREDENTIALS, *PROVIDER, "VNEID_REDIRECT_URL")


def given(config: Mapping) -> bool:
    """Something of the VNeID login is set: from then on all it needs must be."""
    return any(config.get(name) for name in SETTINGS)


def missing(config: Mapping) -> list[str]:
    """The settings a VNeID login that has been started on still lacks (empty when none is set: off)."""
    if not given(config):
        return []
    lacking = [name for name in CREDENTIALS if not config.get(name)]
    if config.get("VNEID_METADATA_URL") or (config.get("VNEID_SIMULATOR") and not _any_endpoint(config)):
        return lacking
    return lacking + [name for name in ENDPOINTS if not config.get(name)]


def enabled(config: Mapping) -> bool:
    """The "Đăng nhập bằng VNeID" button is shown, and the login works, only when nothing is missing."""
    return given(config) and not missing(config)


def uses_simulator(config: Mapping) -> bool:
    """No provider named and the development simulator mounted: the simulator is the provider."""
    return (
        bool(config.get("VNEID_SIMULATOR"))
        and not config.get("VNEID_METADATA_URL")
        and not _any_endpoint(config)
    )


def _any_endpoint(config: Mapping) -> bool:
    return any(config.get(name) for name in ENDPOINTS)
