"""Behind a reverse proxy: X-Forwarded-Proto, -Host and -Prefix make every href, Location,
HTML link and form, and the same-origin check name the public URL, when they come from
an address of DELTACLOUD_TRUSTED_PROXIES; from anyone else they change nothing.
(tests/server/test_deployment.py does the same through a real nginx.)"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from deltacloud.server.app import DeltacloudApp
from deltacloud.server.proxy import trusted
from deltacloud.settings import Settings
from tests.conftest import AUTH
from tests.helpers import xml

PROXY = ("10.1.2.3", 40000)
PUBLIC = "https://cloud.example.com/cloud/api"
FORWARDED = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "cloud.example.com",
             "X-Forwarded-Prefix": "/cloud"}


def _client(tmp_path: Path, peer: tuple[str, int], trusted_proxies: str) -> TestClient:
    settings = Settings.from_environment({}, data_dir=tmp_path, driver="mock",
                                         trusted_proxies=trusted_proxies)
    return TestClient(DeltacloudApp(settings), base_url="http://127.0.0.1:3001",
                      client=peer, follow_redirects=False)


@pytest.fixture
def via_proxy(tmp_path: Path) -> Iterator[TestClient]:
    """Requests from a trusted proxy (10.0.0.0/8), with the proxy's headers."""
    with _client(tmp_path, PROXY, "192.0.2.1, 10.0.0.0/8") as c:
        c.auth = AUTH
        c.headers.update({"Accept": "application/xml", **FORWARDED})
        yield c


@pytest.fixture
def forged(tmp_path: Path) -> Iterator[TestClient]:
    """The same headers from a client that is no trusted proxy."""
    with _client(tmp_path, ("203.0.113.9", 40000), "10.0.0.0/8") as c:
        c.auth = AUTH
        c.headers.update({"Accept": "application/xml", **FORWARDED})
        yield c


def _hrefs(text: str) -> list[str]:
    return re.findall(r'(?:href|action)="([^"]+)"', text)


def test_a_trusted_proxy_gives_every_href_the_public_url(via_proxy: TestClient) -> None:
    entry = xml(via_proxy.get("/api"))
    links = [link.get("href", "") for link in entry.findall("link")]
    assert links and all(href.startswith(PUBLIC + "/") for href in links), links
    assert f"{PUBLIC}/instances" in links
    instances = xml(via_proxy.get("/api/instances"))
    inst0 = next(i for i in instances.findall("instance") if i.get("id") == "inst0")
    assert inst0.get("href") == f"{PUBLIC}/instances/inst0"
    assert {link.get("href") for link in inst0.findall("actions/link")} >= {
        f"{PUBLIC}/instances/inst0/stop"}
    matrix = xml(via_proxy.get("/api;driver=mock/realms"))
    assert {realm.get("href") for realm in matrix.findall("realm")} == {
        f"https://cloud.example.com/cloud/api;driver=mock/realms/{r}" for r in ("eu", "us")}
    document = via_proxy.get("/api/images", headers={"Accept": "application/json"}).json()
    assert document["images"][0]["href"].startswith(f"{PUBLIC}/images/")


def test_a_trusted_proxy_gives_locations_and_redirects_the_public_url(
        via_proxy: TestClient) -> None:
    made = via_proxy.post("/api/instances", data={"image_id": "img1"})
    assert made.status_code == 201
    assert made.headers["location"].startswith(f"{PUBLIC}/instances/")
    stopped = via_proxy.post("/api/instances/inst0/stop?format=html",
                             headers={"Origin": "https://cloud.example.com"})
    assert stopped.status_code == 303
    assert stopped.headers["location"] == f"{PUBLIC}/instances/inst0"


def test_html_links_and_forms_point_at_the_public_url(via_proxy: TestClient) -> None:
    page = via_proxy.get("/api/instances/inst0", headers={"Accept": "text/html"})
    assert page.status_code == 200
    urls = [u for u in _hrefs(page.text) if "://" in u]
    assert urls and all(u.startswith(PUBLIC) for u in urls), urls
    assert any(u.startswith(f"{PUBLIC}/instances/inst0/stop") for u in _hrefs(page.text))
    assert "127.0.0.1" not in page.text


def test_the_same_origin_check_knows_the_public_origin(via_proxy: TestClient) -> None:
    ours = via_proxy.post("/api/instances/inst1/stop",
                          headers={"Origin": "https://cloud.example.com"})
    assert ours.status_code == 202
    for other in ("http://127.0.0.1:3001", "http://cloud.example.com",
                  "https://cloud.example.com:8443", "https://evil.example"):
        refused = via_proxy.post("/api/instances/inst2/stop", headers={"Origin": other})
        assert refused.status_code == 403, other
    assert xml(via_proxy.get("/api/instances/inst2")).findtext("state") == "RUNNING"


def test_forwarded_headers_from_anyone_else_change_nothing(forged: TestClient) -> None:
    entry = xml(forged.get("/api"))
    assert {link.get("href", "").rsplit("/", 1)[0] for link in entry.findall("link")} == {
        "http://127.0.0.1:3001/api"}
    made = forged.post("/api/instances", data={"image_id": "img1"})
    assert made.headers["location"].startswith("http://127.0.0.1:3001/api/instances/")
    page = forged.get("/api/instances", headers={"Accept": "text/html"})
    assert "cloud.example.com" not in page.text
    # A page elsewhere cannot pass for ours by naming itself in X-Forwarded-Host.
    refused = forged.post("/api/instances/inst0/stop",
                          headers={"Origin": "https://cloud.example.com"})
    assert refused.status_code == 403
    assert forged.post("/api/instances/inst0/stop",
                       headers={"Origin": "http://127.0.0.1:3001"}).status_code == 202


def test_no_proxy_is_trusted_by_default(tmp_path: Path) -> None:
    assert Settings.from_environment({}).trusted_proxies == ()
    with TestClient(DeltacloudApp(Settings.from_environment({}, data_dir=tmp_path)),
                    base_url="http://localhost:3001", client=("127.0.0.1", 5000)) as c:
        entry = xml(c.get("/api", headers={**FORWARDED, "Accept": "application/xml"}))
    assert entry.find("link").get("href", "").startswith(  # type: ignore[union-attr]
        "http://localhost:3001/api/")


@pytest.mark.parametrize(("headers", "api"), [
    # Only what is given changes; the rest stays the request's own.
    ({"X-Forwarded-Proto": "https"}, "https://127.0.0.1:3001/api"),
    ({"X-Forwarded-Host": "cloud.example.com:8443"}, "http://cloud.example.com:8443/api"),
    ({"X-Forwarded-Prefix": "/a/b/"}, "http://127.0.0.1:3001/a/b/api"),
    ({"X-Forwarded-Host": "[2001:db8::1]:8080"}, "http://[2001:db8::1]:8080/api"),
    # Several values: the last one, which the proxy nearest to us added.
    ({"X-Forwarded-Proto": "http, https", "X-Forwarded-Host": "evil.example, cloud.example.com"},
     "https://cloud.example.com/api"),
    # Values that are no scheme, host or path are ignored.
    ({"X-Forwarded-Proto": "javascript", "X-Forwarded-Host": "evil.example/x?",
      "X-Forwarded-Prefix": "cloud"}, "http://127.0.0.1:3001/api"),
    ({"X-Forwarded-Host": "a b", "X-Forwarded-Prefix": "/x;driver=ec2"},
     "http://127.0.0.1:3001/api"),
    ({"X-Forwarded-Prefix": '/"><script>'}, "http://127.0.0.1:3001/api"),
])
def test_each_header_alone_and_bad_values(tmp_path: Path, headers: dict[str, str],
                                          api: str) -> None:
    with _client(tmp_path, PROXY, "10.0.0.0/8") as c:
        entry = xml(c.get("/api", headers={**headers, "Accept": "application/xml"}))
    assert entry.find("link").get("href", "").rsplit("/", 1)[0] == api  # type: ignore[union-attr]


def test_which_peers_are_trusted() -> None:
    proxies = (ipaddress.ip_network("127.0.0.3/32"), ipaddress.ip_network("fd00::/8"))
    assert trusted(("127.0.0.3", 1), proxies)
    assert trusted(("::ffff:127.0.0.3", 1), proxies)
    assert trusted(("fd00::5", 1), proxies)
    assert not trusted(("127.0.0.1", 1), proxies)
    assert not trusted(("testclient", 1), proxies)
    assert not trusted(None, proxies)
    assert not trusted(("127.0.0.3", 1), ())


def test_the_setting_parses_addresses_and_networks() -> None:
    settings = Settings.from_environment(
        {"DELTACLOUD_TRUSTED_PROXIES": " 127.0.0.1, 10.0.0.0/8,::1 ,"})
    assert settings.trusted_proxies == (ipaddress.ip_network("127.0.0.1/32"),
                                        ipaddress.ip_network("10.0.0.0/8"),
                                        ipaddress.ip_network("::1/128"))
    assert Settings.from_environment({}, trusted_proxies="192.0.2.7").trusted_proxies == (
        ipaddress.ip_network("192.0.2.7/32"),)
    with pytest.raises(ValueError, match="DELTACLOUD_TRUSTED_PROXIES: must be comma-separated"):
        Settings.from_environment({"DELTACLOUD_TRUSTED_PROXIES": "proxy.example.com"})
    with pytest.raises(ValueError, match=r"trusted-proxies: .*'10\.0\.0\.0/33'"):
        Settings.from_environment({}, trusted_proxies="10.0.0.0/33")


def test_the_root_and_the_driver_switcher_redirect_to_the_public_url(
        via_proxy: TestClient) -> None:
    root = via_proxy.get("/")
    assert root.status_code == 301 and root.headers["location"] == PUBLIC
    switched = via_proxy.post("/api?format=html", data={"driver": "mock", "provider": "eu"},
                              headers={"Origin": "https://cloud.example.com"})
    assert switched.status_code == 301
    assert switched.headers["location"] == f"{PUBLIC};driver=mock;provider=eu"
