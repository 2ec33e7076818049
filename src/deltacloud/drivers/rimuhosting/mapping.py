"""RimuHosting's JSON objects as API models; RimuHosting's words stay here.

Distributions (`distro_infos`) are images, VPS pricing plans (`pricing_plan_infos`) are
hardware profiles, the data centres plans are offered at are realms, and orders
(`about_orders`, `about_order`) are instances.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from deltacloud.models import HardwareProfile, Image, Instance, InstanceAddress, Property, Realm

# Deltacloud 1.1 said "root" for the owner of every image and instance: the API names none.
OWNER = "root"
# Deltacloud 1.1's architecture for RimuHosting (its plans and distributions name none).
ARCHITECTURE = "x86"
# The profile of an order whose plan cannot be told (orders do not name their plan).
UNKNOWN_PROFILE = "none"

# RunningVPSInfo.running_state: RUNNING | NOTRUNNING | RESTARTING | POWERCYCLING.
STATES = {"RUNNING": "RUNNING", "NOTRUNNING": "STOPPED", "RESTARTING": "PENDING",
          "POWERCYCLING": "PENDING"}


def _dict(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else []


def number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _whole(value: float) -> int | float:
    return int(value) if value.is_integer() else value


def image_id(distro_code: str) -> str:
    """Deltacloud's image id of a distribution: its code with dots as dashes."""
    return distro_code.replace(".", "-")


def image_from(distro: Mapping[str, Any]) -> Image | None:
    code = str(distro.get("distro_code") or "")
    if not code:
        return None
    return Image(id=image_id(code), name=code,
                 description=str(distro.get("distro_description") or ""),
                 owner_id=OWNER, architecture=ARCHITECTURE)


def images_from(distros: Iterable[Any]) -> list[Image]:
    """In the API's order (Deltacloud 1.1 meant to sort them, but listed them so)."""
    return [i for i in (image_from(_dict(d)) for d in distros) if i is not None]


def profile_from(plan: Mapping[str, Any]) -> HardwareProfile | None:
    """A VPS plan: its minimum memory (MB) and disk (GB), fixed, as Deltacloud had them."""
    code = str(plan.get("pricing_plan_code") or "")
    if not code:
        return None
    props = []
    memory = number(plan.get("minimum_memory_mb"))
    if memory is not None:
        props.append(Property.fixed("memory", _whole(memory)))
    disk = number(plan.get("minimum_disk_gb"))
    if disk is not None:
        props.append(Property.fixed("storage", _whole(disk)))
    props.append(Property.fixed("architecture", ARCHITECTURE))
    return HardwareProfile(code, code, tuple(props))


def profiles_from(plans: Iterable[Any]) -> list[HardwareProfile]:
    return [p for p in (profile_from(_dict(plan)) for plan in plans) if p is not None]


def data_centre(plan: Mapping[str, Any]) -> tuple[str, str] | None:
    """(code, name) of the data centre a plan is offered at, if it says."""
    dc = _dict(plan.get("offered_at_data_center"))
    code = str(dc.get("data_center_location_code") or "")
    return (code, str(dc.get("data_center_location_name") or code)) if code else None


def realms_from(plans: Iterable[Any]) -> list[Realm]:
    """The data centres the plans are offered at, each once, in the plans' order."""
    seen: dict[str, str] = {}
    for plan in plans:
        found = data_centre(_dict(plan))
        if found is not None:
            seen.setdefault(*found)
    return [Realm(code, name, "AVAILABLE") for code, name in seen.items()]


def order_state(order: Mapping[str, Any]) -> str:
    """The API state of an order; one that names no running state is RUNNING, as
    Libcloud and Deltacloud took every order to be."""
    return STATES.get(str(order.get("running_state") or "RUNNING"), "PENDING")


def _addresses(order: Mapping[str, Any]) -> list[InstanceAddress]:
    ips = _dict(order.get("allocated_ips"))
    found = [ips.get("primary_ip"), *_list(ips.get("secondary_ips"))]
    return [InstanceAddress(str(ip), "ipv6" if ":" in str(ip) else "ipv4")
            for ip in found if ip]


def profile_of(order: Mapping[str, Any], plans: Iterable[Any]) -> str:
    """The plan an order was made from: the one it names (a new order's request), else the
    only plan at the order's data centre whose minimums are its sizes, else `none`."""
    named = order.get("pricing_plan_code")
    if named:
        return str(named)
    params = _dict(order.get("vps_parameters"))
    memory, disk = number(params.get("memory_mb")), number(params.get("disk_space_mb"))
    where = str(_dict(order.get("location")).get("data_center_location_code") or "")
    fits = [str(p.get("pricing_plan_code")) for p in (_dict(p) for p in plans)
            if number(p.get("minimum_memory_mb")) == memory and memory is not None
            and disk is not None and number(p.get("minimum_disk_gb")) == disk / 1024
            and (not where or (data_centre(p) or ("",))[0] == where)]
    return fits[0] if len(fits) == 1 else UNKNOWN_PROFILE


def instance_from(order: Mapping[str, Any], actions: list[str], profile: str) -> Instance:
    params = _dict(order.get("vps_parameters"))
    overrides: dict[str, str] = {}
    memory, disk = number(params.get("memory_mb")), number(params.get("disk_space_mb"))
    if memory is not None:
        overrides["memory"] = str(_whole(memory))
    if disk is not None:
        overrides["storage"] = str(_whole(disk / 1024))
    distro = str(order.get("distro") or "")
    launched = _dict(_dict(order.get("billing_info")).get("order_date")).get("iso_format")
    return Instance(
        id=str(order.get("order_oid")),
        name=str(order.get("domain_name") or ""),
        owner_id=OWNER,
        image_id=image_id(distro) if distro else "",
        realm_id=str(_dict(order.get("location")).get("data_center_location_code") or ""),
        state=order_state(order),
        hardware_profile_id=profile,
        hardware_profile_overrides=overrides,
        actions=actions,
        public_addresses=_addresses(order),
        launch_time=str(launched) if launched else None,
    )
