"""Blobs: upload by PUT and by form, metadata, download with ranges, delete."""

import hashlib
import os

import pytest
from starlette.testclient import TestClient

from tests.helpers import ids, xml


def test_show_seeded_blob(api: TestClient) -> None:
    blob = xml(api.get("/api/buckets/bucket1/blob1"))
    assert blob.get("href") == "http://localhost:3001/api/buckets/bucket1/blob1"
    assert blob.findtext("bucket") == "bucket1"
    assert blob.findtext("content_length") == "17"
    assert blob.findtext("content_type") == "text/plain"
    entry = blob.find("user_metadata/entry")
    assert entry is not None and (entry.get("key"), entry.text) == ("SOMENEWKEY", "NEWVALUE")
    content = blob.find("content")
    assert content is not None and content.get("rel") == "blob_content"
    assert content.get("href") == "http://localhost:3001/api/buckets/bucket1/blob1/content"
    assert api.get("/api/buckets/bucket1/nope").status_code == 404
    assert api.get("/api/buckets/nope/blob1").status_code == 404


def test_download(api: TestClient) -> None:
    response = api.get("/api/buckets/bucket1/blob2/content")
    assert response.status_code == 200
    assert response.content == b"<html><head></head><body>content of blob 2</body></html>"
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["content-length"] == "56"
    assert response.headers["content-disposition"].startswith('attachment; filename="blob2"')
    assert response.headers["accept-ranges"] == "bytes"


@pytest.mark.parametrize(("header", "status", "body", "content_range"), [
    ("bytes=0-6", 206, b"content", "bytes 0-6/17"),
    ("bytes=11-", 206, b"blob 1", "bytes 11-16/17"),
    ("bytes=-1", 206, b"1", "bytes 16-16/17"),
    ("bytes=8-100", 206, b"of blob 1", "bytes 8-16/17"),
    ("bytes=0-0,2-3", 200, b"content of blob 1", None),  # several ranges: the whole blob
    ("items=0-1", 200, b"content of blob 1", None),
])
def test_range_requests(api: TestClient, header: str, status: int, body: bytes,
                        content_range: str | None) -> None:
    response = api.get("/api/buckets/bucket1/blob1/content", headers={"Range": header})
    assert response.status_code == status
    assert response.content == body
    assert response.headers.get("content-range") == content_range
    assert response.headers["content-length"] == str(len(body))


@pytest.mark.parametrize("header", ["bytes=17-", "bytes=100-200", "bytes=-0"])
def test_unsatisfiable_range_is_416(api: TestClient, header: str) -> None:
    response = api.get("/api/buckets/bucket1/blob1/content", headers={"Range": header})
    assert response.status_code == 416
    assert response.headers["content-range"] == "bytes */17"


def test_put_with_metadata_then_head_update_delete(api: TestClient) -> None:
    response = api.put(
        "/api/buckets/bucket2/report.pdf", content=b"%PDF-1.4 tiny",
        headers={"Content-Type": "application/pdf", "X-Deltacloud-Blobmeta-Author": "me",
                 "X-Deltacloud-Blobmeta-Name": "mariosblob"},
    )
    assert response.status_code == 200
    blob = xml(response)
    assert blob.get("id") == "report.pdf"
    assert blob.findtext("content_length") == "13"
    assert blob.findtext("content_type") == "application/pdf"
    meta = {e.get("key"): e.text for e in blob.findall("user_metadata/entry")}
    assert meta == {"author": "me", "name": "mariosblob"}
    assert "report.pdf" in ids(xml(api.get("/api/buckets/bucket2")), "blob")

    head = api.head("/api/buckets/bucket2/report.pdf")
    assert head.status_code == 204
    assert head.headers["x-deltacloud-blobmeta-author"] == "me"

    updated = api.post("/api/buckets/bucket2/report.pdf",
                       headers={"X-Deltacloud-Blobmeta-Version": "v2.1.1"})
    assert updated.status_code == 204
    assert updated.headers["x-deltacloud-blobmeta-version"] == "v2.1.1"
    meta = {e.get("key"): e.text
            for e in xml(api.get("/api/buckets/bucket2/report.pdf")).findall(
                "user_metadata/entry")}
    assert meta == {"version": "v2.1.1"}  # replaced, not merged

    assert api.get("/api/buckets/bucket2/report.pdf/content").content == b"%PDF-1.4 tiny"
    assert api.delete("/api/buckets/bucket2/report.pdf").status_code == 204
    assert api.get("/api/buckets/bucket2/report.pdf").status_code == 404
    assert api.head("/api/buckets/bucket2/report.pdf").status_code == 404
    assert api.delete("/api/buckets/bucket2/report.pdf").status_code == 404


def test_put_replaces_an_existing_blob(api: TestClient) -> None:
    api.put("/api/buckets/bucket1/blob1", content=b"new bytes",
            headers={"Content-Type": "text/plain"})
    assert api.get("/api/buckets/bucket1/blob1/content").content == b"new bytes"
    assert ids(xml(api.get("/api/buckets/bucket1")), "blob") == ["blob1", "blob2", "blob3"]


def test_blob_ids_may_hold_slashes_and_spaces(api: TestClient) -> None:
    response = api.put("/api/buckets/bucket1/dir/sub%20dir/file.txt", content=b"nested")
    assert response.status_code == 200
    href = xml(response).get("href", "")
    assert href == "http://localhost:3001/api/buckets/bucket1/dir%2Fsub%20dir%2Ffile.txt"
    assert api.get(href).status_code == 200
    assert api.get(href + "/content").content == b"nested"
    assert api.get("/api/buckets/bucket1/dir/sub%20dir/file.txt/content").content == b"nested"


def test_put_into_missing_bucket_is_404_and_stores_nothing(api: TestClient, tmp_path) -> None:
    assert api.put("/api/buckets/nope/x", content=b"abc").status_code == 404
    assert [p.name for p in (tmp_path / "mock" / "mockuser.blobs").iterdir()
            if not p.name.endswith(".blob")] == []


def test_bad_metadata_is_refused_and_nothing_stored(api: TestClient) -> None:
    response = api.put("/api/buckets/bucket1/meta", content=b"x",
                       headers={"X-Deltacloud-Blobmeta-Big": "v" * 9000})
    assert response.status_code == 400
    assert api.get("/api/buckets/bucket1/meta").status_code == 404


def test_form_upload_as_a_browser_sends_it(api: TestClient) -> None:
    response = api.post(
        "/api/buckets/bucket2",
        data={"blob_id": "photo.jpg", "meta_params": "2", "meta_name1": "Camera",
              "meta_value1": "X100", "meta_name2": "", "meta_value2": "ignored"},
        files={"blob_data": ("photo.jpg", b"\xff\xd8\xff binary", "image/jpeg")},
    )
    assert response.status_code == 201
    assert response.headers["location"] == "http://localhost:3001/api/buckets/bucket2/photo.jpg"
    blob = xml(response)
    assert blob.findtext("content_type") == "image/jpeg"
    assert {e.get("key"): e.text for e in blob.findall("user_metadata/entry")} == {
        "camera": "X100"}
    assert api.get("/api/buckets/bucket2/photo.jpg/content").content == b"\xff\xd8\xff binary"


@pytest.mark.parametrize("where", ["form", "query"])
def test_blob_data_as_a_plain_field(api: TestClient, where: str) -> None:
    """The Ruby client sends blob_data as a plain parameter, not a file part."""
    fields = {"blob_id": "note.txt", "blob_data": "some text", "meta_params": "1",
              "meta_name1": "author", "meta_value1": "me"}
    if where == "form":
        response = api.post("/api/buckets/bucket2", data=fields)
    else:
        response = api.post("/api/buckets/bucket2", params=fields)
    assert response.status_code == 201
    assert xml(response).findtext("content_length") == "9"
    assert api.get("/api/buckets/bucket2/note.txt/content").content == b"some text"
    assert api.head("/api/buckets/bucket2/note.txt").headers["x-deltacloud-blobmeta-author"] == "me"


def test_form_upload_needs_blob_data(api: TestClient) -> None:
    response = api.post("/api/buckets/bucket2", data={"blob_id": "x"})
    assert response.status_code == 400
    assert "blob_data" in xml(response).findtext("message", "")
    assert api.get("/api/buckets/bucket2/x").status_code == 404


def test_form_delete_of_a_bucket_and_a_blob(api: TestClient) -> None:
    api.post("/api/buckets", data={"name": "tmp"})
    api.put("/api/buckets/tmp/b", content=b"1")
    gone = api.post("/api/buckets/tmp/b", data={"_method": "delete"})
    assert gone.status_code == 204
    assert api.post("/api/buckets/tmp", data={"_method": "delete"}).status_code == 204
    assert api.get("/api/buckets/tmp").status_code == 404


def test_large_blob_round_trip_keeps_every_byte(api: TestClient) -> None:
    size = 24 * 1024 * 1024 + 123  # past every buffer in the path
    digest = hashlib.sha256()

    def body():
        left = size
        while left:
            chunk = os.urandom(min(1 << 20, left))
            digest.update(chunk)
            left -= len(chunk)
            yield chunk

    response = api.put("/api/buckets/bucket1/large.bin", content=body())
    assert response.status_code == 200
    assert xml(response).findtext("content_length") == str(size)
    received = hashlib.sha256()
    with api.stream("GET", "/api/buckets/bucket1/large.bin/content") as download:
        assert download.headers["content-length"] == str(size)
        for chunk in download.iter_bytes():
            received.update(chunk)
    assert received.hexdigest() == digest.hexdigest()
