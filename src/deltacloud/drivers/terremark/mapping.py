"""vCloud Express 0.8's documents as API models; vCloud's words stay here.

The documents are XML in vCloud's namespace, with OVF sections (network connections,
virtual hardware) in the DMTF namespaces. Elements are matched by local name, so a
section's namespace prefix does not matter. Ids are the last segment of an object's href
(`.../vapp/14031` is instance `14031`); hrefs are followed by their path only.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from urllib.parse import urlsplit

from deltacloud.models import HardwareProfile, Image, Instance, InstanceAddress, Property, Realm

VDC = "application/vnd.vmware.vcloud.vdc+xml"
VAPP = "application/vnd.vmware.vcloud.vApp+xml"
INSTANTIATE = "application/vnd.vmware.vcloud.instantiateVAppTemplateParams+xml"

# vApp status (vCloud 0.8): 0 being created, 1 created (resolved), 2 off, 4 on; Deltacloud's
# map, with 3 (suspended) off and -1 (creation failed) an error.
STATES = {"-1": "ERROR", "0": "PENDING", "1": "PENDING", "2": "STOPPED", "3": "STOPPED",
          "4": "RUNNING"}
# OVF resource types (CIM_ResourceAllocationSettingData) of the virtual hardware items.
CPU_TYPE, MEMORY_TYPE, DISK_TYPE = "3", "4", "17"

# Deltacloud 1.1's terremark hardware profile `default`, as it declared it.
PROFILE_ID = "default"
CPUS = (1, 2, 4, 8)
MEMORY_MB = (512, 1024, 2048, 4096, 8192)
STORAGE_GB = (1, 500)
_ID = re.compile(r"^\d{1,12}$")
_ARCH = {"32-bit": "i386", "64-bit": "x86_64"}


def local(element: ET.Element) -> str:
    return element.tag.rsplit("}", 1)[-1]


def children(element: ET.Element, name: str) -> Iterator[ET.Element]:
    return (c for c in element if local(c) == name)


def descendants(element: ET.Element, name: str) -> Iterator[ET.Element]:
    return (c for c in element.iter() if local(c) == name)


def path_of_href(href: str) -> str:
    return urlsplit(href.strip()).path


def path_of(element: ET.Element) -> str:
    return path_of_href(element.get("href") or "")


def id_of(element: ET.Element) -> str:
    return last_segment(element.get("href") or "")


def valid_id(text: str | None) -> bool:
    """Whether `text` can be a vCloud Express object id (a number)."""
    return bool(text) and _ID.match(text or "") is not None


def first_org(org_list: ET.Element) -> ET.Element | None:
    """The login answer's (OrgList) first organization."""
    return next(iter(children(org_list, "Org")), None)


def last_segment(href: str) -> str:
    return urlsplit(href.strip()).path.rstrip("/").rsplit("/", 1)[-1]


def realm_from(href: str, name: str | None) -> Realm:
    """A vDC (as Libcloud's `Vdc`: its href and name)."""
    return Realm(id=last_segment(href), name=name or last_segment(href), state="AVAILABLE")


def vapp_entities(vdc: ET.Element) -> list[ET.Element]:
    """The vApps a vDC holds (its ResourceEntities of the vApp type)."""
    return [e for section in children(vdc, "ResourceEntities")
            for e in children(section, "ResourceEntity") if e.get("type") == VAPP]


def networks(vdc: ET.Element) -> list[str]:
    """The hrefs of the networks a vDC offers new vApps."""
    return [n.get("href") or "" for section in children(vdc, "AvailableNetworks")
            for n in children(section, "Network")]


def image_from(href: str, name: str | None, owner: str) -> Image:
    """A catalog's vApp template, as Libcloud's `NodeImage` (its href and name); Deltacloud
    gave the name as description too, and the user as owner."""
    name = name or last_segment(href)
    arch = next((a for words, a in _ARCH.items() if words in name), "")
    return Image(id=last_segment(href), name=name, owner_id=owner, description=name,
                 architecture=arch, hardware_profiles=[PROFILE_ID])


def profile() -> HardwareProfile:
    return HardwareProfile(PROFILE_ID, PROFILE_ID, (
        Property.enum("cpu", CPUS),
        Property.enum("memory", MEMORY_MB),
        Property.range("storage", *STORAGE_GB),
    ))


def _hardware(vapp: ET.Element) -> dict[str, str]:
    """CPUs, memory (MB) and the first disk (GB) of a vApp's virtual hardware section."""
    found: dict[str, str] = {}
    for item in descendants(vapp, "Item"):
        kind = next((c.text for c in children(item, "ResourceType")), None)
        quantity = next((c.text for c in children(item, "VirtualQuantity")), None)
        if not quantity or not quantity.strip().isdigit():
            continue
        amount = int(quantity)
        if kind == CPU_TYPE:
            found.setdefault("cpu", str(amount))
        elif kind == MEMORY_TYPE:
            found.setdefault("memory", str(amount))
        elif kind == DISK_TYPE:  # in KB
            found.setdefault("storage", str(max(1, amount // (1024 * 1024))))
    return found


def _addresses(vapp: ET.Element) -> tuple[list[InstanceAddress], list[InstanceAddress]]:
    """(public, private): the `Internal` network's addresses are private, others public."""
    public: list[InstanceAddress] = []
    private: list[InstanceAddress] = []
    for connection in descendants(vapp, "NetworkConnection"):
        side = private if connection.get("Network") == "Internal" else public
        side.extend(InstanceAddress(ip.text.strip()) for ip in children(connection, "IpAddress")
                    if ip.text and ip.text.strip())
    return public, private


def state_of(vapp: ET.Element) -> str:
    return STATES.get((vapp.get("status") or "").strip(), "PENDING")


def realm_of(vapp: ET.Element) -> str:
    up = next((link for link in children(vapp, "Link")
               if link.get("rel") == "up" and link.get("type") == VDC), None)
    return id_of(up) if up is not None else ""


def instance_from(vapp: ET.Element, owner: str, actions: list[str]) -> Instance:
    """A vApp. vCloud Express does not say which template it came from (Deltacloud could
    not either); its sizes are known once it is created."""
    state = state_of(vapp)
    public, private = _addresses(vapp)
    return Instance(
        id=id_of(vapp), name=vapp.get("name") or id_of(vapp), owner_id=owner, image_id="",
        realm_id=realm_of(vapp), state=state, hardware_profile_id=PROFILE_ID,
        hardware_profile_overrides=_hardware(vapp) if state != "PENDING" else {},
        actions=actions, public_addresses=public, private_addresses=private)


def task_status(task: ET.Element) -> str:
    return (task.get("status") or "").strip().lower()


def task_error(task: ET.Element) -> str:
    error = next(iter(children(task, "Error")), None)
    return (error.get("message") or "") if error is not None else ""
