"""The rimuhosting driver through this server's HTTP API, against the replay of RimuHosting's
API (cloud.py: Libcloud's recorded bodies, and documented ones where nothing was recorded)."""

from __future__ import annotations

import json
import logging
import subprocess
import sys

import pytest
from starlette.testclient import TestClient

from deltacloud.drivers.rimuhosting.client import endpoint_of
from deltacloud.drivers.urls import EndpointPolicy
from deltacloud.errors import BadRequest
from tests.drivers.rimuhosting.cloud import KEY, RimuCloud
from tests.helpers import actions, ids, reconfigure, xml
from tests.replay import Answer, ReplayServer

RECORDED = "88833465"  # the order of Libcloud's recordings
CREATED = "52255865"  # the order its recorded new-vps answer makes


def test_importing_the_driver_does_not_import_libcloud() -> None:
    code = ("import sys, deltacloud.drivers.rimuhosting.driver; "
            "from deltacloud.drivers.registry import Registry; "
            "Registry.driver_class('rimuhosting'); "
            "assert not [m for m in sys.modules if m.startswith(('libcloud', 'requests'))]")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_endpoint_forms() -> None:
    assert endpoint_of(None).url == "https://rimuhosting.com/r"
    assert endpoint_of("").context == "/r"
    local = endpoint_of("http://127.0.0.1:8080/api/r/")
    assert (local.host, local.port, local.secure, local.context) == ("127.0.0.1", 8080, False,
                                                                     "/api/r")
    assert endpoint_of("rimu.example.com:8443").url == "https://rimu.example.com:8443/r"
    assert endpoint_of("[2001:db8::1]").host == "[2001:db8::1]"
    for bad in ("ftp://x/r", "https://key:x@rimu.example.com/r", "https://h/r?x=1", "a b",
                "http://h:443/r", "https://h:80/r"):
        with pytest.raises(BadRequest):
            endpoint_of(bad)


# -- entry point, drivers, credentials --------------------------------------------------


def test_drivers_list_and_entry_point(rimu: TestClient) -> None:
    driver = xml(rimu.get("/api/drivers/rimuhosting"))
    assert driver.findtext("name") == "RimuHosting"
    assert [p.get("id") for p in driver.findall("provider")] == ["https://rimuhosting.com/r"]
    root = xml(rimu.get("/api"))
    links = {link.get("rel"): link for link in root.findall("link")}
    assert set(links) == {"drivers", "realms", "images", "instances", "hardware_profiles",
                          "instance_states"}
    assert [f.get("name") for f in links["instances"].findall("feature")] == ["user_name"]
    states = xml(rimu.get("/api/instance_states"))
    assert {s.get("name") for s in states.findall("state")} == {
        "start", "pending", "running", "stopped", "finish"}


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_wrong_key_is_401_without_the_key(rimu: TestClient, fmt: str) -> None:
    response = rimu.get(f"/api/instances?format={fmt}", auth=("anyone", "wrong-key-42"))
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Basic realm=")
    assert "wrong-key-42" not in response.text


def test_force_auth_asks_for_the_orders(rimu: TestClient, cloud: RimuCloud) -> None:
    assert rimu.get("/api?force_auth=1").status_code == 200
    assert rimu.get("/api?force_auth=1", auth=("x", "not-the-key")).status_code == 401
    assert [r.path for r in cloud.server.seen] == ["/r/orders;include_inactive=N"] * 2
    assert rimu.get("/api/instances", auth=None).status_code == 401


# -- the catalogue ----------------------------------------------------------------------


def test_images_are_distributions(rimu: TestClient, cloud: RimuCloud) -> None:
    root = xml(rimu.get("/api/images"))
    # In the API's order, as Deltacloud 1.1 listed them.
    assert ids(root, "image") == ["lenny", "centos5", "ubuntu904", "ubuntu804", "ubuntu810",
                                  "fedora10"]
    lenny = xml(rimu.get("/api/images/lenny"))
    assert lenny.findtext("description") == (
        "Debian 5.0 (aka Lenny, RimuHosting recommended distro)")
    assert lenny.findtext("owner_id") == "root"
    assert rimu.get("/api/images/windows").status_code == 404
    # The API key goes with the catalogue calls when the client gave one.
    assert cloud.server.seen[0].headers["authorization"] == f"rimuhosting apikey={KEY}"


def test_the_catalogue_answers_without_a_key(rimu: TestClient, cloud: RimuCloud) -> None:
    response = rimu.get("/api/hardware_profiles", auth=None)
    assert response.status_code == 200
    assert ids(xml(response), "hardware_profile") == ["MiroVPSLowContention"]
    assert "authorization" not in cloud.server.seen[-1].headers


def test_hardware_profiles_are_vps_plans(rimu: TestClient) -> None:
    root = xml(rimu.get("/api/hardware_profiles/MiroVPSLowContention"))
    props = {p.get("name"): (p.get("kind"), p.get("value")) for p in root.findall("property")}
    assert props == {"memory": ("fixed", "950"), "storage": ("fixed", "20"),
                     "architecture": ("fixed", "x86")}
    assert rimu.get("/api/hardware_profiles/MIRO1B").status_code == 404


def test_realms_are_the_plans_data_centres(rimu: TestClient) -> None:
    root = xml(rimu.get("/api/realms"))
    assert [(r.get("id"), r.findtext("name"), r.findtext("state"))
            for r in root.findall("realm")] == [("DCDALLAS", "Dallas", "AVAILABLE")]
    assert rimu.get("/api/realms/DCLONDON").status_code == 404


# -- instances ------------------------------------------------------------------------


def test_orders_are_instances(rimu: TestClient) -> None:
    root = xml(rimu.get("/api/instances"))
    assert ids(root, "instance") == [RECORDED]
    one = xml(rimu.get(f"/api/instances/{RECORDED}"))
    assert one.findtext("name") == "api.ivan.net.nz"
    assert one.findtext("state") == "RUNNING"
    assert actions(one) == ["reboot", "stop", "destroy"]
    assert [a.text for a in one.findall("public_addresses/address")] == [
        "1.2.3.4", "1.2.3.5", "1.2.3.6"]
    props = {p.get("name"): p.get("value") for p in one.findall("hardware_profile/property")}
    assert props == {"memory": "160", "storage": "4"}
    for missing in ("999", "order-88833465", "x"):
        assert rimu.get(f"/api/instances/{missing}").status_code == 404
    assert ids(xml(rimu.get("/api/instances?state=STOPPED")), "instance") == []


def test_life_cycle_create_stop_start_reboot_destroy(rimu: TestClient,
                                                     cloud: RimuCloud) -> None:
    response = rimu.post("/api/instances", data={
        "image_id": "lenny", "hwp_id": "MiroVPSLowContention", "realm_id": "DCDALLAS",
        "name": "web1.example.com"})
    assert response.status_code == 201, response.text
    created = xml(response)
    assert created.get("id") == CREATED
    assert response.headers["location"].endswith(f"/api/instances/{CREATED}")
    assert created.findtext("name") == "web1.example.com"
    assert created.findtext("state") == "RUNNING"
    assert [a.text for a in created.findall("public_addresses/address")] == ["74.50.57.80"]
    image, realm = created.find("image"), created.find("realm")
    assert image is not None and image.get("id") == "lenny"
    assert realm is not None and realm.get("id") == "DCDALLAS"
    [sent] = cloud.new_vps_bodies
    assert sent["pricing_plan_code"] == "MiroVPSLowContention"
    assert sent["instantiation_options"]["distro"] == "lenny"
    assert sent["instantiation_options"]["domain_name"] == "web1.example.com"
    assert ids(xml(rimu.get("/api/instances")), "instance") == [RECORDED, CREATED]

    response = rimu.post(f"/api/instances/{CREATED}/stop")
    assert response.status_code == 202
    assert xml(response).findtext("state") == "STOPPED"
    stopped = xml(rimu.get(f"/api/instances/{CREATED}"))
    assert (stopped.findtext("state"), actions(stopped)) == ("STOPPED", ["start", "destroy"])
    assert rimu.post(f"/api/instances/{CREATED}/stop").status_code == 405
    assert rimu.post(f"/api/instances/{CREATED}/reboot").status_code == 405

    response = rimu.post(f"/api/instances/{CREATED}/start")
    assert response.status_code == 202 and xml(response).findtext("state") == "RUNNING"
    response = rimu.post(f"/api/instances/{CREATED}/reboot")
    assert response.status_code == 202 and xml(response).findtext("state") == "RUNNING"
    assert cloud.state_changes == [
        (CREATED, "running_state_change_request", "NOTRUNNING"),
        (CREATED, "running_state_change_request", "RUNNING"),
        (CREATED, "reboot_request", "RESTARTING")]  # Libcloud's own call

    assert rimu.delete(f"/api/instances/{CREATED}").status_code == 204
    assert rimu.get(f"/api/instances/{CREATED}").status_code == 404
    assert ids(xml(rimu.get("/api/instances")), "instance") == [RECORDED]
    deletes = [r for r in cloud.server.seen if r.method == "DELETE"]
    assert [r.path for r in deletes] == ["/r/orders/order-52255865-web1-example-com/vps"]


def test_the_recorded_order_reboots_and_is_destroyed(rimu: TestClient,
                                                     cloud: RimuCloud) -> None:
    assert rimu.post(f"/api/instances/{RECORDED}/reboot").status_code == 202
    assert rimu.delete(f"/api/instances/{RECORDED}").status_code == 204
    assert ids(xml(rimu.get("/api/instances")), "instance") == []
    puts = [r.path for r in cloud.server.seen if r.method == "PUT"]
    assert puts == ["/r/orders/order-88833465-api-ivan-net-nz/vps/running-state"]


def test_create_without_a_name_or_profile_picks_them(rimu: TestClient,
                                                     cloud: RimuCloud) -> None:
    response = rimu.post("/api/instances", data={"image_id": "centos5"})
    assert response.status_code == 201, response.text
    [sent] = cloud.new_vps_bodies
    assert sent["pricing_plan_code"] == "MiroVPSLowContention"
    assert sent["instantiation_options"]["domain_name"].endswith(".localdomain")
    assert xml(response).findtext("name") == sent["instantiation_options"]["domain_name"]


@pytest.mark.parametrize("params", [
    {"image_id": "windows"}, {"image_id": "lenny", "hwp_id": "MIRO1B"},
    {"image_id": "lenny", "realm_id": "DCLONDON"}, {"image_id": "lenny", "name": "not a host"},
    {"image_id": "lenny", "hwp_id": "MiroVPSLowContention", "hwp_memory": "2048"},
])
def test_create_refuses_bad_parameters(rimu: TestClient, cloud: RimuCloud,
                                       params: dict[str, str]) -> None:
    response = rimu.post("/api/instances", data=params)
    assert response.status_code == 400, response.text
    assert cloud.new_vps_bodies == []
    assert not [r for r in cloud.server.seen if r.method == "POST"]


# -- faults ---------------------------------------------------------------------------


def test_an_order_gone_meanwhile_is_404(rimu: TestClient, cloud: RimuCloud) -> None:
    cloud.vanish_before_change = True  # deleted by someone else before our change lands
    response = rimu.post(f"/api/instances/{RECORDED}/stop?format=json")
    assert response.status_code == 404
    assert response.json()["error"]["status"] == 404


def test_a_change_rimuhosting_refuses_is_405_with_its_words(rimu: TestClient,
                                                            cloud: RimuCloud) -> None:
    cloud.suspended.add(RECORDED)
    response = rimu.post(f"/api/instances/{RECORDED}/stop?format=json")
    assert response.status_code == 405
    assert response.json()["message"] == (
        "The server is suspended, so it cannot be started or stopped. Please contact support.")
    assert xml(rimu.get(f"/api/instances/{RECORDED}")).findtext("state") == "RUNNING"


def _serving(status: int, body: str, content_type: str = "text/html",
             **headers: str) -> ReplayServer:
    server = ReplayServer()
    server.route("GET", r".*")(lambda *_: Answer.of(body, content_type, status, **headers))
    return server


def test_what_is_not_rimuhosting_is_502(rimu: TestClient) -> None:
    for status, body in ((200, "<html>a login page</html>"), (500, "oops"),
                         (503, '{"x_response": {"response_type": "ERROR"}}')):
        with _serving(status, body) as other:
            response = rimu.get("/api/instances",
                                headers={"X-Deltacloud-Provider": f"{other.url}/r"})
            assert response.status_code == 502, (status, body)


def test_redirects_are_not_followed(rimu: TestClient) -> None:
    with _serving(200, "{}") as elsewhere, _serving(
            307, "", Location=f"{elsewhere.url}/r/orders;include_inactive=N") as redirecting:
        response = rimu.get("/api/instances",
                            headers={"X-Deltacloud-Provider": f"{redirecting.url}/r"})
        assert response.status_code == 502
        assert elsewhere.seen == []  # the API key went nowhere else


def test_the_key_never_reaches_error_bodies_or_logs(rimu: TestClient,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    echo = json.dumps({"get_orders_response": {
        "response_type": "ERROR", "status_code": 500,
        "error_info": {"error_class": "RuntimeException",
                       "human_readable_message": f"bad header rimuhosting apikey={KEY}"}}})
    with caplog.at_level(logging.DEBUG), _serving(500, echo, "application/json") as other:
        for fmt in ("xml", "json", "html"):
            response = rimu.get(f"/api/instances?format={fmt}",
                                headers={"X-Deltacloud-Provider": f"{other.url}/r"})
            assert response.status_code == 502
            assert KEY not in response.text
            assert "bad header" in response.text
        assert other.seen[0].headers["authorization"] == f"rimuhosting apikey={KEY}"
    assert KEY not in caplog.text


def test_endpoint_policy_is_checked_before_connecting(rimu: TestClient,
                                                      cloud: RimuCloud) -> None:
    reconfigure(rimu, endpoints=EndpointPolicy.parse("10.0.0.0/8"))
    assert rimu.get("/api/instances").status_code == 403
    assert rimu.get("/api/images", auth=None).status_code == 403
    assert cloud.server.seen == []
    reconfigure(rimu, endpoints=EndpointPolicy())
    response = rimu.get("/api/instances", headers={
        "X-Deltacloud-Provider": "http://169.254.169.254/r"})
    assert response.status_code == 403
    reconfigure(rimu, endpoints=EndpointPolicy.parse("127.0.0.1"))
    assert rimu.get("/api/instances").status_code == 200


def test_provider_forms(rimu: TestClient, cloud: RimuCloud) -> None:
    hostport = cloud.server.url.split("://", 1)[1]
    response = rimu.get(f"/api;driver=rimuhosting;provider=http%3A%2F%2F{hostport}%2Fr/realms",
                        headers={"X-Deltacloud-Provider": ""})
    assert response.status_code == 200
    # Credentials come from Basic auth only, never from a URL's user part.
    for bad in (f"http://someone:pw@{hostport}/r", "ftp://x/r", "a b"):
        response = rimu.get("/api/realms", headers={"X-Deltacloud-Provider": bad})
        assert response.status_code == 400, bad
    assert cloud.server.seen[0].path == "/r/pricing-plans;server-type=VPS"
    assert len(cloud.server.seen) == 1
