"""What needs no cloud: lazy imports, the driver listing, provider parsing."""

from __future__ import annotations

import subprocess
import sys

import pytest
from starlette.testclient import TestClient

from deltacloud.drivers.openstack.client import parse_provider
from deltacloud.errors import BadRequest
from tests.helpers import reconfigure, xml


def test_importing_the_drivers_imports_no_sdk() -> None:
    code = (
        "import sys\n"
        "import deltacloud.drivers.openstack.driver, deltacloud.drivers.openstack.rackspace\n"
        "from deltacloud.drivers.registry import Registry\n"
        "from deltacloud.settings import Settings\n"
        "Registry.driver_class('openstack'); Registry.driver_class('rackspace')\n"
        "Registry.driver_class('rackspace').providers(Settings())\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "('openstack', 'keystoneauth1', 'requests')]\n"
        "assert not bad, bad\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_drivers_are_listed_with_rackspace_regions(client: TestClient) -> None:
    root = xml(client.get("/api/drivers", headers={"Accept": "application/xml"}))
    names = [d.get("id") for d in root.findall("driver")]
    assert {"openstack", "rackspace"} <= set(names)
    rackspace = xml(client.get("/api/drivers/rackspace", headers={"Accept": "application/xml"}))
    regions = {p.get("id") for p in rackspace.iter("provider")}
    assert {"DFW", "ORD", "IAD", "LON", "SYD", "HKG"} <= regions


def test_provider_string() -> None:
    cloud = parse_provider("http://k:5000/v3;project=web;region=Two;domain=corp;network=none")
    assert (cloud.auth_url, cloud.project, cloud.region, cloud.domain, cloud.network) == (
        "http://k:5000/v3", "web", "Two", "corp", "none")
    assert parse_provider("https://k:5000").auth_url == "https://k:5000/v3"
    assert parse_provider("http://k/identity/v2.0/").keystone_v2
    for bad in (None, "", "k:5000", "http://k;project", "http://k;colour=red"):
        with pytest.raises(BadRequest):
            parse_provider(bad)


def test_missing_provider_is_400(client: TestClient) -> None:
    answer = client.get("/api/realms", auth=("u", "p"),
                        headers={"X-Deltacloud-Driver": "openstack"})
    assert answer.status_code == 400
    assert "Keystone URL" in answer.text


@pytest.mark.parametrize(("status", "expected"), [
    (400, 400), (401, 401), (403, 403), (404, 404), (409, 409), (413, 413), (422, 400),
    (500, 502), (501, 501), (503, 502), (504, 504),
])
def test_cloud_statuses_map_to_the_spec(status: int, expected: int) -> None:
    from deltacloud.drivers.openstack.errors import for_status

    error = for_status(status, "cloud message with some-id")
    assert error.status == expected
    if expected < 500:
        assert "some-id" not in error.message  # 4xx messages are our own


def test_a_silent_cloud_is_504(client: TestClient) -> None:
    """Keystone accepts the connection and never answers: a timeout, reported as 504."""
    import socket

    reconfigure(client, openstack_timeout=0.5)
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        port = listener.getsockname()[1]
        answer = client.get("/api/realms", auth=("u", "p"), headers={
            "X-Deltacloud-Driver": "openstack",
            "X-Deltacloud-Provider": f"http://127.0.0.1:{port}/v3"})
    assert answer.status_code == 504, answer.text
