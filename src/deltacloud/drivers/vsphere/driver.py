"""The vSphere driver: VMware vCenter (or a single ESXi) through its SOAP API.

- Provider: the vCenter host, `vc.example.com` or `host:port` (or
  `https://host[:port]/sdk`), from `X-Deltacloud-Provider`, `;provider=` or
  `API_PROVIDER`. Credentials: the vCenter user and password as HTTP Basic;
  each request logs in, works and logs out.
- TLS is verified against the system's CAs; `DELTACLOUD_VSPHERE_CA_BUNDLE=FILE`
  trusts the CAs in FILE instead, `DELTACLOUD_VSPHERE_INSECURE=1` turns
  verification off (labs only). See `client.py` for the timeouts.
- Realms: the compute resources a VM can be placed in (clusters and standalone
  hosts), named `DATACENTER/NAME`; their id is vSphere's managed object id.
- Images: templates. Instances: VMs (not templates). Ids are vSphere instance
  UUIDs. Owner: the logged-in user (vSphere records no owner).
- One hardware profile, `default`: `cpu` 1-64 and `memory` 128-262144 MB
  (a multiple of 4). A clone keeps its template's size unless `hwp_cpu` /
  `hwp_memory` are given.
- Create clones the template into the realm's root resource pool (the
  template's own compute resource when no realm is given) on a datastore of that
  realm, names it `name`, powers it on and waits for the clone task. `user_data`
  goes to the VM's `guestinfo.userdata` (base64, `guestinfo.userdata.encoding`),
  which cloud-init's VMware datasource reads; the template id is kept in
  `deltacloud.image_id`. `user_iso` (a base64-encoded, gzipped ISO image, at most 64 MiB
  unpacked) is uploaded to the datastore as `deltacloud-iso/INSTANCE-ID.iso` and mounted
  in the clone's CD-ROM drive before it powers on; destroying the instance deletes it.
- Reboot is a guest reboot when VMware Tools run in the guest, a reset
  otherwise. Stop is a power-off. Destroy powers off first when needed.
- Storage volumes: thin VMDK files under `deltacloud-volumes/` on a datastore,
  attached and detached by reconfiguring the VM; the VMs' own disks are listed
  read-only. README.md in this package has the details and what is left out.
"""

from __future__ import annotations

import contextlib
import re
import uuid
from typing import IO, Any, ClassVar

from deltacloud.drivers.base import CallContext, Driver, Filters, Params, Settings, filter_on
from deltacloud.drivers.vsphere import iso, mapping
from deltacloud.drivers.vsphere.client import Client
from deltacloud.errors import BadRequest, Conflict, MethodNotAllowed, NotFound
from deltacloud.models import HardwareProfile, Image, Instance, Realm, StorageVolume
from deltacloud.models.state_machine import machine

_NAME = re.compile(r"^[^/\\%]{1,80}$")

INVENTORY_PROPERTIES = {
    "Datacenter": ("name", "parent", "vmFolder"),
    "Folder": ("parent",),
    "ComputeResource": ("name", "parent", "resourcePool", "datastore", "overallStatus"),
    "ResourcePool": ("owner",),
    "HostSystem": ("parent",),
}


def _inventory_props(vim: Any) -> dict[Any, tuple[str, ...]]:
    return {getattr(vim, name): paths for name, paths in INVENTORY_PROPERTIES.items()}


def _is_vm(obj: Any) -> bool:
    return type(obj).__name__ == "vim.VirtualMachine"


class VsphereDriver(Driver):
    name = "vsphere"
    display_name = "VMware vSphere"
    username_label = "vCenter user name"
    password_label = "vCenter password"
    collections: ClassVar = {
        "hardware_profiles": (),
        "images": (),
        "instance_states": (),
        "instances": ("user_iso", "user_data", "user_name"),
        "realms": (),
        "storage_volumes": (),
    }
    instance_states = machine(
        ("start", "pending", "create"),
        ("pending", "running", None),
        ("running", "running", "reboot"),
        ("running", "stopped", "stop"),
        ("running", "finish", "destroy"),
        ("paused", "running", "start"),
        ("paused", "stopped", "stop"),
        ("paused", "finish", "destroy"),
        ("stopped", "running", "start"),
        ("stopped", "finish", "destroy"),
    )

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.client = Client(settings)

    # -- realms and hardware profiles ------------------------------------------

    def realms(self, ctx: CallContext, filters: Filters) -> list[Realm]:
        with self.client.session(ctx) as s:
            inv = self._inventory(s)
        return filter_on(list(inv.realms.values()), filters, "id", "state")

    def hardware_profiles(self, ctx: CallContext, filters: Filters) -> list[HardwareProfile]:
        return filter_on([mapping.PROFILE], filters, "id")

    # -- images ------------------------------------------------------------------

    def images(self, ctx: CallContext, filters: Filters) -> list[Image]:
        with self.client.session(ctx) as s:
            if filters.get("id"):
                try:
                    found = [self._vm_props(s, s.vm(filters["id"], "Image"))]
                except NotFound:
                    return []
            else:
                found = [p for _, p in self._vms(s)]
            user = s.user
        images = [mapping.image_from(p, user) for p in found if p.get("config.template")]
        owner = filters.get("owner_id")
        if owner and owner not in ("self", user):
            return []
        return filter_on(images, filters, "id", "architecture")

    # -- instances -------------------------------------------------------------

    def instances(self, ctx: CallContext, filters: Filters) -> list[Instance]:
        with self.client.session(ctx) as s:
            if filters.get("id"):
                try:
                    return [self._instance(s, s.vm(filters["id"]))]
                except NotFound:
                    return []
            # One round trip for the VMs and where they are.
            objects = self._with_inventory(s, mapping.VM_PROPERTIES)
            inv = mapping.inventory(objects)
            found = [
                mapping.instance_from(p, inv.realm_of(p), s.user,
                                      self.instance_actions(mapping.instance_state(p)))
                for o, p in objects if _is_vm(o) and not p.get("config.template")
            ]
        return filter_on(found, filters, "id", "state", "realm_id", "image_id")

    def instance(self, ctx: CallContext, id: str) -> Instance:
        with self.client.session(ctx) as s:
            return self._instance(s, s.vm(id))

    def create_instance(self, ctx: CallContext, params: Params) -> Instance:
        name = params.get("name") or f"inst-{uuid.uuid4().hex[:12]}"
        if not _NAME.match(name):
            raise BadRequest("Parameter 'name' must be 1-80 characters without '/', '\\', '%'")
        cpu = self._whole(params, "hwp_cpu", 1)
        memory = self._whole(params, "hwp_memory", 4)
        user_data = params.get("user_data") or None  # base64, parsed at the edge
        with contextlib.ExitStack() as stack:
            # Unpacked (and refused if it is no ISO) before the cloud is asked anything.
            image = stack.enter_context(iso.unpack(params["user_iso"])) if params.get(
                "user_iso") else None
            s = stack.enter_context(self.client.session(ctx))
            return self._clone(s, params, name, cpu, memory, user_data, image)

    def _clone(self, s: Any, params: Params, name: str, cpu: int | None, memory: int | None,
               user_data: str | None, image: IO[bytes] | None) -> Instance:
        """Clone the template; with a user ISO, upload it, mount it, then power on."""
        from pyVmomi import vim

        try:
            template = s.vm(params["image_id"], "Image")
        except NotFound:
            raise BadRequest("Parameter 'image_id' names no image") from None
        tprops = self._vm_props(s, template)
        if not tprops.get("config.template"):
            raise BadRequest("Parameter 'image_id' names no image")
        inv = self._inventory(s)
        realm_id = params.get("realm_id") or inv.realm_of(tprops)
        if realm_id not in inv.realms or inv.pools.get(realm_id) is None:
            raise BadRequest("Parameter 'realm_id' names no realm")
        if image is not None and _cdrom(template.config.hardware.device) is None:
            raise BadRequest("The image has no CD-ROM drive to mount 'user_iso' in")
        extra = [vim.option.OptionValue(key=mapping.IMAGE_KEY, value=tprops[
            "config.instanceUuid"])]
        if user_data is not None:
            extra += [vim.option.OptionValue(key=mapping.USER_DATA_KEY, value=user_data),
                      vim.option.OptionValue(key=mapping.USER_DATA_ENCODING_KEY,
                                             value="base64")]
        instance_uuid = str(uuid.uuid4())
        relocate = vim.vm.RelocateSpec(pool=inv.pools[realm_id])
        datastore = self._datastore(s, inv.datastores.get(realm_id, []))
        if datastore is not None:
            relocate.datastore = datastore
        iso_path = None
        if image is not None:
            if datastore is None:
                raise BadRequest("The realm has no usable datastore for 'user_iso'")
            iso_path = self._upload_iso(s, inv.datacenters[realm_id], datastore.name,
                                        instance_uuid, image)
            extra.append(vim.option.OptionValue(key=mapping.USER_ISO_KEY, value=iso_path))
        sizes: dict[str, Any] = {}
        if cpu:
            sizes["numCPUs"] = cpu
        if memory:
            sizes["memoryMB"] = memory
        config = vim.vm.ConfigSpec(instanceUuid=instance_uuid, extraConfig=extra, **sizes)
        spec = vim.vm.CloneSpec(location=relocate, powerOn=iso_path is None, template=False,
                                config=config)
        folder = inv.folders.get(realm_id) or template.parent
        try:
            clone = s.wait(template.CloneVM_Task(folder=folder, name=name, spec=spec))
            if iso_path is not None:
                self._mount_iso(s, clone, iso_path)
                s.wait(clone.PowerOnVM_Task())
        except BaseException:
            if iso_path is not None:  # best effort: leave no orphan image behind
                with contextlib.suppress(Exception):
                    s.wait(s.content.fileManager.DeleteDatastoreFile_Task(
                        name=iso_path, datacenter=inv.datacenters[realm_id]))
            raise
        return self._instance(s, clone)

    @staticmethod
    def _upload_iso(s: Any, datacenter: Any, ds_name: str, instance_uuid: str,
                    image: IO[bytes]) -> str:
        from pyVmomi import vim

        with contextlib.suppress(vim.fault.FileAlreadyExists):
            s.content.fileManager.MakeDirectory(
                name=f"[{ds_name}] {mapping.ISO_DIR}", datacenter=datacenter,
                createParentDirectories=True)
        relative = f"{mapping.ISO_DIR}/{instance_uuid}.iso"
        size = image.seek(0, 2)
        image.seek(0)
        s.upload(datacenter.name, ds_name, relative, image, size)
        return f"[{ds_name}] {relative}"

    @staticmethod
    def _mount_iso(s: Any, vm: Any, iso_path: str) -> None:
        """Point the VM's first CD-ROM drive at the image, connected at power-on."""
        from pyVmomi import vim

        drive = _cdrom(vm.config.hardware.device)
        assert drive is not None  # the template had one, and a clone keeps its devices
        drive.backing = vim.vm.device.VirtualCdrom.IsoBackingInfo(fileName=iso_path)
        drive.connectable = vim.vm.device.VirtualDevice.ConnectInfo(
            startConnected=True, allowGuestControl=True, connected=False)
        change = vim.vm.device.VirtualDeviceSpec(operation="edit", device=drive)
        s.wait(vm.ReconfigVM_Task(vim.vm.ConfigSpec(deviceChange=[change])))

    def start_instance(self, ctx: CallContext, id: str) -> Instance:
        return self._power(ctx, id, "start")

    def stop_instance(self, ctx: CallContext, id: str) -> Instance:
        return self._power(ctx, id, "stop")

    def reboot_instance(self, ctx: CallContext, id: str) -> Instance:
        return self._power(ctx, id, "reboot")

    def destroy_instance(self, ctx: CallContext, id: str) -> None:
        with self.client.session(ctx) as s:
            from pyVmomi import vim

            vm = s.vm(id)
            if vm.runtime.powerState != "poweredOff":
                s.wait(vm.PowerOffVM_Task())
            # Volumes made through this API outlive the instance (Destroy_Task would delete
            # every disk file of the VM): take them off first.
            keep = [vim.vm.device.VirtualDeviceSpec(operation="remove", device=d)
                    for d in vm.config.hardware.device
                    if isinstance(d, vim.vm.device.VirtualDisk)
                    and mapping.managed_volume(getattr(d.backing, "fileName", None))]
            if keep:
                s.wait(vm.ReconfigVM_Task(vim.vm.ConfigSpec(deviceChange=keep)))
            iso_path = next((o.value for o in vm.config.extraConfig or ()
                             if o.key == mapping.USER_ISO_KEY), None)
            # Found before the VM goes: its datacenter names where the image lives.
            datacenter = _datacenter_of(vm) if iso_path else None
            s.wait(vm.Destroy_Task())
            if iso_path:
                with contextlib.suppress(vim.fault.FileNotFound):
                    s.wait(s.content.fileManager.DeleteDatastoreFile_Task(
                        name=iso_path, datacenter=datacenter))

    # -- storage volumes -----------------------------------------------------------

    def storage_volumes(self, ctx: CallContext, filters: Filters) -> list[StorageVolume]:
        with self.client.session(ctx) as s:
            volumes, _ = self._volumes(s)
        return filter_on(volumes, filters, "id", "state")

    def create_storage_volume(self, ctx: CallContext, params: Params) -> StorageVolume:
        capacity = self._whole(params, "capacity", 1)
        capacity = 1 if capacity is None else capacity
        if not 1 <= capacity <= 62 * 1024:
            raise BadRequest("Parameter 'capacity' must be 1 to 63488 (GB)")
        if params.get("snapshot_id"):
            raise BadRequest("Volumes cannot be made from snapshots here")
        with self.client.session(ctx) as s:
            from pyVmomi import vim

            inv = self._inventory(s)
            realm_id = params.get("realm_id") or next(iter(sorted(inv.realms)), "")
            if realm_id not in inv.realms:
                raise BadRequest("Parameter 'realm_id' names no realm")
            datastore = self._datastore(s, inv.datastores.get(realm_id, []))
            if datastore is None:
                raise BadRequest("The realm has no usable datastore")
            dc, ds_name = inv.datacenters[realm_id], datastore.name
            with contextlib.suppress(vim.fault.FileAlreadyExists):
                s.content.fileManager.MakeDirectory(
                    name=f"[{ds_name}] {mapping.VOLUME_DIR}", datacenter=dc,
                    createParentDirectories=True)
            volume_id = f"vol-{uuid.uuid4().hex[:12]}-{capacity}g"
            spec = vim.VirtualDiskManager.FileBackedVirtualDiskSpec(
                capacityKb=capacity * 1024 * 1024, adapterType="lsiLogic", diskType="thin")
            s.wait(s.content.virtualDiskManager.CreateVirtualDisk_Task(
                name=mapping.volume_path(ds_name, volume_id), datacenter=dc, spec=spec))
        return mapping.free_volume(volume_id, str(capacity), realm_id)

    def attach_storage_volume(self, ctx: CallContext, id: str, params: Params) -> StorageVolume:
        with self.client.session(ctx) as s:
            from pyVmomi import vim

            volume, ds_name = self._managed_volume(s, id)
            if volume.state != "AVAILABLE":
                raise MethodNotAllowed("The volume is attached already: detach it first")
            try:
                vm = s.vm(params.get("instance_id") or "")
            except NotFound:
                raise BadRequest("Parameter 'instance_id' names no instance") from None
            devices = vm.config.hardware.device
            controller, unit = self._free_slot(devices)
            disk = vim.vm.device.VirtualDisk(
                key=-101, controllerKey=controller, unitNumber=unit,
                capacityInKB=int(volume.capacity) * 1024 * 1024,
                backing=vim.vm.device.VirtualDisk.FlatVer2BackingInfo(
                    fileName=mapping.volume_path(ds_name, id), diskMode="persistent"))
            s.wait(vm.ReconfigVM_Task(vim.vm.ConfigSpec(deviceChange=[
                vim.vm.device.VirtualDeviceSpec(operation="add", device=disk)])))
            volume, _ = self._managed_volume(s, id)
        return volume

    def detach_storage_volume(self, ctx: CallContext, id: str) -> StorageVolume:
        with self.client.session(ctx) as s:
            from pyVmomi import vim

            volume, ds_name = self._managed_volume(s, id)
            if volume.state != "IN-USE" or not volume.instance_id:
                raise MethodNotAllowed("The volume is not attached")
            vm = s.vm(volume.instance_id)
            path = mapping.volume_path(ds_name, id)
            disk = next((d for d in vm.config.hardware.device
                         if isinstance(d, vim.vm.device.VirtualDisk)
                         and getattr(d.backing, "fileName", None) == path), None)
            if disk is None:
                raise NotFound("Storage volume not found")
            # No file operation: the disk leaves the VM, its file stays.
            s.wait(vm.ReconfigVM_Task(vim.vm.ConfigSpec(deviceChange=[
                vim.vm.device.VirtualDeviceSpec(operation="remove", device=disk)])))
            volume, _ = self._managed_volume(s, id)
        return volume

    def destroy_storage_volume(self, ctx: CallContext, id: str) -> None:
        with self.client.session(ctx) as s:
            volume, ds_name = self._managed_volume(s, id)
            if volume.state != "AVAILABLE":
                raise MethodNotAllowed("The volume is attached: detach it first")
            inv = self._inventory(s)
            dc = inv.datacenters.get(volume.realm_id or "")
            s.wait(s.content.virtualDiskManager.DeleteVirtualDisk_Task(
                name=mapping.volume_path(ds_name, id), datacenter=dc))

    def _volumes(self, s: Any) -> tuple[list[StorageVolume], dict[str, str]]:
        """Every VM's disks, plus this driver's volumes that no VM uses (datastore search);
        and the datastore name of each volume made by this driver."""
        from pyVmomi import vim

        objects = s.retrieve({
            vim.VirtualMachine: mapping.VM_DISK_PROPERTIES,
            vim.Datastore: ("name", "browser", "summary.accessible"),
            **_inventory_props(vim),
        })
        inv = mapping.inventory(objects)
        volumes = [v for o, p in objects if _is_vm(o) and not p.get("config.template")
                   for v in mapping.volumes_from(p, inv.realm_of(p))]
        used = {v.id for v in volumes}
        where = {m[0]: m[1] for o, p in objects if _is_vm(o)
                 for d in p.get("config.hardware.device") or []
                 if (m := mapping.managed_volume(getattr(getattr(d, "backing", None),
                                                         "fileName", None)))}
        realm_of_ds = {mapping.moid(ds): realm for realm, stores in inv.datastores.items()
                       for ds in stores}
        query = vim.host.DatastoreBrowser.SearchSpec(
            matchPattern=["vol-*.vmdk"], query=[vim.host.DatastoreBrowser.VmDiskQuery(
                details=vim.host.DatastoreBrowser.VmDiskQuery.Details(capacityKb=True))],
            details=vim.host.DatastoreBrowser.FileInfo.Details(modification=True))
        for obj, props in objects:
            if type(obj).__name__ != "vim.Datastore" or not props.get("summary.accessible"):
                continue
            try:
                result = s.wait(props["browser"].SearchDatastore_Task(
                    datastorePath=f"[{props['name']}] {mapping.VOLUME_DIR}", searchSpec=query))
            except vim.fault.FileNotFound:
                continue  # no volume made on this datastore yet
            for info in getattr(result, "file", None) or []:
                match = mapping.VOLUME_FILE.match(info.path or "")
                if match and match.group(1) not in used:
                    used.add(match.group(1))
                    where[match.group(1)] = str(props["name"])
                    volumes.append(mapping.free_volume(
                        match.group(1), match.group(2), realm_of_ds.get(mapping.moid(obj)),
                        getattr(info, "modification", None)))
        return volumes, where

    def _managed_volume(self, s: Any, id: str) -> tuple[StorageVolume, str]:
        """One volume made by this driver, and the name of its datastore."""
        volumes, where = self._volumes(s)
        volume = next((v for v in volumes if v.id == id), None)
        if volume is None:
            raise NotFound("Storage volume not found")
        if id not in where:
            raise MethodNotAllowed("Disks not made through this API are read-only here")
        return volume, where[id]

    @staticmethod
    def _free_slot(devices: list[Any]) -> tuple[int, int]:
        """A SCSI controller key and a free unit number on it (7 is the controller's)."""
        from pyVmomi import vim

        for controller in devices:
            if not isinstance(controller, vim.vm.device.VirtualSCSIController):
                continue
            used = {d.unitNumber for d in devices if d.controllerKey == controller.key}
            free = [u for u in range(16) if u != 7 and u not in used]
            if free:
                return controller.key, free[0]
        raise Conflict("The instance has no free SCSI slot for another disk")

    # -- helpers -----------------------------------------------------------------

    @staticmethod
    def _whole(params: Params, name: str, multiple: int) -> int | None:
        text = (params.get(name) or "").strip()
        if not text:
            return None
        try:
            value = float(text)
        except ValueError:
            raise BadRequest(f"Parameter '{name}' must be a whole number") from None
        if not value.is_integer() or int(value) % multiple:
            raise BadRequest(f"Parameter '{name}' must be a whole number"
                             + (f", a multiple of {multiple}" if multiple > 1 else ""))
        return int(value)

    def _power(self, ctx: CallContext, id: str, action: str) -> Instance:
        with self.client.session(ctx) as s:
            from pyVmomi import vim

            vm = s.vm(id)
            if action == "start":
                s.wait(vm.PowerOnVM_Task())
            elif action == "stop":
                s.wait(vm.PowerOffVM_Task())
            elif vm.guest.toolsRunningStatus == "guestToolsRunning":
                try:
                    vm.RebootGuest()
                except vim.fault.ToolsUnavailable:
                    s.wait(vm.ResetVM_Task())
            else:
                s.wait(vm.ResetVM_Task())
            return self._instance(s, vm)

    def _inventory(self, s: Any) -> mapping.Inventory:
        from pyVmomi import vim

        return mapping.inventory(s.retrieve(_inventory_props(vim)))

    @staticmethod
    def _with_inventory(s: Any, vm_properties: tuple[str, ...]) -> list[tuple[Any, Any]]:
        from pyVmomi import vim

        return s.retrieve({vim.VirtualMachine: vm_properties, **_inventory_props(vim)})

    @staticmethod
    def _vms(s: Any) -> list[tuple[Any, dict[str, Any]]]:
        from pyVmomi import vim

        return s.retrieve({vim.VirtualMachine: mapping.VM_PROPERTIES})

    @staticmethod
    def _vm_props(s: Any, vm: Any) -> dict[str, Any]:
        from pyVmomi import vim

        found = s.retrieve({vim.VirtualMachine: mapping.VM_PROPERTIES}, [vm])
        if not found:
            raise NotFound("Instance not found")
        return found[0][1]

    def _instance(self, s: Any, vm: Any) -> Instance:
        props = self._vm_props(s, vm)
        if props.get("config.template"):
            raise NotFound("Instance not found")
        realm = ""
        owner_ref = props.get("resourcePool")
        if owner_ref is not None:
            realm = mapping.moid(owner_ref.owner)
        elif props.get("runtime.host") is not None:
            realm = mapping.moid(props["runtime.host"].parent)
        state = mapping.instance_state(props)
        return mapping.instance_from(props, realm, s.user, self.instance_actions(state))

    @staticmethod
    def _datastore(s: Any, datastores: list[Any]) -> Any:
        """The accessible datastore with the most free space, or None."""
        from pyVmomi import vim

        if not datastores:
            return None
        found = s.retrieve({vim.Datastore: ("summary.accessible", "summary.freeSpace")},
                           datastores)
        usable = [(p.get("summary.freeSpace") or 0, obj) for obj, p in found
                  if p.get("summary.accessible", True)]
        return max(usable, key=lambda t: t[0])[1] if usable else None


def _cdrom(devices: Any) -> Any:
    from pyVmomi import vim

    return next((d for d in devices or () if isinstance(d, vim.vm.device.VirtualCdrom)), None)


def _datacenter_of(entity: Any) -> Any:
    """The datacenter an inventory object lives in (up its parent folders)."""
    from pyVmomi import vim

    node = entity
    for _ in range(64):
        node = getattr(node, "parent", None)
        if node is None or isinstance(node, vim.Datacenter):
            return node
    return None
