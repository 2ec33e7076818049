"""The rackspace driver: API-key login replayed on loopback, compute and files for real.

The identity answers come from the recorded Rackspace v2.0 responses
(rackspace_identity.py); the catalogue they carry points `cloudServersOpenStack`
and `cloudFiles` at the test OpenStack's Nova and Swift, where every call runs.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest
from starlette.testclient import TestClient

from tests.drivers.openstack.conftest import DEMO, KEYSTONE, make_client
from tests.drivers.openstack.rackspace_identity import API_KEY, FIXTURES, USER, RackspaceIdentity
from tests.helpers import ids, xml


def _demo_token() -> tuple[str, str]:
    body = {"auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "name": DEMO[0], "password": DEMO[1], "domain": {"id": "default"}}}},
        "scope": {"project": {"name": "demo", "domain": {"id": "default"}}},
    }}
    answer = httpx.post(f"{KEYSTONE}/auth/tokens", json=body, timeout=10)
    answer.raise_for_status()
    return answer.headers["X-Subject-Token"], answer.json()["token"]["expires_at"]


@pytest.fixture(scope="module")
def identity(openstack: dict[str, str]) -> Iterator[RackspaceIdentity]:
    if not FIXTURES.is_dir():
        pytest.skip(f"recorded Rackspace responses not found at {FIXTURES}")
    files = f"http://127.0.0.1:8080/v1/AUTH_{openstack['demo_project_id']}"
    with RackspaceIdentity(_demo_token, "http://127.0.0.1:8774/v2.1", files) as server:
        yield server


@pytest.fixture
def rax(identity: RackspaceIdentity, tmp_path: Path) -> Iterator[TestClient]:
    with make_client(tmp_path, "rackspace", f"ORD;identity={identity.url}",
                     (USER, API_KEY)) as client:
        yield client


def test_wrong_api_key_is_401(rax: TestClient) -> None:
    assert rax.get("/api/realms", auth=(USER, "wrong-key")).status_code == 401
    assert rax.get("/api/realms", auth=("someone", API_KEY)).status_code == 401
    assert rax.get("/api?force_auth=1").status_code == 200


def test_entry_point_and_provider(rax: TestClient) -> None:
    rels = {link.get("rel") for link in xml(rax.get("/api")).findall("link")}
    assert {"instances", "images", "hardware_profiles", "keys", "buckets"} <= rels
    assert not {"addresses", "firewalls", "storage_volumes"} & rels
    assert rax.get("/api/realms", headers={"X-Deltacloud-Provider": "MARS"}).status_code == 400


def test_token_is_reused_not_requested_each_time(rax: TestClient,
                                                 identity: RackspaceIdentity) -> None:
    before = identity.logins
    for _ in range(3):
        assert rax.get("/api/realms").status_code == 200
    assert identity.logins - before <= 1


def test_servers_through_rackspace_catalogue(rax: TestClient, name: str) -> None:
    image = next(e for e in xml(rax.get("/api/images")).findall("image")
                 if e.findtext("name") == "ds-cirros")
    profile = next(e for e in xml(rax.get("/api/hardware_profiles")).findall("hardware_profile")
                   if e.findtext("name") == "ds.tiny")
    assert "nova" in ids(xml(rax.get("/api/realms")), "realm")
    assert rax.post("/api/instances", data={"image_id": "no-such-image"}).status_code == 400
    created = rax.post("/api/instances", data={
        "image_id": image.get("id"), "hwp_id": profile.get("id"), "name": name})
    assert created.status_code == 201, created.text
    path = f"/api/instances/{xml(created).get('id')}"
    deadline = time.monotonic() + 60
    while xml(rax.get(path)).findtext("state") != "RUNNING":
        assert time.monotonic() < deadline
        time.sleep(0.3)
    assert rax.post(f"{path}/stop").status_code == 202
    assert rax.delete(path).status_code == 204


def test_cloud_files(rax: TestClient, name: str) -> None:
    assert rax.post("/api/buckets", data={"name": name}).status_code == 201
    try:
        put = rax.put(f"/api/buckets/{name}/note", content=b"via cloudFiles",
                      headers={"X-Deltacloud-Blobmeta-From": "rackspace"})
        assert put.status_code == 200, put.text
        assert rax.get(f"/api/buckets/{name}/note/content").content == b"via cloudFiles"
        assert rax.head(f"/api/buckets/{name}/note").headers[
            "x-deltacloud-blobmeta-from"] == "rackspace"
        assert rax.delete(f"/api/buckets/{name}/note").status_code == 204
    finally:
        assert rax.delete(f"/api/buckets/{name}").status_code == 204
