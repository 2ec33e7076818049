"""Benchmark: `GET /api/instances` with 200 VMs, opennebula driver against the fake oned,
vs. the same listing made with pyone directly.

Why: to know what the server adds on top of the one XML-RPC call it cannot avoid
(`one.vmpool.infoextended`, whose answer pyone parses into objects). How: start the fake
oned of the tests (tests/drivers/opennebula/fake_oned.py; real clock, 200 RUNNING VMs) and
`deltacloudd -i opennebula` with ONE_XMLRPC pointing at it, both on 127.0.0.1. Then time,
sequentially and taking turns:

- server, XML and JSON: `GET /api/instances` over one keep-alive HTTP connection;
- driver.instances() in this process (no HTTP): the driver's own work over pyone;
- pyone directly: `OneServer(url, session).vmpool.infoextended(-2, -1, -1, -1)`.

Needs pyone (extra 'opennebula'). Usage: python bench/opennebula_list_instances.py
[--rounds N] [--vms N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx2 as httpx  # noqa: E402
from tests.drivers.opennebula.fake_oned import FakeOned  # noqa: E402
from tests.process import Server  # noqa: E402
from timing import interleaved, line  # noqa: E402

USER, PASSWORD = "alice", "alice-pw"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--vms", type=int, default=200)
    args = parser.parse_args()

    import pyone

    from deltacloud.drivers.base import CallContext, Credentials, Settings
    from deltacloud.drivers.opennebula.driver import OpenNebulaDriver

    fake = FakeOned()
    fake.add_running_vms(args.vms)
    with fake.serve() as url, tempfile.TemporaryDirectory() as data:
        direct = pyone.OneServer(url, session=f"{USER}:{PASSWORD}", protocol="xmlrpc")

        def sdk() -> int:
            return len(direct.vmpool.infoextended(-2, -1, -1, -1).VM)

        count = sdk()
        assert count == args.vms, count
        driver = OpenNebulaDriver(Settings(data_dir=Path(data)))
        ctx = CallContext(url, Credentials(USER, PASSWORD))
        env = {"ONE_XMLRPC": url, "API_PROVIDER": ""}
        with Server(Path(data), "-i", "opennebula", "-w", "1", env=env) as server, \
                httpx.Client(auth=(USER, PASSWORD), timeout=60) as http:

            def via_server(fmt: str) -> Callable[[], object]:
                def get() -> object:
                    r = http.get(f"{server.url}/instances?format={fmt}")
                    assert r.status_code == 200, r.text
                    return r
                return get

            listed = http.get(f"{server.url}/instances?format=json").json()["instances"]
            assert len(listed) == count, (len(listed), count)
            results = interleaved([
                ("server GET /api/instances (XML)", via_server("xml")),
                ("server GET /api/instances (JSON)", via_server("json")),
                ("driver.instances() in-process", lambda: driver.instances(ctx, {})),
                ("pyone vmpool.infoextended", sdk),
            ], args.rounds)
    print(f"{count} VMs in the fake oned, {args.rounds} sequential rounds each, loopback HTTP")
    for label, times in results:
        print(line(label, times))
    medians = {label: statistics.median(times) for label, times in results}
    base = medians["pyone vmpool.infoextended"]
    for label in ("server GET /api/instances (XML)", "server GET /api/instances (JSON)",
                  "driver.instances() in-process"):
        print(f"{label:<34} / pyone: {medians[label] / base:5.2f}x")


if __name__ == "__main__":
    main()
