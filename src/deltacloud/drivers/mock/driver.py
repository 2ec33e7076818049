"""The mock driver: Deltacloud's pretend cloud, persistent and per user."""

from __future__ import annotations

import hmac
import ipaddress
import random
import re
import threading
import time
from typing import Any, ClassVar

from deltacloud.drivers.base import (
    CallContext,
    Driver,
    Filters,
    Params,
    Settings,
    filter_on,
    free_device,
)
from deltacloud.drivers.common.streams import Content
from deltacloud.drivers.mock import data, keys
from deltacloud.drivers.mock.blobs import BlobFiles
from deltacloud.drivers.mock.mapping import (
    blob_from_doc,
    bucket_from_doc,
    image_from_doc,
    instance_from_doc,
    key_from_doc,
    snapshot_from_doc,
    volume_from_doc,
)
from deltacloud.drivers.mock.store import Doc, MockStore, Transaction
from deltacloud.errors import (
    AuthenticationFailure,
    BackendError,
    BackendTimeout,
    BadRequest,
    Conflict,
    DeltacloudError,
    Forbidden,
    InternalError,
    MethodNotAllowed,
    NotFound,
    NotImplementedByBackend,
)
from deltacloud.models import (
    Address,
    Blob,
    BlobUpload,
    Bucket,
    HardwareProfile,
    Image,
    Instance,
    Key,
    Metric,
    MetricProperty,
    Realm,
    StorageSnapshot,
    StorageVolume,
)
from deltacloud.models.command import CommandOutput
from deltacloud.models.state_machine import machine

# GET /api/realms/ID with these ids fails on purpose, so clients can test
# their error handling (Deltacloud's mock did the same).
# Made afresh for each request: a shared exception's traceback would keep the last
# request's frames (its credentials among them) alive.
ERROR_PROBES: dict[str, tuple[type[DeltacloudError], str]] = {
    "500": (InternalError, "DeltacloudErrorMessage"),
    "501": (NotImplementedByBackend, "NotImplementedMessage"),
    "502": (BackendError, "ProviderErrorMessage"),
    "504": (BackendTimeout, "ProviderTimeoutMessage"),
}

DEFAULT_USERS = {"mockuser": "mockpassword"}
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,254}$")
_BUCKET = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$")


def _now() -> str:
    return time.strftime("%a %b %d %H:%M:%S UTC %Y", time.gmtime())


class MockDriver(Driver):
    name = "mock"
    display_name = "Mock"
    username_label = "User name (mockuser)"
    password_label = "Password (mockpassword)"
    collections: ClassVar = {
        "addresses": (),
        "hardware_profiles": (),
        "images": (),
        "instance_states": (),
        "instances": ("user_name", "authentication_key", "metrics", "realm_filter"),
        "buckets": (),
        "keys": (),
        "metrics": (),
        "realms": (),
        "storage_snapshots": (),
        "storage_volumes": (),
    }
    instance_states = machine(
        ("start", "pending", "create"),
        ("pending", "running", None),
        ("running", "running", "reboot"),
        ("running", "stopped", "stop"),
        ("stopped", "running", "start"),
        ("stopped", "finish", "destroy"),
    )

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        # mockuser, and the operator's accounts (DELTACLOUD_MOCK_USERS)
        self._users = {**DEFAULT_USERS, **settings.mock_users}
        self._stores: dict[str, tuple[MockStore, BlobFiles]] = {}
        self._lock = threading.Lock()
        # Deltacloud's mock answers a create with a RUNNING instance, and clients act on it
        # at once. A positive setting keeps new instances PENDING that long first.
        self.pending_seconds = settings.mock_pending_seconds

    # -- credentials and storage -------------------------------------------

    def _store(self, ctx: CallContext) -> tuple[str, MockStore]:
        """Check the credentials and open that user's cloud."""
        user, store, _ = self._open(ctx)
        return user, store

    def _open(self, ctx: CallContext) -> tuple[str, MockStore, BlobFiles]:
        creds = ctx.require_credentials()
        expected = self._users.get(creds.user)
        if expected is None or not hmac.compare_digest(
            expected.encode(), creds.password.encode()
        ):
            raise AuthenticationFailure()
        opened = self._stores.get(creds.user)
        if opened is None:
            with self._lock:
                opened = self._stores.get(creds.user)
                if opened is None:
                    opened = self._open_user(creds.user)
                    self._stores[creds.user] = opened
        store, files = opened
        return creds.user, store, files

    def _open_user(self, user: str) -> tuple[MockStore, BlobFiles]:
        root = self.settings.data_dir / "mock"
        files = BlobFiles(root / f"{user}.blobs")
        store = MockStore(root / f"{user}.sqlite3", lambda txn: data.seed(txn, user, files))
        files.sweep({doc["file"] for doc in store.read().all("blobs")})
        return store, files

    # -- realms and hardware profiles ------------------------------------------

    def realms(self, ctx: CallContext, filters: Filters) -> list[Realm]:
        self._store(ctx)
        probe = ERROR_PROBES.get(filters.get("id", ""))
        if probe is not None:
            error, message = probe
            raise error(message)
        return filter_on(data.REALMS, filters, "id", "state")

    def hardware_profiles(self, ctx: CallContext, filters: Filters) -> list[HardwareProfile]:
        profiles = filter_on(data.HARDWARE_PROFILES, filters, "id")
        arch = filters.get("architecture")
        if arch:
            profiles = [
                p for p in profiles
                if (prop := p.property("architecture")) and prop.default_text == arch
            ]
        return profiles

    # -- images ------------------------------------------------------------------

    def images(self, ctx: CallContext, filters: Filters) -> list[Image]:
        user, store = self._store(ctx)
        images = [image_from_doc(d, self._profile_ids()) for d in store.read().all("images")]
        owner = filters.get("owner_id")
        if owner == "self":
            images = [i for i in images if i.owner_id == user]
        elif owner:
            images = [i for i in images if i.owner_id == owner]
        return filter_on(images, filters, "id", "architecture")

    def create_image(self, ctx: CallContext, params: Params) -> Image:
        user, store = self._store(ctx)
        name = params.get("name") or None
        if name is not None and not _NAME.match(name):
            raise BadRequest("Parameter 'name' must be 1-255 letters, digits, ' ._-'")
        with store.write() as txn:
            inst = txn.get("instances", params["instance_id"])
            if inst is None or inst["owner_id"] != user:
                raise BadRequest("Parameter 'instance_id' names no instance")
            if not inst.get("create_image"):
                raise MethodNotAllowed("Images cannot be created from this instance")
            image_id = name or txn.next_id("img")
            if txn.get("images", image_id) is not None:
                raise Conflict("An image with that name exists already")
            profile = self._profile(inst["hwp_id"])
            arch = profile.property("architecture") if profile else None
            doc = txn.put("images", {
                "id": image_id, "name": name or image_id, "owner_id": user,
                "description": params.get("description") or "",
                "architecture": arch.default_text if arch else "",
                "state": "AVAILABLE", "creation_time": _now(),
            })
        return image_from_doc(doc, self._profile_ids())

    def destroy_image(self, ctx: CallContext, id: str) -> None:
        user, store = self._store(ctx)
        with store.write() as txn:
            doc = txn.get("images", id)
            if doc is None:
                raise NotFound("Image not found")
            if doc["owner_id"] != user:
                raise Forbidden("Only the owner of an image may delete it")
            txn.delete("images", id)

    # -- instances -------------------------------------------------------------

    def instances(self, ctx: CallContext, filters: Filters) -> list[Instance]:
        user, store = self._store(ctx)
        now = time.time()
        instances = [
            self._instance(self._advance(d, now))
            for d in store.read().all("instances")
            if d["owner_id"] == user
        ]
        return filter_on(instances, filters, "id", "state", "realm_id", "image_id")

    def create_instance(self, ctx: CallContext, params: Params) -> Instance:
        user, store = self._store(ctx)
        realm_id = params.get("realm_id") or data.REALMS[0].id
        if not any(r.id == realm_id for r in data.REALMS):
            raise BadRequest("Parameter 'realm_id' names no realm")
        hwp_id = params.get("hwp_id") or "m1-small"
        profile = self._profile(hwp_id)
        if profile is None:
            raise BadRequest("Parameter 'hwp_id' names no hardware profile")
        user_data = params.get("user_data") or None  # base64, parsed at the edge
        overrides = {
            prop.name: params[prop.param]
            for prop in profile.properties
            if params.get(prop.param) and params[prop.param] != prop.default_text
        }
        with store.write() as txn:
            image = txn.get("images", params["image_id"])
            if image is None:
                raise BadRequest("Parameter 'image_id' names no image")
            keyname = params.get("keyname") or None
            if keyname is not None and txn.get("keys", keyname) is None:
                raise BadRequest("Parameter 'keyname' names no key")
            instance_id = txn.next_id("inst")
            doc = txn.put("instances", {
                "id": instance_id,
                "name": params.get("name") or f"i-{int(time.time())}",
                "owner_id": user, "image_id": image["id"], "realm_id": realm_id,
                "state": "PENDING" if self.pending_seconds else "RUNNING",
                "ready_at": time.time() + self.pending_seconds,
                "hwp_id": hwp_id, "hwp_overrides": overrides,
                "public_addresses": [[f"{image['id']}.{instance_id}.public.com", "hostname"]],
                "private_addresses": [[f"{image['id']}.{instance_id}.private.com", "hostname"]],
                "create_image": True, "keyname": keyname,
                "launch_time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "user_data": user_data, "storage_volumes": [],
            })
        return self._instance(doc)

    def start_instance(self, ctx: CallContext, id: str) -> Instance:
        return self._transition(ctx, id, "start", "RUNNING")

    def stop_instance(self, ctx: CallContext, id: str) -> Instance:
        return self._transition(ctx, id, "stop", "STOPPED")

    def reboot_instance(self, ctx: CallContext, id: str) -> Instance:
        return self._transition(ctx, id, "reboot", "RUNNING")

    def destroy_instance(self, ctx: CallContext, id: str) -> None:
        user, store = self._store(ctx)
        with store.write() as txn:
            doc = self._owned_instance(txn, user, id)
            self._check_action(doc, "destroy")
            for address in txn.all("addresses"):
                if address["instance_id"] == id:
                    txn.put("addresses", {**address, "instance_id": None})
            for volume_id, _device in doc.get("storage_volumes", []):
                volume = txn.get("storage_volumes", volume_id)
                if volume is not None:
                    txn.put("storage_volumes", {**volume, "state": "AVAILABLE",
                                                "instance_id": None, "device": None})
            txn.delete("instances", id)

    def run_on_instance(self, ctx: CallContext, id: str, params: Params) -> CommandOutput:
        instance = self.instance(ctx, id)
        address = instance.public_addresses[0].address if instance.public_addresses else ""
        return CommandOutput(
            instance.id, address, params["cmd"],
            "This is where the output of the command would appear "
            "if this were not a mock provider",
        )

    # -- keys --------------------------------------------------------------------

    def keys(self, ctx: CallContext, filters: Filters) -> list[Key]:
        _, store = self._store(ctx)
        return filter_on([key_from_doc(d) for d in store.read().all("keys")], filters, "id")

    def create_key(self, ctx: CallContext, params: Params) -> Key:
        _, store = self._store(ctx)
        name = params["name"]
        if not _NAME.match(name):
            raise BadRequest("Parameter 'name' must be 1-255 letters, digits, ' ._-'")
        public_key = params.get("public_key")
        if public_key:
            pem, fingerprint = None, keys.public_key_fingerprint(public_key)
        else:
            pem, fingerprint = keys.generate_key_pair()
        with store.write() as txn:
            if txn.get("keys", name) is not None:
                raise Conflict("A key with that name exists already")
            doc = txn.put("keys", {"id": name, "credential_type": "key",
                                   "fingerprint": fingerprint})
        key = key_from_doc(doc)
        key.pem_rsa_key = pem  # shown once, never stored
        return key

    def destroy_key(self, ctx: CallContext, id: str) -> None:
        _, store = self._store(ctx)
        with store.write() as txn:
            if txn.get("keys", id) is None:
                raise NotFound("Key not found")
            txn.delete("keys", id)

    # -- storage volumes ---------------------------------------------------------

    def storage_volumes(self, ctx: CallContext, filters: Filters) -> list[StorageVolume]:
        _, store = self._store(ctx)
        volumes = [volume_from_doc(d) for d in store.read().all("storage_volumes")]
        return filter_on(volumes, filters, "id", "state")

    def create_storage_volume(self, ctx: CallContext, params: Params) -> StorageVolume:
        _, store = self._store(ctx)
        realm_id = params.get("realm_id") or data.REALMS[0].id
        if not any(r.id == realm_id for r in data.REALMS):
            raise BadRequest("Parameter 'realm_id' names no realm")
        capacity = params.get("capacity") or None
        if capacity is not None and int(capacity) < 1:
            raise BadRequest("Parameter 'capacity' must be at least 1 (GB)")
        with store.write() as txn:
            snapshot_id = params.get("snapshot_id") or None
            if snapshot_id is not None:
                snapshot = txn.get("storage_snapshots", snapshot_id)
                if snapshot is None:
                    raise BadRequest("Parameter 'snapshot_id' names no snapshot")
                source = txn.get("storage_volumes", snapshot["storage_volume_id"])
                capacity = capacity or (source or {}).get("capacity")
            volume_id = txn.next_id("vol")
            doc = txn.put("storage_volumes", {
                "id": volume_id, "capacity": str(int(capacity or 1)), "realm_id": realm_id,
                "state": "AVAILABLE", "created": _now(), "instance_id": None, "device": None,
                "name": params.get("name") or None,
                "description": params.get("description") or None,
                "snapshot_id": snapshot_id,
            })
        return volume_from_doc(doc)

    def attach_storage_volume(self, ctx: CallContext, id: str, params: Params) -> StorageVolume:
        user, store = self._store(ctx)
        with store.write() as txn:
            volume = self._volume(txn, id)
            if volume["state"] != "AVAILABLE":
                raise MethodNotAllowed(f"The volume is {volume['state']}: it cannot be attached")
            instance = txn.get("instances", params["instance_id"])
            if instance is None or instance["owner_id"] != user:
                raise BadRequest("Parameter 'instance_id' names no instance")
            used = [dev for _, dev in instance.get("storage_volumes", [])]
            device = params.get("device") or free_device(used)
            if device in used:
                raise Conflict("The instance has a volume on that device already")
            instance["storage_volumes"] = [*instance.get("storage_volumes", []), [id, device]]
            txn.put("instances", instance)
            volume = txn.put("storage_volumes", {**volume, "state": "IN-USE",
                                                 "instance_id": instance["id"], "device": device})
        return volume_from_doc(volume)

    def detach_storage_volume(self, ctx: CallContext, id: str) -> StorageVolume:
        _, store = self._store(ctx)
        with store.write() as txn:
            volume = self._volume(txn, id)
            if volume["state"] != "IN-USE":
                raise MethodNotAllowed(f"The volume is {volume['state']}: it is not attached")
            instance = txn.get("instances", volume["instance_id"] or "")
            if instance is not None:
                instance["storage_volumes"] = [
                    pair for pair in instance.get("storage_volumes", []) if pair[0] != id
                ]
                txn.put("instances", instance)
            volume = txn.put("storage_volumes", {**volume, "state": "AVAILABLE",
                                                 "instance_id": None, "device": None})
        return volume_from_doc(volume)

    def destroy_storage_volume(self, ctx: CallContext, id: str) -> None:
        _, store = self._store(ctx)
        with store.write() as txn:
            volume = self._volume(txn, id)
            if volume["state"] == "IN-USE":
                raise MethodNotAllowed("The volume is attached: detach it first")
            txn.delete("storage_volumes", id)

    # -- storage snapshots -------------------------------------------------------

    def storage_snapshots(self, ctx: CallContext, filters: Filters) -> list[StorageSnapshot]:
        _, store = self._store(ctx)
        snapshots = [snapshot_from_doc(d) for d in store.read().all("storage_snapshots")]
        return filter_on(snapshots, filters, "id")

    def create_storage_snapshot(self, ctx: CallContext, params: Params) -> StorageSnapshot:
        _, store = self._store(ctx)
        with store.write() as txn:
            if txn.get("storage_volumes", params["volume_id"]) is None:
                raise BadRequest("Parameter 'volume_id' names no storage volume")
            doc = txn.put("storage_snapshots", {
                "id": txn.next_id("snap"), "storage_volume_id": params["volume_id"],
                "state": "COMPLETED", "created": _now(),
                "name": params.get("name") or None,
                "description": params.get("description") or None,
            })
        return snapshot_from_doc(doc)

    def destroy_storage_snapshot(self, ctx: CallContext, id: str) -> None:
        _, store = self._store(ctx)
        with store.write() as txn:
            if txn.get("storage_snapshots", id) is None:
                raise NotFound("Storage snapshot not found")
            txn.delete("storage_snapshots", id)

    # -- addresses ----------------------------------------------------------------

    def addresses(self, ctx: CallContext, filters: Filters) -> list[Address]:
        _, store = self._store(ctx)
        found = [Address(d["id"], d["instance_id"]) for d in store.read().all("addresses")]
        return filter_on(found, filters, "id")

    def create_address(self, ctx: CallContext) -> Address:
        _, store = self._store(ctx)
        with store.write() as txn:
            taken = [ipaddress.IPv4Address(d["id"]) for d in txn.all("addresses")]
            nxt = str(max(taken, default=ipaddress.IPv4Address("192.168.0.0")) + 1)
            txn.put("addresses", {"id": nxt, "instance_id": None})
        return Address(nxt)

    def destroy_address(self, ctx: CallContext, id: str) -> None:
        _, store = self._store(ctx)
        with store.write() as txn:
            if self._address(txn, id)["instance_id"] is not None:
                raise Conflict("The address is associated: disassociate it first")
            txn.delete("addresses", id)

    def associate_address(self, ctx: CallContext, id: str, instance_id: str) -> Address:
        user, store = self._store(ctx)
        with store.write() as txn:
            address = self._address(txn, id)
            if address["instance_id"] is not None:
                raise Conflict("The address is associated already")
            instance = txn.get("instances", instance_id)
            if instance is None or instance["owner_id"] != user:
                raise BadRequest("Parameter 'instance_id' names no instance")
            for other in txn.all("addresses"):
                if other["instance_id"] == instance_id:
                    txn.put("addresses", {**other, "instance_id": None})
            own = instance.get("own_public_addresses") or instance["public_addresses"]
            txn.put("instances", {**instance, "public_addresses": [[id, "ipv4"]],
                                  "own_public_addresses": own})
            txn.put("addresses", {**address, "instance_id": instance_id})
        return Address(id, instance_id)

    def disassociate_address(self, ctx: CallContext, id: str) -> Address:
        _, store = self._store(ctx)
        with store.write() as txn:
            address = self._address(txn, id)
            if address["instance_id"] is None:
                raise Conflict("The address is not associated")
            self._release_address(txn, address)
        return Address(id)

    @staticmethod
    def _address(txn: Transaction, id: str) -> Doc:
        address = txn.get("addresses", id)
        if address is None:
            raise NotFound("Address not found")
        return address

    @staticmethod
    def _release_address(txn: Transaction, address: Doc) -> None:
        """Take the address off its instance, which gets its own addresses back."""
        instance = txn.get("instances", address["instance_id"])
        if instance is not None:
            own = instance.pop("own_public_addresses", None) or instance["public_addresses"]
            txn.put("instances", {**instance, "public_addresses": own})
        txn.put("addresses", {**address, "instance_id": None})

    # -- metrics ------------------------------------------------------------------

    def metrics(self, ctx: CallContext, filters: Filters) -> list[Metric]:
        found = [
            Metric(i.id, i.name or i.id, [MetricProperty(n) for n in data.METRIC_NAMES])
            for i in self.instances(ctx, {})
        ]
        return filter_on(found, filters, "id")

    def metric(self, ctx: CallContext, id: str) -> Metric:
        """Made-up samples of the last minutes, as Deltacloud's mock did."""
        instance = self.instance(ctx, id)
        now = int(time.time())
        rng = random.Random(f"{id}-{now // 60}")
        properties = []
        for name in data.METRIC_NAMES:
            unit = ("Percent" if "Utilization" in name else "Bytes" if "Byte" in name
                    else "Count")
            samples = []
            for minute in range(6):
                low, high = rng.randint(1, 49), rng.randint(50, 99)
                scale = 100.0 if unit == "Percent" else 1
                samples.append({"minimum": low / scale, "maximum": high / scale,
                                "average": (low + high) / 2 / scale,
                                "timestamp": now - 60 * minute, "unit": unit})
            properties.append(MetricProperty(name, samples))
        return Metric(instance.id, instance.name or instance.id, properties)

    # -- buckets and blobs ------------------------------------------------------

    def buckets(self, ctx: CallContext, filters: Filters) -> list[Bucket]:
        _, store = self._store(ctx)
        reader = store.read()
        wanted = filters.get("id")
        docs = [d for d in reader.all("buckets") if not wanted or d["id"] == wanted]
        return [
            bucket_from_doc(d, [b["name"] for b in reader.all("blobs", d["id"] + "/")])
            for d in docs
        ]

    def create_bucket(self, ctx: CallContext, params: Params) -> Bucket:
        _, store = self._store(ctx)
        name = params["name"]
        if not _BUCKET.match(name):
            raise BadRequest("Parameter 'name' must be 1-255 letters, digits, '._-'")
        with store.write() as txn:
            if txn.get("buckets", name) is not None:
                raise Conflict("A bucket with that name exists already")
            doc = txn.put("buckets", {"id": name, "name": name})
        return bucket_from_doc(doc, [])

    def destroy_bucket(self, ctx: CallContext, id: str) -> None:
        _, store = self._store(ctx)
        with store.write() as txn:
            if txn.get("buckets", id) is None:
                raise NotFound("Bucket not found")
            if txn.count("blobs", id + "/"):
                raise Conflict("The bucket is not empty: delete its blobs first")
            txn.delete("buckets", id)

    def blob(self, ctx: CallContext, bucket_id: str, blob_id: str) -> Blob:
        _, store = self._store(ctx)
        return blob_from_doc(self._blob_doc(store.read(), bucket_id, blob_id))

    def create_blob(self, ctx: CallContext, bucket_id: str, blob_id: str,
                    upload: BlobUpload) -> Blob:
        _, store, files = self._open(ctx)
        if store.read().get("buckets", bucket_id) is None:
            raise NotFound("Bucket not found")
        name, size = files.write(upload.chunks)
        old: str | None = None
        try:
            with store.write() as txn:
                if txn.get("buckets", bucket_id) is None:
                    raise NotFound("Bucket not found")
                previous = txn.get("blobs", data.blob_key(bucket_id, blob_id))
                old = previous["file"] if previous else None
                doc = txn.put("blobs", data.blob_doc(
                    bucket_id, blob_id, name, size, upload.content_type,
                    time.strftime("%Y-%m-%d %H:%M:%S +0000", time.gmtime()),
                    upload.user_metadata,
                ))
        except BaseException:
            files.remove(name)
            raise
        files.remove(old)
        return blob_from_doc(doc)

    def blob_content(self, ctx: CallContext, bucket_id: str, blob_id: str, first: int,
                     last: int) -> Content:
        _, store, files = self._open(ctx)
        doc = self._blob_doc(store.read(), bucket_id, blob_id)
        try:
            return files.open(doc["file"], first, last)
        except FileNotFoundError:  # replaced or deleted just now
            raise NotFound("Blob not found") from None

    def update_blob_metadata(self, ctx: CallContext, bucket_id: str, blob_id: str,
                             metadata: dict[str, str]) -> Blob:
        _, store = self._store(ctx)
        with store.write() as txn:
            doc = self._blob_doc(txn, bucket_id, blob_id)
            doc = txn.put("blobs", {**doc, "user_metadata": metadata})
        return blob_from_doc(doc)

    def destroy_blob(self, ctx: CallContext, bucket_id: str, blob_id: str) -> None:
        _, store, files = self._open(ctx)
        with store.write() as txn:
            doc = self._blob_doc(txn, bucket_id, blob_id)
            txn.delete("blobs", doc["id"])
        files.remove(doc["file"])

    @staticmethod
    def _blob_doc(txn: Transaction, bucket_id: str, blob_id: str) -> Doc:
        doc = txn.get("blobs", data.blob_key(bucket_id, blob_id))
        if doc is None:
            if txn.get("buckets", bucket_id) is None:
                raise NotFound("Bucket not found")
            raise NotFound("Blob not found")
        return doc

    # -- helpers -------------------------------------------------------------------

    @staticmethod
    def _profile(hwp_id: str) -> HardwareProfile | None:
        return next((p for p in data.HARDWARE_PROFILES if p.id == hwp_id), None)

    @staticmethod
    def _profile_ids() -> list[str]:
        return [p.id for p in data.HARDWARE_PROFILES]

    @staticmethod
    def _advance(doc: Doc, now: float) -> Doc:
        """Apply the automatic pending -> running transition once its time has come."""
        if doc["state"] == "PENDING" and now >= doc.get("ready_at", 0):
            doc = {**doc, "state": "RUNNING"}
        return doc

    def _instance(self, doc: Doc) -> Instance:
        return instance_from_doc(doc, self.instance_actions(doc["state"]))

    def _owned_instance(self, txn: Transaction, user: str, id: str) -> Doc:
        doc = txn.get("instances", id)
        if doc is None or doc["owner_id"] != user:
            raise NotFound("Instance not found")
        return self._advance(doc, time.time())

    def _check_action(self, doc: Doc, action: str) -> None:
        if action not in self.instance_actions(doc["state"]):
            raise MethodNotAllowed(
                f"The instance is {doc['state']}: '{action}' is not allowed in that state"
            )

    def _transition(self, ctx: CallContext, id: str, action: str, state: str) -> Instance:
        user, store = self._store(ctx)
        with store.write() as txn:
            doc = self._owned_instance(txn, user, id)
            self._check_action(doc, action)
            doc = txn.put("instances", {**doc, "state": state})
        return self._instance(doc)

    @staticmethod
    def _volume(txn: Transaction, id: str) -> dict[str, Any]:
        volume = txn.get("storage_volumes", id)
        if volume is None:
            raise NotFound("Storage volume not found")
        return volume
