from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class StorageVolume:
    """A block device that can be attached to an instance."""

    id: str
    capacity: str
    state: str
    name: str | None = None
    description: str | None = None
    created: str | None = None
    realm_id: str | None = None
    instance_id: str | None = None
    device: str | None = None
    kind: str | None = None
    actions: list[str] = field(default_factory=list)
