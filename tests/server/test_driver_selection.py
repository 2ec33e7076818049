"""Driver and provider per request: default < header < matrix parameter."""

from pathlib import Path

from starlette.testclient import TestClient

from deltacloud.server.app import DeltacloudApp
from deltacloud.settings import Settings
from tests.helpers import xml


def test_default_driver_and_provider_are_reported(client: TestClient) -> None:
    response = client.get("/api")
    assert response.headers["x-deltacloud-driver"] == "mock"
    assert response.headers["x-deltacloud-provider"] == "default"


def test_default_provider_from_start_options(tmp_path: Path) -> None:
    app = DeltacloudApp(Settings.from_environment(data_dir=tmp_path, driver="mock", provider="eu"))
    with TestClient(app) as client:
        response = client.get("/api")
    assert response.headers["x-deltacloud-provider"] == "eu"
    assert xml(response).get("provider") == "eu"


def test_headers_choose_driver_and_provider(client: TestClient) -> None:
    response = client.get(
        "/api", headers={"X-Deltacloud-Driver": "mock", "X-Deltacloud-Provider": "p1"}
    )
    assert response.status_code == 200
    assert response.headers["x-deltacloud-provider"] == "p1"
    assert xml(response).get("provider") == "p1"


def test_matrix_parameters_override_headers(client: TestClient) -> None:
    response = client.get("/api;driver=mock;provider=p2",
                          headers={"X-Deltacloud-Provider": "p1"})
    assert response.status_code == 200
    assert response.headers["x-deltacloud-provider"] == "p2"
    # Links keep the matrix, so a client following them stays on that driver.
    link = xml(response).find("link[@rel='realms']")
    assert link is not None
    assert link.get("href") == "http://localhost:3001/api;driver=mock;provider=p2/realms"


def test_matrix_parameters_work_below_the_entry_point(api: TestClient) -> None:
    response = api.get("/api;driver=mock/realms/us")
    assert response.status_code == 200
    assert xml(response).get("href") == "http://localhost:3001/api;driver=mock/realms/us"


def test_unknown_driver_is_a_400_naming_the_drivers(client: TestClient) -> None:
    for response in (
        client.get("/api", headers={"X-Deltacloud-Driver": "nosuch"}),
        client.get("/api;driver=nosuch/instances"),
    ):
        assert response.status_code == 400
        message = xml(response).findtext("message") or ""
        assert "mock" in message
        assert "nosuch" not in message


def test_drivers_index_and_show(api: TestClient) -> None:
    root = xml(api.get("/api/drivers"))
    assert root.tag == "drivers"
    mock = root.find("driver[@id='mock']")
    assert mock is not None
    assert mock.get("href") == "http://localhost:3001/api/drivers/mock"
    assert mock.findtext("name") == "Mock"
    shown = xml(api.get("/api/drivers/mock"))
    assert shown.tag == "driver" and shown.get("id") == "mock"
    assert api.get("/api/drivers/nosuch").status_code == 404


def test_drivers_json_is_keyed_by_driver_id(client: TestClient) -> None:
    body = client.get("/api/drivers", headers={"Accept": "application/json"}).json()
    assert body["mock"]["name"] == "Mock"
    shown = client.get("/api/drivers/mock?format=json").json()
    assert shown == {"driver": {**body["mock"], "id": "mock"}}


def test_matrix_values_may_carry_encoded_separators(client: TestClient) -> None:
    from deltacloud.server.matrix import split_matrix

    path, raw, api, others = split_matrix(
        "/api;driver=mock;provider=ec2%3D10.0.0.1%3A8773%3Bs3%3D10.0.0.1%2Fw/buckets/b/a%2Fb"
    )
    assert api == {"driver": "mock", "provider": "ec2=10.0.0.1:8773;s3=10.0.0.1/w"}
    assert (path, raw, others) == ("/api/buckets/b/a/b", "/api/buckets/b/a%2Fb", {})
    response = client.get("/api;provider=a%3Bb/realms/us", auth=("mockuser", "mockpassword"))
    assert response.status_code == 200
    assert response.headers["x-deltacloud-provider"] == "a;b"
