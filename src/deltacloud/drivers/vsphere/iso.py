"""The `user_iso` parameter: a base64-encoded, gzipped ISO 9660 image, unpacked to a file.

The image goes to the instance's datastore and is mounted in its CD-ROM drive, as
Deltacloud's vsphere driver did. It is unpacked in bounded memory into a temporary file
with a ceiling on its size, so a small parameter cannot expand into a huge file.
"""

from __future__ import annotations

import base64
import binascii
import tempfile
import zlib
from typing import IO

from deltacloud.errors import BadRequest

MAX_ISO_BYTES = 64 * 1024 * 1024
_CHUNK = 1024 * 1024
# ISO 9660: the first volume descriptor starts at sector 16 with its type byte, then "CD001".
_MAGIC_AT, _MAGIC = 16 * 2048 + 1, b"CD001"
_NOT_AN_ISO = "Parameter 'user_iso' must be a base64-encoded, gzipped ISO image"


def unpack(value: str) -> IO[bytes]:
    """The ISO image in a temporary file, positioned at its start; 400 if it is not one."""
    try:
        packed = base64.b64decode("".join(value.split()), validate=True)
    except binascii.Error:
        raise BadRequest(_NOT_AN_ISO) from None
    out = tempfile.TemporaryFile()  # noqa: SIM115 - the caller closes it
    try:
        _inflate(packed, out)
    except BaseException:
        out.close()
        raise
    out.seek(_MAGIC_AT)
    magic = out.read(len(_MAGIC))
    out.seek(0)
    if magic != _MAGIC:
        out.close()
        raise BadRequest(_NOT_AN_ISO)
    return out


def _inflate(packed: bytes, out: IO[bytes]) -> None:
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)  # gzip framing only
    size, data = 0, packed
    try:
        while data:
            chunk = inflater.decompress(data, _CHUNK)
            size += len(chunk)
            if size > MAX_ISO_BYTES:
                raise BadRequest(f"Parameter 'user_iso' unpacks to more than "
                                 f"{MAX_ISO_BYTES // (1024 * 1024)} MiB")
            out.write(chunk)
            data = inflater.unconsumed_tail
    except zlib.error:
        raise BadRequest(_NOT_AN_ISO) from None
    if not inflater.eof:
        raise BadRequest(_NOT_AN_ISO)
