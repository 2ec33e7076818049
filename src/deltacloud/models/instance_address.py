from __future__ import annotations

from dataclasses import dataclass


@dataclass
class InstanceAddress:
    """One address of an instance: an IP or a resolvable host name."""

    address: str
    type: str = "ipv4"  # ipv4 | ipv6 | hostname | mac
    port: int | None = None
