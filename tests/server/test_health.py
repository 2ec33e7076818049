"""`/healthz`, the front-end beside the Deltacloud API: ready when the default driver can
serve, 503 with the reason when it cannot; never asks a cloud, needs no credentials."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient

from deltacloud.drivers.registry import DRIVERS
from deltacloud.server.app import DeltacloudApp
from deltacloud.settings import Settings


def test_ready(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["status"] == "ok" and body["driver"] == "mock" and body["version"]
    assert client.head("/healthz").status_code == 200


def test_the_api_beside_it_is_untouched(client: TestClient) -> None:
    assert client.get("/api", headers={"Accept": "application/xml"}).status_code == 200
    assert "healthz" not in client.get("/api", headers={"Accept": "application/json"}).text


def test_a_default_driver_without_its_sdk_is_503(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    app = DeltacloudApp(Settings.from_environment(data_dir=tmp_path, driver="ec2"))
    monkeypatch.setitem(DRIVERS, "ec2", DRIVERS["ec2"].__class__(
        "ec2", "ec2.driver", "Ec2Driver", "ec2", "no_such_sdk_module"))
    with TestClient(app) as client:
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert "deltacloud-server[ec2]" in response.json()["problems"][0]


def test_a_mock_data_dir_that_cannot_be_made_is_503(tmp_path: Path) -> None:
    app = DeltacloudApp(Settings.from_environment(data_dir=tmp_path, driver="mock"))
    # Where the data would go is now under a plain file: no one, root included, can make it.
    (tmp_path / "file").write_text("not a directory")
    app.registry.settings = Settings(data_dir=tmp_path / "file" / "data")
    with TestClient(app) as client:
        response = client.get("/healthz")
    assert response.status_code == 503
    assert "not writable" in response.json()["problems"][0]
