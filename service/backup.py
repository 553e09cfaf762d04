"""Backup and restore: one archive holding a consistent database copy, every uploaded file and a manifest
with SHA-256 checksums. SQLite is copied through its online backup API, PostgreSQL with pg_dump.

Checksums alone prove nothing against someone who alters an archive, since they can be recomputed:
the manifest is authenticated with an HMAC-SHA256 under BACKUP_KEY, a key kept apart from the database
and its backups (`manifest.hmac`). A restore checks the HMAC first, then every checksum, and only then
touches the database; an altered, truncated or foreign archive is refused with the reason.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import secrets
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from pathlib import Path

from flask import current_app
from sqlalchemy import inspect
from sqlalchemy.engine import URL

from service import storage, uploads
from service.extensions import db
from service.timeutil import utcnow

FORMAT = 2  # 2: the manifest is authenticated (manifest.hmac)
DB_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
MANIFEST, SIGNATURE = "manifest.json", "manifest.hmac"
MIN_KEY_LENGTH = 32
DEVELOPMENT_KEY_FILE = "backup.key"
NOT_FILES = ("readiness/", "backups/")  # what the store keeps beside the files (service.storage)


class BackupError(RuntimeError):
    pass


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def backup_key() -> bytes:
    """BACKUP_KEY, at least 32 characters; in development, without it, a random key kept in instance/backup.key (made on first
    use) so that `make run` needs no setup. Anywhere else a missing or short key stops the command."""
    configured = current_app.config.get("BACKUP_KEY") or ""
    if configured:
        if len(configured) < MIN_KEY_LENGTH:
            raise BackupError(f"BACKUP_KEY is too short: use at least {MIN_KEY_LENGTH} random characters")
        return configured.encode()
    if current_app.config.get("ENV_NAME") != "development":
        raise BackupError(
            "BACKUP_KEY is not set: backups are authenticated with it. Generate one "
            "(python -c 'import secrets; print(secrets.token_hex(32))') and keep it apart from the "
            "database and the backups; the same key is needed to restore"
        )
    return _development_key(Path(current_app.instance_path) / DEVELOPMENT_KEY_FILE)


def _development_key(path: Path) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # readable by its owner only
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text(encoding="ascii").strip().encode()


def key_id(key: bytes) -> str:
    """Names a key without revealing it, so that "made with another key" can be told from "altered"."""
    return hmac.new(key, b"gdnn backup key id", hashlib.sha256).hexdigest()[:16]


def _signature(key: bytes, manifest: bytes) -> dict:
    mac = hmac.new(key, manifest, hashlib.sha256).hexdigest()
    return {"algorithm": "HMAC-SHA256", "key_id": key_id(key), "hmac": mac}


def create_backup(target: Path) -> dict:
    key = backup_key()
    dialect = db.engine.dialect.name
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        database_file = work / DB_FILES[dialect]
        _dump_database(dialect, database_file)
        files = _copy_uploads(work / "uploads")
        manifest = {
            "format": FORMAT,
            "created_at": utcnow().isoformat() + "Z",
            "dialect": dialect,
            "database": {"path": database_file.name, "sha256": sha256_of(database_file)},
            "files": files,
        }
        manifest_bytes = json.dumps(manifest, indent=2).encode()
        (work / MANIFEST).write_bytes(manifest_bytes)
        (work / SIGNATURE).write_text(json.dumps(_signature(key, manifest_bytes)), encoding="utf-8")
        target.parent.mkdir(parents=True, exist_ok=True)
        with tarfile.open(target, "w:gz") as archive:
            for item in sorted(work.iterdir()):
                archive.add(item, arcname=item.name)
    return {**manifest, "key_id": key_id(key)}


def keep_in_store(archive: Path) -> str:
    """Put a made archive in the file store under backups/ (object storage when configured, so that no
    single host holds the only copy); returns its name there."""
    name = f"backups/gdnn-{utcnow():%Y%m%dT%H%M%S}Z-{secrets.token_hex(4)}.tar.gz"
    storage.current().put(name, archive.read_bytes())
    return name


def stored_backups() -> list[str]:
    return sorted(key for key in storage.current().keys() if key.startswith("backups/"))


def fetch_from_store(name: str, target: Path) -> Path:
    if not name.startswith("backups/") or name not in stored_backups():
        raise BackupError(f"no archive named {name} in the file store (see: flask backup list)")
    target.write_bytes(storage.current().get(name))
    return target


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
        ]
    )


def _copy_uploads(destination: Path) -> list[dict]:
    """Every stored file, from the local folder or the object store, into the archive's uploads/."""
    entries = []
    for key in uploads.stored_keys():
        target = destination / key
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(storage.current().get(key))
        entries.append({"path": key, "sha256": sha256_of(target), "size": target.stat().st_size})
    return entries


def restore_backup(archive_path: Path) -> dict:
    """Restore into an empty database and an empty upload folder, after checking the manifest's HMAC and
    every checksum."""
    key = backup_key()
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        _extract(archive_path, work)
        manifest = _verified_manifest(work, key)
        dialect = db.engine.dialect.name
        if manifest["dialect"] != dialect:
            raise BackupError(f"the backup is of a {manifest['dialect']} database, the target is {dialect}")
        _ensure_empty_target()
        _load_database(dialect, work / manifest["database"]["path"])
        store = storage.current()
        for entry in manifest["files"]:
            store.put(entry["path"], (work / "uploads" / entry["path"]).read_bytes())
            if hashlib.sha256(store.get(entry["path"])).hexdigest() != entry["sha256"]:
                raise BackupError(f"checksum mismatch after restoring {entry['path']}")
    return {**manifest, "key_id": key_id(key)}


def _extract(archive_path: Path, work: Path) -> None:
    try:
        with tarfile.open(archive_path, "r:gz") as archive:
            archive.extractall(work, filter="data")
    except (tarfile.TarError, OSError, EOFError, zlib.error) as error:
        raise BackupError(
            f"cannot read {archive_path}: the archive is truncated or damaged ({error}); nothing was restored"
        ) from error


def _authentic_manifest(work: Path, key: bytes) -> bytes:
    """The manifest's bytes, once its HMAC proves it was written with this key and not changed since."""
    try:
        manifest = (work / MANIFEST).read_bytes()
        signature = json.loads((work / SIGNATURE).read_text(encoding="utf-8"))
        mac, made_with = str(signature["hmac"]), str(signature["key_id"])
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise BackupError(
            f"the archive has no readable {MANIFEST} and {SIGNATURE}: it is incomplete, or was not made by "
            "`backup create` with a backup key; nothing was restored"
        ) from error
    if made_with != key_id(key):
        raise BackupError(
            f"the archive was made with another backup key (key id {made_with}, BACKUP_KEY here is "
            f"{key_id(key)}): set the key it was made with; nothing was restored"
        )
    if not hmac.compare_digest(mac, _signature(key, manifest)["hmac"]):
        raise BackupError(
            "the manifest's HMAC does not match: the archive was altered after it was made; nothing was restored"
        )
    return manifest


def _verified_manifest(work: Path, key: bytes) -> dict:
    manifest = json.loads(_authentic_manifest(work, key))
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
    if any(not key.startswith(NOT_FILES) for key in storage.current().keys()):
        raise BackupError(f"the upload folder {storage.current().describe()} is not empty")


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
            str(dump),
        ]
    )


def _database_url() -> URL:
    return db.engine.url


def _libpq_connection() -> tuple[str, dict[str, str]]:
    """The database URL for pg_dump and pg_restore without its password, and their environment with it
    (PGPASSWORD): a command line is readable by every user of the machine (`ps`), an environment only by
    the process's owner."""
    url = _database_url().set(drivername="postgresql")
    query = dict(url.query)
    password = query.pop("password", None) or url.password
    env = {**os.environ, "PGCONNECT_TIMEOUT": "10"}
    if password:
        env["PGPASSWORD"] = str(password)
    without = URL.create(url.drivername, url.username, None, url.host, url.port, url.database, query)
    return without.render_as_string(hide_password=False), env


def _run(command: list[str]) -> None:
    dsn, env = _libpq_connection()
    result = subprocess.run(
        [command[0], f"--dbname={dsn}", *command[1:]], capture_output=True, text=True, env=env
    )
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[:2000]}")
