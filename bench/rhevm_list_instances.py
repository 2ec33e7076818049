"""Benchmark: `GET /api/instances` with 200 VMs, rhevm driver against the fake oVirt engine,
vs. the same listing made directly with ovirt-engine-sdk-python.

Why: to know what the server adds on top of the engine round trips it cannot avoid. How: start
the tests' fake engine (tests/drivers/rhevm/engine.py: HTTPS on 127.0.0.1 with a CA made here,
every answer checked by the SDK's round trip) with 200 VMs in one data centre, and
`deltacloudd -i rhevm` with API_PROVIDER pointing at that data centre. Then time, sequentially:

- server, XML and JSON: `GET /api/instances` over one keep-alive HTTP connection;
- driver.instances() in this process (no HTTP): the driver's own work;
- SDK per request: what the driver must do for every request (SSO token, the data centres and
  clusters that scope it, the VMs with their reported devices, token revoked), with the SDK;
- SDK, connection kept: one logged-in connection listing the VMs (what a client that may keep
  its token would pay; the server keeps no token).

The fake's answers cost what Python's http.server costs, not what an engine costs: the ratio,
not the absolute figures, is the point. Usage: python bench/rhevm_list_instances.py [--rounds N]
[--vms N]
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
from tests.drivers.rhevm import engine as fake_engine  # noqa: E402
from tests.process import Server  # noqa: E402
from timing import interleaved, line  # noqa: E402

USER, PASSWORD = "admin@internal", "bench-secret"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--vms", type=int, default=200)
    args = parser.parse_args()

    import ovirtsdk4 as sdk

    from deltacloud.drivers.base import CallContext, Credentials
    from deltacloud.drivers.rhevm.driver import RhevmDriver
    from deltacloud.settings import Settings

    running = fake_engine.start({USER: PASSWORD}, delay=0.1)
    try:
        e = running.engine
        dc = e.add_datacenter("Default")
        cluster = e.add_cluster("prod", dc)
        template = e.add_template("rhel9", cluster, sockets=2, memory_mib=2048)
        for n in range(args.vms):
            e.add_vm(f"vm-{n:03d}", template, cluster, status="up" if n % 2 else "down",
                     ip=f"10.1.{n // 250}.{n % 250 + 1}" if n % 2 else None)
        provider = f"{running.url};{dc.id}"
        ca = str(running.ca_bundle)

        def sdk_per_request() -> int:
            with sdk.Connection(url=running.url, username=USER, password=PASSWORD, ca_file=ca,
                                timeout=30) as connection:
                system = connection.system_service()
                system.data_centers_service().list()
                clusters = {c.id for c in system.clusters_service().list()
                            if c.data_center.id == dc.id}
                vms = system.vms_service().list(follow="reported_devices")
                return sum(1 for vm in vms if vm.cluster.id in clusters)

        kept = sdk.Connection(url=running.url, username=USER, password=PASSWORD, ca_file=ca,
                              timeout=30)

        def sdk_kept() -> int:
            return len(kept.system_service().vms_service().list(follow="reported_devices"))

        count = sdk_per_request()
        with tempfile.TemporaryDirectory() as data:
            env = {"API_PROVIDER": provider, "DELTACLOUD_RHEVM_CA_BUNDLE": ca}
            with Server(Path(data), "-i", "rhevm", env=env) as server, httpx.Client(
                    auth=(USER, PASSWORD), timeout=60) as http:

                def via_server(fmt: str) -> Callable[[], object]:
                    def get() -> object:
                        r = http.get(f"{server.url}/instances?format={fmt}")
                        assert r.status_code == 200, r.text
                        return r
                    return get

                listed = http.get(f"{server.url}/instances?format=json").json()["instances"]
                assert len(listed) == count == args.vms, (len(listed), count)
                driver = RhevmDriver(Settings(data_dir=Path(data), rhevm_ca_bundle=ca))
                ctx = CallContext(provider, Credentials(USER, PASSWORD))
                results = interleaved([
                    ("server GET /api/instances (XML)", via_server("xml")),
                    ("server GET /api/instances (JSON)", via_server("json")),
                    ("driver.instances() in-process", lambda: driver.instances(ctx, {})),
                    ("SDK per request (token..revoke)", sdk_per_request),
                    ("SDK, connection kept", sdk_kept),
                ], args.rounds)
        kept.close()
        assert not e.mismatches, e.mismatches[0]
        print(f"{count} VMs in the fake engine, {args.rounds} sequential rounds each, "
              "loopback TLS")
        for label, times in results:
            print(line(label, times))
        medians = {label: statistics.median(times) for label, times in results}
        sdk_median = medians["SDK per request (token..revoke)"]
        for label in ("server GET /api/instances (XML)", "server GET /api/instances (JSON)"):
            print(f"ratio {label} / SDK per request: {medians[label] / sdk_median:.2f}")
    finally:
        running.stop()


if __name__ == "__main__":
    main()
