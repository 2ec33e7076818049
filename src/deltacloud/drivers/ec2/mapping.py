"""EC2, S3, ELB and CloudWatch answers (boto3 dictionaries) as API models."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from deltacloud.models import (
    Address,
    Blob,
    Firewall,
    FirewallRule,
    FirewallSource,
    HardwareProfile,
    Image,
    Instance,
    InstanceAddress,
    Key,
    Listener,
    LoadBalancer,
    Property,
    Realm,
    StorageSnapshot,
    StorageVolume,
)

Doc = Mapping[str, Any]

# EC2's instance states as the API names them (its state machine lower-cases these).
STATES = {
    "pending": "PENDING",
    "running": "RUNNING",
    "stopping": "STOPPING",
    "stopped": "STOPPED",
    "shutting-down": "SHUTTING_DOWN",
    "terminated": "FINISH",
}


def timestamp(value: Any) -> str | None:
    """ISO 8601 in UTC, as EC2 writes its own times."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    return str(value) if value else None


def tag(doc: Doc, name: str) -> str | None:
    for t in doc.get("Tags") or ():
        if t.get("Key") == name:
            return t.get("Value")
    return None


def realm(zone: Doc) -> Realm:
    state = str(zone.get("State") or "available")
    return Realm(zone["ZoneName"], zone["ZoneName"], state.upper(),
                 "unlimited" if state == "available" else "0")


def hardware_profile(itype: Doc) -> HardwareProfile:
    """An instance type with its vCPUs, memory, local storage and architectures."""
    props: list[Property] = []
    vcpus = (itype.get("VCpuInfo") or {}).get("DefaultVCpus")
    if vcpus is not None:
        props.append(Property.fixed("cpu", int(vcpus)))
    memory = (itype.get("MemoryInfo") or {}).get("SizeInMiB")
    if memory is not None:
        props.append(Property.fixed("memory", int(memory)))
    storage = (itype.get("InstanceStorageInfo") or {}).get("TotalSizeInGB")
    if storage is not None:
        props.append(Property.fixed("storage", int(storage)))
    archs = tuple((itype.get("ProcessorInfo") or {}).get("SupportedArchitectures") or ())
    if len(archs) == 1:
        props.append(Property.fixed("architecture", archs[0]))
    elif archs:
        default = "x86_64" if "x86_64" in archs else archs[0]
        props.append(Property.enum("architecture", archs, default))
    return HardwareProfile(itype["InstanceType"], itype["InstanceType"], tuple(props))


def image(doc: Doc) -> Image:
    return Image(
        id=doc["ImageId"],
        name=doc.get("Name") or doc["ImageId"],
        owner_id=str(doc.get("OwnerId") or ""),
        description=doc.get("Description") or doc.get("ImageLocation") or "",
        architecture=doc.get("Architecture") or "",
        state=str(doc.get("State") or "available").upper(),
        creation_time=timestamp(doc.get("CreationDate")),
        root_type="persistent" if doc.get("RootDeviceType") == "ebs" else "transient",
    )


def instance(doc: Doc, owner_id: str, actions: Iterable[str]) -> Instance:
    state = STATES.get((doc.get("State") or {}).get("Name", ""), "PENDING")
    ebs = doc.get("RootDeviceType", "ebs") == "ebs"
    public = []
    if doc.get("PublicDnsName"):
        public.append(InstanceAddress(doc["PublicDnsName"], "hostname"))
    if doc.get("PublicIpAddress"):
        public.append(InstanceAddress(doc["PublicIpAddress"], "ipv4"))
    private = []
    if doc.get("PrivateDnsName"):
        private.append(InstanceAddress(doc["PrivateDnsName"], "hostname"))
    if doc.get("PrivateIpAddress"):
        private.append(InstanceAddress(doc["PrivateIpAddress"], "ipv4"))
    return Instance(
        id=doc["InstanceId"],
        name=tag(doc, "Name") or doc["InstanceId"],
        owner_id=owner_id,
        image_id=doc.get("ImageId") or "",
        realm_id=(doc.get("Placement") or {}).get("AvailabilityZone") or "",
        state=state,
        hardware_profile_id=doc.get("InstanceType") or "",
        actions=[a for a in actions if ebs or a not in ("start", "stop")],
        public_addresses=public,
        private_addresses=private,
        launch_time=timestamp(doc.get("LaunchTime")),
        keyname=doc.get("KeyName"),
        firewalls=[g["GroupId"] for g in doc.get("SecurityGroups") or () if g.get("GroupId")],
        storage_volumes=[
            (m["Ebs"]["VolumeId"], m.get("DeviceName"))
            for m in doc.get("BlockDeviceMappings") or () if (m.get("Ebs") or {}).get("VolumeId")
        ],
        create_image=ebs and state in ("RUNNING", "STOPPED"),
    )


def key(doc: Doc) -> Key:
    return Key(id=doc["KeyName"], credential_type="key", fingerprint=doc.get("KeyFingerprint"),
               pem_rsa_key=doc.get("KeyMaterial"))


def volume(doc: Doc) -> StorageVolume:
    state = str(doc.get("State") or "unknown").upper()
    attachment = next(iter(doc.get("Attachments") or ()), None)
    instance_id = attachment.get("InstanceId") if attachment else None
    actions = ["detach"] if instance_id else (["attach"] if state == "AVAILABLE" else [])
    return StorageVolume(
        id=doc["VolumeId"], capacity=str(doc.get("Size", "")), state=state,
        name=tag(doc, "Name"), created=timestamp(doc.get("CreateTime")),
        realm_id=doc.get("AvailabilityZone"), instance_id=instance_id,
        device=attachment.get("Device") if attachment else None,
        kind=doc.get("VolumeType"), actions=actions,
    )


def snapshot(doc: Doc) -> StorageSnapshot:
    return StorageSnapshot(
        id=doc["SnapshotId"], storage_volume_id=doc.get("VolumeId") or "",
        state=str(doc.get("State") or "").upper(), created=timestamp(doc.get("StartTime")),
        name=tag(doc, "Name"), description=doc.get("Description") or None,
    )


def address(doc: Doc) -> Address:
    return Address(doc["PublicIp"], doc.get("InstanceId") or None)


# A rule's id carries what revoking it takes: protocol~from~to~sources, each source
# `group,OWNER,GROUP` or `address,FAMILY,IP,PREFIX` after an '@'. EC2 gives rules no
# ids of their own (Deltacloud's ec2 driver did the same).


def rule_id(protocol: str, port_from: str, port_to: str,
            sources: Iterable[FirewallSource]) -> str:
    parts = []
    for s in sources:
        if s.type == "group":
            parts.append(f"@group,{s.owner or ''},{s.name}")
        else:
            parts.append(f"@address,{s.family},{s.address},{s.prefix}")
    return f"{protocol}~{port_from}~{port_to}~{''.join(parts)}"


def permission_from_rule_id(id: str) -> dict[str, Any]:
    """The IpPermissions entry a rule id stands for; ValueError if it is not one."""
    protocol, port_from, port_to, sources = id.split("~", 3)
    perm: dict[str, Any] = {"IpProtocol": protocol}
    if protocol != "-1":
        perm["FromPort"], perm["ToPort"] = int(port_from), int(port_to)
    for source in sources.split("@")[1:]:
        fields = source.split(",")
        if fields[0] == "group" and len(fields) == 3:
            pair = {"GroupId" if fields[2].startswith("sg-") else "GroupName": fields[2]}
            if fields[1]:
                pair["UserId"] = fields[1]
            perm.setdefault("UserIdGroupPairs", []).append(pair)
        elif fields[0] == "address" and len(fields) == 4:
            cidr = f"{fields[2]}/{fields[3]}"
            if fields[1] == "ipv6":
                perm.setdefault("Ipv6Ranges", []).append({"CidrIpv6": cidr})
            else:
                perm.setdefault("IpRanges", []).append({"CidrIp": cidr})
        else:
            raise ValueError(id)
    return perm


def permission_from_rule(rule: FirewallRule) -> dict[str, Any]:
    perm: dict[str, Any] = {"IpProtocol": rule.allow_protocol,
                            "FromPort": int(rule.port_from), "ToPort": int(rule.port_to)}
    for s in rule.sources:
        if s.type == "group":
            pair = {"GroupId" if (s.name or "").startswith("sg-") else "GroupName": s.name}
            if s.owner:
                pair["UserId"] = s.owner
            perm.setdefault("UserIdGroupPairs", []).append(pair)
        elif s.family == "ipv6":
            perm.setdefault("Ipv6Ranges", []).append({"CidrIpv6": f"{s.address}/{s.prefix}"})
        else:
            perm.setdefault("IpRanges", []).append({"CidrIp": f"{s.address}/{s.prefix}"})
    return perm


def firewall(doc: Doc) -> Firewall:
    rules = []
    for perm in doc.get("IpPermissions") or ():
        sources = [
            FirewallSource("group", name=p.get("GroupId") or p.get("GroupName"),
                           owner=p.get("UserId"))
            for p in perm.get("UserIdGroupPairs") or ()
        ]
        for r in perm.get("IpRanges") or ():
            ip, _, prefix = r["CidrIp"].partition("/")
            sources.append(FirewallSource("address", address=ip, prefix=prefix or "32",
                                          family="ipv4"))
        for r in perm.get("Ipv6Ranges") or ():
            ip, _, prefix = r["CidrIpv6"].partition("/")
            sources.append(FirewallSource("address", address=ip, prefix=prefix or "128",
                                          family="ipv6"))
        protocol = str(perm.get("IpProtocol", "-1"))
        port_from, port_to = str(perm.get("FromPort", "")), str(perm.get("ToPort", ""))
        rules.append(FirewallRule(rule_id(protocol, port_from, port_to, sources),
                                  protocol, port_from, port_to, sources))
    return Firewall(id=doc["GroupId"], name=doc.get("GroupName") or doc["GroupId"],
                    description=doc.get("Description") or "", owner_id=doc.get("OwnerId"),
                    rules=rules)


def load_balancer(doc: Doc) -> LoadBalancer:
    return LoadBalancer(
        id=doc["LoadBalancerName"],
        realms=list(doc.get("AvailabilityZones") or ()),
        listeners=[
            Listener(d["Listener"]["Protocol"], int(d["Listener"]["LoadBalancerPort"]),
                     int(d["Listener"]["InstancePort"]))
            for d in doc.get("ListenerDescriptions") or ()
        ],
        instances=[i["InstanceId"] for i in doc.get("Instances") or ()],
        public_addresses=[doc["DNSName"]] if doc.get("DNSName") else [],
        created_at=timestamp(doc.get("CreatedTime")),
    )


def blob(bucket: str, key: str, head: Doc) -> Blob:
    return Blob(
        id=key, bucket=bucket, content_length=int(head.get("ContentLength") or 0),
        content_type=head.get("ContentType") or "application/octet-stream",
        last_modified=timestamp(head.get("LastModified")),
        user_metadata=dict(head.get("Metadata") or {}),
    )


METRIC_UNITS = (("Bytes", "Bytes"), ("Ops", "Count"), ("Count", "Count"),
                ("Utilization", "Percent"), ("Network", "Bytes"))


def metric_unit(name: str) -> str:
    return next((unit for word, unit in METRIC_UNITS if word in name), "None")


def sample(point: Doc) -> dict[str, Any]:
    when = point.get("Timestamp")
    return {
        "minimum": point.get("Minimum"), "maximum": point.get("Maximum"),
        "average": point.get("Average"),
        "timestamp": int(when.timestamp()) if isinstance(when, datetime) else when,
        "unit": point.get("Unit"),
    }
