"""S3 buckets and blobs through this server's HTTP API, against moto."""

from __future__ import annotations

import hashlib
import os
import uuid

import pytest
from starlette.testclient import TestClient

from tests.helpers import ids, xml


def bucket_name() -> str:
    return f"dc-{uuid.uuid4().hex[:12]}"


def test_buckets(ec2: TestClient, sdk):
    name = bucket_name()
    made = ec2.post("/api/buckets", data={"name": name})
    assert made.status_code == 201, made.text
    assert made.headers["location"].endswith(f"/api/buckets/{name}")
    assert name in ids(xml(ec2.get("/api/buckets")), "bucket")
    shown = xml(ec2.get(f"/api/buckets/{name}"))
    assert shown.findtext("size") == "0"
    assert shown.findtext("location") == "us-east-1"

    located = bucket_name()
    made = ec2.post("/api/buckets", data={"name": located, "location": "eu-west-1"})
    assert made.status_code == 201, made.text
    assert xml(ec2.get(f"/api/buckets/{located}")).findtext("location") == "eu-west-1"
    assert sdk("s3").get_bucket_location(Bucket=located)["LocationConstraint"] == "eu-west-1"

    ec2.put(f"/api/buckets/{name}/a.txt", content=b"a")
    assert ec2.delete(f"/api/buckets/{name}").status_code == 409
    assert ec2.delete(f"/api/buckets/{name}/a.txt").status_code == 204
    for n in (name, located):
        assert ec2.delete(f"/api/buckets/{n}").status_code == 204
        assert ec2.get(f"/api/buckets/{n}").status_code == 404
    assert ec2.delete(f"/api/buckets/{name}").status_code == 404


def test_blob_with_metadata(ec2: TestClient, sdk):
    name = bucket_name()
    ec2.post("/api/buckets", data={"name": name})
    put = ec2.put(f"/api/buckets/{name}/dir/hello.txt", content=b"hello world",
                  headers={"Content-Type": "text/plain", "X-Deltacloud-Blobmeta-Color": "blue"})
    assert put.status_code == 200, put.text
    blob = xml(put)
    assert blob.findtext("content_length") == "11"
    assert blob.findtext("content_type") == "text/plain"
    assert {e.get("key"): e.text for e in blob.findall("user_metadata/entry")} == {
        "color": "blue"}
    assert sdk("s3").head_object(Bucket=name, Key="dir/hello.txt")["Metadata"] == {
        "color": "blue"}
    assert "dir/hello.txt" in ids(xml(ec2.get(f"/api/buckets/{name}")), "blob")

    head = ec2.head(f"/api/buckets/{name}/dir/hello.txt")
    assert head.headers["x-deltacloud-blobmeta-color"] == "blue"
    content = ec2.get(f"/api/buckets/{name}/dir/hello.txt/content")
    assert content.content == b"hello world"
    assert content.headers["content-type"].startswith("text/plain")
    ranged = ec2.get(f"/api/buckets/{name}/dir/hello.txt/content",
                     headers={"Range": "bytes=6-"})
    assert ranged.status_code == 206
    assert ranged.content == b"world"

    updated = ec2.post(f"/api/buckets/{name}/dir/hello.txt",
                       headers={"X-Deltacloud-Blobmeta-Shape": "round"})
    assert updated.status_code == 204
    after = sdk("s3").head_object(Bucket=name, Key="dir/hello.txt")
    assert after["Metadata"] == {"shape": "round"}
    assert after["ContentType"] == "text/plain"
    assert ec2.get(f"/api/buckets/{name}/dir/hello.txt/content").content == b"hello world"

    form = ec2.post(f"/api/buckets/{name}", data={"blob_id": "form.bin", "meta_params": "1",
                                                  "meta_name1": "kind", "meta_value1": "form"},
                    files={"blob_data": ("form.bin", b"\x00\x01\x02", "application/x-test")})
    assert form.status_code == 201, form.text
    assert sdk("s3").get_object(Bucket=name, Key="form.bin")["Body"].read() == b"\x00\x01\x02"

    empty = ec2.put(f"/api/buckets/{name}/empty", content=b"")
    assert xml(empty).findtext("content_length") == "0"
    assert ec2.get(f"/api/buckets/{name}/empty/content").content == b""

    assert ec2.get(f"/api/buckets/{name}/missing").status_code == 404
    assert ec2.get(f"/api/buckets/{name}/missing/content").status_code == 404
    assert ec2.get(f"/api/buckets/{bucket_name()}/x").status_code == 404
    assert ec2.put(f"/api/buckets/{bucket_name()}/x", content=b"x").status_code == 404
    for key in ("dir/hello.txt", "form.bin", "empty"):
        assert ec2.delete(f"/api/buckets/{name}/{key}").status_code == 204
    assert ec2.delete(f"/api/buckets/{name}/form.bin").status_code == 404
    assert ec2.delete(f"/api/buckets/{name}").status_code == 204


def test_large_blob_streams_as_multipart(ec2: TestClient, sdk):
    name = bucket_name()
    ec2.post("/api/buckets", data={"name": name})
    size = 20 * 1024 * 1024 + 12345
    digest = hashlib.sha256()

    def body():
        sent = 0
        while sent < size:
            chunk = os.urandom(min(1024 * 1024 - 7, size - sent))
            digest.update(chunk)
            sent += len(chunk)
            yield chunk

    put = ec2.put(f"/api/buckets/{name}/big.bin", content=body(),
                  headers={"X-Deltacloud-Blobmeta-Kind": "big"})
    assert put.status_code == 200, put.text
    assert xml(put).findtext("content_length") == str(size)
    head = sdk("s3").head_object(Bucket=name, Key="big.bin")
    assert head["ETag"].strip('"').endswith("-3")  # three parts of 8 MiB at most
    assert head["Metadata"] == {"kind": "big"}

    got = hashlib.sha256()
    with ec2.stream("GET", f"/api/buckets/{name}/big.bin/content") as answer:
        assert answer.status_code == 200
        assert answer.headers["content-length"] == str(size)
        for chunk in answer.iter_bytes():
            got.update(chunk)
    assert got.hexdigest() == digest.hexdigest()
    tail = ec2.get(f"/api/buckets/{name}/big.bin/content", headers={"Range": "bytes=-10"})
    assert tail.status_code == 206 and len(tail.content) == 10
    ec2.delete(f"/api/buckets/{name}/big.bin")
    ec2.delete(f"/api/buckets/{name}")


@pytest.mark.parametrize(("size", "parts"), [(0, 0), (8 * 1024 * 1024, 0),
                                             (16 * 1024 * 1024, 2)])
def test_uploads_are_cut_into_whole_parts_only(ec2: TestClient, sdk, size: int, parts: int):
    """A body of exactly one part is one PutObject (an ETag without a part count); an exact
    multiple of the part size sends no empty last part."""
    name = bucket_name()
    ec2.post("/api/buckets", data={"name": name})
    data = os.urandom(size)
    pieces = [data[i:i + 3 * 1024 * 1024] for i in range(0, size, 3 * 1024 * 1024)]
    put = ec2.put(f"/api/buckets/{name}/exact.bin", content=iter(pieces))
    assert put.status_code == 200, put.text
    etag = sdk("s3").head_object(Bucket=name, Key="exact.bin")["ETag"].strip('"')
    assert etag == (f"{etag.split('-')[0]}-{parts}" if parts else hashlib.md5(data).hexdigest())
    assert ec2.get(f"/api/buckets/{name}/exact.bin/content").content == data
