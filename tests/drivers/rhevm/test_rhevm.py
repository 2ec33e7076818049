"""The rhevm driver through this server's HTTP API, against the fake oVirt engine
(conftest.py, engine.py), and the fake's own faithfulness to the SDK."""

from __future__ import annotations

import base64
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

import pytest
from starlette.testclient import TestClient

from deltacloud.drivers.base import CallContext, Credentials, Driver
from deltacloud.drivers.urls import EndpointPolicy
from deltacloud.errors import Conflict
from deltacloud.settings import Settings
from tests.drivers.rhevm.conftest import GUEST_IP, PASSWORD, USER, Seed
from tests.drivers.rhevm.engine import BLANK, Running, round_trip
from tests.helpers import actions, ids, reconfigure, xml


def wait_state(rv: TestClient, id: str, state: str, seconds: float = 10) -> ET.Element:
    """Poll an instance until it is in `state` (the fake changes states a moment later)."""
    deadline = time.monotonic() + seconds
    while True:
        found = xml(rv.get(f"/api/instances/{id}"))
        if found.findtext("state") == state or time.monotonic() > deadline:
            assert found.findtext("state") == state
            return found
        time.sleep(0.05)


# -- the fake itself ------------------------------------------------------------------------


def test_the_round_trip_catches_what_the_sdk_would_lose() -> None:
    assert round_trip('<vm id="1"><name>a</name><status>up</status></vm>') is None
    assert round_trip('<vm id="1"><name>a</name><stauts>up</stauts></vm>') is not None
    assert round_trip('<vm id="1"><status>running</status></vm>') is not None  # no such enum
    assert round_trip('<vms><vm id="1"><memory>lots</memory></vm></vms>') is not None
    assert round_trip('<action><fault><detail>[x]</detail><reason>Operation Failed</reason>'
                      '</fault><status>failed</status></action>') is None


def test_the_fake_answers_the_sdk_and_refuses_as_an_engine(fake: Running, seed: Seed) -> None:
    """The real SDK against the fake: listing, an add, the engine's refusals with status."""
    import ovirtsdk4 as sdk
    import ovirtsdk4.types as types

    connection = sdk.Connection(url=fake.url, username=USER, password=PASSWORD,
                                ca_file=str(fake.ca_bundle), timeout=10)
    try:
        system = connection.system_service()
        assert {dc.name for dc in system.data_centers_service().list()} == {"Default", "Lab"}
        vms = system.vms_service()
        vm = vms.add(types.Vm(name="sdk-made", cluster=types.Cluster(id=seed.prod),
                              template=types.Template(id=seed.rhel)))
        assert vm.status == types.VmStatus.IMAGE_LOCKED
        service = vms.vm_service(vm.id)
        with pytest.raises(sdk.Error) as refused:
            service.start()  # still image_locked
        assert refused.value.code == 409
        with pytest.raises(sdk.Error) as refused:
            vms.vm_service(seed.web).start()  # up already
        assert refused.value.code == 409 and "VM is running" in str(refused.value)
        with pytest.raises(sdk.Error) as refused:
            vms.vm_service(seed.web).remove()  # not down
        assert refused.value.code == 409
        with pytest.raises(sdk.Error) as refused:
            vms.add(types.Vm(name="no-cluster", template=types.Template(id=seed.rhel)))
        assert refused.value.code == 400
        with pytest.raises(sdk.NotFoundError):
            vms.vm_service("6f1a2b3c-0000-4000-8000-000000000000").get()
        deadline = time.monotonic() + 10
        while service.get().status != types.VmStatus.DOWN:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        service.remove()
    finally:
        connection.close()
    headers = [h for m, p, h in fake.engine.requests if p.endswith("/api/vms")]
    assert headers and all(h.get("Version") == "4" for h in headers)
    assert all(h.get("Authorization", "").startswith("Bearer ") for h in headers)


# -- entry point, credentials, provider, TLS ------------------------------------------------


def test_importing_the_driver_does_not_import_the_sdk() -> None:
    code = ("import sys, deltacloud.drivers.rhevm.driver, deltacloud.drivers.rhevm.client, "
            "deltacloud.drivers.rhevm.mapping, deltacloud.drivers.rhevm.errors; "
            "from deltacloud.drivers.registry import Registry; "
            "Registry.driver_class('rhevm'); "
            "assert not [m for m in sys.modules if m.startswith(('ovirtsdk4', 'pycurl'))]")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_entry_point_and_instance_states(rv: TestClient) -> None:
    root = xml(rv.get("/api"))
    assert root.get("driver") == "rhevm"
    links = {link.get("rel"): link for link in root.findall("link")}
    assert set(links) == {"drivers", "realms", "images", "instances", "hardware_profiles",
                          "instance_states"}
    assert [f.get("name") for f in links["instances"].findall("feature")] == [
        "user_name", "user_data"]
    states = xml(rv.get("/api/instance_states"))
    names = {s.get("name") for s in states.findall("state")}
    assert {"start", "pending", "running", "stopping", "stopped", "paused", "error",
            "finish"} <= names


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_wrong_password_is_401_and_never_echoed(rv: TestClient, fmt: str) -> None:
    response = rv.get(f"/api/realms?format={fmt}", auth=(USER, "not-the-password"))
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Basic realm=")
    assert "not-the-password" not in response.text
    assert rv.get("/api/instances", auth=None).status_code == 401
    assert rv.get("/api?force_auth=1").status_code == 200
    assert rv.get("/api?force_auth=1", auth=("nobody@internal", "x")).status_code == 401


def test_tokens_are_revoked_after_each_request(rv: TestClient, fake: Running) -> None:
    before = fake.engine.revoked
    for path in ("/api/realms", "/api/images", "/api/instances", "/api/hardware_profiles"):
        assert rv.get(path).status_code == 200
    assert fake.engine.revoked == before + 4
    assert not fake.engine.tokens


def test_provider_forms(rv: TestClient, fake: Running, seed: Seed) -> None:
    # By matrix parameter, percent-encoded; the engine's root URL gets the API path.
    del rv.headers["X-Deltacloud-Provider"]
    assert rv.get("/api/realms").status_code == 400  # no provider: said clearly
    root = fake.url.removesuffix("/ovirt-engine/api")
    from urllib.parse import quote

    response = rv.get(f"/api;driver=rhevm;provider={quote(f'{root};{seed.lab}', safe='')}"
                      "/realms")
    assert response.status_code == 200
    assert [r.findtext("name") for r in xml(response).findall("realm")] == ["lab"]
    # Without a data centre: the whole engine.
    response = rv.get("/api/realms", headers={"X-Deltacloud-Provider": fake.url})
    assert {r.findtext("name") for r in xml(response).findall("realm")} == {
        "prod", "old", "lab"}
    # Malformed: a data centre that is no UUID, one the engine lacks, a bad URL.
    for bad in (f"{fake.url};not-a-uuid", f"{fake.url};{seed.lab};admin", "engine.example"):
        assert rv.get("/api/realms", headers={"X-Deltacloud-Provider": bad}).status_code == 400
    missing = f"{fake.url};6f1a2b3c-0000-4000-8000-000000000000"
    assert rv.get("/api/realms", headers={"X-Deltacloud-Provider": missing}).status_code == 400
    # ;user asks for the filtered API (a user who is not an administrator).
    assert rv.get("/api/realms", headers={
        "X-Deltacloud-Provider": f"{fake.url};{seed.default};user"}).status_code == 200
    last = [h for _, p, h in fake.engine.requests if "/ovirt-engine/api/" in p][-1]
    assert last.get("Filter") == "true"


def test_data_centres_as_providers(rv: TestClient, fake: Running, seed: Seed,
                                   tmp_path: object) -> None:
    """Without a data centre, the engine's data centres are the providers (`URL;UUID`)."""
    from deltacloud.drivers.rhevm.driver import RhevmDriver

    driver = RhevmDriver(rv.app.registry.settings)  # type: ignore[attr-defined]
    ctx = CallContext(fake.url, Credentials(USER, PASSWORD))
    found = {p.id: dict(p.entrypoints) for p in driver.account_providers(ctx)}
    assert found == {seed.default: {"Default": f"{fake.url};{seed.default}"},
                     seed.lab: {"Lab": f"{fake.url};{seed.lab}"}}
    if not hasattr(Driver, "account_providers"):
        pytest.skip("GET /api/drivers/rhevm does not ask drivers for providers with "
                    "credentials yet (the server change is described in the rhevm README)")
    del rv.headers["X-Deltacloud-Provider"]
    response = rv.get("/api/drivers/rhevm", headers={"X-Deltacloud-Provider": fake.url})
    providers = {p.get("id") for p in xml(response).findall("provider")}
    assert providers == {seed.default, seed.lab}


def test_endpoint_policy_is_checked_before_any_connection(rv: TestClient,
                                                          fake: Running) -> None:
    before = len(fake.engine.requests)
    reconfigure(rv, endpoints=EndpointPolicy.parse("engine.example.com"))
    response = rv.get("/api/realms?format=json")
    assert response.status_code == 403
    assert len(fake.engine.requests) == before  # nothing, not even the SSO, reached it
    reconfigure(rv, endpoints=EndpointPolicy.parse("127.0.0.1"))
    assert rv.get("/api/realms").status_code == 200


def test_tls_is_verified(rv: TestClient, fake: Running) -> None:
    reconfigure(rv, rhevm_ca_bundle=None)  # the system's CAs do not know the fake's
    response = rv.get("/api/realms?format=json")
    assert response.status_code == 502
    assert "certificate" in response.json()["message"]
    reconfigure(rv, rhevm_ca_bundle=str(fake.ca_bundle))
    # The right CA, but a name the certificate does not carry.
    localhost = fake.url.replace("127.0.0.1", "localhost")
    response = rv.get("/api/realms", headers={"X-Deltacloud-Provider": localhost})
    assert response.status_code == 502
    reconfigure(rv, rhevm_ca_bundle=None, rhevm_insecure=True)  # labs only
    assert rv.get("/api/realms").status_code == 200


def test_the_sdk_leg_verifies_tls_too(fake: Running, seed: Seed) -> None:
    """pycurl is given the same trust as the SSO exchange: a token obtained elsewhere does
    not get the API calls past a certificate the CA bundle does not vouch for."""
    import ovirtsdk4 as sdk

    connection = sdk.Connection(url=fake.url, token="x", ca_file=None, timeout=5)
    try:
        with pytest.raises(sdk.Error) as failed:
            connection.system_service().clusters_service().list()
        from deltacloud.drivers.rhevm.errors import translate

        error = translate(failed.value)
        assert error is not None and error.status == 502 and "certificate" in error.message
    finally:
        connection.close(logout=False)


def test_an_engine_that_is_down_is_502(rv: TestClient, fake: Running) -> None:
    """Unreachable and silent engines: tests/drivers/test_unreachable_clouds.py."""
    fake.engine.down = True
    try:
        response = rv.get("/api/realms?format=json")
    finally:
        fake.engine.down = False
    assert response.status_code == 502


# -- realms, images, hardware profiles --------------------------------------------------


def test_realms_are_the_data_centre_s_clusters(rv: TestClient, seed: Seed) -> None:
    realms = xml(rv.get("/api/realms"))
    assert {r.get("id"): r.findtext("name") for r in realms.findall("realm")} == {
        seed.prod: "prod", seed.old: "old"}
    assert all(r.findtext("state") == "AVAILABLE" for r in realms.findall("realm"))
    assert xml(rv.get(f"/api/realms/{seed.prod}")).findtext("name") == "prod"
    assert rv.get(f"/api/realms/{seed.lab_cluster}").status_code == 404  # another centre
    lab = xml(rv.get("/api/realms", headers={"X-Deltacloud-Provider": rv.headers[
        "X-Deltacloud-Provider"].replace(seed.default, seed.lab)}))
    assert [r.findtext("state") for r in lab.findall("realm")] == ["UNAVAILABLE"]


def test_images_are_templates(rv: TestClient, seed: Seed) -> None:
    images = xml(rv.get("/api/images"))
    assert set(ids(images, "image")) == {BLANK, seed.rhel}
    rhel = xml(rv.get(f"/api/images/{seed.rhel}"))
    assert rhel.findtext("name") == "rhel9"
    assert rhel.findtext("description") == "RHEL 9 with cloud-init"
    assert rhel.findtext("owner_id") == USER
    assert rhel.findtext("architecture") == "x86_64"
    assert rhel.findtext("state") == "AVAILABLE"
    assert rv.get("/api/images/6f1a2b3c-0000-4000-8000-000000000000").status_code == 404
    assert rv.get("/api/images/nope").status_code == 404


def test_hardware_profiles_come_from_templates(rv: TestClient, seed: Seed) -> None:
    hwp = xml(rv.get(f"/api/hardware_profiles/{seed.rhel}"))
    props = {p.get("name"): p for p in hwp.findall("property")}
    assert props["cpu"].get("kind") == "range" and props["cpu"].get("value") == "2"
    assert props["cpu"].find("range").get("last") == "710"  # cluster level 4.7
    assert props["memory"].get("value") == "2048"
    assert props["memory"].find("range").get("last") == str(16 * 1024 * 1024)
    assert props["architecture"].get("value") == "x86_64"
    blank = xml(rv.get(f"/api/hardware_profiles/{BLANK}"))  # the smallest limits: 4.4's
    cpu = next(p for p in blank.findall("property") if p.get("name") == "cpu")
    assert cpu.find("range").get("last") == "384"


# -- instances -------------------------------------------------------------------------------


def test_instances_are_the_data_centre_s_vms(rv: TestClient, seed: Seed) -> None:
    listed = xml(rv.get("/api/instances"))
    assert set(ids(listed, "instance")) >= {seed.web, seed.db}
    assert seed.lab_vm not in ids(listed, "instance")
    web = xml(rv.get(f"/api/instances/{seed.web}"))
    assert web.findtext("state") == "RUNNING"
    assert web.findtext("owner_id") == USER
    assert web.find("image").get("id") == seed.rhel
    assert web.find("realm").get("id") == seed.prod
    assert web.find("hardware_profile").get("id") == seed.rhel
    addresses = [(a.text, a.get("type")) for a in web.findall("public_addresses/address")]
    assert addresses[0] == (GUEST_IP, "ipv4") and addresses[1][1] == "mac"
    assert actions(web) == ["reboot", "stop"]
    db = xml(rv.get(f"/api/instances/{seed.db}"))
    assert db.findtext("state") == "STOPPED" and actions(db) == ["start", "destroy"]
    assert rv.get(f"/api/instances/{seed.lab_vm}").status_code == 404
    assert rv.get("/api/instances?state=RUNNING&format=json").json()["instances"][0][
        "id"] == seed.web
    assert rv.get("/api/instances/not-a-uuid").status_code == 404


def test_create_start_reboot_stop_destroy(rv: TestClient, fake: Running, seed: Seed) -> None:
    script = "#cloud-config\nruncmd:\n  - echo hi\n"
    response = rv.post("/api/instances", data={
        "image_id": seed.rhel, "name": "app-1", "hwp_id": seed.rhel, "hwp_cpu": "4",
        "hwp_memory": "4096", "user_data": base64.b64encode(script.encode()).decode()})
    assert response.status_code == 201, response.text
    made = xml(response)
    id = made.get("id", "")
    assert response.headers["location"].endswith(f"/api/instances/{id}")
    assert made.findtext("state") == "PENDING" and actions(made) == []  # image_locked
    vm = fake.engine.vms[id]
    assert (vm.name, vm.cluster, vm.sockets * vm.cores, vm.memory) == (
        "app-1", seed.prod, 4, 4096 * 1024 * 1024)
    assert vm.custom_script == script
    overrides = {p.get("name"): p.get("value")
                 for p in made.findall("hardware_profile/property")}
    assert overrides == {"cpu": "4", "memory": "4096"}

    wait_state(rv, id, "STOPPED")
    response = rv.post(f"/api/instances/{id}/start")
    assert response.status_code == 202
    assert xml(response).findtext("state") == "PENDING"
    running = wait_state(rv, id, "RUNNING")
    assert actions(running) == ["reboot", "stop"]
    assert rv.post(f"/api/instances/{id}/start").status_code == 405  # state says no
    assert rv.post(f"/api/instances/{id}/reboot").status_code == 202
    wait_state(rv, id, "RUNNING")
    response = rv.post(f"/api/instances/{id}/stop")  # a clean shutdown
    assert response.status_code == 202
    assert xml(response).findtext("state") == "STOPPING"
    wait_state(rv, id, "STOPPED")
    assert rv.delete(f"/api/instances/{id}").status_code == 204
    assert id not in fake.engine.vms
    assert rv.get(f"/api/instances/{id}").status_code == 404


def test_create_in_another_realm_and_defaults(rv: TestClient, fake: Running,
                                              seed: Seed) -> None:
    response = rv.post("/api/instances", data={"image_id": seed.rhel, "realm_id": seed.old})
    assert response.status_code == 201, response.text
    vm = fake.engine.vms[xml(response).get("id", "")]
    assert vm.cluster == seed.old and vm.name.startswith("inst-")
    assert (vm.sockets, vm.memory) == (2, 2048 * 1024 * 1024)  # the template's size
    # Over the old cluster's limit (4.4: 384 vCPUs), though within the profile's (710).
    response = rv.post("/api/instances?format=json", data={
        "image_id": seed.rhel, "realm_id": seed.old, "hwp_id": seed.rhel, "hwp_cpu": "500"})
    assert response.status_code == 400
    assert "realm" in response.json()["message"]


@pytest.mark.parametrize("params", [
    {"image_id": "6f1a2b3c-0000-4000-8000-000000000000"},
    {"realm_id": "6f1a2b3c-0000-4000-8000-000000000000"},
    {"name": "x" * 51},
    {"name": "bad name!"},
    {"hwp_id": "6f1a2b3c-0000-4000-8000-000000000000"},
    {"user_data": base64.b64encode(b"\xff\xfe").decode()},
])
def test_create_refuses_bad_parameters(rv: TestClient, seed: Seed,
                                       params: dict[str, str]) -> None:
    before = len(xml(rv.get("/api/instances")).findall("instance"))
    response = rv.post("/api/instances", data={"image_id": seed.rhel, **params})
    assert response.status_code == 400, response.text
    assert len(xml(rv.get("/api/instances")).findall("instance")) == before


def test_the_engine_s_refusals_keep_its_message(rv: TestClient, fake: Running,
                                                seed: Seed) -> None:
    made = xml(rv.post("/api/instances", data={"image_id": seed.rhel, "name": "guarded"}))
    id = made.get("id", "")
    wait_state(rv, id, "STOPPED")
    fake.engine.vms[id].delete_protected = True
    response = rv.delete(f"/api/instances/{id}?format=json")
    assert response.status_code == 409
    assert "Delete protection is enabled" in response.json()["message"]
    # A change between the server's look and the engine's answer: the engine's 409.
    driver = rv.app.registry.get("rhevm")  # type: ignore[attr-defined]
    ctx = CallContext(rv.headers["X-Deltacloud-Provider"], Credentials(USER, PASSWORD))
    with pytest.raises(Conflict) as refused:
        driver.stop_instance(ctx, id)  # it is down: the engine says so
    assert "not running" in refused.value.message
    fake.engine.vms[id].delete_protected = False
    assert rv.delete(f"/api/instances/{id}").status_code == 204
    # The same name twice: the engine refuses the add.
    response = rv.post("/api/instances?format=json", data={"image_id": seed.rhel,
                                                           "name": "web"})
    assert response.status_code == 409
    assert "Name is already used" in response.json()["message"]


def test_html_interface_lists_instances(rv: TestClient, seed: Seed) -> None:
    page = rv.get("/api/instances", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "web" in page.text
    form = rv.get("/api/instances/new", headers={"Accept": "text/html"})
    assert form.status_code == 200 and seed.rhel in form.text


def test_settings_defaults_are_the_documented_ones() -> None:
    settings = Settings()
    assert settings.rhevm_timeout == 30 and settings.rhevm_ca_bundle is None
    assert settings.rhevm_insecure is False
