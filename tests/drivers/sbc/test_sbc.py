"""The sbc driver through this server's HTTP API, against the replayed SmartCloud
Enterprise (sce_replay.py says what is recorded and what is written from documentation)."""

from __future__ import annotations

import base64
import logging
from urllib.parse import parse_qs

import pytest
from starlette.testclient import TestClient

from deltacloud.drivers.sbc.client import DEFAULT_ENDPOINT, REST_PATH
from deltacloud.drivers.urls import EndpointPolicy
from tests.drivers.sbc.sce_replay import (
    PASSWORD,
    RECORDED_CREATE,
    USER,
    Answer,
    SceReplay,
    recording,
)
from tests.helpers import actions, ids, reconfigure, xml
from tests.replay import ReplayServer

LOCATIONS = ["41", "61", "82", "101", "121", "141"]
LISTED = ["26557", "28193", "28194"]
CREATE = {"image_id": "11", "hwp_id": "LARGE", "name": "RationalInsight4",
          "keyname": "MyPublicKey"}


def _props(profile) -> dict[str, str]:
    return {p.get("name", ""): p.get("value", "") for p in profile.findall("property")}


# -- what the driver declares ----------------------------------------------------------


def test_entry_point_has_deltacloud_s_collections_and_no_features(sbc: TestClient) -> None:
    root = xml(sbc.get("/api"))
    assert root.get("driver") == "sbc"
    links = {link.get("rel"): link for link in root.findall("link")}
    assert set(links) == {"drivers", "realms", "images", "hardware_profiles", "instances",
                          "instance_states"}
    assert all(link.findall("feature") == [] for link in links.values())
    states = xml(sbc.get("/api/instance_states"))
    names = [s.get("name") for s in states.findall("state")]
    assert names[:3] == ["start", "pending", "running"]
    assert "stopped" in names and "finish" in names
    running = next(s for s in states.findall("state") if s.get("name") == "running")
    assert {t.get("action") for t in running.findall("transition")} == {"reboot", "destroy"}


def test_the_driver_lists_ibm_s_endpoint_as_its_provider(sbc: TestClient) -> None:
    root = xml(sbc.get("/api/drivers/sbc"))
    assert root.findtext("name") == "IBM SmartCloud Enterprise"
    assert [p.get("id") for p in root.findall("provider")] == [DEFAULT_ENDPOINT]
    assert DEFAULT_ENDPOINT == "https://www-147.ibm.com" + REST_PATH
    listed = xml(sbc.get("/api/drivers"))
    assert "sbc" in ids(listed, "driver")


def test_start_and_stop_are_not_offered(sbc: TestClient, cloud: SceReplay) -> None:
    for action in ("start", "stop"):
        response = sbc.post(f"/api/instances/26557/{action}")
        assert response.status_code == 405
    assert cloud.calls("PUT") == []


# -- realms, images, hardware profiles ---------------------------------------------------


def test_realms_are_the_recorded_locations(sbc: TestClient) -> None:
    root = xml(sbc.get("/api/realms"))
    assert ids(root, "realm") == LOCATIONS
    raleigh = root.find("realm")
    assert raleigh is not None
    assert raleigh.findtext("name") == "Raleigh, U.S.A"
    assert raleigh.findtext("state") == "AVAILABLE"
    assert xml(sbc.get("/api/realms/141")).findtext("name") == "Singapore, Singapore"
    assert sbc.get("/api/realms/1").status_code == 404


def test_images_are_the_recorded_offerings(sbc: TestClient) -> None:
    root = xml(sbc.get("/api/images"))
    assert len(root.findall("image")) == 21
    image = xml(sbc.get("/api/images/11"))
    assert image.findtext("name") == "Rational Insight"
    assert image.findtext("owner_id") == "SYSTEM"
    assert image.findtext("architecture") == "i386"
    assert image.findtext("state") == "AVAILABLE"
    assert image.findtext("creation_time") == "2009-04-25T04:00:00Z"
    assert [p.get("id") for p in image.findall("hardware_profiles/hardware_profile")] == [
        "LARGE"]
    mine = xml(sbc.get("/api/images", params={"owner_id": "danberg@us.ibm.com"}))
    assert ids(mine, "image") == ["10007509", "10008273"]
    assert sbc.get("/api/images/404").status_code == 404


def test_profiles_are_the_instance_types_the_images_list(sbc: TestClient) -> None:
    root = xml(sbc.get("/api/hardware_profiles"))
    assert ids(root, "hardware_profile") == ["SMALL", "MEDIUM", "LARGE"]
    # The early type names say nothing of sizes, and nothing is made up for them.
    assert _props(xml(sbc.get("/api/hardware_profiles/LARGE"))) == {}


def test_without_credentials_profiles_are_sce_s_documented_types(
        sbc: TestClient, cloud: SceReplay) -> None:
    root = xml(sbc.get("/api/hardware_profiles", auth=None))
    assert ids(root, "hardware_profile")[:2] == ["BRZ32.1-2048-60*175",
                                                 "BRZ64.2-4096-60*500*350"]
    assert len(root.findall("hardware_profile")) == 9
    copper = xml(sbc.get("/api/hardware_profiles/COP32.1-2048-60", auth=None))
    assert copper.findtext("name") == "Copper 32 bit"
    assert _props(copper) == {"cpu": "1", "memory": "2048", "storage": "60",
                              "architecture": "i386"}
    bronze = xml(sbc.get("/api/hardware_profiles/BRZ64.2-4096-60*500*350", auth=None))
    assert _props(bronze)["storage"] == "910" and _props(bronze)["architecture"] == "x86_64"
    wide = xml(sbc.get("/api/hardware_profiles", params={"architecture": "x86_64"}, auth=None))
    assert ids(wide, "hardware_profile") == [
        "BRZ64.2-4096-60*500*350", "COP64.2-4096-60", "SLV64.4-8192-60*500*500",
        "GLD64.8-16384-60*500*500", "PLT64.16-16384-60*500*500*500*500"]
    assert cloud.server.seen == []


# -- instances ---------------------------------------------------------------------------


def test_instances_are_the_recorded_ones(sbc: TestClient) -> None:
    root = xml(sbc.get("/api/instances"))
    assert ids(root, "instance") == LISTED
    insight = xml(sbc.get("/api/instances/26557"))
    assert insight.findtext("name") == "Insight Instance"
    assert insight.findtext("owner_id") == "woodser@us.ibm.com"
    assert insight.find("image").get("id") == "11"
    assert insight.find("realm").get("id") == "1"
    assert insight.find("hardware_profile").get("id") == "LARGE"
    assert insight.findtext("state") == "RUNNING"
    assert actions(insight) == ["reboot", "destroy"]
    assert insight.findtext("launch_time") == "2010-04-06T19:40:24Z"
    assert [a.text for a in insight.findall("public_addresses/address")] == [
        "129.33.196.128", "vm519.developer.ihost.com"]
    failed = xml(sbc.get("/api/instances/28193"))
    assert failed.findtext("state") == "ERROR" and actions(failed) == ["destroy"]
    running = xml(sbc.get("/api/instances", params={"state": "RUNNING"}))
    assert ids(running, "instance") == ["26557"]
    assert sbc.get("/api/instances/99999").status_code == 404


def test_lifecycle_create_list_reboot_destroy(sbc: TestClient, cloud: SceReplay) -> None:
    response = sbc.post("/api/instances", data=CREATE)
    assert response.status_code == 201, response.text
    created = xml(response)
    assert created.get("id") == "28558"
    assert response.headers["location"].endswith("/api/instances/28558")
    assert created.findtext("state") == "PENDING" and actions(created) == []
    sent = cloud.calls("POST")[0]
    assert {k: v[0] for k, v in sent.form().items()} == RECORDED_CREATE
    assert ids(xml(sbc.get("/api/instances")), "instance") == [*LISTED, "28558"]

    # Still New: nothing to reboot, and the cloud is not asked.
    assert sbc.post("/api/instances/28558/reboot").status_code == 405
    assert cloud.calls("PUT") == []

    cloud.set_status("28558", 5)  # SCE: Active
    assert actions(xml(sbc.get("/api/instances/28558"))) == ["reboot", "destroy"]
    rebooted = sbc.post("/api/instances/28558/reboot")
    assert rebooted.status_code == 202
    assert xml(rebooted).findtext("state") == "PENDING"  # SCE: Restarting
    assert parse_qs(cloud.calls("PUT")[0].body.decode()) == {"state": ["restart"]}
    assert cloud.calls("PUT")[0].path == REST_PATH + "/instances/28558"

    cloud.set_status("28558", 5)
    assert sbc.delete("/api/instances/28558").status_code == 204
    assert ids(xml(sbc.get("/api/instances")), "instance") == LISTED
    assert sbc.get("/api/instances/28558").status_code == 404


def test_deleting_leaves_the_recorded_listing(sbc: TestClient, cloud: SceReplay) -> None:
    assert sbc.delete("/api/instances/28193").status_code == 204
    assert cloud.listing() == recording("instances_deleted.xml")
    assert ids(xml(sbc.get("/api/instances")), "instance") == ["26557", "28194"]


def test_json_lists_and_creates(sbc: TestClient) -> None:
    response = sbc.post("/api/instances?format=json", data=CREATE)
    assert response.status_code == 201
    assert response.json()["instance"]["id"] == "28558"
    listed = sbc.get("/api/instances?format=json").json()
    assert [i["id"] for i in listed["instances"]] == [*LISTED, "28558"]


@pytest.mark.parametrize(("params", "why"), [
    ({"image_id": "404"}, "image_id"),
    ({"image_id": "11", "hwp_id": "SMALL"}, "hardware profile"),
    ({"image_id": "11", "hwp_id": "NOSUCH"}, "hwp_id"),
    ({"image_id": "11", "realm_id": "999"}, "realm_id"),
    ({"image_id": "11", "name": "x" * 129}, "name"),
])
def test_creates_the_cloud_would_refuse_are_400_before_it_is_asked(
        sbc: TestClient, cloud: SceReplay, params: dict[str, str], why: str) -> None:
    response = sbc.post("/api/instances?format=json", data=params)
    assert response.status_code == 400
    assert why in response.json()["message"]
    assert cloud.calls("POST") == []


def test_a_create_that_is_not_the_recorded_one_fails_the_replay(sbc_app, cloud) -> None:
    """The replay answers only what was recorded: a driver sending another create fails."""
    with TestClient(sbc_app) as client:
        response = client.post("/api/instances", data={**CREATE, "name": "other"},
                               auth=(USER, PASSWORD),
                               headers={"X-Deltacloud-Driver": "sbc",
                                        "X-Deltacloud-Provider": cloud.url})
    assert response.status_code == 501  # the replay answered 501: no recording
    assert len(cloud.server.unmatched) == 1
    cloud.server.unmatched.clear()


# -- faults ------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_wrong_password_is_401(sbc: TestClient, fmt: str) -> None:
    response = sbc.get(f"/api/instances?format={fmt}", auth=(USER, "wrong-pw"))
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Basic realm=")
    assert "wrong-pw" not in response.text


def test_missing_credentials_and_force_auth(sbc: TestClient) -> None:
    assert sbc.get("/api/realms", auth=None).status_code == 401
    assert sbc.get("/api?force_auth=1").status_code == 200
    assert sbc.get("/api?force_auth=1", auth=(USER, "nope")).status_code == 401


def test_credentials_go_to_sce_as_basic_auth_and_nowhere_else(
        sbc: TestClient, cloud: SceReplay, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        bodies = [sbc.get("/api/instances").text,
                  sbc.post("/api/instances", data=CREATE).text,
                  sbc.get("/api/realms?format=json", auth=(USER, "wrong-pw")).text]
        cloud.failing = 500
        bodies.append(sbc.get("/api/images?format=json").text)
    token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    assert cloud.server.seen[0].headers["authorization"] == f"Basic {token}"
    for secret in (PASSWORD, "wrong-pw", token):
        assert all(secret not in body for body in bodies)
        assert secret not in caplog.text


def test_a_refused_action_is_405(sbc: TestClient, cloud: SceReplay) -> None:
    cloud.refusing.add("26557")  # SCE answers 412: the instance's state does not allow it
    for response in (sbc.post("/api/instances/26557/reboot?format=json"),
                     sbc.delete("/api/instances/26557?format=json")):
        assert response.status_code == 405
        assert "refused" in response.json()["message"]
    assert len(cloud.calls("PUT")) == 1 and len(cloud.calls("DELETE")) == 1


def test_an_instance_gone_meanwhile_is_404(sbc: TestClient, cloud: SceReplay) -> None:
    cloud.forgotten.add("26557")  # deleted elsewhere between the listing and the action
    assert sbc.post("/api/instances/26557/reboot").status_code == 404
    assert sbc.delete("/api/instances/26557").status_code == 404


def test_a_failing_cloud_is_502_and_a_busy_one_is_asked_again(
        sbc: TestClient, cloud: SceReplay) -> None:
    cloud.busy = 1
    assert ids(xml(sbc.get("/api/realms")), "realm") == LOCATIONS
    assert len(cloud.calls("GET")) == 2
    cloud.failing = 500
    response = sbc.get("/api/realms?format=json")
    assert response.status_code == 502
    assert "IBM SmartCloud Enterprise failed" in response.json()["message"]


def test_what_is_not_sce_s_xml_is_502(sbc: TestClient) -> None:
    other = ReplayServer()
    other.route("GET", r".*/locations")(
        lambda request, match: Answer.of("<html>Sign in</html>", "text/html"))
    other.route("GET", r".*/offerings/image")(
        lambda request, match: Answer.of("<ns2:DescribeImages", "text/xml"))
    other.route("GET", r".*/instances")(lambda request, match: Answer.of(
        '<!DOCTYPE x [<!ENTITY a "aaaa">]><DescribeInstancesResponse/>', "text/xml"))
    with other:
        for path in ("/api/realms", "/api/images", "/api/instances"):
            response = sbc.get(path, headers={"X-Deltacloud-Provider": other.url + REST_PATH})
            assert response.status_code == 502, path


# -- providers and the endpoint policy -----------------------------------------------------


def test_provider_forms(sbc: TestClient, cloud: SceReplay) -> None:
    # Without a path, SCE's REST path is appended.
    for provider in (cloud.url, cloud.server.url, cloud.server.url + "/"):
        response = sbc.get("/api/realms", headers={"X-Deltacloud-Provider": provider})
        assert response.status_code == 200, provider
    hostport = cloud.server.url.split("://", 1)[1]
    matrix = sbc.get(f"/api;driver=sbc;provider=http:%2F%2F{hostport}/realms",
                     headers={"X-Deltacloud-Provider": ""})
    assert matrix.status_code == 200
    for bad in (f"http://someone:pw@{hostport}{REST_PATH}", "ftp://x/api", "www-147"):
        response = sbc.get("/api/realms", headers={"X-Deltacloud-Provider": bad})
        assert response.status_code == 400, bad


def test_endpoint_policy_is_checked_before_connecting(sbc: TestClient,
                                                      cloud: SceReplay) -> None:
    reconfigure(sbc, endpoints=EndpointPolicy.parse("10.0.0.0/8"))
    assert sbc.get("/api/instances").status_code == 403
    assert cloud.server.seen == []
    reconfigure(sbc, endpoints=EndpointPolicy())
    response = sbc.get("/api/realms", headers={
        "X-Deltacloud-Provider": "http://169.254.169.254" + REST_PATH})
    assert response.status_code == 403
    reconfigure(sbc, endpoints=EndpointPolicy.parse("127.0.0.1"))
    assert sbc.get("/api/realms").status_code == 200
