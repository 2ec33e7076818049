"""Benchmark: `GET /api/instances` with 50 VMs, vsphere driver against vcsim, vs. the SDK directly.

Why: to know what the server adds on top of the vSphere round trips it cannot avoid. How: start
vcsim (built and cached by the tests' tooling; 25 VMs in each of its 2 resource pools = 50 VMs,
TLS with a CA made here, one required login) and `deltacloudd -i vsphere` with API_PROVIDER
pointing at it, both on 127.0.0.1. Then time, sequentially (one request at a time):

- server, XML and JSON: `GET /api/instances` over one keep-alive HTTP connection;
- SDK, per request: what the driver must do for every request (fetch nothing cached but the
  API version: log in, one ContainerView + RetrievePropertiesEx of the VMs and the placement
  inventory, log out), with pyvmomi in this process;
- SDK, session kept: the same listing on one logged-in session (what a client that may keep
  its session would pay; the server may not keep the password or the session).

Needs golang-go and golang-github-vmware-govmomi-dev (`.ci/backends/vsphere.sh`) and pyvmomi.
Usage: python bench/vsphere_list_instances.py [--rounds N] [--vms-per-pool N]
"""

from __future__ import annotations

import argparse
import os
import ssl
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx2 as httpx  # noqa: E402
from tests.drivers.vsphere import backend  # noqa: E402
from tests.process import Server  # noqa: E402
from timing import interleaved, line  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--vms-per-pool", type=int, default=25)
    args = parser.parse_args()

    reason = backend.missing()
    if reason:
        raise SystemExit(f"vcsim cannot be built: {reason}")
    from pyVmomi import SoapStubAdapter, vim

    from deltacloud.drivers.base import CallContext, Credentials, Settings
    from deltacloud.drivers.vsphere import client, mapping
    from deltacloud.drivers.vsphere.driver import VsphereDriver, _inventory_props

    vc = backend.start(vms_per_pool=args.vms_per_pool)
    try:
        ctx = CallContext(vc.provider, Credentials(vc.user, vc.password))
        context = ssl.create_default_context(cafile=str(vc.ca_bundle))
        ep = client.endpoint(vc.provider)
        version = client._api_version(ep, context, 30)
        props = {vim.VirtualMachine: mapping.VM_PROPERTIES, **_inventory_props(vim)}

        def listing(s: client.Session) -> int:
            found = s.retrieve(props)
            return sum(1 for o, p in found
                       if isinstance(o, vim.VirtualMachine) and not p.get("config.template"))

        def sdk_per_request() -> int:
            stub = SoapStubAdapter(ep.host, ep.port, version=version, sslContext=context,
                                   httpConnectionTimeout=30, connectionPoolTimeout=-1)
            content = vim.ServiceInstance("ServiceInstance", stub).RetrieveContent()
            content.sessionManager.Login(vc.user, vc.password, None)
            try:
                return listing(client.Session(content, vc.user, 600))
            finally:
                content.sessionManager.Logout()
                stub.DropConnections()

        stub = SoapStubAdapter(ep.host, ep.port, version=version, sslContext=context,
                               httpConnectionTimeout=30)
        kept = vim.ServiceInstance("ServiceInstance", stub).RetrieveContent()
        kept.sessionManager.Login(vc.user, vc.password, None)
        kept_session = client.Session(kept, vc.user, 600)

        count = sdk_per_request()
        with tempfile.TemporaryDirectory() as data:
            env = {"API_PROVIDER": vc.provider, "DELTACLOUD_VSPHERE_CA_BUNDLE": str(vc.ca_bundle)}
            with Server(Path(data), "-i", "vsphere", env=env) as server, httpx.Client(
                    auth=(vc.user, vc.password), timeout=60) as http:

                def via_server(fmt: str) -> Callable[[], object]:
                    def get() -> object:
                        r = http.get(f"{server.url}/instances?format={fmt}")
                        assert r.status_code == 200, r.text
                        return r
                    return get

                listed = http.get(f"{server.url}/instances?format=json").json()["instances"]
                assert len(listed) == count, (len(listed), count)
                # The driver in this process, no HTTP: the server's own work on top of it.
                os.environ["DELTACLOUD_VSPHERE_CA_BUNDLE"] = str(vc.ca_bundle)
                driver = VsphereDriver(Settings(data_dir=Path(data)))
                results = interleaved([
                    ("server GET /api/instances (XML)", via_server("xml")),
                    ("server GET /api/instances (JSON)", via_server("json")),
                    ("driver.instances() in-process", lambda: driver.instances(ctx, {})),
                    ("SDK per request (login..logout)", sdk_per_request),
                    ("SDK, session kept", lambda: listing(kept_session)),
                ], args.rounds)
        kept.sessionManager.Logout()
        print(f"{count} VMs in vcsim, {args.rounds} sequential rounds each, loopback TLS")
        for label, times in results:
            print(line(label, times))
    finally:
        vc.stop()


if __name__ == "__main__":
    main()
