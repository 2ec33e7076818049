"""GET/HEAD/OPTIONS/POST /api: the entry point advertises what the driver declares."""

from starlette.testclient import TestClient

from deltacloud import API_VERSION
from deltacloud.drivers.mock.driver import MockDriver
from tests.helpers import xml


def test_entry_point_lists_the_drivers_collections_with_absolute_hrefs(api: TestClient) -> None:
    root = xml(api.get("/api"))
    assert root.tag == "api"
    assert root.get("driver") == "mock"
    assert root.get("version") == API_VERSION
    rels = [link.get("rel") for link in root.findall("link")]
    assert rels == sorted({"drivers", *MockDriver.collections})
    for link in root.findall("link"):
        assert link.get("href") == f"http://localhost:3001/api/{link.get('rel')}"


def test_entry_point_lists_features_with_their_params(api: TestClient) -> None:
    root = xml(api.get("/api"))
    instances = root.find("link[@rel='instances']")
    assert instances is not None
    features = {f.get("name"): f for f in instances.findall("feature")}
    assert set(features) == set(MockDriver.collections["instances"])
    assert features["user_name"].get("rel") == "create"
    assert [p.get("name") for p in features["user_name"].findall("param")] == ["name"]
    assert features["realm_filter"].get("rel") == "index"


def test_entry_point_answers_without_credentials(client: TestClient) -> None:
    response = client.get("/api")
    assert response.status_code == 200
    assert xml(response).find("link[@rel='instances']") is not None


def test_force_auth_checks_the_credentials(client: TestClient) -> None:
    assert client.get("/api?force_auth=1").status_code == 401
    assert client.get("/api?force_auth=1", auth=("mockuser", "wrong")).status_code == 401
    assert client.get("/api?force_auth=1", auth=("mockuser", "mockpassword")).status_code == 200


def test_head_answers_headers_without_body(client: TestClient) -> None:
    response = client.head("/api")
    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["etag"]


def test_options_lists_collections(client: TestClient) -> None:
    response = client.options("/api")
    assert response.status_code == 200
    assert "instances" in response.headers["allow"].split(",")


def test_options_on_a_collection_lists_its_methods(client: TestClient) -> None:
    allow = client.options("/api/instances").headers["allow"]
    assert {"GET", "POST", "DELETE"} <= {m.strip() for m in allow.split(",")}


def test_post_api_redirects_to_the_chosen_driver(client: TestClient) -> None:
    response = client.post("/api", data={"driver": "mock", "provider": "eu"},
                           follow_redirects=False)
    assert response.status_code == 301
    assert response.headers["location"] == "http://localhost:3001/api;driver=mock;provider=eu"
    plain = client.post("/api", data={}, follow_redirects=False)
    assert plain.status_code == 301
    assert plain.headers["location"] == "http://localhost:3001/api"


def test_post_api_with_unknown_driver_is_a_400(client: TestClient) -> None:
    response = client.post("/api", data={"driver": "nosuch"}, follow_redirects=False)
    assert response.status_code == 400
