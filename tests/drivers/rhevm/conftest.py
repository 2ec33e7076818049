"""A fake oVirt engine (engine.py) for the rhevm driver's tests, started once per session
on 127.0.0.1 over HTTPS, trusted through DELTACLOUD_RHEVM_CA_BUNDLE.

Seeded with two data centres (`Default`, up, with clusters `prod` at level 4.7 and `old`
at 4.4; `Lab`, in maintenance, with cluster `lab`), the Blank template, a `rhel9`
template (2 sockets, 2048 MiB) in `prod`, and VMs: `web` (up, with an IP), `db` (down)
in `prod`, `lab-vm` (down) in `lab`. Everything under test goes through this server's
HTTP API; after every test the fake's answers must all have passed the SDK's round trip.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from deltacloud.server.app import DeltacloudApp
from deltacloud.settings import Settings
from tests.drivers.rhevm.engine import BLANK, Running, start
from tests.requirements import require_module

USER, PASSWORD = "admin@internal", "ovirt-secret"
GUEST_IP = "192.0.2.10"


@dataclass
class Seed:
    default: str
    lab: str
    prod: str
    old: str
    lab_cluster: str
    rhel: str
    web: str
    db: str
    lab_vm: str


@pytest.fixture(scope="session")
def fake() -> Iterator[Running]:
    require_module("ovirtsdk4", "ovirt-engine-sdk-python (extra 'rhevm') is not installed")
    require_module("cryptography", "cryptography is not installed")
    running = start({USER: PASSWORD}, delay=0.2)
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="session")
def seed(fake: Running) -> Seed:
    e = fake.engine
    default, lab = e.add_datacenter("Default"), e.add_datacenter("Lab", "maintenance")
    prod, old = e.add_cluster("prod", default), e.add_cluster("old", default, (4, 4))
    lab_cluster = e.add_cluster("lab", lab)
    e.add_template("Blank", None, id=BLANK, description="Blank template")
    rhel = e.add_template("rhel9", prod, sockets=2, memory_mib=2048,
                          description="RHEL 9 with cloud-init")
    web = e.add_vm("web", rhel, prod, status="up", ip=GUEST_IP)
    db = e.add_vm("db", rhel, prod)
    lab_vm = e.add_vm("lab-vm", rhel, lab_cluster)
    return Seed(default.id, lab.id, prod.id, old.id, lab_cluster.id, rhel.id, web.id, db.id,
                lab_vm.id)


@pytest.fixture(autouse=True)
def _answers_round_trip(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every answer the fake gave during a test must have survived the SDK's round trip."""
    yield
    if "fake" in request.fixturenames:
        running: Running = request.getfixturevalue("fake")
        mismatches = list(running.engine.mismatches)
        running.engine.mismatches.clear()
        assert not mismatches, "the fake sent what the SDK does not read back:\n" + "\n".join(
            mismatches)


@pytest.fixture
def rhevm_app(tmp_path: Path, fake: Running, monkeypatch: pytest.MonkeyPatch) -> DeltacloudApp:
    monkeypatch.setenv("DELTACLOUD_RHEVM_CA_BUNDLE", str(fake.ca_bundle))
    monkeypatch.delenv("DELTACLOUD_RHEVM_INSECURE", raising=False)
    monkeypatch.setenv("DELTACLOUD_RHEVM_TIMEOUT", "10")
    return DeltacloudApp(Settings.from_environment(data_dir=tmp_path, driver="mock"))


@pytest.fixture
def rv(rhevm_app: DeltacloudApp, fake: Running, seed: Seed) -> Iterator[TestClient]:
    """A client choosing the rhevm driver and the fake's Default data centre, XML."""
    with TestClient(rhevm_app, base_url="http://localhost:3001") as client:
        client.auth = (USER, PASSWORD)
        client.headers.update({
            "Accept": "application/xml", "X-Deltacloud-Driver": "rhevm",
            "X-Deltacloud-Provider": f"{fake.url};{seed.default}"})
        yield client
