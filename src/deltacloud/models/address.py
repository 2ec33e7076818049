from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Address:
    """A public IP address held by the account (an EC2 elastic IP, a floating IP)."""

    id: str  # the address itself
    instance_id: str | None = None

    @property
    def associated(self) -> bool:
        return self.instance_id is not None
