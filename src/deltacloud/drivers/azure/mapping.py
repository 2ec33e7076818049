"""Azure's containers and blobs as Deltacloud buckets and blobs."""

from __future__ import annotations

import re
from datetime import datetime
from email.utils import format_datetime
from typing import Any

from deltacloud.errors import BadRequest
from deltacloud.models import Blob, Bucket

# Azure metadata names are C# identifiers; values travel as ASCII headers.
_META_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# Container names: 3-63 lower-case letters, digits and single hyphens.
_CONTAINER = re.compile(r"^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$")


def http_date(when: datetime | None) -> str | None:
    return format_datetime(when, usegmt=True) if when else None


def container_name(name: str) -> str:
    """A bucket name as Azure takes it (lower-cased, as Deltacloud's driver did)."""
    name = name.lower()
    if not _CONTAINER.match(name):
        raise BadRequest("Azure bucket names are 3-63 letters, digits and single hyphens")
    return name


def check_metadata(meta: dict[str, str]) -> dict[str, str]:
    for name, value in meta.items():
        if not _META_NAME.match(name):
            raise BadRequest("Azure metadata names are letters, digits and underscores, "
                             "not starting with a digit")
        if not value.isascii():
            raise BadRequest("Azure metadata values must be ASCII")
    return meta


def bucket(name: str, blob_names: list[str] | None = None) -> Bucket:
    names = blob_names or []
    return Bucket(id=name, name=name, size=len(names), blob_list=names)


def blob_from_properties(bucket_id: str, props: Any) -> Blob:
    settings = props.content_settings
    return Blob(
        id=props.name,
        bucket=bucket_id,
        content_length=int(props.size or 0),
        content_type=(settings.content_type if settings else None) or "application/octet-stream",
        last_modified=http_date(props.last_modified),
        user_metadata=dict(props.metadata or {}),
    )
