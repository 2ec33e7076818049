"""oVirt's objects (ovirtsdk4.types) as API models; oVirt's words stay here."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from deltacloud.models import HardwareProfile, Image, Instance, InstanceAddress, Property, Realm

MIB = 1024 * 1024

# oVirt's VM statuses as Deltacloud states. Deltacloud 1.1 mapped them alike; here a VM
# the engine has lost (not_responding, unknown) is ERROR rather than STOPPED, and a
# migrating one RUNNING (it is up while it moves).
STATES = {
    "image_locked": "PENDING", "wait_for_launch": "PENDING", "powering_up": "PENDING",
    "reboot_in_progress": "PENDING", "restoring_state": "PENDING",
    "saving_state": "PENDING", "unassigned": "PENDING",
    "up": "RUNNING", "migrating": "RUNNING",
    "powering_down": "STOPPING",
    "down": "STOPPED",
    "paused": "PAUSED", "suspended": "PAUSED",
    "not_responding": "ERROR", "unknown": "ERROR",
}

# The engine's limits per VM by cluster compatibility version (x86_64 defaults of
# MaxNumOfVmCpus and VM64BitMaxMemorySizeInMB): (from version, vCPUs, memory MiB).
# An engine configured otherwise refuses with its own message, passed on as a 400.
LIMITS = (
    ((0, 0), 240, 4 * MIB),
    ((4, 2), 384, 6 * MIB),
    ((4, 5), 512, 6 * MIB),
    ((4, 6), 710, 16 * MIB),
)
# oVirt 4 caps sockets (16 up to cluster level 4.5) and cores per socket (254).
MAX_SOCKETS = 16
MAX_CORES = 254


def _value(enum: Any) -> str:
    return str(getattr(enum, "value", enum or ""))


def iso(value: Any) -> str | None:
    if not isinstance(value, datetime.datetime):
        return None
    if value.tzinfo is not None:
        value = value.astimezone(datetime.UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def ref_id(ref: Any) -> str:
    """The id of a link (`<cluster id=.../>`), or ""."""
    return str(getattr(ref, "id", None) or "")


def limits(version: Any) -> tuple[int, int]:
    """(vCPUs, memory MiB) a VM may have in a cluster of this compatibility version."""
    key = (getattr(version, "major", None) or 0, getattr(version, "minor", None) or 0)
    found = LIMITS[0]
    for row in LIMITS:
        if key >= row[0]:
            found = row
    return found[1], found[2]


def vcpus(cpu: Any) -> int:
    topology = getattr(cpu, "topology", None)
    if topology is None:
        return 1
    return max(1, (topology.sockets or 1) * (topology.cores or 1) * (topology.threads or 1))


def topology(count: int) -> tuple[int, int]:
    """(sockets, cores per socket) for `count` vCPUs within oVirt's caps, or (0, 0)."""
    for sockets in range(min(count, MAX_SOCKETS), 0, -1):
        if count % sockets == 0 and count // sockets <= MAX_CORES:
            return sockets, count // sockets
    return 0, 0


def memory_mib(memory: Any) -> int:
    return max(0, int(memory or 0) // MIB)


def architecture(cpu: Any) -> str:
    arch = _value(getattr(cpu, "architecture", None))
    return arch if arch and arch != "undefined" else "x86_64"


def realm_from(cluster: Any, datacenter_up: bool) -> Realm:
    return Realm(cluster.id, cluster.name or cluster.id,
                 "AVAILABLE" if datacenter_up else "UNAVAILABLE")


IMAGE_STATES = {"ok": "AVAILABLE", "locked": "PENDING", "illegal": "UNAVAILABLE"}


def image_from(template: Any, owner: str) -> Image:
    return Image(
        id=template.id, name=template.name or template.id, owner_id=owner,
        description=template.description or template.comment or "",
        architecture=architecture(template.cpu),
        state=IMAGE_STATES.get(_value(template.status), "AVAILABLE"),
        creation_time=iso(template.creation_time), hardware_profiles=[template.id],
    )


def profile_from(template: Any, limit: tuple[int, int]) -> HardwareProfile:
    """A template's size as a profile: its CPUs and memory are the defaults, and anything
    up to the cluster's limits may be asked for."""
    max_cpu, max_memory = limit
    cpu = min(vcpus(template.cpu), max_cpu)
    memory = min(max(1, memory_mib(template.memory)), max_memory)
    return HardwareProfile(template.id, template.name or template.id, (
        Property.range("cpu", 1, max_cpu, default=cpu),
        Property.range("memory", 1, max_memory, default=memory),
        Property.fixed("architecture", architecture(template.cpu)),
    ))


def _addresses(vm: Any) -> list[InstanceAddress]:
    """The guest agent's IPs, then the NICs' MAC addresses, as Deltacloud showed them."""
    ips: list[InstanceAddress] = []
    macs: list[InstanceAddress] = []
    for device in getattr(vm, "reported_devices", None) or ():
        for ip in device.ips or ():
            if not ip.address or ip.address.startswith("fe80:"):
                continue
            ips.append(InstanceAddress(ip.address,
                                       "ipv6" if _value(ip.version) == "v6" else "ipv4"))
        mac = getattr(getattr(device, "mac", None), "address", None)
        if mac:
            macs.append(InstanceAddress(mac, "mac"))
    return ips + macs


def instance_state(vm: Any) -> str:
    return STATES.get(_value(vm.status), "PENDING")


def instance_from(vm: Any, owner: str, actions: Iterable[str]) -> Instance:
    return Instance(
        id=vm.id, name=vm.name or vm.id, owner_id=owner, image_id=ref_id(vm.template),
        realm_id=ref_id(vm.cluster), state=instance_state(vm),
        hardware_profile_id=ref_id(vm.template),
        hardware_profile_overrides={"cpu": str(vcpus(vm.cpu)),
                                    "memory": str(memory_mib(vm.memory))},
        actions=list(actions), public_addresses=_addresses(vm),
        launch_time=iso(vm.start_time or vm.creation_time),
    )
