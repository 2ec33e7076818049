"""The rimuhosting driver's tests: a replay of RimuHosting's API (cloud.py) on 127.0.0.1,
and this server's HTTP API in front of the driver. Everything under test goes through
the HTTP API; the replay fails the test on any request it has no recording for."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from deltacloud.server.app import DeltacloudApp
from deltacloud.settings import Settings
from tests.drivers.rimuhosting.cloud import KEY, RimuCloud
from tests.requirements import require_module


@pytest.fixture
def cloud() -> Iterator[RimuCloud]:
    require_module("libcloud", "apache-libcloud (extra 'libcloud') is not installed")
    replay = RimuCloud()
    with replay.server:
        yield replay


@pytest.fixture
def rimu_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> DeltacloudApp:
    for name in ("API_PROVIDER", "DELTACLOUD_ALLOWED_ENDPOINTS", "LIBCLOUD_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    return DeltacloudApp(Settings.from_environment(data_dir=tmp_path, driver="mock"))


@pytest.fixture
def rimu(rimu_app: DeltacloudApp, cloud: RimuCloud) -> Iterator[TestClient]:
    """A client choosing the rimuhosting driver and the replay by header, with the API key
    as the password (the user is not used), asking for XML."""
    with TestClient(rimu_app, base_url="http://localhost:3001") as client:
        client.auth = ("anyone", KEY)
        client.headers.update({"Accept": "application/xml",
                               "X-Deltacloud-Driver": "rimuhosting",
                               "X-Deltacloud-Provider": f"{cloud.server.url}/r"})
        yield client
