"""The terremark driver through this server's HTTP API, against the replay of vCloud
Express 0.8 (cloud.py says what is recorded and what documented)."""

from __future__ import annotations

import logging
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from urllib.parse import quote

import pytest
from starlette.testclient import TestClient

from deltacloud.drivers.urls import EndpointPolicy
from tests.drivers.terremark.cloud import PASSWORD, USER, TerremarkCloud, recorded
from tests.helpers import actions, ids, reconfigure, xml
from tests.replay import Answer, ReplayServer, Route

OVF = "{http://schemas.dmtf.org/ovf/envelope/1}"
RASD = "{http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData}"


def test_importing_the_driver_does_not_import_libcloud() -> None:
    code = ("import sys, deltacloud.drivers.terremark.driver, "
            "deltacloud.drivers.terremark.client, deltacloud.drivers.terremark.mapping, "
            "deltacloud.drivers.terremark.errors; "
            "from deltacloud.drivers.registry import Registry; "
            "Registry.driver_class('terremark'); "
            "assert not [m for m in sys.modules if m.startswith(('libcloud', 'requests'))]")
    subprocess.run([sys.executable, "-c", code], check=True)


def _state(client: TestClient, vapp_id: str) -> tuple[str, list[str]]:
    root = xml(client.get(f"/api/instances/{vapp_id}"))
    return root.findtext("state") or "", actions(root)


# -- entry point, drivers, credentials -------------------------------------------------------


def test_entry_point_state_machine_and_providers(tmrk: TestClient) -> None:
    root = xml(tmrk.get("/api"))
    links = {link.get("rel"): link for link in root.findall("link")}
    assert set(links) == {"realms", "images", "instances", "hardware_profiles",
                          "instance_states", "drivers"}
    assert [f.get("name") for f in links["instances"].findall("feature")] == ["user_name"]
    states = xml(tmrk.get("/api/instance_states"))
    moves = {(s.get("name"), t.get("to"), t.get("action") or "auto")
             for s in states.findall("state") for t in s.findall("transition")}
    assert moves >= {("start", "pending", "create"), ("pending", "stopped", "auto"),
                     ("stopped", "running", "start"), ("running", "running", "reboot"),
                     ("running", "stopping", "stop"), ("stopping", "stopped", "auto"),
                     ("stopped", "finish", "destroy")}
    driver = xml(tmrk.get("/api/drivers/terremark"))
    assert driver.findtext("name") == "Terremark"
    entries = [e.text for e in driver.iter("entrypoint")]
    assert entries == ["https://services.vcloudexpress.terremark.com/api"]


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_wrong_password_is_401_and_never_echoed(tmrk: TestClient, fmt: str) -> None:
    response = tmrk.get(f"/api/realms?format={fmt}", auth=(USER, "wrong-pw"))
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Basic realm=")
    assert "wrong-pw" not in response.text


def test_missing_credentials_and_force_auth(tmrk: TestClient, cloud: TerremarkCloud) -> None:
    assert tmrk.get("/api/instances", auth=None).status_code == 401
    assert cloud.logins == 0
    assert tmrk.get("/api?force_auth=1").status_code == 200
    assert tmrk.get("/api?force_auth=1", auth=("nobody@example.com", "x")).status_code == 401
    assert cloud.logins == 2


def test_the_session_is_the_vcloud_token_cookie(tmrk: TestClient, cloud: TerremarkCloud) -> None:
    assert tmrk.get("/api/realms").status_code == 200
    after_login = [r for r in cloud.server.seen if not r.path.endswith("/login")]
    assert after_login and all(r.headers["cookie"] == f"vcloud-token={cloud.token}"
                               and "authorization" not in r.headers for r in after_login)


# -- realms, images, hardware profiles ---------------------------------------------------------


def test_realms_are_the_vdcs(tmrk: TestClient) -> None:
    root = xml(tmrk.get("/api/realms"))
    assert [(r.get("id"), r.findtext("name"), r.findtext("state"))
            for r in root.findall("realm")] == [("224", "Miami Environment 1", "AVAILABLE")]
    assert xml(tmrk.get("/api/realms/224")).findtext("name") == "Miami Environment 1"
    assert tmrk.get("/api/realms/225").status_code == 404


def test_images_are_the_catalog_templates(tmrk: TestClient) -> None:
    root = xml(tmrk.get("/api/images"))
    assert ids(root, "image") == ["5"]
    image = xml(tmrk.get("/api/images/5"))
    assert image.findtext("name") == "CentOS 5.3 (32-bit)"
    assert image.findtext("description") == "CentOS 5.3 (32-bit)"
    assert image.findtext("owner_id") == USER
    assert image.findtext("architecture") == "i386"
    assert ids(xml(tmrk.get("/api/images?owner_id=self")), "image") == ["5"]
    assert ids(xml(tmrk.get("/api/images?architecture=x86_64")), "image") == []
    assert tmrk.get("/api/images/6").status_code == 404


def test_the_hardware_profile_is_deltacloud_s(tmrk: TestClient, cloud: TerremarkCloud) -> None:
    root = xml(tmrk.get("/api/hardware_profiles", auth=None))
    assert ids(root, "hardware_profile") == ["default"]
    props = {p.get("name"): p for p in root.iter("property")}
    assert [e.get("value") for e in props["cpu"].iter("entry")] == ["1", "2", "4", "8"]
    assert [e.get("value") for e in props["memory"].iter("entry")] == [
        "512", "1024", "2048", "4096", "8192"]
    assert props["cpu"].get("kind") == "enum" and props["memory"].get("value") == "512"
    assert cloud.server.seen == []  # no cloud needed


# -- instances -----------------------------------------------------------------------------------


def test_instances_are_the_vapps(tmrk: TestClient) -> None:
    root = xml(tmrk.get("/api/instances"))
    assert ids(root, "instance") == ["14031"]
    vapp = xml(tmrk.get("/api/instances/14031"))
    assert vapp.findtext("name") == "testerpart2"
    assert vapp.findtext("state") == "RUNNING"
    assert actions(vapp) == ["reboot", "stop"]
    realm = vapp.find("realm")
    assert realm is not None and realm.get("id") == "224"
    assert vapp.findtext("owner_id") == USER
    props = {p.get("name"): p.get("value") for p in vapp.findall("hardware_profile/property")}
    assert props == {"cpu": "2", "memory": "512", "storage": "10"}
    assert [a.text for a in vapp.findall("private_addresses/address")] == ["10.112.78.69"]
    assert vapp.findall("public_addresses/address") == []
    assert ids(xml(tmrk.get("/api/instances?state=STOPPED")), "instance") == []
    assert ids(xml(tmrk.get("/api/instances?realm_id=224")), "instance") == ["14031"]


def test_unknown_instances_are_404(tmrk: TestClient, cloud: TerremarkCloud) -> None:
    assert tmrk.get("/api/instances/999").status_code == 404  # the cloud's documented 404
    asked = len(cloud.server.seen)
    assert tmrk.get("/api/instances/not-an-id").status_code == 404
    assert all("not-an-id" not in r.path for r in cloud.server.seen[asked:])
    assert tmrk.post("/api/instances/999/stop").status_code == 404


def test_life_cycle(fresh: TestClient, empty_cloud: TerremarkCloud) -> None:
    assert ids(xml(fresh.get("/api/instances")), "instance") == []
    response = fresh.post("/api/instances", data={
        "image_id": "5", "name": "web-1", "hwp_id": "default", "hwp_cpu": "2",
        "hwp_memory": "1024", "realm_id": "224"})
    assert response.status_code == 201, response.text
    created = xml(response)
    assert created.get("id") == "14031"
    assert response.headers["location"].endswith("/api/instances/14031")
    assert created.findtext("state") == "PENDING" and actions(created) == []
    # What went to the cloud: Libcloud's instantiation document, filled from the request.
    sent = empty_cloud.instantiated[0]
    assert sent.get("name") == "web-1"
    template = sent.find("{http://www.vmware.com/vcloud/v0.8}VAppTemplate")
    assert template is not None and template.get("href", "").endswith("/vAppTemplate/5")
    quantities = {i.findtext(f"{RASD}ResourceType"): i.findtext(f"{RASD}VirtualQuantity")
                  for i in sent.iter(f"{OVF}Item")}
    assert quantities == {"3": "2", "4": "1024"}
    network = next(sent.iter("{http://www.vmware.com/vcloud/v0.8}NetworkAssociation"))
    assert network.get("href", "").endswith("/network/725")
    assert empty_cloud.actions == ["deploy"]
    assert ids(xml(fresh.get("/api/instances")), "instance") == ["14031"]

    empty_cloud.settle()  # the deploy finishes: the vApp is off
    assert _state(fresh, "14031") == ("STOPPED", ["start", "destroy"])
    assert fresh.post("/api/instances/14031/stop").status_code == 405
    response = fresh.post("/api/instances/14031/start")
    assert response.status_code == 202
    assert xml(response).findtext("state") == "RUNNING"
    response = fresh.post("/api/instances/14031/reboot")
    assert response.status_code == 202 and xml(response).findtext("state") == "RUNNING"
    assert fresh.delete("/api/instances/14031").status_code == 405
    response = fresh.post("/api/instances/14031/stop")
    assert response.status_code == 202 and xml(response).findtext("state") == "STOPPED"
    assert fresh.delete("/api/instances/14031").status_code == 204
    assert empty_cloud.actions == ["deploy", "powerOn", "reset", "poweroff", "delete"]
    assert fresh.get("/api/instances/14031").status_code == 404
    assert ids(xml(fresh.get("/api/instances")), "instance") == []


def test_create_without_options_takes_the_defaults(fresh: TestClient,
                                                  empty_cloud: TerremarkCloud) -> None:
    response = fresh.post("/api/instances?format=json", data={"image_id": "5"})
    assert response.status_code == 201, response.text
    sent = empty_cloud.instantiated[0]
    assert sent.get("name", "").startswith("inst")
    quantities = [i.findtext(f"{RASD}VirtualQuantity") for i in sent.iter(f"{OVF}Item")]
    assert quantities == ["1", "512"]


@pytest.mark.parametrize("params", [
    {"image_id": "6"}, {"image_id": "5", "realm_id": "225"},
    {"image_id": "5", "name": "x" * 51}, {"image_id": "5", "name": "a<b"},
    {"image_id": "5", "hwp_id": "default", "hwp_cpu": "3"},
    {"image_id": "5", "hwp_id": "default", "hwp_memory": "768"},
    {"image_id": "5", "hwp_id": "default", "hwp_storage": "20"},
    {"image_id": "5", "hwp_id": "large"},
])
def test_create_refuses_bad_parameters(fresh: TestClient, empty_cloud: TerremarkCloud,
                                       params: dict[str, str]) -> None:
    response = fresh.post("/api/instances", data=params)
    assert response.status_code == 400, response.text
    assert empty_cloud.instantiated == [] and empty_cloud.actions == []


def test_an_action_the_cloud_refuses_is_405(tmrk: TestClient, cloud: TerremarkCloud) -> None:
    # Another client powers the vApp off between our look at it and our action.
    def elsewhere() -> None:
        cloud.vapps["14031"] = "2"

    cloud.before_action = elsewhere
    response = tmrk.post("/api/instances/14031/reboot?format=json")
    assert response.status_code == 405
    assert "refused to reset" in response.json()["message"]
    assert cloud.actions == []


# -- provider, endpoint policy, failures ---------------------------------------------------------


def test_provider_forms(tmrk: TestClient, cloud: TerremarkCloud) -> None:
    base = cloud.server.url
    for provider in (base, base + "/", base + "/api/"):
        response = tmrk.get("/api/realms", headers={"X-Deltacloud-Provider": provider})
        assert response.status_code == 200, provider
    matrix = tmrk.get(f"/api;driver=terremark;provider={quote(base + '/api', safe='')}/realms",
                      headers={"X-Deltacloud-Provider": ""})
    assert matrix.status_code == 200
    hostport = base.split("://", 1)[1]
    for bad in (f"http://{USER.replace('@', '%40')}:pw@{hostport}/api", "ftp://x/api",
                f"{base}/vcloud", f"{base}/api?x=1", "not a url"):
        response = tmrk.get("/api/realms", headers={"X-Deltacloud-Provider": bad})
        assert response.status_code == 400, bad


def test_endpoint_policy_is_checked_before_connecting(tmrk: TestClient,
                                                      cloud: TerremarkCloud) -> None:
    reconfigure(tmrk, endpoints=EndpointPolicy.parse("10.0.0.0/8"))
    assert tmrk.get("/api/instances").status_code == 403
    assert cloud.server.seen == []
    reconfigure(tmrk, endpoints=EndpointPolicy())
    response = tmrk.get("/api/realms", headers={
        "X-Deltacloud-Provider": "http://169.254.169.254/api"})
    assert response.status_code == 403
    reconfigure(tmrk, endpoints=EndpointPolicy.parse("127.0.0.1"))
    assert tmrk.get("/api/realms").status_code == 200


@pytest.mark.parametrize(("status", "body", "content_type"), [
    (200, b"<html>a login page</html>", "text/html"),
    (503, b"<html>down for maintenance</html>", "text/html"),
    (500, b"", "text/plain"),
])
def test_what_is_not_vcloud_is_502(tmrk: TestClient, status: int, body: bytes,
                                   content_type: str) -> None:
    other = ReplayServer()
    other.route("POST", "/api/v0.8/login")(lambda r, m: Answer.of(body, content_type, status))
    with other:
        response = tmrk.get("/api/realms", headers={"X-Deltacloud-Provider": other.url})
    assert response.status_code == 502, response.text


@pytest.mark.parametrize(("status", "expected"), [(503, 502), (500, 502), (401, 401),
                                                (403, 403), (504, 504)])
def test_the_cloud_s_statuses_after_login(tmrk: TestClient, cloud: TerremarkCloud,
                                          status: int, expected: int) -> None:
    """A session the cloud no longer takes (401), a service down (503), and so on."""
    cloud.server.routes.insert(0, Route("GET", re.compile(r"/api/v0\.8/org/240"),
                                        lambda r, m: Answer.of("busy", "text/plain", status)))
    response = tmrk.get("/api/realms?format=json")
    assert response.status_code == expected
    assert "busy" not in response.json()["message"]


def test_redirects_are_not_followed(tmrk: TestClient) -> None:
    elsewhere = ReplayServer()  # answers nothing: any request to it fails the test
    with elsewhere:
        redirecting = ReplayServer()
        redirecting.route("POST", "/api/v0.8/login")(lambda r, m: Answer(
            307, b"", {"Location": elsewhere.url + "/api/v0.8/login"}))
        with redirecting:
            response = tmrk.get("/api/realms",
                                headers={"X-Deltacloud-Provider": redirecting.url})
        assert response.status_code == 502
    assert elsewhere.seen == []


def test_hrefs_name_paths_on_the_endpoint_only(tmrk: TestClient, cloud: TerremarkCloud) -> None:
    """An org whose links name another host is followed on the endpoint, by path only."""
    org = recorded("org_240").replace(b"services.vcloudexpress.terremark.com",
                                      b"evil.example:8443")
    cloud.server.routes.insert(0, Route("GET", re.compile(r"/api/v0\.8/org/240"),
                                        lambda r, m: Answer.of(org, "application/xml")))
    assert ids(xml(tmrk.get("/api/realms")), "realm") == ["224"]


def test_credentials_never_reach_logs_or_error_bodies(
        tmrk: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        for fmt in ("xml", "json", "html"):
            response = tmrk.get(f"/api/realms?format={fmt}", auth=(USER, "another-secret"))
            assert response.status_code == 401 and "another-secret" not in response.text
        assert tmrk.get("/api/instances/999?format=json").status_code == 404
        assert tmrk.get("/api/realms").status_code == 200
    assert PASSWORD not in caplog.text and "another-secret" not in caplog.text


def test_the_documented_answers_are_vcloud_documents() -> None:
    """What was written from the documentation has the recorded documents' shape."""
    from tests.drivers.terremark.cloud import DOCUMENTED

    names = sorted(p.name for p in DOCUMENTED.iterdir())
    assert names and all(n.startswith("documented_") for n in names)
    for path in DOCUMENTED.iterdir():
        root = ET.fromstring(path.read_bytes())
        assert root.tag.startswith("{http://www.vmware.com/vcloud/v0.8}"), path.name
