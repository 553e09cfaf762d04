"""VietQR (NAPAS 247) dynamic QR: an EMVCo merchant-presented payload with our reference in the
purpose-of-transfer field, and a CRC-16/CCITT-FALSE checksum (facts in shared/PAYMENTS.md)."""

from __future__ import annotations

NAPAS_GUID = "A000000727"
SERVICE_TO_ACCOUNT = "QRIBFTTA"


def field(tag: str, value: str) -> str:
    if len(value) > 99:
        raise ValueError(f"EMVCo field {tag} is longer than 99 characters")
    return f"{tag}{len(value):02d}{value}"


def crc16_ccitt_false(data: bytes) -> int:
    """Poly 0x1021, init 0xFFFF, no reflection, no final xor; check("123456789") == 0x29B1."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
            crc &= 0xFFFF
    return crc


def payload(bank_bin: str, account: str, amount_vnd: int | None, purpose: str) -> str:
    """A dynamic QR (`010212`) when an amount is given, static (`010211`) otherwise."""
    if not purpose.isascii():
        raise ValueError("the purpose of transfer must be ASCII")
    account_info = (
        field("00", NAPAS_GUID)
        + field("01", field("00", bank_bin) + field("01", account))
        + field("02", SERVICE_TO_ACCOUNT)
    )
    body = (
        field("00", "01")
        + field("01", "12" if amount_vnd else "11")
        + field("38", account_info)
        + field("53", "704")
    )
    if amount_vnd:
        body += field("54", str(int(amount_vnd)))
    body += field("58", "VN") + field("62", field("08", purpose)) + "6304"
    return body + f"{crc16_ccitt_false(body.encode('ascii')):04X}"


def parse(data: str) -> dict[str, str]:
    """The top-level fields of a payload (ID → value); ValueError if malformed or the CRC is wrong."""
    if len(data) < 8 or data[-8:-4] != "6304":
        raise ValueError("no CRC field")
    if f"{crc16_ccitt_false(data[:-4].encode('ascii')):04X}" != data[-4:].upper():
        raise ValueError("CRC mismatch")
    return fields(data[:-8])


def fields(data: str) -> dict[str, str]:
    """ID(2) LEN(2) VALUE, repeated."""
    found, position = {}, 0
    while position < len(data):
        tag, size = data[position : position + 2], data[position + 2 : position + 4]
        if len(tag) < 2 or not size.isdigit() or position + 4 + int(size) > len(data):
            raise ValueError(f"malformed field at {position}")
        found[tag] = data[position + 4 : position + 4 + int(size)]
        position += 4 + int(size)
    return found
