"""SCE's XML objects as API models; SCE's words and numbers stay in this module.

SCE answers with one root element (`ns2:DescribeInstancesResponse`, ...) whose children
carry no namespace: `<Instance>`, `<Image>`, `<Location>`, each with child elements such
as `<ID>`, `<Status>`. Instance types are named like `COP32.1/2048/60` (Copper, 32 bit,
1 CPU, 2048 MB, one 60 GB disk); as a profile id the `/` becomes `-`, as Deltacloud's
driver wrote it, so that the id fits in a URL path segment.
"""

from __future__ import annotations

import contextlib
import datetime
import ipaddress
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable

from deltacloud.models import HardwareProfile, Image, Instance, InstanceAddress, Property, Realm

# Instance <Status> codes, as SCE documents them, and the API state of each.
INSTANCE_STATES = {
    0: "PENDING",  # New
    1: "PENDING",  # Provisioning
    2: "ERROR",  # Failed
    # 3, Removed: the instance is gone, and is not shown
    4: "ERROR",  # Rejected
    5: "RUNNING",  # Active
    6: "ERROR",  # Unknown
    7: "SHUTTING_DOWN",  # Deprovisioning
    8: "PENDING",  # Restarting
    9: "PENDING",  # Starting
    10: "STOPPING",  # Stopping
    11: "STOPPED",  # Stopped
    12: "SHUTTING_DOWN",  # Deprovision pending
    13: "PENDING",  # Restart pending
    14: "PENDING",  # Attaching (a volume)
    15: "PENDING",  # Detaching (a volume)
}
REMOVED = 3
# Image <State>: 0 new, 1 available, 2 unavailable, 3 deleted, 4 capturing.
IMAGE_AVAILABLE = 1
IMAGE_DELETED = 3
# Location <State>: 0 unavailable, 1 available.
LOCATION_AVAILABLE = 1

# The instance types SCE documented (Deltacloud's and Libcloud's drivers list the same), for
# a client that asks for hardware profiles without credentials.
CATALOGUE: dict[str, str] = {
    "BRZ32.1/2048/60*175": "Bronze 32 bit",
    "BRZ64.2/4096/60*500*350": "Bronze 64 bit",
    "COP32.1/2048/60": "Copper 32 bit",
    "COP64.2/4096/60": "Copper 64 bit",
    "SLV32.2/4096/60*350": "Silver 32 bit",
    "SLV64.4/8192/60*500*500": "Silver 64 bit",
    "GLD32.4/4096/60*350": "Gold 32 bit",
    "GLD64.8/16384/60*500*500": "Gold 64 bit",
    "PLT64.16/16384/60*500*500*500*500": "Platinum 64 bit",
}
_TYPE = re.compile(r"^[A-Z]+(32|64)\.(\d{1,4})/(\d{1,8})/(\d{1,6}(?:\*\d{1,6})*)$")
ARCHITECTURES = {"32": "i386", "64": "x86_64"}


def text(element: ET.Element, path: str) -> str:
    """A child's text, stripped; '' when absent or empty."""
    return (element.findtext(path) or "").strip()


def _number(value: str) -> int | None:
    try:
        return int(value)
    except ValueError:
        return None


def profile_id(instance_type: str) -> str:
    return instance_type.replace("/", "-")


def instance_type(profile: str) -> str:
    return profile.replace("-", "/")


def _iso(value: str) -> str | None:
    """SCE's times (`2010-04-06T15:40:24.745-04:00`) in UTC, as the API shows times."""
    try:
        when = datetime.datetime.fromisoformat(value)
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.UTC)
    return when.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def realm_from(location: ET.Element) -> Realm:
    available = _number(text(location, "State")) == LOCATION_AVAILABLE
    return Realm(text(location, "ID"), text(location, "Name") or text(location, "ID"),
                 "AVAILABLE" if available else "UNAVAILABLE")


def supported_types(image: ET.Element) -> list[tuple[str, str]]:
    """(instance type, label) pairs an image runs on. Older answers give the type as the
    element's text (`<InstanceType>LARGE</InstanceType>`), later ones as `<ID>` and
    `<Label>` children."""
    found = []
    for element in image.findall("SupportedInstanceTypes/InstanceType"):
        type_id = text(element, "ID") or (element.text or "").strip()
        if type_id:
            found.append((type_id, text(element, "Label")))
    return found


def image_from(image: ET.Element) -> Image | None:
    """An image offering; None for a deleted one."""
    state = _number(text(image, "State"))
    if state == IMAGE_DELETED:
        return None
    return Image(
        id=text(image, "ID"), name=text(image, "Name"), owner_id=text(image, "Owner"),
        description=text(image, "Description"), architecture=text(image, "Architecture"),
        state="AVAILABLE" if state == IMAGE_AVAILABLE else "UNAVAILABLE",
        creation_time=_iso(text(image, "CreatedTime")),
        hardware_profiles=[profile_id(t) for t, _ in supported_types(image)],
    )


def profile_from(type_id: str, label: str = "") -> HardwareProfile:
    """An instance type as a profile: its sizes read from its name where SCE's naming
    gives them (CPUs, MB of memory, GB of disks summed); a type named otherwise (the early
    SMALL, MEDIUM, LARGE) says nothing of its sizes."""
    name = label or CATALOGUE.get(type_id, "") or type_id
    match = _TYPE.match(type_id)
    if match is None:
        return HardwareProfile(profile_id(type_id), name)
    bits, cpus, memory, disks = match.groups()
    storage = sum(int(d) for d in disks.split("*"))
    return HardwareProfile(profile_id(type_id), name, (
        Property.fixed("cpu", int(cpus)), Property.fixed("memory", int(memory)),
        Property.fixed("storage", storage), Property.fixed("architecture", ARCHITECTURES[bits]),
    ))


def profiles_of(images: Iterable[ET.Element]) -> list[HardwareProfile]:
    """Every instance type some image runs on, once, in the order first listed."""
    seen: dict[str, str] = {}
    for image in images:
        if _number(text(image, "State")) == IMAGE_DELETED:
            continue
        for type_id, label in supported_types(image):
            if not seen.get(type_id):
                seen[type_id] = label
    return [profile_from(t, label) for t, label in seen.items()]


def catalogue() -> list[HardwareProfile]:
    return [profile_from(t, label) for t, label in CATALOGUE.items()]


def status_of(instance: ET.Element) -> int | None:
    return _number(text(instance, "Status"))


def _addresses(instance: ET.Element) -> list[InstanceAddress]:
    found = []
    ip = text(instance, "IP")
    with contextlib.suppress(ValueError):  # SCE sends <IP/> before one is assigned
        found.append(InstanceAddress(ip, f"ipv{ipaddress.ip_address(ip).version}"))
    hostname = text(instance, "Hostname")
    if hostname:
        found.append(InstanceAddress(hostname, "hostname"))
    return found


def instance_state(instance: ET.Element) -> str | None:
    """The API state of an instance; None for a removed one (gone). A code SCE did not
    document is shown as an error rather than guessed."""
    status = status_of(instance)
    if status == REMOVED:
        return None
    return INSTANCE_STATES.get(status if status is not None else -1, "ERROR")


def instance_from(instance: ET.Element, state: str, actions: list[str]) -> Instance:
    return Instance(
        id=text(instance, "ID"), name=text(instance, "Name"), owner_id=text(instance, "Owner"),
        image_id=text(instance, "ImageID"), realm_id=text(instance, "Location"), state=state,
        hardware_profile_id=profile_id(text(instance, "InstanceType")), actions=actions,
        public_addresses=_addresses(instance), launch_time=_iso(text(instance, "LaunchTime")),
        keyname=text(instance, "KeyName") or None,
    )
