import base64
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from deltacloud.server.app import DeltacloudApp
from deltacloud.settings import Settings
from tests.conftest import AUTH
from tests.helpers import actions, ids, wait_for_state, xml


def test_index_lists_the_users_instances(api: TestClient) -> None:
    root = xml(api.get("/api/instances"))
    assert ids(root, "instance") == ["inst0", "inst1", "inst2", "inst3"]


def test_show(api: TestClient) -> None:
    inst = xml(api.get("/api/instances/inst0"))
    assert inst.findtext("name") == "Mock Instance With Profile Change"
    assert inst.findtext("owner_id") == "mockuser"
    assert inst.findtext("state") == "RUNNING"
    image, realm = inst.find("image"), inst.find("realm")
    assert image is not None and image.get("href") == "http://localhost:3001/api/images/img1"
    assert realm is not None and realm.get("id") == "us"
    override = inst.find("hardware_profile/property")
    assert override is not None
    assert (override.get("name"), override.get("value"), override.get("unit")) == (
        "memory", "12288", "MB")
    assert actions(inst) == ["reboot", "stop", "run", "create_image"]
    assert inst.findtext("public_addresses/address") == "img1.inst0.public.com"
    auth = inst.find("authentication")
    assert auth is not None and auth.get("type") == "key"


@pytest.mark.parametrize(("query", "expected"), [
    ("state=RUNNING", ["inst0", "inst1", "inst2", "inst3"]),
    ("state=STOPPED", []),
    ("realm_id=eu", ["inst3"]),
    ("id=inst2", ["inst2"]),
    ("image_id=img3", ["inst1", "inst3"]),
])
def test_filters(api: TestClient, query: str, expected: list[str]) -> None:
    assert ids(xml(api.get(f"/api/instances?{query}")), "instance") == expected


def test_create_minimal_is_running_with_its_actions(api: TestClient) -> None:
    """Deltacloud's mock answers RUNNING, and clients stop or destroy right away."""
    response = api.post("/api/instances", data={"image_id": "img1"})
    assert response.status_code == 201
    inst = xml(response)
    assert inst.get("id") == "inst4"
    assert response.headers["location"] == "http://localhost:3001/api/instances/inst4"
    assert inst.findtext("state") == "RUNNING"
    assert actions(inst)[:2] == ["reboot", "stop"]
    assert inst.findtext("launch_time")
    hwp = inst.find("hardware_profile")
    assert hwp is not None and hwp.get("id") == "m1-small"
    assert api.post("/api/instances/inst4/stop").status_code == 202
    assert api.delete("/api/instances/inst4").status_code == 204


def test_pending_phase_is_opt_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DELTACLOUD_MOCK_PENDING_SECONDS", "0.3")
    app = DeltacloudApp(Settings.from_environment(data_dir=tmp_path, driver="mock"))
    with TestClient(app, base_url="http://localhost:3001") as api:
        api.auth = AUTH
        api.headers["Accept"] = "application/xml"
        inst = xml(api.post("/api/instances", data={"image_id": "img1"}))
        assert inst.findtext("state") == "PENDING"
        assert actions(inst) == ["run", "create_image"]  # pending allows no state action
        assert api.post("/api/instances/inst4/stop").status_code == 405
        wait_for_state(api, "/api/instances/inst4", "RUNNING")
        assert actions(xml(api.get("/api/instances/inst4")))[:2] == ["reboot", "stop"]


@pytest.mark.parametrize("setting", ["soon", "-1", "nan"])
def test_pending_setting_must_be_seconds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         setting: str) -> None:
    monkeypatch.setenv("DELTACLOUD_MOCK_PENDING_SECONDS", setting)
    with pytest.raises(ValueError, match="DELTACLOUD_MOCK_PENDING_SECONDS"):
        DeltacloudApp(Settings.from_environment(data_dir=tmp_path, driver="mock"))


def test_create_with_everything(api: TestClient) -> None:
    user_data = base64.b64encode(b"#!/bin/sh\necho hi\n").decode()
    response = api.post("/api/instances", data={
        "image_id": "img3", "realm_id": "eu", "hwp_id": "m1-large", "hwp_cpu": "4",
        "hwp_memory": "8192", "hwp_storage": "1024", "name": "web-1", "keyname": "test-key",
        "user_data": user_data,
    })
    assert response.status_code == 201, response.text
    inst = xml(response)
    assert inst.findtext("name") == "web-1"
    realm = inst.find("realm")
    assert realm is not None and realm.get("id") == "eu"
    overrides = {p.get("name"): p.get("value") for p in inst.findall("hardware_profile/property")}
    assert overrides == {"cpu": "4", "memory": "8192", "storage": "1024"}
    assert inst.findtext("authentication/login/keyname") == "test-key"


def test_create_from_json_and_xml_bodies(api: TestClient) -> None:
    as_json = api.post("/api/instances?format=json",
                       json={"instance": {"image_id": "img2", "name": "from-json"}})
    assert as_json.status_code == 201
    assert as_json.json()["instance"]["name"] == "from-json"
    as_xml = api.post("/api/instances", content=b"<instance><image_id>img2</image_id>"
                      b"<name>from-xml</name></instance>",
                      headers={"Content-Type": "application/xml"})
    assert as_xml.status_code == 201
    assert xml(as_xml).findtext("name") == "from-xml"


def test_create_via_the_images_matrix_link(api: TestClient) -> None:
    link = xml(api.get("/api/images/img2")).find("actions/link[@rel='create_instance']")
    assert link is not None
    response = api.post(link.get("href", ""))
    assert response.status_code == 201
    image = xml(response).find("image")
    assert image is not None and image.get("id") == "img2"


@pytest.mark.parametrize("params", [
    {},
    {"image_id": "no-such-image"},
    {"image_id": "img1", "realm_id": "mars"},
    {"image_id": "img1", "hwp_id": "m9-huge"},
    {"image_id": "img1", "hwp_id": "m1-large", "hwp_cpu": "7"},
    {"image_id": "img1", "hwp_id": "m1-large", "hwp_memory": "100"},
    {"image_id": "img1", "hwp_id": "m1-large", "hwp_storage": "900"},
    {"image_id": "img1", "hwp_id": "m1-small", "hwp_cpu": "2"},
    {"image_id": "img1", "hwp_id": "opaque", "hwp_cpu": "2"},
    {"image_id": "img1", "hwp_cpu": "2"},
    {"image_id": "img1", "keyname": "no-such-key"},
    {"image_id": "img1", "user_data": "not base64!"},
])
def test_bad_create_is_400_and_creates_nothing(api: TestClient, params: dict) -> None:
    response = api.post("/api/instances", data=params)
    assert response.status_code == 400
    assert xml(response).findtext("message")
    assert len(xml(api.get("/api/instances")).findall("instance")) == 4


def test_fixed_property_accepts_its_own_value(api: TestClient) -> None:
    response = api.post("/api/instances",
                        data={"image_id": "img1", "hwp_id": "m1-small", "hwp_cpu": "1"})
    assert response.status_code == 201


def test_stop_start_reboot_destroy(api: TestClient) -> None:
    stopped = api.post("/api/instances/inst2/stop")
    assert stopped.status_code == 202
    assert xml(stopped).findtext("state") == "STOPPED"
    assert actions(xml(stopped))[:2] == ["start", "destroy"]
    assert api.post("/api/instances/inst2/reboot").status_code == 405
    assert api.post("/api/instances/inst2/stop").status_code == 405
    started = api.post("/api/instances/inst2/start")
    assert started.status_code == 202 and xml(started).findtext("state") == "RUNNING"
    assert api.post("/api/instances/inst2/reboot").status_code == 202
    # running instances cannot be destroyed in the mock's state machine
    refused = api.delete("/api/instances/inst2")
    assert refused.status_code == 405
    assert "RUNNING" in (xml(refused).findtext("message") or "")
    api.post("/api/instances/inst2/stop")
    assert api.delete("/api/instances/inst2").status_code == 204
    assert api.get("/api/instances/inst2").status_code == 404
    assert api.post("/api/instances/inst2/start").status_code == 404


def test_destroy_releases_attached_volumes(api: TestClient) -> None:
    api.post("/api/instances/inst1/stop")
    assert api.delete("/api/instances/inst1").status_code == 204
    assert xml(api.get("/api/storage_volumes/vol3")).findtext("state") == "AVAILABLE"


def test_ids_are_not_reused_after_destroy(api: TestClient) -> None:
    first = xml(api.post("/api/instances", data={"image_id": "img1"})).get("id")
    api.post(f"/api/instances/{first}/stop")
    api.delete(f"/api/instances/{first}")
    second = xml(api.post("/api/instances", data={"image_id": "img1"})).get("id")
    assert first != second


def test_run_a_command(api: TestClient) -> None:
    response = api.post("/api/instances/inst1/run", data={"cmd": "uname -a"})
    assert response.status_code == 200
    out = xml(response)
    assert out.findtext("command") == "uname -a"
    assert out.findtext("public_address") == "img1.inst1.public.com"
    assert api.post("/api/instances/inst1/run", data={}).status_code == 400


def test_json_shape(api: TestClient) -> None:
    body = api.get("/api/instances/inst1?format=json").json()["instance"]
    assert body["owner"] == "mockuser"
    assert body["image"] == {"href": "http://localhost:3001/api/images/img3", "id": "img3",
                             "rel": "image"}
    assert [a["rel"] for a in body["actions"]] == ["reboot", "stop", "run", "create_image"]
    assert body["authentication_type"] == "key"
    assert body["public_addresses"] == [{"address": "img1.inst1.public.com", "type": "hostname"}]
