"""Checking endpoint URLs that clients name in providers."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_HOST = re.compile(r"[A-Za-z0-9.-]+|[0-9A-Fa-f:.]+")


def valid_url(text: str) -> bool:
    """An http(s) URL with a plausible host (a name, IPv4 or IPv6 address) and port."""
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 (raises ValueError for a bad port)
    except ValueError:
        return False
    return (parts.scheme in ("http", "https") and bool(parts.hostname)
            and _HOST.fullmatch(parts.hostname or "") is not None
            and not parts.query and not parts.fragment)
