"""The opennebula driver through this server's HTTP API, against the fake oned
(conftest.py; fake_oned.py says what it is and xsd.py how it is proven)."""

from __future__ import annotations

import http.server
import logging
import subprocess
import sys
import threading
import xmlrpc.client
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx2 as httpx
import pytest
from starlette.testclient import TestClient

from deltacloud.drivers.opennebula import mapping
from deltacloud.drivers.urls import EndpointPolicy
from tests.drivers.opennebula.conftest import PASSWORD, USER
from tests.drivers.opennebula.fake_oned import FakeOned
from tests.helpers import actions, ids, reconfigure, xml
from tests.process import Server


def test_importing_the_driver_does_not_import_pyone() -> None:
    code = ("import sys, deltacloud.drivers.opennebula.driver, "
            "deltacloud.drivers.opennebula.client, deltacloud.drivers.opennebula.mapping, "
            "deltacloud.drivers.opennebula.errors; "
            "from deltacloud.drivers.registry import Registry; "
            "Registry.driver_class('opennebula'); "
            "assert not [m for m in sys.modules if m.startswith(('pyone', 'requests'))]")
    subprocess.run([sys.executable, "-c", code], check=True)


def _create(one: TestClient, **params: str) -> str:
    response = one.post("/api/instances", data={"image_id": "0", **params})
    assert response.status_code == 201, response.text
    return xml(response).get("id", "")


def _instance(one: TestClient, vm_id: str) -> tuple[str, list[str]]:
    root = xml(one.get(f"/api/instances/{vm_id}"))
    return root.findtext("state") or "", actions(root)


# -- entry point, credentials, endpoints ---------------------------------------------------


def test_entry_point_and_state_machine(one: TestClient) -> None:
    root = xml(one.get("/api"))
    assert root.get("driver") == "opennebula"
    links = {link.get("rel"): link for link in root.findall("link")}
    assert set(links) >= {"realms", "images", "instances", "hardware_profiles",
                          "instance_states"}
    assert "storage_volumes" not in links
    assert [f.get("name") for f in links["instances"].findall("feature")] == ["user_name"]
    states = xml(one.get("/api/instance_states"))
    names = [s.get("name") for s in states.findall("state")]
    assert {"pending", "running", "stopping", "stopped", "shutting_down", "error"} <= set(names)


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_wrong_password_is_401(one: TestClient, fmt: str) -> None:
    response = one.get(f"/api/instances?format={fmt}", auth=(USER, "wrong-pw"))
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Basic realm=")
    assert "wrong-pw" not in response.text
    if fmt == "json":
        assert response.json()["error"]["status"] == 401


def test_missing_credentials_and_force_auth(one: TestClient) -> None:
    assert one.get("/api/realms", auth=None).status_code == 401
    assert one.get("/api?force_auth=1").status_code == 200
    assert one.get("/api?force_auth=1", auth=("nobody", "x")).status_code == 401


def test_no_endpoint_is_400_then_one_xmlrpc_is_used(one: TestClient, endpoint: str) -> None:
    del one.headers["X-Deltacloud-Provider"]
    response = one.get("/api/realms?format=json")
    assert response.status_code == 400
    assert "ONE_XMLRPC" in response.json()["message"]
    reconfigure(one, opennebula_endpoint=endpoint)
    assert ids(xml(one.get("/api/realms")), "realm") == ["0", "100"]


def test_occi_url_names_the_host_and_port_with_a_notice_once(
        one: TestClient, endpoint: str, caplog: pytest.LogCaptureFixture) -> None:
    del one.headers["X-Deltacloud-Provider"]
    port = endpoint.rsplit(":", 1)[1].split("/")[0]
    reconfigure(one, occi_url=f"http://127.0.0.1:{port}/occi/compute")
    with caplog.at_level(logging.INFO):
        assert one.get("/api/realms").status_code == 200
        assert one.get("/api/images").status_code == 200
    notices = [r for r in caplog.records if "OCCI" in r.getMessage()]
    assert len(notices) == 1
    assert f"http://127.0.0.1:{port}/RPC2" in notices[0].getMessage()


def test_provider_forms(one: TestClient, endpoint: str) -> None:
    hostport = endpoint.split("://", 1)[1].split("/", 1)[0]
    for provider in (hostport, endpoint):
        response = one.get("/api/realms", headers={"X-Deltacloud-Provider": provider})
        assert response.status_code == 200, provider
    matrix = one.get(f"/api;driver=opennebula;provider={hostport}/realms",
                     headers={"X-Deltacloud-Provider": ""})
    assert matrix.status_code == 200
    # Credentials come from Basic auth only, never from a URL's user part.
    for bad in (f"http://someone:pw@{hostport}/RPC2", "ftp://x/RPC2", "a b"):
        response = one.get("/api/realms", headers={"X-Deltacloud-Provider": bad})
        assert response.status_code == 400, bad


def test_endpoint_policy_is_checked_before_connecting(one: TestClient, fake: FakeOned) -> None:
    reconfigure(one, endpoints=EndpointPolicy.parse("10.0.0.0/8"))
    response = one.get("/api/instances")
    assert response.status_code == 403
    assert fake.calls == []
    reconfigure(one, endpoints=EndpointPolicy())
    response = one.get("/api/realms", headers={
        "X-Deltacloud-Provider": "http://169.254.169.254:2633/RPC2"})
    assert response.status_code == 403
    reconfigure(one, endpoints=EndpointPolicy.parse("127.0.0.1"))
    assert one.get("/api/realms").status_code == 200


class _Answer(http.server.BaseHTTPRequestHandler):
    """Answers every POST with `status` and `body`, counting what it received."""

    status = 200
    body = b""
    headers_out: dict[str, str] = {}
    received: list[bytes] = []

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        type(self).received.append(self.rfile.read(length))
        self.send_response(self.status)
        for name, value in self.headers_out.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *_: object) -> None:
        pass


@contextmanager
def _answering(status: int, body: bytes, **headers: str) -> Iterator[tuple[str, list[bytes]]]:
    handler = type("Handler", (_Answer,), {"status": status, "body": body,
                                           "headers_out": headers, "received": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/RPC2", handler.received
    finally:
        server.shutdown()
        server.server_close()


def test_what_is_not_oned_is_502_and_redirects_are_not_followed(one: TestClient) -> None:
    with _answering(200, b"<html>a login page</html>") as (url, _):
        response = one.get("/api/realms", headers={"X-Deltacloud-Provider": url})
        assert response.status_code == 502
    with _answering(500, b"oops") as (url, _):
        assert one.get("/api/realms", headers={"X-Deltacloud-Provider": url}).status_code == 502
    with _answering(200, b"") as (elsewhere, received), _answering(
            307, b"", Location=elsewhere) as (url, _):
        response = one.get("/api/realms", headers={"X-Deltacloud-Provider": url})
        assert response.status_code == 502
        assert received == []  # the session string went nowhere else


def test_credentials_never_reach_logs_or_error_bodies(
        one: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    """Not even from an endpoint that echoes the session string back in its errors."""
    session = f"{USER}:{PASSWORD}"
    echo_failure = xmlrpc.client.dumps(
        ([False, f"[one.clusterpool.info] session {session} is broken", 0x2000, -1],),
        methodresponse=True).encode()
    echo_fault = xmlrpc.client.dumps(xmlrpc.client.Fault(1, f"bad call from {session}"),
                                     methodresponse=True).encode()
    echo_action = xmlrpc.client.dumps(
        ([False, f"Error performing action: wrong state for {PASSWORD}", 0x0800, 3],),
        methodresponse=True).encode()
    with caplog.at_level(logging.DEBUG):
        for body in (echo_failure, echo_fault):
            with _answering(200, body) as (url, received):
                for fmt in ("xml", "json", "html"):
                    response = one.get(f"/api/realms?format={fmt}",
                                       headers={"X-Deltacloud-Provider": url})
                    assert response.status_code == 502
                    assert PASSWORD not in response.text
                assert session.encode() in received[0]  # it was sent to the endpoint only
        with _answering(200, echo_action) as (url, _):
            response = one.get("/api/realms", headers={"X-Deltacloud-Provider": url})
            assert response.status_code == 405 and PASSWORD not in response.text
        assert one.get("/api/realms", auth=(USER, "another-secret")).status_code == 401
        assert one.get("/api/instances/999").status_code == 404
    assert PASSWORD not in caplog.text and "another-secret" not in caplog.text


# -- realms, images, hardware profiles ----------------------------------------------------


def test_realms_are_clusters(one: TestClient) -> None:
    realms = {r.get("id"): r for r in xml(one.get("/api/realms")).findall("realm")}
    assert {i: (r.findtext("name"), r.findtext("state")) for i, r in realms.items()} == {
        "0": ("default", "AVAILABLE"), "100": ("edge", "UNAVAILABLE")}
    assert xml(one.get("/api/realms/100")).findtext("name") == "edge"
    assert one.get("/api/realms/7").status_code == 404
    assert one.get("/api/realms?state=AVAILABLE&format=json").json()["realms"][0]["id"] == "0"


def test_images_are_templates(one: TestClient) -> None:
    root = xml(one.get("/api/images"))
    assert [(i.get("id"), i.findtext("name")) for i in root.findall("image")] == [
        ("0", "ubuntu"), ("1", "alpine-small")]
    image = xml(one.get("/api/images/0"))
    assert image.findtext("owner_id") == "oneadmin"
    assert image.findtext("description") == "Ubuntu 24.04 LTS"
    assert image.findtext("architecture") == "x86_64"
    assert image.findtext("state") == "AVAILABLE"
    assert [h.get("id") for h in image.findall("hardware_profiles/hardware_profile")] == ["0"]
    assert xml(one.get("/api/images/1")).findtext("architecture") == "aarch64"
    assert ids(xml(one.get("/api/images?architecture=aarch64")), "image") == ["1"]
    assert ids(xml(one.get("/api/images?owner_id=self")), "image") == []
    for missing in ("42", "not-a-number"):
        assert one.get(f"/api/images/{missing}").status_code == 404


def _properties(one: TestClient, hwp_id: str) -> dict[str, dict[str, object]]:
    root = xml(one.get(f"/api/hardware_profiles/{hwp_id}"))
    found: dict[str, dict[str, object]] = {}
    for prop in root.findall("property"):
        rng = prop.find("range")
        found[prop.get("name", "")] = {
            "kind": prop.get("kind"), "value": prop.get("value"),
            "range": (rng.get("first"), rng.get("last")) if rng is not None else None,
            "enum": [e.get("value") for e in prop.findall("enum/entry")]}
    return found


def test_hardware_profiles_come_from_templates(one: TestClient) -> None:
    root = xml(one.get("/api/hardware_profiles"))
    assert [(h.get("id"), h.findtext("name")) for h in root.findall("hardware_profile")] == [
        ("0", "ubuntu"), ("1", "alpine-small")]
    ubuntu = _properties(one, "0")
    assert ubuntu["cpu"]["kind"] == "range" and ubuntu["cpu"]["value"] == "2"
    assert ubuntu["cpu"]["range"] == ("1", "64")
    assert ubuntu["memory"]["value"] == "1024"
    assert ubuntu["memory"]["range"] == ("128", "262144")
    assert ubuntu["architecture"]["value"] == "x86_64"
    alpine = _properties(one, "1")  # its USER_INPUTS bound both
    assert alpine["memory"]["range"] == ("128", "2048")
    assert alpine["cpu"]["kind"] == "enum" and alpine["cpu"]["enum"] == ["1", "2", "4"]
    assert one.get("/api/hardware_profiles/9").status_code == 404


# -- instances ------------------------------------------------------------------------------


def test_create_with_name_size_and_realm(one: TestClient, fake: FakeOned) -> None:
    response = one.post("/api/instances", data={
        "image_id": "0", "name": "web-1", "hwp_id": "0", "hwp_cpu": "4",
        "hwp_memory": "2048", "realm_id": "0"})
    assert response.status_code == 201, response.text
    created = xml(response)
    vm_id = created.get("id", "")
    assert response.headers["location"].endswith(f"/api/instances/{vm_id}")
    assert created.findtext("name") == "web-1"
    assert created.findtext("state") == "PENDING"
    assert actions(created) == ["destroy"]
    assert created.findtext("owner_id") == USER
    vm = fake.vms[int(vm_id)]
    assert (vm.template["VCPU"], vm.template["CPU"], vm.template["MEMORY"]) == ("4", "1",
                                                                               "2048")
    assert vm.user_template["SCHED_REQUIREMENTS"] == "CLUSTER_ID = 0"
    fake.settle()
    root = xml(one.get(f"/api/instances/{vm_id}"))
    assert root.findtext("state") == "RUNNING"
    assert actions(root) == ["reboot", "stop", "destroy"]
    realm = root.find("realm")
    image = root.find("image")
    assert realm is not None and realm.get("id") == "0"
    assert image is not None and image.get("id") == "0"
    props = {p.get("name"): p.get("value") for p in root.findall("hardware_profile/property")}
    assert props == {"cpu": "4", "memory": "2048"}
    addresses = root.findall("public_addresses/address")
    assert [(a.text, a.get("type")) for a in addresses] == [(vm.template["NIC"]["IP"],
                                                             "ipv4")]
    assert root.findtext("launch_time")


def test_create_with_another_templates_profile_and_defaults(one: TestClient,
                                                            fake: FakeOned) -> None:
    vm_id = _create(one, hwp_id="1", hwp_cpu="2")
    vm = fake.vms[int(vm_id)]
    # alpine-small's MEMORY, its CPU share per VCPU (1 for 1), two VCPUs asked for.
    assert (vm.template["VCPU"], vm.template["CPU"], vm.template["MEMORY"]) == ("2", "2",
                                                                               "256")
    assert vm.name == f"ubuntu-{vm_id}"  # oned names what the client did not
    plain = fake.vms[int(_create(one))]
    assert (plain.template["VCPU"], plain.template["MEMORY"]) == ("2", "1024")


@pytest.mark.parametrize("params", [
    {"image_id": "42"}, {"image_id": "x"}, {"image_id": "0", "realm_id": "7"},
    {"image_id": "0", "hwp_id": "9"}, {"image_id": "0", "hwp_id": "1", "hwp_cpu": "3"},
    {"image_id": "0", "hwp_id": "0", "hwp_memory": "1"}, {"image_id": "0", "name": "a\"b"},
])
def test_create_refuses_bad_parameters(one: TestClient, fake: FakeOned,
                                       params: dict[str, str]) -> None:
    response = one.post("/api/instances", data=params)
    assert response.status_code == 400, response.text
    assert "one.template.instantiate" not in fake.calls


def test_life_cycle_stop_start_reboot_destroy(one: TestClient, fake: FakeOned) -> None:
    vm_id = _create(one)
    fake.settle()
    response = one.post(f"/api/instances/{vm_id}/stop")
    assert response.status_code == 202
    assert xml(response).findtext("state") == "STOPPING"
    assert fake.vm_state(int(vm_id)) == ("ACTIVE", "SHUTDOWN_POWEROFF")
    assert _instance(one, vm_id) == ("STOPPING", [])
    fake.settle()
    assert _instance(one, vm_id) == ("STOPPED", ["start", "destroy"])
    assert fake.vm_state(int(vm_id)) == ("POWEROFF", "LCM_INIT")
    assert one.post(f"/api/instances/{vm_id}/stop").status_code == 405
    response = one.post(f"/api/instances/{vm_id}/start")
    assert response.status_code == 202
    assert xml(response).findtext("state") == "PENDING"  # BOOT_POWEROFF
    fake.settle()
    response = one.post(f"/api/instances/{vm_id}/reboot")
    assert response.status_code == 202
    assert xml(response).findtext("state") == "RUNNING"
    assert one.delete(f"/api/instances/{vm_id}").status_code == 204
    assert _instance(one, vm_id)[0] == "SHUTTING_DOWN"
    fake.settle()
    assert fake.vm_state(int(vm_id)) == ("DONE", "LCM_INIT")
    assert one.get(f"/api/instances/{vm_id}").status_code == 404
    assert vm_id not in ids(xml(one.get("/api/instances")), "instance")


def test_destroy_while_pending_is_done_at_once(one: TestClient, fake: FakeOned) -> None:
    vm_id = _create(one)
    assert one.delete(f"/api/instances/{vm_id}").status_code == 204
    assert fake.vm_state(int(vm_id))[0] == "DONE"


def test_oned_refusals_are_405_with_its_message(one: TestClient, fake: FakeOned) -> None:
    vm_id = _create(one)
    fake.clock.advance(1)  # type: ignore[attr-defined]  # now in PROLOG: pending to us
    response = one.delete(f"/api/instances/{vm_id}?format=json")
    assert response.status_code == 405
    assert response.json()["message"] == (
        f'[one.vm.action] Error performing action "terminate": Could not terminate VM '
        f"{vm_id}, wrong state PROLOG.")
    fake.settle()
    # Another client powers the VM off between our look at it and our action.
    fake.before("one.vm.action", lambda: fake._action(
        "one.vm.action", "poweroff", fake.vms[int(vm_id)]))
    response = one.post(f"/api/instances/{vm_id}/reboot?format=json")
    assert response.status_code == 405
    assert response.json()["message"] == (
        '[one.vm.action] Error performing action "reboot": This action is not available '
        "for state SHUTDOWN_POWEROFF")


def test_other_users_vms_are_hidden_or_forbidden(one: TestClient, fake: FakeOned) -> None:
    bobs = one.post("/api/instances", data={"image_id": "1"}, auth=("bob", "bob-pw"))
    assert bobs.status_code == 201
    bob_vm = xml(bobs).get("id", "")
    mine = _create(one)
    assert ids(xml(one.get("/api/instances")), "instance") == [mine]
    assert one.get(f"/api/instances/{bob_vm}").status_code == 403
    admin = xml(one.get("/api/instances", auth=("oneadmin", "one-secret")))
    assert set(ids(admin, "instance")) == {bob_vm, mine}


def test_listing_filters_and_formats(one: TestClient, fake: FakeOned) -> None:
    fake.add_running_vms(3)
    pending = _create(one)
    listed = one.get("/api/instances?format=json").json()["instances"]
    assert len(listed) == 4
    running = xml(one.get("/api/instances?state=RUNNING"))
    assert len(running.findall("instance")) == 3
    assert ids(xml(one.get("/api/instances?state=PENDING")), "instance") == [pending]
    assert len(xml(one.get("/api/instances?realm_id=0")).findall("instance")) == 3
    assert ids(xml(one.get(f"/api/instances?id={pending}")), "instance") == [pending]
    assert one.get("/api/instances?format=html").status_code == 200
    assert one.get("/api/instances/new?format=html").status_code == 200
    assert fake.calls.count("one.vmpool.infoextended") >= 4


@pytest.mark.parametrize(("state", "lcm", "expected"), [
    (1, 0, "PENDING"), (2, 0, "PENDING"), (3, 1, "PENDING"), (3, 2, "PENDING"),
    (3, 3, "RUNNING"), (3, 16, "RUNNING"), (3, 17, "RUNNING"), (3, 18, "STOPPING"),
    (3, 29, "STOPPING"), (3, 12, "SHUTTING_DOWN"), (3, 11, "SHUTTING_DOWN"),
    (3, 36, "ERROR"), (3, 51, "STOPPED"), (3, 20, "PENDING"), (4, 0, "STOPPED"),
    (5, 0, "STOPPED"), (8, 0, "STOPPED"), (9, 0, "STOPPED"), (7, 0, "ERROR"),
    (11, 0, "ERROR"), (6, 0, None),
])
def test_states_from_the_state_and_lcm_state(state: int, lcm: int,
                                             expected: str | None) -> None:
    assert mapping.instance_state(state, lcm) == expected


def test_deltacloudd_with_one_xmlrpc(endpoint: str, tmp_path: Path) -> None:
    env = {"ONE_XMLRPC": endpoint, "API_PROVIDER": ""}
    with Server(tmp_path, "-i", "opennebula", "-w", "1", env=env) as server:
        response = httpx.get(f"{server.url}/realms", auth=(USER, PASSWORD),
                             headers={"Accept": "application/xml"}, timeout=10)
        assert response.status_code == 200, response.text
        assert PASSWORD not in server.output()
