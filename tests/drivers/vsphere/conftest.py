"""vcsim (govmomi's vCenter simulator) for the vsphere driver's tests.

Built on first use from Debian's govmomi sources (see `vcsim/build.py`; cached
under `.ci/.cache/vcsim/`), started once per session on 127.0.0.1 with TLS (a
certificate for 127.0.0.1 from a CA made here) and one required user and
password, stopped with SIGTERM at the end. Skips, saying why, where Go or the
govmomi sources are not installed (`.ci/backends/vsphere.sh` installs them).

The fixture prepares the inventory with pyvmomi directly (vcsim has no
templates): one template, and one VM whose guest reports an IP and running
VMware Tools. Everything under test goes through this server's HTTP API.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from deltacloud.server.app import DeltacloudApp
from deltacloud.settings import Settings
from tests.drivers.vsphere import backend
from tests.requirements import backend_missing, require_module

TEMPLATE = "tmpl-base"
TOOLS_VM = "DC0_C0_RP0_VM0"  # seeded with a guest IP and running VMware Tools
GUEST_IP = "10.20.30.40"


@contextmanager
def direct(vc: backend.Vcsim) -> Iterator[Any]:
    """A pyvmomi session straight to vcsim (for preparing and checking only)."""
    from pyVim.connect import Disconnect, SmartConnect

    host, port = vc.provider.rsplit(":", 1)
    context = ssl.create_default_context(cafile=str(vc.ca_bundle))
    si = SmartConnect(host=host, port=int(port), user=vc.user, pwd=vc.password,
                      sslContext=context)
    try:
        yield si.RetrieveContent()
    finally:
        Disconnect(si)


def find_vm(content: Any, name: str) -> Any:
    from pyVmomi import vim

    view = content.viewManager.CreateContainerView(content.rootFolder, [vim.VirtualMachine],
                                                   True)
    try:
        return next(vm for vm in view.view if vm.name == name)
    finally:
        view.DestroyView()


def _seed(vc: backend.Vcsim) -> None:
    from pyVmomi import vim

    with direct(vc) as content:
        source = find_vm(content, "DC0_H0_VM0")
        task = source.CloneVM_Task(folder=source.parent, name=TEMPLATE,
                                   spec=vim.vm.CloneSpec(location=vim.vm.RelocateSpec(),
                                                         template=True))
        assert task.info.state == "success", task.info.error
        tools = find_vm(content, TOOLS_VM)
        for task in (tools.PowerOffVM_Task(), tools.PowerOnVM_Task()):  # sets its boot time
            assert task.info.state == "success", task.info.error
        task = tools.ReconfigVM_Task(vim.vm.ConfigSpec(extraConfig=[
            vim.option.OptionValue(key="SET.guest.ipAddress", value=GUEST_IP),
            vim.option.OptionValue(key="SET.guest.toolsRunningStatus",
                                   value="guestToolsRunning"),
        ]))
        assert task.info.state == "success", task.info.error


@pytest.fixture(scope="session")
def vcsim() -> Iterator[backend.Vcsim]:
    reason = backend.missing()
    if reason:
        backend_missing(f"vcsim cannot be built: {reason}")
    require_module("pyVmomi", "pyvmomi (extra 'vsphere') is not installed")
    vc = backend.start()
    try:
        _seed(vc)
        yield vc
    finally:
        vc.stop()


@pytest.fixture
def vs_app(tmp_path: Path, vcsim: backend.Vcsim,
           monkeypatch: pytest.MonkeyPatch) -> DeltacloudApp:
    monkeypatch.setenv("DELTACLOUD_VSPHERE_CA_BUNDLE", str(vcsim.ca_bundle))
    monkeypatch.delenv("DELTACLOUD_VSPHERE_INSECURE", raising=False)
    monkeypatch.setenv("DELTACLOUD_VSPHERE_TIMEOUT", "10")
    return DeltacloudApp(Settings.from_environment(data_dir=tmp_path, driver="mock"))


@pytest.fixture
def vs(vs_app: DeltacloudApp, vcsim: backend.Vcsim) -> Iterator[TestClient]:
    """A client choosing the vsphere driver and vcsim by header, with vcsim's login, XML."""
    with TestClient(vs_app, base_url="http://localhost:3001") as client:
        client.auth = (vcsim.user, vcsim.password)
        client.headers.update({"Accept": "application/xml", "X-Deltacloud-Driver": "vsphere",
                               "X-Deltacloud-Provider": vcsim.provider})
        yield client
