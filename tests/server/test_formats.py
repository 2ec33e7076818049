"""Format negotiation and the headers every answer carries."""

import pytest
from starlette.testclient import TestClient

from deltacloud import API_VERSION
from deltacloud.server.negotiation import choose_format

AUTH = ("mockuser", "mockpassword")


@pytest.mark.parametrize(("param", "accept", "expected"), [
    (None, None, "xml"),
    (None, "*/*", "xml"),
    (None, "application/json", "json"),
    (None, "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "html"),
    (None, "application/json;q=0.5, application/xml", "xml"),
    (None, "image/png, application/json;q=0.1", "json"),
    ("json", "application/xml", "json"),
    ("html", None, "html"),
])
def test_choose_format(param: str | None, accept: str | None, expected: str) -> None:
    assert choose_format(param, accept) == expected


@pytest.mark.parametrize(("accept", "content_type"), [
    ("application/xml", "application/xml"),
    ("application/json", "application/json"),
    ("text/html", "text/html; charset=utf-8"),
])
def test_every_collection_in_every_format(client: TestClient, accept: str,
                                          content_type: str) -> None:
    for path in ("/api", "/api/drivers", "/api/realms", "/api/images", "/api/instances",
                 "/api/hardware_profiles", "/api/instance_states", "/api/keys",
                 "/api/storage_volumes", "/api/storage_snapshots", "/api/instances/inst0",
                 "/api/images/img1", "/api/keys/test-key", "/api/storage_volumes/vol3",
                 "/api/storage_snapshots/snap1", "/api/realms/us",
                 "/api/hardware_profiles/m1-large", "/api/drivers/mock"):
        response = client.get(path, auth=AUTH, headers={"Accept": accept})
        assert response.status_code == 200, path
        assert response.headers["content-type"] == content_type, path


def test_format_parameter_overrides_accept(client: TestClient) -> None:
    response = client.get("/api/realms?format=json", auth=AUTH,
                          headers={"Accept": "application/xml"})
    assert response.json()["realms"][0]["id"] == "us"


def test_unsupported_format_is_406(client: TestClient) -> None:
    assert client.get("/api", headers={"Accept": "image/png"}).status_code == 406
    assert client.get("/api?format=yaml").status_code == 406


def test_standard_headers(client: TestClient) -> None:
    response = client.get("/api/realms", auth=AUTH)
    assert response.headers["server"] == f"Apache-Deltacloud/{API_VERSION}"
    assert response.headers["date"].endswith("GMT")
    assert response.headers["x-deltacloud-driver"] == "mock"
    assert response.headers["x-deltacloud-provider"] == "default"
    assert response.headers["etag"].startswith('"')


def test_if_none_match_gives_304_until_the_resource_changes(client: TestClient) -> None:
    first = client.get("/api/instances/inst1", auth=AUTH)
    etag = first.headers["etag"]
    again = client.get("/api/instances/inst1", auth=AUTH, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    client.post("/api/instances/inst1/stop", auth=AUTH)
    changed = client.get("/api/instances/inst1", auth=AUTH, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag


def test_etag_differs_between_formats(client: TestClient) -> None:
    xml_tag = client.get("/api/realms", auth=AUTH).headers["etag"]
    json_tag = client.get("/api/realms?format=json", auth=AUTH).headers["etag"]
    assert xml_tag != json_tag


def test_repeated_parameters_become_one_list(client: TestClient) -> None:
    from deltacloud.server.params import _merge

    values: dict[str, str] = {}
    _merge(values, [("firewalls", "a"), ("firewalls[]", "b"), ("name", "x")])
    assert values == {"firewalls": "a,b", "name": "x"}
