"""The real deltacloudd process with `-i openstack -P KEYSTONE_URL`."""

from __future__ import annotations

from pathlib import Path

import httpx2 as httpx

from tests.drivers.openstack.conftest import DEMO, DEMO_PROVIDER
from tests.process import Server


def test_real_process_serves_openstack(openstack: dict[str, str], tmp_path: Path) -> None:
    with Server(tmp_path, "-i", "openstack", "-P", DEMO_PROVIDER, "-V") as server:
        realms = httpx.get(f"{server.url}/realms", auth=DEMO, timeout=30,
                           headers={"Accept": "application/json"})
        assert realms.status_code == 200, realms.text
        assert "nova" in [r["id"] for r in realms.json()["realms"]]
        wrong = httpx.get(f"{server.url}/images", auth=("demo", "s3cr3t-wrong"), timeout=30)
        assert wrong.status_code == 401
        output = server.stop()
    assert "s3cr3t-wrong" not in output and DEMO[1] + "@" not in output
    assert openstack["token"] not in output
