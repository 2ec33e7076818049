"""The fake oned (fake_oned.py) for the opennebula driver's tests, on 127.0.0.1.

Each test gets a fresh fake with a manual clock (VMs move only when a test moves time, so
nothing depends on timing) and, where ../shared is present, every XML document the fake
answers is validated against OpenNebula's XSDs: a test whose fake answered an invalid
document fails. Everything under test goes through this server's HTTP API.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from deltacloud.server.app import DeltacloudApp
from deltacloud.settings import Settings
from tests.drivers.opennebula import xsd
from tests.drivers.opennebula.fake_oned import FakeOned, ManualClock
from tests.requirements import require_module

USER, PASSWORD = "alice", "alice-pw"


@pytest.fixture
def fake() -> Iterator[FakeOned]:
    require_module("pyone", "pyone (extra 'opennebula') is not installed")
    one = FakeOned(clock=ManualClock())
    if xsd.missing() is None:
        one.validator = xsd.validate
    yield one
    assert not one.invalid, f"the fake answered documents OpenNebula's XSDs refuse: " \
                            f"{one.invalid}"


@pytest.fixture
def endpoint(fake: FakeOned) -> Iterator[str]:
    with fake.serve() as url:
        yield url


@pytest.fixture
def one_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> DeltacloudApp:
    for name in ("ONE_XMLRPC", "OCCI_URL", "API_PROVIDER", "DELTACLOUD_ALLOWED_ENDPOINTS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DELTACLOUD_OPENNEBULA_TIMEOUT", "10")
    return DeltacloudApp(Settings.from_environment(data_dir=tmp_path, driver="mock"))


@pytest.fixture
def one(one_app: DeltacloudApp, endpoint: str) -> Iterator[TestClient]:
    """A client choosing the opennebula driver and the fake by header, as alice, XML."""
    with TestClient(one_app, base_url="http://localhost:3001") as client:
        client.auth = (USER, PASSWORD)
        client.headers.update({"Accept": "application/xml",
                               "X-Deltacloud-Driver": "opennebula",
                               "X-Deltacloud-Provider": endpoint})
        yield client
