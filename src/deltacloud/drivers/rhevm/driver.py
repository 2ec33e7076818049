"""The rhevm driver: oVirt / Red Hat Virtualization engines through the REST API v4
(ovirt-engine-sdk-python).

- Provider: the engine's API URL, `https://HOST[:PORT]/PATH[;DATACENTER-UUID[;user]]`
  (PATH defaults to /ovirt-engine/api). With a data centre the driver sees that data
  centre only; without one, the whole engine, and `GET /api/drivers/rhevm` with
  credentials lists the data centres as providers (`account_providers`).
- Credentials: `user@domain` (`admin@internal`) and password, as HTTP Basic; each
  request gets an SSO token, works, and revokes it (client.py).
- Realms: the clusters. Images: the templates (Blank included). Hardware profiles: one per
  template, its CPUs and memory as defaults, overrides up to the cluster's limits.
- Instances: VMs. Create adds a VM from the template in the realm's cluster (the
  template's by default), named `name`, sized by `hwp_cpu`/`hwp_memory`, with
  `user_data` as its cloud-init custom script; it is not started (Deltacloud's neither):
  it is PENDING while its disks are copied (image_locked), then STOPPED. Start, stop (a
  clean shutdown while running, a power-off while stopping, paused or lost), reboot,
  destroy (when stopped). README.md in this package has the details.
"""

from __future__ import annotations

import base64
import binascii
import re
import uuid
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
from deltacloud.drivers.rhevm import mapping
from deltacloud.drivers.rhevm.client import Client, Session
from deltacloud.errors import BadRequest, NotFound
from deltacloud.models import HardwareProfile, Image, Instance, Realm
from deltacloud.models.state_machine import machine

# Deltacloud's constraint on `name` (max_length 50), in oVirt's alphabet for VM names.
NAME_MAX = 50
_NAME = re.compile(rf"^[\w.-]{{1,{NAME_MAX}}}$")


def _uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


class Scope:
    """What a request may see: the clusters of its data centre (or of the engine)."""

    def __init__(self, s: Session) -> None:
        datacenter = s.engine.datacenter
        centres = s.system.data_centers_service().list()
        self.datacenters = {dc.id: dc for dc in centres}
        if datacenter is not None and datacenter not in self.datacenters:
            raise BadRequest("The provider names no data centre of this engine")
        self.clusters = {c.id: c for c in s.system.clusters_service().list()
                         if datacenter is None
                         or mapping.ref_id(c.data_center) == datacenter}

    def up(self, cluster: Any) -> bool:
        dc = self.datacenters.get(mapping.ref_id(cluster.data_center))
        return dc is not None and getattr(dc.status, "value", "") == "up"

    def has_template(self, template: Any) -> bool:
        """Templates of the scope's clusters, and those of none (Blank), usable anywhere."""
        cluster = mapping.ref_id(template.cluster)
        return not cluster or cluster in self.clusters

    def limits(self, cluster_id: str | None) -> tuple[int, int]:
        """A cluster's limits; for none, the smallest of the scope's."""
        cluster = self.clusters.get(cluster_id or "")
        if cluster is not None:
            return mapping.limits(cluster.version)
        found = [mapping.limits(c.version) for c in self.clusters.values()]
        return (min(f[0] for f in found), min(f[1] for f in found)) if found else (
            mapping.limits(None))


class RhevmDriver(Driver):
    name = "rhevm"
    display_name = "RHEV-M"
    username_label = "user@domain (e.g. admin@internal)"
    password_label = "Password"
    collections: ClassVar = {
        "hardware_profiles": (),
        "images": (),
        "instance_states": (),
        "instances": ("user_data", "user_name"),
        "realms": (),
    }
    instance_states = machine(
        ("start", "pending", "create"),
        ("pending", "stopped", None),
        ("pending", "running", None),
        ("stopped", "pending", "start"),
        ("running", "running", "reboot"),
        ("running", "stopping", "stop"),
        ("stopping", "stopped", "stop"),
        ("stopping", "stopped", None),
        ("paused", "running", "start"),
        ("paused", "stopped", "stop"),
        ("error", "stopped", "stop"),
        ("stopped", "finish", "destroy"),
    )

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.client = Client(settings)

    @classmethod
    def providers(cls, settings: Settings) -> list[Provider]:
        """The server's default engine, when it names one (data centres need credentials)."""
        default = settings.provider
        return [Provider(default)] if default and default.lower().startswith("http") else []

    def account_providers(self, ctx: CallContext) -> list[Provider]:
        """The engine's data centres as providers (`URL;UUID`), as Deltacloud listed them
        for `GET /api/drivers/rhevm` with credentials."""
        with self.client.session(ctx) as s:
            centres = s.system.data_centers_service().list()
            url = s.engine.url
        return [Provider(dc.id, {dc.name or dc.id: f"{url};{dc.id}"}) for dc in centres]

    # -- realms, images, hardware profiles ---------------------------------------

    def realms(self, ctx: CallContext, filters: Filters) -> list[Realm]:
        with self.client.session(ctx) as s:
            scope = Scope(s)
        realms = [mapping.realm_from(c, scope.up(c)) for c in scope.clusters.values()]
        return filter_on(sorted(realms, key=lambda r: r.name), filters, "id", "state")

    def _templates(self, s: Session, scope: Scope, id: str | None) -> list[Any]:
        if id is not None:
            if not _uuid(id):
                return []
            try:
                found = [s.system.templates_service().template_service(id).get()]
            except Exception as exc:
                if getattr(exc, "code", None) == 404:
                    return []
                raise
        else:
            found = s.system.templates_service().list()
        return [t for t in found if scope.has_template(t)]

    def images(self, ctx: CallContext, filters: Filters) -> list[Image]:
        with self.client.session(ctx) as s:
            scope = Scope(s)
            templates = self._templates(s, scope, filters.get("id"))
            user = s.user
        owner = filters.get("owner_id")
        if owner and owner not in ("self", user):
            return []
        images = sorted((mapping.image_from(t, user) for t in templates),
                        key=lambda i: i.name)
        return filter_on(images, filters, "id", "architecture", "state")

    def hardware_profiles(self, ctx: CallContext, filters: Filters) -> list[HardwareProfile]:
        with self.client.session(ctx) as s:
            scope = Scope(s)
            templates = self._templates(s, scope, filters.get("id"))
        profiles = [mapping.profile_from(t, scope.limits(mapping.ref_id(t.cluster)))
                    for t in templates]
        return filter_on(sorted(profiles, key=lambda p: p.name), filters, "id")

    # -- instances -----------------------------------------------------------------

    def _instance(self, vm: Any, user: str) -> Instance:
        return mapping.instance_from(vm, user,
                                     self.instance_actions(mapping.instance_state(vm)))

    def _vm(self, s: Session, scope: Scope | None, id: str) -> Any:
        """The VM `id` (with what its guest agent reports), if the scope holds it."""
        if not _uuid(id):
            raise NotFound("Instance not found")
        vm = s.system.vms_service().vm_service(id).get(follow="reported_devices")
        if scope is not None and mapping.ref_id(vm.cluster) not in scope.clusters:
            raise NotFound("Instance not found")
        return vm

    def _scope(self, s: Session) -> Scope | None:
        """The scope, where the provider names a data centre (unscoped: all is seen)."""
        return Scope(s) if s.engine.datacenter else None

    def instances(self, ctx: CallContext, filters: Filters) -> list[Instance]:
        with self.client.session(ctx) as s:
            scope = self._scope(s)
            if filters.get("id"):
                try:
                    vms = [self._vm(s, scope, filters["id"])]
                except NotFound:
                    return []
                except Exception as exc:
                    if getattr(exc, "code", None) == 404:
                        return []
                    raise
            else:
                vms = [vm for vm in s.system.vms_service().list(follow="reported_devices")
                       if scope is None or mapping.ref_id(vm.cluster) in scope.clusters]
            found = [self._instance(vm, s.user) for vm in vms]
        return filter_on(found, filters, "id", "state", "realm_id", "image_id")

    def instance(self, ctx: CallContext, id: str) -> Instance:
        with self.client.session(ctx) as s:
            return self._instance(self._vm(s, self._scope(s), id), s.user)

    def create_instance(self, ctx: CallContext, params: Params) -> Instance:
        name = params.get("name") or f"inst-{uuid.uuid4().hex[:12]}"
        if not _NAME.match(name):
            raise BadRequest(f"Parameter 'name' must be 1-{NAME_MAX} letters, digits, "
                             "'_', '-' or '.'")
        cpu = _whole(params, "hwp_cpu")
        memory = _whole(params, "hwp_memory")
        script = _user_data(params.get("user_data"))
        with self.client.session(ctx) as s:
            import ovirtsdk4.types as types

            scope = Scope(s)
            template = next(iter(self._templates(s, scope, params.get("image_id") or "")),
                            None)
            if template is None:
                raise BadRequest("Parameter 'image_id' names no image")
            size_of = template
            if params.get("hwp_id") and params["hwp_id"] != template.id:
                size_of = next(iter(self._templates(s, scope, params["hwp_id"])), None)
                if size_of is None:
                    raise BadRequest("Parameter 'hwp_id' names no hardware profile")
            cluster_id = params.get("realm_id") or mapping.ref_id(template.cluster)
            if not cluster_id or cluster_id not in scope.clusters:
                if params.get("realm_id"):
                    raise BadRequest("Parameter 'realm_id' names no realm")
                if not scope.clusters:
                    raise BadRequest("The data centre has no cluster to run the instance in")
                cluster_id = min(scope.clusters.values(), key=lambda c: c.name or c.id).id
            vm = types.Vm(name=name, cluster=types.Cluster(id=cluster_id),
                          template=types.Template(id=template.id))
            self._size(vm, types, size_of, scope.limits(cluster_id), cpu, memory,
                       resized=size_of is not template)
            if script is not None:
                vm.initialization = types.Initialization(custom_script=script)
            created = s.system.vms_service().add(vm)
            return self._instance(created, s.user)

    @staticmethod
    def _size(vm: Any, types: Any, size_of: Any, limit: tuple[int, int], cpu: int | None,
              memory: int | None, *, resized: bool) -> None:
        """Give the VM the profile's size with the overrides, within the cluster's limits."""
        if resized:  # another template's size
            cpu = cpu or mapping.vcpus(size_of.cpu)
            memory = memory or mapping.memory_mib(size_of.memory)
        if cpu is not None:
            if not 1 <= cpu <= limit[0]:
                raise BadRequest("Parameter 'hwp_cpu' is outside the realm's limits")
            sockets, cores = mapping.topology(cpu)
            if not sockets:
                raise BadRequest("Parameter 'hwp_cpu' cannot be laid out in sockets and cores")
            vm.cpu = types.Cpu(topology=types.CpuTopology(sockets=sockets, cores=cores,
                                                          threads=1))
        if memory is not None:
            if not 1 <= memory <= limit[1]:
                raise BadRequest("Parameter 'hwp_memory' is outside the realm's limits")
            size = memory * mapping.MIB
            policy = getattr(size_of, "memory_policy", None)
            guaranteed = getattr(policy, "guaranteed", None) or size
            maximum = getattr(policy, "max", None) or 4 * size
            # The engine refuses a guaranteed memory above the memory, or a maximum below.
            vm.memory = size
            vm.memory_policy = types.MemoryPolicy(guaranteed=min(guaranteed, size),
                                                  max=max(maximum, size))

    def _act(self, ctx: CallContext, id: str, action: str) -> Instance:
        with self.client.session(ctx) as s:
            vm = self._vm(s, self._scope(s), id)
            service = s.system.vms_service().vm_service(vm.id)
            if action == "stop":
                # A clean shutdown of a running guest; a power-off of one that is already
                # going down, paused or lost (Deltacloud's stop was a shutdown).
                if mapping.instance_state(vm) == "RUNNING":
                    service.shutdown()
                else:
                    service.stop()
            else:
                getattr(service, action)()
            return self._instance(self._vm(s, None, vm.id), s.user)

    def start_instance(self, ctx: CallContext, id: str) -> Instance:
        return self._act(ctx, id, "start")

    def stop_instance(self, ctx: CallContext, id: str) -> Instance:
        return self._act(ctx, id, "stop")

    def reboot_instance(self, ctx: CallContext, id: str) -> Instance:
        return self._act(ctx, id, "reboot")

    def destroy_instance(self, ctx: CallContext, id: str) -> None:
        with self.client.session(ctx) as s:
            vm = self._vm(s, self._scope(s), id)
            s.system.vms_service().vm_service(vm.id).remove()


def _whole(params: Params, name: str) -> int | None:
    text = (params.get(name) or "").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise BadRequest(f"Parameter '{name}' must be a whole number") from None
    if not value.is_integer():
        raise BadRequest(f"Parameter '{name}' must be a whole number")
    return int(value)


def _user_data(text: str | None) -> str | None:
    """The client's base64 user data as the text cloud-init gets (oVirt takes text)."""
    if not text:
        return None
    try:
        return base64.b64decode(text, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise BadRequest("Parameter 'user_data' must be base64-encoded UTF-8 text "
                         "(oVirt passes it to cloud-init as text)") from None

