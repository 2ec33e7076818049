"""Build vcsim for the vsphere driver's tests, offline, from Debian's govmomi sources.

Usage: python build.py OUTPUT_BINARY

Copies golang-github-vmware-govmomi-dev's sources (0.24.x, installed under
/usr/share/gocode) into a temporary GOPATH, applies three small
fixes for gaps of that version, and builds `main.go` (ours) against it in
GOPATH mode (GO111MODULE=off): no downloads, nothing vendored. The fixes:

1. PropertyCollector.Fetch of an unset property (e.g. `rootFolder.parent`)
   indexed an empty result and panicked the handler: answer empty instead.
2. VirtualMachine.RebootGuest did not exist: add it (needs poweredOn and
   running tools, as vSphere does, and leaves the power state unchanged).
3. CloneVM_Task ignored `spec.powerOn` and `spec.config.numCPUs/memoryMB`:
   honour them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

GOCODE = Path("/usr/share/gocode/src")
GOVMOMI = GOCODE / "github.com" / "vmware" / "govmomi"
HERE = Path(__file__).resolve().parent

FETCH_OLD = """\
	obj := res.(*methods.RetrievePropertiesExBody).Res.Returnval.Objects[0]
	if len(obj.PropSet) == 0 {
		fault := obj.MissingSet[0].Fault
"""
FETCH_NEW = """\
	rval := res.(*methods.RetrievePropertiesExBody).Res.Returnval
	if rval == nil || len(rval.Objects) == 0 {
		body.Res = &internal.FetchResponse{} // an unset property: nothing to fetch
		return body
	}
	obj := rval.Objects[0]
	if len(obj.PropSet) == 0 {
		if len(obj.MissingSet) == 0 {
			body.Res = &internal.FetchResponse{}
			return body
		}
		fault := obj.MissingSet[0].Fault
"""

REBOOT_ANCHOR = ("func (vm *VirtualMachine) MarkAsTemplate(req *types.MarkAsTemplate) "
                 "soap.HasFault {\n")
REBOOT_NEW = """\
func (vm *VirtualMachine) RebootGuest(ctx *Context, req *types.RebootGuest) soap.HasFault {
	body := new(methods.RebootGuestBody)
	if vm.Runtime.PowerState != types.VirtualMachinePowerStatePoweredOn {
		body.Fault_ = Fault("", &types.InvalidPowerState{
			RequestedState: types.VirtualMachinePowerStatePoweredOn,
			ExistingState:  vm.Runtime.PowerState,
		})
		return body
	}
	running := string(types.VirtualMachineToolsRunningStatusGuestToolsRunning)
	if vm.Guest.ToolsRunningStatus != running {
		body.Fault_ = Fault("VMware Tools is not running in the guest", new(types.ToolsUnavailable))
		return body
	}
	ctx.postEvent(&types.VmGuestRebootEvent{VmEvent: vm.event()})
	body.Res = new(types.RebootGuestResponse)
	return body
}

"""

CLONE_HW_OLD = """\
		config.VirtualSMCPresent = vm.Config.Hardware.VirtualSMCPresent
"""
CLONE_HW_NEW = """\
		config.VirtualSMCPresent = vm.Config.Hardware.VirtualSMCPresent
		if req.Spec.Config != nil {
			if req.Spec.Config.NumCPUs != 0 {
				config.NumCPUs = req.Spec.Config.NumCPUs
			}
			if req.Spec.Config.MemoryMB != 0 {
				config.MemoryMB = req.Spec.Config.MemoryMB
			}
		}
"""
CLONE_POWER_OLD = """\
		ctx.postEvent(&types.VmClonedEvent{
"""
CLONE_POWER_NEW = """\
		if req.Spec.PowerOn && !req.Spec.Template {
			pres := clone.PowerOnVMTask(ctx, &types.PowerOnVM_Task{This: clone.Self})
			ptask := Map.Get(pres.(*methods.PowerOnVM_TaskBody).Res.Returnval).(*Task)
			if ptask.Info.Error != nil {
				return nil, ptask.Info.Error.Fault
			}
		}

		ctx.postEvent(&types.VmClonedEvent{
"""


def replace_once(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    if text.count(old) != 1:
        raise SystemExit(f"{path.name}: the code to patch is not as expected (govmomi 0.24?)")
    path.write_text(text.replace(old, new))


def patch(simulator: Path) -> None:
    replace_once(simulator / "property_collector.go", FETCH_OLD, FETCH_NEW)
    vm = simulator / "virtual_machine.go"
    replace_once(vm, REBOOT_ANCHOR, REBOOT_NEW + REBOOT_ANCHOR)
    replace_once(vm, CLONE_HW_OLD, CLONE_HW_NEW)
    replace_once(vm, CLONE_POWER_OLD, CLONE_POWER_NEW)


def build(output: Path) -> None:
    go = shutil.which("go")
    if go is None or not (GOVMOMI / "simulator").is_dir():
        raise SystemExit("needs golang-go and golang-github-vmware-govmomi-dev")
    with tempfile.TemporaryDirectory(prefix="vcsim-build-") as tmp:
        gopath = Path(tmp)
        # The whole of govmomi: in GOPATH mode a partial copy would hide the rest.
        copy = gopath / "src" / "github.com" / "vmware" / "govmomi"
        shutil.copytree(GOVMOMI, copy, symlinks=False)
        for f in copy.rglob("*.go"):
            f.chmod(0o644)
        patch(copy / "simulator")
        main = gopath / "src" / "vcsim"
        main.mkdir(parents=True)
        shutil.copy(HERE / "main.go", main / "main.go")
        env = {
            **os.environ,
            "GO111MODULE": "off",
            "GOPATH": f"{gopath}:/usr/share/gocode",
            "GOCACHE": str(gopath / "cache"),
            "GOFLAGS": "",
            "GOPROXY": "off",
            "CGO_ENABLED": "0",
        }
        output.parent.mkdir(parents=True, exist_ok=True)
        partial = output.with_name(output.name + ".partial")
        subprocess.run([go, "build", "-o", str(partial), "."], cwd=main, env=env, check=True)
        partial.replace(output)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    build(Path(sys.argv[1]).resolve())
