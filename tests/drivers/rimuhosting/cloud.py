"""A replay of RimuHosting's `/r/` REST API, on tests/replay.py, from Libcloud's recorded
bodies (`../shared/fixtures/rimuhosting/libcloud/`).

Each request is matched on its method, path (matrix parameters included:
`/r/orders;include_inactive=N`, `/r/pricing-plans;server-type=VPS`), the API key in its
`Authorization: rimuhosting apikey=KEY` header and the JSON body it must carry, and answered
with the recording of that call. State is kept so a lifecycle plays: the order a
`POST /r/orders/new-vps` creates (the recorded new order) is listed afterwards, running-state
changes show in the listing, a deleted order is gone. Steps with no recording answer
bodies written from RimuHosting's API documentation, kept beside this file as
`documented_*.json`. Any other request is no recording, and fails the test.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

from tests.replay import Answer, ReplayServer, Request, fixture

KEY = "rimu-api-key-0123456789"
HERE = Path(__file__).parent
JSON = "application/json"
STATE_WRAPPERS = ("running_state_change_request", "reboot_request")  # documented, Libcloud's


def recorded(name: str) -> dict[str, Any]:
    """A recorded body (the test skips without ../shared)."""
    return json.loads(fixture("rimuhosting", "libcloud", f"{name}.json").read_text())


def documented(name: str) -> dict[str, Any]:
    """A body written from the API's documentation (beside this file)."""
    return json.loads((HERE / f"documented_{name}.json").read_text())


def _answer(body: dict[str, Any], status: int = 200) -> Answer:
    return Answer.of(json.dumps(body), JSON, status)


class RimuCloud:
    """The replayed API's state: the account's orders, and what it was asked."""

    def __init__(self) -> None:
        self.listing = recorded("r_orders")
        self.orders: dict[str, dict[str, Any]] = {
            str(o["order_oid"]): o for o in self.listing["get_orders_response"]["about_orders"]}
        self.distros = recorded("r_distributions")
        self.plans = recorded("r_pricing_plans")
        self.created = recorded("r_orders_new_vps")
        self.restarted = recorded("r_orders_order_88833465_api_ivan_net_nz_vps_running_state")
        self.deleted = recorded("r_orders_order_88833465_api_ivan_net_nz_vps")
        self.suspended: set[str] = set()  # orders whose running state RimuHosting refuses
        self.vanish_before_change = False  # another client deletes the order first
        self.new_vps_bodies: list[dict[str, Any]] = []
        self.state_changes: list[tuple[str, str, str]] = []  # (order, wrapper, state)
        self.server = ReplayServer()
        self._routes()

    # -- what the recordings cover ---------------------------------------------------------

    def _routes(self) -> None:
        route = self.server.route
        route("GET", r"/r/distributions")(self._distributions)
        route("GET", r"/r/pricing-plans;server-type=VPS")(self._plans)
        route("GET", r"/r/orders;include_inactive=N")(self._orders)
        route("POST", r"/r/orders/new-vps")(self._new_vps)
        route("PUT", r"/r/orders/order-(\d+)-([^/;]*)/vps/running-state")(self._running_state)
        route("DELETE", r"/r/orders/order-(\d+)-([^/;]*)/vps")(self._delete)

    def _key_ok(self, request: Request) -> bool:
        return request.headers.get("authorization") == f"rimuhosting apikey={KEY}"

    @staticmethod
    def _json_request(request: Request) -> bool:
        return (request.headers.get("accept") == JSON
                and request.headers.get("content-type") == JSON)

    def _distributions(self, request: Request, _: re.Match[str]) -> Answer | None:
        return _answer(self.distros) if self._json_request(request) else None

    def _plans(self, request: Request, _: re.Match[str]) -> Answer | None:
        return _answer(self.plans) if self._json_request(request) else None

    def _orders(self, request: Request, _: re.Match[str]) -> Answer | None:
        if not self._json_request(request):
            return None
        if not self._key_ok(request):
            return _answer(documented("error_login_required"), 403)
        listing = copy.deepcopy(self.listing)
        listing["get_orders_response"]["about_orders"] = list(self.orders.values())
        listing["get_orders_response"]["human_readable_message"] = (
            f"Found {len(self.orders)} orders")
        return _answer(listing)

    def _new_vps(self, request: Request, _: re.Match[str]) -> Answer | None:
        if not self._json_request(request):
            return None
        if not self._key_ok(request):
            return _answer(documented("error_login_required"), 403)
        body = json.loads(request.body or b"{}").get("new-vps") or {}
        options = body.get("instantiation_options") or {}
        codes = [d["distro_code"] for d in self.distros["get_distros_response"]["distro_infos"]]
        plans = [p["pricing_plan_code"]
                 for p in self.plans["get_pricing_plans_response"]["pricing_plan_infos"]]
        if (options.get("distro") not in codes or body.get("pricing_plan_code") not in plans
                or not options.get("domain_name") or not options.get("password")):
            return None  # no recording of an order RimuHosting would refuse
        self.new_vps_bodies.append(body)
        answer = copy.deepcopy(self.created)
        order = answer["post_new_vps_response"]["about_order"]
        # A second order in one test is the recorded one under the next id.
        oid = int(order["order_oid"]) + len(self.new_vps_bodies) - 1
        order["order_oid"] = oid
        order["slug"] = f"order-{oid}-{options['domain_name'].replace('.', '-')}"
        order["domain_name"] = options["domain_name"]
        answer["post_new_vps_response"]["new_order_request"]["instantiation_options"].update(
            options)
        self.orders[str(oid)] = copy.deepcopy(order)
        return _answer(answer)

    def _running_state(self, request: Request, match: re.Match[str]) -> Answer | None:
        if not self._json_request(request):
            return None
        if not self._key_ok(request):
            return _answer(documented("error_login_required"), 403)
        oid = match.group(1)
        if self.vanish_before_change:
            self.orders.pop(oid, None)
        if oid not in self.orders:
            return _answer(documented("error_order_not_found"), 404)
        body = json.loads(request.body or b"{}")
        wrapper = next((w for w in STATE_WRAPPERS if w in body), None)
        state = (body.get(wrapper) or {}).get("running_state") if wrapper else None
        answers = {"RESTARTING": self.restarted,
                   "NOTRUNNING": documented("running_state_notrunning"),
                   "RUNNING": documented("running_state_running")}
        if state not in answers:
            return None
        self.state_changes.append((oid, wrapper or "", state))
        if oid in self.suspended:
            return _answer(documented("error_running_state_refused"), 400)
        answer = answers[state]
        self.orders[oid]["running_state"] = (
            answer["put_running_state_response"]["running_vps_info"]["running_state"])
        return _answer(answer)

    def _delete(self, request: Request, match: re.Match[str]) -> Answer | None:
        if not self._json_request(request):
            return None
        if not self._key_ok(request):
            return _answer(documented("error_login_required"), 403)
        if self.orders.pop(match.group(1), None) is None:
            return _answer(documented("error_order_not_found"), 404)
        return _answer(self.deleted)
