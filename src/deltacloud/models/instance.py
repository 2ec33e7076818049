from __future__ import annotations

from dataclasses import dataclass, field

from deltacloud.models.instance_address import InstanceAddress


@dataclass
class Instance:
    """A running (or stopped, or pending) machine."""

    id: str
    name: str
    owner_id: str
    image_id: str
    realm_id: str
    state: str  # upper case, e.g. RUNNING; the state machine's names lower-cased
    hardware_profile_id: str
    # Properties set at creation that differ from the profile's defaults.
    hardware_profile_overrides: dict[str, str] = field(default_factory=dict)
    actions: list[str] = field(default_factory=list)
    public_addresses: list[InstanceAddress] = field(default_factory=list)
    private_addresses: list[InstanceAddress] = field(default_factory=list)
    launch_time: str | None = None
    keyname: str | None = None
    username: str | None = None
    password: str | None = None
    firewalls: list[str] | None = None
    # (volume id, device) pairs
    storage_volumes: list[tuple[str, str | None]] = field(default_factory=list)
    create_image: bool = False
