"""The google driver's JSON API way in (service account) against fake-gcs-server."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import uuid
from pathlib import Path

import httpx2 as httpx
from starlette.testclient import TestClient

from tests.drivers.google.conftest import EMAIL, ServiceAccount
from tests.drivers.storage_contract import (
    check_deleted_blob_is_gone,
    check_form_upload_and_empty_blob,
)
from tests.helpers import ids, xml
from tests.process import Server, free_port

MIB = 1024 * 1024


def _name() -> str:
    return f"dc-{uuid.uuid4().hex[:12]}"


def _meta(element) -> dict[str, str]:
    return {e.get("key"): e.text for e in element.findall("user_metadata/entry")}


def _set(gcs: TestClient, url: str) -> dict[str, str]:
    return {k: v for k, v in _meta(xml(gcs.get(url))).items() if v}


def test_importing_the_driver_does_not_import_the_sdk() -> None:
    code = ("import sys, deltacloud.drivers.google.driver as d; d.GoogleDriver; "
            "bad = [m for m in sys.modules if m.startswith(('google', 'requests'))]; "
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_entry_point_has_bucket_location(gcs: TestClient) -> None:
    api = xml(gcs.get("/api"))
    link = api.find("link[@rel='buckets']")
    assert link is not None
    assert [f.get("name") for f in link.findall("feature")] == ["bucket_location"]


def test_bucket_lifecycle_with_location(gcs: TestClient) -> None:
    name = _name()
    created = gcs.post("/api/buckets", data={"name": name, "location": "EU"})
    assert created.status_code == 201, created.text
    assert xml(created).findtext("name") == name
    assert name in ids(xml(gcs.get("/api/buckets")), "bucket")
    assert xml(gcs.get(f"/api/buckets/{name}")).findtext("size") == "0"
    assert gcs.post("/api/buckets", data={"name": name}).status_code == 409
    assert gcs.post("/api/buckets", data={"name": "Upper"}).status_code == 400

    assert gcs.put(f"/api/buckets/{name}/x", content=b"1").status_code == 200
    assert gcs.delete(f"/api/buckets/{name}").status_code == 409  # not empty
    assert gcs.delete(f"/api/buckets/{name}/x").status_code == 204
    assert gcs.delete(f"/api/buckets/{name}").status_code == 204
    assert gcs.get(f"/api/buckets/{name}").status_code == 404
    assert gcs.delete(f"/api/buckets/{name}").status_code == 404


def test_blob_lifecycle_and_metadata(gcs: TestClient) -> None:
    bucket = _name()
    gcs.post("/api/buckets", data={"name": bucket})
    url = f"/api/buckets/{bucket}/dir/report.pdf"
    put = gcs.put(url, content=b"%PDF-1.4 tiny", headers={
        "Content-Type": "application/pdf", "X-Deltacloud-Blobmeta-Author": "me",
        "X-Deltacloud-Blobmeta-Version": "2.1"})
    assert put.status_code == 200, put.text
    assert xml(put).findtext("content_length") == "13"
    assert _meta(xml(put)) == {"author": "me", "version": "2.1"}

    shown = xml(gcs.get(url))
    assert shown.findtext("content_type") == "application/pdf"
    assert shown.findtext("content_length") == "13"
    assert shown.findtext("last_modified", "").endswith("GMT")
    assert _meta(shown) == {"author": "me", "version": "2.1"}
    assert ids(xml(gcs.get(f"/api/buckets/{bucket}")), "blob") == ["dir/report.pdf"]

    head = gcs.head(url)  # all attributes, one header each
    assert head.status_code == 204
    assert head.headers["x-deltacloud-blobmeta-author"] == "me"
    assert head.headers["x-deltacloud-blobmeta-version"] == "2.1"

    post = gcs.post(url, headers={"X-Deltacloud-Blobmeta-Version": "2.2",
                                  "X-Deltacloud-Blobmeta-Reviewer": "you"})
    assert post.status_code == 204
    # Replaced, not merged. The driver patches each dropped key to null, which GCS
    # deletes; fake-gcs-server keeps such a key with an empty value.
    assert _set(gcs, url) == {"version": "2.2", "reviewer": "you"}
    assert xml(gcs.get(url)).findtext("content_type") == "application/pdf"
    assert gcs.post(url).status_code == 204  # no headers: no metadata left
    assert _set(gcs, url) == {}

    content = gcs.get(url + "/content")
    assert content.status_code == 200 and content.content == b"%PDF-1.4 tiny"
    ranged = gcs.get(url + "/content", headers={"Range": "bytes=5-7"})
    assert ranged.status_code == 206 and ranged.content == b"1.4"

    check_deleted_blob_is_gone(gcs, url)
    assert gcs.get(f"/api/buckets/{_name()}/x").status_code == 404
    gcs.delete(f"/api/buckets/{bucket}")


def test_form_upload_and_empty_blob(gcs: TestClient) -> None:
    check_form_upload_and_empty_blob(gcs)


def test_the_bare_private_key_works_too(gcs: TestClient, account: ServiceAccount) -> None:
    assert gcs.get("/api/buckets", auth=(EMAIL, account.pem)).status_code == 200
    escaped = account.pem.replace("\n", "\\n")  # as copied out of the JSON key file
    assert gcs.get("/api/buckets", auth=(EMAIL, escaped)).status_code == 200


def test_no_credential_outlives_the_request(gcs: TestClient, account: ServiceAccount) -> None:
    import gc

    assert gcs.get("/api/buckets").status_code == 200
    driver = gcs.app.registry.get("google")  # type: ignore[attr-defined]
    assert account.pem not in repr(vars(driver))
    gc.collect()
    from google.oauth2.service_account import Credentials

    assert not [o for o in gc.get_objects() if isinstance(o, Credentials)]


def test_wrong_key_is_401(gcs: TestClient) -> None:
    other = ServiceAccount()  # a well-formed key the token endpoint does not know
    response = gcs.get("/api/buckets", auth=(EMAIL, other.key_file))
    assert response.status_code == 401
    assert "www-authenticate" in response.headers
    assert gcs.get("/api/buckets", auth=(EMAIL, "not a key")).status_code == 401
    assert gcs.get("/api/buckets", auth=(EMAIL, "-----BEGIN PRIVATE KEY-----\nxx\n-----END "
                                                "PRIVATE KEY-----")).status_code == 401
    assert gcs.get("/api?force_auth=1", auth=(EMAIL, other.key_file)).status_code == 401
    assert gcs.get("/api?force_auth=1").status_code == 200


def test_unreachable_endpoint_is_502(gcs: TestClient, token_server) -> None:
    dead = f"storage=http://127.0.0.1:{free_port()};token={token_server.url}"
    response = gcs.get("/api/buckets", headers={"X-Deltacloud-Provider": dead})
    assert response.status_code == 502
    assert "cannot be reached" in response.text
    assert gcs.get("/api/buckets", headers={"X-Deltacloud-Provider": "ftp://x"}).status_code \
        == 400


def _body(size: int, digest) -> object:
    block = os.urandom(MIB)
    for n, start in enumerate(range(0, size, MIB)):
        chunk = (n.to_bytes(8, "big") + block)[: min(MIB, size - start)]
        digest.update(chunk)
        yield chunk


def test_large_blob_streams_through_the_real_server(provider: str, account: ServiceAccount,
                                                    tmp_path: Path) -> None:
    """A 21 MiB blob: a resumable upload in 8 MiB chunks, one streamed GET down."""
    size = 21 * MIB + 5
    sent = hashlib.sha256()
    bucket = _name()
    with Server(tmp_path, "-i", "google", "-P", provider) as server, \
            httpx.Client(auth=(EMAIL, account.key_file), timeout=60) as client:
        assert client.post(f"{server.url}/buckets", data={"name": bucket}).status_code == 201
        url = f"{server.url}/buckets/{bucket}/big.bin"
        put = client.put(url, content=_body(size, sent))
        assert put.status_code == 200, put.text
        got = hashlib.sha256()
        with client.stream("GET", f"{url}/content") as download:
            assert int(download.headers["content-length"]) == size
            for chunk in download.iter_bytes():
                got.update(chunk)
        assert got.hexdigest() == sent.hexdigest()
        tail = client.get(f"{url}/content", headers={"Range": f"bytes={size - 5}-"})
        assert tail.status_code == 206 and len(tail.content) == 5
        assert client.delete(url).status_code == 204
        assert client.delete(f"{server.url}/buckets/{bucket}").status_code == 204
