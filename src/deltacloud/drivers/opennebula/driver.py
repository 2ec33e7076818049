"""The OpenNebula driver: oned's XML-RPC API through pyone (extra `[opennebula]`).

- Endpoint: the provider (`http[s]://HOST[:PORT][/PATH]`, or `HOST[:PORT]` for
  `http://HOST:2633/RPC2`), else `ONE_XMLRPC`, else the scheme, host and port of
  Deltacloud's `OCCI_URL` (OCCI is gone; a notice says so once). The operator's endpoint
  policy is checked before anything is sent (see `client.py`).
- Credentials: the OpenNebula user and password as HTTP Basic, sent as oned's
  `user:password` session string with each call and kept no longer than the request.
- Realms: clusters (AVAILABLE while one of their hosts takes VMs). Images: VM templates.
  Hardware profiles: one per template, its VCPU (`cpu`) and MEMORY with the ranges or
  lists of the template's USER_INPUTS (else 1-64 CPUs, 128-262144 MB), and its OS/ARCH.
- Create instantiates the image's template, named `name`, with the chosen profile's
  template's CPU/VCPU/MEMORY and the `hwp_cpu` / `hwp_memory` overrides (CPU keeps the
  template's share per VCPU) and, with a realm, `SCHED_REQUIREMENTS` pinning the cluster.
- Start is `resume`, stop `poweroff`, reboot `reboot`, destroy `terminate`. States come
  from the VM's state and LCM state together (mapping.instance_state).
README.md in this package says how it is tested and what is left out.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from deltacloud.drivers.base import CallContext, Driver, Filters, Params, Settings, filter_on
from deltacloud.drivers.opennebula import mapping
from deltacloud.drivers.opennebula.client import Client, Session, require
from deltacloud.errors import BadRequest, NotFound
from deltacloud.models import HardwareProfile, Image, Instance, Realm
from deltacloud.models.state_machine import machine

_ID = re.compile(r"^\d{1,9}$")
_NAME_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f\"]")


def _oid(text: str | None) -> int | None:
    """An OpenNebula object id (a non-negative integer), or None for anything else."""
    return int(text) if text and _ID.match(text) else None


def _format(number: float) -> str:
    return f"{number:.2f}".rstrip("0").rstrip(".") or "0"


class OpenNebulaDriver(Driver):
    name = "opennebula"
    display_name = "OpenNebula"
    username_label = "OpenNebula user"
    password_label = "OpenNebula password"
    collections: ClassVar = {
        "hardware_profiles": (),
        "images": (),
        "instance_states": (),
        "instances": ("user_name",),
        "realms": (),
    }
    instance_states = machine(
        ("start", "pending", "create"),
        ("pending", "running", None),
        ("pending", "finish", "destroy"),
        ("running", "running", "reboot"),
        ("running", "stopping", "stop"),
        ("running", "shutting_down", "destroy"),
        ("stopping", "stopped", None),
        ("stopped", "running", "start"),
        ("stopped", "shutting_down", "destroy"),
        ("error", "finish", "destroy"),
        ("shutting_down", "finish", None),
    )

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.client = Client(settings)

    # -- realms, images, hardware profiles ----------------------------------------------

    def realms(self, ctx: CallContext, filters: Filters) -> list[Realm]:
        with self.client.session(ctx) as s:
            clusters = require(s.clusterpool.info(), "cluster pool").CLUSTER
            hosts = require(s.hostpool.info(), "host pool").HOST
        return filter_on(mapping.realms_from(clusters, hosts), filters, "id", "state")

    def images(self, ctx: CallContext, filters: Filters) -> list[Image]:
        with self.client.session(ctx) as s:
            found = self._templates(s, filters.get("id"))
            user = s.user
        owner = filters.get("owner_id")
        images = [mapping.image_from(t) for t in found]
        if owner:
            images = [i for i in images if i.owner_id == (user if owner == "self" else owner)]
        return filter_on(images, filters, "id", "architecture", "state")

    def hardware_profiles(self, ctx: CallContext, filters: Filters) -> list[HardwareProfile]:
        with self.client.session(ctx) as s:
            found = self._templates(s, filters.get("id"))
        return filter_on([mapping.profile_from(t) for t in found], filters, "id")

    # -- instances -------------------------------------------------------------------------

    def instances(self, ctx: CallContext, filters: Filters) -> list[Instance]:
        with self.client.session(ctx) as s:
            if filters.get("id"):
                try:
                    vms = [self._vm(s, filters["id"])]
                except NotFound:
                    return []
            else:
                # Every VM the user may see (-2), the whole pool (-1, -1), all but DONE (-1).
                vms = require(s.vmpool.infoextended(-2, -1, -1, -1), "VM pool").VM
        found = [i for i in (self._instance(vm) for vm in vms) if i is not None]
        return filter_on(found, filters, "id", "state", "realm_id", "image_id")

    def instance(self, ctx: CallContext, id: str) -> Instance:
        with self.client.session(ctx) as s:
            return self._show(s, id)

    def create_instance(self, ctx: CallContext, params: Params) -> Instance:
        name = (params.get("name") or "").strip()
        if len(name) > 128 or _NAME_FORBIDDEN.search(name):
            raise BadRequest("Parameter 'name' must be at most 128 characters, without "
                             "control characters or '\"'")
        template_id = _oid(params.get("image_id"))
        hwp_id = params.get("hwp_id") or None
        realm_id = params.get("realm_id") or None
        with self.client.session(ctx) as s:
            template = self._template_or_400(s, template_id, "image_id")
            size = template
            if hwp_id is not None and hwp_id != str(template_id):
                size = self._template_or_400(s, _oid(hwp_id), "hwp_id")
            extra = self._sizes(mapping.template_of(size), params)
            if realm_id is not None:
                extra["SCHED_REQUIREMENTS"] = self._placement(
                    s, realm_id, mapping.template_of(template).get("SCHED_REQUIREMENTS"))
            text = "\n".join(f'{key} = "{value}"' for key, value in extra.items())
            vm_id = s.template.instantiate(int(template.ID), name, False, text, False)
            return self._show(s, str(vm_id))

    def start_instance(self, ctx: CallContext, id: str) -> Instance:
        return self._act(ctx, id, "resume")

    def stop_instance(self, ctx: CallContext, id: str) -> Instance:
        return self._act(ctx, id, "poweroff")

    def reboot_instance(self, ctx: CallContext, id: str) -> Instance:
        return self._act(ctx, id, "reboot")

    def destroy_instance(self, ctx: CallContext, id: str) -> None:
        with self.client.session(ctx) as s:
            self._vm(s, id)
            s.vm.action("terminate", int(id))

    # -- helpers ---------------------------------------------------------------------------

    def _act(self, ctx: CallContext, id: str, action: str) -> Instance:
        with self.client.session(ctx) as s:
            self._vm(s, id)
            s.vm.action(action, int(id))
            return self._show(s, id)

    @staticmethod
    def _templates(s: Session, wanted: str | None) -> list[Any]:
        """Every VM template the user may use, or only the one `wanted` (none if unknown)."""
        if wanted is None or wanted == "":
            return list(require(s.templatepool.info(-2, -1, -1), "template pool").VMTEMPLATE)
        oid = _oid(wanted)
        if oid is None:
            return []
        import pyone

        try:
            return [require(s.template.info(oid), "template")]
        except pyone.OneNoExistsException:
            return []

    def _template_or_400(self, s: Session, oid: int | None, param: str) -> Any:
        found = self._templates(s, str(oid)) if oid is not None else []
        if not found:
            raise BadRequest(f"Parameter '{param}' names no "
                             f"{'image' if param == 'image_id' else 'hardware profile'}")
        return found[0]

    @staticmethod
    def _sizes(base: Any, params: Params) -> dict[str, str]:
        """CPU, VCPU and MEMORY of the chosen profile's template, with the overrides."""
        vcpus = mapping._vcpus(base)
        share = mapping.cpu_share_per_vcpu(base)
        memory = mapping._number(base.get("MEMORY"))
        if params.get("hwp_cpu"):
            asked = float(params["hwp_cpu"])  # the server checked it is in the profile
            if not asked.is_integer():
                raise BadRequest("Parameter 'hwp_cpu' must be a whole number of CPUs")
            vcpus = int(asked)
        if params.get("hwp_memory"):
            memory = float(params["hwp_memory"])
        if vcpus < 1 or (memory is not None and memory <= 0):
            raise BadRequest("The hardware profile's sizes must be positive")
        sizes = {"VCPU": str(vcpus), "CPU": _format(share * vcpus)}
        if memory is not None:
            sizes["MEMORY"] = _format(memory)
        return sizes

    @staticmethod
    def _placement(s: Session, realm_id: str, requirements: Any) -> str:
        """SCHED_REQUIREMENTS pinning the realm's cluster, beside the template's own."""
        oid = _oid(realm_id)
        if oid is None:
            raise BadRequest("Parameter 'realm_id' names no realm")
        import pyone

        try:
            s.cluster.info(oid)
        except pyone.OneNoExistsException:
            raise BadRequest("Parameter 'realm_id' names no realm") from None
        pin = f"CLUSTER_ID = {oid}"
        own = str(requirements or "").strip().replace('"', "")
        return f"({own}) & ({pin})" if own else pin

    @staticmethod
    def _vm(s: Session, id: str) -> Any:
        """The VM (not DONE) with this id; 404 otherwise."""
        oid = _oid(id)
        if oid is None:
            raise NotFound("Instance not found")
        import pyone

        try:
            vm = require(s.vm.info(oid), "VM")
        except pyone.OneNoExistsException:
            raise NotFound("Instance not found") from None
        if mapping.instance_state(int(vm.STATE), int(vm.LCM_STATE)) is None:
            raise NotFound("Instance not found")
        return vm

    def _instance(self, vm: Any) -> Instance | None:
        state = mapping.instance_state(int(vm.STATE), int(vm.LCM_STATE))
        if state is None:
            return None
        return mapping.instance_from(vm, state, self.instance_actions(state.lower()))

    def _show(self, s: Session, id: str) -> Instance:
        found = self._instance(self._vm(s, id))
        if found is None:
            raise NotFound("Instance not found")
        return found
