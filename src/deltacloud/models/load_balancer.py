from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Listener:
    protocol: str  # HTTP | TCP | ...
    load_balancer_port: int
    instance_port: int


@dataclass
class LoadBalancer:
    """Spreads traffic over registered instances."""

    id: str
    realms: list[str] = field(default_factory=list)
    listeners: list[Listener] = field(default_factory=list)
    instances: list[str] = field(default_factory=list)
    public_addresses: list[str] = field(default_factory=list)
    created_at: str | None = None
