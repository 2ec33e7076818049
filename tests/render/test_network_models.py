"""Firewalls and load balancers, rendered as Deltacloud's views show them.

No mock data has them (Deltacloud's mock had none either); the cloud drivers
test them against their back-ends. Here the renderers alone.
"""

import xml.etree.ElementTree as ET
from pathlib import Path

from deltacloud.drivers.mock.driver import MockDriver
from deltacloud.models import Firewall, FirewallRule, FirewallSource, Listener, LoadBalancer
from deltacloud.render import View
from deltacloud.render import json as json_render
from deltacloud.render import xml as xml_render

FIREWALL = Firewall(
    "sg-1", "web", "web servers", "123456789012",
    [FirewallRule("r1", "tcp", "80", "80", [
        FirewallSource("address", address="0.0.0.0", prefix="0", family="ipv4"),
        FirewallSource("group", name="admin", owner="123456789012"),
    ])],
)
BALANCER = LoadBalancer("lb-1", ["us"], [Listener("HTTP", 80, 8080)], ["inst1"],
                        ["lb-1.example.com"], "2026-11-26T10:00:00Z")


def _view(tmp_path: Path) -> View:
    return View("http://h/api", "mock", "default", MockDriver.capabilities(),
                MockDriver.collections)


def test_firewall_xml(tmp_path: Path) -> None:
    root = ET.fromstring(xml_render.render(FIREWALL, _view(tmp_path)))
    assert (root.tag, root.get("id"), root.get("href")) == ("firewall", "sg-1",
                                                            "http://h/api/firewalls/sg-1")
    assert root.findtext("name") == "web" and root.findtext("owner_id") == "123456789012"
    assert [link.get("rel") for link in root.findall("actions/link")] == ["destroy", "add_rule"]
    rule = root.find("rules/rule")
    assert rule is not None and rule.get("href") == "http://h/api/firewalls/sg-1/r1"
    assert (rule.findtext("allow_protocol"), rule.findtext("port_from")) == ("tcp", "80")
    sources = rule.findall("sources/source")
    assert sources[0].attrib == {"address": "0.0.0.0", "family": "ipv4", "prefix": "0",
                                 "type": "address"}
    assert sources[1].attrib == {"name": "admin", "owner": "123456789012", "type": "group"}


def test_firewall_json(tmp_path: Path) -> None:
    import json

    body = json.loads(json_render.render(FIREWALL, _view(tmp_path)))["firewall"]
    assert body["rules"][0]["sources"][1] == {"type": "group", "name": "admin",
                                              "owner": "123456789012"}


def test_load_balancer_xml_and_json(tmp_path: Path) -> None:
    import json

    view = _view(tmp_path)
    root = ET.fromstring(xml_render.render(BALANCER, view))
    assert root.findtext("public_addresses/address") == "lb-1.example.com"
    realm = root.find("realm")
    assert realm is not None and realm.get("id") == "us"
    listener = root.find("listeners/listener")
    assert listener is not None and listener.get("protocol") == "HTTP"
    assert listener.findtext("instance_port") == "8080"
    unregister = root.find("instances/instance/link")
    assert unregister is not None and unregister.get("rel") == "unregister"
    body = json.loads(json_render.render(BALANCER, view))["load_balancer"]
    assert body["listeners"] == [{"protocol": "HTTP", "load_balancer_port": 80,
                                  "instance_port": 8080}]
    assert body["instances"][0]["id"] == "inst1"
