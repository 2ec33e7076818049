"""Browsers must not change anything on behalf of another site's page.

The HTML interface changes state with form POSTs authenticated by HTTP Basic, which a
browser sends again with any form that posts here, whatever page it comes from: a page
elsewhere could stop or destroy a user's instances. A browser says where a request comes
from (`Sec-Fetch-Site`, or `Origin`, which must then be this server's public origin:
scheme, host and port); a state-changing request from another site is refused. API
clients (curl, the Ruby and Python clients) send neither header and are not affected.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.requests import Request

from deltacloud.errors import Forbidden

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
REFUSED = "A page of another site may not change anything here (cross-site request refused)"


def check_same_origin(request: Request) -> None:
    """Raise 403 for a state-changing request a browser sent from another site."""
    if request.method in SAFE_METHODS:
        return
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None:
        # "none": the user's own doing (typed, bookmarked); "same-origin": our own pages.
        if fetch_site.strip().lower() not in ("same-origin", "none"):
            raise Forbidden(REFUSED)
        return
    origin = request.headers.get("origin")
    if origin is None:
        return
    # Ours is the public origin: behind a trusted proxy, the one its X-Forwarded-Proto and
    # X-Forwarded-Host name (proxy.py); those headers from anyone else count for nothing.
    host = request.headers.get("host", "")
    ours = _origin(f"{request.url.scheme}://{host}") if host else None
    if ours is None or _origin(origin.strip()) != ours:
        raise Forbidden(REFUSED)


_DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an origin, the default port filled in; None if it is none."""
    try:
        parts = urlsplit(url)
        scheme, hostname = parts.scheme.lower(), parts.hostname
        port = parts.port or _DEFAULT_PORTS.get(scheme)
    except ValueError:
        return None
    if not hostname or port is None or parts.path not in ("", "/") or parts.username:
        return None
    return scheme, hostname.lower(), port
