"""Buckets and blobs on the test cloud's Swift: streaming, ranges, metadata, SLO segments."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from tests.helpers import ids, reconfigure, xml

MIB = 1024 * 1024


@pytest.fixture
def bucket(api: TestClient, name: str) -> Iterator[str]:
    created = api.post("/api/buckets", data={"name": name})
    assert created.status_code == 201, created.text
    yield name
    for blob in ids(xml(api.get(f"/api/buckets/{name}")), "blob"):
        api.delete(f"/api/buckets/{name}/{blob}")
    api.delete(f"/api/buckets/{name}")


def test_buckets(api: TestClient, bucket: str) -> None:
    assert bucket in ids(xml(api.get("/api/buckets")), "bucket")
    shown = xml(api.get(f"/api/buckets/{bucket}"))
    assert shown.findtext("name") == bucket and shown.findtext("size") == "0"
    assert api.post("/api/buckets", data={"name": bucket}).status_code == 409
    assert api.get("/api/buckets/no-such-bucket-dctest").status_code == 404
    api.put(f"/api/buckets/{bucket}/a", content=b"a")
    assert api.delete(f"/api/buckets/{bucket}").status_code == 409  # not empty
    assert api.delete(f"/api/buckets/{bucket}/a").status_code == 204
    assert api.delete(f"/api/buckets/{bucket}").status_code == 204
    assert api.get(f"/api/buckets/{bucket}").status_code == 404


def test_blob_with_metadata(api: TestClient, bucket: str) -> None:
    path = f"/api/buckets/{bucket}/dir/hello.txt"
    put = api.put(path, content=b"hello swift", headers={
        "Content-Type": "text/plain", "X-Deltacloud-Blobmeta-Colour": "blue"})
    assert put.status_code == 200, put.text
    blob = xml(put)
    assert blob.findtext("content_length") == "11"
    assert "dir/hello.txt" in ids(xml(api.get(f"/api/buckets/{bucket}")), "blob")
    head = api.head(path)
    assert head.headers["x-deltacloud-blobmeta-colour"] == "blue"
    updated = api.post(path, headers={"X-Deltacloud-Blobmeta-Size": "XL"})
    assert updated.status_code == 204
    meta = {e.get("key"): e.text for e in xml(api.get(path)).findall("user_metadata/entry")}
    assert meta == {"size": "XL"}  # replaced, as Swift's POST does
    content = api.get(f"{path}/content")
    assert content.content == b"hello swift"
    assert content.headers["content-type"] == "text/plain"
    ranged = api.get(f"{path}/content", headers={"Range": "bytes=6-"})
    assert ranged.status_code == 206 and ranged.content == b"swift"
    assert api.delete(path).status_code == 204
    assert api.get(path).status_code == 404
    assert api.get("/api/buckets/no-such-bucket-dctest/x").status_code == 404


def test_empty_blob(api: TestClient, bucket: str) -> None:
    path = f"/api/buckets/{bucket}/empty"
    assert api.put(path, content=b"").status_code == 200
    assert xml(api.get(path)).findtext("content_length") == "0"
    assert api.get(f"{path}/content").content == b""


def test_large_blob_becomes_segments(api: TestClient, bucket: str) -> None:
    """Above the segment size the bytes go up as SLO segments, streamed one by one."""
    reconfigure(api, swift_segment_size=MIB)
    data = os.urandom(3 * MIB + 4321)
    path = f"/api/buckets/{bucket}/big.bin"

    def chunks() -> Iterator[bytes]:  # no Content-Length: chunked transfer
        for i in range(0, len(data), 700_000):
            yield data[i:i + 700_000]

    for body in (data, chunks()):
        put = api.put(path, content=body, headers={"X-Deltacloud-Blobmeta-Kind": "big"})
        assert put.status_code == 200, put.text
        assert xml(put).findtext("content_length") == str(len(data))
        segments = ids(xml(api.get(f"/api/buckets/{bucket}_segments")), "blob")
        assert len(segments) == 4  # the replaced object's segments are gone
        got = api.get(f"{path}/content")
        assert hashlib.sha256(got.content).digest() == hashlib.sha256(data).digest()
    ranged = api.get(f"{path}/content", headers={"Range": f"bytes={MIB - 10}-{MIB + 9}"})
    assert ranged.status_code == 206 and ranged.content == data[MIB - 10:MIB + 10]
    assert api.head(path).headers["x-deltacloud-blobmeta-kind"] == "big"
    assert api.delete(path).status_code == 204
    assert ids(xml(api.get(f"/api/buckets/{bucket}_segments")), "blob") == []
    assert api.delete(f"/api/buckets/{bucket}").status_code == 204
    assert api.get(f"/api/buckets/{bucket}_segments").status_code == 404


def test_deleting_a_bucket_spares_an_unrelated_segments_bucket(api: TestClient,
                                                              bucket: str) -> None:
    """`B_segments` made by the user (not by this driver for B's large objects) is the
    user's own bucket: deleting B leaves it, empty or not."""
    other = f"{bucket}_segments"
    assert api.post("/api/buckets", data={"name": other}).status_code == 201
    try:
        assert api.delete(f"/api/buckets/{bucket}").status_code == 204
        assert api.get(f"/api/buckets/{other}").status_code == 200
    finally:
        api.delete(f"/api/buckets/{other}")


def test_form_upload(api: TestClient, bucket: str) -> None:
    answer = api.post(f"/api/buckets/{bucket}", data={
        "blob_id": "form.txt", "meta_params": "1", "meta_name1": "by", "meta_value1": "form"},
        files={"blob_data": ("form.txt", b"from a form", "text/plain")})
    assert answer.status_code == 201, answer.text
    assert api.get(f"/api/buckets/{bucket}/form.txt/content").content == b"from a form"
    assert api.head(f"/api/buckets/{bucket}/form.txt").headers["x-deltacloud-blobmeta-by"] == "form"
