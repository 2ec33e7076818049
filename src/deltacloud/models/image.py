from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Image:
    """A template instances are launched from."""

    id: str
    name: str
    owner_id: str
    description: str = ""
    architecture: str = ""
    state: str = "AVAILABLE"
    creation_time: str | None = None
    root_type: str = "transient"
    # Ids of the hardware profiles this image can run on.
    hardware_profiles: list[str] = field(default_factory=list)
