"""Addresses (Neutron floating IPs) and firewalls (security groups) on the test OpenStack."""

from __future__ import annotations

import time

from starlette.testclient import TestClient

from tests.drivers.openstack.test_compute import tiny, wait_state
from tests.helpers import ids, xml


def test_firewalls_and_rules(api: TestClient, name: str) -> None:
    created = api.post("/api/firewalls", data={"name": name, "description": "web"})
    assert created.status_code == 201, created.text
    group = xml(created)
    path = f"/api/firewalls/{group.get('id')}"
    try:
        assert group.findtext("name") == name
        assert group.get("id") in ids(xml(api.get("/api/firewalls")), "firewall")
        added = api.post(f"{path}/rules", data={
            "protocol": "tcp", "port_from": "80", "port_to": "81",
            "ip_address1": "203.0.113.0/24", "group1": "default"})
        assert added.status_code == 201, added.text
        rules = xml(api.get(path)).findall("rules/rule")
        tcp = [r for r in rules if r.findtext("allow_protocol") == "tcp"]
        assert len(tcp) == 2  # one Neutron rule per source
        assert {r.findtext("port_from") for r in tcp} == {"80"}
        sources = [s.attrib for r in tcp for s in r.findall("sources/source")]
        assert {"type": "address", "family": "ipv4", "address": "203.0.113.0",
                "prefix": "24"} in sources
        assert any(s.get("type") == "group" and s.get("name") == "default" for s in sources)
        rule_id = tcp[0].get("id")
        assert api.delete(f"{path}/{rule_id}").status_code == 204
        assert api.delete(f"{path}/{rule_id}").status_code == 404
        assert len([r for r in xml(api.get(path)).findall("rules/rule")
                    if r.findtext("allow_protocol") == "tcp"]) == 1
    finally:
        assert api.delete(path).status_code == 204
    assert api.get(path).status_code == 404


def test_addresses_are_floating_ips(api: TestClient, name: str) -> None:
    image_id, hwp_id = tiny(api)
    instance = xml(api.post("/api/instances", data={"image_id": image_id, "hwp_id": hwp_id,
                                                    "name": name}))
    instance_path = f"/api/instances/{instance.get('id')}"
    created = api.post("/api/addresses")
    assert created.status_code == 201, created.text
    address = xml(created).get("id", "")
    path = f"/api/addresses/{address}"
    try:
        assert address.startswith("198.51.100.")
        assert address in ids(xml(api.get("/api/addresses")), "address")
        wait_state(api, instance_path, "RUNNING")
        associated = api.post(f"{path}/associate", data={"instance_id": instance.get("id")})
        assert associated.status_code == 202, associated.text
        shown = xml(api.get(path))
        assert shown.find("instance").get("id") == instance.get("id")
        assert api.delete(path).status_code == 409  # still associated
        # Neutron tells Nova; the server's addresses follow shortly
        deadline = time.monotonic() + 20
        while address not in [a.text for a in xml(api.get(instance_path)).findall(
                "public_addresses/address")]:
            assert time.monotonic() < deadline, "the floating IP never showed on the server"
            time.sleep(0.5)
        assert api.post(f"{path}/disassociate").status_code == 202
        assert xml(api.get(path)).find("instance") is None
        assert api.post(f"{path}/disassociate").status_code == 409
    finally:
        api.post(f"{path}/disassociate")
        assert api.delete(path).status_code == 204
        api.delete(instance_path)
    assert api.get(path).status_code == 404
