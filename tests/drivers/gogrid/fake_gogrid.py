"""A replay of GoGrid's API 1.9 on loopback, built on tests/replay.py.

Answers come from Deltacloud's own recordings against the real API (2012,
`../shared/fixtures/gogrid/deltacloud-vcr/`, bytes as recorded) and, for the calls those
never made (`grid/server/add`, `grid/server/power`, `grid/ip/list`), from the documented
shapes of Libcloud's fixtures (`../shared/fixtures/gogrid/libcloud/`). Two answers no file
holds are written here from GoGrid's documented envelope, in `documented_*.json`: the
refusal of a bad signature and a new server's password entry.

State, enough for a lifecycle: the servers of the recorded listing, then those added;
`settle(name)` is GoGrid finishing a build (the server gets its id: "test-instance" the
recorded one, 386946, On), power changes set the state to the recorded On / Off options,
delete removes the server and frees its IP. Every request must carry `api_key`, `v=1.9`,
`format=json` and a `sig` equal to MD5(key + secret + epoch seconds) for a time within
WINDOW seconds of now: an unknown key gets GoGrid's recorded 403, a bad signature a 401.
A request no handler recognises fails the test (ReplayServer).
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import re
import time
from pathlib import Path
from typing import Any

from tests.replay import Answer, Interaction, ReplayServer, Request, cassette, fixture

HERE = Path(__file__).parent
KEY, IMAGES_KEY = "b5e87458eb2d3297", "04825b9fb0826b0b"  # the recordings' API keys
SECRET = "gogrid-test-shared-secret"  # the tests' secret (the real one signed the recordings)
WINDOW = 300
JSON_AS_GOGRID_LABELS_IT = "text/html"
POWER = {"start": "On", "on": "On", "restart": "On", "cycle": "On", "stop": "Off",
         "off": "Off"}


def _recorded(name: str) -> list[Interaction]:
    return _cassette(fixture("gogrid", "deltacloud-vcr", f"{name}.yml"))


@functools.cache
def _cassette(path: Path) -> list[Interaction]:
    """Read once per test run: the images' cassette alone is half a megabyte of YAML."""
    return cassette(path)


def _documented(name: str) -> Any:
    return json.loads(fixture("gogrid", "libcloud", f"{name}.json").read_text())


def _envelope(method: str, items: list[Any]) -> bytes:
    """GoGrid's success envelope, as the recordings have it."""
    return json.dumps({"summary": {"total": len(items), "start": 0, "numpages": 0,
                                   "returned": len(items)},
                       "status": "success", "method": method, "list": items},
                      separators=(",", ":")).encode()


def _json(body: bytes, status: int = 200) -> Answer:
    return Answer.of(body, JSON_AS_GOGRID_LABELS_IT, status)


class FakeGoGrid:
    """The replay and its state; `serve()` yields the endpoint URL (…/api)."""

    def __init__(self) -> None:
        self.secrets = {KEY: SECRET, IMAGES_KEY: SECRET}
        self.server = ReplayServer()
        self.refuse_power = False  # the next power call fails, as server_power_fail.json
        self.calls: list[str] = []
        self._load()
        self._routes()

    # -- the recordings ---------------------------------------------------------------------

    def _load(self) -> None:
        realms = _recorded("test_0002_must_return_list_of_realms")[0]
        profiles = _recorded("test_0002_must_return_list_of_hardware_profiles")
        self.lookups = {"ip.datacenter": realms.response_body,
                        "server.type": profiles[0].response_body,
                        "server.ram": profiles[1].response_body}
        self.image_list = _recorded("test_0002_must_return_list_of_images")[0].response_body
        single = _recorded("test_0005_must_allow_to_retrieve_single_image")[3]
        self.image_get = {single.query["id"][0]: single.response_body}
        self.not_found = _recorded("test_0006_must_return_nil_when_retrieving_a_single_"
                                   "nonexistent_image")[0].response_body
        self.server_list = _recorded("test_0002_must_return_list_of_instances")[0].response_body
        self.server_get_missing = _recorded("instances_create_test_instance")[0].response_body
        built = _recorded("instances_test_class-5")
        self.built = {"test-instance": json.loads(built[0].response_body)["list"][0]}
        self.password_list = built[1].response_body
        self.delete_recorded = _recorded("instances_destroy_test_instance")[0].response_body
        self.refused = _recorded("test_0001_must_throw_error_when_wrong_credentials")[0]
        self.images = {str(i["id"]): i for i in json.loads(self.image_list)["list"]}
        self.rams = {r["name"]: r for r in json.loads(self.lookups["server.ram"])["list"]}
        self.servers: dict[str, dict[str, Any]] = {
            s["name"]: s for s in json.loads(self.server_list)["list"]}
        self.changed = False  # the listing differs from the recorded one
        self.state_on = self.built["test-instance"]["state"]
        self.state_off = self.servers["test-instance"]["state"]
        self.ips = _documented("ip_list")["list"]
        self.add_template = _documented("server_add")["list"][0]
        self.power_fail = fixture("gogrid", "libcloud", "server_power_fail.json").read_bytes()
        self.signature_refused = (HERE / "documented_signature_refused.json").read_bytes()
        self.password_template = json.loads(
            (HERE / "documented_password_entry.json").read_text())
        self.passwords: list[dict[str, Any]] = []
        self._next_id = 500000

    # -- what a test does to the cloud ----------------------------------------------------------

    def settle(self, name: str) -> None:
        """GoGrid finishes building the server: it gets its id (and a password)."""
        server = self.servers[name]
        if name in self.built:
            self.servers[name] = copy.deepcopy(self.built[name])
        else:
            self._next_id += 1
            server["id"] = self._next_id
            entry = copy.deepcopy(self.password_template)
            entry.update(id=self._next_id + 1000, password=f"pw{self._next_id}",
                         server=copy.deepcopy(server))
            self.passwords.append(entry)
        self.changed = True

    def serve(self) -> Any:
        with self.server:
            yield f"{self.server.url}/api"

    # -- the API ------------------------------------------------------------------------------

    def _authorised(self, request: Request) -> Answer | None:
        """None for a well-signed request; the cloud's refusal otherwise."""
        key, sig = request.arg("api_key"), request.arg("sig")
        secret = self.secrets.get(key or "")
        if secret is None:
            return self.refused.answer()
        now = int(time.time())
        good = {hashlib.md5(f"{key}{secret}{t}".encode()).hexdigest()
                for t in range(now - WINDOW, now + WINDOW + 1)}
        return None if sig in good else _json(self.signature_refused, 401)

    def _routes(self) -> None:
        route = self.server.route

        def api(path: str) -> Any:
            def wrap(handler: Any) -> Any:
                def checked(request: Request, match: re.Match[str]) -> Answer | None:
                    if request.arg("v") != "1.9" or request.arg("format") != "json":
                        return None  # not a call the recordings back
                    self.calls.append(path)
                    return self._authorised(request) or handler(request)
                return route("GET", f"/api/{path}")(checked)
            return wrap

        @api("common/lookup/list")
        def lookup(request: Request) -> Answer | None:
            body = self.lookups.get(request.arg("lookup") or "")
            return _json(body) if body is not None else None

        @api("grid/image/list")
        def image_list(request: Request) -> Answer | None:
            return _json(self.image_list) if request.arg("state") == "Available" else None

        @api("grid/image/get")
        def image_get(request: Request) -> Answer | None:
            wanted = request.arg("id") or ""
            if wanted in self.image_get:
                return _json(self.image_get[wanted])
            if wanted in self.images:
                return _json(_envelope("/grid/image/get", [self.images[wanted]]))
            return _json(self.not_found, 400)

        @api("grid/server/list")
        def server_list(request: Request) -> Answer:
            if not self.changed:
                return _json(self.server_list)
            return _json(_envelope("/grid/server/list", list(self.servers.values())))

        @api("grid/server/get")
        def server_get(request: Request) -> Answer:
            server = self.servers.get(request.arg("name") or "")
            if server is None or "id" not in server:
                return _json(self.server_get_missing, 400)
            return _json(_envelope("/grid/server/get", [server]))

        @api("support/password/list")
        def passwords(request: Request) -> Answer:
            recorded = json.loads(self.password_list)["list"]
            live = [p for p in recorded if p["server"]["name"] in self.servers]
            if live == recorded and not self.passwords:
                return _json(self.password_list)
            return _json(_envelope("/support/password/list", live + self.passwords))

        @api("grid/ip/list")
        def ip_list(request: Request) -> Answer | None:
            if request.arg("ip.type") != "1" or request.arg("ip.state") != "1":
                return None
            used = {s.get("ip", {}).get("ip") for s in self.servers.values()}
            free = [ip for ip in self.ips if ip["public"] and ip["ip"] not in used
                    and ip["state"]["name"] == "Unassigned"
                    and str(ip["datacenter"]["id"]) == request.arg("datacenter")]
            return _json(_envelope("/grid/ip/list", free))

        @api("grid/server/add")
        def server_add(request: Request) -> Answer | None:
            name, image = request.arg("name") or "", self.images.get(request.arg("image") or "")
            ram = self.rams.get(request.arg("server.ram") or "")
            ip = next((i for i in self.ips if i["ip"] == request.arg("ip")), None)
            if not name or name in self.servers or image is None or ram is None or ip is None:
                return None  # nothing recorded or documented answers a bad add
            server = copy.deepcopy(self.add_template)
            server.update(name=name, image=image, ram=ram, type=image["type"], os=image["os"],
                          isSandbox=request.arg("isSandbox") == "true",
                          state=self.state_on, datacenter=ip["datacenter"])
            server["ip"] = {**ip, "state": {"id": 2, "description": "IP is reserved or in use",
                                            "name": "Assigned", "object": "option"}}
            self.servers[name] = server
            self.changed = True
            return _json(_envelope("/grid/server/add", [server]))

        @api("grid/server/power")
        def server_power(request: Request) -> Answer | None:
            power = POWER.get(request.arg("power") or "")
            server = self.servers.get(request.arg("name") or "")
            if power is None:
                return None
            if server is None or "id" not in server:
                return _json(self.not_found, 400)
            if self.refuse_power:
                self.refuse_power = False
                return _json(self.power_fail)
            server["state"] = self.state_on if power == "On" else self.state_off
            self.changed = True
            return _json(_envelope("/grid/server/power", [server]))

        @api("grid/server/delete")
        def server_delete(request: Request) -> Answer:
            server = self.servers.get(request.arg("name") or "")
            if server is None:
                return _json(self.not_found, 400)
            recorded = server == self.built.get(server["name"])
            del self.servers[server["name"]]
            self.passwords = [p for p in self.passwords if p["server"]["name"] in self.servers]
            self.changed = True
            if recorded:
                return _json(self.delete_recorded)
            return _json(_envelope("/grid/server/delete", [server]))
