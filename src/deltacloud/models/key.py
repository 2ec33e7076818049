from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Key:
    """A credential for logging in to instances: a key pair or a password."""

    id: str
    credential_type: str = "key"  # key | password
    fingerprint: str | None = None
    # Only ever set on the answer to the create that generated it.
    pem_rsa_key: str | None = None
    username: str | None = None
    password: str | None = None
    state: str | None = "AVAILABLE"

    @property
    def name(self) -> str:
        return self.id
