from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Bucket:
    """A container of blobs (an S3 bucket, a Swift or Azure container)."""

    id: str
    name: str
    size: int = 0  # the number of blobs
    blob_list: list[str] = field(default_factory=list)
    location: str | None = None
