# mypy: disable-error-code="empty-body"
# (The bodies below are replaced by @unsupported: each default refuses with a 405.)
"""What a driver can do, by area, each operation with its real signature.

`Driver` inherits all four areas. Every operation here answers 405 until a driver
overrides it; a driver *has* a capability exactly when it overrides the method of that
name (`supports`), and the entry point, the routes' 405s and the HTML forms follow from
that. mypy checks every driver's overrides against these signatures; `CAPABILITIES` is
the set of names the collections may ask for (checked when `collections` is imported).

Methods are called off the event loop, so they may block. Each call gets the request's
`CallContext` (provider, credentials, endpoint policy); a driver keeps no credential
past the call. Blob bytes move as iterators of chunks in both directions, so a driver
passes them through to its cloud without holding a whole blob.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from deltacloud.errors import MethodNotAllowed

if TYPE_CHECKING:
    from deltacloud.drivers.base import CallContext
    from deltacloud.models import (
        Address,
        Blob,
        BlobContent,
        BlobUpload,
        Bucket,
        Firewall,
        FirewallRule,
        HardwareProfile,
        Image,
        Instance,
        Key,
        LoadBalancer,
        Metric,
        Realm,
        StorageSnapshot,
        StorageVolume,
    )
    from deltacloud.models.command import CommandOutput

Filters = Mapping[str, str]
Params = Mapping[str, Any]
F = TypeVar("F", bound=Callable[..., Any])


def unsupported(method: F) -> F:
    """Mark the default of an operation: it refuses, and it is not a capability."""

    def refuse(*_: Any, **__: Any) -> Any:
        raise MethodNotAllowed("This operation is not supported by the driver")

    refuse.__name__ = method.__name__
    refuse.__qualname__ = method.__qualname__
    refuse.__doc__ = method.__doc__
    refuse.unsupported = True  # type: ignore[attr-defined]
    return refuse  # type: ignore[return-value]


class Compute:
    @unsupported
    def realms(self, ctx: CallContext, filters: Filters) -> list[Realm]: ...

    @unsupported
    def images(self, ctx: CallContext, filters: Filters) -> list[Image]: ...

    @unsupported
    def create_image(self, ctx: CallContext, params: Params) -> Image:
        """From a stopped instance (`instance_id`, `name`, `description`)."""

    @unsupported
    def destroy_image(self, ctx: CallContext, id: str) -> None: ...

    @unsupported
    def hardware_profiles(self, ctx: CallContext, filters: Filters) -> list[HardwareProfile]:
        ...

    @unsupported
    def instances(self, ctx: CallContext, filters: Filters) -> list[Instance]: ...

    @unsupported
    def create_instance(self, ctx: CallContext, params: Params) -> Instance | list[Instance]:
        """One instance, or several where `instance_count` asks for them."""

    @unsupported
    def start_instance(self, ctx: CallContext, id: str) -> Instance: ...

    @unsupported
    def stop_instance(self, ctx: CallContext, id: str) -> Instance: ...

    @unsupported
    def reboot_instance(self, ctx: CallContext, id: str) -> Instance: ...

    @unsupported
    def destroy_instance(self, ctx: CallContext, id: str) -> None: ...

    @unsupported
    def run_on_instance(self, ctx: CallContext, id: str, params: Params) -> CommandOutput: ...

    @unsupported
    def keys(self, ctx: CallContext, filters: Filters) -> list[Key]: ...

    @unsupported
    def create_key(self, ctx: CallContext, params: Params) -> Key:
        """A new key pair (its private key shown once), or an imported `public_key`."""

    @unsupported
    def destroy_key(self, ctx: CallContext, id: str) -> None: ...


class Storage:
    @unsupported
    def storage_volumes(self, ctx: CallContext, filters: Filters) -> list[StorageVolume]: ...

    @unsupported
    def create_storage_volume(self, ctx: CallContext, params: Params) -> StorageVolume: ...

    @unsupported
    def attach_storage_volume(self, ctx: CallContext, id: str,
                              params: Params) -> StorageVolume:
        """`instance_id`, and `device` if the client named one."""

    @unsupported
    def detach_storage_volume(self, ctx: CallContext, id: str) -> StorageVolume: ...

    @unsupported
    def destroy_storage_volume(self, ctx: CallContext, id: str) -> None: ...

    @unsupported
    def storage_snapshots(self, ctx: CallContext, filters: Filters) -> list[StorageSnapshot]:
        ...

    @unsupported
    def create_storage_snapshot(self, ctx: CallContext, params: Params) -> StorageSnapshot: ...

    @unsupported
    def destroy_storage_snapshot(self, ctx: CallContext, id: str) -> None: ...

    @unsupported
    def buckets(self, ctx: CallContext, filters: Filters) -> list[Bucket]: ...

    @unsupported
    def create_bucket(self, ctx: CallContext, params: Params) -> Bucket: ...

    @unsupported
    def destroy_bucket(self, ctx: CallContext, id: str) -> None:
        """Refuses (409) a bucket that still holds blobs."""

    @unsupported
    def blob(self, ctx: CallContext, bucket_id: str, blob_id: str) -> Blob: ...

    @unsupported
    def create_blob(self, ctx: CallContext, bucket_id: str, blob_id: str,
                    upload: BlobUpload) -> Blob:
        """Create or replace, streaming `upload.chunks` to the cloud."""

    @unsupported
    def blob_content(self, ctx: CallContext, bucket_id: str, blob_id: str, first: int,
                     last: int) -> BlobContent:
        """Bytes first..last (inclusive); the caller closes what it gets."""

    @unsupported
    def update_blob_metadata(self, ctx: CallContext, bucket_id: str, blob_id: str,
                             meta: dict[str, str]) -> Blob | None:
        """Replace the user metadata with `meta`."""

    @unsupported
    def destroy_blob(self, ctx: CallContext, bucket_id: str, blob_id: str) -> None: ...


class Network:
    @unsupported
    def addresses(self, ctx: CallContext, filters: Filters) -> list[Address]: ...

    @unsupported
    def create_address(self, ctx: CallContext) -> Address: ...

    @unsupported
    def destroy_address(self, ctx: CallContext, id: str) -> None: ...

    @unsupported
    def associate_address(self, ctx: CallContext, id: str, instance_id: str) -> Address: ...

    @unsupported
    def disassociate_address(self, ctx: CallContext, id: str) -> Address: ...

    @unsupported
    def firewalls(self, ctx: CallContext, filters: Filters) -> list[Firewall]: ...

    @unsupported
    def create_firewall(self, ctx: CallContext, params: Params) -> Firewall: ...

    @unsupported
    def destroy_firewall(self, ctx: CallContext, id: str) -> None: ...

    @unsupported
    def create_firewall_rule(self, ctx: CallContext, id: str, rule: FirewallRule) -> Firewall:
        ...

    @unsupported
    def destroy_firewall_rule(self, ctx: CallContext, id: str, rule_id: str) -> None: ...

    @unsupported
    def load_balancers(self, ctx: CallContext, filters: Filters) -> list[LoadBalancer]: ...

    @unsupported
    def create_load_balancer(self, ctx: CallContext, params: Params) -> LoadBalancer: ...

    @unsupported
    def destroy_load_balancer(self, ctx: CallContext, id: str) -> None: ...

    @unsupported
    def register_load_balancer_instance(self, ctx: CallContext, id: str,
                                        instance_id: str) -> LoadBalancer: ...

    @unsupported
    def unregister_load_balancer_instance(self, ctx: CallContext, id: str,
                                          instance_id: str) -> LoadBalancer: ...


class Monitoring:
    @unsupported
    def metrics(self, ctx: CallContext, filters: Filters) -> list[Metric]:
        """Names only; `Driver.metric` gives one resource's samples."""


AREAS = (Compute, Storage, Network, Monitoring)
CAPABILITIES: frozenset[str] = frozenset(
    name for area in AREAS for name, value in vars(area).items()
    if getattr(value, "unsupported", False))
