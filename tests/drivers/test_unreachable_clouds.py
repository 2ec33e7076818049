"""A cloud that cannot be reached is a 502 that says so; one that never answers is a 504
once the driver's timeout setting has passed.

Every driver whose endpoint the provider names, against a closed loopback port and a
listening one that never answers. Nothing of the credentials comes back.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from deltacloud.server.app import DeltacloudApp
from deltacloud.settings import Settings
from tests.requirements import require_module

# driver: (module it needs, credentials, provider for HOST:PORT, path, timeout setting)
CASES = {
    "gogrid": ("httpx2", ("b5e87458eb2d3297", "s3cret"), "http://{host}/api", "/api/realms",
               "gogrid_timeout"),
    "sbc": ("httpx2", ("user@example.com", "s3cret"), "http://{host}", "/api/realms",
            "sbc_timeout"),
    "rimuhosting": ("libcloud", ("any", "s3cret"), "http://{host}/r", "/api/instances",
                    "rimuhosting_timeout"),
    "terremark": ("libcloud", ("user", "s3cret"), "http://{host}/api", "/api/realms",
                  "terremark_timeout"),
    "opennebula": ("pyone", ("oneadmin", "s3cret"), "{host}", "/api/realms",
                   "opennebula_timeout"),
    "rhevm": ("ovirtsdk4", ("admin@internal", "s3cret"), "https://{host}/ovirt-engine/api",
              "/api/realms", "rhevm_timeout"),
}


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def silent_port() -> Iterator[int]:
    """Accepts connections (the backlog does) and never answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        yield int(sock.getsockname()[1])


def ask(tmp_path: Path, driver: str, port: int, **settings: float) -> tuple[int, str]:
    module, auth, provider, path, _ = CASES[driver]
    require_module(module, f"the {driver} driver's SDK is not installed")
    app = DeltacloudApp(Settings.from_environment(data_dir=tmp_path, driver="mock",
                                                  **settings))
    with TestClient(app) as client:
        response = client.get(path, auth=auth, headers={
            "Accept": "application/json", "X-Deltacloud-Driver": driver,
            "X-Deltacloud-Provider": provider.format(host=f"127.0.0.1:{port}")})
    assert auth[1] not in response.text
    return response.status_code, response.json()["message"]


@pytest.mark.parametrize("driver", sorted(CASES))
def test_a_cloud_that_cannot_be_reached_is_502(tmp_path: Path, closed_port: int,
                                               driver: str) -> None:
    status, message = ask(tmp_path, driver, closed_port)
    assert status == 502
    assert "cannot be reached" in message


@pytest.mark.parametrize("driver", sorted(CASES))
def test_a_cloud_that_never_answers_is_504(tmp_path: Path, silent_port: int,
                                           driver: str) -> None:
    status, _ = ask(tmp_path, driver, silent_port, **{CASES[driver][4]: 0.3})
    assert status == 504
