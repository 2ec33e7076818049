"""Storage volumes and snapshots."""

import pytest
from starlette.testclient import TestClient

from tests.helpers import ids, xml


def test_volumes_index_and_show(api: TestClient) -> None:
    assert ids(xml(api.get("/api/storage_volumes")), "storage_volume") == ["vol1", "vol2", "vol3"]
    vol3 = xml(api.get("/api/storage_volumes/vol3"))
    assert vol3.findtext("state") == "IN-USE"
    capacity = vol3.find("capacity")
    assert capacity is not None and capacity.get("unit") == "GB" and capacity.text == "1"
    mount = vol3.find("mount/instance")
    assert mount is not None and mount.get("id") == "inst1"
    assert ids(xml(api.get("/api/storage_volumes?state=AVAILABLE")), "storage_volume") == [
        "vol1", "vol2"]


def test_volume_life_cycle(api: TestClient) -> None:
    response = api.post("/api/storage_volumes",
                        data={"capacity": "10", "realm_id": "eu", "name": "data"})
    assert response.status_code == 201
    vol = xml(response)
    vol_id = vol.get("id", "")
    assert response.headers["location"].endswith(f"/api/storage_volumes/{vol_id}")
    assert (vol.findtext("capacity"), vol.findtext("realm_id"), vol.findtext("name")) == (
        "10", "eu", "data")
    attached = api.post(f"/api/storage_volumes/{vol_id}/attach",
                        data={"instance_id": "inst2", "device": "/dev/sdf"})
    assert attached.status_code == 202
    assert xml(attached).findtext("state") == "IN-USE"
    inst = xml(api.get("/api/instances/inst2"))
    assert [(v.get("id"), v.get("device")) for v in inst.findall("storage_volumes/*")] == [
        (vol_id, "/dev/sdf")]
    # attached volumes cannot be attached again or deleted
    assert api.post(f"/api/storage_volumes/{vol_id}/attach",
                    data={"instance_id": "inst0", "device": "/dev/sdg"}).status_code == 405
    assert api.delete(f"/api/storage_volumes/{vol_id}").status_code == 405
    detached = api.post(f"/api/storage_volumes/{vol_id}/detach")
    assert detached.status_code == 202
    assert xml(detached).findtext("state") == "AVAILABLE"
    assert xml(api.get("/api/instances/inst2")).findall("storage_volumes/*") == []
    assert api.post(f"/api/storage_volumes/{vol_id}/detach").status_code == 405
    assert api.delete(f"/api/storage_volumes/{vol_id}").status_code == 204
    assert api.get(f"/api/storage_volumes/{vol_id}").status_code == 404


def test_volume_refusals_change_nothing(api: TestClient) -> None:
    before = api.get("/api/storage_volumes").text
    assert api.post("/api/storage_volumes", data={"capacity": "ten"}).status_code == 400
    assert api.post("/api/storage_volumes", data={"realm_id": "mars"}).status_code == 400
    assert api.post("/api/storage_volumes", data={"capacity": "0"}).status_code == 400
    assert api.post("/api/storage_volumes/vol1/attach",
                    data={"instance_id": "nope", "device": "/dev/sdf"}).status_code == 400
    assert api.post("/api/storage_volumes/vol1/attach",
                    data={"device": "/dev/sdf"}).status_code == 400
    assert api.post("/api/storage_volumes/nope/detach").status_code == 404
    assert api.get("/api/storage_volumes").text == before


@pytest.mark.parametrize("device", [None, ""])
def test_attach_without_a_device_picks_one(api: TestClient, device: str | None) -> None:
    """The Ruby client sends `device=` when none is wanted."""
    data = {"instance_id": "inst1"} if device is None else {"instance_id": "inst1",
                                                            "device": device}
    response = api.post("/api/storage_volumes/vol1/attach", data=data)
    assert response.status_code == 202
    assert xml(response).findtext("state") == "IN-USE"
    volume = xml(api.get("/api/storage_volumes/vol1"))
    mount = volume.find("mount")
    assert mount is not None
    used = mount.find("device")
    assert used is not None and used.get("name", "").startswith("/dev/sd")
    second = api.post("/api/storage_volumes/vol2/attach", data=data)
    assert second.status_code == 202
    other = xml(api.get("/api/storage_volumes/vol2")).find("mount/device")
    assert other is not None and other.get("name") != used.get("name")


def test_snapshots(api: TestClient) -> None:
    root = xml(api.get("/api/storage_snapshots"))
    assert ids(root, "storage_snapshot") == ["snap1", "snap2", "snap3"]
    snap = xml(api.get("/api/storage_snapshots/snap2"))
    volume = snap.find("storage_volume")
    assert volume is not None and volume.get("id") == "vol2"
    response = api.post("/api/storage_snapshots", data={"volume_id": "vol1"})
    assert response.status_code == 201
    snap_id = xml(response).get("id", "")
    assert response.headers["location"].endswith(f"/api/storage_snapshots/{snap_id}")
    assert xml(response).findtext("state") == "COMPLETED"
    restored = api.post("/api/storage_volumes", data={"snapshot_id": snap_id})
    assert restored.status_code == 201
    assert api.post("/api/storage_snapshots", data={"volume_id": "nope"}).status_code == 400
    assert api.post("/api/storage_snapshots", data={}).status_code == 400
    assert api.delete(f"/api/storage_snapshots/{snap_id}").status_code == 204
    assert api.get(f"/api/storage_snapshots/{snap_id}").status_code == 404
