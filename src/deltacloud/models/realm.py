from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Realm:
    """A place instances run in: an availability zone, a datacenter."""

    id: str
    name: str
    state: str = "AVAILABLE"
    limit: str = "unlimited"
