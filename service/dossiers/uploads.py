"""Attached files: recognised by their content, never by name or declared type, and stored outside the
web root under random names."""

from __future__ import annotations

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
PREVIEWABLE = frozenset({"pdf", "jpeg", "png"})
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


def store(data: bytes, file_type: str) -> tuple[str, str]:
    """Write the bytes under a random name; returns (stored_name, sha256)."""
    stored_name = secrets.token_hex(20) + EXTENSIONS[file_type]
    target = path_for(stored_name)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_suffix(".part")
    with open(temporary, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, target)
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
