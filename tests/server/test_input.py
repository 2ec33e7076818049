"""Classes of malformed input, each refused at the edge in the asked format, or made safe
on the way out; never a 500, and nothing changed."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import httpx2 as httpx
import pytest
from starlette.testclient import TestClient

from tests.conftest import AUTH
from tests.helpers import xml
from tests.process import Server

FORMATS = ["application/xml", "application/json", "text/html"]


def well_formed(response, accept: str) -> None:
    if accept == "application/xml":
        ET.fromstring(response.content)
    elif accept == "application/json":
        json.loads(response.content)
    else:
        assert "<html" in response.text


@pytest.mark.parametrize("accept", FORMATS)
@pytest.mark.parametrize("path", ["/api;driver=%E9/realms", "/api;driver=%00/instances",
                                  "/api;driver=x%20y", "/api;driver=" + "a" * 40])
def test_a_driver_that_is_not_a_name_is_400(api: TestClient, path: str, accept: str) -> None:
    response = api.get(path, headers={"Accept": accept})
    assert response.status_code == 400
    well_formed(response, accept)
    assert response.headers["x-deltacloud-driver"] == "mock"  # the default, not the input


@pytest.mark.parametrize("accept", FORMATS)
@pytest.mark.parametrize("path", ["/api;provider=a%0D%0Ab/realms", "/api;provider=%00",
                                  "/api;provider=%1B%5B31m/realms",
                                  "/api;provider=" + "p" * 3000 + "/realms"])
def test_a_provider_with_control_characters_is_400(api: TestClient, path: str,
                                                   accept: str) -> None:
    response = api.get(path, headers={"Accept": accept})
    assert response.status_code == 400
    well_formed(response, accept)


def test_a_provider_past_latin1_goes_back_encoded(api: TestClient) -> None:
    response = api.get("/api;provider=caf%C3%A9%E2%82%AC/realms")
    assert response.status_code == 200
    assert response.headers["x-deltacloud-provider"] == "caf%C3%A9%E2%82%AC"


@pytest.mark.parametrize("accept", FORMATS)
def test_a_provider_s_user_and_password_are_never_shown_back(api: TestClient,
                                                             accept: str) -> None:
    """A URL provider may carry `user:password@`: answers and errors show it without."""
    provider = "https://admin:s3cret@engine.example.com/api"
    for path in ("/api/realms/nothing-here", "/api"):
        response = api.get(path, headers={"Accept": accept, "X-Deltacloud-Driver": "mock",
                                          "X-Deltacloud-Provider": provider})
        well_formed(response, accept)
        shown = response.text + response.headers["x-deltacloud-provider"]
        assert "s3cret" not in shown and "admin" not in shown
        assert response.headers["x-deltacloud-provider"] == "https://engine.example.com/api"


@pytest.mark.parametrize("accept", FORMATS)
@pytest.mark.parametrize("ident", ["inst0%00", "%01%02", "%EF%BF%BE", "%FF%FE"])
def test_ids_xml_cannot_carry_give_a_parseable_error(api: TestClient, ident: str,
                                                     accept: str) -> None:
    response = api.get(f"/api/instances/{ident}", headers={"Accept": accept})
    assert response.status_code == 404
    well_formed(response, accept)


def test_a_name_with_a_control_character_does_not_break_listings(api: TestClient) -> None:
    made = api.post("/api/instances", data={"image_id": "img1", "name": "odd\x01name\x1b"})
    assert made.status_code == 201
    listing = api.get("/api/instances")
    names = [i.findtext("name") for i in xml(listing).findall("instance")]
    assert "odd\ufffdname\ufffd" in names
    assert api.get("/api/instances?format=json").json()["instances"]


@pytest.mark.parametrize("value", ["北京", "a\x00b", "line\nbreak"])
def test_blob_metadata_a_header_cannot_carry_is_400(api: TestClient, value: str) -> None:
    response = api.post("/api/buckets/bucket1", data={
        "blob_id": "m", "blob_data": "x", "meta_params": "1", "meta_name1": "k",
        "meta_value1": value})
    assert response.status_code == 400
    assert api.get("/api/buckets/bucket1/m").status_code == 404


def test_latin1_blob_metadata_round_trips(tmp_path: Path) -> None:
    with Server(tmp_path, "-i", "mock", "-w", "1") as server:  # real HTTP: Latin-1 bytes
        made = httpx.post(f"{server.url}/buckets/bucket1", auth=AUTH, data={
            "blob_id": "m", "blob_data": "x", "meta_params": "1", "meta_name1": "place",
            "meta_value1": "Bretagne-Île"})
        assert made.status_code == 201
        head = httpx.head(f"{server.url}/buckets/bucket1/m", auth=AUTH)
    assert head.status_code == 204
    raw = dict(head.headers.raw)  # Latin-1 on the wire, as HTTP carries it
    assert raw[b"x-deltacloud-blobmeta-place"] == "Bretagne-Île".encode("latin-1")


@pytest.mark.parametrize(("content_type", "body", "status"), [
    ("multipart/form-data", b"x", 400),
    ("multipart/form-data; boundary=zz",
     b"--zz\r\nContent-Disposition: form-data\r\n\r\nvalue\r\n--zz--\r\n", 400),
    ("application/x-www-form-urlencoded", b"&".join(b"f%d=1" % i for i in range(1001)), 400),
    ("application/x-www-form-urlencoded", b"image_id=%FF%FE", 400),
    ("application/x-www-form-urlencoded", b"a=" + b"x" * (1024 * 1024 + 1), 413),
    ("application/json", b"[" * 100_000, 400),
    ("application/json", b'{"image_id": 1e999999999}', 400),
    ("application/xml", b"<?xml version='1.0' encoding='ebcdic'?><a/>", 400),
    ("application/xml", b"<instance><image_id>img1</image_id>", 400),
])
def test_bodies_that_do_not_parse(api: TestClient, content_type: str, body: bytes,
                                  status: int) -> None:
    before = api.get("/api/instances").text
    response = api.post("/api/instances", content=body, headers={"Content-Type": content_type})
    assert response.status_code == status, response.text
    ET.fromstring(response.content)
    assert api.get("/api/instances").text == before


def test_more_than_ten_files_is_400(api: TestClient) -> None:
    files = [(f"f{i}", (f"f{i}.txt", b"x", "text/plain")) for i in range(11)]
    assert api.post("/api/buckets/bucket1", files=files).status_code == 400


@pytest.mark.parametrize(("name", "value"), [
    ("capacity", "²"), ("capacity", "١٢"), ("capacity", "1_0"), ("capacity", "+5"),
    ("capacity", "9" * 30)])
def test_integers_are_ascii_digits(api: TestClient, name: str, value: str) -> None:
    before = api.get("/api/storage_volumes").text
    response = api.post("/api/storage_volumes", data={name: value})
    assert response.status_code == 400
    assert name in xml(response).findtext("message", "")
    assert api.get("/api/storage_volumes").text == before


@pytest.mark.parametrize(("name", "value"), [("user_data", "not base64!"),
                                             ("user_data", "YQ="), ("metrics", "maybe"),
                                             ("instance_count", "two")])
def test_typed_feature_parameters_are_parsed_at_the_edge(api: TestClient, name: str,
                                                         value: str) -> None:
    before = api.get("/api/instances").text
    response = api.post("/api/instances", data={"image_id": "img1", name: value})
    assert response.status_code == 400
    assert name in xml(response).findtext("message", "")
    assert api.get("/api/instances").text == before
