"""Keystone tokens: kept in memory only, under a keyed hash, never past their lifetime."""

from __future__ import annotations

import datetime

from starlette.testclient import TestClient

from deltacloud.drivers.common.cache import ExpiringCache
from deltacloud.drivers.openstack.client import token_cache
from deltacloud.settings import Settings


def TokenCache(ttl: float, size: int = 1024) -> ExpiringCache:
    cache = token_cache(Settings(openstack_token_ttl=ttl))
    cache.size = size
    return cache


def _use(api: TestClient, cache: ExpiringCache) -> None:
    api.app.registry.get("openstack").tokens = cache  # type: ignore[attr-defined]


def test_a_login_is_kept_and_reused(api: TestClient) -> None:
    cache = TokenCache(300)
    _use(api, cache)
    assert api.get("/api/realms").status_code == 200
    assert len(cache._items) == 1
    (key, (access, until)), = cache._items.items()
    assert "secret" not in key and "demo" not in key  # an HMAC, nothing readable
    assert until <= access.expires.timestamp() - 120
    assert api.get("/api/images").status_code == 200
    assert next(iter(cache._items.values()))[0] is access  # no second login
    # other credentials never match that entry
    assert api.get("/api/realms", auth=("demo", "wrong")).status_code == 401
    assert len(cache._items) == 1


def test_cache_off(api: TestClient) -> None:
    cache = TokenCache(0)
    _use(api, cache)
    assert api.get("/api/realms").status_code == 200
    assert cache._items == {}


def test_a_rejected_token_is_dropped_and_the_login_repeated(
        api: TestClient) -> None:
    cache = TokenCache(300)
    _use(api, cache)
    assert api.get("/api/realms").status_code == 200
    key, (access, until) = next(iter(cache._items.items()))
    forged = type(access)(auth_token="gAAAAA-not-a-token", body=access._data)
    cache._items[key] = (forged, until)
    assert api.get("/api/realms").status_code == 200  # keystoneauth logs in again
    assert cache._items[key][0].auth_token != forged.auth_token


class _Access:
    def __init__(self, seconds: float) -> None:
        self.expires = datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=seconds)



def test_entries_never_outlive_the_token() -> None:
    cache = TokenCache(3600)
    cache.put("soon", _Access(60))  # expires within the two-minute margin: not kept
    cache.put("later", _Access(1800))
    assert cache.get("soon") is None
    assert cache.get("later") is not None
    assert cache._items["later"][1] <= cache._items["later"][0].expires.timestamp() - 120
    small = TokenCache(60, size=2)
    for name in ("a", "b", "c"):
        small.put(name, _Access(1800))
    assert list(small._items) == ["b", "c"]
