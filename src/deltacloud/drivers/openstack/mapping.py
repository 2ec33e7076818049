"""OpenStack's objects (openstacksdk resources) as Deltacloud models."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from deltacloud.models import (
    Address,
    Blob,
    Bucket,
    Firewall,
    FirewallRule,
    FirewallSource,
    HardwareProfile,
    Image,
    Instance,
    InstanceAddress,
    Key,
    Realm,
    StorageSnapshot,
    StorageVolume,
)
from deltacloud.models.hardware_profile import Property

META_PREFIX = "x-object-meta-"


def get(obj: Any, name: str, default: Any = None) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    return getattr(obj, name, default)


_get = get


class RawServer:
    """A server of Nova's JSON with the attribute names of openstacksdk's Server."""

    _KEYS: ClassVar[dict[str, str]] = {
        "task_state": "OS-EXT-STS:task_state",
        "availability_zone": "OS-EXT-AZ:availability_zone",
        "attached_volumes": "os-extended-volumes:volumes_attached",
        "project_id": "tenant_id",
        "launched_at": "OS-SRV-USG:launched_at",
        "created_at": "created",
        "admin_password": "adminPass",
    }

    def __init__(self, body: dict[str, Any]) -> None:
        self._body = body

    def __getattr__(self, name: str) -> Any:
        return self._body.get(self._KEYS.get(name, name))


# -- compute -------------------------------------------------------------------

def realm(zone: Any) -> Realm:
    available = bool(_get(zone.state or {}, "available", True))
    return Realm(id=zone.name, name=zone.name, state="AVAILABLE" if available else "UNAVAILABLE")


def hardware_profile(flavor: Any) -> HardwareProfile:
    return HardwareProfile(
        id=flavor.id, name=flavor.name or flavor.id,
        properties=(
            Property.fixed("cpu", int(flavor.vcpus or 0)),
            Property.fixed("memory", int(flavor.ram or 0)),
            Property.fixed("storage", int(flavor.disk or 0)),
        ),
    )


_IMAGE_STATES = {"active": "AVAILABLE", "queued": "PENDING", "saving": "PENDING",
                 "importing": "PENDING", "uploading": "PENDING", "killed": "ERROR",
                 "deactivated": "UNAVAILABLE", "deleted": "DELETED",
                 "pending_delete": "DELETED"}


def image(img: Any, profiles: list[str] | None = None) -> Image:
    status = (img.status or "").lower()
    return Image(
        id=img.id, name=img.name or img.id,
        owner_id=_get(img, "owner_id") or _get(img, "owner") or "",
        description=_get(img, "description") or img.name or "",
        architecture=_get(img, "architecture") or "",
        state=_IMAGE_STATES.get(status, status.upper() or "UNKNOWN"),
        creation_time=_get(img, "created_at"),
        hardware_profiles=list(profiles or []),
    )


def instance_state(status: str | None, task_state: str | None) -> str:
    """Nova's status (and task in progress) as a state of the driver's machine."""
    status = (status or "").upper()
    task = (task_state or "").lower()
    if task == "deleting" or status in ("DELETED", "SOFT_DELETED"):
        return "SHUTTING_DOWN"
    if task == "powering-off":
        return "STOPPING"
    if task in ("powering-on", "spawning", "scheduling", "block_device_mapping",
                "networking") or task.startswith("reboot"):
        return "PENDING"
    if status in ("BUILD", "REBUILD", "REBOOT", "HARD_REBOOT"):
        return "PENDING"
    if status in ("ACTIVE", "RESIZE", "VERIFY_RESIZE", "MIGRATING", "PASSWORD", "RESCUE"):
        return "RUNNING"
    if status in ("SHUTOFF", "STOPPED", "SUSPENDED", "PAUSED", "SHELVED",
                  "SHELVED_OFFLOADED"):
        return "STOPPED"
    if status == "ERROR":
        return "ERROR"
    return "UNKNOWN"


def _addresses(server: Any) -> tuple[list[InstanceAddress], list[InstanceAddress]]:
    public: list[InstanceAddress] = []
    private: list[InstanceAddress] = []
    for network, entries in (server.addresses or {}).items():
        for entry in entries or ():
            kind = "ipv6" if entry.get("version") == 6 else "ipv4"
            address = InstanceAddress(entry.get("addr", ""), kind)
            floating = entry.get("OS-EXT-IPS:type") == "floating"
            (public if floating or network == "public" else private).append(address)
    return public, private


def instance(server: Any, actions: Callable[[str], list[str]],
             flavor_id: Callable[[Any], str],
             group_id: Callable[[str], str | None]) -> Instance:
    state = instance_state(server.status, server.task_state)
    public, private = _addresses(server)
    names = {g.get("name") for g in (server.security_groups or []) if g.get("name")}
    groups = sorted(filter(None, (group_id(n) for n in names)))
    volumes: list[tuple[str, str | None]] = [
        (str(v["id"]), None) for v in (server.attached_volumes or []) if v.get("id")]
    image = server.image
    return Instance(
        id=server.id, name=server.name or server.id,
        owner_id=server.project_id or server.user_id or "",
        image_id=(_get(image, "id") or "") if image else "",
        realm_id=server.availability_zone or "",
        state=state,
        hardware_profile_id=flavor_id(server.flavor),
        actions=actions(state),
        public_addresses=public, private_addresses=private,
        launch_time=server.launched_at or server.created_at,
        keyname=server.key_name or None,
        password=server.admin_password or None,
        firewalls=groups or None,
        storage_volumes=volumes,
    )


def key(keypair: Any) -> Key:
    return Key(id=keypair.name, credential_type="key", fingerprint=keypair.fingerprint,
               pem_rsa_key=_get(keypair, "private_key") or None)


# -- block storage ---------------------------------------------------------------

def volume(vol: Any) -> StorageVolume:
    status = (vol.status or "").upper()
    attachment = (vol.attachments or [None])[0] or {}
    return StorageVolume(
        id=vol.id, capacity=str(vol.size or 0), state=status or "UNKNOWN",
        name=vol.name or None, description=vol.description or None,
        created=vol.created_at, realm_id=vol.availability_zone or None,
        instance_id=attachment.get("server_id"), device=attachment.get("device"),
        actions=["detach"] if status == "IN-USE" else (["attach"] if status == "AVAILABLE"
                                                        else []),
    )


def snapshot(snap: Any) -> StorageSnapshot:
    return StorageSnapshot(
        id=snap.id, storage_volume_id=snap.volume_id or "",
        state=(snap.status or "").upper() or "UNKNOWN", created=snap.created_at,
        name=snap.name or None, description=snap.description or None,
    )


# -- network ------------------------------------------------------------------------

def address(ip: Any, devices: Mapping[str, str]) -> Address:
    return Address(ip.floating_ip_address, devices.get(ip.port_id) if ip.port_id else None)


def firewall(group: Any, names: Mapping[str, str]) -> Firewall:
    rules = []
    for rule in group.security_group_rules or []:
        sources = []
        if rule.get("remote_group_id"):
            sources.append(FirewallSource("group", name=names.get(rule["remote_group_id"],
                                                                  rule["remote_group_id"]),
                                          owner=group.project_id))
        else:
            prefix = rule.get("remote_ip_prefix") or (
                "::/0" if rule.get("ethertype") == "IPv6" else "0.0.0.0/0")
            addr, _, length = prefix.partition("/")
            sources.append(FirewallSource(
                "address", address=addr, prefix=length or None,
                family="ipv6" if rule.get("ethertype") == "IPv6" else "ipv4"))
        low, high = rule.get("port_range_min"), rule.get("port_range_max")
        rules.append(FirewallRule(
            id=rule["id"], allow_protocol=rule.get("protocol") or "all",
            port_from="" if low is None else str(low),
            port_to="" if high is None else str(high),
            sources=sources, direction=rule.get("direction") or "ingress",
        ))
    return Firewall(id=group.id, name=group.name or group.id,
                    description=group.description or "", owner_id=group.project_id,
                    rules=rules)


# -- object storage ----------------------------------------------------------------

def bucket(name: str, blob_ids: list[str] | None = None, count: int | None = None) -> Bucket:
    blobs = list(blob_ids or [])
    return Bucket(id=name, name=name, size=len(blobs) if count is None else count,
                  blob_list=blobs)


def blob(bucket_id: str, blob_id: str, headers: Mapping[str, str]) -> Blob:
    """A blob from a Swift object's HEAD (or PUT/GET) answer headers."""
    lower = {k.lower(): v for k, v in headers.items()}
    return Blob(
        id=blob_id, bucket=bucket_id,
        content_length=int(lower.get("content-length") or 0),
        content_type=lower.get("content-type") or "application/octet-stream",
        last_modified=lower.get("last-modified"),
        user_metadata={k[len(META_PREFIX):]: v for k, v in lower.items()
                       if k.startswith(META_PREFIX)},
    )
