from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol


@dataclass
class Blob:
    """An object in a bucket: its metadata (the bytes stream separately)."""

    id: str
    bucket: str
    content_length: int
    content_type: str = "application/octet-stream"
    last_modified: str | None = None
    user_metadata: dict[str, str] = field(default_factory=dict)


class ByteSource(Protocol):
    """Bytes a driver reads in order: the body of an upload."""

    def __iter__(self) -> Iterator[bytes]: ...


@dataclass
class BlobUpload:
    """What a client sends to create a blob; `chunks` is read once, in bounded pieces."""

    chunks: ByteSource
    content_type: str = "application/octet-stream"
    user_metadata: dict[str, str] = field(default_factory=dict)
    # Declared by the client (Content-Length) where known; drivers may use it to
    # choose a single or a multipart upload, but must count what really arrives.
    content_length: int | None = None


class BlobContent(Protocol):
    """Bytes a driver hands out for a download; closed when the response ends."""

    def __iter__(self) -> Iterator[bytes]: ...

    def close(self) -> None: ...
