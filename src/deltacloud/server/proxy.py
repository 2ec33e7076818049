"""The public URL behind a reverse proxy: `X-Forwarded-*`, from trusted proxies only.

Behind a proxy the request the app sees is not the one the client sent: nginx speaks
HTTP to the app on loopback while the client spoke HTTPS to `cloud.example.com`, under a
path prefix the proxy took off (`/cloud/api/...` arrives as `/api/...`). Links,
redirects and the same-origin check must name the public URL, which the proxy tells in
`X-Forwarded-Proto`, `X-Forwarded-Host` and `X-Forwarded-Prefix`.

Anyone can send those headers, so they count only on a connection from an address of
`DELTACLOUD_TRUSTED_PROXIES` (default: none). From there this middleware makes them the
request's scheme and `Host` and records the prefix (`PUBLIC_PREFIX`, read by
`context.public_root`); from anywhere else the request goes on untouched. uvicorn's own
proxy-header handling is off (`deltacloudd`, `gunicorn_worker.Worker`): this setting is
the only one. Where a header holds several comma-separated values, the last one counts
(the one the proxy nearest to us added); a value that is not a scheme, a host or a path
is ignored.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence

from starlette.types import ASGIApp, Receive, Scope, Send

from deltacloud.settings import Network

PUBLIC_PREFIX = "deltacloud.public_prefix"

_HOST = re.compile(r"(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})?|\[[0-9A-Fa-f:.]{2,45}\])"
                   r"(?::[0-9]{1,5})?")
# Path segments of URL characters; no `;` (it would read as a matrix parameter), no `?`,
# `#`, quotes or spaces.
_PREFIX = re.compile(r"(?:/[A-Za-z0-9._~!$&'()*+,=:@%-]+)*/?")


def _last(headers: list[tuple[bytes, bytes]], name: bytes) -> str | None:
    values = [v.decode("latin-1") for k, v in headers if k.lower() == name]
    items = [item.strip() for item in ",".join(values).split(",") if item.strip()]
    return items[-1] if items else None


def trusted(client: tuple[str, int] | None, proxies: Sequence[Network]) -> bool:
    """Whether a connection from `client` (the ASGI scope's) comes from a trusted proxy."""
    if client is None or not proxies:
        return False
    try:
        address = ipaddress.ip_address(client[0].split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return any(address in network for network in proxies)


def forwarded_scope(scope: Scope) -> Scope:
    """The scope as the client sent the request, from its X-Forwarded-* headers."""
    headers: list[tuple[bytes, bytes]] = list(scope.get("headers", []))
    changed: dict[str, object] = {}
    proto = _last(headers, b"x-forwarded-proto")
    if proto is not None and proto.lower() in ("http", "https"):
        changed["scheme"] = proto.lower()
    host = _last(headers, b"x-forwarded-host")
    if host is not None and _HOST.fullmatch(host):
        changed["headers"] = [(k, v) for k, v in headers if k.lower() != b"host"] + [
            (b"host", host.encode("latin-1"))]
    prefix = _last(headers, b"x-forwarded-prefix")
    if prefix is not None and prefix.startswith("/") and _PREFIX.fullmatch(prefix):
        changed[PUBLIC_PREFIX] = prefix.rstrip("/")
    return {**scope, **changed} if changed else scope


class ForwardedHeaders:
    """ASGI middleware: a trusted proxy's X-Forwarded-* become the request's own."""

    def __init__(self, app: ASGIApp, proxies: Sequence[Network]) -> None:
        self.app = app
        self.proxies = tuple(proxies)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and trusted(scope.get("client"), self.proxies):
            scope = forwarded_scope(scope)
        await self.app(scope, receive, send)
