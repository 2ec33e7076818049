"""The requests of Deltacloud's "cURL examples" page, as curl sends them, against the mock.

curl sends `-d` as a form-urlencoded body, `-F` as multipart form data, `-T` as a PUT
of the file's bytes, and `Accept: */*` unless told otherwise: `?format=xml` or an
Accept header picks the format. Ids are the mock's instead of the page's EC2 ones.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from starlette.testclient import TestClient

from tests.conftest import AUTH


@pytest.fixture
def curl(client: TestClient) -> TestClient:
    client.auth = AUTH
    client.headers["Accept"] = "*/*"
    return client


def parsed(response) -> ET.Element:
    assert response.headers["content-type"].startswith("application/xml"), response.text
    return ET.fromstring(response.content)


def test_format_by_query_or_accept(curl: TestClient) -> None:
    assert parsed(curl.get("/api/instances?format=xml")).tag == "instances"
    as_xml = curl.get("/api/instances", headers={"Accept": "application/xml"})
    assert parsed(as_xml).tag == "instances"
    assert curl.get("/api/instances?format=json").json()["instances"]


def test_create_an_instance_with_d_and_with_f(curl: TestClient) -> None:
    with_d = curl.post("/api/instances?format=xml",
                       content="image_id=img1&hwp_id=m1-small&keyname=test-key",
                       headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert with_d.status_code == 201
    assert parsed(with_d).findtext("state") == "RUNNING"
    with_f = curl.post("/api/instances?format=xml",
                       files={"image_id": (None, "img2"), "hwp_id": (None, "m1-small"),
                              "keyname": (None, "test-key")})
    assert with_f.status_code == 201
    inst = parsed(with_f)
    assert inst.find("image").get("id") == "img2"
    assert inst.findtext("authentication/login/keyname") == "test-key"
    assert curl.post(f"/api/instances/{inst.get('id')}/reboot?format=xml").status_code == 202


def test_run_a_command_with_f(curl: TestClient) -> None:
    response = curl.post("/api/instances/inst1/run?format=xml",
                         files={"cmd": (None, "uname -a; ls -l"),
                                "private_key": (None, "-----BEGIN RSA PRIVATE KEY-----\n")})
    assert response.status_code == 200
    assert parsed(response).findtext("command") == "uname -a; ls -l"


def test_images(curl: TestClient) -> None:
    assert parsed(curl.get("/api/images/img1?format=xml")).get("id") == "img1"
    curl.post("/api/instances/inst1/stop")
    made = curl.post("/api/images?format=xml", data={"instance_id": "inst1",
                                                     "name": "mariostestimage"})
    assert made.status_code == 201
    image = parsed(made)
    assert image.findtext("name") == "mariostestimage"
    assert curl.delete(f"/api/images/{image.get('id')}?format=xml").status_code == 204


def test_hardware_profiles_and_realms(curl: TestClient) -> None:
    assert parsed(curl.get("/api/hardware_profiles?format=xml")).findall("hardware_profile")
    hwp = parsed(curl.get("/api/hardware_profiles/m1-xlarge?format=xml"))
    assert hwp.get("id") == "m1-xlarge"
    assert [r.get("id") for r in parsed(curl.get("/api/realms?format=xml"))] == ["us", "eu"]
    assert parsed(curl.get("/api/realms/eu?format=xml")).findtext("state") == "AVAILABLE"


def test_keys(curl: TestClient) -> None:
    assert parsed(curl.get("/api/keys?format=xml")).findall("key")
    made = curl.post("/api/keys?format=xml", data={"name": "mynewkey"})
    assert made.status_code == 201 and parsed(made).findtext("pem")
    public = ("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"
              " me@host")
    imported = curl.post("/api/keys?format=xml", files={"name": (None, "imported"),
                                                        "public_key": (None, public)})
    assert imported.status_code == 201 and parsed(imported).find("pem") is None
    deleted = curl.delete("/api/keys/mynewkey", headers={"Accept": "application/xml"})
    assert deleted.status_code == 204
    assert curl.delete("/api/keys/imported?format=xml").status_code == 204


def test_addresses(curl: TestClient) -> None:
    assert parsed(curl.get("/api/addresses?format=xml")).findall("address")
    made = curl.post("/api/addresses?format=xml")
    assert made.status_code == 201
    ip = parsed(made).get("id")
    associated = curl.post(f"/api/addresses/{ip}/associate?format=xml",
                           data={"instance_id": "inst1"})
    assert associated.status_code in (200, 202)
    assert curl.post(f"/api/addresses/{ip}/disassociate?format=xml").status_code in (200, 202)
    assert curl.delete(f"/api/addresses/{ip}?format=xml").status_code == 204


def test_buckets_and_blobs(curl: TestClient) -> None:
    assert parsed(curl.get("/api/buckets/bucket1?format=xml")).findall("blob")
    made = curl.post("/api/buckets?format=xml", data={"name": "shinynewbucket"})
    assert made.status_code == 201
    put = curl.put("/api/buckets/shinynewbucket/newblob?format=xml", content=b"\xff\xd8jpeg",
                   headers={"Content-Type": "image/jpg",
                            "X-Deltacloud-Blobmeta-Name": "mariosblob",
                            "X-Deltacloud-Blobmeta-Author": "me"})
    assert put.status_code == 200
    assert parsed(put).findtext("content_type") == "image/jpg"
    head = curl.head("/api/buckets/shinynewbucket/newblob")
    assert head.headers["x-deltacloud-blobmeta-name"] == "mariosblob"
    assert head.headers["x-deltacloud-blobmeta-author"] == "me"
    updated = curl.post("/api/buckets/shinynewbucket/newblob?format=xml",
                        headers={"X-Deltacloud-Blobmeta-Name": "mariosblobV2",
                                 "X-Deltacloud-Blobmeta-Version": "v2.1.1"})
    assert updated.status_code == 204
    again = curl.head("/api/buckets/shinynewbucket/newblob").headers
    assert again["x-deltacloud-blobmeta-version"] == "v2.1.1"
    assert "x-deltacloud-blobmeta-author" not in again
    assert curl.delete("/api/buckets/shinynewbucket/newblob?format=xml").status_code == 204
    # The page's last example has a typo (/api/bucket/...): an error document, not a crash.
    typo = curl.delete("/api/bucket/shinynewbucket")
    assert typo.status_code == 404 and parsed(typo).tag == "error"
    assert curl.delete("/api/buckets/shinynewbucket").status_code == 204


def test_storage_volumes_and_snapshots(curl: TestClient) -> None:
    assert parsed(curl.get("/api/storage_volumes?format=xml")).findall("storage_volume")
    made = curl.post("/api/storage_volumes?format=xml", data={"capacity": "10",
                                                              "realm_id": "us"})
    assert made.status_code == 201
    vol_id = parsed(made).get("id")
    attached = curl.post(f"/api/storage_volumes/{vol_id}/attach?format=xml",
                         data={"instance_id": "inst1", "device": "/dev/sdi"})
    assert attached.status_code == 202
    assert parsed(attached).find("mount/device").get("name") == "/dev/sdi"
    assert curl.post(f"/api/storage_volumes/{vol_id}/detach?format=xml").status_code == 202
    assert parsed(curl.get("/api/storage_snapshots/snap1?format=xml")).get("id") == "snap1"
    snap = curl.post("/api/storage_snapshots?format=xml", data={"volume_id": vol_id})
    assert snap.status_code == 201
    assert curl.delete(f"/api/storage_snapshots/{parsed(snap).get('id')}?format=xml"
                       ).status_code == 204
    assert curl.delete(f"/api/storage_volumes/{vol_id}?format=xml").status_code == 204
