"""ChunkStream re-cuts an upload as clouds want it; Content releases what a download held."""

from __future__ import annotations

import pytest

from deltacloud.drivers.common.streams import ChunkStream, Content, Counted, Sized
from deltacloud.errors import BackendError, BadRequest


def chunks(*sizes: int) -> list[bytes]:
    out, n = [], 0
    for size in sizes:
        out.append(bytes((n + i) % 251 for i in range(size)))
        n += size
    return out


@pytest.mark.parametrize("sizes", [(), (0,), (3,), (10,), (4, 0, 7, 1), (25,), (5, 5, 5)])
def test_pieces_are_exact_and_lose_nothing(sizes: tuple[int, ...]) -> None:
    data = b"".join(chunks(*sizes))
    pieces = list(ChunkStream(chunks(*sizes)).pieces(5))
    assert b"".join(pieces) == data
    assert all(len(p) == 5 for p in pieces[:-1])
    assert 0 < len(pieces[-1]) <= 5 if data else pieces == [b""]
    assert len(pieces) == max(1, -(-len(data) // 5))


def test_pieces_never_hold_more_than_one_piece_and_a_chunk() -> None:
    taken = []

    def source():
        for chunk in chunks(*[3] * 100):
            taken.append(len(chunk))
            yield chunk

    stream = ChunkStream(source())
    for piece in stream.pieces(10):
        assert sum(taken) - stream.position <= 10 + 3
        assert len(piece) <= 10


def test_read_take_and_iteration_share_one_position() -> None:
    stream = ChunkStream(chunks(4, 4, 4))
    data = b"".join(chunks(4, 4, 4))
    assert stream.read(6) == data[:6] and stream.tell() == 6
    assert b"".join(stream.take(3)) == data[6:9]
    assert b"".join(stream) == data[9:]
    assert stream.read(5) == b"" and not stream.has_more()
    assert stream.seekable() is False


def test_read_everything_left() -> None:
    assert ChunkStream([b"ab", b"cd"]).read() == b"abcd"


def test_declared_length_is_held_to() -> None:
    with pytest.raises(BadRequest, match="longer"):
        b"".join(ChunkStream([b"abc", b"def"], declared=4))
    with pytest.raises(BadRequest, match="shorter"):
        b"".join(ChunkStream([b"abc"], declared=4))
    assert b"".join(ChunkStream([b"ab", b"cd"], declared=4)) == b"abcd"


def test_a_body_too_long_fails_before_its_extra_bytes_are_handed_on() -> None:
    stream = ChunkStream([b"abcd", b"e"], declared=4)
    assert stream.read(4) == b"abcd"
    with pytest.raises(BadRequest):
        stream.has_more()


def test_counted_and_sized_bodies() -> None:
    body = Sized(iter([b"ab", b"c"]), 3)
    assert len(body) == 3 and b"".join(body) == b"abc" and body.sent == 3
    counted = Counted([b"xy"])
    assert not hasattr(counted, "__len__")
    assert b"".join(counted) == b"xy" and counted.sent == 2


def test_content_releases_everything_in_order_even_when_one_fails() -> None:
    released = []

    def broken() -> None:
        released.append("broken")
        raise OSError("already closed")

    content = Content([b"a"], lambda: released.append("response"), broken,
                      lambda: released.append("client"))
    assert list(content) == [b"a"]
    with pytest.raises(OSError):
        content.close()
    assert released == ["response", "broken", "client"]


def test_content_translates_failures_while_it_is_read() -> None:
    from contextlib import contextmanager

    @contextmanager
    def translate():
        try:
            yield
        except ConnectionResetError:
            raise BackendError("The cloud broke off its answer") from None

    def failing():
        yield b"first"
        raise ConnectionResetError

    content = Content(failing(), translate=translate)
    with pytest.raises(BackendError):
        list(content)


def test_empty_content() -> None:
    released = []
    content = Content.empty(lambda: released.append(True))
    assert list(content) == []
    content.close()
    assert released == [True]
