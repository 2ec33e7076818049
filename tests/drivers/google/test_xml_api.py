"""The google driver's XML API way in (HMAC keys), against recorded real interactions.

The recordings are Apache Deltacloud's own (its Google driver tests, 2012), in
../shared/fixtures/google/deltacloud-vcr/; `replay.py` serves them on loopback,
checks every request's signature, and refuses anything it has no recording for.
The steps below are the recorded ones, in their order, through this server's API.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from starlette.testclient import TestClient

from deltacloud.drivers.google.xml_api import signature, string_to_sign
from tests.conftest import SHARED
from tests.drivers.google.replay import Recording, ReplayServer, load
from tests.helpers import ids, xml

FIXTURES = SHARED / "fixtures" / "google" / "deltacloud-vcr"
# The HMAC key the recordings were signed with: public test data of Apache
# Deltacloud (server/tests/drivers/google/common.rb), a key revoked long ago.
ACCESS_ID = "GOOG4PBMMHEB2BTY6Q7U"
SECRET = "7NxqwXy85xmaWB6o1RZ66IxqP+Rmbu8UFiFdpcSw"
BUCKET = "testbucki2rpux3wdelmegoogel"
BLOB = "testblobk1ds91kVdelmegoogel"


def _recordings() -> list[Recording]:
    if not FIXTURES.is_dir():
        pytest.skip(f"recorded GCS interactions not found at {FIXTURES} (../shared is absent)")
    return load(FIXTURES)


@pytest.fixture
def replay() -> Iterator[ReplayServer]:
    _recordings()
    with ReplayServer(FIXTURES, ACCESS_ID, SECRET) as server:
        yield server


@pytest.fixture
def hmac_client(app, replay: ReplayServer) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://localhost:3001") as client:
        client.auth = (ACCESS_ID, SECRET)
        client.headers.update({"Accept": "application/xml", "X-Deltacloud-Driver": "google",
                               "X-Deltacloud-Provider": replay.url})
        yield client


def test_our_signatures_equal_the_recorded_ones() -> None:
    recordings = _recordings()
    assert len(recordings) == 8
    for rec in recordings:
        headers = {k: v for k, v in rec.request_headers.items() if k != "Authorization"}
        expected = rec.request_headers["Authorization"]
        ours = f"GOOG1 {ACCESS_ID}:{signature(SECRET, rec.method, headers, rec.resource)}"
        assert ours == expected, (rec.source, string_to_sign(rec.method, headers, rec.resource))


def _recorded_upload() -> bytes:
    return next(r for r in _recordings() if r.source.startswith("test_0002")).request_body


def test_the_recorded_session_through_the_api(hmac_client: TestClient,
                                              replay: ReplayServer) -> None:
    api = hmac_client
    created = api.post("/api/buckets", data={"name": BUCKET})
    assert created.status_code == 201, created.text
    assert xml(created).findtext("size") == "0"

    png = _recorded_upload()
    assert hashlib.md5(png).hexdigest() == "6051b502c4281855ff32dc3e924fe3b0"  # the ETag
    put = api.put(f"/api/buckets/{BUCKET}/{BLOB}", content=png, headers={
        "Content-Type": "image/png",
        "X-Deltacloud-Blobmeta-name1": "Author", "X-Deltacloud-Blobmeta-value1": "deltacloud",
        "X-Deltacloud-Blobmeta-name2": "foo", "X-Deltacloud-Blobmeta-value2": "bar"})
    assert put.status_code == 200, put.text
    assert xml(put).findtext("content_length") == str(len(png))

    bucket = xml(api.get(f"/api/buckets/{BUCKET}"))
    assert bucket.findtext("size") == "1"
    assert ids(bucket, "blob") == [BLOB]

    blob = xml(api.get(f"/api/buckets/{BUCKET}/{BLOB}"))
    assert blob.findtext("content_length") == "24436"
    assert blob.findtext("content_type") == "image/png"
    assert blob.findtext("last_modified") == "Wed, 26 Sep 2012 11:04:47 GMT"
    meta = {e.get("key"): e.text for e in blob.findall("user_metadata/entry")}
    assert meta == {"name1": "Author", "value1": "deltacloud", "name2": "foo", "value2": "bar"}

    head = api.head(f"/api/buckets/{BUCKET}/{BLOB}")
    assert head.status_code == 204
    assert head.headers["x-deltacloud-blobmeta-name1"] == "Author"
    assert head.headers["x-deltacloud-blobmeta-value2"] == "bar"

    updated = api.post(f"/api/buckets/{BUCKET}/{BLOB}", headers={
        "X-Deltacloud-Blobmeta-author": "ApacheDeltacloud", "X-Deltacloud-Blobmeta-oof": "rab"})
    assert updated.status_code == 204, updated.text
    assert updated.headers["x-deltacloud-blobmeta-author"] == "ApacheDeltacloud"

    assert api.delete(f"/api/buckets/{BUCKET}/{BLOB}").status_code == 204
    assert api.delete(f"/api/buckets/{BUCKET}").status_code == 204
    assert replay.unmatched == [] and replay.rejected == []
    assert len(set(replay.served)) == 8  # every recording was used


def test_a_wrong_secret_is_401(hmac_client: TestClient, replay: ReplayServer) -> None:
    wrong = hmac_client.get(f"/api/buckets/{BUCKET}", auth=(ACCESS_ID, SECRET[:-4] + "AAAA"))
    assert wrong.status_code == 401
    assert "www-authenticate" in wrong.headers
    unknown = hmac_client.get(f"/api/buckets/{BUCKET}", auth=("GOOGUNKNOWN", SECRET))
    assert unknown.status_code == 401
    # a HEAD answer carries no error code: the driver asks again to tell 401 from 403
    head = hmac_client.head(f"/api/buckets/{BUCKET}/{BLOB}", auth=(ACCESS_ID, "x" + SECRET))
    assert head.status_code == 401
    assert replay.served == []


def test_requests_without_a_recording_are_refused(hmac_client: TestClient,
                                                  replay: ReplayServer) -> None:
    response = hmac_client.get("/api/buckets")  # GET / was never recorded
    assert response.status_code == 502
    assert replay.unmatched == ["GET /"]
    assert replay.rejected == []


def test_an_upload_of_unknown_length_that_fits_one_chunk_is_one_put(
        hmac_client: TestClient, replay: ReplayServer) -> None:
    png = _recorded_upload()
    body = iter([png[:10000], png[10000:]])  # no Content-Length: chunked
    put = hmac_client.put(f"/api/buckets/{BUCKET}/{BLOB}", content=body, headers={
        "Content-Type": "image/png",
        "X-Deltacloud-Blobmeta-name1": "Author", "X-Deltacloud-Blobmeta-value1": "deltacloud",
        "X-Deltacloud-Blobmeta-name2": "foo", "X-Deltacloud-Blobmeta-value2": "bar"})
    assert put.status_code == 200, put.text
    assert xml(put).findtext("content_length") == str(len(png))
    assert replay.served == ["test_0002_can_create_a_new_blob_with_HTTP_POST.yml"]
    assert replay.unmatched == []


class _StallingUploads(BaseHTTPRequestHandler):
    """A resumable-upload endpoint that never takes the bytes, or answers a bad Range."""

    mode = "stall"
    puts = 0

    def log_message(self, *_: object) -> None:
        pass

    def do_POST(self) -> None:  # the session start
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        host = self.headers["Host"]
        self.send_response(201)
        self.send_header("Location", f"http://{host}/upload/session-1")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_PUT(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        type(self).puts += 1
        self.send_response(308)
        self.send_header("Range", "bytes=0-" if self.mode == "malformed" else "bytes=0-1023")
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.mark.parametrize(("mode", "words"), [("stall", "none of"), ("malformed", "Range")])
def test_a_resumable_upload_that_makes_no_progress_stops(
        app, monkeypatch: pytest.MonkeyPatch, mode: str, words: str) -> None:
    from deltacloud.drivers.google import client as gcs_client

    monkeypatch.setattr(gcs_client, "CHUNK", 1024)
    _StallingUploads.mode, _StallingUploads.puts = mode, 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), _StallingUploads)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with TestClient(app, base_url="http://localhost:3001") as api:
            answer = api.put(f"/api/buckets/{BUCKET}/big", content=iter([b"x" * 4096]),
                             auth=(ACCESS_ID, SECRET),
                             headers={"Accept": "application/xml",
                                      "X-Deltacloud-Driver": "google",
                                      "X-Deltacloud-Provider":
                                          f"http://127.0.0.1:{server.server_port}"})
    finally:
        server.shutdown()
        server.server_close()
    assert answer.status_code == 502, answer.text
    assert words in xml(answer).findtext("message", "")
    assert _StallingUploads.puts <= 4


class _ResumableUploads(BaseHTTPRequestHandler):
    """A resumable-upload endpoint that takes every chunk, the first only half at first;
    `spans` are the Content-Ranges it was sent, with how many bytes each carried."""

    spans: list[tuple[str, int]] = []
    halved = False

    def log_message(self, *_: object) -> None:
        pass

    def do_POST(self) -> None:  # the session start
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(201)
        self.send_header("Location", f"http://{self.headers['Host']}/upload/session-1")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_PUT(self) -> None:
        data = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        span = self.headers["Content-Range"]
        type(self).spans.append((span, len(data)))
        first, _, last = span.removeprefix("bytes ").partition("/")[0].partition("-")
        if span.endswith("/*") and not type(self).halved:
            type(self).halved = True
            last = str((int(first) + int(last)) // 2)
        self.send_response(308 if span.endswith("/*") else 200)
        if span.endswith("/*"):
            self.send_header("Range", f"bytes=0-{last}")
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.mark.parametrize(("chunks", "declared", "spans"), [
    # Unknown length: whole chunks, then the rest with the total.
    ([b"x" * 700] * 3, None, [("bytes 0-1023/*", 1024), ("bytes 512-1023/*", 512),
                              ("bytes 1024-2047/*", 1024), ("bytes 2048-2099/2100", 52)]),
    # A declared exact multiple: the total comes in a last, empty request.
    ([b"y" * 512] * 4, 2048, [("bytes 0-1023/*", 1024), ("bytes 512-1023/*", 512),
                              ("bytes 1024-2047/*", 1024), ("bytes */2048", 0)]),
])
def test_a_resumable_upload_sends_whole_chunks_then_the_total(
        app, monkeypatch: pytest.MonkeyPatch, chunks: list[bytes], declared: int | None,
        spans: list[tuple[str, int]]) -> None:
    from deltacloud.drivers.google import client as gcs_client

    monkeypatch.setattr(gcs_client, "CHUNK", 1024)
    _ResumableUploads.spans, _ResumableUploads.halved = [], False
    server = ThreadingHTTPServer(("127.0.0.1", 0), _ResumableUploads)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    headers = {"Accept": "application/xml", "X-Deltacloud-Driver": "google",
               "X-Deltacloud-Provider": f"http://127.0.0.1:{server.server_port}"}
    if declared is not None:
        headers["Content-Length"] = str(declared)
    try:
        with TestClient(app, base_url="http://localhost:3001") as api:
            answer = api.put(f"/api/buckets/{BUCKET}/big", content=iter(chunks),
                             auth=(ACCESS_ID, SECRET), headers=headers)
    finally:
        server.shutdown()
        server.server_close()
    assert answer.status_code == 200, answer.text
    assert xml(answer).findtext("content_length") == str(sum(map(len, chunks)))
    assert _ResumableUploads.spans == spans


class _EndlessListing(BaseHTTPRequestHandler):
    """A bucket listing whose next page is always the same page."""

    def log_message(self, *_: object) -> None:
        pass

    def do_GET(self) -> None:
        body = (b"<?xml version='1.0' encoding='UTF-8'?><ListBucketResult><Name>b</Name>"
                b"<IsTruncated>true</IsTruncated><NextMarker>k</NextMarker>"
                b"<Contents><Key>k</Key></Contents></ListBucketResult>")
        self.send_response(200)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def test_a_listing_that_never_ends_is_a_502(app) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _EndlessListing)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with TestClient(app, base_url="http://localhost:3001") as api:
            answer = api.get(f"/api/buckets/{BUCKET}", auth=(ACCESS_ID, SECRET), headers={
                "Accept": "application/xml", "X-Deltacloud-Driver": "google",
                "X-Deltacloud-Provider": f"http://127.0.0.1:{server.server_port}"})
    finally:
        server.shutdown()
        server.server_close()
    assert answer.status_code == 502, answer.text
    assert "does not end" in xml(answer).findtext("message", "")
