"""Turning models into XML, JSON and HTML: one module per format."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import quote

from deltacloud.models import Instance


@dataclass(frozen=True)
class View:
    """What every renderer needs beside the model: where the API lives, who serves it and
    what that driver can do (as data: renderers never reach the driver)."""

    api_url: str  # absolute, no trailing slash: http://localhost:3001/api
    driver_name: str
    provider: str
    capabilities: frozenset[str] = frozenset()
    # collection -> the driver's features on it
    features: Mapping[str, Sequence[str]] = field(default_factory=dict)
    # every driver the server has (the HTML driver switcher offers them)
    drivers: Sequence[str] = ()
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

    def supports(self, capability: str) -> bool:
        return capability in self.capabilities

    def has_feature(self, collection: str, feature: str) -> bool:
        return feature in self.features.get(collection, ())

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


def instance_links(inst: Instance, view: View) -> list[dict[str, str]]:
    """The instance's <actions>: what its state allows, then run and create_image."""
    links = [
        {"href": view.action_url("instances", inst.id, a), "method": action_method(a), "rel": a}
        for a in inst.actions
    ]
    if view.supports("run_on_instance"):
        links.append({"href": f"{view.url('instances', inst.id, 'run')};id={inst.id}",
                      "method": "post", "rel": "run"})
    if inst.create_image and view.supports("create_image"):
        links.append({"href": f"{view.url('images')};instance_id={inst.id}", "method": "post",
                      "rel": "create_image"})
    return links
