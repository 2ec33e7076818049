"""S3 blobs streamed both ways in bounded memory.

Uploads read the request's chunks once: a blob that fits in one part goes up
with a single PutObject, a larger one as a multipart upload of PART_SIZE parts,
so at most one part is held at a time. Downloads hand out GetObject's
streaming body, asked for with a Range.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from deltacloud.drivers.common.streams import CHUNK, ChunkStream, Content
from deltacloud.models import BlobUpload

PART_SIZE = 8 * 1024 * 1024  # S3's minimum part is 5 MiB


def upload(s3: Any, bucket: str, key: str, blob: BlobUpload) -> None:
    """Store the upload's bytes under bucket/key, multipart when it is larger than a part."""
    extra: dict[str, Any] = {"ContentType": blob.content_type,
                             "Metadata": dict(blob.user_metadata)}
    parts = ChunkStream(blob.chunks).pieces(PART_SIZE)
    first = next(parts)  # an empty body is one empty piece: a zero-byte PutObject
    second = next(parts, None)
    if second is None:
        s3.put_object(Bucket=bucket, Key=key, Body=first, **extra)
        return
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key=key, **extra)["UploadId"]
    try:
        done = []
        for number, body in enumerate(itertools.chain((first, second), parts), start=1):
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


def download(body: Any, translate: Callable[[], AbstractContextManager[object]]) -> Content:
    """A GetObject body read a chunk at a time, its failures translated as they are read;
    closing it returns the connection."""
    return Content(body.iter_chunks(CHUNK), body.close, translate=translate)
