"""GCS's buckets and objects as Deltacloud buckets and blobs."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from email.utils import format_datetime
from typing import Any

from deltacloud.errors import BadRequest
from deltacloud.models import Blob, Bucket

META = "x-goog-meta-"
# Bucket names: 3-63 lower-case letters, digits, '-', '_', '.'; letter or digit at both ends.
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$")


def bucket_name(name: str) -> str:
    if not _BUCKET.match(name) or name.startswith("goog") or "google" in name:
        raise BadRequest("Google bucket names are 3-63 lower-case letters, digits, '-_.' "
                         "and may not name Google")
    return name


def bucket(name: str, blob_names: list[str] | None = None,
           location: str | None = None) -> Bucket:
    names = blob_names or []
    return Bucket(id=name, name=name, size=len(names), blob_list=names, location=location)


def http_date(when: datetime | None) -> str | None:
    return format_datetime(when, usegmt=True) if when else None


def blob_from_headers(bucket_id: str, key: str, headers: Mapping[str, str]) -> Blob:
    """An XML API HEAD answer as a blob."""
    return Blob(
        id=key,
        bucket=bucket_id,
        content_length=int(headers.get("Content-Length") or 0),
        content_type=headers.get("Content-Type") or "application/octet-stream",
        last_modified=headers.get("Last-Modified"),
        user_metadata={k[len(META):].lower(): v for k, v in headers.items()
                       if k.lower().startswith(META)},
    )


def blob_from_object(bucket_id: str, obj: Any) -> Blob:
    """A JSON API object (google.cloud.storage.Blob) as a blob."""
    return Blob(
        id=obj.name,
        bucket=bucket_id,
        content_length=int(obj.size or 0),
        content_type=obj.content_type or "application/octet-stream",
        last_modified=http_date(obj.updated),
        # fake-gcs-server keeps a key patched to null (GCS deletes it): hide those.
        user_metadata={k: v for k, v in (obj.metadata or {}).items() if v is not None},
    )
