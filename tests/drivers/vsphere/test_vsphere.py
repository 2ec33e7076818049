"""The vsphere driver through this server's HTTP API, against vcsim (see conftest.py)."""

from __future__ import annotations

import base64
import gzip
import socket
import ssl
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx2 as httpx
import pytest
from starlette.testclient import TestClient

from tests.drivers.vsphere import backend
from tests.drivers.vsphere.conftest import GUEST_IP, TEMPLATE, TOOLS_VM, direct, find_vm
from tests.helpers import actions, ids, reconfigure, xml
from tests.process import Server
from tests.requirements import require_module

UUID_CHARS = set("0123456789abcdef-")


def test_importing_the_driver_does_not_import_pyvmomi() -> None:
    code = ("import sys, deltacloud.drivers.vsphere.driver, deltacloud.drivers.vsphere.client, "
            "deltacloud.drivers.vsphere.mapping, deltacloud.drivers.vsphere.errors; "
            "from deltacloud.drivers.registry import Registry; "
            "Registry.driver_class('vsphere'); "
            "assert not [m for m in sys.modules if m.startswith(('pyVmomi', 'pyVim'))]")
    subprocess.run([sys.executable, "-c", code], check=True)


def _template_id(vs: TestClient) -> str:
    images = xml(vs.get("/api/images")).findall("image")
    return next(i.get("id", "") for i in images if i.findtext("name") == TEMPLATE)


def _instance_id(vs: TestClient, name: str) -> str:
    root = xml(vs.get("/api/instances"))
    return next(i.get("id", "") for i in root.findall("instance") if i.findtext("name") == name)


def _realms(vs: TestClient) -> dict[str, str]:
    return {r.findtext("name") or "": r.get("id", "")
            for r in xml(vs.get("/api/realms")).findall("realm")}


# -- entry point, credentials, provider, TLS -------------------------------------------


def test_entry_point_lists_the_collections_and_features(vs: TestClient) -> None:
    root = xml(vs.get("/api"))
    assert root.get("driver") == "vsphere"
    links = {link.get("rel"): link for link in root.findall("link")}
    assert {"realms", "images", "instances", "hardware_profiles", "instance_states",
            "storage_volumes"} <= set(links)
    features = {f.get("name") for f in links["instances"].findall("feature")}
    assert features == {"user_iso", "user_name", "user_data"}


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_wrong_password_is_401(vs: TestClient, fmt: str) -> None:
    response = vs.get(f"/api/realms?format={fmt}", auth=("vcuser", "wrong"))
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Basic realm=")
    assert "wrong" not in response.text
    if fmt == "json":
        assert response.json()["error"]["status"] == 401
    else:
        assert xml(response).get("status") == "401"


def test_missing_credentials_and_force_auth(vs: TestClient) -> None:
    assert vs.get("/api/instances", auth=None).status_code == 401
    assert vs.get("/api?force_auth=1").status_code == 200
    assert vs.get("/api?force_auth=1", auth=("nobody", "x")).status_code == 401


def test_provider_by_matrix_parameter(vs: TestClient, vcsim: backend.Vcsim) -> None:
    del vs.headers["X-Deltacloud-Provider"]
    assert vs.get("/api/realms").status_code == 400  # no provider: said clearly
    response = vs.get(f"/api;driver=vsphere;provider={vcsim.provider}/realms")
    assert response.status_code == 200
    assert len(xml(response).findall("realm")) == 2


def test_tls_is_verified_by_default(vs: TestClient,
                                    vcsim: backend.Vcsim) -> None:
    reconfigure(vs, vsphere_ca_bundle=None)
    response = vs.get("/api/realms?format=json")
    assert response.status_code == 502
    assert "certificate" in response.json()["message"]
    # With the CA bundle, but a name the certificate does not carry: still refused
    # (pyvmomi alone would skip the checks for localhost).
    reconfigure(vs, vsphere_ca_bundle=str(vcsim.ca_bundle))
    response = vs.get("/api/realms", headers={
        "X-Deltacloud-Provider": f"localhost:{vcsim.port}"})
    assert response.status_code == 502
    # Verification off, for labs: accepted.
    reconfigure(vs, vsphere_ca_bundle=None, vsphere_insecure=True)
    assert vs.get("/api/realms").status_code == 200


def test_unreachable_is_502_and_silent_is_504(vs: TestClient) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    response = vs.get("/api/realms", headers={"X-Deltacloud-Provider": f"127.0.0.1:{port}"})
    assert response.status_code == 502
    reconfigure(vs, vsphere_timeout=0.5)
    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        provider = f"127.0.0.1:{silent.getsockname()[1]}"
        response = vs.get("/api/realms?format=json", headers={"X-Deltacloud-Provider": provider})
    assert response.status_code == 504
    assert response.json()["error"]["status"] == 504


def test_sessions_are_logged_out_after_each_request(vs: TestClient,
                                                    vcsim: backend.Vcsim) -> None:
    for path in ("/api/realms", "/api/images", "/api/instances", "/api/storage_volumes"):
        assert vs.get(path).status_code == 200
    assert vs.get("/api/realms", auth=("vcuser", "wrong")).status_code == 401
    with direct(vcsim) as content:
        sessions = content.sessionManager.sessionList
        assert len(sessions) == 1  # this check's own session


# -- realms, hardware profiles, images -------------------------------------------------


def test_realms(vs: TestClient) -> None:
    realms = _realms(vs)
    assert set(realms) == {"DC0/DC0_C0", "DC0/DC0_H0"}
    realm = xml(vs.get(f"/api/realms/{realms['DC0/DC0_C0']}"))
    assert realm.findtext("name") == "DC0/DC0_C0"
    assert realm.findtext("state") == "AVAILABLE"
    listed = vs.get("/api/realms?format=json").json()["realms"]
    assert {r["name"] for r in listed} == set(realms)
    assert vs.get("/api/realms/domain-c999").status_code == 404


def test_hardware_profile_bounds(vs: TestClient) -> None:
    hwp = xml(vs.get("/api/hardware_profiles/default"))
    props = {p.get("name"): p for p in hwp.findall("property")}
    assert props["cpu"].get("kind") == "range"
    cpu_range = props["cpu"].find("range")
    assert cpu_range is not None
    assert (cpu_range.get("first"), cpu_range.get("last")) == ("1", "64")
    assert props["memory"].get("unit") == "MB"


def test_images_are_templates(vs: TestClient) -> None:
    root = xml(vs.get("/api/images"))
    assert [i.findtext("name") for i in root.findall("image")] == [TEMPLATE]
    image_id = _template_id(vs)
    assert set(image_id) <= UUID_CHARS
    image = xml(vs.get(f"/api/images/{image_id}"))
    assert image.findtext("owner_id") == "vcuser"
    assert image.findtext("state") == "AVAILABLE"
    as_json = vs.get(f"/api/images/{image_id}?format=json").json()["image"]
    assert as_json["name"] == TEMPLATE
    assert vs.get("/api/images/00000000-0000-0000-0000-000000000000").status_code == 404
    assert vs.get("/api/images/not-a-uuid").status_code == 404


# -- instances ---------------------------------------------------------------------------


def test_instances_list_the_vms(vs: TestClient) -> None:
    root = xml(vs.get("/api/instances"))
    names = {i.findtext("name"): i for i in root.findall("instance")}
    assert {"DC0_H0_VM0", "DC0_H0_VM1", "DC0_C0_RP0_VM0", "DC0_C0_RP0_VM1"} <= set(names)
    assert TEMPLATE not in names
    tools = names[TOOLS_VM]
    assert tools.findtext("state") == "RUNNING"
    assert tools.findtext("owner_id") == "vcuser"
    assert tools.findtext("launch_time")
    assert actions(tools) == ["reboot", "stop", "destroy"]
    addresses = tools.findall("public_addresses/address")
    assert (addresses[0].text, addresses[0].get("type")) == (GUEST_IP, "ipv4")
    realm = tools.find("realm")
    assert realm is not None and realm.get("id") == _realms(vs)["DC0/DC0_C0"]
    listed = vs.get("/api/instances?format=json").json()["instances"]
    assert {i["name"] for i in listed} >= set(names) - {None}
    one = next(i for i in listed if i["name"] == TOOLS_VM)
    assert one["public_addresses"][0] == {"address": GUEST_IP, "type": "ipv4"}
    assert vs.get("/api/instances/00000000-0000-0000-0000-000000000000").status_code == 404


def test_instances_filter_by_realm_and_state(vs: TestClient) -> None:
    host_realm = _realms(vs)["DC0/DC0_H0"]
    root = xml(vs.get(f"/api/instances?realm_id={host_realm}"))
    assert {i.findtext("name") for i in root.findall("instance")} >= {"DC0_H0_VM0",
                                                                       "DC0_H0_VM1"}
    assert all(i.find("realm").get("id") == host_realm  # type: ignore[union-attr]
               for i in root.findall("instance"))
    assert ids(xml(vs.get("/api/instances?state=PENDING")), "instance") == []


def test_create_clones_the_template_with_size_name_and_user_data(
        vs: TestClient, vcsim: backend.Vcsim) -> None:
    image_id, cluster = _template_id(vs), _realms(vs)["DC0/DC0_C0"]
    user_data = base64.b64encode(b"#cloud-config\nhostname: web-1\n").decode()
    response = vs.post("/api/instances", data={
        "image_id": image_id, "realm_id": cluster, "name": "web-1", "hwp_id": "default",
        "hwp_cpu": "2", "hwp_memory": "2048", "user_data": user_data})
    assert response.status_code == 201, response.text
    inst = xml(response)
    new_id = inst.get("id", "")
    assert response.headers["location"] == f"http://localhost:3001/api/instances/{new_id}"
    assert inst.findtext("name") == "web-1"
    assert inst.findtext("state") == "RUNNING"
    image, realm = inst.find("image"), inst.find("realm")
    assert image is not None and image.get("id") == image_id
    assert realm is not None and realm.get("id") == cluster
    overrides = {p.get("name"): p.get("value") for p in inst.findall("hardware_profile/property")}
    assert overrides == {"cpu": "2", "memory": "2048"}
    with direct(vcsim) as content:
        vm = find_vm(content, "web-1")
        extra = {o.key: o.value for o in vm.config.extraConfig}
        assert extra["guestinfo.userdata"] == user_data
        assert extra["guestinfo.userdata.encoding"] == "base64"
        assert vm.config.instanceUuid == new_id
    assert vs.delete(f"/api/instances/{new_id}").status_code == 204


def _iso_image() -> bytes:
    """The smallest thing a reader takes for ISO 9660: 16 empty sectors, then a volume
    descriptor's type byte and "CD001"."""
    return bytes(16 * 2048) + b"\x01CD001\x01" + bytes(2048 - 7) + b"payload" * 100


def _datastore_file(vcsim: backend.Vcsim, ds_path: str) -> httpx.Response:
    """GET a `[datastore] path` file over vcsim's /folder, as vSphere serves them."""
    ds, _, relative = ds_path.removeprefix("[").partition("] ")
    return httpx.get(f"https://{vcsim.provider}/folder/{relative}",
                     params={"dcPath": "DC0", "dsName": ds},
                     verify=ssl.create_default_context(cafile=str(vcsim.ca_bundle)),
                     timeout=10)


def test_create_with_user_iso_mounts_it_and_destroy_deletes_it(
        vs: TestClient, vcsim: backend.Vcsim) -> None:
    image = _iso_image()
    packed = base64.b64encode(gzip.compress(image)).decode()
    response = vs.post("/api/instances", data={"image_id": _template_id(vs), "name": "iso-1",
                                               "user_iso": packed})
    assert response.status_code == 201, response.text
    new_id = xml(response).get("id", "")
    assert xml(response).findtext("state") == "RUNNING"
    with direct(vcsim) as content:
        from pyVmomi import vim

        vm = find_vm(content, "iso-1")
        drive = next(d for d in vm.config.hardware.device
                     if isinstance(d, vim.vm.device.VirtualCdrom))
        iso_path = drive.backing.fileName
        assert iso_path.endswith(f"] deltacloud-iso/{new_id}.iso")
        assert drive.connectable.startConnected is True
        assert vm.runtime.powerState == "poweredOn"
    stored = _datastore_file(vcsim, iso_path)
    assert stored.status_code == 200 and stored.content == image
    assert vs.delete(f"/api/instances/{new_id}").status_code == 204
    assert _datastore_file(vcsim, iso_path).status_code == 404


@pytest.mark.parametrize("user_iso", [
    "not base64!",
    base64.b64encode(b"not gzip").decode(),
    base64.b64encode(gzip.compress(b"gzip, but no ISO" * 4000)).decode(),
])
def test_create_refuses_what_is_not_a_gzipped_iso(vs: TestClient, user_iso: str) -> None:
    before = ids(xml(vs.get("/api/instances")), "instance")
    response = vs.post("/api/instances", data={"image_id": _template_id(vs), "name": "iso-bad",
                                               "user_iso": user_iso})
    assert response.status_code == 400
    assert "user_iso" in xml(response).findtext("message", "")
    assert ids(xml(vs.get("/api/instances")), "instance") == before


def test_create_from_json_body_defaults_to_the_templates_realm(vs: TestClient) -> None:
    image_id = _template_id(vs)
    response = vs.post("/api/instances?format=json",
                       json={"instance": {"image_id": image_id, "name": "from-json"}})
    assert response.status_code == 201, response.text
    inst = response.json()["instance"]
    assert inst["name"] == "from-json"
    assert inst["state"] == "RUNNING"
    assert inst["realm"]["id"] == _realms(vs)["DC0/DC0_H0"]  # the template's host
    assert inst["hardware_profile"]["properties"] == {"memory": "32"}  # the template's size
    assert vs.delete(f"/api/instances/{inst['id']}").status_code == 204


@pytest.mark.parametrize(("extra", "word"), [
    ({"hwp_id": "default", "hwp_memory": "1001"}, "hwp_memory"),
    ({"hwp_id": "default", "hwp_cpu": "100"}, "hwp_cpu"),
    ({"realm_id": "domain-c999"}, "realm_id"),
    ({"user_data": "not base64!"}, "user_data"),
])
def test_create_refuses_bad_parameters(vs: TestClient, extra: dict[str, str],
                                       word: str) -> None:
    response = vs.post("/api/instances", data={"image_id": _template_id(vs), **extra})
    assert response.status_code == 400
    assert word in xml(response).findtext("message", "")


def test_create_with_unknown_image_is_400(vs: TestClient) -> None:
    response = vs.post("/api/instances?format=json",
                       data={"image_id": "00000000-0000-0000-0000-000000000000"})
    assert response.status_code == 400
    assert "image_id" in response.json()["message"]


def test_life_cycle_stop_start_reset_destroy(vs: TestClient) -> None:
    created = vs.post("/api/instances", data={"image_id": _template_id(vs), "name": "cycle"})
    assert created.status_code == 201
    inst_id = xml(created).get("id")
    path = f"/api/instances/{inst_id}"

    stopped = vs.post(f"{path}/stop")
    assert stopped.status_code == 202
    assert xml(stopped).findtext("state") == "STOPPED"
    assert actions(xml(stopped)) == ["start", "destroy"]
    refused = vs.post(f"{path}/stop?format=json")
    assert refused.status_code == 405
    assert "STOPPED" in refused.json()["message"]

    started = vs.post(f"{path}/start?format=json")
    assert started.status_code == 202
    assert started.json()["instance"]["state"] == "RUNNING"

    rebooted = vs.post(f"{path}/reboot")  # no VMware Tools in the guest: a reset
    assert rebooted.status_code == 202
    assert xml(rebooted).findtext("state") == "RUNNING"

    assert vs.delete(path).status_code == 204  # running: powered off first
    assert vs.get(path).status_code == 404
    assert vs.delete(path).status_code == 404


def test_reboot_is_a_guest_reboot_where_the_tools_run(vs: TestClient,
                                                      vcsim: backend.Vcsim) -> None:
    inst_id = _instance_id(vs, TOOLS_VM)
    before = xml(vs.get(f"/api/instances/{inst_id}")).findtext("launch_time")
    time.sleep(1.1)  # launch_time has one-second resolution
    response = vs.post(f"/api/instances/{inst_id}/reboot?format=json")
    assert response.status_code == 202
    assert response.json()["instance"]["state"] == "RUNNING"
    # A guest reboot keeps the VM powered on: its boot time stays (a reset would change it).
    assert xml(vs.get(f"/api/instances/{inst_id}")).findtext("launch_time") == before
    with direct(vcsim) as content:
        from pyVmomi import vim

        vm = find_vm(content, TOOLS_VM)
        spec = vim.event.EventFilterSpec(entity=vim.event.EventFilterSpec.ByEntity(
            entity=vm, recursion="self"), eventTypeId=["VmGuestRebootEvent"])
        assert content.eventManager.QueryEvents(spec)


def test_concurrent_stops_one_gets_the_power_state_fault(vs: TestClient) -> None:
    created = vs.post("/api/instances", data={"image_id": _template_id(vs), "name": "race"})
    inst_id = xml(created).get("id")
    statuses: list[int] = []
    messages: list[str] = []

    def stop() -> None:
        r = vs.post(f"/api/instances/{inst_id}/stop")
        statuses.append(r.status_code)
        if r.status_code != 202:
            messages.append(xml(r).findtext("message", ""))

    threads = [threading.Thread(target=stop) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses.count(202) == 1
    assert set(statuses) <= {202, 405}
    # Refused either by the state check or by vSphere's InvalidPowerState, clearly.
    assert all("STOPPED" in m or "poweredOff" in m for m in messages)
    assert vs.delete(f"/api/instances/{inst_id}").status_code == 204


def test_power_state_fault_maps_to_a_clear_405() -> None:
    require_module("pyVmomi", "pyvmomi (extra 'vsphere') is not installed")
    from pyVmomi import vim

    from deltacloud.drivers.vsphere.errors import translate

    error = translate(vim.fault.InvalidPowerState(existingState="poweredOff",
                                                  requestedState="poweredOn"))
    assert error is not None and error.status == 405
    assert "poweredOff" in error.message and "poweredOn" in error.message
    assert translate(vim.fault.InvalidLogin()).status == 401  # type: ignore[union-attr]
    from pyVmomi import vmodl

    assert translate(vmodl.fault.ManagedObjectNotFound()).status == 404  # type: ignore


# -- storage volumes ---------------------------------------------------------------------


def test_storage_volumes_are_the_vms_disks(vs: TestClient) -> None:
    inst_id = _instance_id(vs, TOOLS_VM)
    root = xml(vs.get("/api/storage_volumes"))
    mine = [v for v in root.findall("storage_volume") if v.get("id", "").startswith(inst_id)]
    assert len(mine) == 1
    volume = xml(vs.get(f"/api/storage_volumes/{mine[0].get('id')}"))
    assert volume.findtext("state") == "IN-USE"
    assert volume.findtext("capacity")
    as_json = vs.get(f"/api/storage_volumes/{mine[0].get('id')}?format=json").json()
    assert as_json["storage_volume"]["state"] == "IN-USE"
    assert vs.get(f"/api/storage_volumes/{inst_id}:1").status_code == 404
    refused = vs.post(f"/api/storage_volumes/{mine[0].get('id')}/detach")
    assert refused.status_code == 405  # not made through this API: read-only


def test_storage_volume_life_cycle(vs: TestClient, vcsim: backend.Vcsim) -> None:
    cluster = _realms(vs)["DC0/DC0_C0"]
    created = vs.post("/api/storage_volumes", data={"capacity": "2", "realm_id": cluster})
    assert created.status_code == 201, created.text
    vol = xml(created)
    vol_id = vol.get("id", "")
    assert created.headers["location"].endswith(f"/api/storage_volumes/{vol_id}")
    assert (vol.findtext("state"), vol.findtext("capacity")) == ("AVAILABLE", "2")
    listed = vs.get("/api/storage_volumes?format=json").json()["storage_volumes"]
    assert [v["state"] for v in listed if v["id"] == vol_id] == ["AVAILABLE"]

    inst = xml(vs.post("/api/instances", data={"image_id": _template_id(vs),
                                               "realm_id": cluster, "name": "with-disk"}))
    inst_id = inst.get("id", "")
    attached = vs.post(f"/api/storage_volumes/{vol_id}/attach",
                       data={"instance_id": inst_id, "device": "/dev/sdb"})
    assert attached.status_code == 202, attached.text
    assert xml(attached).findtext("state") == "IN-USE"
    shown = vs.get(f"/api/storage_volumes/{vol_id}?format=json").json()["storage_volume"]
    assert shown["instance"]["id"] == inst_id
    assert vs.delete(f"/api/storage_volumes/{vol_id}").status_code == 405  # attached
    again = vs.post(f"/api/storage_volumes/{vol_id}/attach",
                    data={"instance_id": inst_id, "device": "/dev/sdc"})
    assert again.status_code == 405

    detached = vs.post(f"/api/storage_volumes/{vol_id}/detach?format=json")
    assert detached.status_code == 202
    assert detached.json()["storage_volume"]["state"] == "AVAILABLE"

    # Destroying the instance keeps a volume that is attached to it.
    vs.post(f"/api/storage_volumes/{vol_id}/attach",
            data={"instance_id": inst_id, "device": "/dev/sdb"})
    assert vs.delete(f"/api/instances/{inst_id}").status_code == 204
    assert xml(vs.get(f"/api/storage_volumes/{vol_id}")).findtext("state") == "AVAILABLE"

    assert vs.delete(f"/api/storage_volumes/{vol_id}").status_code == 204
    assert vs.get(f"/api/storage_volumes/{vol_id}").status_code == 404
    assert vs.delete(f"/api/storage_volumes/{vol_id}").status_code == 404


def test_storage_volume_bad_parameters(vs: TestClient) -> None:
    assert vs.post("/api/storage_volumes", data={"realm_id": "domain-c999"}).status_code == 400
    assert vs.post("/api/storage_volumes", data={"capacity": "0"}).status_code == 400
    created = vs.post("/api/storage_volumes?format=json", json={"storage_volume": {}})
    assert created.status_code == 201, created.text
    vol_id = created.json()["storage_volume"]["id"]
    bad = vs.post(f"/api/storage_volumes/{vol_id}/attach",
                  data={"instance_id": "00000000-0000-0000-0000-000000000000",
                        "device": "/dev/sdb"})
    assert bad.status_code == 400
    assert vs.delete(f"/api/storage_volumes/{vol_id}").status_code == 204


# -- the real server process -------------------------------------------------------------


def test_deltacloudd_with_api_provider(vcsim: backend.Vcsim, tmp_path: Path) -> None:
    env = {"API_PROVIDER": vcsim.provider,
           "DELTACLOUD_VSPHERE_CA_BUNDLE": str(vcsim.ca_bundle)}
    with Server(tmp_path, "-i", "vsphere", env=env) as server:
        auth = (vcsim.user, vcsim.password)
        listed = httpx.get(f"{server.url}/instances", auth=auth,
                           headers={"Accept": "application/json"}, timeout=30)
        assert listed.status_code == 200
        assert listed.headers["x-deltacloud-driver"] == "vsphere"
        assert listed.headers["x-deltacloud-provider"] == vcsim.provider
        assert TOOLS_VM in {i["name"] for i in listed.json()["instances"]}
        realms = httpx.get(f"{server.url}/realms", auth=auth, timeout=30)
        assert realms.status_code == 200
        assert len(xml(realms).findall("realm")) == 2
        refused = httpx.get(f"{server.url}/realms", auth=(vcsim.user, "nope"), timeout=30)
        assert refused.status_code == 401


def test_html_pages(vs: TestClient) -> None:
    inst_id = _instance_id(vs, TOOLS_VM)
    listing = vs.get("/api/instances?format=html")
    assert listing.status_code == 200
    assert TOOLS_VM in listing.text
    page = vs.get(f"/api/instances/{inst_id}", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert GUEST_IP in page.text
