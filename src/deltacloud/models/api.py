from __future__ import annotations

from dataclasses import dataclass, field

from deltacloud.collections.features import Feature


@dataclass
class EntryLink:
    """One collection on the entry point, with the driver's features on it."""

    rel: str
    features: list[Feature] = field(default_factory=list)


@dataclass
class EntryPoint:
    """GET /api: what the current driver offers."""

    driver: str
    provider: str
    version: str
    links: list[EntryLink]
