"""Valid sample content for a procedure's e-form and attachments: the demo data and the tests' factories."""

from __future__ import annotations

import struct
import zlib
from datetime import date
from typing import Any

from service.divisions import ward_choices

# Key fragments to plausible demo text, most specific first.
SAMPLE_TEXT = (
    ("code", "5520227"),  # a 7-digit occupation code of the national list
    ("school", "Trường Trung cấp Kỹ thuật - Nghiệp vụ An Giang"),
    ("institution", "Trung tâm Giáo dục nghề nghiệp Long Xuyên"),
    ("class", "Lớp Trung cấp Điện công nghiệp K15"),
    ("occupation", "Điện công nghiệp"),
    ("representative", "Trần Thị Bình"),
    ("reason", "Đề nghị xem xét theo quy định hiện hành"),
    ("name", "Nguyễn Văn An"),
)


def sample_pairs(fields: list[dict[str, Any]], province_code: int = 91) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for spec in fields:
        pairs.extend(_sample(spec, spec["key"], province_code))
    return pairs


def _sample(spec: dict[str, Any], name: str, province_code: int) -> list[tuple[str, str]]:
    kind = spec["type"]
    if kind == "table":
        rows = max(1, int(spec.get("min_rows", 1)))
        return [
            pair
            for row in range(rows)
            for column in spec["columns"]
            for pair in _sample(column, f"{name}-{row}-{column['key']}", province_code)
        ]
    if kind == "address":
        ward = ward_choices(province_code)[0][0]
        return [
            (f"{name}-province", str(province_code)),
            (f"{name}-ward", ward),
            (f"{name}-street", "Số 12 đường Trần Hưng Đạo"),
        ]
    return [(name, _scalar(spec))]


def _scalar(spec: dict[str, Any]) -> str:
    kind, key = spec["type"], spec["key"]
    if kind == "number":
        low, high = spec.get("min", 1), spec.get("max", 100)
        return str(max(low if low is not None else 1, min(high if high is not None else 100, 50)))
    if kind == "date":
        return date(2005, 3, 15).isoformat()
    if kind == "choice":
        return str(spec["choices"][0][0])
    if kind == "cccd":
        return "089205001234"
    if kind == "phone":
        return "0912345678"
    if kind == "email":
        return "lienhe@example.vn"
    for hint, text in SAMPLE_TEXT:
        if hint in key:
            return text[: int(spec.get("max_length", 255))]
    return "Nội dung kê khai mẫu"[: int(spec.get("max_length", 255))]


def pdf_bytes(title: str = "Tai lieu mau") -> bytes:
    """A small, valid one-page PDF (ASCII text only), built by hand to need no PDF library."""
    stream = f"BT /F1 14 Tf 72 760 Td ({title}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def png_bytes(width: int = 4, height: int = 4) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    raw = b"".join(b"\x00" + b"\x20\x60\xa0" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def sample_file(file_types: list[str], title: str) -> tuple[bytes, str]:
    if "pdf" in file_types:
        return pdf_bytes(title), f"{title}.pdf"
    if "png" in file_types:
        return png_bytes(), f"{title}.png"
    raise ValueError(f"no sample for {file_types}")
