from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class FirewallSource:
    """Where a rule lets traffic in from: another firewall (group) or an address range."""

    type: str  # group | address
    name: str | None = None  # group
    owner: str | None = None  # group
    address: str | None = None  # address
    prefix: str | None = None  # address: the prefix length
    family: str | None = None  # address: ipv4 | ipv6


@dataclass
class FirewallRule:
    id: str
    allow_protocol: str  # tcp | udp | icmp
    port_from: str
    port_to: str
    sources: list[FirewallSource] = field(default_factory=list)
    direction: str = "ingress"


@dataclass
class Firewall:
    """A set of rules for the traffic instances accept (an EC2 security group)."""

    id: str
    name: str
    description: str = ""
    owner_id: str | None = None
    rules: list[FirewallRule] = field(default_factory=list)
