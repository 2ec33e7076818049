"""The GoGrid driver: GoGrid's API 1.x (v=1.9), signed JSON calls over `HttpClient`.

- Endpoint: the provider, an http(s) URL (default `https://api.gogrid.com/api`), checked
  against the operator's endpoint policy before anything is sent.
- Credentials: the API key and shared secret as HTTP Basic; each call carries the key and
  a fresh MD5 signature (client.py), never the secret.
- Realms are data centres, images server images, hardware profiles the server types with
  the RAM options (mapping.py), instances servers, identified by name as in Deltacloud.
- Create is `grid/server/add` (a free public IP of the realm from `grid/ip/list`; the
  `sandbox` parameter makes a sandbox server); stop and reboot are `grid/server/power`
  (`stop`, `restart`); destroy is `grid/server/delete`. GoGrid's Deltacloud driver could
  not start a stopped server (Deltacloud 1.1's driver table says "no"), so neither can
  this one.
README.md in this package says how it is tested and what is left out.
"""

from __future__ import annotations

import re
import time
from typing import Any, ClassVar

from deltacloud.drivers.base import (
    CallContext,
    Driver,
    Filters,
    Params,
    Provider,
    Settings,
    filter_on,
)
from deltacloud.drivers.gogrid import mapping
from deltacloud.drivers.gogrid.client import DEFAULT_ENDPOINT, Client, Session, endpoint_of
from deltacloud.drivers.gogrid.errors import Missing
from deltacloud.errors import BadRequest, Conflict, DeltacloudError, NotFound
from deltacloud.models import HardwareProfile, Image, Instance, Key, Realm
from deltacloud.models.state_machine import machine

_NAME_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f]")
PUBLIC_IP, UNASSIGNED_IP = "1", "1"  # grid/ip/list's ip.type and ip.state codes
DEFAULT_REALM = "1"  # Deltacloud's choice: US-West-1


class GogridDriver(Driver):
    name = "gogrid"
    display_name = "GoGrid"
    username_label = "API key"
    password_label = "Shared secret"
    collections: ClassVar = {
        "hardware_profiles": (),
        "images": (),
        "instance_states": (),
        "instances": ("authentication_password", "sandboxing"),
        "keys": (),
        "realms": (),
    }
    instance_states = machine(
        ("start", "pending", None),
        ("pending", "running", None),
        ("running", "running", "reboot"),
        ("running", "stopped", "stop"),
        ("running", "finish", "destroy"),
        ("stopped", "finish", "destroy"),
    )

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.client = Client(settings)

    @classmethod
    def providers(cls, settings: Settings) -> list[Provider]:
        """The endpoint requests without a provider go to (the server's default provider
        where that is a GoGrid URL)."""
        try:
            url = endpoint_of(settings.provider)
        except DeltacloudError:
            url = DEFAULT_ENDPOINT
        return [Provider(url, {"compute": url})]

    # -- realms, images, hardware profiles, keys -------------------------------------------

    def realms(self, ctx: CallContext, filters: Filters) -> list[Realm]:
        with self.client.session(ctx) as s:
            centres = s.lookup("ip.datacenter")
        return filter_on([mapping.realm_from(c) for c in centres], filters, "id", "state")

    def images(self, ctx: CallContext, filters: Filters) -> list[Image]:
        wanted = filters.get("id")
        with self.client.session(ctx) as s:
            if wanted:
                try:
                    found = s.call("grid/image/get", {"id": wanted}, missing="Image not found")
                except Missing:
                    return []
            else:
                found = s.call("grid/image/list", {"state": "Available"})
        images = [mapping.image_from(i) for i in found if isinstance(i, dict)]
        images = filter_on(images, filters, "id", "architecture", "owner_id", "state")
        return sorted(images, key=lambda i: (i.owner_id, i.description))

    def hardware_profiles(self, ctx: CallContext, filters: Filters) -> list[HardwareProfile]:
        with self.client.session(ctx) as s:
            types = s.lookup("server.type")
            rams = s.lookup("server.ram")
        return filter_on(mapping.profiles_from(types, rams), filters, "id")

    def keys(self, ctx: CallContext, filters: Filters) -> list[Key]:
        """The passwords GoGrid keeps for the account's servers (Deltacloud's password keys)."""
        with self.client.session(ctx) as s:
            entries = s.call("support/password/list")
        keys = [mapping.key_from(e) for e in entries if isinstance(e, dict)]
        return filter_on(keys, filters, "id")

    # -- instances ---------------------------------------------------------------------------

    def instances(self, ctx: CallContext, filters: Filters) -> list[Instance]:
        if filters.get("id"):
            try:
                found = [self.instance(ctx, filters["id"])]
            except NotFound:
                return []
        else:
            with self.client.session(ctx) as s:
                found = [self._instance(s, server) for server in self._servers(s)]
        return filter_on(found, filters, "id", "state", "realm_id", "image_id")

    def instance(self, ctx: CallContext, id: str) -> Instance:
        with self.client.session(ctx) as s:
            server = self._server(s, id)
            passwords = s.call("support/password/list") if server.get("id") else []
            return self._instance(s, server, mapping.login_for(passwords, server))

    def create_instance(self, ctx: CallContext, params: Params) -> Instance:
        name = str(params.get("name") or "").strip() or _generated_name()
        if len(name) > 255 or _NAME_FORBIDDEN.search(name):
            raise BadRequest("Parameter 'name' must be at most 255 characters, without "
                             "control characters")
        memory = _memory(params.get("hwp_memory"))
        realm_id = str(params.get("realm_id") or DEFAULT_REALM)
        with self.client.session(ctx) as s:
            self._image_or_400(s, str(params.get("image_id") or ""))
            if not any(str(c.get("id")) == realm_id for c in s.lookup("ip.datacenter")):
                raise BadRequest("Parameter 'realm_id' names no realm")
            add = {"name": name, "image": str(params["image_id"]),
                   "server.ram": mapping.ram_option(memory),
                   "ip": self._free_ip(s, realm_id)}
            if _truthy(params.get("sandbox")):
                add["isSandbox"] = "true"
            created = [x for x in s.call("grid/server/add", add) if isinstance(x, dict)]
            if not created:
                raise Missing("GoGrid did not return the new server")
            return self._instance(s, created[0])

    def stop_instance(self, ctx: CallContext, id: str) -> Instance:
        return self._power(ctx, id, "stop")

    def reboot_instance(self, ctx: CallContext, id: str) -> Instance:
        return self._power(ctx, id, "restart")

    def destroy_instance(self, ctx: CallContext, id: str) -> None:
        with self.client.session(ctx) as s:
            s.call("grid/server/delete", {"name": id}, action=True,
                   missing="Instance not found")

    # -- helpers ---------------------------------------------------------------------------------

    def _power(self, ctx: CallContext, id: str, power: str) -> Instance:
        with self.client.session(ctx) as s:
            answer = [x for x in s.call("grid/server/power", {"name": id, "power": power},
                                        action=True, missing="Instance not found")
                      if isinstance(x, dict)]
            server = answer[0] if answer else self._server(s, id)
            return self._instance(s, server)

    @staticmethod
    def _servers(s: Session) -> list[dict[str, Any]]:
        return [x for x in s.call("grid/server/list") if isinstance(x, dict)]

    def _server(self, s: Session, name: str) -> dict[str, Any]:
        """The server of that name. GoGrid's `grid/server/get` does not know a server still
        being built (no id yet), so the listing is read when it says "No object found"."""
        try:
            found = [x for x in s.call("grid/server/get", {"name": name},
                                       missing="Instance not found") if isinstance(x, dict)]
        except Missing:
            found = [x for x in self._servers(s) if x.get("name") == name]
        if not found:
            raise NotFound("Instance not found")
        return found[0]

    def _instance(self, s: Session, server: dict[str, Any],
                  login: tuple[str, str] | None = None) -> Instance:
        state = mapping.instance_state(server)
        return mapping.instance_from(server, s.user, self.instance_actions(state.lower()),
                                     login)

    @staticmethod
    def _image_or_400(s: Session, image_id: str) -> None:
        try:
            found = s.call("grid/image/get", {"id": image_id}) if image_id else []
        except Missing:
            found = []
        if not found:
            raise BadRequest("Parameter 'image_id' names no image")

    @staticmethod
    def _free_ip(s: Session, realm_id: str) -> str:
        """A public IP of the realm no server uses yet (GoGrid's add needs one)."""
        ips = s.call("grid/ip/list", {"ip.type": PUBLIC_IP, "ip.state": UNASSIGNED_IP,
                                      "datacenter": realm_id})
        for entry in ips:
            if isinstance(entry, dict) and entry.get("ip"):
                return str(entry["ip"])
        raise Conflict("GoGrid has no free public IP address in that realm")


def _memory(value: Any) -> int:
    """MB asked for (`hwp_memory`), else 512; GoGrid sizes are 512 MB or whole GB."""
    if value in (None, ""):
        return mapping.DEFAULT_MEMORY_MB
    try:
        mb = int(float(str(value)))
    except ValueError:
        raise BadRequest("Parameter 'hwp_memory' must be a number of MB") from None
    if mb != 512 and (mb < 1024 or mb % 1024):
        raise BadRequest("Parameter 'hwp_memory' must be 512 or a whole number of GB in MB")
    return mb


def _truthy(value: Any) -> bool:
    return str(value or "").strip().lower() not in ("", "0", "false", "no", "off")


def _generated_name() -> str:
    """Deltacloud's name for a server created without one."""
    return f"Server {str(int(time.time()))[::-1][:4]}{int(time.time() * 1000) % 9}"
