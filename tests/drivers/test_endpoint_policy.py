"""The operator's endpoint policy: which endpoints a provider may name.

The policy itself is checked as a table (cloud metadata addresses among the cases:
no test sends traffic there). Its wiring is checked per driver on loopback: with a
policy that does not list the endpoint, the request is a 403 and the endpoint never
sees a connection.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient

from deltacloud.drivers.urls import EndpointPolicy
from deltacloud.errors import Forbidden
from deltacloud.server.app import DeltacloudApp
from deltacloud.settings import Settings
from tests.drivers.bad_cloud import bad_cloud
from tests.drivers.test_bad_clouds import CASES
from tests.helpers import xml
from tests.requirements import require_module

POLICY = "10.0.0.0/8, *.example.com, https://keystone.example.org:5000/v3, 127.0.0.2"


@pytest.mark.parametrize(("policy", "url", "allowed"), [
    # Nothing listed: anything but the cloud metadata services.
    (None, "http://127.0.0.1:9/v3", True),
    (None, "https://localhost:5000/", True),
    (None, "http://169.254.169.254/latest/meta-data/", False),
    (None, "http://169.254.170.2/v2/credentials", False),
    (None, "http://[fd00:ec2::254]/latest", False),
    # A list: only what it names.
    (POLICY, "http://10.1.2.3:8774/v2.1", True),
    (POLICY, "https://vc.example.com/sdk", True),
    (POLICY, "https://example.com/sdk", False),
    (POLICY, "https://keystone.example.org:5000/v3", True),
    (POLICY, "https://keystone.example.org:5000/v3/auth/tokens", True),
    (POLICY, "https://keystone.example.org:5000/v3evil", False),
    (POLICY, "https://keystone.example.org:50001/v3", False),
    (POLICY, "http://keystone.example.org:5000/v3", False),
    (POLICY, "http://127.0.0.2:80/", True),
    (POLICY, "http://127.0.0.1:80/", False),
    (POLICY, "http://169.254.169.254/", False),
    ("169.254.169.254", "http://169.254.169.254/", True),  # listed, so allowed
    (POLICY, "not a url", False),
])
def test_the_policy(policy: str | None, url: str, allowed: bool) -> None:
    checked = EndpointPolicy.parse(policy)
    if allowed:
        checked.check(url)
    else:
        with pytest.raises(Forbidden):
            checked.check(url)


@pytest.mark.parametrize("entry", ["ftp://x", "a b", "10.0.0.0/40", "http://x:99999"])
def test_a_malformed_entry_is_refused(entry: str) -> None:
    with pytest.raises(ValueError, match="Allowed endpoint"):
        EndpointPolicy.parse(entry)


@pytest.mark.parametrize("driver", sorted(d for d, case in CASES.items() if case[2]))
def test_an_unlisted_endpoint_is_403_before_any_connection(tmp_path: Path, driver: str,
                                                           monkeypatch) -> None:
    sdk, auth, provider, paths = CASES[driver]
    require_module(sdk, f"the {driver} driver's SDK is not installed")
    monkeypatch.setenv("DELTACLOUD_VSPHERE_INSECURE", "1")
    settings = Settings.from_environment(data_dir=tmp_path,
                                         endpoints=EndpointPolicy.parse("10.9.9.9"))
    app = DeltacloudApp(settings)
    with bad_cloud() as cloud, TestClient(app) as client:
        headers = {"Accept": "application/xml", "X-Deltacloud-Driver": driver,
                   "X-Deltacloud-Provider": provider.format(host=f"127.0.0.1:{cloud.port}")}
        for path in paths:
            response = client.get(path, headers=headers, auth=auth)
            assert response.status_code == 403, response.text
            assert "not allowed to reach" in xml(response).findtext("message", "")
        assert cloud.connections == 0


def test_a_bad_policy_stops_deltacloudd(tmp_path: Path) -> None:
    import subprocess

    from tests.process import DELTACLOUDD, free_port

    result = subprocess.run([DELTACLOUDD, "-i", "mock", "-r", "127.0.0.1", "-p",
                             str(free_port()), "--data-dir", str(tmp_path),
                             "--allowed-endpoints", "ftp://nope"],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert "Allowed endpoint" in result.stderr and "Traceback" not in result.stderr


def test_a_session_held_to_an_origin_sends_nowhere_else() -> None:
    """`checking_session(origin=...)` (terremark's Libcloud session): another scheme, host
    or port is refused before it is sent; the policy still applies on the origin itself."""
    require_module("requests", "requests comes with the SDK extras")
    import requests

    from deltacloud.drivers.urls import checking_session, unproxied
    from tests.replay import Answer, ReplayServer

    held, other = ReplayServer(), ReplayServer()
    for server in (held, other):
        server.route("GET", "/api")(lambda request, _: Answer.of("ok", "text/plain"))
    with held, other:
        session = unproxied(checking_session(EndpointPolicy(), origin=held.url + "/api"))
        assert session.get(held.url + "/api").text == "ok"
        with pytest.raises(requests.ConnectionError, match="not the provider's endpoint"):
            session.get(other.url + "/api")
        assert other.seen == []
        strict = checking_session(EndpointPolicy.parse("10.0.0.0/8"), origin=held.url)
        with pytest.raises(Forbidden):
            strict.get(held.url + "/api")
    assert session.trust_env is False and session.max_redirects == 0
