"""Real key material for the mock's key pairs (cryptography is imported on first use)."""

from __future__ import annotations

import base64
import hashlib

from deltacloud.errors import BadRequest


def _colons(digest: bytes) -> str:
    return ":".join(f"{b:02x}" for b in digest)


def generate_key_pair() -> tuple[str, str]:
    """A new RSA key: its PEM private key and the fingerprint EC2 would show for it."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode("ascii")
    der = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return pem, _colons(hashlib.sha1(der).digest())


def public_key_fingerprint(public_key: str) -> str:
    """The MD5 fingerprint of an OpenSSH public key; 400 if it is not one."""
    from cryptography.hazmat.primitives import serialization

    try:
        serialization.load_ssh_public_key(public_key.strip().encode("ascii"))
        blob = base64.b64decode(public_key.split()[1])
    except (ValueError, IndexError, UnicodeEncodeError):
        raise BadRequest("Parameter 'public_key' is not an OpenSSH public key") from None
    return _colons(hashlib.md5(blob).digest())
