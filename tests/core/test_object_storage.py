"""Several app hosts, one set of files: with STORAGE_BACKEND=s3, uploads, issued documents and backups live
in an S3-compatible bucket (here moto's S3 server, spoken to over HTTP by boto3), so a second host with
an empty disk serves what the first stored; `/readyz` tells a load balancer whether a host can serve."""

from __future__ import annotations

import secrets
import socket
import tarfile
import uuid

import boto3
import pytest
from moto.server import ThreadedMotoServer
from sqlalchemy import text

from config import TestConfig
from service import create_app, doctor, safety, storage, uploads
from service.accounts.models import User
from service.backup import fetch_from_store
from service.dossiers.models import Dossier, DossierFile
from service.extensions import db
from tests.factories import (
    create_citizen,
    create_dossier,
    create_official,
    load_catalogue,
    login,
    pdf_upload,
    row_counts,
)
from tests.support.documents import documents_of, through

CREDENTIALS = {
    "S3_ACCESS_KEY_ID": "gdnn-test",
    "S3_SECRET_ACCESS_KEY": "gdnn-test-secret",
    "S3_REGION": "us-east-1",
}


@pytest.fixture(scope="module")
def s3_endpoint():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


def s3_client(endpoint):
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=CREDENTIALS["S3_ACCESS_KEY_ID"],
        aws_secret_access_key=CREDENTIALS["S3_SECRET_ACCESS_KEY"],
    )


@pytest.fixture
def bucket(s3_endpoint):
    name = f"gdnn-{uuid.uuid4().hex[:12]}"
    s3_client(s3_endpoint).create_bucket(Bucket=name)
    return name


def keys_in(endpoint, bucket) -> list[str]:
    listed = s3_client(endpoint).list_objects_v2(Bucket=bucket)
    return sorted(item["Key"] for item in listed.get("Contents", ()))


@pytest.fixture
def host(app, s3_endpoint, bucket, tmp_path):
    """Make an app host on the session's database whose files are in the bucket; each has its own empty
    local folder, which must stay empty."""
    made = []

    def make(name: str = "a", **settings):
        values = {
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "UPLOAD_FOLDER": str(tmp_path / f"host-{name}"),
            "STORAGE_BACKEND": "s3",
            "S3_BUCKET": bucket,
            "S3_PREFIX": "gdnn/",
            "S3_ENDPOINT_URL": s3_endpoint,
            **CREDENTIALS,
        }
        application = create_app(TestConfig, **{**values, **settings})
        application.test_client_class = app.test_client_class
        made.append(application)
        return application

    yield make
    for application in made:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


def test_a_file_uploaded_through_one_host_is_downloaded_from_another(host, s3_endpoint, bucket, tmp_path):
    first, second = host("a"), host("b")
    with first.app_context():
        load_catalogue()
        citizen = create_citizen()
        citizen_id = citizen.id
        dossier = create_dossier(citizen)
        stored = db.session.scalars(db.select(DossierFile).where(DossierFile.dossier_id == dossier.id)).all()
        assert stored
        sent = uploads.read(stored[0].stored_name)
        wanted = {f"gdnn/{row.stored_name[:2]}/{row.stored_name}" for row in stored}
        url = f"/dossiers/{dossier.id}/files/{stored[0].id}"

    assert wanted <= set(keys_in(s3_endpoint, bucket))
    assert not any((tmp_path / "host-a").rglob("*.*")), "nothing is written on the host's own disk"

    with second.app_context():
        client = second.test_client()
        login(client, db.session.get(User, citizen_id))
        response = client.get(url)
    assert response.status_code == 200
    assert response.data == sent
    assert response.headers["Content-Disposition"].startswith("attachment;")


def test_an_issued_document_lives_in_the_bucket_and_is_served_by_any_host(host, s3_endpoint, bucket):
    first, second = host("a"), host("b")
    with first.app_context():
        load_catalogue()
        citizen = create_citizen()
        citizen_id = citizen.id
        dossier = create_dossier(citizen, submitted=True)
        desk = create_official("reception")
        through(dossier, [(desk, "receive", {})])
        [receipt, *_] = documents_of(db.session.get(Dossier, dossier.id))
        key = f"gdnn/{receipt.stored_name[:2]}/{receipt.stored_name}"
        url = f"/dossiers/{dossier.id}/documents/{receipt.id}"
    assert key in keys_in(s3_endpoint, bucket)

    with second.app_context():
        client = second.test_client()
        login(client, db.session.get(User, citizen_id))
        response = client.get(url)
    assert response.status_code == 200
    assert response.data.startswith(b"%PDF-")
    assert response.data == s3_client(s3_endpoint).get_object(Bucket=bucket, Key=key)["Body"].read()


def test_an_unreachable_store_refuses_the_upload_with_a_message_and_keeps_nothing(host, app):
    broken = host("a", S3_BUCKET="no-such-bucket-anywhere")
    with broken.app_context():
        load_catalogue()
        citizen = create_citizen()
        citizen_id = citizen.id
        dossier = create_dossier(citizen, files=False)
        client = broken.test_client()
        login(client, db.session.get(User, citizen_id))
        version = dossier.procedure_version
        key = next(d["key"] for d in version.documents if "pdf" in d["file_types"])
        before = row_counts(DossierFile)
        response = client.submit(f"/dossiers/{dossier.id}/attachments/{key}", {"file": pdf_upload("don.pdf")})
        assert response.status_code == 302
        page = client.get(response.location).get_data(as_text=True)
        assert "Không nhận tệp “don.pdf”" in page
        assert "Không lưu được tệp do hệ thống lưu trữ đang gặp sự cố" in page
        assert row_counts(DossierFile) == before


def test_backups_are_kept_in_the_bucket_and_restore_anywhere(
    host, app, s3_endpoint, bucket, tmp_path, monkeypatch
):
    first = host("a", BACKUP_KEY="k" * 16 + "a-test-backup-key-kept-apart")
    with first.app_context():
        load_catalogue()
        create_dossier(create_citizen(), submitted=True)
        files = {row.stored_name: row.sha256 for row in db.session.scalars(db.select(DossierFile))}
        runner = first.test_cli_runner()
        made = runner.invoke(args=["backup", "create", "--to-store"])
        assert made.exit_code == 0, made.output
        assert f"{len(files)} files" in made.output
        listed = runner.invoke(args=["backup", "list"])
        [name] = listed.output.split()
        assert name.startswith("backups/gdnn-") and name.endswith(".tar.gz")
        assert f"gdnn/{name}" in keys_in(s3_endpoint, bucket)

        missing = runner.invoke(args=["backup", "restore", "--from-store", "backups/none.tar.gz"])
        assert missing.exit_code != 0 and "no archive named backups/none.tar.gz" in missing.output

        archive = tmp_path / "fetched.tar.gz"
        fetch_from_store(name, archive)

    # The archive holds the bucket's files: a backup is complete whatever the store.
    with tarfile.open(archive) as opened:
        inside = {member.name for member in opened.getmembers() if member.isfile()}
    assert {f"uploads/{n[:2]}/{n}" for n in files} <= inside


def test_readiness_names_each_part_and_fails_when_the_store_does(client, host):
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json == {
        "status": "ready",
        "checks": {"database": "ok", "schema": "ok", "storage": "ok"},
    }
    assert client.get("/healthz").json["status"] == "ok"

    on_s3 = host("a")
    assert on_s3.test_client().get("/readyz").json["checks"]["storage"] == "ok"

    broken = host("b", S3_BUCKET="no-such-bucket-anywhere")
    answer = broken.test_client().get("/readyz")
    assert answer.status_code == 503
    assert answer.json == {
        "status": "unavailable",
        "checks": {"database": "ok", "schema": "ok", "storage": "unavailable"},
    }
    assert "no-such-bucket" not in answer.get_data(as_text=True), "reasons stay in the log"


def test_readiness_fails_while_the_schema_is_behind_the_code(app, client, monkeypatch):
    revision = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    db.session.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    db.session.commit()
    try:
        answer = client.get("/readyz")
        assert answer.status_code == 503
        assert answer.json["checks"]["schema"] == "unavailable"
        assert answer.json["checks"]["database"] == "ok"
    finally:
        db.session.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": revision})
        db.session.commit()


def test_the_local_store_is_the_default_and_reports_where_it_is(app):
    assert storage.current().kind == "local"
    assert storage.current().describe() == app.config["UPLOAD_FOLDER"]
    assert storage.check() is None


def test_production_refuses_object_storage_without_a_bucket_and_doctor_wants_https():
    good = {"SECRET_KEY": secrets.token_urlsafe(48), "ISSUER_TAX_CODE": "0312345678"}
    assert not safety.problems({**good, "STORAGE_BACKEND": "s3", "S3_BUCKET": "gdnn-an-giang"})
    (problem,) = safety.problems({**good, "STORAGE_BACKEND": "s3"})
    assert problem.setting == "S3_BUCKET" and "chưa đặt S3_BUCKET" in problem.reason
    (unknown,) = safety.problems({**good, "STORAGE_BACKEND": "ftp"})
    assert unknown.setting == "STORAGE_BACKEND" and "không có kho tệp tên 'ftp'" in unknown.reason

    plain = doctor._transport({"S3_ENDPOINT_URL": "http://minio.internal:9000"})
    assert [(f.topic, f.status) for f in plain] == [("S3_ENDPOINT_URL", doctor.UNSAFE)]
    assert not doctor._transport({"S3_ENDPOINT_URL": "https://s3.angiang.gov.vn"})
    assert not doctor._transport({"S3_ENDPOINT_URL": "http://127.0.0.1:9000"})


def test_a_backup_of_an_unreachable_store_is_refused_with_the_reason(host):
    broken = host(
        "a", S3_BUCKET="no-such-bucket-anywhere", BACKUP_KEY="k" * 16 + "a-test-backup-key-kept-apart"
    )
    with broken.app_context():
        result = broken.test_cli_runner().invoke(args=["backup", "create", "--to-store"])
    assert result.exit_code == 1 and "Error: " in result.output and "no-such-bucket-anywhere" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
