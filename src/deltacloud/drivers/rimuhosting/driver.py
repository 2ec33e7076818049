"""The RimuHosting driver: RimuHosting's `/r/` REST API through Apache Libcloud's RimuHosting
driver (extra `[libcloud]`, imported on first use).

- Endpoint: the provider (`https://HOST[:PORT][/PATH]`, `HOST[:PORT]`), else
  `https://rimuhosting.com/r`; checked against the operator's endpoint policy before
  anything is sent (client.py).
- Credentials: the API key as the Basic password; the user is not used (as in Deltacloud).
- Images: distributions. Hardware profiles: VPS pricing plans. Realms: the data centres
  the plans are offered at. Instances: the account's active orders.
- Create, reboot and destroy are Libcloud's `create_node`, `reboot_node`, `destroy_node`;
  start and stop (which Libcloud lacks) put the VPS's running state RUNNING / NOTRUNNING
  through the same Libcloud connection.
README.md in this package says how it is tested.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from typing import Any, ClassVar

from deltacloud.drivers.base import (
    CallContext,
    Driver,
    Filters,
    Params,
    Provider,
    Settings,
    filter_on,
)
from deltacloud.drivers.rimuhosting import mapping
from deltacloud.drivers.rimuhosting.client import DEFAULT_ENDPOINT, Api, Client
from deltacloud.errors import AuthenticationFailure, BackendError, BadRequest, NotFound
from deltacloud.models import HardwareProfile, Image, Instance, Realm
from deltacloud.models.state_machine import machine

_ORDER_ID = re.compile(r"^\d{1,19}$")
# A host name: RimuHosting names the VPS (and its reverse DNS) after it.
_DOMAIN = re.compile(r"^(?=.{1,253}$)([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+"
                     r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.?$")

PLANS = "/pricing-plans;server-type=VPS"
ORDERS = "/orders;include_inactive=N"


def _items(answer: Mapping[str, Any], key: str) -> list[Any]:
    found = answer.get(key)
    if found is None:
        return []
    if not isinstance(found, list):
        raise BackendError(f"RimuHosting's answer has no list of {key}")
    return found


class RimuhostingDriver(Driver):
    name = "rimuhosting"
    display_name = "RimuHosting"
    username_label = "not used"
    password_label = "RimuHosting API key"
    collections: ClassVar = {
        "hardware_profiles": (),
        "images": (),
        "instance_states": (),
        "instances": ("user_name",),
        "realms": (),
    }
    instance_states = machine(
        ("start", "pending", "create"),
        ("pending", "running", None),
        ("pending", "finish", "destroy"),
        ("running", "running", "reboot"),
        ("running", "stopped", "stop"),
        ("running", "finish", "destroy"),
        ("stopped", "running", "start"),
        ("stopped", "finish", "destroy"),
    )

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.client = Client(settings)

    @classmethod
    def providers(cls, settings: Settings) -> list[Provider]:
        """RimuHosting's own endpoint, and the server's default provider when this is the
        server's default driver."""
        found = [Provider(DEFAULT_ENDPOINT)]
        if (settings.driver == cls.name and settings.provider
                and settings.provider.strip() != DEFAULT_ENDPOINT):
            found.append(Provider(settings.provider.strip()))
        return found

    def valid_credentials(self, ctx: CallContext) -> bool:
        """The catalogue answers without a key: the account's orders are what tell."""
        try:
            with self.client.api(ctx) as api:
                api.request(ORDERS)
        except AuthenticationFailure:
            return False
        return True

    # -- the catalogue: realms, images, hardware profiles ---------------------------------

    def realms(self, ctx: CallContext, filters: Filters) -> list[Realm]:
        with self.client.api(ctx, need_key=False) as api:
            plans = _items(api.request(PLANS), "pricing_plan_infos")
        return filter_on(mapping.realms_from(plans), filters, "id", "state")

    def images(self, ctx: CallContext, filters: Filters) -> list[Image]:
        with self.client.api(ctx, need_key=False) as api:
            found = [{"distro_code": i.id, "distro_description": i.name}
                     for i in api.driver.list_images()]
        images = mapping.images_from(found)
        if filters.get("owner_id") == "self":
            images = []  # every distribution is RimuHosting's
        return filter_on(images, filters, "id", "owner_id", "architecture", "state")

    def hardware_profiles(self, ctx: CallContext, filters: Filters) -> list[HardwareProfile]:
        with self.client.api(ctx, need_key=False) as api:
            plans = _items(api.request(PLANS), "pricing_plan_infos")
        return filter_on(mapping.profiles_from(plans), filters, "id")

    # -- instances ------------------------------------------------------------------------

    def instances(self, ctx: CallContext, filters: Filters) -> list[Instance]:
        with self.client.api(ctx) as api:
            orders = _items(api.request(ORDERS), "about_orders")
            plans = _items(api.request(PLANS), "pricing_plan_infos") if orders else []
        found = [self._instance(o, plans) for o in orders if isinstance(o, Mapping)]
        return filter_on(found, filters, "id", "state", "realm_id", "image_id")

    def create_instance(self, ctx: CallContext, params: Params) -> Instance:
        name = (params.get("name") or "").strip() or f"vps-{secrets.token_hex(4)}.localdomain"
        if not _DOMAIN.match(name):
            raise BadRequest("Parameter 'name' must be a host name (RimuHosting names the "
                             "VPS after it), e.g. web1.example.com")
        with self.client.api(ctx) as api:
            images = api.driver.list_images()
            image = next((i for i in images if mapping.image_id(i.id) == params.get(
                "image_id")), None)
            if image is None:
                raise BadRequest("Parameter 'image_id' names no image")
            plans = _items(api.request(PLANS), "pricing_plan_infos")
            plan = self._plan(plans, params.get("hwp_id"), params.get("realm_id"))
            node = api.driver.create_node(name=name, size=_size(api, plan), image=image)
            order = {"order_oid": node.extra.get("order_oid"), "domain_name": node.name,
                     "allocated_ips": {"primary_ip": (node.public_ips or [None])[0],
                                       "secondary_ips": node.public_ips[1:]},
                     "running_state": "RUNNING", "distro": image.id,
                     "pricing_plan_code": plan.get("pricing_plan_code"),
                     "location": {"data_center_location_code":
                                  (mapping.data_centre(plan) or ("",))[0]}}
        if not order["order_oid"]:
            raise BackendError("RimuHosting's answer to the order names no order")
        created = self._instance(order, plans)
        # The root password RimuHosting set up: shown in this answer only.
        created.username, created.password = "root", node.extra.get("password")
        return created

    def start_instance(self, ctx: CallContext, id: str) -> Instance:
        return self._running_state(ctx, id, "RUNNING")

    def stop_instance(self, ctx: CallContext, id: str) -> Instance:
        return self._running_state(ctx, id, "NOTRUNNING")

    def reboot_instance(self, ctx: CallContext, id: str) -> Instance:
        with self.client.api(ctx, refusal="action") as api:
            order = self._order(api, id)
            api.driver.reboot_node(_node(api, order))
            # Libcloud keeps the answer to itself: the order as it is now tells the state.
            order = self._order(api, id)
            plans = _items(api.request(PLANS), "pricing_plan_infos")
        return self._instance(order, plans)

    def destroy_instance(self, ctx: CallContext, id: str) -> None:
        with self.client.api(ctx, refusal="action") as api:
            api.driver.destroy_node(_node(api, self._order(api, id)))

    # -- helpers --------------------------------------------------------------------------

    def _running_state(self, ctx: CallContext, id: str, state: str) -> Instance:
        """PUT the VPS's running state (Libcloud has no call for it but reboot)."""
        with self.client.api(ctx, refusal="action") as api:
            order = dict(self._order(api, id))
            answer = api.request(f"/orders/{order['slug']}/vps/running-state", "PUT",
                                 {"running_state_change_request": {"running_state": state}})
            info = answer.get("running_vps_info")
            order["running_state"] = (info.get("running_state") if isinstance(info, Mapping)
                                      else None) or state
            plans = _items(api.request(PLANS), "pricing_plan_infos")
        return self._instance(order, plans)

    @staticmethod
    def _order(api: Api, id: str) -> Mapping[str, Any]:
        """The active order with this id (its order_oid); 404 otherwise."""
        if not _ORDER_ID.match(id or ""):
            raise NotFound("Instance not found")
        for order in _items(api.request(ORDERS), "about_orders"):
            if isinstance(order, Mapping) and str(order.get("order_oid")) == id:
                if not order.get("slug"):
                    raise BackendError("RimuHosting's order names no slug to address it by")
                return order
        raise NotFound("Instance not found")

    @staticmethod
    def _plan(plans: list[Any], hwp_id: str | None, realm_id: str | None) -> Mapping[str, Any]:
        """The plan asked for (the first one offered without `hwp_id`), which must be
        offered at the realm asked for."""
        offered = [p for p in plans if isinstance(p, Mapping) and p.get("pricing_plan_code")]
        if realm_id:
            if realm_id not in {r.id for r in mapping.realms_from(offered)}:
                raise BadRequest("Parameter 'realm_id' names no realm")
            offered = [p for p in offered if (mapping.data_centre(p) or ("",))[0] == realm_id]
        if hwp_id:
            offered = [p for p in offered if str(p.get("pricing_plan_code")) == hwp_id]
        if not offered:
            raise BadRequest("No hardware profile is offered in that realm" if realm_id
                             else "Parameter 'hwp_id' names no hardware profile")
        return offered[0]

    def _instance(self, order: Mapping[str, Any], plans: list[Any]) -> Instance:
        state = mapping.order_state(order)
        return mapping.instance_from(order, self.instance_actions(state.lower()),
                                     mapping.profile_of(order, plans))


def _node(api: Api, order: Mapping[str, Any]) -> Any:
    """Libcloud's node of an order, as its calls address one (by the order's slug)."""
    from libcloud.compute.base import Node
    from libcloud.compute.types import NodeState

    return Node(id=str(order["slug"]), name=str(order.get("domain_name") or ""),
                state=NodeState.RUNNING, public_ips=[], private_ips=[], driver=api.driver)


def _size(api: Api, plan: Mapping[str, Any]) -> Any:
    """Libcloud's size of a plan (its create call sends only the plan's code)."""
    from libcloud.compute.base import NodeSize

    return NodeSize(id=str(plan["pricing_plan_code"]),
                    name=str(plan.get("pricing_plan_description") or ""),
                    ram=int(mapping.number(plan.get("minimum_memory_mb")) or 0),
                    disk=int(mapping.number(plan.get("minimum_disk_gb")) or 0),
                    bandwidth=None, price=0.0, driver=api.driver)
