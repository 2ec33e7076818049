"""The ec2 driver's compute side, through this server's HTTP API, against moto."""

from __future__ import annotations

import base64
import time

from starlette.testclient import TestClient

from tests.helpers import actions, ids, xml

_images: list[str] = []


def first_image(ec2: TestClient) -> str:
    """An x86_64 image from moto's catalogue (listing it takes a second: done once)."""
    if not _images:
        root = xml(ec2.get("/api/images", params={"architecture": "x86_64"}))
        _images.append(ids(root, "image")[0])
    return _images[0]


def wait_state(ec2: TestClient, path: str, wanted: str, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while True:
        state = xml(ec2.get(path)).findtext("state")
        if state == wanted:
            return
        assert time.monotonic() < deadline, f"{path} stayed {state}, wanted {wanted}"
        time.sleep(0.1)


def test_entry_point_without_credentials_shows_collections_and_features(ec2: TestClient):
    ec2.auth = None
    root = xml(ec2.get("/api;driver=ec2"))
    assert root.get("driver") == "ec2"
    links = {link.get("rel"): link for link in root.findall("link")}
    for name in ("instances", "images", "realms", "hardware_profiles", "instance_states",
                 "keys", "storage_volumes", "storage_snapshots", "buckets", "addresses",
                 "firewalls", "load_balancers", "metrics"):
        assert name in links, name
    features = {f.get("name") for f in links["instances"].findall("feature")}
    assert features == {"user_data", "authentication_key", "firewalls", "instance_count",
                        "metrics", "attach_snapshot"}
    assert [f.get("name") for f in links["buckets"].findall("feature")] == ["bucket_location"]
    assert {f.get("name") for f in links["images"].findall("feature")} >= {"owner_id"}


def test_force_auth_checks_the_credentials_against_the_cloud(ec2: TestClient):
    assert ec2.get("/api", params={"force_auth": "1"}).status_code == 200
    ec2.auth = None
    assert ec2.get("/api/realms").status_code == 401


def test_providers_are_the_sdks_regions(ec2: TestClient):
    root = xml(ec2.get("/api/drivers/ec2"))
    providers = {p.get("id"): p for p in root.iter("provider")}
    assert {"us-east-1", "eu-west-1", "ap-southeast-2"} <= set(providers)
    entry = {e.get("kind"): e.text for e in providers["eu-west-1"].findall("entrypoint")}
    assert entry["ec2"] == "https://ec2.eu-west-1.amazonaws.com"


def test_realms_follow_the_provider_region(ec2: TestClient):
    root = xml(ec2.get("/api/realms"))
    assert "us-east-1a" in ids(root, "realm")
    assert root.find("realm/state").text == "AVAILABLE"
    eu = xml(ec2.get("/api;provider=eu-west-1/realms"))
    assert ids(eu, "realm") and all(i.startswith("eu-west-1") for i in ids(eu, "realm"))
    assert xml(ec2.get("/api/realms/us-east-1b")).get("id") == "us-east-1b"
    assert ec2.get("/api/realms/nowhere-1z").status_code == 404
    bad = ec2.get("/api;provider=mars-north-1/realms")
    assert bad.status_code == 400


def test_hardware_profiles_come_from_the_instance_type_data(ec2: TestClient):
    root = xml(ec2.get("/api/hardware_profiles"))
    assert len(root.findall("hardware_profile")) > 100
    hwp = xml(ec2.get("/api/hardware_profiles/m5.large"))
    props = {p.get("name"): p for p in hwp.findall("property")}
    assert props["cpu"].get("value") == "2"
    assert props["memory"].get("value") == "8192"
    assert props["architecture"].get("value") == "x86_64"
    storage = xml(ec2.get("/api/hardware_profiles/m5d.large"))
    assert {p.get("name"): p.get("value") for p in storage.findall("property")}["storage"] \
        == "75"
    arm = xml(ec2.get("/api/hardware_profiles", params={"architecture": "arm64"}))
    assert "m6g.large" in ids(arm, "hardware_profile")
    assert "m5.large" not in ids(arm, "hardware_profile")
    assert ec2.get("/api/hardware_profiles/no.such").status_code == 404
    # Cached now, but only for these credentials: without any it is still a 401.
    ec2.auth = None
    assert ec2.get("/api/hardware_profiles/m5.large").status_code == 401


def test_instance_states_are_ec2s_machine(ec2: TestClient):
    ec2.auth = None
    root = xml(ec2.get("/api/instance_states"))
    states = [s.get("name") for s in root.findall("state")]
    assert {"start", "pending", "running", "stopping", "stopped", "shutting_down",
            "finish"} <= set(states)
    stopped = root.find("state[@name='stopped']")
    assert {t.get("action"): t.get("to") for t in stopped.findall("transition")}[
        "start"] == "pending"


def test_images_by_owner(ec2: TestClient, sdk):
    amazon = xml(ec2.get("/api/images"))
    assert len(amazon.findall("image")) > 100
    owner = amazon.find("image/owner_id").text
    ec2_sdk = sdk("ec2")
    source = ec2_sdk.run_instances(ImageId=amazon.find("image").get("id"), MinCount=1,
                                   MaxCount=1)["Instances"][0]["InstanceId"]
    own_image = ec2_sdk.create_image(InstanceId=source, Name="mine-1")["ImageId"]
    by_account = xml(ec2.get("/api/images", params={"owner_id": owner}))
    assert {e.findtext("owner_id") for e in by_account.findall("image")} == {owner}
    mine = xml(ec2.get("/api/images", params={"owner_id": "self"}))
    image_id = ids(amazon, "image")[0]
    shown = xml(ec2.get(f"/api/images/{image_id}"))
    assert shown.findtext("state") == "AVAILABLE"
    assert shown.findtext("root_type") in ("persistent", "transient")
    profiles = [p.get("id") for p in shown.findall("hardware_profiles/hardware_profile")]
    arch = shown.findtext("architecture")
    assert profiles and ("m5.large" in profiles) == (arch == "x86_64")
    assert ec2.get("/api/images/ami-00000000deadbeef0").status_code == 404
    assert ec2.get("/api/images/not-an-ami").status_code == 404
    assert own_image in ids(mine, "image")
    assert all(e.findtext("owner_id") != owner for e in mine.findall("image"))


def test_instance_life_cycle(ec2: TestClient, sdk):
    image = first_image(ec2)
    sg = sdk("ec2").create_security_group(GroupName="web-lc", Description="web")["GroupId"]
    sdk("ec2").create_key_pair(KeyName="lc-key")
    created = ec2.post("/api/instances", data={
        "image_id": image, "realm_id": "us-east-1b", "hwp_id": "t3.micro", "name": "web-1",
        "keyname": "lc-key", "user_data": base64.b64encode(b"#!/bin/sh\necho hi\n").decode(),
        "firewalls": sg,
    })
    assert created.status_code == 201, created.text
    inst = xml(created)
    inst_id = inst.get("id")
    assert created.headers["location"].endswith(f"/api/instances/{inst_id}")
    assert inst.findtext("name") == "web-1"
    assert inst.find("realm").get("id") == "us-east-1b"
    assert inst.find("hardware_profile").get("id") == "t3.micro"
    assert inst.find("image").get("id") == image
    assert inst.find("authentication/login/keyname").text == "lc-key"
    assert [f.get("id") for f in inst.findall("firewalls/firewall")] == [sg]
    assert inst.findtext("launch_time")
    assert inst.find("public_addresses/address[@type='ipv4']") is not None
    assert inst.find("private_addresses/address[@type='ipv4']") is not None
    data = sdk("ec2").describe_instance_attribute(InstanceId=inst_id, Attribute="userData")
    assert base64.b64decode(data["UserData"]["Value"]) == b"#!/bin/sh\necho hi\n"

    path = f"/api/instances/{inst_id}"
    wait_state(ec2, path, "RUNNING")
    running = xml(ec2.get(path))
    assert actions(running)[:3] == ["reboot", "stop", "destroy"]
    listed = xml(ec2.get("/api/instances", params={"state": "RUNNING"}))
    assert inst_id in ids(listed, "instance")
    assert inst_id in ids(xml(ec2.get("/api/instances", params={"realm_id": "us-east-1b"})),
                          "instance")
    assert inst_id not in ids(xml(ec2.get("/api/instances", params={"realm_id": "us-east-1a"})),
                              "instance")
    assert inst_id in ids(xml(ec2.get("/api/instances", params={"image_id": image})), "instance")
    assert ids(xml(ec2.get("/api/instances", params={"id": inst_id})), "instance") == [inst_id]

    assert ec2.post(f"{path}/reboot").status_code == 202
    # Starting a running instance: the state refuses, saying which state it is in.
    refused = ec2.post(f"{path}/start")
    assert refused.status_code == 405
    assert "RUNNING" in xml(refused).findtext("message")

    assert ec2.post(f"{path}/stop").status_code == 202
    wait_state(ec2, path, "STOPPED")
    assert actions(xml(ec2.get(path)))[:2] == ["start", "destroy"]
    started = ec2.post(f"{path}/start")
    assert started.status_code == 202
    assert xml(started).findtext("state") in ("PENDING", "RUNNING")
    wait_state(ec2, path, "RUNNING")

    assert ec2.delete(path).status_code == 204
    wait_state(ec2, path, "FINISH")
    assert actions(xml(ec2.get(path))) == []


def test_several_instances_at_once(ec2: TestClient):
    created = ec2.post("/api/instances", data={"image_id": first_image(ec2),
                                               "instance_count": "3", "hwp_id": "t3.nano"})
    assert created.status_code == 201
    made = ids(xml(created), "instance")
    assert len(made) == 3
    for inst_id in made:
        assert ec2.delete(f"/api/instances/{inst_id}").status_code == 204


def test_unknown_instances_and_bad_requests(ec2: TestClient):
    assert ec2.get("/api/instances/i-0123456789abcdef0").status_code == 404
    assert ec2.get("/api/instances/not-an-instance").status_code == 404
    assert ec2.post("/api/instances/i-0123456789abcdef0/stop").status_code == 404
    assert ec2.delete("/api/instances/i-0123456789abcdef0").status_code == 404
    unknown_image = ec2.post("/api/instances", data={"image_id": "ami-0123456789abcdef0"})
    assert unknown_image.status_code == 400
    assert ec2.post("/api/instances", data={"image_id": first_image(ec2),
                                            "hwp_id": "no.such"}).status_code == 400
    assert ec2.post("/api/instances", data={"image_id": first_image(ec2),
                                            "user_data": "%%%"}).status_code == 400


def test_create_and_delete_an_image_from_an_instance(ec2: TestClient):
    inst = xml(ec2.post("/api/instances", data={"image_id": first_image(ec2),
                                                "hwp_id": "t3.micro"}))
    inst_id = inst.get("id")
    wait_state(ec2, f"/api/instances/{inst_id}", "RUNNING")
    assert "create_image" in actions(xml(ec2.get(f"/api/instances/{inst_id}")))
    made = ec2.post("/api/images", data={"instance_id": inst_id, "name": "my-image",
                                         "description": "mine"})
    assert made.status_code == 201, made.text
    image = xml(made)
    image_id = image.get("id")
    assert image.findtext("name") == "my-image"
    assert image.findtext("description") == "mine"
    assert image_id in ids(xml(ec2.get("/api/images", params={"owner_id": "self"})), "image")
    assert ec2.delete(f"/api/images/{image_id}").status_code == 204
    assert ec2.get(f"/api/images/{image_id}").status_code == 404
    assert ec2.delete(f"/api/images/{image_id}").status_code == 404
    assert ec2.post("/api/images", data={"instance_id": "i-0123456789abcdef0"}).status_code \
        == 400
    ec2.delete(f"/api/instances/{inst_id}")


def test_json_listing(ec2: TestClient):
    answer = ec2.get("/api/realms", headers={"Accept": "application/json"})
    assert answer.status_code == 200
    assert any(r["id"] == "us-east-1a" for r in answer.json()["realms"])
