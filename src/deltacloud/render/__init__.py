"""Turning models into XML, JSON and HTML: one module per format."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from deltacloud.drivers.base import Driver


@dataclass(frozen=True)
class View:
    """What every renderer needs beside the model: where the API lives, who serves it."""

    api_url: str  # absolute, no trailing slash: http://localhost:3001/api
    driver: Driver
    driver_name: str
    provider: str

    def url(self, *parts: str) -> str:
        """The absolute URL of a path below the API root; ids are percent-encoded."""
        if not parts:
            return self.api_url
        return self.api_url + "/" + "/".join(quote(p, safe="") for p in parts)

    def action_url(self, collection: str, id: str, action: str) -> str:
        if action == "destroy":
            return self.url(collection, id)
        return self.url(collection, id, action)


def action_method(action: str) -> str:
    return "delete" if action == "destroy" else "post"
