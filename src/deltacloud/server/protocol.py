"""uvicorn's HTTP protocol with a deadline for request headers.

uvicorn waits for a request's headers for as long as the client takes, so a few hundred
connections that send a header line now and then (slowloris) hold the server's sockets
forever. Here each request's headers must be complete within `header_timeout` seconds of
the connection or of the request's first byte; past it the client gets a 408 and the
connection is closed. Idle keep-alive connections keep uvicorn's own timeout.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

TIMEOUT_ANSWER = (b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n"
                  b"Content-Length: 0\r\n\r\n")


def with_header_timeout(header_timeout: float) -> type[HttpToolsProtocol]:
    """The protocol class to give uvicorn (`Config(http=...)`)."""

    class HeaderTimeoutProtocol(HttpToolsProtocol):
        _header_timer: asyncio.TimerHandle | None = None

        def _arm(self) -> None:
            self._disarm()
            self._header_timer = self.loop.call_later(header_timeout, self._headers_too_slow)

        def _disarm(self) -> None:
            if self._header_timer is not None:
                self._header_timer.cancel()
                self._header_timer = None

        def _headers_too_slow(self) -> None:
            self._header_timer = None
            if not self.transport.is_closing():
                self.transport.write(TIMEOUT_ANSWER)
                self.transport.close()

        def connection_made(self, transport: Any) -> None:
            super().connection_made(transport)
            self._arm()  # a connection that never sends a request is held no longer

        def on_message_begin(self) -> None:
            super().on_message_begin()
            self._arm()

        def on_headers_complete(self) -> None:
            self._disarm()
            super().on_headers_complete()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

    return HeaderTimeoutProtocol
