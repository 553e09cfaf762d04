"""Where files live: a local folder (the embedded default) or an S3-compatible object store, so that
several app hosts serve the same uploads, issued documents and backups.

Every caller goes through `current()`; nobody but this module knows whether a stored name is a path on
this machine or an object key. Names are ours (random hex with a two-character fan-out, see
`service.uploads`), never user input.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from flask import current_app


class StorageUnavailable(OSError):
    """The store cannot take or give back the file (disk full, read-only, bucket unreachable): nothing
    was stored."""

    message = (
        "Không lưu được tệp do hệ thống lưu trữ đang gặp sự cố (đầy hoặc không ghi được). Chưa có thay đổi "
        "nào được ghi nhận; thông tin và các tệp đã lưu trước đó vẫn được giữ nguyên. Vui lòng thử lại sau."
    )


class Store(Protocol):
    kind: str

    def put(self, key: str, data: bytes) -> None: ...
    def get(self, key: str) -> bytes: ...
    def delete(self, key: str) -> None: ...
    def exists(self, key: str) -> bool: ...
    def keys(self) -> Iterator[str]: ...
    def describe(self) -> str: ...


class LocalFolder:
    """Files under one folder of this machine, readable by the service's own user only."""

    kind = "local"

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def path(self, key: str) -> Path:
        return self.root / key

    def put(self, key: str, data: bytes) -> None:
        # The bytes go to a temporary name in the same folder, reach the disk, and only then take their
        # name (an atomic rename), so a file under a stored name is always whole.
        target = self.path(key)
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
            raise StorageUnavailable(error.errno, f"Cannot store {key}: {error}") from error

    def get(self, key: str) -> bytes:
        return self.path(key).read_bytes()

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def keys(self) -> Iterator[str]:
        if not self.root.exists():
            return
        for path in sorted(p for p in self.root.rglob("*") if p.is_file() and not p.name.endswith(".part")):
            yield path.relative_to(self.root).as_posix()

    def describe(self) -> str:
        return str(self.root)


class ObjectStore:
    """Objects in one bucket of an S3-compatible store (AWS S3, MinIO, Ceph, a Vietnamese cloud's object
    storage), under an optional key prefix, encrypted at rest by the store when asked."""

    kind = "s3"

    def __init__(self, client, bucket: str, prefix: str = "", encryption: str = "") -> None:
        self.client, self.bucket, self.prefix, self.encryption = client, bucket, prefix, encryption

    @classmethod
    def from_config(cls, config) -> ObjectStore:
        import boto3
        from botocore.config import Config as BotoConfig

        client = boto3.client(
            "s3",
            endpoint_url=config.get("S3_ENDPOINT_URL") or None,
            region_name=config.get("S3_REGION") or None,
            aws_access_key_id=config.get("S3_ACCESS_KEY_ID") or None,
            aws_secret_access_key=config.get("S3_SECRET_ACCESS_KEY") or None,
            config=BotoConfig(
                connect_timeout=5, read_timeout=30, retries={"max_attempts": 3, "mode": "standard"}
            ),
        )
        return cls(client, config["S3_BUCKET"], config.get("S3_PREFIX", ""), config.get("S3_ENCRYPTION", ""))

    def _key(self, key: str) -> str:
        return self.prefix + key

    def _failed(self, key: str, error: Exception) -> StorageUnavailable:
        return StorageUnavailable(5, f"Object store s3://{self.bucket}/{self._key(key)} refused: {error}")

    def put(self, key: str, data: bytes) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        extra = {"ServerSideEncryption": self.encryption} if self.encryption else {}
        try:
            # S3 writes are atomic: a reader sees the whole object or none.
            self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data, **extra)
        except (BotoCoreError, ClientError) as error:
            raise self._failed(key, error) from error

    def get(self, key: str) -> bytes:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in {"NoSuchKey", "404"}:
                raise FileNotFoundError(key) from error
            raise self._failed(key, error) from error
        except BotoCoreError as error:
            raise self._failed(key, error) from error
        return answer["Body"].read()

    def delete(self, key: str) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.delete_object(Bucket=self.bucket, Key=self._key(key))
        except (BotoCoreError, ClientError) as error:
            raise self._failed(key, error) from error

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError:
            return False
        return True

    def keys(self) -> Iterator[str]:
        from botocore.exceptions import BotoCoreError, ClientError

        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix)
        try:
            for page in pages:
                for item in page.get("Contents", ()):
                    yield item["Key"][len(self.prefix) :]
        except (BotoCoreError, ClientError) as error:
            raise self._failed("", error) from error

    def describe(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"


def for_config(config) -> Store:
    if config.get("STORAGE_BACKEND") == "s3":
        return ObjectStore.from_config(config)
    return LocalFolder(config["UPLOAD_FOLDER"])


def current() -> Store:
    """The application's store, made once per app (a boto3 client is thread-safe and keeps its pool)."""
    extensions = current_app.extensions
    store = extensions.get("gdnn_storage")
    if store is None:
        store = extensions["gdnn_storage"] = for_config(current_app.config)
    return store


def check() -> str | None:
    """Readiness: the store takes, gives back and forgets a small probe; the reason when it does not."""
    store = current()
    key = f"readiness/{secrets.token_hex(8)}.probe"
    try:
        store.put(key, b"ok")
        if store.get(key) != b"ok":
            return "the store gave back other bytes"
        store.delete(key)
    except (OSError, StorageUnavailable) as error:
        return str(error)
    return None
