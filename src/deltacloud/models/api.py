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
    provider: str | None  # None: no provider chosen (XML leaves the attribute out)
    version: str
    links: list[EntryLink]
