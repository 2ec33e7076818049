"""`GET /api/openapi.json`: a valid OpenAPI 3.1 document of exactly the routes the server
answers for the chosen driver, whose statuses, headers and JSON schemas are what the
server really sends."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from openapi_spec_validator import OpenAPIV31SpecValidator, validate
from starlette.routing import Match, Route
from starlette.testclient import TestClient

from deltacloud.collections import COLLECTIONS
from deltacloud.collections.features import features_for
from deltacloud.drivers.registry import Registry
from deltacloud.server.app import DeltacloudApp
from deltacloud.server.openapi import openapi_path
from deltacloud.settings import Settings
from tests.conftest import AUTH

DRIVERS = ["mock", "ec2", "openstack", "azure"]
METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
# What a driver answers for a route it does not offer (api.py's _check_collection, _run).
NOT_OFFERED = {(404, "This driver does not support that collection"),
               (405, "This driver does not support that operation")}


def fetch(client: TestClient, driver: str = "mock", **headers: str) -> dict[str, Any]:
    response = client.get("/api/openapi.json", headers={"X-Deltacloud-Driver": driver,
                                                          **headers})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    return response.json()


def operations(doc: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(path, method): op for path, item in doc["paths"].items()
            for method, op in item.items() if method in METHODS}


def fill(path: str, values: dict[str, str] | None = None) -> str:
    """A concrete path for a templated one (OpenAPI's or Starlette's)."""
    values = {"id": "x1", "blob_id": "a/b", "rule_id": "r/1", **(values or {})}
    out = openapi_path(path)
    for name, value in values.items():
        out = out.replace("{" + name + "}", value)
    return out


def check_body(doc: dict[str, Any], schema: dict[str, Any], body: Any) -> None:
    """Validate against a schema of the document, its references resolved in it."""
    jsonschema.Draft202012Validator({**schema, "components": doc["components"]}).validate(body)


# -- the document --------------------------------------------------------------------


@pytest.mark.parametrize("driver", DRIVERS)
def test_the_document_is_valid_openapi_3_1_for_each_driver(client: TestClient,
                                                          driver: str) -> None:
    response = client.get("/api/openapi.json", headers={"X-Deltacloud-Driver": driver})
    assert response.status_code == 200
    for name in ("Server", "Date", "ETag"):
        assert response.headers[name]
    assert response.headers["X-Deltacloud-Driver"] == driver
    assert response.headers["X-Deltacloud-Provider"] == "default"
    doc = response.json()
    validate(doc, cls=OpenAPIV31SpecValidator)
    assert doc["openapi"] == "3.1.0"
    assert doc["info"]["x-deltacloud-driver"] == driver
    assert doc["servers"] == [{"url": "http://localhost:3001", "description": doc["servers"][0]
                               ["description"]}]
    assert doc["components"]["securitySchemes"]["basic"] == {
        "type": "http", "scheme": "basic",
        "description": doc["components"]["securitySchemes"]["basic"]["description"]}
    assert "matrix" in doc["info"]["description"]
    ids = [op["operationId"] for op in operations(doc).values()]
    assert len(ids) == len(set(ids))


def test_the_validator_refuses_a_broken_document(client: TestClient) -> None:
    doc = fetch(client, "azure")  # the smallest
    broken = copy.deepcopy(doc)
    broken["paths"]["/api/buckets/{id}"]["get"]["responses"]["200"]["content"][
        "application/json"]["schema"] = {"type": "no such type"}
    with pytest.raises(Exception, match="no such type"):
        validate(broken, cls=OpenAPIV31SpecValidator)
    missing = copy.deepcopy(doc)
    del missing["paths"]["/api/buckets/{id}"]["parameters"]
    with pytest.raises(Exception, match="id"):
        validate(missing, cls=OpenAPIV31SpecValidator)


def test_it_is_json_whatever_the_client_asks_and_needs_no_credentials(
        client: TestClient) -> None:
    plain = client.get("/api/openapi.json")
    asked = client.get("/api/openapi.json?format=xml",
                       headers={"Accept": "application/vnd.oai.openapi+json"})
    assert asked.status_code == 200
    assert asked.headers["content-type"] == "application/json"
    assert asked.json() == plain.json()
    # Errors too: an unknown driver is a 400 in JSON.
    doc = plain.json()
    bad = client.get("/api;driver=nope/openapi.json", headers={"Accept": "text/html"})
    assert bad.status_code == 400
    assert bad.headers["content-type"] == "application/json"
    check_body(doc, doc["paths"]["/api/openapi.json"]["get"]["responses"]["400"]["content"]
               ["application/json"]["schema"], bad.json())


def test_etag_and_head(client: TestClient) -> None:
    first = client.get("/api/openapi.json")
    again = client.get("/api/openapi.json", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    head = client.head("/api/openapi.json")
    assert head.status_code == 200
    assert head.headers["ETag"] == first.headers["ETag"]


def test_the_driver_and_provider_come_from_the_request(client: TestClient) -> None:
    doc = fetch(client, "mock")
    ec2 = client.get("/api;driver=ec2;provider=eu-west-1/openapi.json").json()
    assert ec2["info"]["x-deltacloud-provider"] == "eu-west-1"
    params = ec2["components"]["parameters"]
    assert params["driver"]["schema"]["default"] == "ec2"
    assert params["provider"]["schema"]["default"] == "eu-west-1"
    assert "default" not in doc["components"]["parameters"]["provider"]["schema"]
    # ec2 has firewalls and load balancers; the mock has neither.
    assert "/api/firewalls" in ec2["paths"]
    assert "/api/load_balancers/{id}/register" in ec2["paths"]
    assert not any(p.startswith(("/api/firewalls", "/api/load_balancers"))
                   for p in doc["paths"])


def test_the_paths_are_not_taken_by_collection_routes(client: TestClient) -> None:
    """Behind a proxy's root path the server URL follows; /api/openapi.json is ours."""
    doc = client.get("/api/openapi.json", headers={"Host": "cloud.example.com:8080"}).json()
    assert doc["servers"][0]["url"] == "http://cloud.example.com:8080"
    assert all(path.startswith("/api") for path in doc["paths"])


# -- routes and document agree --------------------------------------------------------


def api_routes(app: DeltacloudApp) -> list[Route]:
    """The API's routes: /api and below, less /api/ (the same entry point as /api)."""
    return [r for r in app.starlette.routes if isinstance(r, Route)
            and (r.path == "/api" or r.path.startswith("/api/")) and r.path != "/api/"]


def route_methods(route: Route) -> set[str]:
    """The route's methods, less the HEAD that Starlette adds to every GET."""
    methods = set(route.methods or ())
    return methods - {"HEAD"} if "GET" in methods else methods


def deletes_by_post(route: Route, method: str) -> bool:
    """A POST that stands in for a DELETE (api.py: HTML forms cannot send DELETE)."""
    name = route.path.removeprefix("/api/").split("/")[0]
    collection = COLLECTIONS.get(name)
    if method != "POST" or collection is None:
        return False
    ops = [(op.method, f"/api/{name}{op.path}") for op in collection.operations]
    return ("DELETE", route.path) in ops and ("POST", route.path) not in ops


@pytest.mark.parametrize("driver", DRIVERS)
def test_every_route_the_driver_offers_is_documented_and_nothing_else(
        app: DeltacloudApp, client: TestClient, driver: str) -> None:
    """Ask the server itself (without credentials: it says "not supported" before asking
    any cloud) which of its routes this driver offers; the document lists exactly those."""
    doc = fetch(client, driver)
    offered = set()
    for route in api_routes(app):
        for method in route_methods(route):
            data = {"_method": "delete"} if deletes_by_post(route, method) else None
            response = client.request(method, fill(route.path), data=data, headers={
                "X-Deltacloud-Driver": driver, "Accept": "application/json"},
                follow_redirects=False)
            if method == "HEAD":
                # No body to say why: an offered route asks for credentials first.
                offers = response.status_code not in (404, 405)
            else:
                message = response.json()["message"] if response.status_code >= 400 else ""
                offers = (response.status_code, message) not in NOT_OFFERED
            if offers:
                offered.add((openapi_path(route.path), method.lower()))
    assert set(operations(doc)) == offered


@pytest.mark.parametrize("driver", DRIVERS)
def test_every_documented_path_reaches_its_route(app: DeltacloudApp, client: TestClient,
                                                 driver: str) -> None:
    """The router sends each documented path and method, filled in, to the route it was
    written from (ids with `/` in them included)."""
    doc = fetch(client, driver)
    for path, method in operations(doc):
        concrete = fill(path)
        scope = {"type": "http", "method": method.upper(), "path": concrete, "root_path": "",
                 "headers": [], "query_string": b""}
        matched = next(r for r in app.starlette.routes
                       if r.matches(scope)[0] == Match.FULL)
        assert isinstance(matched, Route)
        assert openapi_path(matched.path) == path, (method, concrete)


# -- features ------------------------------------------------------------------------


def parameter_names(op: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """An operation's query parameters and body fields, by name."""
    found = {p["name"]: p for p in op.get("parameters", []) if "name" in p}
    for media in op.get("requestBody", {}).get("content", {}).values():
        found.update(media.get("schema", {}).get("properties", {}))
    return found


@pytest.mark.parametrize("driver", DRIVERS)
def test_each_feature_extends_its_operation(client: TestClient, driver: str) -> None:
    doc = fetch(client, driver)
    ops = {op["operationId"]: op for op in operations(doc).values()}
    declared = Registry.driver_class(driver).collections
    seen = 0
    for collection, names in declared.items():
        for feature in features_for(collection, list(names)):
            op = ops.get(f"{collection}_{feature.operation}")
            if op is None:  # the driver lacks the operation itself
                continue
            seen += 1
            assert feature.name in op["x-deltacloud-features"]
            assert {p.name for p in feature.params} <= set(parameter_names(op))
    assert seen or driver == "azure"


def test_the_mocks_features_as_clients_see_them(client: TestClient) -> None:
    ops = {op["operationId"]: op for op in operations(fetch(client)).values()}
    create = parameter_names(ops["instances_create"])
    assert create["name"]["x-deltacloud-feature"] == "user_name"
    assert create["keyname"]["x-deltacloud-feature"] == "authentication_key"
    assert create["metrics"]["type"] == "boolean"
    assert "user_data" not in create  # the mock does not advertise user_data
    body = ops["instances_create"]["requestBody"]
    assert body["required"] is True
    assert body["content"]["application/json"]["schema"]["required"] == ["image_id"]
    index = parameter_names(ops["instances_index"])
    assert index["realm_id"]["in"] == "query"
    assert index["realm_id"]["x-deltacloud-feature"] == "realm_filter"
    assert ops["instances_create"]["x-deltacloud-features"] == [
        "metrics", "user_name", "authentication_key"]


def test_ec2s_features_as_clients_see_them(client: TestClient) -> None:
    ops = {op["operationId"]: op for op in operations(fetch(client, "ec2")).values()}
    create = parameter_names(ops["instances_create"])
    assert create["user_data"]["contentEncoding"] == "base64"
    assert create["firewalls"]["type"] == "array"
    assert create["instance_count"]["type"] == "integer"
    assert {"snapshot_id", "device_name"} <= set(create)
    assert "name" not in create  # ec2 names instances without advertising user_name
    assert "realm_id" not in parameter_names(ops["instances_index"])
    assert "location" in parameter_names(ops["buckets_create"])
    assert "owner_id" in parameter_names(ops["images_index"])


# -- what the mock really answers ----------------------------------------------------


@dataclass
class Call:
    """How to call one operation of the mock so that it works."""

    values: dict[str, str] = field(default_factory=dict)
    data: dict[str, str] | None = None
    files: dict[str, tuple[str, bytes, str]] | None = None
    content: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    before: tuple[tuple[str, str, dict[str, str]], ...] = ()  # (method, path, form)


STOP_INST0 = (("POST", "/api/instances/inst0/stop", {}),)
EMPTY_BUCKET = (("POST", "/api/buckets", {"name": "empty9"}),)
BLOB = {"id": "bucket1", "blob_id": "blob1"}
DELETE = {"_method": "delete"}

MOCK_CALLS: dict[str, Call] = {
    "api": Call(), "api_options": Call(), "openapi": Call(),
    "api_switch_driver": Call(data={"driver": "mock"}),
    "addresses_options": Call(), "addresses_index": Call(), "addresses_create": Call(),
    "addresses_new_form": Call(), "addresses_show": Call({"id": "192.168.0.1"}),
    "addresses_destroy": Call({"id": "192.168.0.1"}),
    "addresses_destroy_by_post": Call({"id": "192.168.0.1"}, DELETE),
    "addresses_associate": Call({"id": "192.168.0.1"}, {"instance_id": "inst0"}),
    "addresses_disassociate": Call({"id": "192.168.0.1"}, before=(
        ("POST", "/api/addresses/192.168.0.1/associate", {"instance_id": "inst0"}),)),
    "buckets_options": Call(), "buckets_index": Call(),
    "buckets_create": Call(data={"name": "bucket9"}), "buckets_new_form": Call(),
    "buckets_show": Call({"id": "bucket1"}),
    "buckets_destroy": Call({"id": "empty9"}, before=EMPTY_BUCKET),
    "buckets_create_blob": Call({"id": "bucket1"}, {"blob_id": "b9"},
                                files={"blob_data": ("b9.txt", b"nine", "text/plain")}),
    "buckets_blob_content": Call(BLOB, headers={"Range": "bytes=0-3"}),
    "buckets_blob_metadata": Call(BLOB), "buckets_show_blob": Call(BLOB),
    "buckets_stream_blob": Call({"id": "bucket1", "blob_id": "dir/b9"}, content=b"nine",
                                headers={"X-Deltacloud-Blobmeta-Place": "Brittany"}),
    "buckets_update_blob": Call(BLOB, headers={"X-Deltacloud-Blobmeta-Place": "Brest"}),
    "buckets_destroy_blob": Call(BLOB),
    "drivers_options": Call(), "drivers_index": Call(), "drivers_show": Call({"id": "mock"}),
    "hardware_profiles_options": Call(), "hardware_profiles_index": Call(),
    "hardware_profiles_show": Call({"id": "m1-large"}),
    "images_options": Call(), "images_index": Call(), "images_new_form": Call(),
    "images_create": Call(data={"instance_id": "inst0"}), "images_show": Call({"id": "img1"}),
    # img3 is mockuser's own: only an image's owner may delete it.
    "images_destroy": Call({"id": "img3"}), "images_destroy_by_post": Call({"id": "img3"}, DELETE),
    "instance_states_options": Call(), "instance_states_index": Call(),
    "instances_options": Call(), "instances_index": Call(), "instances_new_form": Call(),
    "instances_create": Call(data={"image_id": "img1", "name": "nine", "hwp_id": "m1-large",
                                   "hwp_memory": "8192"}),
    "instances_show": Call({"id": "inst0"}),
    "instances_destroy": Call({"id": "inst0"}, before=STOP_INST0),
    "instances_destroy_by_post": Call({"id": "inst0"}, DELETE, before=STOP_INST0),
    "instances_start": Call({"id": "inst0"}, before=STOP_INST0),
    "instances_stop": Call({"id": "inst0"}), "instances_reboot": Call({"id": "inst0"}),
    "instances_run": Call({"id": "inst0"}, {"cmd": "uptime"}),
    "keys_options": Call(), "keys_index": Call(), "keys_new_form": Call(),
    "keys_create": Call(data={"name": "key9"}), "keys_show": Call({"id": "test-key"}),
    "keys_destroy": Call({"id": "test-key"}),
    "keys_destroy_by_post": Call({"id": "test-key"}, DELETE),
    "metrics_options": Call(), "metrics_index": Call(), "metrics_show": Call({"id": "inst0"}),
    "realms_options": Call(), "realms_index": Call(), "realms_show": Call({"id": "us"}),
    "storage_snapshots_options": Call(), "storage_snapshots_index": Call(),
    "storage_snapshots_new_form": Call(),
    "storage_snapshots_create": Call(data={"volume_id": "vol1"}),
    "storage_snapshots_show": Call({"id": "snap1"}),
    "storage_snapshots_destroy": Call({"id": "snap1"}),
    "storage_snapshots_destroy_by_post": Call({"id": "snap1"}, DELETE),
    "storage_volumes_options": Call(), "storage_volumes_index": Call(),
    "storage_volumes_new_form": Call(),
    "storage_volumes_create": Call(data={"capacity": "2", "name": "vol9"}),
    "storage_volumes_show": Call({"id": "vol1"}),
    "storage_volumes_destroy": Call({"id": "vol1"}),
    "storage_volumes_destroy_by_post": Call({"id": "vol1"}, DELETE),
    "storage_volumes_attach": Call({"id": "vol1"}, {"instance_id": "inst0"}),
    "storage_volumes_detach": Call({"id": "vol3"}),
}


@pytest.fixture(scope="module")
def mock_doc(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    app = DeltacloudApp(Settings.from_environment(data_dir=tmp_path_factory.mktemp("doc"),
                                                  driver="mock"))
    with TestClient(app, base_url="http://localhost:3001") as c:
        return fetch(c)


def test_every_mock_operation_has_a_call(mock_doc: dict[str, Any]) -> None:
    assert sorted(op["operationId"] for op in operations(mock_doc).values()) == sorted(
        MOCK_CALLS)


def header_names(doc: dict[str, Any], response: dict[str, Any]) -> set[str]:
    if "$ref" in response:
        response = doc["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    return set(response.get("headers", {}))


@pytest.mark.parametrize("operation_id", sorted(MOCK_CALLS))
def test_the_mock_answers_as_documented(tmp_path: Path, mock_doc: dict[str, Any],
                                        operation_id: str) -> None:
    """Each operation, called as a client would, succeeds with a documented status, the
    documented headers, and (in JSON) a body of the documented schema."""
    (path, method), op = next((key, op) for key, op in operations(mock_doc).items()
                              if op["operationId"] == operation_id)
    call = MOCK_CALLS[operation_id]
    app = DeltacloudApp(Settings.from_environment(data_dir=tmp_path, driver="mock"))
    with TestClient(app, base_url="http://localhost:3001", follow_redirects=False) as client:
        client.auth = AUTH
        client.headers["Accept"] = "application/json"
        for before_method, before_path, form in call.before:
            assert client.request(before_method, before_path, data=form).status_code < 300
        response = client.request(method.upper(), fill(path, call.values), data=call.data,
                                  files=call.files, content=call.content,
                                  headers=call.headers)
    status = str(response.status_code)
    assert response.status_code < 400, response.text
    assert status in op["responses"], (status, sorted(op["responses"]))
    documented = op["responses"][status]
    missing = {h for h in header_names(mock_doc, documented) if not response.headers.get(h)}
    assert missing <= {"X-Deltacloud-Blobmeta-NAME"}, missing
    if "X-Deltacloud-Blobmeta-NAME" in header_names(mock_doc, documented):
        assert any(h.startswith("x-deltacloud-blobmeta-") for h in response.headers)
    content = documented.get("content", {})
    if response.headers.get("content-type") == "application/json" and method != "head":
        check_body(mock_doc, content["application/json"]["schema"], response.json())
    elif response.content and method != "head":
        assert content, "a body where the document says there is none"


def test_operations_without_credentials_answer_without_them(client: TestClient,
                                                            mock_doc: dict[str, Any]) -> None:
    free = [(path, op) for (path, method), op in operations(mock_doc).items()
            if method == "get" and op.get("security") in ([], [{}, {"basic": []}])]
    assert {op["operationId"] for _, op in free} >= {
        "api", "openapi", "drivers_index", "drivers_show", "instance_states_index",
        "hardware_profiles_index", "hardware_profiles_show"}
    for path, op in free:
        response = client.get(fill(path, MOCK_CALLS[op["operationId"]].values),
                              headers={"Accept": "application/json"})
        assert response.status_code == 200, (path, response.text)
    # And one that needs them says so, as documented.
    listing = mock_doc["paths"]["/api/instances"]["get"]
    assert "security" not in listing
    assert client.get("/api/instances").status_code == 401
    assert "401" in listing["responses"]
