"""The azure driver against Azurite, through this server's HTTP API."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import uuid
from pathlib import Path

import httpx2 as httpx
from starlette.testclient import TestClient

from tests.drivers.azure.conftest import ACCOUNT, KEY, Azurite
from tests.drivers.storage_contract import (
    check_deleted_blob_is_gone,
    check_form_upload_and_empty_blob,
)
from tests.helpers import ids, xml
from tests.process import Server

MIB = 1024 * 1024


def _name(prefix: str = "b") -> str:
    return f"{prefix}{uuid.uuid4().hex[:12]}"


def _meta(element) -> dict[str, str]:
    return {e.get("key"): e.text for e in element.findall("user_metadata/entry")}


def test_importing_the_driver_does_not_import_the_sdk() -> None:
    code = ("import sys, deltacloud.drivers.azure.driver as d; d.AzureDriver; "
            "assert not [m for m in sys.modules if m.startswith('azure')], 'SDK imported'")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_entry_point_lists_buckets_only(azure: TestClient) -> None:
    api = xml(azure.get("/api"))
    assert api.get("driver") == "azure"
    assert [link.get("rel") for link in api.findall("link")] == ["buckets", "drivers"]


def test_bucket_lifecycle(azure: TestClient) -> None:
    name = _name()
    created = azure.post("/api/buckets", data={"name": name})
    assert created.status_code == 201, created.text
    assert created.headers["location"].endswith(f"/api/buckets/{name}")
    assert xml(created).findtext("name") == name
    assert name in ids(xml(azure.get("/api/buckets")), "bucket")
    shown = xml(azure.get(f"/api/buckets/{name}"))
    assert shown.findtext("size") == "0"
    assert azure.post("/api/buckets", data={"name": name}).status_code == 409
    assert azure.post("/api/buckets", data={"name": "no_underscores"}).status_code == 400

    assert azure.put(f"/api/buckets/{name}/x", content=b"1").status_code == 200
    refused = azure.delete(f"/api/buckets/{name}")
    assert refused.status_code == 409  # not empty: Deltacloud refuses, though Azure would not
    assert azure.delete(f"/api/buckets/{name}/x").status_code == 204
    assert azure.delete(f"/api/buckets/{name}").status_code == 204
    assert azure.get(f"/api/buckets/{name}").status_code == 404
    assert azure.delete(f"/api/buckets/{name}").status_code == 404


def test_blob_lifecycle_and_metadata(azure: TestClient) -> None:
    bucket = _name()
    azure.post("/api/buckets", data={"name": bucket})
    url = f"/api/buckets/{bucket}/dir/report.pdf"
    put = azure.put(url, content=b"%PDF-1.4 tiny", headers={
        "Content-Type": "application/pdf", "X-Deltacloud-Blobmeta-Author": "me",
        "X-Deltacloud-Blobmeta-Version": "2.1"})
    assert put.status_code == 200, put.text
    blob = xml(put)
    assert blob.findtext("content_length") == "13"
    assert _meta(blob) == {"author": "me", "version": "2.1"}

    shown = xml(azure.get(url))
    assert shown.findtext("bucket") == bucket
    assert shown.findtext("content_type") == "application/pdf"
    assert shown.findtext("content_length") == "13"
    assert shown.findtext("last_modified", "").endswith("GMT")
    assert _meta(shown) == {"author": "me", "version": "2.1"}
    assert ids(xml(azure.get(f"/api/buckets/{bucket}")), "blob") == ["dir/report.pdf"]

    # all attributes at once (HEAD), and each one on its own header
    head = azure.head(url)
    assert head.status_code == 204
    assert head.headers["x-deltacloud-blobmeta-author"] == "me"
    assert head.headers["x-deltacloud-blobmeta-version"] == "2.1"

    # replace them all: a changed one, a new one, one dropped
    post = azure.post(url, headers={"X-Deltacloud-Blobmeta-Version": "2.2",
                                    "X-Deltacloud-Blobmeta-Reviewer": "you"})
    assert post.status_code == 204
    assert _meta(xml(azure.get(url))) == {"version": "2.2", "reviewer": "you"}
    assert xml(azure.get(url)).findtext("content_type") == "application/pdf"  # kept
    bad = azure.post(url, headers={"X-Deltacloud-Blobmeta-Not-Identifier": "x"})
    assert bad.status_code == 400
    assert azure.post(url).status_code == 204  # no headers: no metadata left
    assert _meta(xml(azure.get(url))) == {}

    content = azure.get(url + "/content")
    assert content.status_code == 200 and content.content == b"%PDF-1.4 tiny"
    assert content.headers["content-type"].startswith("application/pdf")
    ranged = azure.get(url + "/content", headers={"Range": "bytes=5-7"})
    assert ranged.status_code == 206 and ranged.content == b"1.4"

    check_deleted_blob_is_gone(azure, url)
    azure.delete(f"/api/buckets/{bucket}")


def test_form_upload_and_empty_blob(azure: TestClient) -> None:
    check_form_upload_and_empty_blob(azure)


def test_no_credential_outlives_the_request(azure: TestClient) -> None:
    import gc

    assert azure.get("/api/buckets").status_code == 200
    driver = azure.app.registry.get("azure")  # type: ignore[attr-defined]
    assert KEY not in repr(vars(driver))
    gc.collect()
    from azure.storage.blob import BlobServiceClient

    assert not [o for o in gc.get_objects() if isinstance(o, BlobServiceClient)]


def test_wrong_key_is_401(azure: TestClient) -> None:
    wrong = KEY[:-6] + "AAAAA="
    response = azure.get("/api/buckets", auth=(ACCOUNT, wrong))
    assert response.status_code == 401
    assert "www-authenticate" in response.headers
    assert KEY[:10] not in response.text and wrong[:10] not in response.text
    assert azure.get("/api/buckets", auth=(ACCOUNT, "not base64!")).status_code == 401
    assert azure.get("/api/buckets", auth=("Bad.Name", KEY)).status_code == 401
    assert azure.get("/api/buckets", auth=None).status_code == 401
    assert azure.get("/api?force_auth=1", auth=(ACCOUNT, wrong)).status_code == 401
    assert azure.get("/api?force_auth=1").status_code == 200


def test_unreachable_endpoint_is_502(azure: TestClient) -> None:
    dead = f"http://127.0.0.1:{_closed_port()}/{ACCOUNT}"
    response = azure.get("/api/buckets", headers={"X-Deltacloud-Provider": dead})
    assert response.status_code == 502
    assert "cannot be reached" in response.text


def test_http_errors_keep_azure_statuses_and_words() -> None:
    """Where the common ladder would answer otherwise, Azure's answers stay as they were."""
    from deltacloud.drivers.azure.errors import from_http_error

    class Answer(Exception):
        def __init__(self, status: int, code: str = "", text: str = "") -> None:
            super().__init__(text)
            self.status_code, self.error_code = status, code

    expected = {
        (401, ""): (401, "Azure refused the account name or key"),
        (403, ""): (401, "Azure refused the account name or key"),
        (403, "Weird"): (403, "Azure forbids this operation (Weird)"),
        (404, ""): (404, "Not Found"),
        (405, ""): (400, "Azure refused the request (405)"),
        (408, ""): (400, "Azure refused the request (408)"),
        (412, "ConditionNotMet"): (400, "Azure refused the request (ConditionNotMet)"),
        (413, ""): (400, "Azure refused the request (413)"),
        (416, "InvalidRange"): (400, "Azure refused the byte range"),
        (501, ""): (502, "Azure failed (501)"),
        (504, ""): (504, "Azure timed out"),
        (500, "InternalError"): (502, "Azure failed (InternalError)"),
    }
    for (status, code), answer in expected.items():
        error = from_http_error(Answer(status, code))
        assert (error.status, error.message) == answer, (status, code)
    azurite = from_http_error(Answer(403, "AuthorizationFailure",
                                     "Server failed to authenticate the request."))
    assert azurite.status == 401


def test_provider_names_the_endpoint(azure: TestClient) -> None:
    from deltacloud.drivers.azure.client import endpoint

    assert endpoint(None, "acct") == "https://acct.blob.core.windows.net"
    assert endpoint("core.chinacloudapi.cn", "acct") == "https://acct.blob.core.chinacloudapi.cn"
    assert endpoint("http://127.0.0.1:10000/acct/", "acct") == "http://127.0.0.1:10000/acct"
    for bad in ("https://bad host", "ftp://x", "http://x:99999", "a/b"):
        response = azure.get("/api/buckets", headers={"X-Deltacloud-Provider": bad})
        assert response.status_code == 400, bad


def _closed_port() -> int:
    from tests.process import free_port

    return free_port()


def _body(size: int, digest) -> object:
    block = os.urandom(MIB)
    for n, start in enumerate(range(0, size, MIB)):
        chunk = (n.to_bytes(8, "big") + block)[: min(MIB, size - start)]
        digest.update(chunk)
        yield chunk


def test_large_blob_streams_through_the_real_server(azurite: Azurite, tmp_path: Path) -> None:
    """A 21 MiB blob: three blocks up (unknown length: chunked), ranged GETs down."""
    size = 21 * MIB + 5
    sent = hashlib.sha256()
    bucket = _name()
    with Server(tmp_path, "-i", "azure", "-P", azurite.endpoint) as server, \
            httpx.Client(auth=(ACCOUNT, KEY), timeout=60) as client:
        assert client.post(f"{server.url}/buckets", data={"name": bucket}).status_code == 201
        url = f"{server.url}/buckets/{bucket}/big.bin"
        put = client.put(url, content=_body(size, sent))  # no Content-Length: chunked
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
