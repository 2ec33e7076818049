"""Buckets: list, show with blobs, create, delete (only when empty)."""

from starlette.testclient import TestClient

from tests.helpers import ids, xml


def test_index_and_show(api: TestClient) -> None:
    root = xml(api.get("/api/buckets"))
    assert ids(root, "bucket") == ["bucket1", "bucket2"]
    bucket = xml(api.get("/api/buckets/bucket1"))
    assert bucket.findtext("name") == "bucket1"
    assert bucket.findtext("size") == "3"
    assert ids(bucket, "blob") == ["blob1", "blob2", "blob3"]
    blob = bucket.find("blob")
    assert blob is not None
    assert blob.get("href") == "http://localhost:3001/api/buckets/bucket1/blob1"
    assert api.get("/api/buckets/nope").status_code == 404


def test_json_shape(api: TestClient) -> None:
    body = api.get("/api/buckets/bucket2?format=json").json()["bucket"]
    assert body["size"] == 2
    assert body["blob_list"][0] == {
        "rel": "blob", "href": "http://localhost:3001/api/buckets/bucket2/blob4", "id": "blob4"}


def test_create_and_delete(api: TestClient) -> None:
    response = api.post("/api/buckets", data={"name": "fresh"})
    assert response.status_code == 201
    assert response.headers["location"] == "http://localhost:3001/api/buckets/fresh"
    assert xml(response).findtext("size") == "0"
    assert api.post("/api/buckets", data={"name": "fresh"}).status_code == 409
    assert api.delete("/api/buckets/fresh").status_code == 204
    assert api.get("/api/buckets/fresh").status_code == 404
    assert api.delete("/api/buckets/fresh").status_code == 404


def test_bad_names_are_refused(api: TestClient) -> None:
    for name in ("", "a/b", "x" * 300, "-lead"):
        assert api.post("/api/buckets", data={"name": name}).status_code == 400
    assert ids(xml(api.get("/api/buckets")), "bucket") == ["bucket1", "bucket2"]


def test_non_empty_bucket_is_not_deleted(api: TestClient) -> None:
    response = api.delete("/api/buckets/bucket1")
    assert response.status_code == 409
    assert "empty" in (xml(response).findtext("message") or "")
    assert xml(api.get("/api/buckets/bucket1")).findtext("size") == "3"
    for blob in ("blob1", "blob2", "blob3"):
        assert api.delete(f"/api/buckets/bucket1/{blob}").status_code == 204
    assert api.delete("/api/buckets/bucket1").status_code == 204


def test_no_bucket_location_feature_on_the_mock(api: TestClient) -> None:
    link = xml(api.get("/api")).find("link[@rel='buckets']")
    assert link is not None and link.findall("feature") == []
