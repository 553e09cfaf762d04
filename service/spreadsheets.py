"""Uploaded Excel workbooks (.xlsx) checked before any parser sees them, and read within bounds.

An .xlsx file is a zip of XML parts. A few hundred kilobytes can unpack to gigabytes (a sheet of
millions of identical empty cells compresses a thousand to one), and openpyxl, even in read-only mode,
loads the shared strings and styles whole and turns every cell of a row into objects; a probe pushed a
worker to 1.8 GB with a 260 KB file. So the zip's directory is read first (members, declared sizes,
compression ratios), then every part is decompressed as a stream (one chunk at a time, never whole)
and its rows, cells and shared strings counted; a file over any limit is refused with a message for
the person who uploaded it before openpyxl is called. `rows()` then reads a checked sheet with its row
and column bounds, so that nothing past them is ever built.

The sizes the zip's directory declares are what Python's zipfile (and so openpyxl) will produce: a
member that inflates past its declared size is cut there and fails its CRC check, so checking the
declared sizes bounds what any later reading can unpack.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

from flask import current_app

from service.text import format_megabytes

CHUNK_BYTES = 1024 * 1024
# Only members larger than this are judged by their compression ratio: a small part (an empty
# styles.xml) legitimately compresses well, and can do no harm at its size.
RATIO_FLOOR_BYTES = 1024 * 1024
# Start tags counted by name, with or without a namespace prefix (`<x:c>`): rows, cells, shared strings,
# the sheet's declared dimension, and the definitions openpyxl turns into heavy objects when it opens a
# workbook (cell formats, fonts, fills, borders, number formats, named ranges, sheets, relationships,
# content types: 20 MB of `<xf/>` in styles.xml alone takes it past 600 MB).
DEFINITIONS = (
    b"xf",
    b"font",
    b"fill",
    b"border",
    b"dxf",
    b"numFmt",
    b"cellStyle",
    b"definedName",
    b"sheet",
    b"Relationship",
    b"Override",
    b"Default",
)
TOKENS = re.compile(
    rb"<(?:[A-Za-z_][\w.-]*:)?(row|c|si|dimension|" + b"|".join(DEFINITIONS) + rb")(?=[\s/>])"
)
DIMENSION = re.compile(rb'\sref="[A-Z]{0,3}[0-9]*(?::[A-Z]{0,3}([0-9]+))?"')
END_OF_DIRECTORY = b"PK\x05\x06"


class SpreadsheetRefused(ValueError):
    """The workbook is refused as a whole; the message says why, in Vietnamese, for its uploader."""


@dataclass(frozen=True)
class Limits:
    max_rows: int  # data rows, per sheet (the header row comes on top)
    max_cells: int  # cells in the whole workbook, and shared strings
    max_unpacked_bytes: int
    max_members: int
    max_ratio: int
    max_definitions: int
    max_elements: int  # XML elements in all parts: openpyxl builds a whole tree of some parts
    max_row_cells: int = 1_000  # cells in one row (what is read is cut at the caller's columns anyway)


def limits(max_rows: int, max_unpacked_bytes: int | None = None) -> Limits:
    """The configured limits (SPREADSHEET_*) with the caller's row limit."""
    config = current_app.config
    unpacked = config["SPREADSHEET_MAX_UNPACKED_BYTES"]
    return Limits(
        max_rows=max_rows,
        max_cells=config["SPREADSHEET_MAX_CELLS"],
        max_unpacked_bytes=min(unpacked, max_unpacked_bytes) if max_unpacked_bytes else unpacked,
        max_members=config["SPREADSHEET_MAX_MEMBERS"],
        max_ratio=config["SPREADSHEET_MAX_RATIO"],
        max_definitions=config["SPREADSHEET_MAX_STYLES"],
        max_elements=4 * config["SPREADSHEET_MAX_CELLS"],
    )


def check_xlsx(data: bytes, bounds: Limits) -> None:
    """Refuse (SpreadsheetRefused) a workbook that is not a readable zip or goes over a limit."""
    _check_member_count(data, bounds)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            _check_directory(members, bounds)
            counts = _Counts(bounds)
            for member in members:
                counts.scan(archive, member)
    except SpreadsheetRefused:
        raise
    except (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError, EOFError, OSError, ValueError):
        # A broken directory or stream, an encrypted or unknown compression method, a bad CRC.
        raise SpreadsheetRefused("Tệp Excel bị hỏng hoặc không phải .xlsx.") from None


def _check_member_count(data: bytes, bounds: Limits) -> None:
    """From the end-of-directory record, before zipfile builds an object for every member."""
    at = data.rfind(END_OF_DIRECTORY, max(0, len(data) - 65_557))
    if at < 0 or len(data) < at + 22:
        raise SpreadsheetRefused("Tệp Excel bị hỏng hoặc không phải .xlsx.")
    (entries,) = struct.unpack_from("<H", data, at + 10)
    if entries > bounds.max_members:  # 0xFFFF (a zip64 count) included: no workbook of ours needs it
        raise SpreadsheetRefused(
            f"Tệp Excel có quá nhiều thành phần ({entries}, tối đa {bounds.max_members}); "
            "hãy lưu lại danh sách vào một tệp Excel mới chỉ có dữ liệu."
        )


def _check_directory(members: list[zipfile.ZipInfo], bounds: Limits) -> None:
    if len(members) > bounds.max_members:
        raise SpreadsheetRefused(f"Tệp Excel có quá nhiều thành phần (tối đa {bounds.max_members}).")
    unpacked = sum(member.file_size for member in members)
    if unpacked > bounds.max_unpacked_bytes:
        raise SpreadsheetRefused(
            f"Tệp Excel quá lớn khi giải nén: {format_megabytes(unpacked)}, tối đa "
            f"{format_megabytes(bounds.max_unpacked_bytes)} (thường do có rất nhiều ô trống được định dạng). "
            "Hãy chép vùng dữ liệu sang một trang tính mới rồi lưu lại."
        )
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > RATIO_FLOOR_BYTES and ratio > bounds.max_ratio:
            raise SpreadsheetRefused(
                f"Tệp Excel có thành phần nén bất thường (tỷ lệ {ratio:.0f}:1, tối đa {bounds.max_ratio}:1); "
                "tệp có thể là tệp độc hại hoặc chứa hàng triệu ô trống. Hãy lưu lại danh sách vào một tệp mới."
            )


class _Counts:
    """Rows per part, cells and shared strings in all, counted as the parts stream by."""

    def __init__(self, bounds: Limits):
        self.bounds = bounds
        self.cells = self.strings = self.definitions = self.elements = 0

    def scan(self, archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> None:
        self.rows = self.row_cells = 0
        carry = b""
        with archive.open(member) as stream:
            while chunk := stream.read(CHUNK_BYTES):
                buffer = carry + chunk
                # Up to the last "<": every tag started before it is whole (its name and the character
                # after it come before the next "<"); the rest waits for the next chunk.
                end = buffer.rfind(b"<")
                self._count(buffer[: max(end, 0)])
                carry = buffer[end:] if end >= 0 else b""
        self._count(carry + b" ")

    def _count(self, text: bytes) -> None:
        bounds = self.bounds
        self.elements += text.count(b"<") - text.count(b"</") - text.count(b"<?") - text.count(b"<!")
        if self.elements > bounds.max_elements:
            raise SpreadsheetRefused(self._too_many_parts())
        for found in TOKENS.finditer(text):
            tag = found.group(1)
            if tag == b"c":
                self.cells += 1
                self.row_cells += 1
                if self.cells > bounds.max_cells or self.row_cells > bounds.max_row_cells:
                    raise SpreadsheetRefused(self._too_many_cells())
            elif tag == b"row":
                self.rows += 1
                self.row_cells = 0
                if self.rows > bounds.max_rows + 1:
                    raise SpreadsheetRefused(self._too_many_rows())
            elif tag == b"si":
                self.strings += 1
                if self.strings > bounds.max_cells:
                    raise SpreadsheetRefused(self._too_many_cells())
            elif tag == b"dimension":
                declared = DIMENSION.match(text, found.end())
                last_row = declared.group(1) if declared else None
                if last_row and int(last_row) > bounds.max_rows + 1:
                    raise SpreadsheetRefused(self._too_many_rows())
            else:
                self.definitions += 1
                if self.definitions > bounds.max_definitions:
                    raise SpreadsheetRefused(self._too_many_parts())

    def _too_many_rows(self) -> str:
        return (
            f"Trang tính có hơn {number(self.bounds.max_rows)} dòng, vượt quá giới hạn cho một lần tải lên "
            "(kể cả các dòng trống đã được định dạng). Hãy chia thành nhiều tệp hoặc xóa các dòng thừa."
        )

    def _too_many_parts(self) -> str:
        return (
            "Tệp Excel có quá nhiều định dạng, tên vùng hoặc thành phần ẩn so với một bảng dữ liệu (giới hạn "
            f"{number(self.bounds.max_definitions)} định dạng). Hãy chép vùng dữ liệu (chỉ giá trị) sang một "
            "tệp Excel mới rồi tải lên lại."
        )

    def _too_many_cells(self) -> str:
        bounds = self.bounds
        return (
            f"Tệp Excel có quá nhiều ô (tối đa {number(bounds.max_cells)} ô, {number(bounds.max_row_cells)} ô "
            "một dòng), thường do có rất nhiều ô trống được định dạng. Hãy chép vùng dữ liệu sang một trang "
            "tính mới."
        )


def number(value: int) -> str:
    """20000 -> "20.000" (Vietnamese groups thousands with dots)."""
    return f"{value:,}".replace(",", ".")


def rows(sheet, max_rows: int, max_columns: int) -> Iterator[tuple]:
    """A read-only sheet's cells, the header and at most `max_rows` rows after it, at most
    `max_columns` wide: a cell far to the right (column XFD) must not make every row 16,384 wide."""
    yield from sheet.iter_rows(max_row=max_rows + 1, max_col=max_columns)
