"""Realms, images, hardware profiles, instances and keys against the real test OpenStack."""

from __future__ import annotations

import base64
import time

from starlette.testclient import TestClient

from tests.drivers.openstack.conftest import ADMIN, DEMO_PROVIDER, KEYSTONE, make_client
from tests.helpers import actions, ids, xml


def wait_state(api: TestClient, path: str, state: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        current = xml(api.get(path)).findtext("state")
        if current == state:
            return
        assert time.monotonic() < deadline, f"{path} stayed {current}, wanted {state}"
        time.sleep(0.3)


def tiny(api: TestClient) -> tuple[str, str]:
    image = next(e for e in xml(api.get("/api/images")).findall("image")
                 if e.findtext("name") == "ds-cirros")
    profile = next(e for e in xml(api.get("/api/hardware_profiles")).findall("hardware_profile")
                   if e.findtext("name") == "ds.tiny")
    return image.get("id", ""), profile.get("id", "")


def test_realms_are_availability_zones(api: TestClient) -> None:
    root = xml(api.get("/api/realms"))
    assert "nova" in ids(root, "realm")
    realm = xml(api.get("/api/realms/nova"))
    assert realm.findtext("state") == "AVAILABLE"
    assert api.get("/api/realms/nowhere").status_code == 404


def test_images_are_glance_images(api: TestClient) -> None:
    root = xml(api.get("/api/images"))
    image = next(e for e in root.findall("image") if e.findtext("name") == "ds-cirros")
    assert image.findtext("state") == "AVAILABLE"
    one = xml(api.get(f"/api/images/{image.get('id')}"))
    assert one.findtext("name") == "ds-cirros"
    assert api.get("/api/images/00000000-0000-0000-0000-000000000000").status_code == 404


def test_hardware_profiles_are_flavors_with_fixed_properties(api: TestClient) -> None:
    root = xml(api.get("/api/hardware_profiles"))
    profile = next(e for e in root.findall("hardware_profile") if e.findtext("name") == "ds.tiny")
    props = {p.get("name"): (p.get("kind"), p.get("value")) for p in profile.findall("property")}
    assert props == {"cpu": ("fixed", "1"), "memory": ("fixed", "512"),
                     "storage": ("fixed", "1")}
    one = xml(api.get(f"/api/hardware_profiles/{profile.get('id')}"))
    assert one.findtext("name") == "ds.tiny"


def test_instance_life_cycle(api: TestClient, name: str) -> None:
    image_id, hwp_id = tiny(api)
    key = api.post("/api/keys", data={"name": name})
    assert key.status_code == 201, key.text
    assert "PRIVATE KEY" in (xml(key).findtext("pem") or "")
    firewall = xml(api.post("/api/firewalls", data={"name": name, "description": "test"}))
    try:
        created = api.post("/api/instances", data={
            "image_id": image_id, "hwp_id": hwp_id, "realm_id": "nova", "name": name,
            "keyname": name, "user_data": base64.b64encode(b"#!/bin/sh\necho hi\n").decode(),
            "firewalls": firewall.get("id"),
        })
        assert created.status_code == 201, created.text
        instance = xml(created)
        path = f"/api/instances/{instance.get('id')}"
        assert created.headers["location"].endswith(path)
        assert instance.findtext("name") == name
        assert instance.findtext("state") == "PENDING"
        wait_state(api, path, "RUNNING")
        running = xml(api.get(path))
        assert running.find("image").get("id") == image_id
        assert running.find("hardware_profile").get("id") == hwp_id
        assert running.find("realm").get("id") == "nova"
        assert running.find("authentication/login/keyname").text == name
        assert firewall.get("id") in [f.get("id") for f in running.findall("firewalls/firewall")]
        assert running.findtext("private_addresses/address", "").startswith("192.0.2.")
        assert actions(running) == ["reboot", "stop", "destroy"]
        listed = xml(api.get("/api/instances", params={"state": "RUNNING"}))
        assert instance.get("id") in ids(listed, "instance")

        stopped = api.post(f"{path}/stop")
        assert stopped.status_code == 202, stopped.text
        wait_state(api, path, "STOPPED")
        assert actions(xml(api.get(path))) == ["start", "destroy"]
        assert api.post(f"{path}/stop").status_code == 405  # the state refuses it
        assert api.post(f"{path}/start").status_code == 202
        wait_state(api, path, "RUNNING")
        assert api.post(f"{path}/reboot").status_code == 202
        wait_state(api, path, "RUNNING")

        assert api.delete(path).status_code == 204
        deadline = time.monotonic() + 60
        while api.get(path).status_code != 404:
            assert time.monotonic() < deadline, "the instance was not deleted"
            time.sleep(0.3)
    finally:
        api.delete(f"/api/keys/{name}")
        for _ in range(40):  # the group is in use until the server is gone
            if api.delete(f"/api/firewalls/{firewall.get('id')}").status_code in (204, 404):
                break
            time.sleep(0.5)


def test_create_refuses_unknown_image_profile_and_key(api: TestClient) -> None:
    image_id, hwp_id = tiny(api)
    unknown_image = api.post("/api/instances", data={"image_id": "no-such-image"})
    assert unknown_image.status_code == 400
    assert "no-such-image" not in unknown_image.text
    assert api.post("/api/instances", data={"image_id": image_id,
                                            "hwp_id": "no-such"}).status_code == 400
    assert api.post("/api/instances", data={"image_id": image_id, "hwp_id": hwp_id,
                                            "keyname": "no-such-key"}).status_code == 400
    assert api.post("/api/instances", data={"image_id": image_id,
                                            "user_data": "%%%"}).status_code == 400
    assert api.get("/api/instances/00000000-0000-0000-0000-000000000000").status_code == 404


def test_keys_generated_and_imported(api: TestClient, name: str) -> None:
    made = xml(api.post("/api/keys", data={"name": name}))
    public = ("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQDx8nkQv/zgGgB4rMYmIf+6A4l6Rr+o/6lYjSLUk"
              "Ku2gaUf6Vb9dJL0LFY9K0XAyl6yBVNq0JkYFbKPPvXQyGsZUvFl7ZpZq5aaIbNhdx4Sbnjy0Uzq"
              "LH8wcBrTiqOt2CWQcSUfb8DnZsDR0ANg9B1KbZ3bgxFVJgMHMIk4aLkfsQ== test")
    try:
        imported = api.post("/api/keys", data={"name": name + "-pub", "public_key": public})
        assert imported.status_code == 201, imported.text
        assert xml(imported).findtext("pem") in (None, "")
        listed = ids(xml(api.get("/api/keys")), "key")
        assert {name, name + "-pub"} <= set(listed)
        one = xml(api.get(f"/api/keys/{name}"))
        assert one.findtext("fingerprint") == made.findtext("fingerprint")
        assert api.post("/api/keys", data={"name": name}).status_code == 409
    finally:
        assert api.delete(f"/api/keys/{name}").status_code == 204
        api.delete(f"/api/keys/{name}-pub")
    assert api.get(f"/api/keys/{name}").status_code == 404
    assert api.delete(f"/api/keys/{name}").status_code == 404


def test_wrong_or_missing_credentials_are_401(api: TestClient) -> None:
    wrong = api.get("/api/realms", auth=("demo", "not-the-password"))
    assert wrong.status_code == 401
    assert wrong.headers["www-authenticate"].startswith("Basic")
    assert "not-the-password" not in wrong.text
    assert api.get("/api/instances", auth=("nobody", "x")).status_code == 401
    api.auth = None
    assert api.get("/api/images").status_code == 401
    # flavors need a token too: this cloud's profiles are not public data
    assert api.get("/api/hardware_profiles").status_code == 401
    assert api.get("/api").status_code == 200
    assert api.get("/api?force_auth=1", auth=("demo", "bad")).status_code == 401


def test_force_auth_checks_the_credentials(api: TestClient) -> None:
    assert api.get("/api?force_auth=1").status_code == 200


def test_project_and_user_are_chosen_per_request(api: TestClient, tmp_path, name: str) -> None:
    """The same server serves demo in project demo and admin in project admin."""
    made = xml(api.post("/api/keys", data={"name": name}))
    try:
        with make_client(tmp_path, "openstack", f"{KEYSTONE};project=admin", ADMIN) as admin:
            admin_keys = ids(xml(admin.get("/api/keys")), "key")
            assert made.get("id") not in admin_keys  # key pairs belong to their user
            images = ids(xml(admin.get("/api/images")), "image")
            assert images  # the admin sees the public image too
            # a project the demo user is no member of
            assert api.get("/api/realms", headers={
                "X-Deltacloud-Provider": f"{KEYSTONE};project=admin"}).status_code == 401
    finally:
        api.delete(f"/api/keys/{name}")


def test_provider_errors_are_400(api: TestClient) -> None:
    bad = api.get("/api/realms", headers={"X-Deltacloud-Provider": "not-a-url"})
    assert bad.status_code == 400
    bad = api.get("/api/realms", headers={"X-Deltacloud-Provider": f"{KEYSTONE};colour=red"})
    assert bad.status_code == 400
    # matrix parameters choose the driver too
    root = xml(api.get("/api;driver=openstack/realms"))
    assert "nova" in ids(root, "realm")


def test_unreachable_keystone_is_502(api: TestClient) -> None:
    answer = api.get("/api/realms", headers={"X-Deltacloud-Provider": "http://127.0.0.1:9/v3"})
    assert answer.status_code == 502
    assert "cannot be reached" in answer.text


def test_volumes_and_snapshots_need_cinder(api: TestClient) -> None:
    """The test cloud has no Cinder: the collections exist and say so with a 501."""
    for path in ("/api/storage_volumes", "/api/storage_snapshots"):
        answer = api.get(path)
        assert answer.status_code == 501, answer.text
        assert "block storage" in xml(answer).findtext("message", "")


def test_instance_states_and_entry_point(api: TestClient) -> None:
    states = xml(api.get("/api/instance_states"))
    names = [s.get("name") for s in states.findall("state")]
    assert {"start", "pending", "running", "stopping", "stopped", "shutting_down",
            "finish"} <= set(names)
    entry = xml(api.get("/api"))
    rels = {link.get("rel") for link in entry.findall("link")}
    assert {"instances", "images", "realms", "hardware_profiles", "keys", "buckets",
            "addresses", "firewalls", "storage_volumes", "storage_snapshots"} <= rels
    assert DEMO_PROVIDER in entry.get("provider", "")


def test_create_with_a_password_sets_the_admin_password(api: TestClient, name: str) -> None:
    """authentication_password: Nova takes it as the server's adminPass."""
    image_id, hwp_id = tiny(api)
    created = api.post("/api/instances", data={"image_id": image_id, "hwp_id": hwp_id,
                                               "name": name, "password": "Pa55-word-of-mine"})
    assert created.status_code == 201, created.text
    instance = xml(created)
    path = f"/api/instances/{instance.get('id')}"
    try:
        auth = instance.find("authentication")
        assert auth is not None and auth.get("type") == "password"
        assert auth.findtext("login/password") == "Pa55-word-of-mine"
        # The password is shown once: Nova does not give it back, nor does this server.
        assert "Pa55-word-of-mine" not in api.get(path).text
    finally:
        wait_state(api, path, "RUNNING")
        assert api.delete(path).status_code == 204


def test_user_files_reach_nova_as_personality(api: TestClient, name: str) -> None:
    """user_files: pathN/contentN pairs. Nova's own limits on them (10240 bytes a file by
    default) prove that they reached it."""
    image_id, hwp_id = tiny(api)
    base = {"image_id": image_id, "hwp_id": hwp_id, "name": name}
    too_big = api.post("/api/instances", data={**base, "path1": "/etc/motd",
                                               "content1": "x" * 10241})
    assert too_big.status_code == 403, too_big.text  # Nova's quota on file content
    missing = api.post("/api/instances", data={**base, "path1": "/etc/motd"})
    assert missing.status_code == 400
    created = api.post("/api/instances", data={**base, "path1": "/etc/motd",
                                               "content1": "hello from deltacloud\n",
                                               "path2": "/root/.note", "content2": "two"})
    assert created.status_code == 201, created.text
    path = f"/api/instances/{xml(created).get('id')}"
    try:
        wait_state(api, path, "RUNNING")
    finally:
        assert api.delete(path).status_code == 204
