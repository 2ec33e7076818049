"""The test OpenStack: reuse one that answers on 127.0.0.1, else start it with our tooling.

tests/backends/openstack/openstack.sh starts it (packages from
.ci/backends/openstack.sh); when the packages are absent, or we are not root,
every test here skips and says why. Tests talk to this server's HTTP API only,
choosing the driver and the Keystone URL per request (headers).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest
from starlette.testclient import TestClient

from deltacloud.server.app import DeltacloudApp
from deltacloud.settings import Settings
from tests.requirements import backend_missing

KEYSTONE = "http://127.0.0.1:5000/v3"
TOOLING = Path(__file__).resolve().parents[2] / "backends" / "openstack" / "openstack.sh"
ADMIN = ("admin", os.environ.get("DS_OS_ADMIN_PASSWORD", "secret"))
DEMO = ("demo", os.environ.get("DS_OS_DEMO_PASSWORD", "secret"))
DEMO_PROVIDER = f"{KEYSTONE};project=demo;region=RegionOne"


def _login(user: str, password: str, project: str) -> httpx.Response:
    body = {"auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "name": user, "password": password, "domain": {"id": "default"}}}},
        "scope": {"project": {"name": project, "domain": {"id": "default"}}},
    }}
    return httpx.post(f"{KEYSTONE}/auth/tokens", json=body, timeout=10)


def _answers() -> bool:
    try:
        return _login(*DEMO, "demo").status_code == 201
    except httpx.TransportError:
        return False


@pytest.fixture(scope="session")
def openstack() -> Iterator[dict[str, str]]:
    """A running test OpenStack; returns facts the tests need (the demo project's id).

    One started here is stopped at the end of the session (set
    DELTACLOUD_KEEP_OPENSTACK=1 to keep it for the next run); one found running is left.
    """
    started = False
    if not _answers():
        if shutil.which("keystone-manage") is None:
            backend_missing("no test OpenStack: its Debian packages are not installed "
                        "(run .ci/backends/openstack.sh as root)")
        if os.geteuid() != 0:
            backend_missing("no test OpenStack running, and starting one needs root")
        result = subprocess.run(["bash", str(TOOLING), "start"], capture_output=True,
                                text=True, timeout=600)
        started = True
        if result.returncode != 0 or not _answers():
            pytest.fail("the test OpenStack did not start:\n" + result.stdout[-3000:]
                        + result.stderr[-3000:])
    token = _login(*DEMO, "demo")
    project = token.json()["token"]["project"]["id"]
    yield {"demo_project_id": project, "token": token.headers["X-Subject-Token"]}
    if started and os.environ.get("DELTACLOUD_KEEP_OPENSTACK") != "1":
        subprocess.run(["bash", str(TOOLING), "stop"], capture_output=True, timeout=300)


def make_client(tmp_path: Path, driver: str, provider: str,
                auth: tuple[str, str]) -> TestClient:
    app = DeltacloudApp(Settings.from_environment(data_dir=tmp_path, driver="mock"))
    client = TestClient(app, base_url="http://localhost:3001")
    client.headers.update({"X-Deltacloud-Driver": driver, "X-Deltacloud-Provider": provider,
                           "Accept": "application/xml"})
    client.auth = auth
    return client


@pytest.fixture
def api(openstack: dict[str, str], tmp_path: Path) -> Iterator[TestClient]:
    """The demo user (a plain member, not an admin) in project demo, asking for XML."""
    with make_client(tmp_path, "openstack", DEMO_PROVIDER, DEMO) as client:
        yield client


@pytest.fixture
def name() -> str:
    return f"dctest-{uuid.uuid4().hex[:8]}"
