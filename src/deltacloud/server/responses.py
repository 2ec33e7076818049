"""Building responses: body in the chosen format, and the headers every answer carries."""

from __future__ import annotations

import hashlib
import time
from email.utils import formatdate

from starlette.responses import Response

from deltacloud import API_VERSION
from deltacloud.server.negotiation import CONTENT_TYPES
from deltacloud.text import header_value

SERVER = f"Apache-Deltacloud/{API_VERSION}"

_date_cache: tuple[int, str] = (0, "")


def http_date() -> str:
    """The Date header, formatted once per second."""
    global _date_cache
    now = int(time.time())
    if _date_cache[0] != now:
        _date_cache = (now, formatdate(now, usegmt=True))
    return _date_cache[1]


def base_headers(driver: str, provider: str) -> dict[str, str]:
    return {
        "Server": SERVER,
        "Date": http_date(),
        "X-Deltacloud-Driver": driver,
        "X-Deltacloud-Provider": header_value(provider),
    }


def etag_of(body: bytes) -> str:
    return '"' + hashlib.md5(body, usedforsecurity=False).hexdigest() + '"'


def matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
    return etag in tags or etag.strip('"') in tags


def respond(
    body: str | None,
    status: int,
    fmt: str,
    headers: dict[str, str],
    *,
    method: str = "GET",
    if_none_match: str | None = None,
) -> Response:
    """A response with its ETag on GET/HEAD 200s, and 304 when the client has it already."""
    data = body.encode("utf-8") if body is not None else b""
    if body is not None:
        headers["Content-Type"] = CONTENT_TYPES[fmt]
    if method in ("GET", "HEAD") and status == 200:
        etag = etag_of(data)
        headers["ETag"] = etag
        if matches(if_none_match, etag):
            headers.pop("Content-Type", None)
            return Response(status_code=304, headers=headers)
    return Response(data, status_code=status, headers=headers)
