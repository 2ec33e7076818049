"""Turning models into XML, JSON and HTML: one module per format."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import quote

from deltacloud.drivers.base import Driver


@dataclass(frozen=True)
class View:
    """What every renderer needs beside the model: where the API lives, who serves it."""

    api_url: str  # absolute, no trailing slash: http://localhost:3001/api
    driver: Driver
    driver_name: str
    provider: str
    # URLs already built for this answer: a listing names the same images and realms often.
    _urls: dict[tuple[str, ...], str] = field(default_factory=dict, compare=False, repr=False)

    def url(self, *parts: str) -> str:
        """The absolute URL of a path below the API root; ids are percent-encoded."""
        found = self._urls.get(parts)
        if found is None:
            found = self.api_url
            if parts:
                found += "/" + "/".join(map(segment, parts))
            self._urls[parts] = found
        return found

    def action_url(self, collection: str, id: str, action: str) -> str:
        if action == "destroy":
            return self.url(collection, id)
        return self.url(collection, id, action)


_PLAIN = re.compile(r"[A-Za-z0-9_.~-]*")


@lru_cache(maxsize=4096)
def _quoted(part: str) -> str:
    return quote(part, safe="")


def segment(part: str) -> str:
    """One path segment, percent-encoded ('/' too); ordinary ids pass unchanged, fast."""
    return part if _PLAIN.fullmatch(part) else _quoted(part)


def action_method(action: str) -> str:
    return "delete" if action == "destroy" else "post"
