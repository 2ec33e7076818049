from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FeatureParam:
    """A parameter a feature adds, as the entry point names it to clients."""

    name: str
    wire_type: str  # "string" or "array": Deltacloud calls every scalar a string


@dataclass(frozen=True)
class EntryFeature:
    """One feature of the driver's on a collection: the operation it extends and the
    parameters it adds."""

    name: str
    operation: str
    params: tuple[FeatureParam, ...] = ()


@dataclass
class EntryLink:
    """One collection on the entry point, with the driver's features on it."""

    rel: str
    features: list[EntryFeature] = field(default_factory=list)


@dataclass
class EntryPoint:
    """GET /api: what the current driver offers."""

    driver: str
    provider: str | None  # None: no provider chosen (XML leaves the attribute out)
    version: str
    links: list[EntryLink]
