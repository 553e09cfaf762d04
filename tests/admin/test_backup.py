"""Backup and restore: `flask backup create` writes one archive (database, uploads, SHA-256 manifest
authenticated by an HMAC under BACKUP_KEY) and `flask backup restore` brings it back into an empty
database and upload folder, or refuses."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import tarfile
import uuid
from pathlib import Path

import flask_migrate
import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.engine import make_url

from config import TestConfig
from service import backup as backups
from service import create_app, uploads
from service.accounts.models import User
from service.backup import sha256_of
from service.dossiers.models import Dossier, DossierFile
from service.extensions import db
from service.procedures.models import Procedure
from tests.factories import create_citizen, create_dossier, load_catalogue

BACKUP_KEY = "k" * 16 + "a-test-backup-key-kept-apart"
ANOTHER_KEY = "another-backup-key-of-32-characters!"


@pytest.fixture(autouse=True)
def backup_key(app, monkeypatch):
    """The session's app makes the backups with the operator's key."""
    monkeypatch.setitem(app.config, "BACKUP_KEY", BACKUP_KEY)


@pytest.fixture
def fresh_app(app, tmp_path):
    """A second app on a new, empty database (same kind as the session's) and an empty upload folder."""
    session_url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    admin = None
    if session_url.get_backend_name() == "postgresql":
        name = f"gdnn_restore_{uuid.uuid4().hex[:12]}"
        admin = create_engine(session_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        url = session_url.set(database=name).render_as_string(hide_password=False)
    else:
        url = f"sqlite:///{tmp_path / 'restored.sqlite3'}"
    upload_folder = tmp_path / "restored-uploads"
    application = create_app(
        TestConfig, SQLALCHEMY_DATABASE_URI=url, UPLOAD_FOLDER=str(upload_folder), BACKUP_KEY=BACKUP_KEY
    )
    try:
        yield application
    finally:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()
        if admin is not None:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


def backup(app, path: Path):
    return app.test_cli_runner().invoke(args=["backup", "create", str(path)])


def restore(app, path: Path):
    # The autouse fixture keeps the session app's context pushed, and Flask's CLI reuses whatever app
    # context is current: push the target app's own so that the command restores into it.
    with app.app_context():
        return app.test_cli_runner().invoke(args=["backup", "restore", str(path)])


def read_manifest(archive: Path) -> dict:
    with tarfile.open(archive, "r:gz") as tar:
        return json.load(tar.extractfile("manifest.json"))


def target_tables(app) -> list[str]:
    with app.app_context():
        tables = inspect(db.engine).get_table_names()
        db.engine.dispose()
        return tables


def snapshot() -> dict:
    """What a user would miss after a restore: accounts, dossiers with their forms, attached files."""
    return {
        "users": sorted(db.session.execute(select(User.id, User.email, User.full_name, User.role)).all()),
        "dossiers": sorted(
            (d.id, d.code, d.status, d.form_data, d.owner_id) for d in db.session.scalars(select(Dossier))
        ),
        "files": sorted(
            db.session.execute(
                select(
                    DossierFile.dossier_id,
                    DossierFile.document_key,
                    DossierFile.original_name,
                    DossierFile.stored_name,
                    DossierFile.size,
                    DossierFile.sha256,
                )
            ).all()
        ),
        "procedures": sorted(db.session.scalars(select(Procedure.code))),
    }


def file_data() -> None:
    """A citizen with a submitted dossier (attachments included), a draft of another, the catalogue."""
    load_catalogue()
    citizen = create_citizen(full_name="Lê Thị Sao Lưu")
    create_dossier(citizen, submitted=True)
    create_dossier(create_citizen())


def test_backup_then_restore_into_an_empty_database_brings_everything_back(app, fresh_app, tmp_path):
    file_data()
    before = snapshot()
    assert any(code for _, code, *_ in before["dossiers"])  # the submitted one has its code
    assert before["files"] and before["procedures"]
    revision = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    stored = {row.stored_name: row.sha256 for row in before["files"]}
    upload_root = Path(app.config["UPLOAD_FOLDER"])
    expected_paths = {
        uploads.path_for(name).relative_to(upload_root).as_posix(): sha for name, sha in stored.items()
    }

    archive = tmp_path / "backups" / "gdnn.tar.gz"
    result = backup(app, archive)
    assert result.exit_code == 0, result.output
    assert f"{len(stored)} files" in result.output
    assert archive.is_file()

    manifest = read_manifest(archive)
    assert manifest["dialect"] == db.engine.dialect.name
    assert len(manifest["database"]["sha256"]) == 64
    assert {entry["path"]: entry["sha256"] for entry in manifest["files"]} == expected_paths

    result = restore(fresh_app, archive)
    assert result.exit_code == 0, result.output
    assert "manifest authenticated" in result.output and "checksums verified" in result.output

    restored_root = Path(fresh_app.config["UPLOAD_FOLDER"])
    with fresh_app.app_context():
        assert snapshot() == before
        for name, sha in stored.items():
            path = uploads.path_for(name)
            assert path.is_relative_to(restored_root)
            assert sha256_of(path) == sha
        # The schema revision came along: upgrading afterwards changes nothing.
        assert db.session.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == revision
        heads = ScriptDirectory.from_config(fresh_app.extensions["migrate"].migrate.get_config()).get_heads()
        assert heads == [revision]
        tables = set(inspect(db.engine).get_table_names())
        db.session.remove()
        flask_migrate.upgrade()
        assert set(inspect(db.engine).get_table_names()) == tables
        assert db.session.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == revision
        assert snapshot() == before


def _rewrite(archive: Path, change) -> None:
    """Rewrite the archive with `change(name, data) -> data` applied to every member's bytes."""
    with tarfile.open(archive, "r:gz") as tar:
        members = [(m, tar.extractfile(m).read() if m.isfile() else None) for m in tar.getmembers()]
    with tarfile.open(archive, "w:gz") as tar:
        for member, data in members:
            if data is None:
                tar.addfile(member)
                continue
            data = change(member.name, data)
            member.size = len(data)
            tar.addfile(member, io.BytesIO(data))


def _flip_upload_byte(archive: Path) -> str:
    target = read_manifest(archive)["files"][0]["path"]

    def change(name: str, data: bytes) -> bytes:
        if name == f"uploads/{target}":
            return data[:10] + bytes([data[10] ^ 0x01]) + data[11:]
        return data

    _rewrite(archive, change)
    return f"uploads/{target}"


def _alter_manifest_checksum(archive: Path) -> str:
    manifest = read_manifest(archive)
    entry = manifest["files"][0]
    entry["sha256"] = ("0" if entry["sha256"][0] != "0" else "1") + entry["sha256"][1:]
    _rewrite(archive, lambda name, data: json.dumps(manifest).encode() if name == "manifest.json" else data)
    return "HMAC does not match"


def _alter_file_and_recompute_its_checksum(archive: Path) -> str:
    """What the checksums alone let through: a changed file with its new checksum in the manifest."""
    manifest = read_manifest(archive)
    entry = manifest["files"][0]
    with tarfile.open(archive, "r:gz") as tar:
        altered = tar.extractfile(f"uploads/{entry['path']}").read() + b"\n% planted"
    entry["sha256"], entry["size"] = hashlib.sha256(altered).hexdigest(), len(altered)
    replaced = {f"uploads/{entry['path']}": altered, "manifest.json": json.dumps(manifest, indent=2).encode()}
    _rewrite(archive, lambda name, data: replaced.get(name, data))
    return "HMAC does not match"


def _remove_the_signature(archive: Path) -> str:
    with tarfile.open(archive, "r:gz") as tar:
        members = [(m, tar.extractfile(m)) for m in tar.getmembers() if m.name != "manifest.hmac"]
        kept = [(m, data.read() if data else None) for m, data in members]
    with tarfile.open(archive, "w:gz") as tar:
        for member, data in kept:
            tar.addfile(member, io.BytesIO(data) if data is not None else None)
    return "no readable manifest.json and manifest.hmac"


def _truncate(archive: Path) -> str:
    data = archive.read_bytes()
    archive.write_bytes(data[: len(data) // 2])
    return "truncated or damaged"


@pytest.mark.parametrize(
    "tamper",
    [
        _flip_upload_byte,
        _alter_manifest_checksum,
        _alter_file_and_recompute_its_checksum,
        _remove_the_signature,
        _truncate,
    ],
    ids=["file", "manifest", "recomputed-checksums", "unsigned", "truncated"],
)
def test_a_tampered_archive_is_refused_and_nothing_is_restored(app, fresh_app, tmp_path, tamper):
    file_data()
    archive = tmp_path / "gdnn.tar.gz"
    assert backup(app, archive).exit_code == 0
    reason = tamper(archive)

    result = restore(fresh_app, archive)
    assert result.exit_code != 0
    assert reason in result.output
    assert "checksum mismatch" not in reason or "uploads/" in result.output
    assert target_tables(fresh_app) == []
    assert not any(Path(fresh_app.config["UPLOAD_FOLDER"]).iterdir())


def test_an_archive_made_with_another_key_is_refused(app, fresh_app, tmp_path):
    file_data()
    archive = tmp_path / "gdnn.tar.gz"
    assert backup(app, archive).exit_code == 0
    fresh_app.config["BACKUP_KEY"] = ANOTHER_KEY

    result = restore(fresh_app, archive)
    assert result.exit_code != 0
    assert (
        "made with another backup key" in result.output
        and backups.key_id(BACKUP_KEY.encode()) in result.output
    )
    assert target_tables(fresh_app) == []


@pytest.mark.parametrize(
    ("key", "message"),
    [("", "BACKUP_KEY is not set"), ("short-key", "BACKUP_KEY is too short")],
)
def test_outside_development_no_backup_is_made_or_restored_without_a_good_key(
    app, tmp_path, monkeypatch, key, message
):
    monkeypatch.setitem(app.config, "ENV_NAME", "production")
    monkeypatch.setitem(app.config, "BACKUP_KEY", key)
    archive = tmp_path / "gdnn.tar.gz"
    result = backup(app, archive)
    assert result.exit_code != 0 and message in result.output
    assert not archive.exists()
    archive.write_bytes(b"anything")
    result = restore(app, archive)
    assert result.exit_code != 0 and message in result.output


def test_in_development_the_key_is_made_once_under_instance(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "ENV_NAME", "development")
    monkeypatch.setitem(app.config, "BACKUP_KEY", "")
    monkeypatch.setattr(app, "instance_path", str(tmp_path / "instance"))
    assert backup(app, tmp_path / "first.tar.gz").exit_code == 0
    key_file = tmp_path / "instance" / "backup.key"
    key = key_file.read_bytes()
    assert len(key) == 64 and key_file.stat().st_mode & 0o077 == 0  # readable by its owner only
    assert backup(app, tmp_path / "second.tar.gz").exit_code == 0
    assert key_file.read_bytes() == key
    with tarfile.open(tmp_path / "second.tar.gz", "r:gz") as tar:
        signature = json.load(tar.extractfile("manifest.hmac"))
        manifest = tar.extractfile("manifest.json").read()
    assert signature["hmac"] == hmac.new(key, manifest, hashlib.sha256).hexdigest()


def test_the_database_password_is_never_on_a_command_line(app, tmp_path, monkeypatch):
    """pg_dump and pg_restore get it in their environment: `ps` shows every command line to everyone."""
    from sqlalchemy.engine import make_url

    calls = []

    def run(command, **kwargs):
        calls.append((command, kwargs["env"]))
        return type("Done", (), {"returncode": 0, "stderr": ""})()

    monkeypatch.setattr(
        backups, "_database_url", lambda: make_url("postgresql+psycopg://gdnn:s3cr%40t@db.example:5432/gdnn")
    )
    monkeypatch.setattr(backups.subprocess, "run", run)
    backups._dump_database("postgresql", tmp_path / "database.pgdump")
    backups._load_database("postgresql", tmp_path / "database.pgdump")
    assert [command[0] for command, _ in calls] == ["pg_dump", "pg_restore"]
    for command, env in calls:
        assert not any("s3cr" in argument for argument in command)
        assert "--dbname=postgresql://gdnn@db.example:5432/gdnn" in command
        assert env["PGPASSWORD"] == "s3cr@t"


def test_restore_into_a_database_that_has_data_is_refused(app, tmp_path):
    file_data()
    before = snapshot()
    archive = tmp_path / "gdnn.tar.gz"
    assert backup(app, archive).exit_code == 0

    result = restore(app, archive)
    assert result.exit_code != 0
    assert "not empty" in result.output and "restore needs an empty one" in result.output
    db.session.remove()
    assert snapshot() == before
    for row in before["files"]:
        assert sha256_of(uploads.path_for(row.stored_name)) == row.sha256


def test_restore_into_a_non_empty_upload_folder_is_refused(app, fresh_app, tmp_path):
    file_data()
    archive = tmp_path / "gdnn.tar.gz"
    assert backup(app, archive).exit_code == 0
    leftover = Path(fresh_app.config["UPLOAD_FOLDER"]) / "leftover.pdf"
    leftover.write_bytes(b"%PDF-1.4 not from this backup")

    result = restore(fresh_app, archive)
    assert result.exit_code != 0
    assert "upload folder" in result.output and "not empty" in result.output
    assert target_tables(fresh_app) == []
    assert [p.name for p in leftover.parent.iterdir()] == ["leftover.pdf"]


def test_a_manifest_pointing_outside_the_backup_is_refused(app, fresh_app, tmp_path):
    file_data()
    archive = tmp_path / "gdnn.tar.gz"
    assert backup(app, archive).exit_code == 0
    manifest = read_manifest(archive)
    manifest["files"][0]["path"] = "../../escaped.pdf"
    # Signed with the key (a key holder's mistake, or a bug): the paths are still checked.
    forged = json.dumps(manifest).encode()
    signature = json.dumps(
        {
            "key_id": backups.key_id(BACKUP_KEY.encode()),
            "hmac": hmac.new(BACKUP_KEY.encode(), forged, hashlib.sha256).hexdigest(),
        }
    ).encode()
    replaced = {"manifest.json": forged, "manifest.hmac": signature}
    _rewrite(archive, lambda name, data: replaced.get(name, data))

    result = restore(fresh_app, archive)
    assert result.exit_code != 0 and "outside the backup" in result.output
    assert target_tables(fresh_app) == []
