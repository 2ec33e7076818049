"""The catalogue of optional features a driver may offer, as Deltacloud defines them.

A feature adds parameters to one operation of one collection. The entry
point lists a driver's features under each collection, and only the
parameters of features the driver has reach it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from deltacloud.collections.base import Collection, Operation, Param

if TYPE_CHECKING:
    from deltacloud.drivers.base import Driver


@dataclass(frozen=True)
class Feature:
    name: str
    collection: str
    operation: str
    params: tuple[Param, ...]
    description: str = ""


def _f(name: str, collection: str, operation: str, description: str, *params: Param) -> Feature:
    return Feature(name, collection, operation, params, description)


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
           Param("metrics")),
        _f("realm_filter", "instances", "index", "Filter instances by realm",
           Param("realm_id", references="realms")),
        _f("user_name", "instances", "create", "Give the instance a name of your own",
           Param("name")),
        _f("user_data", "instances", "create", "Pass base64-encoded data to the instance",
           Param("user_data")),
        _f("firewalls", "instances", "create", "Launch the instance in these firewalls",
           Param("firewalls", references="firewalls")),
        _f("authentication_key", "instances", "create", "Log in to the instance with a key",
           Param("keyname", references="keys")),
        _f("authentication_password", "instances", "create", "Log in with a password",
           Param("password")),
        _f("instance_count", "instances", "create", "Launch several instances at once",
           Param("instance_count")),
        _f("import_key", "keys", "create", "Import an existing public key",
           Param("public_key")),
        _f("volume_name", "storage_volumes", "create", "Name the volume", Param("name")),
        _f("volume_description", "storage_volumes", "create", "Describe the volume",
           Param("description")),
    )
}


def feature(collection: str, name: str) -> Feature:
    return FEATURES[(collection, name)]


def features_for(collection: str, names: tuple[str, ...] | list[str]) -> list[Feature]:
    """The declared features among `names` (unknown names are a driver bug: KeyError)."""
    return [FEATURES[(collection, n)] for n in names]


def allowed_params(collection: Collection, op: Operation, driver: Driver) -> list[Param]:
    """The operation's own parameters plus those of the driver's features on it."""
    features = features_for(collection.name, list(driver.collections.get(collection.name, ())))
    extra = [p for f in features if f.operation == op.name for p in f.params]
    return [*op.params, *extra]
