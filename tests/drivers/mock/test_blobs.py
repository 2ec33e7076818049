"""The mock's blob files read back as a download: ranges, a short file, the release."""

from __future__ import annotations

from pathlib import Path

import pytest

from deltacloud.drivers.common.streams import CHUNK
from deltacloud.drivers.mock.blobs import BlobFiles


@pytest.fixture
def files(tmp_path: Path) -> BlobFiles:
    return BlobFiles(tmp_path / "blobs")


def test_a_range_reads_back_a_chunk_at_a_time(files: BlobFiles):
    data = bytes(range(256)) * (CHUNK // 256 + 1)
    name, size = files.write([data[:10], data[10:]])
    assert size == len(data)
    content = files.open(name, 5, len(data) - 1)
    chunks = list(content)
    content.close()
    assert b"".join(chunks) == data[5:]
    assert [len(c) for c in chunks] == [CHUNK, len(data) - 5 - CHUNK]


def test_an_empty_range_reads_nothing(files: BlobFiles):
    name, _ = files.write([b"abc"])
    content = files.open(name, 0, -1)
    assert list(content) == []
    content.close()


def test_a_file_shorter_than_recorded_fails_the_download(files: BlobFiles):
    name, _ = files.write([b"abc"])
    content = files.open(name, 1, 9)
    with pytest.raises(OSError, match="blob file shorter than recorded"):
        list(content)
    content.close()


def test_closing_releases_the_file_even_unread(files: BlobFiles):
    name, _ = files.write([b"abc"])
    content = files.open(name, 0, 2)
    content.close()
    with pytest.raises(ValueError, match="closed file"):
        list(content)
