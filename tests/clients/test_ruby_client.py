"""The requests the `deltacloud-client` Ruby gem (1.1) sends, and what it reads back.

The gem speaks through Faraday: `Accept: application/xml` on every request, the driver
and provider as `X-Deltacloud-*` headers, and every POST's parameters in the query string
(`request.params = {...}`) with an empty body. It reads the answers with XPath; the paths
asserted here are the ones its models read (`lib/deltacloud/client/models/*.rb`). Its
error middleware turns 401, 404, 405, other 40x, 500, 501 and 502 into exceptions after
parsing `<error>`: an error without that document (an empty 307) breaks it.
"""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ET

import pytest
from starlette.testclient import TestClient

from tests.conftest import AUTH

# What Ruby's Base64.encode64 gives: lines of 60 characters, each ending in a newline.
USER_DATA = base64.encodebytes(b"#!/bin/sh\n" + b"echo hello from the ruby client\n" * 3).decode()


@pytest.fixture
def gem(client: TestClient) -> TestClient:
    """A client configured the way Deltacloud::Client.new(url, user, password) is."""
    client.auth = AUTH
    client.headers["Accept"] = "application/xml"
    client.headers["X-Deltacloud-Driver"] = "mock"
    return client


def root(response) -> ET.Element:
    return ET.fromstring(response.content)


def test_entry_point_is_what_the_gem_caches(gem: TestClient) -> None:
    api = root(gem.get("/api"))
    assert api.tag == "api"
    assert api.get("driver") == "mock"
    assert api.get("version") == "1.1.3"
    # current_provider reads the attribute; none chosen means no attribute, as in 1.1.3.
    assert "provider" not in api.attrib
    rels = [link.get("rel") for link in api.findall("link")]
    assert {"instances", "images", "realms", "hardware_profiles", "keys", "buckets",
            "storage_volumes", "storage_snapshots", "instance_states", "drivers"} <= set(rels)
    features = {(link.get("rel"), f.get("name")) for link in api.findall("link")
                for f in link.findall("feature")}
    assert ("instances", "user_name") in features
    assert ("instances", "authentication_key") in features


def test_entry_point_names_a_chosen_provider(gem: TestClient) -> None:
    gem.headers["X-Deltacloud-Provider"] = "eu"
    assert root(gem.get("/api")).get("provider") == "eu"


def test_valid_credentials_asks_with_force_auth(client: TestClient) -> None:
    client.headers["Accept"] = "application/xml"
    assert client.get("/api", params={"force_auth": "true"}, auth=AUTH).status_code == 200
    bad = client.get("/api", params={"force_auth": "true"}, auth=("mockuser", "wrong"))
    assert bad.status_code == 401
    assert root(bad).tag == "error"


@pytest.mark.parametrize("collection", ["addresses", "buckets", "drivers", "hardware_profiles",
                                        "images", "instances", "keys", "metrics", "realms",
                                        "storage_snapshots", "storage_volumes"])
def test_a_nil_id_is_a_404_error_document(gem: TestClient, collection: str) -> None:
    """`client.image(nil)` asks for `/api/images/`; the gem raises NotFound from the <error>."""
    response = gem.get(f"/api/{collection}/")
    assert response.status_code == 404
    error = root(response)
    assert error.tag == "error"
    assert error.findtext("message")
    backend = error.find("backend")
    assert backend is not None and backend.get("driver") == "mock"


def test_instance_life_cycle_straight_after_create(gem: TestClient) -> None:
    """create_instance, then stop, start, reboot, stop and destroy at once: the gem's flow."""
    created = gem.post("/api/instances", params={
        "image_id": "img1", "hwp_id": "m1-large", "hwp_memory": "8192", "realm_id": "us",
        "name": "from-ruby", "keyname": "test-key", "user_data": USER_DATA,
    })
    assert created.status_code == 201
    inst = root(created)
    assert inst.tag == "instance"
    new_id = inst.get("id")
    assert created.headers["location"].endswith(f"/api/instances/{new_id}")
    assert inst.findtext("name") == "from-ruby"
    assert inst.findtext("state") == "RUNNING"
    assert inst.find("realm").get("id") == "us"
    assert inst.find("image").get("id") == "img1"
    assert inst.find("hardware_profile").get("id") == "m1-large"
    assert inst.findtext("owner_id") == "mockuser"
    assert [a.get("type") for a in inst.findall("public_addresses/address")] == ["hostname"]
    assert {"stop", "reboot"} <= {link.get("rel") for link in inst.findall("actions/link")}
    for action, state in (("stop", "STOPPED"), ("start", "RUNNING"), ("reboot", "RUNNING"),
                          ("stop", "STOPPED")):
        answer = gem.post(f"/api/instances/{new_id}/{action}")
        assert answer.status_code == 202, action
        assert root(answer).findtext("state") == state
    assert gem.delete(f"/api/instances/{new_id}").status_code == 204
    assert gem.get(f"/api/instances/{new_id}").status_code == 404


def test_an_action_the_state_refuses_is_405_with_an_error(gem: TestClient) -> None:
    """The gem maps 405 to InvalidState, reading the message of the <error>."""
    response = gem.post("/api/instances/inst0/start")  # inst0 runs already
    assert response.status_code == 405
    assert "RUNNING" in (root(response).findtext("message") or "")


def test_filters_are_query_parameters(gem: TestClient) -> None:
    running = root(gem.get("/api/instances", params={"state": "RUNNING"}))
    assert running.findall("instance")
    assert all(i.findtext("state") == "RUNNING" for i in running.findall("instance"))
    assert [r.get("id") for r in root(gem.get("/api/realms", params={"id": "eu"}))] == ["eu"]
    us_only = root(gem.get("/api/instances", params={"realm_id": "us"})).findall("instance")
    assert us_only and all(i.find("realm").get("id") == "us" for i in us_only)


def test_hardware_profiles_and_instance_states(gem: TestClient) -> None:
    hwp = root(gem.get("/api/hardware_profiles/m1-large"))
    kinds = {p.get("name"): p.get("kind") for p in hwp.findall("property")}
    assert kinds == {"cpu": "range", "memory": "range", "storage": "enum", "architecture": "fixed"}
    states = root(gem.get("/api/instance_states"))
    start = states.find("state[@name='start']")
    assert start is not None
    assert [(t.get("to"), t.get("action")) for t in start.findall("transition")] == [
        ("pending", "create")]


def test_drivers_and_their_providers(gem: TestClient) -> None:
    drivers = root(gem.get("/api/drivers"))
    assert "mock" in [d.get("id") for d in drivers.findall("driver")]
    ec2 = root(gem.get("/api/drivers/ec2"))
    providers = ec2.findall("provider")
    assert "us-east-1" in [p.get("id") for p in providers]
    assert all(e.get("kind") and (e.text or "").strip()
               for p in providers for e in p.findall("entrypoint"))


def test_keys(gem: TestClient) -> None:
    made = root(gem.post("/api/keys", params={"name": "rubykey"}))
    assert made.findtext("fingerprint")
    assert (made.findtext("pem") or "").strip().startswith("-----BEGIN RSA PRIVATE KEY-----")
    assert root(gem.get("/api/keys/rubykey")).findtext("state") == "AVAILABLE"
    assert gem.delete("/api/keys/rubykey").status_code == 204


def test_buckets_and_blobs_with_blob_data_in_the_query(gem: TestClient) -> None:
    assert gem.post("/api/buckets", params={"name": "rubybucket"}).status_code == 201
    blob = gem.post("/api/buckets/rubybucket", params={
        "blob_id": "notes.txt", "blob_data": "hello, blob",
        "meta_params": "2", "meta_name1": "author", "meta_value1": "ruby",
        "meta_name2": "kind", "meta_value2": "text"})
    assert blob.status_code == 201
    parsed = root(blob)
    assert parsed.tag == "blob"
    assert parsed.findtext("bucket") == "rubybucket"
    assert parsed.findtext("content_length") == "11"
    assert {e.get("key"): (e.text or "").strip()
            for e in parsed.findall("user_metadata/entry")} == {"author": "ruby", "kind": "text"}
    bucket = root(gem.get("/api/buckets/rubybucket"))
    assert [b.get("id") for b in bucket.findall("blob")] == ["notes.txt"]
    assert gem.get("/api/buckets/rubybucket/notes.txt/content").content == b"hello, blob"
    assert gem.delete("/api/buckets/rubybucket/notes.txt").status_code == 204
    assert gem.delete("/api/buckets/rubybucket").status_code == 204


def test_volumes_attach_with_an_empty_device(gem: TestClient) -> None:
    """attach_storage_volume(id, instance_id) sends `device=` (nil) in the query."""
    made = root(gem.post("/api/storage_volumes", params={"capacity": "2", "realm_id": "us"}))
    vol_id = made.get("id")
    attached = gem.post(f"/api/storage_volumes/{vol_id}/attach",
                        params={"instance_id": "inst0", "device": ""})
    assert attached.status_code == 202
    vol = root(gem.get(f"/api/storage_volumes/{vol_id}"))
    assert vol.find("mount/instance").get("id") == "inst0"
    assert vol.find("mount/device").get("name")
    assert vol.find("capacity").get("unit") == "GB"
    detached = gem.post(f"/api/storage_volumes/{vol_id}/detach")
    assert detached.status_code == 202
    assert root(detached).findtext("state") == "AVAILABLE"
    snap = gem.post("/api/storage_snapshots", params={"volume_id": vol_id, "name": "s"})
    assert snap.status_code == 201
    assert gem.delete(f"/api/storage_snapshots/{root(snap).get('id')}").status_code == 204
    assert gem.delete(f"/api/storage_volumes/{vol_id}").status_code == 204


def test_addresses(gem: TestClient) -> None:
    made = gem.post("/api/addresses")
    assert made.status_code == 201
    ip = root(made).get("id")
    associated = gem.post(f"/api/addresses/{ip}/associate", params={"instance_id": "inst0"})
    assert associated.status_code in (200, 202)
    assert root(gem.get(f"/api/addresses/{ip}")).find("instance").get("id") == "inst0"
    assert gem.post(f"/api/addresses/{ip}/disassociate").status_code in (200, 202)
    assert gem.delete(f"/api/addresses/{ip}").status_code == 204


def test_wrong_credentials_are_an_error_document(gem: TestClient) -> None:
    response = gem.get("/api/instances", auth=("mockuser", "nope"))
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Basic realm=")
    assert root(response).tag == "error"
