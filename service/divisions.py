"""Post-2025 administrative units (34 provinces, communes without districts) from vietnam-provinces."""

from __future__ import annotations

from functools import lru_cache

from vietnam_provinces import Province, ProvinceCode, Ward, WardCode

from service.text import fold


@lru_cache(maxsize=1)
def province_choices() -> list[tuple[str, str]]:
    provinces = sorted(Province.iter_all(), key=lambda p: fold(p.name))
    return [(str(int(p.code)), p.name) for p in provinces]


@lru_cache(maxsize=64)
def ward_choices(province_code: int) -> list[tuple[str, str]]:
    try:
        wards = Ward.iter_by_province(ProvinceCode(province_code))
    except ValueError:
        return []
    return [(str(int(w.code)), w.name) for w in sorted(wards, key=lambda w: fold(w.name))]


def province_name(code: str | int | None) -> str:
    try:
        return Province.from_code(ProvinceCode(int(code))).name
    except (TypeError, ValueError):
        return ""


def ward_name(code: str | int | None) -> str:
    try:
        return Ward.from_code(WardCode(int(code))).name
    except (TypeError, ValueError):
        return ""


def ward_in_province(ward_code: str | int | None, province_code: str | int | None) -> bool:
    try:
        return int(Ward.from_code(WardCode(int(ward_code))).province_code) == int(province_code)
    except (TypeError, ValueError):
        return False
