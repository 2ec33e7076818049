"""The HTTP side of the client: one connection pool, the API's URL, who and where to ask.

Every request asks for JSON and names its driver and provider in the X-Deltacloud-*
headers; an error answer becomes an `APIError`, a broken connection `ConnectionFailed`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote, urlsplit, urlunsplit

import httpx2 as httpx
import orjson

from deltacloud.client.errors import ClientError, ConnectionFailed, api_error

DEFAULT_URL = "http://localhost:3001/api"
USER_AGENT = "deltacloud-server-client/0.1"
# Header values as text, or as bytes already encoded (blob metadata is Latin-1).
Headers = Mapping[str, str] | Sequence[tuple[bytes, bytes]]


def api_url(url: str) -> tuple[str, tuple[str, str] | None]:
    """The entry point's URL (`/api` added to a bare host) and any `user:password@` in it,
    taken out so that it is sent as Basic auth and never shown back."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ClientError("The server URL must be http:// or https:// with a host")
    userinfo = None
    if parts.username is not None:
        userinfo = (unquote(parts.username), unquote(parts.password or ""))
    netloc = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    if parts.port is not None:
        netloc += f":{parts.port}"
    path = parts.path.rstrip("/") or "/api"
    return urlunsplit((parts.scheme, netloc, path, "", "")), userinfo


def segment(value: str) -> str:
    """One path segment, percent-encoded (an id may hold anything)."""
    return quote(value, safe="")


@dataclass(frozen=True)
class Backend:
    """The driver and provider requests name; None leaves the server's default."""

    driver: str | None = None
    provider: str | None = None

    def headers(self) -> dict[str, str]:
        out = {}
        if self.driver:
            out["X-Deltacloud-Driver"] = self.driver
        if self.provider:
            out["X-Deltacloud-Provider"] = self.provider
        return out


class Session:
    """An httpx client bound to one server, credentials and backend."""

    def __init__(self, http: httpx.Client, url: str, backend: Backend) -> None:
        self.http = http
        self.url = url
        self.backend = backend

    def with_backend(self, backend: Backend) -> Session:
        """The same pool and credentials, another driver or provider."""
        return Session(self.http, self.url, backend)

    def path(self, *parts: str) -> str:
        return "/".join((self.url, *parts))

    def _headers(self, extra: Headers | None) -> list[tuple[bytes, bytes]]:
        """Accept JSON, name the backend, then `extra` (whose names win)."""
        merged: dict[bytes, tuple[bytes, bytes]] = {}
        pairs: list[tuple[str | bytes, str | bytes]] = [
            ("Accept", "application/json"), *self.backend.headers().items()]
        pairs += list(extra.items()) if isinstance(extra, Mapping) else list(extra or ())
        for name, value in pairs:
            raw_name = name if isinstance(name, bytes) else name.encode("ascii")
            try:
                raw_value = value if isinstance(value, bytes) else value.encode("latin-1")
            except UnicodeEncodeError:
                raise ClientError(f"The {raw_name.decode()} header must be Latin-1 text"
                                  ) from None
            merged[raw_name.lower()] = (raw_name, raw_value)
        return list(merged.values())

    def request(self, method: str, path: str, *, params: Mapping[str, str] | None = None,
                data: Mapping[str, str] | None = None,
                headers: Headers | None = None,
                content: bytes | Iterable[bytes] | None = None) -> httpx.Response:
        """Send one request and read its answer whole; raise on an error status."""
        try:
            response = self.http.request(method, path, params=params, data=data,
                                         headers=self._headers(headers), content=content)
        except httpx.TransportError as exc:
            raise ConnectionFailed(f"{type(exc).__name__} talking to {self.url}: {exc}") from exc
        if response.status_code >= 400:
            raise api_error(response.status_code, response.content)
        return response

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.request(method, path, **kwargs)
        if not response.content:
            return None
        try:
            return orjson.loads(response.content)
        except orjson.JSONDecodeError:
            raise ClientError(f"The server's answer to {method} {path} is not JSON") from None

    @contextlib.contextmanager
    def stream(self, method: str, path: str, *,
               headers: Headers | None = None) -> Iterator[httpx.Response]:
        """An answer whose body is read as it comes (blob bytes); closed on leaving."""
        try:
            with self.http.stream(method, path, headers=self._headers(headers)) as response:
                if response.status_code >= 400:
                    response.read()
                    raise api_error(response.status_code, response.content)
                yield response
        except httpx.TransportError as exc:
            raise ConnectionFailed(f"{type(exc).__name__} talking to {self.url}: {exc}") from exc


def open_http(auth: tuple[str, str] | None, timeout: float,
              transport: httpx.BaseTransport | None = None, verify: bool | str = True
              ) -> httpx.Client:
    """The pool every Session of one Client shares. Redirects are not followed: a POST
    must not turn into a GET, nor credentials travel to another host."""
    return httpx.Client(auth=auth, timeout=httpx.Timeout(timeout), transport=transport,
                        follow_redirects=False, verify=verify,
                        headers={"User-Agent": USER_AGENT})
