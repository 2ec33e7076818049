"""The interface every cloud driver implements.

A driver states what it can do as class-level data (its collections with
their features, its instance state machine, its providers) and implements
the operations (`capabilities.py`, by area) as methods. An operation exists for
the API exactly when the driver overrides it: the entry point, the routes' 405s
and the HTML forms all follow from that.

Methods are called off the event loop, so they may block. Each call gets a
`CallContext` carrying the provider and the credentials of one request;
a driver must not keep the credentials beyond the call.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import ClassVar, TypeVar

from deltacloud.drivers.capabilities import (
    CAPABILITIES,
    Compute,
    Filters,
    Monitoring,
    Network,
    Storage,
)
from deltacloud.drivers.capabilities import Params as Params  # drivers import it here
from deltacloud.drivers.urls import EndpointPolicy
from deltacloud.errors import (
    AuthenticationFailure,
    BackendError,
    Conflict,
    NotFound,
)
from deltacloud.models import (
    Address,
    Bucket,
    Firewall,
    HardwareProfile,
    Image,
    Instance,
    Key,
    LoadBalancer,
    Metric,
    Realm,
    StateMachine,
    StorageSnapshot,
    StorageVolume,
)
from deltacloud.models.driver import DriverInfo
from deltacloud.models.driver import Provider as Provider  # drivers import it here
from deltacloud.settings import Settings as Settings  # drivers import it here


@dataclass(frozen=True)
class Credentials:
    """HTTP Basic credentials of one request, passed straight to the cloud."""

    user: str
    password: str = field(repr=False)

    @classmethod
    def from_basic(cls, header: str) -> Credentials | None:
        """Parse an `Authorization: Basic ...` header; None if absent or malformed."""
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "basic" or not token:
            return None
        try:
            decoded = base64.b64decode(token.strip(), validate=True).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            return None
        user, sep, password = decoded.partition(":")
        return cls(user, password) if sep else None


@dataclass(frozen=True)
class CallContext:
    """What a driver learns about the request it serves."""

    provider: str | None = None
    credentials: Credentials | None = field(default=None, repr=False)
    # Where the operator lets providers point (see drivers/urls.py).
    endpoints: EndpointPolicy = field(default_factory=EndpointPolicy)

    def require_credentials(self) -> Credentials:
        if self.credentials is None:
            raise AuthenticationFailure()
        return self.credentials

    def check_endpoint(self, url: str) -> str:
        """`url`, if the operator allows connecting to it; 403 before any connection if not."""
        self.endpoints.check(url)
        return url


T = TypeVar("T")


def filter_on(items: Iterable[T], filters: Filters, *attrs: str) -> list[T]:
    """Keep the items whose attributes equal every given filter among `attrs`."""
    wanted = {a: filters[a] for a in attrs if filters.get(a) not in (None, "")}
    return [i for i in items if all(str(getattr(i, a)) == v for a, v in wanted.items())]


class PageGuard:
    """Bounds a listing that follows a cloud's next-page markers: a marker seen before, or
    more than `limit` pages, is a cloud that fails (502), not a reason to loop forever."""

    def __init__(self, what: str, limit: int = 10_000) -> None:
        self.what = what
        self.limit = limit
        self._seen: set[str] = set()

    def next(self, marker: str) -> str:
        """Record the marker of the next page; returns it."""
        if marker in self._seen or len(self._seen) >= self.limit:
            raise BackendError(f"The cloud's {self.what} listing does not end: its next-page "
                               "marker repeats or the pages never stop")
        self._seen.add(marker)
        return marker


# Where a volume attached without a `device` goes: EC2's recommended names for data volumes.
DATA_DEVICES = tuple(f"/dev/sd{letter}" for letter in "fghijklmnop")


def free_device(used: Iterable[str]) -> str:
    """The first data device name not in `used`, for an attach that names none."""
    taken = set(used)
    for device in DATA_DEVICES:
        if device not in taken:
            return device
    raise Conflict("The instance has no free device for another volume")


class Driver(Compute, Storage, Network, Monitoring):
    """Base class: declares nothing and supports nothing (the operations, typed by area,
    are in `capabilities.py`)."""

    name: ClassVar[str]
    display_name: ClassVar[str]
    # collection name -> the features the driver offers on it
    collections: ClassVar[Mapping[str, Sequence[str]]] = {}
    instance_states: ClassVar[StateMachine | None] = None
    # What the Basic credentials mean for this cloud (shown by GET /api/drivers).
    username_label: ClassVar[str | None] = None
    password_label: ClassVar[str | None] = None

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    # -- what the driver declares ------------------------------------------

    @classmethod
    def providers(cls, settings: Settings) -> list[Provider]:
        """The providers a client may pick; may be computed, but never needs credentials."""
        return []

    def account_providers(self, ctx: CallContext) -> list[Provider] | None:
        """Providers only the cloud can list, asked with the request's credentials (RHEV-M's
        data centres); None where `providers` says it all."""
        return None

    @classmethod
    def info(cls, settings: Settings) -> DriverInfo:
        """What GET /api/drivers shows of this driver (no credentials, no cloud)."""
        return DriverInfo(cls.name, cls.display_name, tuple(cls.providers(settings)),
                          cls.username_label, cls.password_label)

    @classmethod
    def capabilities(cls) -> frozenset[str]:
        """The operations this driver implements (the class's methods: computed once)."""
        return _implemented(cls)

    def supports(self, capability: str) -> bool:
        """Whether the driver implements the named operation (a misspelt name is a bug)."""
        if capability not in CAPABILITIES:
            raise KeyError(f"no such capability: {capability}")
        return capability in _implemented(type(self))

    def has_feature(self, collection: str, feature: str) -> bool:
        return feature in self.collections.get(collection, ())

    def instance_actions(self, state: str) -> list[str]:
        """The actions an instance in `state` allows that this driver can carry out."""
        if self.instance_states is None:
            return []
        return [
            a for a in self.instance_states.actions_for(state) if self.supports(f"{a}_instance")
        ]

    def valid_credentials(self, ctx: CallContext) -> bool:
        """Ask the cloud whether the credentials work (GET /api?force_auth=1)."""
        try:
            self.realms(ctx, {})
        except AuthenticationFailure:
            return False
        return True

    # Single-object lookups default to filtering the listing; drivers whose
    # cloud has a cheaper direct call override them.

    def realm(self, ctx: CallContext, id: str) -> Realm:
        return _one(self.realms(ctx, {"id": id}), "Realm", id)

    def image(self, ctx: CallContext, id: str) -> Image:
        return _one(self.images(ctx, {"id": id}), "Image", id)

    def hardware_profile(self, ctx: CallContext, id: str) -> HardwareProfile:
        return _one(self.hardware_profiles(ctx, {"id": id}), "Hardware profile", id)

    def instance(self, ctx: CallContext, id: str) -> Instance:
        return _one(self.instances(ctx, {"id": id}), "Instance", id)

    def key(self, ctx: CallContext, id: str) -> Key:
        return _one(self.keys(ctx, {"id": id}), "Key", id)

    def storage_volume(self, ctx: CallContext, id: str) -> StorageVolume:
        return _one(self.storage_volumes(ctx, {"id": id}), "Storage volume", id)

    def storage_snapshot(self, ctx: CallContext, id: str) -> StorageSnapshot:
        return _one(self.storage_snapshots(ctx, {"id": id}), "Storage snapshot", id)

    def bucket(self, ctx: CallContext, id: str) -> Bucket:
        return _one(self.buckets(ctx, {"id": id}), "Bucket", id)

    def address(self, ctx: CallContext, id: str) -> Address:
        return _one(self.addresses(ctx, {"id": id}), "Address", id)

    def firewall(self, ctx: CallContext, id: str) -> Firewall:
        return _one(self.firewalls(ctx, {"id": id}), "Firewall", id)

    def load_balancer(self, ctx: CallContext, id: str) -> LoadBalancer:
        return _one(self.load_balancers(ctx, {"id": id}), "Load balancer", id)

    def metric(self, ctx: CallContext, id: str) -> Metric:
        """One resource's metrics with their samples (the listing may carry names only)."""
        return _one(self.metrics(ctx, {"id": id}), "Metric", id)


_IMPLEMENTED: dict[type, frozenset[str]] = {}


def _implemented(cls: type[Driver]) -> frozenset[str]:
    found = _IMPLEMENTED.get(cls)
    if found is None:
        found = _IMPLEMENTED[cls] = frozenset(
            c for c in CAPABILITIES if not getattr(getattr(cls, c), "unsupported", False))
    return found


def _one(items: list[T], kind: str, id: str) -> T:
    if not items:
        # The id is not echoed: error bodies never repeat what the client sent.
        raise NotFound(f"{kind} not found")
    return items[0]
