"""The mock's blob bytes: one file per blob version, made visible only when complete.

A blob's bytes go to a temporary file, are fsynced and renamed to a fresh name,
and only then does the database point at them (in one transaction). A crash at
any moment leaves at worst an unreferenced file, which `sweep` removes at the
next start: never a partial blob. File names carry the writing process's id, so
that with several worker processes one never sweeps another's upload in flight.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from deltacloud.drivers.common.streams import CHUNK, Content
from deltacloud.text import parse_integer


def _read(file: BinaryIO, left: int) -> Iterator[bytes]:
    """The next `left` bytes of `file`, a chunk at a time. A file shorter than the database
    says fails the download, rather than letting it end quietly short."""
    while left > 0:
        chunk = file.read(min(CHUNK, left))
        if not chunk:
            raise OSError("blob file shorter than recorded")
        left -= len(chunk)
        yield chunk


class BlobFiles:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)

    def write(self, chunks: Iterable[bytes]) -> tuple[str, int]:
        """Store the bytes under a new name; return the name and the size."""
        tmp = self.directory / f"tmp-{os.getpid()}-{uuid.uuid4().hex}"
        size = 0
        try:
            with tmp.open("wb") as out:
                for chunk in chunks:
                    out.write(chunk)
                    size += len(chunk)
                out.flush()
                os.fsync(out.fileno())
            name = f"{os.getpid()}-{uuid.uuid4().hex}.blob"
            tmp.rename(self.directory / name)
            self._sync_directory()
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return name, size

    def open(self, name: str, first: int, last: int) -> Content:
        """Bytes first..last of a stored blob; closing the content releases the file."""
        file = (self.directory / name).open("rb")
        file.seek(first)
        return Content(_read(file, max(last - first + 1, 0)), file.close)

    def remove(self, name: str | None) -> None:
        if name:
            (self.directory / name).unlink(missing_ok=True)

    def sweep(self, referenced: set[str]) -> None:
        """Delete what a crash left behind: unreferenced files of processes no longer running."""
        for path in self.directory.iterdir():
            if path.name not in referenced and not _writer_alive(path.name):
                path.unlink(missing_ok=True)

    def _sync_directory(self) -> None:
        fd = os.open(self.directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _writer_alive(name: str) -> bool:
    """Whether the process that wrote this file still runs (and is not this one)."""
    digits = name.removeprefix("tmp-").split("-", 1)[0]
    pid = parse_integer(digits)
    if pid is None or pid == os.getpid():
        return False
    try:
        os.kill(int(digits), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A killed process nobody has reaped yet (a zombie) still answers kill(0).
    try:
        stat = Path(f"/proc/{digits}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"
