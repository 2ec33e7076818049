"""Checks every storage driver must pass through the API, whatever its cloud."""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET

from starlette.testclient import TestClient

from tests.helpers import xml


def unique_name(prefix: str = "dc-") -> str:
    return f"{prefix}{uuid.uuid4().hex[:12]}"


def blob_metadata(blob: ET.Element) -> dict[str, str]:
    return {e.get("key", ""): e.text or "" for e in blob.findall("user_metadata/entry")}


def check_deleted_blob_is_gone(client: TestClient, url: str) -> None:
    """Once deleted, a blob answers 404 to every operation, and so does a missing bucket."""
    assert client.delete(url).status_code == 204
    assert client.get(url).status_code == 404
    assert client.head(url).status_code == 404
    assert client.get(url + "/content").status_code == 404
    assert client.post(url, headers={"X-Deltacloud-Blobmeta-A": "b"}).status_code == 404
    assert client.delete(url).status_code == 404
    assert client.put(f"/api/buckets/{unique_name()}/x", content=b"1").status_code == 404


def check_form_upload_and_empty_blob(client: TestClient) -> None:
    """The browser's multipart form, and a blob of no bytes at all."""
    bucket = unique_name()
    client.post("/api/buckets", data={"name": bucket})
    form = client.post(f"/api/buckets/{bucket}", data={
        "blob_id": "photo.jpg", "meta_params": "1", "meta_name1": "camera",
        "meta_value1": "X100"}, files={"blob_data": ("p.jpg", b"\xff\xd8 jpeg", "image/jpeg")})
    assert form.status_code == 201, form.text
    assert blob_metadata(xml(form)) == {"camera": "X100"}
    assert client.get(f"/api/buckets/{bucket}/photo.jpg/content").content == b"\xff\xd8 jpeg"
    assert client.put(f"/api/buckets/{bucket}/empty", content=b"").status_code == 200
    empty = client.get(f"/api/buckets/{bucket}/empty/content")
    assert empty.status_code == 200 and empty.content == b""
    for blob in ("photo.jpg", "empty"):
        client.delete(f"/api/buckets/{bucket}/{blob}")
    client.delete(f"/api/buckets/{bucket}")
