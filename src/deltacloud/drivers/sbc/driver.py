"""The sbc driver: IBM SmartCloud Enterprise (formerly Smart Business Cloud), over its REST
API with a client of our own (`client.py`).

- Provider: the REST API's URL (default IBM's, `client.DEFAULT_ENDPOINT`).
- Credentials: the IBM id and password, as HTTP Basic, passed through on each call.
- Realms: locations (data centres). Images: image offerings. Hardware profiles: the
  instance types the images list (SCE has no listing of its own for them); without
  credentials, the types SCE documented.
- Instances: create (`POST /instances`), reboot (`PUT /instances/ID state=restart`),
  destroy (`DELETE /instances/ID`). SCE's API had no start or stop: see README.md.
"""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET
from typing import ClassVar

from deltacloud.drivers.base import (
    CallContext,
    Driver,
    Filters,
    Params,
    Provider,
    Settings,
    filter_on,
)
from deltacloud.drivers.sbc import mapping
from deltacloud.drivers.sbc.client import DEFAULT_ENDPOINT, Api, Client
from deltacloud.errors import BadRequest, NotFound
from deltacloud.models import HardwareProfile, Image, Instance, Realm
from deltacloud.models.state_machine import machine

NAME_LIMIT = 128


class SbcDriver(Driver):
    name = "sbc"
    display_name = "IBM SmartCloud Enterprise"
    username_label = "IBM id"
    password_label = "Password"
    # Deltacloud 1.1's sbc driver declared no features.
    collections: ClassVar = {
        "hardware_profiles": (),
        "images": (),
        "instance_states": (),
        "instances": (),
        "realms": (),
    }
    instance_states = machine(
        ("start", "pending", "create"),
        ("pending", "running", None),
        ("running", "running", "reboot"),
        ("running", "shutting_down", "destroy"),
        ("stopping", "stopped", None),
        ("stopped", "shutting_down", "destroy"),
        ("error", "shutting_down", "destroy"),
        ("shutting_down", "finish", None),
    )
    @classmethod
    def providers(cls, settings: Settings) -> list[Provider]:
        """IBM's endpoint, and the server's default provider when it names another."""
        found = [Provider(DEFAULT_ENDPOINT, {"compute": DEFAULT_ENDPOINT})]
        default = (settings.provider or "").strip()
        if default.lower().startswith("http") and default != DEFAULT_ENDPOINT:
            found.append(Provider(default, {"compute": default}))
        return found

    def _client(self) -> Client:
        return Client(self.settings.sbc_timeout)

    # -- realms, images, hardware profiles ---------------------------------------------

    def realms(self, ctx: CallContext, filters: Filters) -> list[Realm]:
        with self._client().session(ctx) as api:
            locations = api.locations()
        return filter_on([mapping.realm_from(loc) for loc in locations], filters, "id", "state")

    def images(self, ctx: CallContext, filters: Filters) -> list[Image]:
        with self._client().session(ctx) as api:
            found = [i for i in (mapping.image_from(e) for e in api.images()) if i is not None]
            user = api.user
        if filters.get("owner_id") == "self":
            filters = {**filters, "owner_id": user}
        return filter_on(found, filters, "id", "owner_id", "architecture", "state")

    def hardware_profiles(self, ctx: CallContext, filters: Filters) -> list[HardwareProfile]:
        """The instance types the user's images run on; without credentials (the
        collection needs none), the types SCE documented."""
        if ctx.credentials is None:
            found = mapping.catalogue()
        else:
            with self._client().session(ctx) as api:
                found = mapping.profiles_of(api.images())
        arch = filters.get("architecture")
        if arch:
            found = [p for p in found if (prop := p.property("architecture")) is not None
                     and prop.default_text == arch]
        return filter_on(found, filters, "id")

    # -- instances ---------------------------------------------------------------------

    def instances(self, ctx: CallContext, filters: Filters) -> list[Instance]:
        with self._client().session(ctx) as api:
            found = self._instances(api)
        return filter_on(found, filters, "id", "state", "realm_id", "image_id")

    def instance(self, ctx: CallContext, id: str) -> Instance:
        with self._client().session(ctx) as api:
            return self._show(api, id)

    def create_instance(self, ctx: CallContext, params: Params) -> Instance:
        name = str(params.get("name") or "").strip() or f"deltacloud-{int(time.time())}"
        if len(name) > NAME_LIMIT or any(ord(c) < 32 or ord(c) == 127 for c in name):
            raise BadRequest(f"Parameter 'name' must be at most {NAME_LIMIT} characters, "
                             "without control characters")
        image_id = str(params.get("image_id") or "")
        with self._client().session(ctx) as api:
            image = next((e for e in api.images() if mapping.text(e, "ID") == image_id), None)
            if image is None or mapping.image_from(image) is None:
                raise BadRequest("Parameter 'image_id' names no image")
            types = [t for t, _ in mapping.supported_types(image)]
            hwp_id = params.get("hwp_id")
            if hwp_id:
                chosen = mapping.instance_type(str(hwp_id))
                if chosen not in types:
                    raise BadRequest("The image does not run on the hardware profile "
                                     "'hwp_id' names")
            elif types:
                chosen = types[0]
            else:
                raise BadRequest("The image lists no instance type; name one with 'hwp_id'")
            realm_id = params.get("realm_id")
            if realm_id:
                known = {mapping.text(loc, "ID") for loc in api.locations()}
                if str(realm_id) not in known:
                    raise BadRequest("Parameter 'realm_id' names no realm")
            form = {"name": name, "imageID": image_id, "instanceType": chosen,
                    "location": str(realm_id or mapping.text(image, "Location"))}
            if params.get("keyname"):
                form["publicKey"] = str(params["keyname"])
            created = api.create_instance(form)
        return self._instance(created) or self._gone()

    def reboot_instance(self, ctx: CallContext, id: str) -> Instance:
        with self._client().session(ctx) as api:
            api.restart(id)
            return self._show(api, id)

    def destroy_instance(self, ctx: CallContext, id: str) -> None:
        with self._client().session(ctx) as api:
            api.delete(id)

    # -- helpers -----------------------------------------------------------------------

    def _instances(self, api: Api) -> list[Instance]:
        return [i for i in (self._instance(e) for e in api.instances()) if i is not None]

    def _instance(self, element: ET.Element) -> Instance | None:
        state = mapping.instance_state(element)
        if state is None:
            return None
        return mapping.instance_from(element, state, self.instance_actions(state))

    def _show(self, api: Api, id: str) -> Instance:
        """One instance, found in the listing (the calls the recordings back)."""
        found = next((i for i in self._instances(api) if i.id == id), None)
        return found or self._gone()

    @staticmethod
    def _gone() -> Instance:
        raise NotFound("Instance not found")
