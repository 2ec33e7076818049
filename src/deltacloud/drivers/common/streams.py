"""Blob bytes on their way through a driver, in bounded memory both ways.

`ChunkStream` is an upload's chunks as a cloud's SDK wants them: pieces of an exact size
(multipart parts, segments), a file object's `read(n)`, or at most `n` bytes at a time;
it never holds more than one piece. `Content` is a download: the cloud's chunks, its
errors translated as they are read, and whatever must be released when the response
ends.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager

from deltacloud.errors import BadRequest

CHUNK = 1024 * 1024


class ChunkStream:
    """An upload's chunks, read once. With `declared` (the client's Content-Length), a
    body longer or shorter than declared is a 400 as soon as that shows."""

    def __init__(self, chunks: Iterable[bytes], declared: int | None = None) -> None:
        self._chunks = iter(chunks)
        self._pending = b""
        self.declared = declared
        self.received = 0  # bytes taken from the client so far
        self.position = 0  # bytes handed on so far
        self._done = False

    def _next(self) -> bytes:
        """The next non-empty piece (what was put back first), or b"" at the end."""
        if self._pending:
            chunk, self._pending = self._pending, b""
            return chunk
        if self._done:
            return b""
        for chunk in self._chunks:
            if chunk:
                self.received += len(chunk)
                if self.declared is not None and self.received > self.declared:
                    raise BadRequest("The body is longer than its Content-Length")
                return bytes(chunk)
        self._done = True
        if self.declared is not None and self.received != self.declared:
            raise BadRequest("The body is shorter than its Content-Length")
        return b""

    def has_more(self) -> bool:
        if not self._pending:
            self._pending = self._next()
        return bool(self._pending)

    def take(self, limit: int) -> Iterator[bytes]:
        """At most `limit` more bytes, chunk by chunk (nothing joined)."""
        left = limit
        while left > 0:
            chunk = self._next()
            if not chunk:
                return
            if len(chunk) > left:
                chunk, self._pending = chunk[:left], chunk[left:]
            left -= len(chunk)
            self.position += len(chunk)
            yield chunk

    def read(self, size: int = -1) -> bytes:
        """Up to `size` bytes (all that is left if negative); b"" at the end."""
        return b"".join(self.take(size if size >= 0 else 1 << 62))

    def pieces(self, size: int) -> Iterator[bytes]:
        """The rest as pieces of exactly `size` bytes, the last shorter; an empty body
        is one empty piece (so there is always a first piece to send)."""
        first = True
        while first or self.has_more():
            first = False
            yield self.read(size)

    def __iter__(self) -> Iterator[bytes]:
        """The rest, chunk by chunk."""
        while chunk := self._next():
            self.position += len(chunk)
            yield chunk

    # The file-object protocol SDKs read an upload through.
    def tell(self) -> int:
        return self.position

    def seekable(self) -> bool:
        return False

    def readable(self) -> bool:
        return True


class Counted:
    """Chunks passed on as they are, counted (`sent`) on the way."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = chunks
        self.sent = 0

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._chunks:
            self.sent += len(chunk)
            yield chunk


class Sized(Counted):
    """A streamed request body of known length, sent with a Content-Length rather than
    chunked (which some object stores refuse): requests reads its len(), and
    `http.HttpClient` states it."""

    def __init__(self, chunks: Iterable[bytes], length: int) -> None:
        super().__init__(chunks)
        self._length = length

    def __len__(self) -> int:
        return self._length


class Content:
    """A download handed to the server: `chunks` read once, inside `translate` (so a
    cloud failing mid-stream fails as an API error), then every `release` is called, in
    order, when the response ends, whether or not it was read to the end."""

    def __init__(self, chunks: Iterable[bytes], *release: Callable[[], object],
                 translate: Callable[[], AbstractContextManager[object]] | None = None) -> None:
        self._chunks = chunks
        self._release = release
        self._translate = translate or contextlib.nullcontext

    def __iter__(self) -> Iterator[bytes]:
        with self._translate():
            yield from self._chunks

    def close(self) -> None:
        errors = []
        for release in self._release:
            try:
                release()
            except Exception as exc:  # the others are still released
                errors.append(exc)
        if errors:
            raise errors[0]

    @classmethod
    def empty(cls, *release: Callable[[], object]) -> Content:
        """No bytes (a zero-length range), releasing what the lookup needed."""
        return cls((), *release)
