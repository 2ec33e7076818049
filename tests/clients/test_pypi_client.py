"""The `deltacloud` 0.9.1 client from PyPI, driven for real against a running deltacloudd.

That client is one module, `deltacloud.py`, which would shadow this package's own name,
so `.ci/run` installs it into a directory of its own (`.venv/pypi-client`, or wherever
DELTACLOUD_PYPI_CLIENT_DIR says) and it is loaded from there under another name. It asks
for JSON and reads fixed keys: the tests below fail with its own KeyErrors if a key goes.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from tests.process import Server
from tests.requirements import backend_missing

ROOT = Path(__file__).resolve().parents[2]
CLIENT_DIR = Path(os.environ.get("DELTACLOUD_PYPI_CLIENT_DIR", ROOT / ".venv" / "pypi-client"))


def _load_client() -> ModuleType:
    source = CLIENT_DIR / "deltacloud.py"
    if not source.is_file():
        reason = (f"the PyPI client is not installed at {CLIENT_DIR} (pip install --no-deps "
                  f"--target {CLIENT_DIR} deltacloud==0.9.1)")
        backend_missing(reason)
    spec = importlib.util.spec_from_file_location("deltacloud_pypi_client", source)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def pypi() -> ModuleType:
    return _load_client()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with Server(tmp_path_factory.mktemp("pypi-client"), "-i", "mock", "-w", "1") as running:
        yield running


@pytest.fixture
def cloud(pypi: ModuleType, server: Server):
    return pypi.Deltacloud(server.url + "/", "mockuser", "mockpassword")


def test_discovers_the_entry_points(cloud) -> None:
    assert {"instances", "images", "realms", "keys", "hardware_profiles"} <= set(
        cloud.entrypoints)
    assert all(href.startswith("http://127.0.0.1:") for href in cloud.entrypoints.values())


def test_valid_credentials(pypi: ModuleType, server: Server, cloud) -> None:
    assert cloud.valid_credentials() is True
    # The constructor itself reads the entry point, which needs no credentials.
    wrong = pypi.Deltacloud(server.url + "/", "mockuser", "wrong")
    assert wrong.valid_credentials() is False


def test_listings_read_every_field_the_client_wants(cloud) -> None:
    assert [r.id for r in cloud.realms()] == ["us", "eu"]
    images = cloud.images()
    assert [i.id for i in images] == ["img1", "img2", "img3"]
    assert all(i.owner and i.architecture for i in images)
    keys = cloud.keys()
    assert [k.id for k in keys] == ["test-key"]
    assert keys[0].fingerprint and keys[0].pem.startswith("-----BEGIN RSA PRIVATE KEY-----")
    profiles = {p.id: p for p in cloud.hardware_profiles()}
    assert {"m1-small", "m1-large", "m1-xlarge", "opaque"} <= set(profiles)


def test_instances_and_their_actions(cloud) -> None:
    listed = cloud.instances()
    assert {"inst0", "inst1"} <= {i.id for i in listed}
    made = cloud.create_instance("img1", {"hwp_id": "m1-small", "name": "from-pypi"})
    assert made.name == "from-pypi"
    assert made.state == "RUNNING"
    # Its `owner_id` reads a key Deltacloud's JSON never had ("owner"): not asked here.
    assert "stop" in made.actions()
    assert made.stop() is True
    made.refresh()
    assert made.state == "STOPPED"
    assert made.start() is True
    made.refresh()
    assert made.state == "RUNNING"
    assert made.stop() is True
    made.refresh()
    assert made.destroy() is True
    assert made.id not in {i.id for i in cloud.instances()}


def test_a_created_key_keeps_no_private_half(cloud, server: Server) -> None:
    import httpx2 as httpx

    created = httpx.post(f"{server.url}/keys", data={"name": "pypikey"},
                         auth=("mockuser", "mockpassword"),
                         headers={"Accept": "application/json"})
    assert created.status_code == 201
    assert created.json()["key"]["pem_rsa_key"].startswith("-----BEGIN")
    listed = cloud.keys()
    mine = next(k for k in listed if k.id == "pypikey")
    assert mine.pem is None and mine.fingerprint
