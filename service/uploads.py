"""Attached files: recognised by their content, never by name or declared type, and stored outside the
web root under random names."""

from __future__ import annotations

import hashlib
import io
import re
import secrets
import zipfile
from pathlib import Path

from flask import current_app

from service import storage
from service.storage import StorageUnavailable as StorageUnavailable  # raised by store()

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
    """Where a stored file lies on this machine's disk (the local store only; tests and `flask doctor`)."""
    return upload_root() / _key(stored_name)


def _key(stored_name: str) -> str:
    # Stored names are ours (random hex), never user input; two-level fan-out keeps folders small.
    return f"{stored_name[:2]}/{stored_name}"


STORED_KEY = re.compile(r"^[0-9a-f]{2}/[0-9a-f]{40}\.[a-z]+$")


def store(data: bytes, file_type: str) -> tuple[str, str]:
    """Keep the bytes under a random name in the configured store (a local folder, or object storage
    shared by several hosts); returns (stored_name, sha256). A stored name always holds the whole file;
    when the store cannot take it, StorageUnavailable is raised and nothing is kept."""
    stored_name = secrets.token_hex(20) + EXTENSIONS[file_type]
    storage.current().put(_key(stored_name), data)
    return stored_name, hashlib.sha256(data).hexdigest()


def read(stored_name: str) -> bytes:
    """The stored file's bytes (FileNotFoundError when it is gone)."""
    return storage.current().get(_key(stored_name))


def remove(stored_name: str) -> None:
    storage.current().delete(_key(stored_name))


def stored_keys() -> list[str]:
    """Every stored file's key ("ab/ab12….pdf"), for backups; readiness probes and backups are not files."""
    return [key for key in storage.current().keys() if STORED_KEY.match(key)]


def clean_filename(name: str | None) -> str:
    """A display name only (never used as a path)."""
    name = (name or "tep-dinh-kem").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return name[:200] or "tep-dinh-kem"
