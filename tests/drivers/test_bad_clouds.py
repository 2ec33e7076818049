"""A cloud that answers badly (closed, truncated, short, HTML) is a 502 that says so.

Every driver against the same misbehaving loopback endpoint (`bad_cloud.py`): the answer
is 502 with a message of the driver's own that names what went wrong, never a 200 with
what could be parsed, never a 500.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from deltacloud.server.app import DeltacloudApp
from deltacloud.settings import Settings
from tests.drivers.bad_cloud import ANSWERS, BadCloud, bad_cloud
from tests.helpers import xml
from tests.requirements import require_module

AZURE_KEY = ("Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/"
             "K1SZFPTOtr/KBHBeksoGMGw==")  # Azurite's published development key

# driver: (SDK module, credentials, provider for the bad endpoint, paths to ask)
CASES = {
    "ec2": ("boto3", ("AKIAEXAMPLE", "secret"), None, ["/api/realms", "/api/buckets"]),
    "eucalyptus": ("boto3", ("AKIAEXAMPLE", "secret"), "ec2={host};s3={host}",
                   ["/api/realms", "/api/buckets"]),
    "openstack": ("openstack", ("demo", "secret"), "http://{host}/v3", ["/api/realms"]),
    "rackspace": ("openstack", ("demo", "apikey"), "DFW;identity=http://{host}/v2.0",
                  ["/api/realms"]),
    "vsphere": ("pyVmomi", ("user", "secret"), "{host}", ["/api/realms"]),
    "azure": ("azure.storage.blob", ("devstoreaccount1", AZURE_KEY),
              "http://{host}/devstoreaccount1", ["/api/buckets"]),
    "google": ("google.cloud.storage", ("GOOGTS7C7FUP3AIRVJTE2BCD", "c2VjcmV0"),
               "http://{host}", ["/api/buckets"]),
    "rhevm": ("ovirtsdk4", ("admin@internal", "secret"), "http://{host}/ovirt-engine/api",
              ["/api/realms"]),
    "opennebula": ("pyone", ("oneadmin", "secret"), "http://{host}/RPC2", ["/api/realms"]),
    "gogrid": ("httpx2", ("b5e87458eb2d3297", "secret"), "http://{host}/api",
               ["/api/realms"]),
    "sbc": ("httpx2", ("user@example.com", "secret"), "http://{host}", ["/api/realms"]),
    "rimuhosting": ("libcloud", ("any", "secretkey"), "http://{host}/r", ["/api/instances"]),
    "terremark": ("libcloud", ("user", "secret"), "http://{host}/api", ["/api/realms"]),
}
GENERIC = {"Internal Server Error", "Bad Gateway", ""}


@pytest.fixture(scope="module")
def cloud() -> Iterator[BadCloud]:
    with bad_cloud() as running:
        yield running


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cloud: BadCloud) -> DeltacloudApp:
    monkeypatch.setenv("AWS_ENDPOINT_URL", cloud.url)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("DELTACLOUD_EC2_ATTEMPTS", "1")
    monkeypatch.setenv("DELTACLOUD_VSPHERE_INSECURE", "1")
    monkeypatch.setenv("DELTACLOUD_VSPHERE_TIMEOUT", "5")
    monkeypatch.setenv("DELTACLOUD_OPENSTACK_TIMEOUT", "5")
    for cloud_name in ("RHEVM", "OPENNEBULA", "GOGRID", "SBC", "RIMUHOSTING", "TERREMARK"):
        monkeypatch.setenv(f"DELTACLOUD_{cloud_name}_TIMEOUT", "5")
    return DeltacloudApp(Settings.from_environment(data_dir=tmp_path, driver="mock"))


@pytest.mark.parametrize("mode", sorted(ANSWERS))
@pytest.mark.parametrize("driver", sorted(CASES))
def test_a_broken_answer_is_a_502_that_says_so(app: DeltacloudApp, cloud: BadCloud,
                                               driver: str, mode: str) -> None:
    sdk, auth, provider, paths = CASES[driver]
    require_module(sdk, f"the {driver} driver's SDK is not installed")
    cloud.mode = mode
    headers = {"Accept": "application/xml", "X-Deltacloud-Driver": driver}
    if provider:
        headers["X-Deltacloud-Provider"] = provider.format(host=f"127.0.0.1:{cloud.port}")
    with TestClient(app) as client:
        for path in paths:
            response = client.get(path, headers=headers, auth=auth)
            assert response.status_code in (502, 504), (path, response.text)
            message = xml(response).findtext("message") or ""
            assert message.strip() not in GENERIC, (path, message)
            assert auth[1] not in response.text
