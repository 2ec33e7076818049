from __future__ import annotations

from dataclasses import dataclass


@dataclass
class CommandOutput:
    """What running a command on an instance printed."""

    instance_id: str
    public_address: str
    command: str
    output: str
