"""The Terremark driver: vCloud Express API 0.8 through Apache Libcloud's `TerremarkDriver`
(extra `[libcloud]`).

- Provider: the API's URL, default `https://services.vcloudexpress.terremark.com/api`,
  checked by the operator's endpoint policy before anything is sent (client.py).
- Credentials: the vCloud Express user (e-mail) and password, as HTTP Basic: a Basic login
  at `/api/v0.8/login`, then its `vcloud-token` cookie, for one request only.
- Realms: the organization's vDCs. Images: the vApp templates of the catalogs. Hardware
  profile: Deltacloud's `default` (1, 2, 4 or 8 CPUs; 512 to 8192 MB). Instances: vApps.
- Create instantiates the template in the vDC (`instantiateVAppTemplate`) and deploys it;
  the vApp is PENDING, then STOPPED, as in Deltacloud. Start is `powerOn`, stop
  `poweroff`, reboot `reset` (each waits for its task); destroy deletes a stopped vApp.
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
from deltacloud.drivers.common.waiting import wait_for
from deltacloud.drivers.terremark import mapping
from deltacloud.drivers.terremark.client import DEFAULT_ENDPOINT, Client, Cloud, endpoint
from deltacloud.drivers.terremark.errors import CLOUD, refusal
from deltacloud.errors import BackendError, BadRequest, DeltacloudError, NotFound
from deltacloud.models import HardwareProfile, Image, Instance, Realm
from deltacloud.models.state_machine import machine

NAME_MAX = 50  # Deltacloud's `user_name` constraint for this driver
_NAME_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f<>&\"]")
_TASK_DONE = ("success", "error", "canceled", "cancelled", "aborted")


class TerremarkDriver(Driver):
    name = "terremark"
    display_name = "Terremark"
    username_label = "Username"
    password_label = "Password"
    collections: ClassVar = {
        "hardware_profiles": (),
        "images": (),
        "instance_states": (),
        "instances": ("user_name",),
        "realms": (),
    }
    # Deltacloud's: a new vApp is off once created; stop passes through stopping.
    instance_states = machine(
        ("start", "pending", "create"),
        ("pending", "stopped", None),
        ("stopped", "running", "start"),
        ("running", "running", "reboot"),
        ("running", "stopping", "stop"),
        ("stopping", "stopped", None),
        ("stopped", "finish", "destroy"),
    )

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.client = Client(settings)

    @classmethod
    def providers(cls, settings: Settings) -> list[Provider]:
        """The public service, and the server's default endpoint when it names another."""
        urls = [DEFAULT_ENDPOINT]
        if settings.provider:
            try:
                own = endpoint(settings.provider).url
            except DeltacloudError:
                own = DEFAULT_ENDPOINT
            if own not in urls:
                urls.append(own)
        return [Provider(url, {"compute": url}) for url in urls]

    # -- realms, images, hardware profiles ----------------------------------------------

    def realms(self, ctx: CallContext, filters: Filters) -> list[Realm]:
        with self.client.session(ctx) as cloud:
            found = [mapping.realm_from(vdc.id, vdc.name) for vdc in cloud.libcloud.vdcs]
        return filter_on(found, filters, "id", "state")

    def images(self, ctx: CallContext, filters: Filters) -> list[Image]:
        with self.client.session(ctx) as cloud:
            found = [mapping.image_from(i.id, i.name, cloud.user)
                     for i in cloud.libcloud.list_images()]
        owner = filters.get("owner_id")
        if owner == "self":
            found = [i for i in found if i.owner_id == ctx.require_credentials().user]
            filters = {k: v for k, v in filters.items() if k != "owner_id"}
        return filter_on(found, filters, "id", "architecture", "owner_id", "state")

    def hardware_profiles(self, ctx: CallContext, filters: Filters) -> list[HardwareProfile]:
        return filter_on([mapping.profile()], filters, "id")

    # -- instances -------------------------------------------------------------------------

    def instances(self, ctx: CallContext, filters: Filters) -> list[Instance]:
        with self.client.session(ctx) as cloud:
            if filters.get("id"):
                try:
                    vapps = [self._vapp(cloud, filters["id"])]
                except NotFound:
                    return []
            else:
                vapps = self._all_vapps(cloud)
            found = [self._instance(cloud, v) for v in vapps]
        return filter_on(found, filters, "id", "state", "realm_id")

    def instance(self, ctx: CallContext, id: str) -> Instance:
        with self.client.session(ctx) as cloud:
            return self._instance(cloud, self._vapp(cloud, id))

    def create_instance(self, ctx: CallContext, params: Params) -> Instance:
        name = (params.get("name") or "").strip() or f"inst{int(time.time())}"
        if len(name) > NAME_MAX or _NAME_FORBIDDEN.search(name):
            raise BadRequest(f"Parameter 'name' must be at most {NAME_MAX} characters, "
                             "without control characters, '<', '>', '&' or '\"'")
        if params.get("hwp_storage"):
            raise BadRequest("vCloud Express takes no disk size when a vApp is made: the "
                             "template's disk is what it gets (leave out hwp_storage)")
        cpus = str(params.get("hwp_cpu") or mapping.CPUS[0])
        memory = str(params.get("hwp_memory") or mapping.MEMORY_MB[0])
        from libcloud.compute.drivers.vcloud import InstantiateVAppXML

        with self.client.session(ctx) as cloud:
            template = next((i for i in cloud.libcloud.list_images()
                             if mapping.last_segment(i.id) == params.get("image_id")), None)
            if template is None:
                raise BadRequest("Parameter 'image_id' names no image")
            vdc = self._vdc(cloud, params.get("realm_id") or None)
            nets = mapping.networks(vdc)
            body = InstantiateVAppXML(name=name, template=template.id,
                                      net_href=nets[0] if nets else "", cpus=cpus,
                                      memory=memory).tostring()
            vapp = cloud.post(mapping.path_of(vdc) + "/action/instantiateVAppTemplate", body,
                              mapping.INSTANTIATE)
            path = mapping.path_of(vapp)
            # Deployed as the template was instantiated; the vApp comes up off (STOPPED).
            cloud.post(path + "/action/deploy")
            return self._instance(cloud, cloud.get(path))

    def start_instance(self, ctx: CallContext, id: str) -> Instance:
        return self._act(ctx, id, "powerOn", "power on")

    def stop_instance(self, ctx: CallContext, id: str) -> Instance:
        return self._act(ctx, id, "poweroff", "power off")

    def reboot_instance(self, ctx: CallContext, id: str) -> Instance:
        return self._act(ctx, id, "reset", "reset")

    def destroy_instance(self, ctx: CallContext, id: str) -> None:
        with self.client.session(ctx) as cloud:
            path = mapping.path_of(self._vapp(cloud, id))
            with refusal("delete"):
                cloud.delete(path)

    # -- helpers ---------------------------------------------------------------------------

    def _act(self, ctx: CallContext, id: str, action: str, words: str) -> Instance:
        with self.client.session(ctx) as cloud:
            path = mapping.path_of(self._vapp(cloud, id))
            with refusal(words):
                task = cloud.post(f"{path}/power/action/{action}")
            self._wait(cloud, task, words)
            return self._instance(cloud, cloud.get(path))

    @staticmethod
    def _wait(cloud: Cloud, task: Any, words: str) -> None:
        """Until the action's task is done (bounded); a failed task is the cloud failing."""
        task_path = mapping.path_of(task)
        if mapping.local(task) != "Task" or not task_path:
            raise BackendError(f"{CLOUD} answered the {words} without its task")
        done = wait_for(lambda: cloud.get(task_path), lambda t: mapping.task_status(t) in
                        _TASK_DONE, cloud.task_timeout,
                        f"{CLOUD} did not finish the {words} in time")
        if mapping.task_status(done) != "success":
            reason = " ".join(mapping.task_error(done).split())[:300]
            raise BackendError(f"{CLOUD} could not {words} the vApp"
                               + (f": {reason}" if reason else ""))

    @staticmethod
    def _vdcs(cloud: Cloud) -> list[Any]:
        """The organization's vDC documents (Libcloud finds them, by the org's links)."""
        return [cloud.get(mapping.path_of_href(vdc.id)) for vdc in cloud.libcloud.vdcs]

    def _vdc(self, cloud: Cloud, realm_id: str | None) -> Any:
        """The vDC document of a realm (the first without one); 400 for an unknown one."""
        vdcs = cloud.libcloud.vdcs
        found = vdcs[0] if realm_id is None and vdcs else next(
            (v for v in vdcs if mapping.last_segment(v.id) == realm_id), None)
        if found is None:
            raise BadRequest("Parameter 'realm_id' names no realm")
        return cloud.get(mapping.path_of_href(found.id))

    def _all_vapps(self, cloud: Cloud) -> list[Any]:
        vapps = []
        for vdc in self._vdcs(cloud):
            for entity in mapping.vapp_entities(vdc):
                try:
                    vapps.append(self._vapp(cloud, mapping.id_of(entity)))
                except NotFound:  # deleted since the vDC was read
                    continue
        return vapps

    @staticmethod
    def _vapp(cloud: Cloud, id: str) -> Any:
        """The vApp with this id; 404 otherwise."""
        if not mapping.valid_id(id):
            raise NotFound("Instance not found")
        from libcloud.common.exceptions import BaseHTTPError

        try:
            return cloud.get(f"/api/v0.8/vapp/{id}", mapping.VAPP)
        except BaseHTTPError as exc:
            if int(exc.code) in (403, 404):  # vCloud answers 403 for what is not yours
                raise NotFound("Instance not found") from None
            raise

    def _instance(self, cloud: Cloud, vapp: Any) -> Instance:
        state = mapping.state_of(vapp)
        return mapping.instance_from(vapp, cloud.user, self.instance_actions(state.lower()))
