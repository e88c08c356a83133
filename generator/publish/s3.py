"""Publish to S3 or an S3-compatible store (R2, B2, MinIO, SeaweedFS, ...) with boto3.

Credentials come only from the standard AWS chain (environment, AWS_PROFILE and
~/.aws, instance roles). Every object is uploaded in one PUT, so its ETag is
the MD5 of its bytes: a file whose MD5 equals the listed ETag is not sent
again. Each upload carries its Content-Type and Cache-Control
(`headers`); stale keys are deleted last, and only with --delete.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import boto3
from botocore.config import Config as ClientConfig
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
)

from ..site.publish_targets import PublishError, PublishTarget
from .headers import cache_control, content_type
from .plan import Changes, Job, LocalFile, compare, is_document

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import ObjectIdentifierTypeDef

_UPLOAD_THREADS = 8
_DELETE_BATCH = 1000  # the most keys one DeleteObjects call takes
_REJECTED = ("InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken", "ExpiredToken",
             "InvalidClientTokenId", "AuthorizationHeaderMalformed")


def publish(job: Job) -> Changes:
    parts = urlsplit(job.target.url)
    bucket, prefix = parts.netloc, parts.path.strip("/")
    try:
        client = _client(job.target)
        remote = _inventory(client, bucket, prefix)
        changes = compare(job.files, remote, _same_etag, job.target.delete)
        if not job.dry_run:
            _upload(client, bucket, prefix, changes.uploads, job)
            keys = [_key(prefix, path) for path in changes.deletions]
            _delete(client, bucket, keys, job.target)
    except (BotoCoreError, ClientError) as exc:
        raise PublishError(job.target, _cause(exc, bucket)) from None
    return changes


def _client(target: PublishTarget) -> S3Client:
    settings = ClientConfig(
        connect_timeout=10,
        read_timeout=60,
        retries={"max_attempts": 3, "mode": "standard"},
        # Send checksums only where S3 requires them; many compatible stores
        # reject the newer default. Uploads carry Content-MD5 instead.
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
    )
    return boto3.session.Session().client(
        "s3",
        endpoint_url=target.endpoint_url or None,
        region_name=target.region or None,
        config=settings,
    )


def _key(prefix: str, path: str) -> str:
    return f"{prefix}/{path}" if prefix else path


def _inventory(client: S3Client, bucket: str, prefix: str) -> dict[str, str]:
    """Relative path -> ETag of every object under `prefix`."""
    start = f"{prefix}/" if prefix else ""
    found = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=start):
        for item in page.get("Contents", []):
            found[item["Key"][len(start) :]] = item["ETag"].strip('"')
    return found


def _same_etag(file: LocalFile, etag: str) -> bool:
    return _md5(file.source.read_bytes()).hexdigest() == etag


def _md5(data: bytes) -> hashlib._Hash:
    return hashlib.md5(data, usedforsecurity=False)


def _upload(
    client: S3Client, bucket: str, prefix: str, files: Sequence[LocalFile], job: Job
) -> None:
    """Upload `files` in parallel: assets first, then documents (so no page links ahead)."""
    assets = [f for f in files if not is_document(f.path)]
    pages = [f for f in files if is_document(f.path)]
    put = partial(_put, client, bucket, prefix, job.target)
    job.progress.start("Uploading", len(files))
    with ThreadPoolExecutor(_UPLOAD_THREADS) as pool:
        try:
            for batch in (assets, pages):
                for _ in pool.map(put, batch):
                    job.progress.advance()
        except BaseException:
            pool.shutdown(cancel_futures=True)  # no more uploads after the first failure
            raise
    job.progress.finish()


def _put(
    client: S3Client, bucket: str, prefix: str, target: PublishTarget, file: LocalFile
) -> None:
    data = file.source.read_bytes()
    client.put_object(
        Bucket=bucket,
        Key=_key(prefix, file.path),
        Body=data,
        ContentMD5=base64.b64encode(_md5(data).digest()).decode(),
        ContentType=content_type(file.path),
        CacheControl=cache_control(file.path, target),
    )


def _delete(client: S3Client, bucket: str, keys: Sequence[str], target: PublishTarget) -> None:
    for start in range(0, len(keys), _DELETE_BATCH):
        batch: list[ObjectIdentifierTypeDef] = [
            {"Key": key} for key in keys[start : start + _DELETE_BATCH]
        ]
        answer = client.delete_objects(Bucket=bucket, Delete={"Objects": batch, "Quiet": True})
        if errors := answer.get("Errors"):
            first = errors[0]
            cause = f"{first.get('Code', '?')}: {first.get('Message', '')}"
            raise PublishError(target, f"could not delete {first.get('Key', '?')} ({cause})")


def _cause(exc: Exception, bucket: str) -> str:
    if isinstance(exc, NoCredentialsError):
        return (
            "no AWS credentials found; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, "
            "or AWS_PROFILE, or run where an instance role provides them"
        )
    if isinstance(exc, EndpointConnectionError):
        where = urlsplit(str(exc.kwargs.get("endpoint_url", "")))
        return f"cannot reach the S3 endpoint {where.scheme}://{where.netloc}"
    if not isinstance(exc, ClientError):
        return str(exc)
    error = exc.response.get("Error", {})
    code, message = error.get("Code", "?"), error.get("Message", "")
    if code in _REJECTED:
        return f"the S3 credentials were rejected ({code}: {message})"
    if code == "NoSuchBucket":
        return f"the bucket {bucket} does not exist"
    if code in ("AccessDenied", "403"):
        return f"access to the bucket {bucket} was denied ({message or code})"
    return f"{code}: {message}"
