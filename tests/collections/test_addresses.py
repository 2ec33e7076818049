from starlette.testclient import TestClient

from tests.helpers import actions, ids, xml


def test_index_and_show(api: TestClient) -> None:
    root = xml(api.get("/api/addresses"))
    assert ids(root, "address") == [f"192.168.0.{n}" for n in range(1, 5)]
    one = xml(api.get("/api/addresses/192.168.0.1"))
    assert one.findtext("ip") == "192.168.0.1"
    assert actions(one) == ["destroy", "associate"]
    assert api.get("/api/addresses/10.9.9.9").status_code == 404


def test_allocate_associate_disassociate_release(api: TestClient) -> None:
    created = api.post("/api/addresses")
    assert created.status_code == 201
    ip = xml(created).get("id")
    assert ip == "192.168.0.5"
    assert created.headers["location"] == f"http://localhost:3001/api/addresses/{ip}"
    associated = api.post(f"/api/addresses/{ip}/associate", data={"instance_id": "inst1"})
    assert associated.status_code == 202
    shown = xml(api.get(f"/api/addresses/{ip}"))
    instance = shown.find("instance")
    assert instance is not None and instance.get("id") == "inst1"
    assert actions(shown) == ["destroy", "disassociate"]
    assert xml(api.get("/api/instances/inst1")).findtext("public_addresses/address") == ip
    assert api.post(f"/api/addresses/{ip}/associate",
                    data={"instance_id": "inst2"}).status_code == 409
    assert api.delete(f"/api/addresses/{ip}").status_code == 409
    assert api.post(f"/api/addresses/{ip}/disassociate").status_code == 202
    assert xml(api.get("/api/instances/inst1")).findtext(
        "public_addresses/address") == "img1.inst1.public.com"
    assert api.post(f"/api/addresses/{ip}/disassociate").status_code == 409
    assert api.delete(f"/api/addresses/{ip}").status_code == 204
    assert api.get(f"/api/addresses/{ip}").status_code == 404


def test_associate_needs_a_real_instance(api: TestClient) -> None:
    response = api.post("/api/addresses/192.168.0.1/associate", data={"instance_id": "nope"})
    assert response.status_code == 400
    assert api.post("/api/addresses/192.168.0.1/associate", data={}).status_code == 400
    assert xml(api.get("/api/addresses/192.168.0.1")).find("instance") is None


def test_json_shape(api: TestClient) -> None:
    api.post("/api/addresses/192.168.0.2/associate", data={"instance_id": "inst0"})
    body = api.get("/api/addresses/192.168.0.2?format=json").json()
    assert body == {"address": {"id": "192.168.0.2",
                                "href": "http://localhost:3001/api/addresses/192.168.0.2",
                                "associated": True, "instance_id": "inst0"}}
