"""The OpenStack driver: Keystone, Nova, Glance, Neutron, Cinder and Swift via openstacksdk.

Credentials: HTTP Basic user and password are the OpenStack user's; the
provider is the Keystone URL with optional `;project=...;region=...` and
more (see `client.py`), so one server reaches many clouds and projects.

- realms: Nova's availability zones; images: Glance; hardware profiles:
  flavors (cpu, memory and storage fixed by the flavor); instances: servers.
- keys: Nova key pairs; addresses: Neutron floating IPs; firewalls: Neutron
  security groups (rules as Neutron rules, one per source).
- storage volumes and snapshots: Cinder, where the cloud has it (a cloud
  without Cinder answers 501 on those collections).
- buckets and blobs: Swift containers and objects, user metadata as
  `X-Object-Meta-*`, large uploads as Static Large Objects.

Every SDK import happens at call time (`client.py`, `errors.py`), so importing
this module does not import openstacksdk.
"""

from __future__ import annotations

import base64
import contextlib
import uuid
from collections.abc import Iterator
from typing import Any, ClassVar

from deltacloud.drivers.base import (
    CallContext,
    Driver,
    Filters,
    PageGuard,
    Params,
    Provider,
    Settings,
    filter_on,
)
from deltacloud.drivers.common.errors import translating
from deltacloud.drivers.common.streams import Content
from deltacloud.drivers.openstack import client, mapping, swift
from deltacloud.drivers.openstack.errors import for_status, translate
from deltacloud.errors import BadRequest, Conflict, NotFound, NotImplementedByBackend
from deltacloud.models import (
    Address,
    Blob,
    BlobUpload,
    Bucket,
    Firewall,
    FirewallRule,
    HardwareProfile,
    Image,
    Instance,
    Key,
    Realm,
    StorageSnapshot,
    StorageVolume,
)
from deltacloud.models.state_machine import machine
from deltacloud.text import parse_integer

# The last compute API version that takes files for a new server (user_files).
PERSONALITY_MICROVERSION = "2.56"
MAX_USER_FILES = 5


def user_files(params: Params) -> list[dict[str, str]]:
    """Deltacloud's user_files: `pathN` / `contentN` pairs (N from 1 to 5) as Nova's
    personality, the contents base64-encoded."""
    files = []
    for n in range(1, MAX_USER_FILES + 1):
        path = (params.get(f"path{n}") or "").strip()
        if not path:
            continue
        content = params.get(f"content{n}")
        if content is None:
            raise BadRequest(f"Parameter 'path{n}' needs a 'content{n}'")
        files.append({"path": path,
                      "contents": base64.b64encode(content.encode("utf-8")).decode("ascii")})
    return files


class OpenStackDriver(Driver):
    name = "openstack"
    display_name = "OpenStack"
    username_label = "OpenStack user name"
    password_label = "Password"
    collections: ClassVar = {
        "addresses": (),
        "buckets": (),
        "firewalls": (),
        "hardware_profiles": (),
        "images": (),
        "instance_states": (),
        "instances": ("user_name", "authentication_key", "authentication_password",
                      "user_files", "user_data"),
        "keys": ("import_key",),
        "realms": (),
        "storage_snapshots": (),
        "storage_volumes": ("volume_name", "volume_description"),
    }
    instance_states = machine(
        ("start", "pending", "create"),
        ("pending", "running", None),
        ("pending", "shutting_down", "destroy"),
        ("running", "running", "reboot"),
        ("running", "stopping", "stop"),
        ("running", "shutting_down", "destroy"),
        ("stopping", "stopped", None),
        ("stopped", "running", "start"),
        ("stopped", "shutting_down", "destroy"),
        ("error", "shutting_down", "destroy"),
        ("shutting_down", "finish", None),
    )
    # How this driver logs in and which catalogue entries it uses.
    identity = "keystone"
    images_from_compute = False

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.tokens = client.token_cache(settings)

    @classmethod
    def providers(cls, settings: Settings) -> list[Provider]:
        default = settings.provider
        return [Provider(default)] if default and default.startswith("http") else []

    # -- plumbing -----------------------------------------------------------------

    def cloud(self, ctx: CallContext) -> client.Cloud:
        return client.parse_provider(ctx.provider)

    def connection_config(self, cloud: client.Cloud) -> dict[str, Any]:
        return {}

    @contextlib.contextmanager
    def _conn(self, ctx: CallContext) -> Iterator[Any]:
        cloud = self.cloud(ctx)
        with translating(translate), client.connection(
                ctx, cloud, self.tokens, self.settings.openstack_timeout, self.identity,
                **self.connection_config(cloud)) as conn:
            conn.deltacloud_cloud = cloud
            yield conn

    def valid_credentials(self, ctx: CallContext) -> bool:
        from deltacloud.errors import AuthenticationFailure

        try:
            with self._conn(ctx) as conn:
                conn.session.get_token()
        except AuthenticationFailure:
            return False
        return True

    # -- realms, profiles, images ------------------------------------------------------

    def realms(self, ctx: CallContext, filters: Filters) -> list[Realm]:
        with self._conn(ctx) as conn:
            zones = [mapping.realm(z) for z in conn.compute.availability_zones()]
        return filter_on(zones, filters, "id", "state")

    def hardware_profiles(self, ctx: CallContext, filters: Filters) -> list[HardwareProfile]:
        with self._conn(ctx) as conn:
            if filters.get("id"):
                flavor = conn.compute.find_flavor(filters["id"], ignore_missing=True)
                flavors = [flavor] if flavor is not None else []
            else:
                flavors = list(conn.compute.flavors(details=True))
        return filter_on([mapping.hardware_profile(f) for f in flavors], filters, "id")

    def images(self, ctx: CallContext, filters: Filters) -> list[Image]:
        with self._conn(ctx) as conn:
            wanted = filters.get("id")
            if wanted:
                found = self._get_image(conn, wanted)
                images = [found] if found is not None else []
            elif self.images_from_compute:
                images = list(conn.compute.images(details=True))
            else:
                images = list(conn.image.images())
            owner = filters.get("owner_id")
            if owner == "self":
                owner = conn.current_project_id
        result = [mapping.image(i) for i in images]
        if owner:
            result = [i for i in result if i.owner_id == owner]
        return filter_on(result, filters, "id", "architecture")

    def _get_image(self, conn: Any, id: str) -> Any:
        from openstack import exceptions as sdk

        try:
            if self.images_from_compute:
                return conn.compute.get_image(id)
            return conn.image.get_image(id)
        except sdk.NotFoundException:
            return None

    # -- instances ----------------------------------------------------------------------

    def _flavor_ids(self, conn: Any) -> Any:
        """server.flavor -> flavor id; newer Nova shows only the flavor's name."""
        by_name: dict[str, str] | None = None

        def flavor_id(flavor: Any) -> str:
            nonlocal by_name
            if not flavor:
                return ""
            id, name = mapping.get(flavor, "id"), mapping.get(flavor, "name")
            if id and id != name:
                return id
            name = mapping.get(flavor, "original_name") or name or ""
            if by_name is None:
                by_name = {f.name: f.id for f in conn.compute.flavors(details=False)}
            return by_name.get(name, name)

        return flavor_id

    def _group_ids(self, conn: Any) -> Any:
        """Security group name -> id (Nova names a server's groups; firewalls have ids)."""
        by_name: dict[str, str] | None = None

        def group_id(name: str) -> str | None:
            nonlocal by_name
            if "firewalls" not in self.collections:
                return None
            if by_name is None:
                by_name = {g.name: g.id for g in conn.network.security_groups(
                    project_id=conn.current_project_id)}
            return by_name.get(name)

        return group_id

    def _instance(self, conn: Any, server: Any, flavor_id: Any = None,
                  group_id: Any = None) -> Instance:
        return mapping.instance(server, self.instance_actions,
                                flavor_id or self._flavor_ids(conn),
                                group_id or self._group_ids(conn))

    def instances(self, ctx: CallContext, filters: Filters) -> list[Instance]:
        from openstack import exceptions as sdk

        with self._conn(ctx) as conn:
            flavor_id, group_id = self._flavor_ids(conn), self._group_ids(conn)
            if filters.get("id"):
                try:
                    servers = [conn.compute.get_server(filters["id"])]
                except sdk.NotFoundException:
                    servers = []
            else:
                servers = self._list_servers(conn)
            found = [self._instance(conn, s, flavor_id, group_id) for s in servers]
        return filter_on(found, filters, "id", "state", "realm_id", "image_id")

    def _list_servers(self, conn: Any) -> list[Any]:
        """GET /servers/detail (all pages) as plain JSON: openstacksdk's Server objects
        cost about 9 ms each to build, more than Nova takes to answer."""
        from openstack import utils
        from openstack.compute.v2.server import Server

        version = utils.maximum_supported_microversion(conn.compute, Server._max_microversion)
        url: str | None = "/servers/detail"
        servers: list[Any] = []
        pages = PageGuard("server")
        while url:
            response = conn.compute.get(url, microversion=version)
            if response.status_code != 200:
                raise for_status(response.status_code, response.text[:300])
            body = response.json()
            servers.extend(mapping.RawServer(s) for s in body.get("servers", []))
            url = next((pages.next(link["href"]) for link in body.get("servers_links", [])
                        if link.get("rel") == "next"), None)
        return servers

    def create_instance(self, ctx: CallContext, params: Params) -> Instance:
        user_data = params.get("user_data") or None  # base64, parsed at the edge
        with self._conn(ctx) as conn:
            image = self._get_image(conn, params["image_id"])
            if image is None:
                raise BadRequest("Parameter 'image_id' names no image")
            flavor = self._flavor_for(conn, params.get("hwp_id") or None, image)
            attrs: dict[str, Any] = {
                "name": params.get("name") or f"dc-{uuid.uuid4().hex[:8]}",
                "image_id": image.id, "flavor_id": flavor.id,
            }
            if params.get("realm_id"):
                attrs["availability_zone"] = params["realm_id"]
            if params.get("keyname"):
                if conn.compute.find_keypair(params["keyname"], ignore_missing=True) is None:
                    raise BadRequest("Parameter 'keyname' names no key")
                attrs["key_name"] = params["keyname"]
            if user_data:
                attrs["user_data"] = user_data
            if params.get("password"):
                attrs["admin_password"] = params["password"]
            groups = _names(params.get("firewalls"))
            if groups:
                attrs["security_groups"] = [{"name": g} for g in groups]
            networks = self._networks(conn, conn.deltacloud_cloud)
            if networks is not None:
                attrs["networks"] = networks
            files = user_files(params)
            if files:
                from openstack.compute.v2.server import Server

                # Nova takes files (personality) up to API 2.56 and refuses them after.
                attrs["personality"] = files
                server = Server.new(connection=conn, **attrs).create(
                    conn.compute, microversion=PERSONALITY_MICROVERSION)
            else:
                server = conn.compute.create_server(**attrs)
            # The create answer holds little more than the id and the password.
            password = server.admin_password
            server = conn.compute.get_server(server.id)
            server.admin_password = password
            return self._instance(conn, server)

    def _flavor_for(self, conn: Any, hwp_id: str | None, image: Any) -> Any:
        if hwp_id:
            flavor = conn.compute.find_flavor(hwp_id, ignore_missing=True)
            if flavor is None:
                raise BadRequest("Parameter 'hwp_id' names no hardware profile")
            return flavor
        min_ram = int(getattr(image, "min_ram", 0) or 0)
        min_disk = int(getattr(image, "min_disk", 0) or 0)
        fitting = [f for f in conn.compute.flavors(details=True)
                   if (f.ram or 0) >= min_ram and (f.disk or 0) >= min_disk]
        if not fitting:
            raise BadRequest("No hardware profile fits the image")
        return min(fitting, key=lambda f: (f.ram or 0, f.vcpus or 0, f.disk or 0))

    def _networks(self, conn: Any, cloud: client.Cloud) -> Any:
        choice = cloud.network or "auto"
        if choice in ("auto", "none"):
            # Nova asks for a choice from microversion 2.37 on; before, it picks itself.
            from openstack import utils

            return choice if utils.supports_microversion(conn.compute, "2.37") else None
        network = conn.network.find_network(choice, ignore_missing=True)
        if network is None:
            raise BadRequest("The provider's network option names no network")
        return [{"uuid": network.id}]

    def _server_action(self, ctx: CallContext, id: str, action: str) -> Instance:
        with self._conn(ctx) as conn:
            server = self._server(conn, id)
            if action == "start":
                conn.compute.start_server(server)
            elif action == "stop":
                conn.compute.stop_server(server)
            else:
                conn.compute.reboot_server(server, "SOFT")
            return self._instance(conn, conn.compute.get_server(id))

    def _server(self, conn: Any, id: str) -> Any:
        from openstack import exceptions as sdk

        try:
            return conn.compute.get_server(id)
        except sdk.NotFoundException:
            raise NotFound("Instance not found") from None

    def instance(self, ctx: CallContext, id: str) -> Instance:
        with self._conn(ctx) as conn:
            return self._instance(conn, self._server(conn, id))

    def start_instance(self, ctx: CallContext, id: str) -> Instance:
        return self._server_action(ctx, id, "start")

    def stop_instance(self, ctx: CallContext, id: str) -> Instance:
        return self._server_action(ctx, id, "stop")

    def reboot_instance(self, ctx: CallContext, id: str) -> Instance:
        return self._server_action(ctx, id, "reboot")

    def destroy_instance(self, ctx: CallContext, id: str) -> None:
        with self._conn(ctx) as conn:
            conn.compute.delete_server(self._server(conn, id))

    # -- keys ---------------------------------------------------------------------------

    def keys(self, ctx: CallContext, filters: Filters) -> list[Key]:
        with self._conn(ctx) as conn:
            if filters.get("id"):
                found = conn.compute.find_keypair(filters["id"], ignore_missing=True)
                pairs = [found] if found is not None else []
            else:
                pairs = list(conn.compute.keypairs())
        return filter_on([mapping.key(k) for k in pairs], filters, "id")

    def create_key(self, ctx: CallContext, params: Params) -> Key:
        attrs = {"name": params["name"]}
        if params.get("public_key"):
            attrs["public_key"] = params["public_key"]
        with self._conn(ctx) as conn:
            if conn.compute.find_keypair(params["name"], ignore_missing=True) is not None:
                raise Conflict("A key with that name exists already")
            return mapping.key(conn.compute.create_keypair(**attrs))

    def destroy_key(self, ctx: CallContext, id: str) -> None:
        from openstack import exceptions as sdk

        with self._conn(ctx) as conn:
            try:
                conn.compute.delete_keypair(id, ignore_missing=False)
            except sdk.NotFoundException:
                raise NotFound("Key not found") from None

    # -- block storage (Cinder) ------------------------------------------------------------

    @contextlib.contextmanager
    def _cinder(self, ctx: CallContext) -> Iterator[Any]:
        try:
            with self._conn(ctx) as conn:
                yield conn
        except NotImplementedByBackend:
            raise NotImplementedByBackend(
                "This cloud has no block storage (Cinder) service") from None

    def storage_volumes(self, ctx: CallContext, filters: Filters) -> list[StorageVolume]:
        with self._cinder(ctx) as conn:
            volumes = [mapping.volume(v) for v in conn.block_storage.volumes(details=True)]
        return filter_on(volumes, filters, "id", "state")

    def create_storage_volume(self, ctx: CallContext, params: Params) -> StorageVolume:
        capacity = params.get("capacity") or None
        if capacity is not None and (parse_integer(str(capacity)) or 0) < 1:
            raise BadRequest("Parameter 'capacity' must be at least 1 (GB)")
        attrs: dict[str, Any] = {"size": int(capacity or 1)}
        for param, attr in (("name", "name"), ("description", "description"),
                            ("realm_id", "availability_zone"), ("snapshot_id", "snapshot_id")):
            if params.get(param):
                attrs[attr] = params[param]
        with self._cinder(ctx) as conn:
            return mapping.volume(conn.block_storage.create_volume(**attrs))

    def _volume(self, conn: Any, id: str) -> Any:
        from openstack import exceptions as sdk

        try:
            return conn.block_storage.get_volume(id)
        except sdk.NotFoundException:
            raise NotFound("Storage volume not found") from None

    def attach_storage_volume(self, ctx: CallContext, id: str, params: Params) -> StorageVolume:
        with self._cinder(ctx) as conn:
            volume = self._volume(conn, id)
            server = self._server(conn, params["instance_id"])
            conn.compute.create_volume_attachment(server, volume_id=volume.id,
                                                  device=params.get("device") or None)
            return mapping.volume(conn.block_storage.get_volume(id))

    def detach_storage_volume(self, ctx: CallContext, id: str) -> StorageVolume:
        with self._cinder(ctx) as conn:
            volume = self._volume(conn, id)
            attachments = [a for a in (volume.attachments or []) if a.get("server_id")]
            if not attachments:
                from deltacloud.errors import MethodNotAllowed

                raise MethodNotAllowed("The volume is not attached")
            conn.compute.delete_volume_attachment(volume.id, attachments[0]["server_id"])
            return mapping.volume(conn.block_storage.get_volume(id))

    def destroy_storage_volume(self, ctx: CallContext, id: str) -> None:
        with self._cinder(ctx) as conn:
            conn.block_storage.delete_volume(self._volume(conn, id))

    def storage_snapshots(self, ctx: CallContext, filters: Filters) -> list[StorageSnapshot]:
        with self._cinder(ctx) as conn:
            snaps = [mapping.snapshot(s) for s in conn.block_storage.snapshots(details=True)]
        return filter_on(snaps, filters, "id")

    def create_storage_snapshot(self, ctx: CallContext, params: Params) -> StorageSnapshot:
        with self._cinder(ctx) as conn:
            volume = self._volume(conn, params["volume_id"])
            attrs = {"volume_id": volume.id, "force": True}
            for key in ("name", "description"):
                if params.get(key):
                    attrs[key] = params[key]
            return mapping.snapshot(conn.block_storage.create_snapshot(**attrs))

    def destroy_storage_snapshot(self, ctx: CallContext, id: str) -> None:
        from openstack import exceptions as sdk

        with self._cinder(ctx) as conn:
            try:
                conn.block_storage.delete_snapshot(id, ignore_missing=False)
            except sdk.NotFoundException:
                raise NotFound("Storage snapshot not found") from None

    # -- addresses (floating IPs) ---------------------------------------------------------

    def addresses(self, ctx: CallContext, filters: Filters) -> list[Address]:
        with self._conn(ctx) as conn:
            query = {"floating_ip_address": filters["id"]} if filters.get("id") else {}
            ips = list(conn.network.ips(**query))
            devices = {}
            if any(ip.port_id for ip in ips):
                devices = {p.id: p.device_id for p in conn.network.ports()}
        return filter_on([mapping.address(ip, devices) for ip in ips], filters, "id")

    def _ip(self, conn: Any, id: str) -> Any:
        found = list(conn.network.ips(floating_ip_address=id))
        if not found:
            raise NotFound("Address not found")
        return found[0]

    def create_address(self, ctx: CallContext) -> Address:
        with self._conn(ctx) as conn:
            cloud = conn.deltacloud_cloud
            if cloud.floating_network:
                network = conn.network.find_network(cloud.floating_network,
                                                    ignore_missing=True)
            else:
                network = next(iter(conn.network.networks(is_router_external=True)), None)
            if network is None:
                raise BadRequest("The cloud has no external network for addresses")
            ip = conn.network.create_ip(floating_network_id=network.id)
            return mapping.address(ip, {})

    def destroy_address(self, ctx: CallContext, id: str) -> None:
        with self._conn(ctx) as conn:
            ip = self._ip(conn, id)
            if ip.port_id:
                raise Conflict("The address is associated: disassociate it first")
            conn.network.delete_ip(ip)

    def associate_address(self, ctx: CallContext, id: str, instance_id: str) -> Address:
        with self._conn(ctx) as conn:
            ip = self._ip(conn, id)
            if ip.port_id:
                raise Conflict("The address is associated already")
            ports = list(conn.network.ports(device_id=instance_id))
            if not ports:
                raise BadRequest("Parameter 'instance_id' names no instance with a network port")
            conn.network.update_ip(ip, port_id=ports[0].id)
            return Address(id, instance_id)

    def disassociate_address(self, ctx: CallContext, id: str) -> Address:
        with self._conn(ctx) as conn:
            ip = self._ip(conn, id)
            if not ip.port_id:
                raise Conflict("The address is not associated")
            conn.network.update_ip(ip, port_id=None)
            return Address(id)

    # -- firewalls (security groups) -------------------------------------------------------

    def firewalls(self, ctx: CallContext, filters: Filters) -> list[Firewall]:
        with self._conn(ctx) as conn:
            groups = list(conn.network.security_groups(project_id=conn.current_project_id))
        names = {g.id: g.name for g in groups}
        return filter_on([mapping.firewall(g, names) for g in groups], filters, "id")

    def firewall(self, ctx: CallContext, id: str) -> Firewall:
        with self._conn(ctx) as conn:
            group = self._group(conn, id)
            names = {g.id: g.name for g in conn.network.security_groups(
                project_id=conn.current_project_id)}
        return mapping.firewall(group, names)

    def _group(self, conn: Any, id: str) -> Any:
        from openstack import exceptions as sdk

        try:
            return conn.network.get_security_group(id)
        except sdk.NotFoundException:
            raise NotFound("Firewall not found") from None

    def create_firewall(self, ctx: CallContext, params: Params) -> Firewall:
        with self._conn(ctx) as conn:
            group = conn.network.create_security_group(
                name=params["name"], description=params.get("description") or "")
            return mapping.firewall(group, {group.id: group.name})

    def destroy_firewall(self, ctx: CallContext, id: str) -> None:
        with self._conn(ctx) as conn:
            conn.network.delete_security_group(self._group(conn, id))

    def create_firewall_rule(self, ctx: CallContext, id: str, rule: FirewallRule) -> Firewall:
        with self._conn(ctx) as conn:
            group = self._group(conn, id)
            groups = {g.name: g.id for g in conn.network.security_groups(
                project_id=conn.current_project_id)}
            for source in rule.sources:
                attrs: dict[str, Any] = {
                    "security_group_id": group.id, "direction": "ingress",
                    "protocol": rule.allow_protocol,
                }
                if rule.allow_protocol != "icmp" or int(rule.port_from) >= 0:
                    attrs["port_range_min"] = int(rule.port_from)
                    attrs["port_range_max"] = int(rule.port_to)
                if source.type == "group":
                    remote = groups.get(source.name or "", source.name)
                    attrs["remote_group_id"] = remote
                    attrs["ether_type"] = "IPv4"
                else:
                    attrs["remote_ip_prefix"] = f"{source.address}/{source.prefix}"
                    attrs["ether_type"] = "IPv6" if source.family == "ipv6" else "IPv4"
                conn.network.create_security_group_rule(**attrs)
            group = self._group(conn, id)
            return mapping.firewall(group, {v: k for k, v in groups.items()})

    def destroy_firewall_rule(self, ctx: CallContext, id: str, rule_id: str) -> None:
        from openstack import exceptions as sdk

        with self._conn(ctx) as conn:
            group = self._group(conn, id)
            if not any(r["id"] == rule_id for r in group.security_group_rules or []):
                raise NotFound("Firewall rule not found")
            try:
                conn.network.delete_security_group_rule(rule_id, ignore_missing=False)
            except sdk.NotFoundException:
                raise NotFound("Firewall rule not found") from None

    # -- buckets and blobs (Swift) --------------------------------------------------------

    def buckets(self, ctx: CallContext, filters: Filters) -> list[Bucket]:
        if filters.get("id"):
            try:
                return [self.bucket(ctx, filters["id"])]
            except NotFound:
                return []
        with self._conn(ctx) as conn:
            return [mapping.bucket(c.name, count=c.count or 0)
                    for c in conn.object_store.containers()]

    def bucket(self, ctx: CallContext, id: str) -> Bucket:
        with self._conn(ctx) as conn:
            swift.request(conn.object_store, "HEAD", swift.container_path(id),
                          missing="Bucket not found")
            names = [o.name for o in conn.object_store.objects(id)]
        return mapping.bucket(id, names)

    def create_bucket(self, ctx: CallContext, params: Params) -> Bucket:
        name = params["name"]
        if not name or "/" in name or len(name.encode()) > 256:
            raise BadRequest("Parameter 'name' must be 1-256 bytes without '/'")
        with self._conn(ctx) as conn:
            store = conn.object_store
            head = swift.request(store, "HEAD", swift.container_path(name),
                                 expect=(204, 200, 404))
            if head.status_code != 404:
                raise Conflict("A bucket with that name exists already")
            swift.request(store, "PUT", swift.container_path(name), expect=(201, 202))
        return mapping.bucket(name)

    def destroy_bucket(self, ctx: CallContext, id: str) -> None:
        with self._conn(ctx) as conn:
            store = conn.object_store
            response = swift.request(store, "DELETE", swift.container_path(id),
                                     expect=(204, 409), missing="Bucket not found")
            if response.status_code == 409:
                raise Conflict("The bucket is not empty: delete its blobs first")
            swift.delete_segments_container(store, id)

    def blob(self, ctx: CallContext, bucket_id: str, blob_id: str) -> Blob:
        with self._conn(ctx) as conn:
            return self._blob(conn, bucket_id, blob_id)

    def _blob(self, conn: Any, bucket_id: str, blob_id: str) -> Blob:
        store = conn.object_store
        head = swift.request(store, "HEAD", swift.object_path(bucket_id, blob_id),
                             expect=(200, 204, 404))
        if head.status_code == 404:
            swift.request(store, "HEAD", swift.container_path(bucket_id),
                          missing="Bucket not found")
            raise NotFound("Blob not found")
        return mapping.blob(bucket_id, blob_id, head.headers)

    def create_blob(self, ctx: CallContext, bucket_id: str, blob_id: str,
                    upload: BlobUpload) -> Blob:
        headers = {"Content-Type": upload.content_type or "application/octet-stream"}
        headers.update({swift.META + k: v for k, v in upload.user_metadata.items()})
        with self._conn(ctx) as conn:
            swift.put_object(conn.object_store, bucket_id, blob_id, upload.chunks,
                             upload.content_length, headers, self.settings.swift_segment_size)
            return self._blob(conn, bucket_id, blob_id)

    def blob_content(self, ctx: CallContext, bucket_id: str, blob_id: str, first: int,
                     last: int) -> Content:
        with self._conn(ctx) as conn:
            return swift.get_object(conn.object_store, bucket_id, blob_id, first, last)

    def update_blob_metadata(self, ctx: CallContext, bucket_id: str, blob_id: str,
                             metadata: dict[str, str]) -> Blob:
        with self._conn(ctx) as conn:
            self._blob(conn, bucket_id, blob_id)
            headers = {swift.META + k: v for k, v in metadata.items()}
            swift.request(conn.object_store, "POST", swift.object_path(bucket_id, blob_id),
                          expect=(202, 204), missing="Blob not found", headers=headers)
            return self._blob(conn, bucket_id, blob_id)

    def destroy_blob(self, ctx: CallContext, bucket_id: str, blob_id: str) -> None:
        with self._conn(ctx) as conn:
            self._blob(conn, bucket_id, blob_id)
            swift.delete_object(conn.object_store, bucket_id, blob_id)


def _names(value: Any) -> list[str]:
    """`firewalls` as a list: repeated parameters, or one comma/space separated value."""
    if not value:
        return []
    items = value if isinstance(value, list | tuple) else [value]
    return [n for item in items for n in str(item).replace(",", " ").split() if n]
