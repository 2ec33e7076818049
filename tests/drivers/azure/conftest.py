"""Azurite (Microsoft's Azure Storage emulator) on loopback, for the whole session.

Installed by `.ci/backends/azurite.sh` into `.ci/.cache/azurite`; the tests skip,
saying so, where it is absent. It runs with telemetry off and without
`--skipApiVersionCheck`, so the driver's pinned API version is checked too.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from deltacloud.server.app import DeltacloudApp
from deltacloud.settings import Settings
from tests.process import free_port, stop_process, wait_for_port
from tests.requirements import backend_missing

ROOT = Path(__file__).resolve().parents[3]
AZURITE = ROOT / ".ci" / ".cache" / "azurite" / "node_modules" / ".bin" / "azurite-blob"
# Azurite's well-known development account (public, documented by Microsoft).
ACCOUNT = "devstoreaccount1"
KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="


class Azurite:
    def __init__(self, port: int, proc: subprocess.Popen[bytes]) -> None:
        self.port = port
        self.proc = proc
        self.endpoint = f"http://127.0.0.1:{port}/{ACCOUNT}"


def start_azurite(workdir: Path) -> Azurite:
    if not AZURITE.exists() or shutil.which("node") is None:
        backend_missing(f"Azurite is not installed at {AZURITE}: run .ci/backends/azurite.sh")
    port = free_port()
    log = (workdir / "azurite.log").open("wb")
    proc = subprocess.Popen(
        [str(AZURITE), "--blobHost", "127.0.0.1", "--blobPort", str(port),
         "--location", str(workdir), "--disableTelemetry", "--silent"],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        wait_for_port(proc, port, "Azurite")
    except RuntimeError as exc:
        raise RuntimeError(f"{exc}: {(workdir / 'azurite.log').read_text()}") from None
    return Azurite(port, proc)


@pytest.fixture(scope="session")
def azurite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Azurite]:
    server = start_azurite(tmp_path_factory.mktemp("azurite"))
    try:
        yield server
    finally:
        stop_process(server.proc)


@pytest.fixture
def azure(azurite: Azurite, tmp_path: Path) -> Iterator[TestClient]:
    """A client of this server choosing the azure driver and Azurite, by header."""
    app = DeltacloudApp(Settings.from_environment(data_dir=tmp_path, driver="mock"))
    with TestClient(app, base_url="http://localhost:3001") as client:
        client.auth = (ACCOUNT, KEY)
        client.headers.update({"Accept": "application/xml", "X-Deltacloud-Driver": "azure",
                               "X-Deltacloud-Provider": azurite.endpoint})
        yield client
