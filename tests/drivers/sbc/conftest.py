"""The replayed SCE (sce_replay.py) and a client of this server choosing the sbc driver and
the replay as its provider, as the recorded user, asking for XML."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from deltacloud.server.app import DeltacloudApp
from deltacloud.settings import Settings
from tests.drivers.sbc.sce_replay import PASSWORD, USER, SceReplay


@pytest.fixture
def cloud() -> Iterator[SceReplay]:
    replay = SceReplay()
    with replay.server:
        yield replay


@pytest.fixture
def sbc_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> DeltacloudApp:
    for name in ("API_PROVIDER", "DELTACLOUD_ALLOWED_ENDPOINTS"):
        monkeypatch.delenv(name, raising=False)
    return DeltacloudApp(Settings.from_environment(data_dir=tmp_path, driver="mock"))


@pytest.fixture
def sbc(sbc_app: DeltacloudApp, cloud: SceReplay) -> Iterator[TestClient]:
    with TestClient(sbc_app, base_url="http://localhost:3001") as client:
        client.auth = (USER, PASSWORD)
        client.headers.update({"Accept": "application/xml", "X-Deltacloud-Driver": "sbc",
                               "X-Deltacloud-Provider": cloud.url})
        yield client
