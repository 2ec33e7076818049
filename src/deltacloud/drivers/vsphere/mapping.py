"""vSphere's inventory objects as API models; vSphere's words stay here."""

from __future__ import annotations

import datetime
import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from deltacloud.models import (
    HardwareProfile,
    Image,
    Instance,
    InstanceAddress,
    Property,
    Realm,
    StorageVolume,
)

# Where a clone records the template it came from (extraConfig is kept with the VM).
IMAGE_KEY = "deltacloud.image_id"
# cloud-init's VMware datasource (and others) read user data from these guestinfo keys.
USER_DATA_KEY = "guestinfo.userdata"
# Where a `user_iso` went (deleted with the instance), and the directory it goes in.
USER_ISO_KEY = "deltacloud.user_iso"
ISO_DIR = "deltacloud-iso"
USER_DATA_ENCODING_KEY = "guestinfo.userdata.encoding"

PROFILE_ID = "default"
# What a clone may be given: vSphere 6.x/7 allows up to 128 (ESXi 6.7) or 768 vCPUs and
# terabytes of memory; these bounds keep a request sensible. Memory in MB, multiple of 4.
CPU_RANGE = (1, 64)
MEMORY_RANGE = (128, 262144)
DEFAULT_CPU = 1
DEFAULT_MEMORY = 1024

PROFILE = HardwareProfile(PROFILE_ID, "default", (
    Property.range("cpu", *CPU_RANGE, default=DEFAULT_CPU),
    Property.range("memory", *MEMORY_RANGE, default=DEFAULT_MEMORY),
))

# VM properties read for instances and images, in one round trip.
VM_PROPERTIES = (
    "name", "config.instanceUuid", "config.template", "config.guestId",
    "config.guestFullName", "config.annotation", "config.createDate", "config.extraConfig",
    "runtime.powerState", "summary.runtime.bootTime", "runtime.host", "resourcePool",
    "summary.config.numCpu", "summary.config.memorySizeMB", "guest.net",
)
VM_DISK_PROPERTIES = ("name", "config.instanceUuid", "config.template",
                      "config.hardware.device", "runtime.host", "resourcePool")

STATES = {"poweredOn": "RUNNING", "poweredOff": "STOPPED", "suspended": "PAUSED"}


def moid(ref: Any) -> str:
    return str(ref._moId)


@dataclass
class Inventory:
    """Where things are: compute resources (realms), pools and hosts by their owner."""

    realms: dict[str, Realm]  # by compute resource moId
    owners: dict[str, str]  # resource pool or host moId -> compute resource moId
    pools: dict[str, Any]  # compute resource moId -> its root resource pool
    datastores: dict[str, list[Any]]  # compute resource moId -> its datastores
    folders: dict[str, Any]  # compute resource moId -> its datacenter's VM folder
    datacenters: dict[str, Any]  # compute resource moId -> its datacenter

    def realm_of(self, props: Mapping[str, Any]) -> str:
        for key in ("resourcePool", "runtime.host"):
            ref = props.get(key)
            if ref is not None and moid(ref) in self.owners:
                return self.owners[moid(ref)]
        return ""


def inventory(objects: list[tuple[Any, dict[str, Any]]]) -> Inventory:
    """Build the placement map from a retrieval of Datacenter, Folder, ComputeResource,
    ResourcePool and HostSystem objects."""
    parents: dict[str, str] = {}
    dc_names: dict[str, str] = {}
    vm_folders: dict[str, Any] = {}
    dc_objects: dict[str, Any] = {}
    computes: list[tuple[Any, dict[str, Any]]] = []
    owners: dict[str, str] = {}
    for obj, props in objects:
        kind = type(obj).__name__
        if "parent" in props and props["parent"] is not None:
            parents[moid(obj)] = moid(props["parent"])
        if kind == "vim.Datacenter":
            dc_names[moid(obj)] = props.get("name", "")
            vm_folders[moid(obj)] = props.get("vmFolder")
            dc_objects[moid(obj)] = obj
        elif kind in ("vim.ComputeResource", "vim.ClusterComputeResource"):
            computes.append((obj, props))
        elif kind == "vim.ResourcePool" and props.get("owner") is not None:
            owners[moid(obj)] = moid(props["owner"])
        elif kind == "vim.HostSystem" and props.get("parent") is not None:
            owners[moid(obj)] = moid(props["parent"])
    realms: dict[str, Realm] = {}
    pools: dict[str, Any] = {}
    datastores: dict[str, list[Any]] = {}
    folders: dict[str, Any] = {}
    datacenters: dict[str, Any] = {}
    for obj, props in computes:
        key, dc = moid(obj), moid(obj)
        for _ in range(64):  # up the folders to the datacenter
            dc = parents.get(dc, "")
            if not dc or dc in dc_names:
                break
        available = props.get("overallStatus") != "red" and props.get("resourcePool")
        realms[key] = Realm(key, f"{dc_names.get(dc, '?')}/{props.get('name', key)}",
                            "AVAILABLE" if available else "UNAVAILABLE")
        pools[key] = props.get("resourcePool")
        datastores[key] = list(props.get("datastore") or [])
        folders[key] = vm_folders.get(dc)
        datacenters[key] = dc_objects.get(dc)
    return Inventory(realms, owners, pools, datastores, folders, datacenters)


def _iso(value: Any) -> str | None:
    if not isinstance(value, datetime.datetime):
        return None
    if value.tzinfo is not None:
        value = value.astimezone(datetime.UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def extra_config(props: Mapping[str, Any]) -> dict[str, str]:
    return {o.key: str(o.value) for o in props.get("config.extraConfig") or []}


def architecture(guest_id: str | None) -> str:
    return "x86_64" if guest_id and "64" in guest_id else "i386" if guest_id else "x86_64"


def image_from(props: Mapping[str, Any], owner: str) -> Image:
    return Image(
        id=props.get("config.instanceUuid", ""), name=props.get("name", ""), owner_id=owner,
        description=props.get("config.annotation") or props.get("config.guestFullName") or "",
        architecture=architecture(props.get("config.guestId")), state="AVAILABLE",
        creation_time=_iso(props.get("config.createDate")),
        hardware_profiles=[PROFILE_ID],
    )


def _addresses(props: Mapping[str, Any]) -> list[InstanceAddress]:
    """Guest IPs the tools report, then the NICs' MAC addresses (as Deltacloud showed them)."""
    ips: list[InstanceAddress] = []
    macs: list[InstanceAddress] = []
    for nic in props.get("guest.net") or []:
        for ip in nic.ipAddress or []:
            try:
                version = ipaddress.ip_address(ip).version
            except ValueError:
                continue
            if ip.startswith("fe80:"):
                continue
            ips.append(InstanceAddress(ip, "ipv6" if version == 6 else "ipv4"))
        if nic.macAddress:
            macs.append(InstanceAddress(nic.macAddress, "mac"))
    return ips + macs


def instance_state(props: Mapping[str, Any]) -> str:
    return STATES.get(str(props.get("runtime.powerState")), "PENDING")


def instance_from(props: Mapping[str, Any], realm_id: str, owner: str,
                  actions: list[str]) -> Instance:
    overrides = {}
    cpu, memory = props.get("summary.config.numCpu"), props.get("summary.config.memorySizeMB")
    if cpu and cpu != DEFAULT_CPU:
        overrides["cpu"] = str(cpu)
    if memory and memory != DEFAULT_MEMORY:
        overrides["memory"] = str(memory)
    launched = props.get("summary.runtime.bootTime") or props.get("config.createDate")
    return Instance(
        id=props.get("config.instanceUuid", ""), name=props.get("name", ""), owner_id=owner,
        image_id=extra_config(props).get(IMAGE_KEY, ""), realm_id=realm_id,
        state=instance_state(props), hardware_profile_id=PROFILE_ID,
        hardware_profile_overrides=overrides, actions=actions,
        public_addresses=_addresses(props), launch_time=_iso(launched),
    )


# Volumes made by this driver: thin VMDK files `[DATASTORE] deltacloud-volumes/ID.vmdk`,
# their id carrying the size asked for (datastore browsers do not always report it).
VOLUME_DIR = "deltacloud-volumes"
VOLUME_FILE = re.compile(r"^(vol-[0-9a-f]{12}-(\d+)g)\.vmdk$")
VOLUME_PATH = re.compile(r"^\[(?P<ds>[^\]]+)\] " + VOLUME_DIR + r"/(?P<file>[^/]+)$")


def volume_path(datastore: str, volume_id: str) -> str:
    return f"[{datastore}] {VOLUME_DIR}/{volume_id}.vmdk"


def managed_volume(file_name: str | None) -> tuple[str, str, str] | None:
    """(volume id, datastore name, capacity GB) for a path of a volume made here."""
    match = VOLUME_PATH.match(file_name or "")
    if match is None:
        return None
    name = VOLUME_FILE.match(match.group("file"))
    if name is None:
        return None
    return name.group(1), match.group("ds"), name.group(2)


def free_volume(volume_id: str, capacity: str, realm_id: str | None,
                created: Any = None) -> StorageVolume:
    return StorageVolume(id=volume_id, capacity=capacity, state="AVAILABLE", name=volume_id,
                         realm_id=realm_id or None, created=_iso(created), kind="vmdk",
                         actions=["attach", "destroy"])


def volumes_from(props: Mapping[str, Any], realm_id: str) -> list[StorageVolume]:
    """A VM's virtual disks as attached volumes. Those made by this driver keep their id
    and can be detached; the others are `<instance uuid>:<device key>`, read-only."""
    from pyVmomi import vim

    found = []
    vm_id = props.get("config.instanceUuid", "")
    for device in props.get("config.hardware.device") or []:
        if not isinstance(device, vim.vm.device.VirtualDisk):
            continue
        gib = (device.capacityInKB or 0) / (1024 * 1024)
        label = device.deviceInfo.label if device.deviceInfo else f"disk {device.key}"
        file_name = getattr(device.backing, "fileName", None)
        managed = managed_volume(file_name)
        found.append(StorageVolume(
            id=managed[0] if managed else f"{vm_id}:{device.key}",
            capacity=managed[2] if managed else f"{gib:g}", state="IN-USE",
            name=managed[0] if managed else (file_name or label),
            description=f"{label} of {props.get('name', '')}", realm_id=realm_id or None,
            instance_id=vm_id, device=label, kind="vmdk",
            actions=["detach"] if managed else [],
        ))
    return found
