"""Benchmark: listing 100 OpenStack servers through deltacloudd vs. directly with openstacksdk.

Why: to know what the Deltacloud layer (HTTP, XML/JSON, the driver's mapping and its extra
lookups) costs over the SDK itself, and what keeping Keystone tokens in memory saves.
How: against the test OpenStack on 127.0.0.1 (tests/backends/openstack/openstack.sh), as
admin in project admin (quotas raised), make sure 100 servers named bench-* exist (one
create with min_count, no network), then time N sequential listings each of:
  sdk        list(conn.compute.servers()) on one long-lived Connection (token reused)
  sdk-raw-json  conn.compute.get('/servers/detail') on it: Nova's JSON, no Server objects
  sdk-login  the same with a new Connection each time (a Keystone login per listing)
  dc-cached  GET /api/instances (JSON) from a real deltacloudd, token cache on (default)
  dc-login   the same with DELTACLOUD_OPENSTACK_TOKEN_TTL=0 (a login per request)
and GET /api/realms through deltacloudd with and without the cache (one small Nova call).
Prints medians and the ratios; deletes the bench servers unless --keep.

  .venv/bin/python bench/openstack_list_servers.py [-n 20] [--keep]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx2 as httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.process import Server

KEYSTONE = "http://127.0.0.1:5000/v3"
USER, PASSWORD, PROJECT = "admin", "secret", "admin"
COUNT = 100


def connect():
    import openstack

    return openstack.connect(auth_url=KEYSTONE, username=USER, password=PASSWORD,
                             project_name=PROJECT, user_domain_name="Default",
                             project_domain_name="Default", region_name="RegionOne",
                             identity_api_version="3")


def ensure_servers(conn) -> None:
    have = [s for s in conn.compute.servers() if s.name.startswith("bench-")]
    if len(have) >= COUNT:
        return
    conn.set_compute_quotas(conn.current_project_id, instances=COUNT * 2, cores=COUNT * 4,
                            ram=COUNT * 4096)
    image = conn.image.find_image("ds-cirros")
    flavor = conn.compute.find_flavor("ds.tiny")
    missing = COUNT - len(have)
    conn.compute.create_server(name="bench-", image_id=image.id, flavor_id=flavor.id,
                               networks="none", min_count=missing, max_count=missing)
    deadline = time.monotonic() + 900
    while True:
        states = [s.status for s in conn.compute.servers() if s.name.startswith("bench-")]
        if len(states) >= COUNT and all(s == "ACTIVE" for s in states):
            return
        if time.monotonic() > deadline:
            raise SystemExit(f"bench servers not ACTIVE: {sorted(set(states))}")
        time.sleep(2)


def timed(fn, n: int) -> float:
    fn()  # warm up
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=20, help="listings per variant")
    parser.add_argument("--keep", action="store_true", help="keep the 100 servers")
    args = parser.parse_args()
    conn = connect()
    ensure_servers(conn)
    results: dict[str, float] = {}

    def sdk_list() -> None:
        assert len(list(conn.compute.servers())) >= COUNT

    def sdk_login_list() -> None:
        fresh = connect()
        assert len(list(fresh.compute.servers())) >= COUNT
        fresh.close()

    def sdk_raw_list() -> None:  # the SDK's session, Nova's JSON, no Server objects
        answer = conn.compute.get("/servers/detail", microversion="2.93")
        assert len(answer.json()["servers"]) >= COUNT

    results["sdk"] = timed(sdk_list, args.n)
    results["sdk-raw-json"] = timed(sdk_raw_list, args.n)
    results["sdk-login"] = timed(sdk_login_list, args.n)
    provider = f"{KEYSTONE};project={PROJECT}"
    for label, env in (("dc-cached", {}), ("dc-login", {"DELTACLOUD_OPENSTACK_TOKEN_TTL": "0"})):
        with tempfile.TemporaryDirectory() as data, \
                Server(Path(data), "-i", "openstack", "-P", provider, env=env) as server, \
                httpx.Client(auth=(USER, PASSWORD), timeout=60,
                             headers={"Accept": "application/json"}) as http:
            def dc_list(http=http, server=server) -> None:
                answer = http.get(f"{server.url}/instances")
                assert answer.status_code == 200, answer.text
                assert len(answer.json()["instances"]) >= COUNT

            def dc_realms(http=http, server=server) -> None:
                assert http.get(f"{server.url}/realms").status_code == 200

            results[label] = timed(dc_list, args.n)
            results[label.replace("dc", "realms")] = timed(dc_realms, args.n)
    print(f"listing {COUNT} servers, median of {args.n} (seconds):")
    for label, value in results.items():
        print(f"  {label:15s} {value:.4f}")
    print(f"ratio deltacloudd (token cached) / sdk (token reused): "
          f"{results['dc-cached'] / results['sdk']:.2f}")
    print(f"ratio deltacloudd (token cached) / sdk raw JSON (token reused): "
          f"{results['dc-cached'] / results['sdk-raw-json']:.2f}")
    print(f"ratio deltacloudd (login each request) / sdk (login each listing): "
          f"{results['dc-login'] / results['sdk-login']:.2f}")
    print(f"token cache saves per request: {results['dc-login'] - results['dc-cached']:.4f} s "
          f"(listing), {results['realms-login'] - results['realms-cached']:.4f} s (realms)")
    if not args.keep:
        for server in list(conn.compute.servers()):
            if server.name.startswith("bench-"):
                conn.compute.delete_server(server)


if __name__ == "__main__":
    main()
