"""Blob bytes between the event loop and the worker threads drivers run in, in bounded memory."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import anyio.from_thread
from starlette.requests import ClientDisconnect, Request

from deltacloud.errors import BadRequest
from deltacloud.models.blob import BlobContent

InThread = Callable[..., Awaitable[Any]]

# Chunks are gathered up to this size per crossing into the loop: fewer thread
# hops for a large upload, and still a bounded buffer.
BATCH = 1024 * 1024


class RequestBody:
    """The request body as a plain iterator, for a driver running in a worker thread.

    While the driver handles one batch, the event loop gathers the next (one batch
    ahead, no more): receiving and writing overlap, and a slow cloud still slows
    the client through TCP back-pressure instead of filling memory.
    """

    def __init__(self, request: Request) -> None:
        self._chunks = request.stream().__aiter__()
        self._done = False

    async def _next_batch(self) -> bytes:
        parts: list[bytes] = []
        size = 0
        while size < BATCH and not self._done:
            try:
                chunk = await self._chunks.__anext__()
            except StopAsyncIteration:
                self._done = True
                break
            except ClientDisconnect:
                raise BadRequest("The client went away during the upload") from None
            if chunk:
                parts.append(chunk)
                size += len(chunk)
        return b"".join(parts)

    def __iter__(self) -> Iterator[bytes]:
        loop = anyio.from_thread.run_sync(asyncio.get_running_loop)
        ahead = asyncio.run_coroutine_threadsafe(self._next_batch(), loop)
        try:
            while True:
                batch = ahead.result()
                if not batch:
                    return
                ahead = asyncio.run_coroutine_threadsafe(self._next_batch(), loop)
                yield batch
        finally:
            ahead.cancel()  # the driver stopped early: read no further


async def content_chunks(content: BlobContent, run: InThread) -> AsyncIterator[bytes]:
    """A driver's download as an async iterator, each read in a worker thread by `run` (the
    driver's own pool); the driver's stream is closed however it ends."""
    iterator = iter(content)
    try:
        while True:
            chunk = await run(next, iterator, None)
            if chunk is None:
                return
            yield chunk
    finally:
        content.close()
