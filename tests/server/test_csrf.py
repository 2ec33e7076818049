"""State changes sent by a browser from another site's page are refused; API clients,
which send no Origin or Sec-Fetch-Site, and the server's own pages are not affected."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from tests.helpers import xml

CROSS_SITE = [
    {"Origin": "https://evil.example"},
    {"Origin": "null"},
    {"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
    {"Sec-Fetch-Site": "same-site"},
    {"Sec-Fetch-Site": "cross-site"},
    # Same host, another scheme or port: another origin.
    {"Origin": "https://localhost:3001"},
    {"Origin": "http://localhost:3002"},
    # X-Forwarded-Host counts from a trusted proxy only (tests/server/test_proxy.py).
    {"Origin": "https://deltacloud.example", "X-Forwarded-Host": "deltacloud.example"},
]


@pytest.mark.parametrize("headers", CROSS_SITE)
def test_cross_site_changes_are_refused_and_change_nothing(api: TestClient,
                                                           headers: dict[str, str]) -> None:
    stop = api.post("/api/instances/inst0/stop", headers=headers)
    assert stop.status_code == 403
    assert "cross-site" in xml(stop).findtext("message", "")
    destroy = api.post("/api/instances/inst1", data={"_method": "delete"}, headers=headers)
    assert destroy.status_code == 403
    made = api.post("/api/buckets", data={"name": "evil"}, headers=headers)
    assert made.status_code == 403
    assert xml(api.get("/api/instances/inst0")).findtext("state") == "RUNNING"
    assert api.get("/api/instances/inst1").status_code == 200
    assert api.get("/api/buckets/evil").status_code == 404


@pytest.mark.parametrize("headers", [
    {},  # curl, the Ruby and Python clients
    {"Origin": "http://localhost:3001"},  # the server's own form
    {"Sec-Fetch-Site": "same-origin", "Origin": "http://localhost:3001"},
    {"Sec-Fetch-Site": "none"},  # typed or bookmarked by the user
    {"Origin": "http://LOCALHOST:3001/"},
])
def test_own_pages_and_api_clients_may_change_things(api: TestClient,
                                                     headers: dict[str, str]) -> None:
    assert api.post("/api/instances/inst0/stop", headers=headers).status_code == 202


def test_reading_is_never_refused(api: TestClient) -> None:
    assert api.get("/api/instances", headers={"Origin": "https://evil.example",
                                               "Sec-Fetch-Site": "cross-site"}).status_code \
        == 200
