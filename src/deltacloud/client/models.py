"""What the client returns: one small dataclass per resource, read from the server's JSON.

Each keeps the whole JSON object in `raw` (scripts that need a field not named here, and
`--output json`), out of its repr. Secrets (a key's private key, an instance's password)
are left out of reprs too, so a logged object shows none.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Json = dict[str, Any]


def _str(obj: Json, key: str) -> str:
    value = obj.get(key)
    return "" if value is None else str(value)


def _opt(obj: Json, key: str) -> str | None:
    value = obj.get(key)
    return None if value is None else str(value)


def _ref_id(obj: Json, key: str) -> str | None:
    """The id of a `{"id": ..., "href": ...}` reference; None where it is empty."""
    ref = obj.get(key)
    return _opt(ref, "id") if isinstance(ref, dict) else None


def _list(obj: Json, key: str) -> list[Any]:
    value = obj.get(key)
    return value if isinstance(value, list) else []


def _dict(obj: Json, key: str) -> dict[str, Any]:
    value = obj.get(key)
    return value if isinstance(value, dict) else {}


@dataclass(frozen=True)
class Provider:
    id: str
    entrypoints: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Driver:
    id: str
    name: str
    providers: list[Provider] = field(default_factory=list)
    raw: Json = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, id: str, obj: Json) -> Driver:
        providers = [Provider(_str(p, "id"), {str(k): str(v) for k, v in
                                               _dict(p, "entrypoints").items()})
                     for p in _list(obj, "providers") if isinstance(p, dict)]
        return cls(id, _str(obj, "name"), providers, {"id": id, **obj})


@dataclass(frozen=True)
class EntryPoint:
    """`GET /api`: the version, the driver and provider serving, and per collection the
    names of the features the driver has there."""

    version: str
    driver: str
    provider: str
    collections: dict[str, list[str]]
    raw: Json = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, obj: Json) -> EntryPoint:
        collections: dict[str, list[str]] = {}
        for link in _list(obj, "links"):
            # Each feature sits in a list of its own, as in Deltacloud.
            names = [f.get("name", "") for group in _list(link, "features")
                     for f in (group if isinstance(group, list) else [group])
                     if isinstance(f, dict)]
            collections[_str(link, "rel")] = names
        return cls(_str(obj, "version"), _str(obj, "driver"), _str(obj, "provider"),
                   collections, obj)


@dataclass(frozen=True)
class Realm:
    id: str
    name: str
    state: str
    limit: str
    raw: Json = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, obj: Json) -> Realm:
        return cls(_str(obj, "id"), _str(obj, "name"), _str(obj, "state"),
                   _str(obj, "limit"), obj)


@dataclass(frozen=True)
class Image:
    id: str
    name: str
    description: str
    owner_id: str
    architecture: str
    state: str
    hardware_profiles: list[str]
    raw: Json = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, obj: Json) -> Image:
        return cls(_str(obj, "id"), _str(obj, "name"), _str(obj, "description"),
                   _str(obj, "owner"), _str(obj, "architecture"), _str(obj, "state"),
                   [_str(h, "id") for h in _list(obj, "hardware_profiles")], obj)


@dataclass(frozen=True)
class HardwareProfile:
    """A size: each property (cpu, memory, storage, architecture) by its default value."""

    id: str
    name: str
    properties: dict[str, str]
    raw: Json = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, obj: Json) -> HardwareProfile:
        return cls(_str(obj, "id"), _str(obj, "name"),
                   {str(k): str(v) for k, v in _dict(obj, "properties").items()}, obj)


@dataclass(frozen=True)
class Instance:
    id: str
    name: str
    state: str
    owner_id: str
    image_id: str | None
    realm_id: str | None
    hardware_profile_id: str | None
    # What the state allows now: start, stop, reboot, destroy, ...
    actions: list[str]
    public_addresses: list[str]
    private_addresses: list[str]
    create_time: str | None = None
    keyname: str | None = None
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    raw: Json = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, obj: Json) -> Instance:
        auth = _dict(obj, "authentication")
        return cls(
            _str(obj, "id"), _str(obj, "name"), _str(obj, "state"), _str(obj, "owner"),
            _ref_id(obj, "image"), _ref_id(obj, "realm"), _ref_id(obj, "hardware_profile"),
            [_str(a, "rel") for a in _list(obj, "actions") if isinstance(a, dict)],
            [_str(a, "address") for a in _list(obj, "public_addresses")],
            [_str(a, "address") for a in _list(obj, "private_addresses")],
            _opt(obj, "create_time"), _opt(auth, "keyname"), _opt(auth, "user"),
            _opt(auth, "password"), obj,
        )


@dataclass(frozen=True)
class Transition:
    to: str
    action: str | None  # None: the cloud moves on by itself
    automatic: bool


@dataclass(frozen=True)
class InstanceState:
    name: str
    transitions: list[Transition]

    @classmethod
    def from_json(cls, obj: Json) -> InstanceState:
        return cls(_str(obj, "name"), [
            Transition(_str(t, "to"), _opt(t, "action"), str(t.get("auto")) == "true")
            for t in _list(obj, "transitions") if isinstance(t, dict)
        ])


@dataclass(frozen=True)
class Key:
    id: str
    credential_type: str
    state: str
    fingerprint: str | None
    username: str | None
    # Shown by the cloud once, in the answer to the create.
    pem_rsa_key: str | None = field(default=None, repr=False)
    password: str | None = field(default=None, repr=False)
    raw: Json = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, obj: Json) -> Key:
        return cls(_str(obj, "id"), _str(obj, "credential_type"), _str(obj, "state"),
                   _opt(obj, "fingerprint"), _opt(obj, "username"), _opt(obj, "pem_rsa_key"),
                   _opt(obj, "password"), obj)


@dataclass(frozen=True)
class StorageVolume:
    id: str
    name: str
    description: str
    state: str
    capacity: str
    realm_id: str | None
    instance_id: str | None
    device: str | None
    actions: list[str]
    raw: Json = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, obj: Json) -> StorageVolume:
        return cls(_str(obj, "id"), _str(obj, "name"), _str(obj, "description"),
                   _str(obj, "state"), _str(obj, "capacity"), _ref_id(obj, "realm"),
                   _ref_id(obj, "instance"), _opt(obj, "device"),
                   [_str(a, "rel") for a in _list(obj, "actions") if isinstance(a, dict)], obj)


@dataclass(frozen=True)
class StorageSnapshot:
    id: str
    name: str
    description: str
    state: str
    storage_volume_id: str | None
    created: str
    raw: Json = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, obj: Json) -> StorageSnapshot:
        return cls(_str(obj, "id"), _str(obj, "name"), _str(obj, "description"),
                   _str(obj, "state"), _ref_id(obj, "storage_volume"), _str(obj, "created"),
                   obj)


@dataclass(frozen=True)
class Address:
    id: str
    associated: bool
    instance_id: str | None
    raw: Json = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, obj: Json) -> Address:
        return cls(_str(obj, "id"), obj.get("associated") in (True, "true"),
                   _opt(obj, "instance_id"), obj)


@dataclass(frozen=True)
class Firewall:
    id: str
    name: str
    description: str
    owner_id: str
    rules: list[Json]
    raw: Json = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, obj: Json) -> Firewall:
        return cls(_str(obj, "id"), _str(obj, "name"), _str(obj, "description"),
                   _str(obj, "owner_id"), [r for r in _list(obj, "rules") if isinstance(r, dict)],
                   obj)


@dataclass(frozen=True)
class LoadBalancer:
    id: str
    realms: list[str]
    instances: list[str]
    public_addresses: list[str]
    listeners: list[Json]
    created_at: str
    raw: Json = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, obj: Json) -> LoadBalancer:
        return cls(_str(obj, "id"), [_str(r, "id") for r in _list(obj, "realms")],
                   [_str(i, "id") for i in _list(obj, "instances")],
                   [str(a) for a in _list(obj, "public_addresses")],
                   [li for li in _list(obj, "listeners") if isinstance(li, dict)],
                   _str(obj, "created_at"), obj)


@dataclass(frozen=True)
class Metric:
    """An instance's monitoring figures: each property's samples (None when not asked)."""

    id: str
    entity: str
    properties: dict[str, Any]
    raw: Json = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, obj: Json) -> Metric:
        return cls(_str(obj, "id"), _str(obj, "entity"),
                   {_str(p, "name"): p.get("values") for p in _list(obj, "properties")
                    if isinstance(p, dict)}, obj)


@dataclass(frozen=True)
class Bucket:
    id: str
    name: str
    size: int | None
    blobs: list[str]
    location: str | None = None
    raw: Json = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, obj: Json) -> Bucket:
        size = obj.get("size")
        return cls(_str(obj, "id"), _str(obj, "name"),
                   int(size) if isinstance(size, int | str) and str(size).isdigit() else None,
                   [_str(b, "id") for b in _list(obj, "blob_list")], _opt(obj, "location"), obj)


@dataclass(frozen=True)
class Blob:
    id: str
    bucket: str
    content_length: int
    content_type: str
    last_modified: str | None
    user_metadata: dict[str, str]
    raw: Json = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, obj: Json) -> Blob:
        length = obj.get("content_length")
        return cls(_str(obj, "id"), _ref_id(obj, "bucket") or "",
                   int(length) if isinstance(length, int | str) and str(length).isdigit() else 0,
                   _str(obj, "content_type"), _opt(obj, "last_modified"),
                   {str(k): str(v) for k, v in _dict(obj, "user_metadata").items()}, obj)
