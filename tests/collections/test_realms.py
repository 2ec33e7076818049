from starlette.testclient import TestClient

from tests.helpers import ids, xml


def test_index_and_show(api: TestClient) -> None:
    root = xml(api.get("/api/realms"))
    assert ids(root, "realm") == ["us", "eu"]
    us = xml(api.get("/api/realms/us"))
    assert us.findtext("name") == "United States"
    assert us.findtext("state") == "AVAILABLE"
    assert api.get("/api/realms/mars").status_code == 404


def test_filter_by_id(api: TestClient) -> None:
    assert ids(xml(api.get("/api/realms?id=eu")), "realm") == ["eu"]


def test_json_shape(api: TestClient) -> None:
    body = api.get("/api/realms/eu?format=json").json()
    assert body == {"realm": {"id": "eu", "href": "http://localhost:3001/api/realms/eu",
                              "name": "Europe", "state": "AVAILABLE", "limit": "unlimited"}}
