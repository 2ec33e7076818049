"""S3 blobs streamed both ways in bounded memory.

Uploads read the request's chunks once: a blob that fits in one part goes up
with a single PutObject, a larger one as a multipart upload of PART_SIZE parts,
so at most one part is held at a time. Downloads hand out GetObject's
streaming body, asked for with a Range.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from typing import Any

from deltacloud.models import BlobUpload

PART_SIZE = 8 * 1024 * 1024  # S3's minimum part is 5 MiB
CHUNK = 1024 * 1024


def _parts(chunks: Iterable[bytes], size: int) -> Iterator[bytes]:
    """Re-cut a stream of chunks into pieces of exactly `size` bytes (the last shorter)."""
    pending: list[bytes] = []
    held = 0
    for chunk in chunks:
        if not chunk:
            continue
        pending.append(chunk)
        held += len(chunk)
        while held >= size:
            joined = b"".join(pending)
            yield joined[:size]
            rest = joined[size:]
            pending, held = ([rest] if rest else []), len(rest)
    if held or not pending:
        yield b"".join(pending)


def upload(s3: Any, bucket: str, key: str, blob: BlobUpload) -> None:
    """Store the upload's bytes under bucket/key, multipart when it is larger than a part."""
    extra: dict[str, Any] = {"ContentType": blob.content_type,
                             "Metadata": dict(blob.user_metadata)}
    parts = _parts(blob.chunks, PART_SIZE)
    first = next(parts)
    second = next(parts, None)
    if second is None:
        s3.put_object(Bucket=bucket, Key=key, Body=first, **extra)
        return
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key=key, **extra)["UploadId"]
    try:
        done = []
        for number, body in enumerate(_chain(first, second, parts), start=1):
            etag = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload_id,
                                  PartNumber=number, Body=body)["ETag"]
            done.append({"ETag": etag, "PartNumber": number})
        s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id,
                                     MultipartUpload={"Parts": done})
    except BaseException:
        # The original failure is what the client needs to see.
        with contextlib.suppress(Exception):
            s3.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id)
        raise


def _chain(first: bytes, second: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    yield first
    yield second
    yield from rest


class S3Content:
    """A GetObject body read a chunk at a time; `close` returns the connection."""

    def __init__(self, body: Any, translate: Any) -> None:
        self._body = body
        self._translate = translate

    def __iter__(self) -> Iterator[bytes]:
        with self._translate():
            yield from self._body.iter_chunks(CHUNK)

    def close(self) -> None:
        self._body.close()
