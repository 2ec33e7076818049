"""Our XML and JSON against the original Deltacloud server's own answers, structurally.

`../shared/reference/golden/` holds Deltacloud 1.1.3's responses for the mock
driver. Values (hosts, dates, ids of new things) may differ; element and
attribute names, nesting and JSON keys must not, except where listed below.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.conftest import AUTH, golden_dir

# Paths Deltacloud showed that this server leaves out on purpose, and why.
XML_OMITTED = {
    # the networks/network_interfaces collections are not served yet
    "instance/network_interfaces",
    # error bodies never carry backtraces or request parameters (SPEC)
    "error/backtrace", "error/request",
}
# Paths this server adds, and why.
XML_ADDED = {
    # the mock's vol3 is attached to inst1 (Deltacloud's data said so, its list did not)
    "instance/storage_volumes/storage_volume",
    # created instances carry their launch time
    "instance/launch_time",
    # the SPEC names the provider on the entry point
    "api@provider",
}
JSON_OMITTED = {
    "error",  # Deltacloud's was a class name; ours is the SPEC's object
    "blob.content",  # the bytes inline: blobs stream from content_href instead
}
JSON_ADDED = {
    "error",
    "blob.content_href",
    "instance.create_time",
    "instance.storage_volumes[]",
    # what the credentials mean (Deltacloud showed this for some drivers, e.g. eucalyptus)
    "driver.username", "driver.password",
}


def _normal(path: str) -> str:
    """Read a list's items as single objects: instances/instance/x -> instance/x."""
    for sep in ("/", "."):
        head, _, rest = path.partition(sep)
        if rest and head.endswith("[]"):
            return head[:-3] + sep + rest  # "instances[].x" -> "instance.x"
        if sep == "/" and rest and head.endswith("s") and rest.startswith(head[:-1]):
            return rest
    return path


def _excused(path: str, entries: set[str]) -> bool:
    return any(path == e or path.startswith((e + "/", e + "@", e + ".", e + "[]"))
               for e in entries)


def _differences(ours: set[str], theirs: set[str], omitted: set[str],
                 added: set[str]) -> tuple[set[str], set[str]]:
    ours, theirs = {_normal(p) for p in ours}, {_normal(p) for p in theirs}
    missing = {p for p in theirs - ours if not _excused(p, omitted)}
    extra = {p for p in ours - theirs if not _excused(p, added)}
    return missing, extra


def xml_paths(element: ET.Element, prefix: str = "") -> set[str]:
    """Every element path and attribute (path@name) in a document."""
    path = f"{prefix}/{element.tag}" if prefix else element.tag
    found = {path} | {f"{path}@{a}" for a in element.attrib}
    for child in element:
        found |= xml_paths(child, path)
    return found


def json_paths(value: Any, prefix: str = "") -> set[str]:
    """Every key path in a JSON document; list items share the path `key[]`."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            path = f"{prefix}.{key}" if prefix else key
            found |= {path} | json_paths(item, path)
    elif isinstance(value, list):
        for item in value:
            found |= json_paths(item, f"{prefix}[]")
    return found


def manifest() -> list[dict[str, str]]:
    lines = (golden_dir() / "MANIFEST.tsv").read_text().splitlines()
    header = lines[0].split("\t")
    return [dict(zip(header, line.split("\t"), strict=True)) for line in lines[1:] if line]


CASES = [
    "api.xml", "api_noauth.xml", "drivers_mock.xml", "instances.xml", "instances_inst1.xml",
    "images.xml", "realms.xml", "hardware_profiles.xml", "hardware_profiles_m1-large.xml",
    "instance_states.xml", "error404_instance.xml", "error401_noauth.xml",
    "error401_badpassword.xml", "api.json", "api_noauth.json", "drivers_mock.json",
    "instances.json", "instances_inst1.json", "images.json", "realms.json",
    "hardware_profiles.json", "hardware_profiles_m1-large.json", "instance_states.json",
    "error404_instance.json", "error401_noauth.json", "error401_badpassword.json",
    "instances_create.xml", "instances_create.json", "instances_create_minimal.xml",
    "buckets.xml", "buckets_bucket1.xml", "buckets_bucket1_blob1.xml",
    "buckets.json", "buckets_bucket1.json", "buckets_bucket1_blob1.json",
]


def _request(client: TestClient, row: dict[str, str]) -> Any:
    auth = {"yes": AUTH, "bad": ("mockuser", "wrong"), "no": None}[row["auth"]]
    headers = {"Accept": row["accept"]}
    if row["method"] == "POST":
        data = {"image_id": "img1"}
        if row["file"] in ("instances_create.xml", "instances_create.json"):
            data["name"] = "golden"
        return client.post(row["path"], data=data, auth=auth, headers=headers)
    return client.get(row["path"], auth=auth, headers=headers)


@pytest.mark.parametrize("case", CASES)
def test_same_structure_as_deltacloud(client: TestClient, case: str) -> None:
    row = next(r for r in manifest() if r["file"] == case)
    response = _request(client, row)
    assert response.status_code == int(row["status"])
    assert response.headers["content-type"].startswith(row["content_type"])
    golden = (golden_dir() / f"{case}.body").read_bytes()
    if case.endswith(".xml"):
        theirs = xml_paths(ET.fromstring(golden))
        ours = xml_paths(ET.fromstring(response.content))
        omitted, added = XML_OMITTED, XML_ADDED
    else:
        theirs = json_paths(json.loads(golden))
        ours = json_paths(response.json())
        omitted, added = JSON_OMITTED, JSON_ADDED
    missing, extra = _differences(ours, theirs, omitted, added)
    assert missing == set(), "missing from ours"
    assert extra == set(), "not in Deltacloud's"


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_the_mock_advertises_deltacloud_s_features(client: TestClient, fmt: str) -> None:
    body = (golden_dir() / f"api.{fmt}.body").read_bytes()
    ours = client.get("/api", headers={"Accept": f"application/{fmt}"})
    if fmt == "xml":
        def features(root: ET.Element) -> dict[str, list[tuple[str, str, list[str]]]]:
            return {link.get("rel", ""): [
                (f.get("name", ""), f.get("rel", ""), [p.get("name", "") for p in f])
                for f in link.findall("feature")] for link in root.findall("link")}

        theirs, mine = features(ET.fromstring(body)), features(ET.fromstring(ours.content))
    else:
        def features(doc: dict) -> dict[str, list]:  # type: ignore[type-arg]
            return {link["rel"]: link["features"] for link in doc["api"]["links"]}

        theirs, mine = features(json.loads(body)), features(ours.json())
    # Collections Deltacloud's mock had and this server does not (networks, subnets, ...)
    # have no features; every collection both have carries the same features, in order.
    assert {rel: f for rel, f in mine.items() if f} == {rel: f for rel, f in theirs.items()
                                                        if f and rel in mine}
    assert all(rel in mine for rel, f in theirs.items() if f)


def test_entry_point_serves_a_subset_of_deltacloud_mock_collections(client: TestClient) -> None:
    golden = ET.fromstring((golden_dir() / "api.xml.body").read_bytes())
    theirs = {link.get("rel") for link in golden.findall("link")}
    ours = {link.get("rel") for link in ET.fromstring(client.get("/api").content).findall("link")}
    assert ours <= theirs
    assert {"instances", "images", "realms", "hardware_profiles", "instance_states", "keys",
            "storage_volumes", "storage_snapshots", "drivers", "buckets"} <= ours
