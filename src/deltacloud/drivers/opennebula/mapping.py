"""OpenNebula's objects (as pyone binds them) as API models; OpenNebula's words stay here.

pyone gives each object's scalar fields as attributes (`vm.ID`, `vm.STATE`) and its
`TEMPLATE` / `USER_TEMPLATE` as dicts: a value is a string, a vector attribute a dict, a
repeated attribute a list.
"""

from __future__ import annotations

import datetime
import ipaddress
import math
import re
from collections.abc import Mapping
from typing import Any

from deltacloud.models import HardwareProfile, Image, Instance, InstanceAddress, Property, Realm

# VM states (VM_STATE) and the LCM states of an ACTIVE VM (LCM_STATE), by number.
ACTIVE = 3
DONE = 6
PENDING_STATES = {0, 1, 2, 10}  # INIT, PENDING, HOLD, CLONING
STOPPED_STATES = {4, 5, 8, 9}  # STOPPED, SUSPENDED, POWEROFF, UNDEPLOYED
ERROR_STATES = {7, 11}  # FAILED, CLONING_FAILURE
# LCM_INIT, PROLOG, BOOT, PROLOG_RESUME, BOOT_UNKNOWN, BOOT_POWEROFF, BOOT_SUSPENDED,
# BOOT_STOPPED, PROLOG_UNDEPLOY, BOOT_UNDEPLOY: on the way to RUNNING
LCM_PENDING = {0, 1, 2, 9, 19, 20, 21, 22, 31, 32}
# SAVE_STOP, SAVE_SUSPEND, EPILOG_STOP, SHUTDOWN_POWEROFF, SHUTDOWN_UNDEPLOY, EPILOG_UNDEPLOY
LCM_STOPPING = {5, 6, 10, 18, 29, 30}
# EPILOG, SHUTDOWN, CANCEL, CLEANUP_RESUBMIT, CLEANUP_DELETE: on the way to DONE
LCM_SHUTTING_DOWN = {11, 12, 13, 15, 23}
LCM_FAILURE = {14, 36, 37, 38, 39, 40, 41, 42, 44, 46, 47, 48, 49, 50, 61}
# Operations on a VM that is off (powered off, suspended, undeployed, stopped).
LCM_OFF_BUSY = {27, 28, 33, 34, 43, 45, 51, 52, 53, 54, 55, 56, 63, 64, 65, 67, 68}

# Host states in which a host takes VMs: INIT, MONITORING_MONITORED, MONITORED,
# MONITORING_INIT.
HOST_UP = {0, 1, 2, 6}

# What a size may be changed to when a template does not say (USER_INPUTS): the
# vsphere driver's bounds. Memory in MB.
CPU_RANGE = (1, 64)
MEMORY_RANGE = (128, 262144)
DEFAULT_ARCH = "x86_64"


def instance_state(state: int, lcm: int) -> str | None:
    """The API state of OpenNebula's (VM state, LCM state) pair; None for DONE (gone)."""
    if state == DONE:
        return None
    if state in PENDING_STATES:
        return "PENDING"
    if state in STOPPED_STATES:
        return "STOPPED"
    if state in ERROR_STATES:
        return "ERROR"
    if state != ACTIVE:
        return "PENDING"
    if lcm in LCM_PENDING:
        return "PENDING"
    if lcm in LCM_STOPPING:
        return "STOPPING"
    if lcm in LCM_SHUTTING_DOWN:
        return "SHUTTING_DOWN"
    if lcm in LCM_FAILURE:
        return "ERROR"
    if lcm in LCM_OFF_BUSY:
        return "STOPPED"
    # RUNNING, UNKNOWN, and what a running VM goes through (migrations, hotplugs,
    # snapshots, resizes): oned refuses what it cannot do meanwhile, with its reason.
    return "RUNNING"


def _iso(epoch: Any) -> str | None:
    try:
        seconds = int(epoch)
    except (TypeError, ValueError):
        return None
    if seconds <= 0:
        return None
    return datetime.datetime.fromtimestamp(seconds, datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _items(value: Any) -> list[Any]:
    """A template attribute that may appear once (a dict or string) or many times (a list)."""
    if value is None or value == "":
        return []
    return list(value) if isinstance(value, list) else [value]


def _number(value: Any) -> float | None:
    try:
        number = float(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def template_of(obj: Any) -> Mapping[str, Any]:
    found = getattr(obj, "TEMPLATE", None)
    return found if isinstance(found, Mapping) else {}


def _vcpus(template: Mapping[str, Any]) -> int:
    """Virtual CPUs: VCPU, else the CPU share rounded up, else 1."""
    vcpu = _number(template.get("VCPU"))
    if vcpu and vcpu >= 1:
        return int(vcpu)
    share = _number(template.get("CPU"))
    return max(1, math.ceil(share)) if share else 1


def cpu_share_per_vcpu(template: Mapping[str, Any]) -> float:
    """The physical CPU share a template gives each virtual CPU (CPU / VCPU)."""
    share = _number(template.get("CPU"))
    return share / _vcpus(template) if share else 1.0


def _whole(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def _input_property(name: str, user_input: Any, default: float | None,
                    bounds: tuple[int, int]) -> Property:
    """A size property from a template's USER_INPUTS (`M|range||128..2048|256`,
    `O|list||1,2,4|1`, `M|fixed|| |2`) or, without one, the default bounds."""
    parts = str(user_input).split("|") if isinstance(user_input, str) else []
    kind = parts[1].strip() if len(parts) > 1 else ""
    options = parts[3].strip() if len(parts) > 3 else ""
    given = _number(parts[4]) if len(parts) > 4 else None
    value = default if default is not None else given
    if kind.startswith("range"):
        low_text, _, high_text = options.partition("..")
        low, high = _number(low_text), _number(high_text)
        if low is not None and high is not None and low <= high:
            start = value if value is not None and low <= value <= high else (given or low)
            return Property.range(name, _whole(low), _whole(high), _whole(start))
    if kind == "list":
        choices = tuple(_whole(n) for n in (_number(o) for o in options.split(","))
                        if n is not None)
        if choices:
            chosen = value if value is not None and _whole(value) in choices else given
            return Property.enum(name, choices,
                                 _whole(chosen) if chosen is not None else choices[0])
    if kind == "fixed" and value is not None:
        return Property.fixed(name, _whole(value))
    low, high = bounds
    start = value if value is not None else low
    return Property.range(name, _whole(min(low, start)), _whole(max(high, start)),
                          _whole(start))


def profile_from(template_obj: Any) -> HardwareProfile:
    """A VM template's size as a hardware profile (id and name of the template)."""
    t = template_of(template_obj)
    inputs = t.get("USER_INPUTS") if isinstance(t.get("USER_INPUTS"), Mapping) else {}
    assert isinstance(inputs, Mapping)
    memory = _number(t.get("MEMORY"))
    props = [_input_property("cpu", inputs.get("VCPU"), _vcpus(t), CPU_RANGE),
             _input_property("memory", inputs.get("MEMORY"), memory, MEMORY_RANGE)]
    props.append(Property.fixed("architecture", architecture(t)))
    return HardwareProfile(str(template_obj.ID), str(template_obj.NAME), tuple(props))


def architecture(template: Mapping[str, Any]) -> str:
    os_ = template.get("OS")
    arch = os_.get("ARCH") if isinstance(os_, Mapping) else None
    return str(arch) if arch else DEFAULT_ARCH


def image_from(template_obj: Any) -> Image:
    t = template_of(template_obj)
    locked = getattr(template_obj, "LOCK", None) is not None
    return Image(
        id=str(template_obj.ID), name=str(template_obj.NAME),
        owner_id=str(template_obj.UNAME), description=str(t.get("DESCRIPTION") or ""),
        architecture=architecture(t), state="UNAVAILABLE" if locked else "AVAILABLE",
        creation_time=_iso(getattr(template_obj, "REGTIME", None)),
        hardware_profiles=[str(template_obj.ID)],
    )


def realms_from(clusters: list[Any], hosts: list[Any]) -> list[Realm]:
    """Clusters; AVAILABLE while one of their hosts takes VMs."""
    up = {int(h.CLUSTER_ID) for h in hosts if int(h.STATE) in HOST_UP}
    return [Realm(str(c.ID), str(c.NAME), "AVAILABLE" if int(c.ID) in up else "UNAVAILABLE")
            for c in clusters]


_CLUSTER = re.compile(r"^\s*\(?\s*CLUSTER_ID\s*=\s*(\d+)\s*\)?\s*$")


def realm_of(vm: Any) -> str:
    """The cluster of the VM's last placement; before any, the one it was asked to go to."""
    records = getattr(getattr(vm, "HISTORY_RECORDS", None), "HISTORY", None) or []
    if records:
        return str(records[-1].CID)
    user_template = getattr(vm, "USER_TEMPLATE", None)
    wanted = user_template.get("SCHED_REQUIREMENTS") if isinstance(user_template,
                                                                   Mapping) else None
    match = _CLUSTER.match(str(wanted or ""))
    return match.group(1) if match else ""


def _addresses(template: Mapping[str, Any]) -> list[InstanceAddress]:
    found: list[InstanceAddress] = []
    for nic in _items(template.get("NIC")) + _items(template.get("NIC_ALIAS")):
        if not isinstance(nic, Mapping):
            continue
        for key in ("IP", "IP6_GLOBAL", "IP6_ULA", "IP6"):
            text = str(nic.get(key) or "")
            try:
                version = ipaddress.ip_address(text).version
            except ValueError:
                continue
            found.append(InstanceAddress(text, "ipv6" if version == 6 else "ipv4"))
    return found


def instance_from(vm: Any, state: str, actions: list[str]) -> Instance:
    t = template_of(vm)
    overrides = {"cpu": str(_vcpus(t))}
    memory = _number(t.get("MEMORY"))
    if memory is not None:
        overrides["memory"] = str(_whole(memory))
    template_id = str(t.get("TEMPLATE_ID") or "")
    return Instance(
        id=str(vm.ID), name=str(vm.NAME), owner_id=str(vm.UNAME), image_id=template_id,
        realm_id=realm_of(vm), state=state, hardware_profile_id=template_id,
        hardware_profile_overrides=overrides, actions=actions,
        public_addresses=_addresses(t), launch_time=_iso(vm.STIME),
    )
