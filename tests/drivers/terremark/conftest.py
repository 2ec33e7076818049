"""The replay of vCloud Express (cloud.py) for the terremark driver's tests, on 127.0.0.1.

Each test gets a fresh replay; the driver reaches it through its provider (the replay's
URL + `/api`), so Libcloud's real HTTP code runs. A request the recordings do not cover
fails the test. Everything under test goes through this server's HTTP API.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from deltacloud.server.app import DeltacloudApp
from deltacloud.settings import Settings
from tests.drivers.terremark.cloud import PASSWORD, USER, TerremarkCloud
from tests.requirements import require_module


def _replay(vapps: dict[str, str] | None) -> Iterator[TerremarkCloud]:
    require_module("libcloud", "apache-libcloud (extra 'libcloud') is not installed")
    yield from TerremarkCloud(vapps).serve()


@pytest.fixture
def cloud() -> Iterator[TerremarkCloud]:
    """vCloud Express as recorded: vApp 14031 powered on in vDC 224."""
    yield from _replay(None)


@pytest.fixture
def empty_cloud() -> Iterator[TerremarkCloud]:
    """vCloud Express before vApp 14031 was made, for the life cycle."""
    yield from _replay({})


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> DeltacloudApp:
    for name in ("API_PROVIDER", "DELTACLOUD_ALLOWED_ENDPOINTS"):
        monkeypatch.delenv(name, raising=False)
    return DeltacloudApp(Settings.from_environment(data_dir=tmp_path, driver="mock"))


def _client(app: DeltacloudApp, cloud: TerremarkCloud) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://localhost:3001") as client:
        client.auth = (USER, PASSWORD)
        client.headers.update({"Accept": "application/xml",
                               "X-Deltacloud-Driver": "terremark",
                               "X-Deltacloud-Provider": cloud.url})
        yield client


@pytest.fixture
def tmrk(app: DeltacloudApp, cloud: TerremarkCloud) -> Iterator[TestClient]:
    """A client choosing the terremark driver and the replay by header, XML."""
    yield from _client(app, cloud)


@pytest.fixture
def fresh(app: DeltacloudApp, empty_cloud: TerremarkCloud) -> Iterator[TestClient]:
    """The same, against the replay without vApps."""
    yield from _client(app, empty_cloud)
