"""Firewalls (security groups) and their rules."""

import re
from collections.abc import Mapping

from deltacloud.collections.base import (
    Call,
    Collection,
    Operation,
    Param,
    Result,
    create,
    destroy,
    index,
    show,
)
from deltacloud.errors import BadRequest
from deltacloud.models import FirewallRule, FirewallSource

_PORT = re.compile(r"-?[0-9]{1,5}")  # -1: every port (ICMP)


def rule_from_params(params: Mapping[str, str]) -> FirewallRule:
    """Deltacloud's form: protocol, port_from, port_to, then sources as `ip_addressN`
    (CIDR) and `groupN` / `groupNowner` pairs."""
    sources: list[FirewallSource] = []
    for key in sorted(k for k in params if k.startswith(("ip_address", "ip-address"))):
        address, _, prefix = params[key].partition("/")
        family = "ipv6" if ":" in address else "ipv4"
        sources.append(FirewallSource("address", address=address, prefix=prefix or
                                      ("128" if family == "ipv6" else "32"), family=family))
    for key in sorted(k for k in params if k.startswith("group") and not k.endswith("owner")):
        sources.append(FirewallSource("group", name=params[key],
                                      owner=params.get(f"{key}owner") or None))
    if not sources:
        raise BadRequest("No sources: give at least one ip_addressN or groupN")
    for port in ("port_from", "port_to"):
        value = params[port]
        if not _PORT.fullmatch(value.strip()):
            raise BadRequest(f"Parameter '{port}' must be a port number")
    return FirewallRule("", params["protocol"], params["port_from"], params["port_to"], sources)


def _add_rule(call: Call) -> Result:
    rule = rule_from_params(call.params)
    firewall = call.driver.create_firewall_rule(call.ctx, call.resource_id, rule)
    return Result(firewall, 201, location=f"firewalls/{firewall.id}")


def _delete_rule(call: Call) -> Result:
    call.driver.destroy_firewall_rule(call.ctx, call.resource_id, call.path["rule_id"])
    return Result(None, 204)


FIREWALLS = Collection(
    "firewalls",
    "Rules for the traffic instances accept (security groups)",
    (
        index("firewalls", "firewalls"),
        show("firewall", "firewalls"),
        create("firewalls", "create_firewall",
               (Param("name", required=True), Param("description", required=True)),
               "Create a firewall"),
        destroy("destroy_firewall", "Delete a firewall"),
        Operation(
            "rules", "POST", "/{id}/rules", _add_rule, "create_firewall_rule",
            (
                Param("protocol", required=True, choices=("tcp", "udp", "icmp")),
                Param("port_from", required=True),
                Param("port_to", required=True),
            ),
            "Add a rule: sources as ip_addressN (CIDR) and groupN / groupNowner",
            numbered=("ip_address", "ip-address", "group"),
        ),
        Operation("delete_rule", "DELETE", "/{id}/{rule_id:path}", _delete_rule,
                  "destroy_firewall_rule", (), "Delete a rule"),
    ),
)
