"""Buckets and blobs; blob bytes stream both ways in pieces, never held whole."""

from __future__ import annotations

import contextlib
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any

import httpx2 as httpx

from deltacloud.client.errors import ClientError, ConnectionFailed
from deltacloud.client.models import Blob, Bucket
from deltacloud.client.resources import Resources, _object
from deltacloud.client.session import Session, segment

CHUNK = 1024 * 1024
META_PREFIX = "x-deltacloud-blobmeta-"
_TOKEN = re.compile(r"[A-Za-z0-9!#$%&'*+.^_`|~-]+")
Progress = Callable[[int], None]
Source = bytes | IO[bytes] | Iterable[bytes]


def metadata_headers(metadata: dict[str, str]) -> list[tuple[bytes, bytes]]:
    """User metadata as X-Deltacloud-Blobmeta-NAME headers. Names must be HTTP tokens and
    values Latin-1 text without control characters: what a header can carry."""
    headers = []
    for name, value in metadata.items():
        if not _TOKEN.fullmatch(name):
            raise ClientError(f"Blob metadata name {name!r} is not an HTTP token")
        if any(ord(c) < 32 or ord(c) == 127 for c in value):
            raise ClientError(f"Blob metadata {name!r} holds a control character")
        try:
            encoded = value.encode("latin-1")
        except UnicodeEncodeError:
            raise ClientError(f"Blob metadata {name!r} is not Latin-1 text") from None
        headers.append((f"X-Deltacloud-Blobmeta-{name}".encode("ascii"), encoded))
    return headers


def size_of(file: IO[bytes]) -> int | None:
    """What is left to read of a regular file; None for pipes and sockets."""
    try:
        info = os.fstat(file.fileno())
        position = file.tell()
    except (OSError, AttributeError, ValueError):
        return None
    return info.st_size - position if stat.S_ISREG(info.st_mode) else None


def _chunks(source: Source, chunk_size: int, progress: Progress | None) -> Iterator[bytes]:
    """The source in pieces of at most chunk_size bytes, reporting each as it is sent."""
    if isinstance(source, bytes | bytearray | memoryview):
        pieces: Iterable[bytes] = (bytes(source[i:i + chunk_size])
                                   for i in range(0, len(source), chunk_size))
    elif hasattr(source, "read"):
        file: Any = source
        pieces = iter(lambda: file.read(chunk_size), b"")
    else:
        pieces = source
    for piece in pieces:
        if not isinstance(piece, bytes | bytearray | memoryview):
            raise ClientError("A blob's chunks must be bytes")
        if progress is not None:
            progress(len(piece))
        yield piece


class BlobReader:
    """A blob's bytes as they arrive: iterate it, inside `Blobs.open()`."""

    def __init__(self, response: httpx.Response, progress: Progress | None) -> None:
        self._response = response
        self._progress = progress
        length = response.headers.get("content-length")
        self.size: int | None = int(length) if length and length.isdigit() else None
        self.content_type = response.headers.get("content-type", "application/octet-stream")

    def __iter__(self) -> Iterator[bytes]:
        try:
            # As received (asked unencoded): re-chunking would copy every byte again.
            for piece in self._response.iter_raw():
                if self._progress is not None:
                    self._progress(len(piece))
                yield piece
        except httpx.TransportError as exc:
            raise ConnectionFailed(f"The download broke off: {type(exc).__name__}") from exc


class Buckets(Resources[Bucket]):
    collection, singular, model = "buckets", "bucket", Bucket

    def create(self, name: str, *, location: str | None = None) -> Bucket:
        params = {"name": name}
        if location:
            params["location"] = location
        return self._create(params)


class Blobs:
    """The blobs of buckets."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def _url(self, bucket: str, blob: str, *more: str) -> str:
        # A blob id may hold "/": the server takes it as it is.
        parts = (segment(bucket), "/".join(segment(p) for p in blob.split("/")), *more)
        return self._session.path("buckets", *parts)

    def list(self, bucket: str) -> list[str]:
        """The ids of the bucket's blobs."""
        return Buckets(self._session).get(bucket).blobs

    def get(self, bucket: str, blob: str) -> Blob:
        return Blob.from_json(_object(self._session.json("GET", self._url(bucket, blob)),
                                      "blob"))

    def metadata(self, bucket: str, blob: str) -> dict[str, str]:
        """The user metadata, from the headers of a HEAD (names lower-cased)."""
        response = self._session.request("HEAD", self._url(bucket, blob))
        return {k[len(META_PREFIX):]: v for k, v in response.headers.items()
                if k.lower().startswith(META_PREFIX)}

    def update_metadata(self, bucket: str, blob: str, metadata: dict[str, str]) -> None:
        """Replace the blob's user metadata."""
        self._session.request("POST", self._url(bucket, blob),
                              headers=metadata_headers(metadata))

    def delete(self, bucket: str, blob: str) -> None:
        self._session.request("DELETE", self._url(bucket, blob))

    def upload(self, bucket: str, blob: str, source: Source, *,
               content_type: str = "application/octet-stream",
               metadata: dict[str, str] | None = None, size: int | None = None,
               chunk_size: int = CHUNK, progress: Progress | None = None) -> Blob:
        """Create or replace a blob from bytes, a binary file or an iterator of bytes,
        sent as read (a file's size, or `size`, goes as Content-Length; else chunked)."""
        if size is None and hasattr(source, "fileno"):
            size = size_of(source)  # type: ignore[arg-type]
        if size is None and isinstance(source, bytes | bytearray | memoryview):
            size = len(source)
        headers: list[tuple[bytes, bytes]] = [
            (b"Content-Type", content_type.encode("latin-1", "replace")),
            *metadata_headers(metadata or {}),
        ]
        if size is not None:
            headers.append((b"Content-Length", str(size).encode()))
        doc = self._session.json("PUT", self._url(bucket, blob),
                                 headers=headers,
                                 content=_chunks(source, chunk_size, progress))
        return Blob.from_json(_object(doc, "blob"))

    @contextlib.contextmanager
    def open(self, bucket: str, blob: str, *, byte_range: tuple[int, int] | None = None,
             progress: Progress | None = None) -> Iterator[BlobReader]:
        """The blob's bytes as an iterator, read as they arrive (`byte_range`: first and
        last byte, inclusive). The connection closes on leaving the block."""
        headers = [(b"Accept", b"*/*"), (b"Accept-Encoding", b"identity")]
        if byte_range is not None:
            headers.append((b"Range", f"bytes={byte_range[0]}-{byte_range[1]}".encode()))
        with self._session.stream("GET", self._url(bucket, blob, "content"),
                                  headers=headers) as response:
            yield BlobReader(response, progress)

    def download(self, bucket: str, blob: str, file: IO[bytes], *,
                 progress: Progress | None = None) -> int:
        """Write the blob's bytes to a binary file; the number written."""
        written = 0
        with self.open(bucket, blob, progress=progress) as reader:
            for piece in reader:
                file.write(piece)
                written += len(piece)
            if reader.size is not None and written != reader.size:
                raise ConnectionFailed(f"The download ended at {written} of {reader.size} "
                                       "bytes")
        return written
