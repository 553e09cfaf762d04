"""Attached files: recognised by their content, never by name or declared type, and stored outside the
web root under random names."""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import secrets
import zipfile
from pathlib import Path

from flask import current_app

FILE_TYPE_LABELS = {"pdf": "PDF", "jpeg": "JPEG", "png": "PNG", "docx": "Word (DOCX)"}
MIME_TYPES = {
    "pdf": "application/pdf",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
EXTENSIONS = {"pdf": ".pdf", "jpeg": ".jpg", "png": ".png", "docx": ".docx", "csv": ".csv", "xlsx": ".xlsx"}


def sniff(head: bytes, data: bytes | None = None) -> str | None:
    """The file's real type from its first bytes (and, for DOCX, its ZIP directory)."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"PK\x03\x04") and data is not None and _is_docx(data):
        return "docx"
    return None


def _is_docx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError):
        return False
    return "[Content_Types].xml" in names and "word/document.xml" in names


def upload_root() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"])


def path_for(stored_name: str) -> Path:
    # Stored names are ours (random hex), never user input; two-level fan-out keeps folders small.
    return upload_root() / stored_name[:2] / stored_name


class StorageUnavailable(OSError):
    """The upload folder cannot take the file (disk full, read-only, gone): nothing was stored."""

    message = (
        "Không lưu được tệp do hệ thống lưu trữ đang gặp sự cố (đầy hoặc không ghi được). Chưa có thay đổi "
        "nào được ghi nhận; thông tin và các tệp đã lưu trước đó vẫn được giữ nguyên. Vui lòng thử lại sau."
    )


def store(data: bytes, file_type: str) -> tuple[str, str]:
    """Write the bytes under a random name; returns (stored_name, sha256).

    The bytes go to a temporary name in the same folder, reach the disk, and only then take their
    name (an atomic rename), so a file under a stored name is always whole; when the disk is full or
    read-only the temporary file is removed and StorageUnavailable raised."""
    stored_name = secrets.token_hex(20) + EXTENSIONS[file_type]
    target = path_for(stored_name)
    temporary = target.with_suffix(".part")
    try:
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        # Readable by the service's own user only (ASVS 4.0.3 12.4.1): personal documents.
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except OSError as error:
        with contextlib.suppress(OSError):  # a read-only folder may refuse even this
            temporary.unlink(missing_ok=True)
        raise StorageUnavailable(error.errno, f"Cannot store {stored_name}: {error}") from error
    return stored_name, hashlib.sha256(data).hexdigest()


def remove(stored_name: str) -> None:
    try:
        path_for(stored_name).unlink()
    except FileNotFoundError:
        pass


def clean_filename(name: str | None) -> str:
    """A display name only (never used as a path)."""
    name = (name or "tep-dinh-kem").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return name[:200] or "tep-dinh-kem"
