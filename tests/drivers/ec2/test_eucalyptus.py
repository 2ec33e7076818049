"""The eucalyptus driver: the ec2 family at endpoints the provider names, against moto."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from deltacloud.drivers.ec2.eucalyptus import parse_provider
from deltacloud.errors import BadRequest
from tests.drivers.ec2.conftest import Moto
from tests.drivers.ec2.test_compute import wait_state
from tests.drivers.ec2.test_resources import unique
from tests.helpers import actions, ids, xml


def test_entry_point_lists_what_eucalyptus_has(euca: TestClient):
    euca.auth = None
    root = xml(euca.get("/api"))
    assert root.get("driver") == "eucalyptus"
    rels = {link.get("rel") for link in root.findall("link")}
    assert {"instances", "images", "realms", "buckets", "keys", "storage_volumes",
            "addresses", "firewalls"} <= rels
    assert "load_balancers" not in rels
    assert euca.get("/api/load_balancers").status_code == 404


def test_the_provider_names_the_endpoints():
    default = parse_provider("ec2=192.168.1.1;s3=192.168.1.2:8080")
    assert default.ec2 == "http://192.168.1.1:8773/services/Eucalyptus"
    assert default.s3 == "http://192.168.1.2:8080/services/Walrus"
    assert default.region == "us-east-1"
    own = parse_provider("ec2=https://10.0.0.1:443/services/compute; s3=10.0.0.2:80/;"
                         "region=eucalyptus")
    assert own.ec2 == "https://10.0.0.1:443/services/compute"
    assert own.s3 == "http://10.0.0.2:80"
    assert own.region == "eucalyptus"
    matrix = parse_provider("ec2=10.0.0.1,s3=10.0.0.2:9000")
    assert (matrix.ec2, matrix.s3) == ("http://10.0.0.1:8773/services/Eucalyptus",
                                       "http://10.0.0.2:9000/services/Walrus")
    for bad in ("", "ec2", "ec2=", "foo=1.2.3.4", "ec2=ftp://1.2.3.4", "ec2=h:port"):
        with pytest.raises(BadRequest):
            parse_provider(bad)


def test_no_or_bad_provider_is_400(euca: TestClient):
    assert euca.get("/api/realms", headers={"X-Deltacloud-Provider": ""}).status_code == 400
    assert euca.get("/api;provider=nonsense/realms").status_code == 400


def test_a_service_the_provider_leaves_out_never_goes_to_aws(euca: TestClient, moto: Moto):
    only_ec2 = {"X-Deltacloud-Provider": f"ec2={moto.url.removeprefix('http://')}/"}
    assert euca.get("/api/realms", headers=only_ec2).status_code == 200
    assert euca.get("/api/buckets", headers=only_ec2).status_code == 400


def test_compute_through_the_provider(euca: TestClient, sdk):
    assert "us-east-1a" in ids(xml(euca.get("/api/realms")), "realm")
    assert xml(euca.get("/api/hardware_profiles/m1.small")).get("id") == "m1.small"
    # Eucalyptus lists the account's own images by default.
    amazon = ids(xml(euca.get("/api/images", params={"owner_id": "amazon"})), "image")
    assert amazon
    key = unique("euca-key")
    assert euca.post("/api/keys", data={"name": key}).status_code == 201
    made = euca.post("/api/instances", data={"image_id": amazon[0], "hwp_id": "m1.small",
                                             "keyname": key, "name": "euca-1"})
    assert made.status_code == 201, made.text
    inst_id = xml(made).get("id")
    path = f"/api/instances/{inst_id}"
    wait_state(euca, path, "RUNNING")
    assert xml(euca.get(path)).findtext("name") == "euca-1"
    assert euca.post(f"{path}/stop").status_code == 202
    wait_state(euca, path, "STOPPED")
    assert euca.post(f"{path}/start").status_code == 202
    wait_state(euca, path, "RUNNING")
    image = euca.post("/api/images", data={"instance_id": inst_id})
    assert image.status_code == 201
    assert xml(image).get("id") in ids(xml(euca.get("/api/images")), "image")
    assert euca.delete(f"/api/images/{xml(image).get('id')}").status_code == 204

    ip = xml(euca.post("/api/addresses")).get("id")
    assert euca.post(f"/api/addresses/{ip}/associate",
                     data={"instance_id": inst_id}).status_code == 202
    assert euca.post(f"/api/addresses/{ip}/disassociate").status_code == 202
    assert euca.delete(f"/api/addresses/{ip}").status_code == 204

    vol = xml(euca.post("/api/storage_volumes", data={"capacity": "1",
                                                      "realm_id": "us-east-1a"})).get("id")
    assert euca.post(f"/api/storage_volumes/{vol}/attach",
                     data={"instance_id": inst_id, "device": "/dev/sdg"}).status_code == 202
    assert euca.post(f"/api/storage_volumes/{vol}/detach").status_code == 202
    snap = euca.post("/api/storage_snapshots", data={"volume_id": vol})
    assert snap.status_code == 201
    assert euca.delete(f"/api/storage_snapshots/{xml(snap).get('id')}").status_code == 204
    wait_state(euca, f"/api/storage_volumes/{vol}", "AVAILABLE")
    assert euca.delete(f"/api/storage_volumes/{vol}").status_code == 204

    fw = xml(euca.post("/api/firewalls", data={"name": unique("euca-fw"),
                                               "description": "d"})).get("id")
    assert euca.post(f"/api/firewalls/{fw}/rules", data={
        "protocol": "tcp", "port_from": "22", "port_to": "22",
        "ip_address1": "0.0.0.0/0"}).status_code == 201
    assert euca.delete(f"/api/firewalls/{fw}").status_code == 204

    assert euca.delete(path).status_code == 204
    wait_state(euca, path, "FINISH")
    assert actions(xml(euca.get(path))) == []
    assert euca.delete(f"/api/keys/{key}").status_code == 204


def test_walrus_storage_through_the_provider(euca: TestClient, sdk):
    name = unique("walrus")
    assert euca.post("/api/buckets", data={"name": name}).status_code == 201
    put = euca.put(f"/api/buckets/{name}/b.txt", content=b"walrus",
                   headers={"X-Deltacloud-Blobmeta-Who": "euca"})
    assert put.status_code == 200, put.text
    assert sdk("s3").get_object(Bucket=name, Key="b.txt")["Body"].read() == b"walrus"
    assert euca.get(f"/api/buckets/{name}/b.txt/content").content == b"walrus"
    assert euca.head(f"/api/buckets/{name}/b.txt").headers["x-deltacloud-blobmeta-who"] \
        == "euca"
    assert euca.delete(f"/api/buckets/{name}/b.txt").status_code == 204
    assert euca.delete(f"/api/buckets/{name}").status_code == 204
