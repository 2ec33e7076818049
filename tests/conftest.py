"""Shared fixtures: an app on a fresh data directory, and a client speaking HTTP to it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from deltacloud.server.app import DeltacloudApp
from deltacloud.settings import Settings

AUTH = ("mockuser", "mockpassword")
SHARED = Path(__file__).resolve().parents[2] / "shared"
GOLDEN = SHARED / "reference" / "golden"


@pytest.fixture
def app(tmp_path: Path) -> DeltacloudApp:
    return DeltacloudApp(Settings.from_environment(data_dir=tmp_path, driver="mock"))


@pytest.fixture
def client(app: DeltacloudApp) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://localhost:3001") as c:
        yield c


@pytest.fixture
def api(client: TestClient) -> TestClient:
    """A client that sends mockuser's credentials and asks for XML."""
    client.auth = AUTH
    client.headers["Accept"] = "application/xml"
    return client


def golden_dir() -> Path:
    if not GOLDEN.is_dir():
        pytest.skip(f"reference responses not found at {GOLDEN} (../shared is absent)")
    return GOLDEN
