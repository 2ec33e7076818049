from __future__ import annotations

from dataclasses import dataclass


@dataclass
class StorageSnapshot:
    """A point-in-time copy of a storage volume."""

    id: str
    storage_volume_id: str
    state: str
    created: str | None = None
    name: str | None = None
    description: str | None = None
