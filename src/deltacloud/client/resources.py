"""The collections as typed objects: list with filters, show, create, actions, delete."""

from __future__ import annotations

import base64
import time
from collections.abc import Callable, Mapping
from typing import Any, Generic, Protocol, TypeVar

from deltacloud.client.errors import ClientError, NotFound, WaitTimeout
from deltacloud.client.models import (
    Address,
    Driver,
    Firewall,
    HardwareProfile,
    Image,
    Instance,
    InstanceState,
    Json,
    Key,
    LoadBalancer,
    Metric,
    Realm,
    StorageSnapshot,
    StorageVolume,
)
from deltacloud.client.session import Session, segment


class FromJson(Protocol):
    @classmethod
    def from_json(cls, obj: Json) -> Any: ...


T = TypeVar("T", bound=FromJson)


def _params(**values: str | int | None) -> dict[str, str]:
    """The parameters that were given, as the strings the wire carries."""
    return {k: str(v) for k, v in values.items() if v is not None}


def _object(doc: Any, key: str) -> Json:
    """The object under `key` of a single-object answer."""
    if not isinstance(doc, dict) or not isinstance(doc.get(key), dict):
        raise ClientError(f"The server's answer holds no '{key}' object")
    return doc[key]


class Resources(Generic[T]):
    """A collection: `list(**filters)` and `get(id)`; subclasses add what theirs can do."""

    collection = ""
    singular = ""
    model: type[T]

    def __init__(self, session: Session) -> None:
        self._session = session

    def _url(self, *parts: str) -> str:
        return self._session.path(self.collection, *(segment(p) for p in parts))

    def _one(self, doc: Any) -> T:
        return self.model.from_json(_object(doc, self.singular))

    def _list(self, filters: Mapping[str, str]) -> list[T]:
        doc = self._session.json("GET", self._url(), params=filters)
        items = doc.get(self.collection) if isinstance(doc, dict) else None
        if not isinstance(items, list):
            raise ClientError(f"The server's answer holds no '{self.collection}' list")
        return [self.model.from_json(item) for item in items if isinstance(item, dict)]

    def list(self, **filters: str) -> list[T]:
        """Every one, or those whose fields equal the filters (id=, state=, ...)."""
        return self._list(filters)

    def get(self, id: str) -> T:
        return self._one(self._session.json("GET", self._url(id)))

    def _create(self, params: Mapping[str, str]) -> T:
        return self._one(self._session.json("POST", self._url(), data=params))

    def delete(self, id: str) -> None:
        self._session.request("DELETE", self._url(id))

    def _action(self, id: str, action: str, params: Mapping[str, str] | None = None) -> T:
        return self._one(self._session.json("POST", self._url(id, action), data=params))


class Realms(Resources[Realm]):
    collection, singular, model = "realms", "realm", Realm


class Images(Resources[Image]):
    collection, singular, model = "images", "image", Image

    def create(self, instance_id: str, *, name: str | None = None,
               description: str | None = None) -> Image:
        """An image of an instance."""
        return self._create(_params(instance_id=instance_id, name=name,
                                    description=description))


class HardwareProfiles(Resources[HardwareProfile]):
    collection, singular, model = "hardware_profiles", "hardware_profile", HardwareProfile


class Keys(Resources[Key]):
    collection, singular, model = "keys", "key", Key

    def create(self, name: str, *, public_key: str | None = None) -> Key:
        """A new key pair (its private key is in the answer, and only there), or an
        imported public key."""
        return self._create(_params(name=name, public_key=public_key))


class StorageVolumes(Resources[StorageVolume]):
    collection, singular, model = "storage_volumes", "storage_volume", StorageVolume

    def create(self, *, capacity: int | None = None, realm_id: str | None = None,
               snapshot_id: str | None = None, name: str | None = None,
               description: str | None = None) -> StorageVolume:
        return self._create(_params(capacity=capacity, realm_id=realm_id,
                                    snapshot_id=snapshot_id, name=name,
                                    description=description))

    def attach(self, id: str, instance_id: str, device: str | None = None) -> StorageVolume:
        return self._action(id, "attach", _params(instance_id=instance_id, device=device))

    def detach(self, id: str) -> StorageVolume:
        return self._action(id, "detach")


class StorageSnapshots(Resources[StorageSnapshot]):
    collection, singular, model = "storage_snapshots", "storage_snapshot", StorageSnapshot

    def create(self, volume_id: str, *, name: str | None = None,
               description: str | None = None) -> StorageSnapshot:
        return self._create(_params(volume_id=volume_id, name=name, description=description))


class Addresses(Resources[Address]):
    collection, singular, model = "addresses", "address", Address

    def create(self) -> Address:
        return self._create({})

    def associate(self, id: str, instance_id: str) -> Address:
        return self._action(id, "associate", {"instance_id": instance_id})

    def disassociate(self, id: str) -> Address:
        return self._action(id, "disassociate")


class Firewalls(Resources[Firewall]):
    collection, singular, model = "firewalls", "firewall", Firewall

    def create(self, name: str, description: str) -> Firewall:
        return self._create({"name": name, "description": description})

    def add_rule(self, id: str, protocol: str, port_from: int, port_to: int, *,
                 addresses: tuple[str, ...] = (), groups: tuple[str, ...] = ()) -> Firewall:
        """Allow `protocol` on the ports from CIDR `addresses` and security `groups`."""
        params = {"protocol": protocol, "port_from": str(port_from), "port_to": str(port_to)}
        params.update({f"ip_address{i}": a for i, a in enumerate(addresses, 1)})
        params.update({f"group{i}": g for i, g in enumerate(groups, 1)})
        return self._action(id, "rules", params)

    def delete_rule(self, id: str, rule_id: str) -> None:
        self._session.request("DELETE", self._url(id, rule_id))


class LoadBalancers(Resources[LoadBalancer]):
    collection, singular, model = "load_balancers", "load_balancer", LoadBalancer

    def create(self, name: str, realm_id: str, protocol: str, balancer_port: int,
               instance_port: int) -> LoadBalancer:
        return self._create(_params(name=name, realm_id=realm_id, listener_protocol=protocol,
                                    listener_balancer_port=balancer_port,
                                    listener_instance_port=instance_port))

    def register(self, id: str, instance_id: str) -> LoadBalancer:
        return self._action(id, "register", {"instance_id": instance_id})

    def unregister(self, id: str, instance_id: str) -> LoadBalancer:
        return self._action(id, "unregister", {"instance_id": instance_id})


class Metrics(Resources[Metric]):
    collection, singular, model = "metrics", "metric", Metric


class Instances(Resources[Instance]):
    collection, singular, model = "instances", "instance", Instance

    def list(self, *, id: str | None = None, state: str | None = None,
             image_id: str | None = None, realm_id: str | None = None,
             **filters: str) -> list[Instance]:
        return self._list({**_params(id=id, state=state, image_id=image_id,
                                     realm_id=realm_id), **filters})

    def create(self, image_id: str, *, hwp_id: str | None = None,
               realm_id: str | None = None, name: str | None = None,
               keyname: str | None = None, user_data: str | None = None,
               hwp_cpu: str | None = None, hwp_memory: str | None = None,
               hwp_storage: str | None = None, **extra: str) -> Instance:
        """Launch one instance. `user_data` goes base64-encoded, as the API wants it;
        `extra` carries the parameters of other features (firewalls1, instance_count, ...)."""
        encoded = base64.b64encode(user_data.encode()).decode() if user_data else None
        return self._create({**_params(image_id=image_id, hwp_id=hwp_id, realm_id=realm_id,
                                       name=name, keyname=keyname, user_data=encoded,
                                       hwp_cpu=hwp_cpu, hwp_memory=hwp_memory,
                                       hwp_storage=hwp_storage), **extra})

    def start(self, id: str) -> Instance:
        return self._action(id, "start")

    def stop(self, id: str) -> Instance:
        return self._action(id, "stop")

    def reboot(self, id: str) -> Instance:
        return self._action(id, "reboot")

    def destroy(self, id: str) -> None:
        self.delete(id)

    def wait(self, id: str, state: str, *, timeout: float = 300, interval: float = 1.0,
             on_poll: Callable[[Instance], None] | None = None) -> Instance:
        """Poll until the instance is in `state` (case-insensitive); WaitTimeout after
        `timeout` seconds. `on_poll` sees each answer (progress displays)."""
        wanted = state.upper()
        deadline = time.monotonic() + timeout
        while True:
            instance = self.get(id)
            if on_poll is not None:
                on_poll(instance)
            if instance.state.upper() == wanted:
                return instance
            if time.monotonic() >= deadline:
                raise WaitTimeout(f"Instance {id} is {instance.state} after {timeout:g} s, "
                                  f"not {wanted}", instance.state)
            time.sleep(min(interval, max(deadline - time.monotonic(), 0)))

    def wait_gone(self, id: str, *, timeout: float = 300, interval: float = 1.0) -> None:
        """Poll until the instance is no longer listed (404) or is in a final state."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                instance = self.get(id)
            except NotFound:
                return
            if instance.state.upper() in ("FINISH", "TERMINATED", "DELETED"):
                return
            if time.monotonic() >= deadline:
                raise WaitTimeout(f"Instance {id} is still {instance.state} after "
                                  f"{timeout:g} s", instance.state)
            time.sleep(min(interval, max(deadline - time.monotonic(), 0)))


class Drivers:
    """The drivers the server has (no credentials needed)."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def list(self) -> list[Driver]:
        doc = self._session.json("GET", self._session.path("drivers"))
        if not isinstance(doc, dict):
            raise ClientError("The server's answer holds no driver list")
        return [Driver.from_json(str(k), v) for k, v in doc.items() if isinstance(v, dict)]

    def get(self, id: str) -> Driver:
        obj = _object(self._session.json("GET", self._session.path("drivers", segment(id))),
                      "driver")
        return Driver.from_json(str(obj.get("id", id)), obj)


def instance_states(session: Session) -> list[InstanceState]:
    doc = session.json("GET", session.path("instance_states"))
    if not isinstance(doc, list):
        raise ClientError("The server's answer holds no state list")
    return [InstanceState.from_json(s) for s in doc if isinstance(s, dict)]
