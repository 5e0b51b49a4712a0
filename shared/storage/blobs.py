"""Raw mails and attachments: S3 in AWS, a local directory on a developer's machine and in tests."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Protocol

from shared.settings import get_settings


class BlobStore(Protocol):
    def put(self, key: str, data: bytes, content_type: str) -> None: ...
    def delete_prefix(self, prefix: str) -> int: ...


class DirectoryBlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError(f"blob key escapes the store: {key!r}")
        return path

    def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

    def delete_prefix(self, prefix: str) -> int:
        import shutil

        target = self._path(prefix.rstrip("/"))
        if not target.exists():
            return 0
        count = sum(1 for p in target.rglob("*") if p.is_file())
        shutil.rmtree(target)
        return count

    def read(self, key: str) -> bytes | None:
        """The blob's bytes (the local stage serves a desk download itself); None if it is gone."""
        path = self._path(key)
        return path.read_bytes() if path.is_file() else None


class S3BlobStore:
    def __init__(self, bucket: str, region: str) -> None:
        import boto3

        self.bucket = bucket
        self.client = boto3.client("s3", region_name=region)

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self.client.put_object(
            Bucket=self.bucket, Key=key, Body=data, ContentType=content_type, ServerSideEncryption="AES256"
        )

    def delete_prefix(self, prefix: str) -> int:
        deleted = 0
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
            keys = [{"Key": obj["Key"]} for obj in page.get("Contents", [])]
            if keys:
                self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": keys})
                deleted += len(keys)
        return deleted

    def presigned_url(self, key: str, seconds: int, filename: str) -> str:
        """A GET of the object valid for `seconds`, downloaded (never shown inline) under `filename`."""
        return str(
            self.client.generate_presigned_url(
                "get_object",
                Params={
                    "Bucket": self.bucket,
                    "Key": key,
                    "ResponseContentDisposition": f'attachment; filename="{filename}"',
                    "ResponseContentType": "application/octet-stream",
                },
                ExpiresIn=seconds,
            )
        )


@cache
def blob_store() -> BlobStore:
    settings = get_settings()
    if settings.attachments_bucket:
        return S3BlobStore(settings.attachments_bucket, settings.region)
    return DirectoryBlobStore(settings.attachments_dir)


def account_prefix(account_id: str) -> str:
    """Every blob of an account lives under one prefix, so deletion removes them all."""
    return f"accounts/{account_id}/"
