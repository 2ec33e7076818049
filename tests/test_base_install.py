"""The base install (`pip install .`, no extras) answers every route of every driver.

`.ci/run` makes that install in `.venv-base` and names its `deltacloudd` in
DELTACLOUD_BASE_INSTALL; this module drives that process over HTTP. Drivers whose SDK is
missing list their providers and entry points all the same, and any call that needs the
SDK is a 501 that names the extra to install.
"""

from __future__ import annotations

import os
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest

from deltacloud.drivers.registry import DRIVERS
from tests.process import Server
from tests.requirements import backend_missing

AUTH = ("mockuser", "mockpassword")
# A provider each driver accepts without reaching anything (nothing listens on port 9).
PROVIDERS = {"eucalyptus": "ec2=127.0.0.1:9;s3=127.0.0.1:9",
             "openstack": "http://127.0.0.1:9/v3", "vsphere": "127.0.0.1:9",
             "azure": "http://127.0.0.1:9/devstoreaccount1", "google": "http://127.0.0.1:9",
             "opennebula": "http://127.0.0.1:9/RPC2",
             "rhevm": "https://127.0.0.1:9/ovirt-engine/api",
             "gogrid": "http://127.0.0.1:9/api", "sbc": "http://127.0.0.1:9",
             "rimuhosting": "http://127.0.0.1:9/r", "terremark": "http://127.0.0.1:9/api"}
# A collection each driver serves, to ask for something that needs the SDK.
PROBES = {"azure": "buckets", "ec2": "realms", "eucalyptus": "realms", "google": "buckets",
          "opennebula": "realms", "openstack": "realms", "rackspace": "realms",
          "rhevm": "realms", "rimuhosting": "instances", "terremark": "realms",
          "vsphere": "realms"}
# Credentials that make a driver use its SDK (google's HMAC keys take the XML API, which
# needs none: only a service account goes through google-cloud-storage).
PROBE_AUTH = {"google": ("probe@deltacloud-test.iam.gserviceaccount.com",
                         "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----")}
# The top-level module of every driver's SDK.
SDKS = sorted({e.sdk.split(".")[0] for e in DRIVERS.values() if e.sdk})


def test_every_driver_with_an_sdk_is_probed() -> None:
    assert set(PROBES) == {name for name, e in DRIVERS.items() if e.extra}


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    executable = os.environ.get("DELTACLOUD_BASE_INSTALL")
    if not executable or not Path(executable).is_file():
        reason = ("no base install to test: set DELTACLOUD_BASE_INSTALL to the deltacloudd "
                  "of a venv with `pip install .` alone (.ci/run does)")
        backend_missing(reason)
    with Server(tmp_path_factory.mktemp("base"), "-i", "mock", "-w", "1",
                executable=executable) as server:
        yield server


def get(server: Server, path: str, driver: str | None = None,
        auth: tuple[str, str] = AUTH, **headers: str):
    if driver:
        headers["X-Deltacloud-Driver"] = driver
        if driver in PROVIDERS:
            headers["X-Deltacloud-Provider"] = PROVIDERS[driver]
    return httpx.get(server.url.removesuffix("/api") + path, auth=auth, timeout=10,
                     headers={"Accept": "application/xml", **headers})


def test_the_sdks_really_are_missing(base: Server) -> None:
    python = Path(os.environ["DELTACLOUD_BASE_INSTALL"]).with_name("python")
    found = subprocess.run(
        [str(python), "-c",
         f"import importlib.util as u; print([m for m in {SDKS!r} if u.find_spec(m)])"],
        capture_output=True, text=True, timeout=60, check=True)
    assert found.stdout.strip() == "[]"


@pytest.mark.parametrize("fmt", ["application/xml", "application/json", "text/html"])
def test_drivers_lists_every_driver_with_its_providers(base: Server, fmt: str) -> None:
    response = get(base, "/api/drivers", Accept=fmt)
    assert response.status_code == 200, response.text
    for name in DRIVERS:
        assert name in response.text
    if fmt == "application/xml":
        drivers = {d.get("id"): d for d in ET.fromstring(response.content).findall("driver")}
        assert set(drivers) == set(DRIVERS)
        ec2 = ET.fromstring(get(base, "/api/drivers/ec2").content)
        assert "us-east-1" in [p.get("id") for p in ec2.findall("provider")]
        rackspace = ET.fromstring(get(base, "/api/drivers/rackspace").content)
        assert "DFW" in [p.get("id") for p in rackspace.findall("provider")]


@pytest.mark.parametrize("driver", sorted(DRIVERS))
def test_every_driver_s_entry_point_and_states_answer(base: Server, driver: str) -> None:
    entry = get(base, "/api", driver)
    assert entry.status_code == 200, entry.text
    assert ET.fromstring(entry.content).get("driver") == driver
    assert get(base, f"/api/drivers/{driver}").status_code == 200
    assert get(base, "/api", driver, Accept="text/html").status_code == 200
    if driver != "azure" and driver != "google":
        assert get(base, "/api/instance_states", driver).status_code == 200


@pytest.mark.parametrize("driver", sorted(PROBES))
def test_a_call_needing_the_sdk_names_the_extra(base: Server, driver: str) -> None:
    extra = DRIVERS[driver].extra
    for fmt in ("application/xml", "application/json", "text/html"):
        response = get(base, f"/api/{PROBES[driver]}", driver,
                       PROBE_AUTH.get(driver, AUTH), Accept=fmt)
        assert response.status_code == 501, response.text
        assert f"pip install 'deltacloud-server[{extra}]'" in response.text.replace(
            "&#39;", "'")


def test_google_s_xml_api_needs_no_sdk(base: Server) -> None:
    """HMAC keys go over the XML API on the base install's own HTTP client: the request is
    sent (and nothing listens there), where a missing SDK would be a 501."""
    response = get(base, "/api/buckets", "google")
    assert response.status_code == 502, response.text
    assert "cannot be reached" in response.text


def test_the_mock_works_in_full(base: Server) -> None:
    assert get(base, "/api/realms").status_code == 200
    made = httpx.post(f"{base.url}/instances", data={"image_id": "img1"}, auth=AUTH,
                      timeout=10)
    assert made.status_code == 201
