"""The catalogue of optional features a driver may offer, as Deltacloud defines them.

A feature adds parameters to one operation of one collection. The entry
point lists a driver's features under each collection, and only the
parameters of features the driver has reach it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from deltacloud.collections.base import Collection, Operation, Param


@dataclass(frozen=True)
class Feature:
    name: str
    collection: str
    operation: str
    params: tuple[Param, ...]
    description: str = ""


def _f(name: str, collection: str, operation: str, description: str, *params: Param) -> Feature:
    return Feature(name, collection, operation, params, description)


# In Deltacloud's catalogue order, which is the order the entry point lists them in.
FEATURES: dict[tuple[str, str], Feature] = {
    (f.collection, f.name): f
    for f in (
        _f("owner_id", "images", "index", "Filter images using owner id", Param("owner_id")),
        _f("image_name", "images", "create", "Name the created image", Param("name")),
        _f("image_description", "images", "create", "Describe the created image",
           Param("description")),
        _f("bucket_location", "buckets", "create", "Create the bucket in a given location",
           Param("location")),
        _f("metrics", "instances", "create", "Enable detailed monitoring for the instance",
           Param("metrics", type="boolean")),
        _f("realm_filter", "instances", "index", "Filter instances by realm",
           Param("realm_id", references="realms")),
        _f("user_name", "instances", "create", "Give the instance a name of your own",
           Param("name")),
        _f("user_data", "instances", "create", "Pass base64-encoded data to the instance",
           Param("user_data", type="base64")),
        _f("user_files", "instances", "create",
           "Put files in the instance (pathN and contentN pairs)", Param("user_files")),
        _f("user_iso", "instances", "create",
           "Mount a base64-encoded, gzipped ISO image in the instance", Param("user_iso")),
        _f("firewalls", "instances", "create", "Launch the instance in these firewalls",
           Param("firewalls", type="array", references="firewalls")),
        _f("authentication_key", "instances", "create", "Log in to the instance with a key",
           Param("keyname", references="keys")),
        _f("authentication_password", "instances", "create", "Log in with a password",
           Param("password")),
        _f("hardware_profiles", "instances", "create",
           "Size instances according to changes to a hardware profile"),
        _f("register_to_load_balancer", "instances", "create",
           "Register the instance with a load balancer",
           Param("load_balancer_id", references="load_balancers")),
        _f("instance_count", "instances", "create", "Launch several instances at once",
           Param("instance_count", type="integer")),
        _f("attach_snapshot", "instances", "create", "Attach a snapshot to the instance",
           Param("snapshot_id", references="storage_snapshots"), Param("device_name")),
        _f("sandboxing", "instances", "create", "Launch sandbox images", Param("sandbox")),
        _f("import_key", "keys", "create", "Import an existing public key",
           Param("public_key")),
        _f("volume_name", "storage_volumes", "create", "Name the volume", Param("name")),
        _f("volume_description", "storage_volumes", "create", "Describe the volume",
           Param("description")),
    )
}
_ORDER = {key: n for n, key in enumerate(FEATURES)}


def feature(collection: str, name: str) -> Feature:
    return FEATURES[(collection, name)]


def features_for(collection: str, names: tuple[str, ...] | list[str]) -> list[Feature]:
    """The declared features among `names`, in catalogue order (unknown names: KeyError)."""
    return sorted((FEATURES[(collection, n)] for n in names),
                  key=lambda f: _ORDER[(f.collection, f.name)])


def advertised_params(collection: Collection, op: Operation,
                      driver_features: Mapping[str, Sequence[str]]) -> list[Param]:
    """The operation's own parameters plus those of the driver's features on it: what the
    HTML forms offer."""
    features = features_for(collection.name, list(driver_features.get(collection.name, ())))
    return _merged(op, features)


@cache
def accepted_params(collection: Collection, op: Operation) -> tuple[Param, ...]:
    """The operation's own parameters plus those of every feature on it. Deltacloud hands
    every parameter to the driver, and clients send some (an instance's `name`, a volume's
    `description`) whatever the entry point says: a driver uses those it can."""
    features = [f for f in FEATURES.values() if f.collection == collection.name]
    return tuple(_merged(op, features))


def _merged(op: Operation, features: list[Feature]) -> list[Param]:
    params = {p.name: p for p in op.params}
    for f in features:
        if f.operation == op.name:
            for p in f.params:
                params.setdefault(p.name, p)
    return list(params.values())
