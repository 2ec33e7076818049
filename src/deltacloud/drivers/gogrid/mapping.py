"""GoGrid's JSON objects as deltacloud models.

- Realms: the data centres of `common/lookup/list?lookup=ip.datacenter`.
- Hardware profiles: one per server type (`lookup=server.type`: "Web Server" is
  `web-server`), 2 CPUs and 25 GB fixed, memory an enum of the RAM options
  (`lookup=server.ram`: "512MB", "1GB", ...), as Deltacloud had them.
- Images: server images; architecture from their `architecture` option (else from the
  description), description with the price when there is one, owner the owner's name.
- Instances: servers, named and identified by their name (GoGrid gives a new server its
  numeric id only once it is built); PENDING without an id yet, STOPPED when Off,
  RUNNING otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from deltacloud.models import HardwareProfile, Image, Instance, Key, Realm
from deltacloud.models.hardware_profile import Property
from deltacloud.models.instance_address import InstanceAddress

CPUS = 2
STORAGE_GB = 25
DEFAULT_MEMORY_MB = 512
_RAM = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(MB|GB|TB)\s*$", re.IGNORECASE)
_FACTOR = {"MB": 1, "GB": 1024, "TB": 1024 * 1024}


def _dict(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def megabytes(ram_name: str) -> int | None:
    """MB of a RAM option's name ("512MB", "1GB", "24GB"); None for what is no size."""
    match = _RAM.match(ram_name or "")
    if match is None:
        return None
    return int(float(match.group(1)) * _FACTOR[match.group(2).upper()])


def ram_option(memory_mb: int) -> str:
    """The `server.ram` name GoGrid takes for a size: 512MB, else whole gigabytes."""
    return f"{memory_mb}MB" if memory_mb < 1024 else f"{memory_mb // 1024}GB"


def profile_id(type_name: str) -> str:
    """A server type's name as a profile id ("Web Server" -> "web-server")."""
    return "-".join(type_name.split()).lower()


def realm_from(option: Mapping[str, Any]) -> Realm:
    return Realm(_text(option.get("id")), _text(option.get("name")), "AVAILABLE")


def profiles_from(types: list[dict[str, Any]], rams: list[dict[str, Any]]) -> list[HardwareProfile]:
    sizes = sorted({m for m in (megabytes(_text(r.get("name"))) for r in rams) if m})
    default = DEFAULT_MEMORY_MB if DEFAULT_MEMORY_MB in sizes else (sizes[0] if sizes else 0)
    found = []
    for server_type in types:
        name = _text(server_type.get("name"))
        if not name:
            continue
        props = [Property.fixed("cpu", CPUS)]
        if sizes:
            props.append(Property.enum("memory", tuple(sizes), default))
        props.append(Property.fixed("storage", STORAGE_GB))
        found.append(HardwareProfile(profile_id(name), name, tuple(props)))
    return found


def _architecture(image: Mapping[str, Any]) -> str:
    named = _text(_dict(image.get("architecture")).get("name"))
    text = named or _text(image.get("description"))
    return "x86_64" if "64-bit" in text or "64 bit" in text else "i386"


def _description(image: Mapping[str, Any]) -> str:
    description = _text(image.get("description"))
    price = image.get("price")
    if price in (None, 0, 0.0):
        return description
    return f"{description} ({price}$)"


def image_from(image: Mapping[str, Any]) -> Image:
    server_type = _text(_dict(image.get("type")).get("name"))
    return Image(
        id=_text(image.get("id")),
        name=_text(image.get("friendlyName") or image.get("name")),
        owner_id=_text(_dict(image.get("owner")).get("name")),
        description=_description(image),
        architecture=_architecture(image),
        state=_text(_dict(image.get("state")).get("name")).upper() or "UNKNOWN",
        hardware_profiles=[profile_id(server_type)] if server_type else [],
    )


def instance_state(server: Mapping[str, Any]) -> str:
    """PENDING until GoGrid has given the server its id; then STOPPED when Off."""
    if server.get("id") in (None, ""):
        return "PENDING"
    return "STOPPED" if _text(_dict(server.get("state")).get("name")) == "Off" else "RUNNING"


def realm_of(server: Mapping[str, Any]) -> str:
    """The data centre of the server's IP (a new server's answer may name it only there or
    only on the server)."""
    centre = _dict(_dict(server.get("ip")).get("datacenter")) or _dict(server.get("datacenter"))
    return _text(centre.get("id"))


def instance_from(server: Mapping[str, Any], owner: str, actions: list[str],
                  login: tuple[str, str] | None = None) -> Instance:
    name = _text(server.get("name"))
    overrides = {}
    memory = megabytes(_text(_dict(server.get("ram")).get("name")))
    if memory is not None:
        overrides["memory"] = str(memory)
    server_type = _text(_dict(server.get("type")).get("name"))
    address = _text(_dict(server.get("ip")).get("ip"))
    return Instance(
        id=name, name=name, owner_id=owner,
        image_id=_text(_dict(server.get("image")).get("id")),
        realm_id=realm_of(server), state=instance_state(server),
        hardware_profile_id=profile_id(server_type) if server_type else "",
        hardware_profile_overrides=overrides, actions=actions,
        public_addresses=[InstanceAddress(address)] if address else [],
        username=login[0] if login else None, password=login[1] if login else None,
    )


def login_for(passwords: list[Any], server: Mapping[str, Any]) -> tuple[str, str] | None:
    """The OS user and password GoGrid keeps for a server (`support/password/list`)."""
    server_id = server.get("id")
    if server_id in (None, ""):
        return None
    for entry in passwords:
        if not isinstance(entry, Mapping):
            continue
        if _dict(entry.get("server")).get("id") == server_id and entry.get("password"):
            return _text(entry.get("username")), _text(entry.get("password"))
    return None


def key_from(entry: Mapping[str, Any]) -> Key:
    return Key(id=_text(entry.get("id")), credential_type="password",
               username=_text(entry.get("username")), password=_text(entry.get("password")))
