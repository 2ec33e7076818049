"""The GoGrid replay (fake_gogrid.py) for the gogrid driver's tests, on 127.0.0.1.

Each test gets a fresh replay; the driver is pointed at it through its provider, so its
real HTTP code (signing, HttpClient, JSON reading) runs. Everything under test goes
through this server's HTTP API.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from deltacloud.server.app import DeltacloudApp
from deltacloud.settings import Settings
from tests.drivers.gogrid.fake_gogrid import KEY, SECRET, FakeGoGrid


@pytest.fixture
def fake() -> FakeGoGrid:
    return FakeGoGrid()


@pytest.fixture
def endpoint(fake: FakeGoGrid) -> Iterator[str]:
    yield from fake.serve()


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> DeltacloudApp:
    for name in ("API_PROVIDER", "DELTACLOUD_ALLOWED_ENDPOINTS"):
        monkeypatch.delenv(name, raising=False)
    return DeltacloudApp(Settings.from_environment(data_dir=tmp_path, driver="mock"))


@pytest.fixture
def gg(app: DeltacloudApp, endpoint: str) -> Iterator[TestClient]:
    """A client choosing the gogrid driver and the replay by header, with the recordings'
    API key and the tests' secret, XML."""
    with TestClient(app, base_url="http://localhost:3001") as client:
        client.auth = (KEY, SECRET)
        client.headers.update({"Accept": "application/xml", "X-Deltacloud-Driver": "gogrid",
                               "X-Deltacloud-Provider": endpoint})
        yield client
