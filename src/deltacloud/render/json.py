"""JSON in Deltacloud's shapes (`to_hash` in server/lib/deltacloud/models/*.rb)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson

from deltacloud.models import (
    Address,
    Blob,
    Bucket,
    Firewall,
    HardwareProfile,
    Image,
    Instance,
    InstanceAddress,
    Key,
    LoadBalancer,
    Metric,
    Realm,
    StateMachine,
    StorageSnapshot,
    StorageVolume,
)
from deltacloud.models.api import EntryPoint
from deltacloud.models.command import CommandOutput
from deltacloud.models.driver import DriverInfo
from deltacloud.render import View, instance_links

Obj = dict[str, Any]


def _ref(view: View, collection: str, id: str, rel: str) -> Obj:
    return {"id": id, "href": view.url(collection, id), "rel": rel}


def _entry_point(api: EntryPoint, view: View) -> Obj:
    return {
        "version": api.version,
        "driver": api.driver,
        "provider": api.provider or "default",
        "links": [
            {
                "rel": link.rel,
                "href": view.url(link.rel),
                # Deltacloud nests each feature in a list of its own; clients expect it.
                "features": [
                    [{
                        "name": f.name,
                        "rel": f.operation,
                        "params": [f"{p.name}:{p.wire_type}:optional" for p in f.params],
                        "constraints": {},
                    }]
                    for f in link.features
                ],
            }
            for link in api.links
        ],
    }


def _driver_summary(driver: DriverInfo) -> Obj:
    out: Obj = {"name": driver.display_name}
    if driver.username_label:
        out["username"] = driver.username_label
    if driver.password_label:
        out["password"] = driver.password_label
    if driver.providers:
        out["providers"] = [{"id": p.id, "entrypoints": dict(p.entrypoints)}
                            for p in driver.providers]
    return out


def _realm(realm: Realm, view: View) -> Obj:
    return {"id": realm.id, "href": view.url("realms", realm.id), "name": realm.name,
            "state": realm.state, "limit": realm.limit}


def _hardware_profile(hwp: HardwareProfile, view: View) -> Obj:
    out: Obj = {"id": hwp.id, "href": view.url("hardware_profiles", hwp.id), "name": hwp.name}
    if hwp.properties:
        out["properties"] = {p.name: p.default_text for p in hwp.properties}
    return out


def _image(image: Image, view: View) -> Obj:
    return {
        "id": image.id, "href": view.url("images", image.id), "name": image.name,
        "description": image.description, "owner": image.owner_id,
        "architecture": image.architecture, "state": image.state,
        "root_type": image.root_type, "creation_time": image.creation_time,
        "hardware_profiles": [
            _ref(view, "hardware_profiles", h, "hardware_profile") for h in image.hardware_profiles
        ],
    }


def _instance_address(a: InstanceAddress) -> Obj:
    out: Obj = {"address": a.address, "type": a.type}
    if a.port is not None:
        out["port"] = a.port
    return out


def _instance(inst: Instance, view: View) -> Obj:
    out: Obj = {
        "id": inst.id, "href": view.url("instances", inst.id), "name": inst.name,
        "state": inst.state, "owner": inst.owner_id,
        "image": (_ref(view, "images", inst.image_id, "image") if inst.image_id else {}),
        "realm": (_ref(view, "realms", inst.realm_id, "realm") if inst.realm_id else {}),
        "actions": [
            {"href": link["href"], "rel": link["rel"], "method": link["method"]}
            for link in instance_links(inst, view)
        ],
        "hardware_profile": {
            **_ref(view, "hardware_profiles", inst.hardware_profile_id, "hardware_profile"),
            "properties": dict(inst.hardware_profile_overrides),
        },
        "public_addresses": [_instance_address(a) for a in inst.public_addresses],
        "private_addresses": [_instance_address(a) for a in inst.private_addresses],
    }
    if inst.launch_time:
        out["create_time"] = inst.launch_time
    if inst.create_image:
        out["create_image"] = True
    if inst.firewalls is not None:
        out["firewalls"] = [_ref(view, "firewalls", f, "firewall") for f in inst.firewalls]
    out["storage_volumes"] = [
        {**_ref(view, "storage_volumes", v, "storage_volume"), "device": d}
        for v, d in inst.storage_volumes
    ]
    if view.has_feature("instances", "authentication_key"):
        out["authentication_type"] = "key"
        if inst.keyname is not None:
            out["authentication"] = {"keyname": inst.keyname}
    if view.has_feature("instances", "authentication_password") and inst.username:
        out["authentication_type"] = "password"
        out["authentication"] = {"user": inst.username, "password": inst.password}
    return out


def _key(key: Key, view: View) -> Obj:
    out: Obj = {
        "id": key.id, "href": view.url("keys", key.id), "credential_type": key.credential_type,
        "username": key.username, "password": key.password, "state": key.state,
        # Clients (the PyPI one) read it from every key: null where it is not known.
        "pem_rsa_key": key.pem_rsa_key,
    }
    if key.fingerprint:
        out["fingerprint"] = key.fingerprint
    return out


def _storage_volume(vol: StorageVolume, view: View) -> Obj:
    return {
        "id": vol.id, "href": view.url("storage_volumes", vol.id), "name": vol.name or vol.id,
        "description": vol.description, "state": vol.state, "created": vol.created,
        "realm": _ref(view, "realms", vol.realm_id, "realm") if vol.realm_id else {},
        "device": vol.device, "kind": vol.kind, "capacity": vol.capacity,
        "actions": [
            {"href": view.url("storage_volumes", vol.id, a), "rel": a} for a in vol.actions
        ],
        "instance": (
            _ref(view, "instances", vol.instance_id, "instance") if vol.instance_id else {}
        ),
    }


def _storage_snapshot(snap: StorageSnapshot, view: View) -> Obj:
    return {
        "id": snap.id, "href": view.url("storage_snapshots", snap.id),
        "name": snap.name or snap.id, "description": snap.description, "state": snap.state,
        "storage_volume": _ref(view, "storage_volumes", snap.storage_volume_id, "storage_volume"),
        "created": snap.created,
    }


def _bucket(bucket: Bucket, view: View) -> Obj:
    out: Obj = {
        "id": bucket.id, "href": view.url("buckets", bucket.id), "name": bucket.name,
        "size": bucket.size,
        "blob_list": [
            {"rel": "blob", "href": view.url("buckets", bucket.id, b), "id": b}
            for b in bucket.blob_list
        ],
    }
    if bucket.location:
        out["location"] = bucket.location
    return out


def _blob(blob: Blob, view: View) -> Obj:
    # Deltacloud also inlined the bytes as "content"; blobs of any size stream
    # from content_href instead.
    href = view.url("buckets", blob.bucket, blob.id)
    return {
        "id": blob.id, "href": href,
        "bucket": {"rel": "bucket", "href": view.url("buckets", blob.bucket), "id": blob.bucket},
        "content_length": blob.content_length, "content_type": blob.content_type,
        "last_modified": blob.last_modified, "user_metadata": dict(blob.user_metadata),
        "content_href": f"{href}/content",
    }


def _address(address: Address, view: View) -> Obj:
    out: Obj = {"id": address.id, "href": view.url("addresses", address.id),
                "associated": address.associated}
    if address.instance_id is not None:
        out["instance_id"] = address.instance_id
    return out


def _firewall(fw: Firewall, view: View) -> Obj:
    return {
        "id": fw.id, "href": view.url("firewalls", fw.id), "name": fw.name,
        "description": fw.description, "owner_id": fw.owner_id,
        "rules": [
            {
                "id": rule.id, "allow_protocol": rule.allow_protocol,
                "port_from": rule.port_from, "port_to": rule.port_to,
                "direction": rule.direction,
                "sources": [{k: v for k, v in vars(src).items() if v is not None}
                            for src in rule.sources],
            }
            for rule in fw.rules
        ],
    }


def _load_balancer(lb: LoadBalancer, view: View) -> Obj:
    return {
        "id": lb.id, "href": view.url("load_balancers", lb.id),
        "realms": [_ref(view, "realms", r, "realm") for r in lb.realms],
        "listeners": [
            {"protocol": li.protocol, "load_balancer_port": li.load_balancer_port,
             "instance_port": li.instance_port}
            for li in lb.listeners
        ],
        "instances": [_ref(view, "instances", i, "instance") for i in lb.instances],
        "public_addresses": list(lb.public_addresses),
        "created_at": lb.created_at,
    }


def _metric(metric: Metric, view: View) -> Obj:
    return {
        "id": metric.id, "href": view.url("metrics", metric.id), "entity": metric.entity,
        "properties": [{"name": p.name, "values": p.values} for p in metric.properties],
    }


def _state_machine(machine: StateMachine, view: View) -> list[Obj]:
    return [
        {
            "name": state,
            "transitions": [
                {"to": t.to, "auto": "true"} if t.automatic else {"to": t.to, "action": t.action}
                for t in machine.transitions_from(state)
            ],
        }
        for state in machine.states
    ]


def _command_output(out: CommandOutput, view: View) -> Obj:
    return {"id": out.instance_id, "public_address": out.public_address,
            "command": out.command, "output": out.output}


# model type -> (key of the wrapping object, function)
RENDERERS: dict[type, tuple[str | None, Callable[[Any, View], Any]]] = {
    EntryPoint: ("api", _entry_point),
    Realm: ("realm", _realm),
    HardwareProfile: ("hardware_profile", _hardware_profile),
    Image: ("image", _image),
    Instance: ("instance", _instance),
    Key: ("key", _key),
    StorageVolume: ("storage_volume", _storage_volume),
    StorageSnapshot: ("storage_snapshot", _storage_snapshot),
    StateMachine: (None, _state_machine),
    CommandOutput: ("instance", _command_output),
    Bucket: ("bucket", _bucket),
    Blob: ("blob", _blob),
    Address: ("address", _address),
    Firewall: ("firewall", _firewall),
    LoadBalancer: ("load_balancer", _load_balancer),
    Metric: ("metric", _metric),
}


def _dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


def render(value: Any, view: View, collection: str | None = None) -> str:
    if collection == "drivers":
        # Deltacloud keys the driver list by id rather than listing it.
        return _dumps({d.name: _driver_summary(d) for d in value})
    if isinstance(value, DriverInfo):
        return _dumps({"driver": {**_driver_summary(value), "id": value.name}})
    if collection is not None:
        return _dumps({collection: [RENDERERS[type(v)][1](v, view) for v in value]})
    key, fn = RENDERERS[type(value)]
    body = fn(value, view)
    return _dumps(body if key is None else {key: body})


def render_error(status: int, message: str, url: str, driver: str, provider: str) -> str:
    # Deltacloud's top-level code and message, and the SPEC's full error object.
    return _dumps({
        "code": status,
        "message": message,
        "error": {
            "status": status, "url": url, "code": status, "message": message,
            "backend": {"driver": driver, "provider": provider},
        },
    })
