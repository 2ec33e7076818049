from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Provider:
    """A place a driver can talk to (a region, an endpoint), with its entry points."""

    id: str
    entrypoints: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class DriverInfo:
    """GET /api/drivers: a driver as clients see it, read from its class declarations."""

    name: str
    display_name: str
    providers: tuple[Provider, ...] = ()
    # What the Basic credentials mean for this cloud.
    username_label: str | None = None
    password_label: str | None = None
