"""Backup and restore: one archive holding a consistent database copy, every uploaded file and a manifest
with SHA-256 checksums. SQLite is copied through its online backup API, PostgreSQL with pg_dump."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from flask import current_app
from sqlalchemy import inspect

from service.extensions import db
from service.timeutil import utcnow

FORMAT = 1
DB_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}


class BackupError(RuntimeError):
    pass


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def create_backup(target: Path) -> dict:
    dialect = db.engine.dialect.name
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        database_file = work / DB_FILES[dialect]
        _dump_database(dialect, database_file)
        uploads = _copy_uploads(Path(current_app.config["UPLOAD_FOLDER"]), work / "uploads")
        manifest = {
            "format": FORMAT,
            "created_at": utcnow().isoformat() + "Z",
            "dialect": dialect,
            "database": {"path": database_file.name, "sha256": sha256_of(database_file)},
            "files": uploads,
        }
        (work / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        target.parent.mkdir(parents=True, exist_ok=True)
        with tarfile.open(target, "w:gz") as archive:
            for item in sorted(work.iterdir()):
                archive.add(item, arcname=item.name)
    return manifest


def _dump_database(dialect: str, destination: Path) -> None:
    if dialect == "sqlite":
        source = sqlite3.connect(db.engine.url.database)
        copy = sqlite3.connect(destination)
        with copy:
            source.backup(copy)
        copy.close()
        source.close()
        return
    _run(
        [
            "pg_dump",
            "--format=custom",
            "--no-owner",
            "--no-acl",
            f"--file={destination}",
            f"--dbname={_libpq_url()}",
        ]
    )


def _copy_uploads(source: Path, destination: Path) -> list[dict]:
    entries = []
    for path in sorted(p for p in source.rglob("*") if p.is_file() and not p.name.endswith(".part")):
        relative = path.relative_to(source).as_posix()
        target = destination / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
        entries.append({"path": relative, "sha256": sha256_of(target), "size": target.stat().st_size})
    return entries


def restore_backup(archive_path: Path) -> dict:
    """Restore into an empty database and an empty upload folder, verifying every checksum."""
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        _extract(archive_path, work)
        manifest = _verified_manifest(work)
        dialect = db.engine.dialect.name
        if manifest["dialect"] != dialect:
            raise BackupError(f"the backup is of a {manifest['dialect']} database, the target is {dialect}")
        _ensure_empty_target()
        _load_database(dialect, work / manifest["database"]["path"])
        upload_root = Path(current_app.config["UPLOAD_FOLDER"])
        for entry in manifest["files"]:
            target = upload_root / entry["path"]
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(work / "uploads" / entry["path"], target)
            if sha256_of(target) != entry["sha256"]:
                raise BackupError(f"checksum mismatch after restoring {entry['path']}")
    return manifest


def _extract(archive_path: Path, work: Path) -> None:
    try:
        with tarfile.open(archive_path, "r:gz") as archive:
            archive.extractall(work, filter="data")
    except (tarfile.TarError, OSError) as error:
        raise BackupError(f"cannot read {archive_path}: {error}") from error


def _verified_manifest(work: Path) -> dict:
    try:
        manifest = json.loads((work / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise BackupError("the archive has no readable manifest.json") from error
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')}")
    names = [manifest["database"]["path"], *(f"uploads/{e['path']}" for e in manifest["files"])]
    if any(Path(name).is_absolute() or ".." in Path(name).parts for name in names):
        raise BackupError("the manifest names a path outside the backup")
    checks = [(work / manifest["database"]["path"], manifest["database"]["sha256"])]
    checks += [(work / "uploads" / e["path"], e["sha256"]) for e in manifest["files"]]
    for path, expected in checks:
        if not path.is_file() or sha256_of(path) != expected:
            raise BackupError(f"checksum mismatch in the archive: {path.relative_to(work)}")
    return manifest


def _ensure_empty_target() -> None:
    tables = inspect(db.engine).get_table_names()
    if tables:
        raise BackupError(
            f"the target database is not empty ({len(tables)} tables); restore needs an empty one"
        )
    upload_root = Path(current_app.config["UPLOAD_FOLDER"])
    if upload_root.exists() and any(upload_root.iterdir()):
        raise BackupError(f"the upload folder {upload_root} is not empty")


def _load_database(dialect: str, dump: Path) -> None:
    db.session.remove()
    db.engine.dispose()
    if dialect == "sqlite":
        source = sqlite3.connect(dump)
        target = sqlite3.connect(db.engine.url.database)
        with target:
            source.backup(target)
        target.close()
        source.close()
        return
    # One transaction: a restore that fails half-way leaves the database empty, so it can be retried.
    _run(
        [
            "pg_restore",
            "--no-owner",
            "--no-acl",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={_libpq_url()}",
            str(dump),
        ]
    )


def _libpq_url() -> str:
    url = db.engine.url.set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def _run(command: list[str]) -> None:
    result = subprocess.run(
        command, capture_output=True, text=True, env={**os.environ, "PGCONNECT_TIMEOUT": "10"}
    )
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[:2000]}")
