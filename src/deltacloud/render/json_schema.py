"""The JSON shapes `json.py` writes, as JSON Schema (2020-12, OpenAPI 3.1's dialect).

Kept beside the renderer so a change to one is a change to both;
`tests/server/test_openapi.py` validates real answers against them. A schema names
others as `#/components/schemas/NAME`, the place the OpenAPI document keeps them.
"""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]

STRING: Schema = {"type": "string"}
TEXT: Schema = {"type": ["string", "null"]}  # a value the cloud may not know
URL: Schema = {"type": "string", "format": "uri"}
STRINGS: Schema = {"type": "object", "additionalProperties": STRING}


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(required: dict[str, Schema], optional: dict[str, Schema] | None = None,
        description: str = "") -> Schema:
    """An object with these members, and no others (a new member is a change to document)."""
    out: Schema = {"type": "object", "properties": {**required, **(optional or {})},
                   "required": list(required), "additionalProperties": False}
    if description:
        out["description"] = description
    return out


def _link(**more: Schema) -> Schema:
    return obj({"id": STRING, "href": URL, "rel": STRING, **more})


# A reference to another resource, or {} where there is none (an instance without a realm).
_MAYBE_LINK: Schema = {"oneOf": [ref("link"), obj({})]}
_ACTION = obj({"href": URL, "rel": STRING, "method": {"enum": ["post", "delete"]}})
_ADDRESS = obj({"address": STRING, "type": STRING}, {"port": {"type": "integer"}})

SCHEMAS: dict[str, Schema] = {
    "link": _link(),
    "realm": obj({"id": STRING, "href": URL, "name": STRING, "state": STRING,
                  "limit": STRING}, description="Where instances run"),
    "hardware_profile": obj(
        {"id": STRING, "href": URL, "name": STRING},
        {"properties": {**STRINGS, "description": "Each property's default value"}},
        "A size an instance can have",
    ),
    "image": obj({
        "id": STRING, "href": URL, "name": STRING, "description": STRING, "owner": STRING,
        "architecture": STRING, "state": STRING, "root_type": STRING,
        "creation_time": TEXT, "hardware_profiles": {"type": "array", "items": ref("link")},
    }, description="A template instances are launched from"),
    "instance": obj(
        {
            "id": STRING, "href": URL, "name": STRING, "state": STRING, "owner": STRING,
            "image": _MAYBE_LINK, "realm": _MAYBE_LINK,
            "actions": {"type": "array", "items": _ACTION,
                        "description": "What the instance's state allows"},
            "hardware_profile": _link(properties={
                **STRINGS, "description": "What differs from the profile's defaults"}),
            "public_addresses": {"type": "array", "items": _ADDRESS},
            "private_addresses": {"type": "array", "items": _ADDRESS},
            "storage_volumes": {"type": "array",
                                "items": _link(device={"type": ["string", "null"]})},
        },
        {
            "create_time": STRING,
            "create_image": {"const": True},
            "firewalls": {"type": "array", "items": ref("link")},
            "authentication_type": {"enum": ["key", "password"]},
            "authentication": {"oneOf": [
                obj({"keyname": STRING}),
                obj({"user": STRING, "password": TEXT}),
            ]},
        },
        "A machine in the cloud",
    ),
    "command_output": obj({"id": STRING, "public_address": STRING, "command": STRING,
                           "output": STRING}, description="What a command printed"),
    "key": obj(
        {"id": STRING, "href": URL, "credential_type": {"enum": ["key", "password"]},
         "username": TEXT, "password": TEXT, "state": TEXT,
         "pem_rsa_key": {**TEXT, "description": "Only in the answer to the create"}},
        {"fingerprint": STRING},
        "A credential for logging in to instances",
    ),
    "storage_volume": obj({
        "id": STRING, "href": URL, "name": STRING, "description": TEXT, "state": STRING,
        "created": TEXT, "realm": _MAYBE_LINK, "device": TEXT, "kind": TEXT,
        "capacity": {**STRING, "description": "In GB"},
        "actions": {"type": "array", "items": obj({"href": URL, "rel": STRING})},
        "instance": _MAYBE_LINK,
    }, description="Block storage that attaches to instances"),
    "storage_snapshot": obj({
        "id": STRING, "href": URL, "name": STRING, "description": TEXT, "state": STRING,
        "storage_volume": ref("link"), "created": TEXT,
    }, description="A point-in-time copy of a volume"),
    "bucket": obj(
        {"id": STRING, "href": URL, "name": STRING,
         "size": {"type": "integer", "description": "How many blobs it holds"},
         "blob_list": {"type": "array", "items": ref("link")}},
        {"location": STRING},
        "A container of blobs",
    ),
    "blob": obj({
        "id": STRING, "href": URL, "bucket": ref("link"),
        "content_length": {"type": "integer", "minimum": 0}, "content_type": STRING,
        "last_modified": TEXT,
        "user_metadata": {**STRINGS, "description": "Also the X-Deltacloud-Blobmeta-* headers"},
        "content_href": {**URL, "description": "Where the bytes stream from"},
    }, description="An object in a bucket (its bytes are at content_href)"),
    "address": obj({"id": STRING, "href": URL, "associated": {"type": "boolean"}},
                   {"instance_id": STRING}, "A public IP address of the account"),
    "firewall": obj({
        "id": STRING, "href": URL, "name": STRING, "description": STRING, "owner_id": TEXT,
        "rules": {"type": "array", "items": obj({
            "id": STRING, "allow_protocol": STRING, "port_from": STRING, "port_to": STRING,
            "direction": STRING,
            "sources": {"type": "array", "items": {"type": "object", "required": ["type"],
                                                    "additionalProperties": STRING}},
        })},
    }, description="Rules for the traffic instances accept"),
    "load_balancer": obj({
        "id": STRING, "href": URL, "realms": {"type": "array", "items": ref("link")},
        "listeners": {"type": "array", "items": obj({
            "protocol": STRING, "load_balancer_port": {"type": "integer"},
            "instance_port": {"type": "integer"}})},
        "instances": {"type": "array", "items": ref("link")},
        "public_addresses": {"type": "array", "items": STRING},
        "created_at": TEXT,
    }, description="Spreads traffic over instances"),
    "metric": obj({
        "id": STRING, "href": URL, "entity": STRING,
        "properties": {"type": "array", "items": obj({
            "name": STRING,
            "values": {"type": ["array", "null"], "items": {"type": "object"}}})},
    }, description="Monitoring figures of one instance"),
    "instance_states": {
        "type": "array",
        "description": "The instance state machine: each state and its transitions",
        "items": obj({"name": STRING, "transitions": {"type": "array", "items": {"oneOf": [
            obj({"to": STRING, "action": STRING}),
            obj({"to": STRING, "auto": {"const": "true"}}),
        ]}}}),
    },
    "driver": obj(
        {"name": STRING},
        {"id": STRING, "username": STRING, "password": STRING,
         "providers": {"type": "array", "items": obj({"id": STRING,
                                                      "entrypoints": STRINGS})}},
        "A driver: what its credentials mean, and its providers",
    ),
    "api": obj({
        "version": STRING, "driver": STRING, "provider": STRING,
        "links": {"type": "array", "items": obj({
            "rel": STRING, "href": URL,
            "features": {"type": "array", "items": {"type": "array", "items": obj({
                "name": STRING, "rel": STRING,
                "params": {"type": "array", "items": STRING,
                           "description": "NAME:TYPE:optional"},
                "constraints": {"type": "object"},
            })}},
        })},
    }, description="The entry point: the driver's collections and their features"),
    "error": obj({
        "code": {"type": "integer"}, "message": STRING,
        "error": obj({
            "status": {"type": "integer"}, "url": STRING, "code": {"type": "integer"},
            "message": STRING, "backend": obj({"driver": STRING, "provider": STRING}),
        }),
    }, description="What every failure answers, in JSON"),
}

# Each collection's objects, by the schema (and JSON key) of one of them.
ITEMS: dict[str, str] = {
    "addresses": "address", "buckets": "bucket", "drivers": "driver",
    "firewalls": "firewall", "hardware_profiles": "hardware_profile", "images": "image",
    "instances": "instance", "keys": "key", "load_balancers": "load_balancer",
    "metrics": "metric", "realms": "realm", "storage_snapshots": "storage_snapshot",
    "storage_volumes": "storage_volume",
}


def single(name: str, key: str | None = None) -> Schema:
    """One object as json.py wraps it: `{"instance": {...}}`."""
    key = key or name
    return {"type": "object", "properties": {key: ref(name)}, "required": [key]}


def listing(collection: str) -> Schema:
    """A collection's index: `{"instances": [...]}`; drivers are keyed by id instead."""
    if collection == "drivers":
        return {"type": "object", "additionalProperties": ref("driver"),
                "description": "Every driver, keyed by its id"}
    items = {"type": "array", "items": ref(ITEMS[collection])}
    return {"type": "object", "properties": {collection: items}, "required": [collection]}
