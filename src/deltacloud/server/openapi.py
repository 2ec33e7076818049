"""`GET /api/openapi.json`: the API as one driver offers it, as an OpenAPI 3.1 document.

Generated from the same declarations the routes are built from (the collections, the
driver's collections with their features, the operations it implements), so it cannot
drift from what the server answers. It is plain data in, plain data out: no cloud is
asked and no credentials are needed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import orjson

from deltacloud import API_VERSION
from deltacloud.collections import COLLECTIONS
from deltacloud.collections.base import Collection, Operation, Param
from deltacloud.collections.features import advertised_params, features_for
from deltacloud.drivers.base import Driver
from deltacloud.render.json_schema import ITEMS, SCHEMAS, Schema, listing, ref, single
from deltacloud.server.openapi_parts import (
    NO_CREDENTIALS,
    OPTIONAL_CREDENTIALS,
    components,
    errors,
    header_refs,
    media,
    param_refs,
)


@dataclass(frozen=True)
class Surface:
    """What one document describes: the API of one driver and provider, at one address."""

    driver: str
    provider: str  # "default" when none was chosen
    version: str
    server_url: str  # scheme://host[root]: the paths start with /api
    collections: tuple[Collection, ...]
    # The driver's collections and its features on each (Driver.collections, as tuples).
    offered: tuple[tuple[str, tuple[str, ...]], ...]
    capabilities: frozenset[str]

    def offers(self, op: Operation) -> bool:
        return op.capability is None or op.capability in self.capabilities

    @property
    def features(self) -> dict[str, tuple[str, ...]]:
        return dict(self.offered)


@dataclass(frozen=True)
class Success:
    """One successful answer of an operation."""

    status: int
    schema: Schema | None = None  # the JSON body; None: no rendered body
    location: bool = False
    stream: bool = False  # the blob's bytes, not a document
    blob_metadata: bool = False  # X-Deltacloud-Blobmeta-* headers


# Operations that do not answer as their name's convention says (see `successes`).
SPECIAL: dict[tuple[str, str], tuple[Success, ...]] = {
    ("instance_states", "index"): (Success(200, ref("instance_states")),),
    ("instances", "create"): (Success(201, {"oneOf": [
        single("instance"),
        {**listing("instances"), "description": "With instance_count above 1"},
    ]}, location=True),),
    ("instances", "run"): (Success(200, single("command_output", "instance")),),
    ("buckets", "create_blob"): (Success(201, single("blob"), location=True),),
    ("buckets", "show_blob"): (Success(200, single("blob")),),
    ("buckets", "stream_blob"): (Success(200, single("blob"), location=True),),
    ("buckets", "blob_content"): (Success(200, stream=True), Success(206, stream=True)),
    ("buckets", "blob_metadata"): (Success(204, blob_metadata=True),),
    ("buckets", "update_blob"): (Success(204, blob_metadata=True),),
    ("firewalls", "rules"): (Success(201, single("firewall"), location=True),),
    ("load_balancers", "register"): (Success(200, single("load_balancer")),),
    ("load_balancers", "unregister"): (Success(200, single("load_balancer")),),
}

# Operations that answer without credentials, or where they are optional.
CREDENTIALS: dict[str, list[dict[str, list[str]]]] = {
    "drivers": OPTIONAL_CREDENTIALS,  # with them, a cloud may list more providers
    "hardware_profiles": OPTIONAL_CREDENTIALS,  # drivers that know their sizes need none
    "instance_states": NO_CREDENTIALS,
}

# Form fields that carry a file in a multipart body.
FILES = {("buckets", "create_blob"): "blob_data"}

_PATH_PARAM = re.compile(r"\{(\w+)(:\w+)?\}")


def successes(collection: str, op: Operation) -> tuple[Success, ...]:
    """What an operation answers when it works: an index lists, a show shows, a create makes
    (201), a DELETE leaves nothing (204), another POST is an action accepted (202)."""
    special = SPECIAL.get((collection, op.name))
    if special is not None:
        return special
    item = ITEMS.get(collection)
    if op.name == "index":
        return (Success(200, listing(collection)),)
    if op.method == "DELETE":
        return (Success(204),)
    body = single(item) if item else None
    if op.name == "show":
        return (Success(200, body),)
    if op.name == "create":
        return (Success(201, body, location=True),)
    return (Success(202, body),)


def openapi_path(path: str) -> str:
    """A Starlette path as OpenAPI writes it: `{blob_id:path}` is `{blob_id}`."""
    return _PATH_PARAM.sub(r"{\1}", path)


def document(surface: Surface) -> dict[str, Any]:
    """The whole OpenAPI document, as plain data."""
    paths: dict[str, dict[str, Any]] = {}
    _entry_point(surface, paths)
    for collection in surface.collections:
        if collection.name == "drivers" or collection.name in surface.features:
            _collection(surface, collection, paths)
    named = [c for c in surface.collections
             if c.name == "drivers" or c.name in surface.features]
    return {
        "openapi": "3.1.0",
        "info": _info(surface),
        "servers": [{"url": surface.server_url,
                     "description": "This server; paths start with its API root, /api"}],
        "security": [{"basic": []}],
        "tags": [{"name": "api", "description": "The entry point and this description"},
                 *({"name": c.name, "description": c.description} for c in named)],
        "paths": paths,
        "components": {**components(surface.driver, surface.provider),
                       "schemas": SCHEMAS},
    }


@lru_cache(maxsize=64)
def document_json(surface: Surface) -> str:
    """The document as JSON text, made once per driver, provider and address."""
    return orjson.dumps(document(surface)).decode()


def _info(s: Surface) -> dict[str, Any]:
    provider = "its default provider" if s.provider == "default" else f"provider {s.provider}"
    return {
        "title": f"Deltacloud API: the {s.driver} driver",
        "version": s.version,
        "description": (
            f"The Apache Deltacloud REST API as the {s.driver} driver offers it, with "
            f"{provider}: only the collections it has, the operations it implements and the "
            "parameters of its features.\n\n"
            "Every request may pick its driver and provider, the later winning: the server's "
            "start-up default, the headers X-Deltacloud-Driver and X-Deltacloud-Provider, or "
            "matrix parameters on the api segment of the path "
            "(`/api;driver=ec2;provider=eu-west-1/instances`; a provider holding `;` or `/` "
            "percent-encoded). Matrix parameters on other segments are request parameters "
            "(`/api/instances;image_id=img1`), and links in answers keep them. Fetch "
            "`/api;driver=NAME/openapi.json` for another driver's API.\n\n"
            "Answers are XML (the default), JSON or HTML, chosen by the Accept header or "
            "`?format=xml|json|html`. Every GET also answers HEAD. A POST takes its "
            "parameters from the query string, a form (urlencoded or multipart), or a JSON "
            "or XML body (`{\"instance\": {...}}` or the members alone). Credentials are the "
            "cloud's own, sent as HTTP Basic; they are passed to the cloud and never kept."
        ),
        "x-deltacloud-driver": s.driver,
        "x-deltacloud-provider": s.provider,
    }


def _entry_point(s: Surface, paths: dict[str, dict[str, Any]]) -> None:
    paths["/api"] = {
        "parameters": param_refs("driver", "provider"),
        "get": {
            "operationId": "api", "tags": ["api"],
            "summary": "The entry point: the driver's collections and their features",
            "security": OPTIONAL_CREDENTIALS,
            "parameters": [
                _query(Param("force_auth", type="boolean",
                             description="Check the credentials with the cloud (401 if "
                                         "they fail)")),
                *param_refs("format", "if_none_match"),
            ],
            "responses": {**_rendered(Success(200, single("api")), get=True),
                          **errors("400", "401", "502", "504")},
        },
        "options": _options("api_options", "api", "The collections this driver has, in Allow"),
        "post": {
            "operationId": "api_switch_driver", "tags": ["api"],
            "summary": "Switch driver and provider (the HTML interface's form)",
            "security": NO_CREDENTIALS,
            "requestBody": _body([Param("driver"), Param("provider")], {}, set()),
            "responses": {
                "301": {"description": "To the entry point, with the matrix parameters",
                        "headers": header_refs("location")},
                **errors("400"),
            },
        },
    }
    paths["/api/openapi.json"] = {
        "parameters": param_refs("driver", "provider"),
        "get": {
            "operationId": "openapi", "tags": ["api"],
            "summary": "This document: the API as the chosen driver offers it",
            "description": "Always JSON, whatever the Accept header or `format` say.",
            "security": NO_CREDENTIALS,
            "parameters": param_refs("if_none_match"),
            "responses": {
                "200": {"description": "An OpenAPI 3.1 document",
                        "headers": header_refs("etag"),
                        "content": {"application/json": {"schema": {"type": "object"}}}},
                "304": {"description": "Unchanged since the ETag given in If-None-Match",
                        "headers": header_refs("etag")},
                **errors("400", json_only=True),
            },
        },
    }


def _collection(s: Surface, collection: Collection, paths: dict[str, dict[str, Any]]) -> None:
    """The collection's operations that the driver implements, grouped by path."""
    base = f"/api/{collection.name}"
    item = _path_item(paths, base)
    item["options"] = _options(f"{collection.name}_options", collection.name,
                               "The methods this collection answers, in Allow")
    create = collection.operation("create")
    if create is not None and s.offers(create):
        _path_item(paths, f"{base}/new")["get"] = {
            "operationId": f"{collection.name}_new_form", "tags": [collection.name],
            "summary": f"The HTML form of: {create.description}",
            "responses": {"200": {"description": "The form",
                                  "content": {"text/html": {}}},
                          **errors("400", "401", "403", "405", "502", "504")},
        }
    posts = {op.path for op in collection.operations if op.method == "POST"}
    for op in collection.operations:
        if not s.offers(op):
            continue
        path = openapi_path(base + op.path)
        _path_item(paths, path, op.path)[op.method.lower()] = _operation(s, collection, op)
        if op.method == "DELETE" and op.path not in posts:
            _path_item(paths, path, op.path)["post"] = _delete_by_post(collection, op)


def _path_item(paths: dict[str, dict[str, Any]], path: str, below: str = "") -> dict[str, Any]:
    """The path's item, made with its parameters (driver, provider, the path's own)."""
    key = openapi_path(path)
    if key not in paths:
        params: list[dict[str, Any]] = [*param_refs("driver", "provider")]
        for name, converter in _PATH_PARAM.findall(below):
            description = "The resource's id"
            if converter == ":path":
                description = "May contain `/`, sent as it is or as %2F"
            params.append({"name": name, "in": "path", "required": True,
                           "description": description, "schema": {"type": "string"}})
        paths[key] = {"parameters": params}
    return paths[key]


def _operation(s: Surface, collection: Collection, op: Operation) -> dict[str, Any]:
    params = advertised_params(collection, op, s.features)
    features = [f for f in features_for(collection.name, list(s.features.get(collection.name, ())))
                if f.operation == op.name]
    own = {p.name for p in op.params}
    # The parameters the driver's features add, by the feature that adds each.
    from_features: dict[str, str] = {}
    for f in features:
        for p in f.params:
            if p.name not in own:
                from_features.setdefault(p.name, f.name)
    done = successes(collection.name, op)
    out: dict[str, Any] = {
        "operationId": f"{collection.name}_{op.name}",
        "tags": [collection.name],
        "summary": op.description,
    }
    if features:
        out["x-deltacloud-features"] = [f.name for f in features]
    if collection.name in CREDENTIALS:
        out["security"] = CREDENTIALS[collection.name]
    query: list[dict[str, Any]] = []
    if op.method in ("GET", "HEAD"):
        query = [_query(p, from_features.get(p.name)) for p in params]
    if any(not x.stream for x in done):
        query += param_refs("format")
    if op.method == "GET" and not any(x.stream for x in done):
        query += param_refs("if_none_match")
    if any(x.stream for x in done):
        query += param_refs("range")
    if query:
        out["parameters"] = query
    if op.body == "stream":
        out["requestBody"] = {
            "required": True,
            "description": "The blob's bytes, streamed; its Content-Type is kept, and "
                           "X-Deltacloud-Blobmeta-NAME headers become its metadata.",
            "content": {"*/*": {}},
        }
    elif op.method not in ("GET", "HEAD") and (params or op.numbered):
        out["requestBody"] = _body(params, from_features, set(op.numbered),
                                   FILES.get((collection.name, op.name)))
    if any(x.blob_metadata for x in done):
        out["description"] = ("Blob metadata travels as X-Deltacloud-Blobmeta-NAME headers, "
                              "one per name.")
    responses: dict[str, Any] = {}
    for x in done:
        responses.update(_rendered(x, get=op.method == "GET"))
    if any(x.status in (201, 202, 204) and not x.stream for x in done):
        responses["303"] = {
            "description": "HTML only: the browser is sent on (a GET) to what was made, "
                           "the resource or its list",
            "headers": header_refs("location"),
        }
    wanted = ["400", "401", "403", "404", "405", "502", "504"]
    if out.get("security") == NO_CREDENTIALS:
        wanted.remove("401")
    responses.update(errors(*wanted))
    out["responses"] = responses
    return out


def _delete_by_post(collection: Collection, op: Operation) -> dict[str, Any]:
    """HTML forms cannot send DELETE: a POST with `_method=delete` does it instead."""
    out: dict[str, Any] = {
        "operationId": f"{collection.name}_{op.name}_by_post",
        "tags": [collection.name],
        "summary": f"{op.description} (for HTML forms, which cannot send DELETE)",
        "requestBody": {
            "required": True,
            "content": {kind: {"schema": {
                "type": "object",
                "properties": {"_method": {"const": "delete"}},
                "required": ["_method"],
            }} for kind in ("application/x-www-form-urlencoded", "multipart/form-data")},
        },
    }
    if collection.name in CREDENTIALS:
        out["security"] = CREDENTIALS[collection.name]
    out["responses"] = {
        **_rendered(Success(204)),
        "303": {"description": "HTML only: the browser is sent on to the list",
                "headers": header_refs("location")},
        **errors("400", "401", "403", "404", "405", "502", "504"),
    }
    return out


def _options(operation_id: str, tag: str, summary: str) -> dict[str, Any]:
    return {
        "operationId": operation_id, "tags": [tag], "summary": summary,
        "security": NO_CREDENTIALS,
        "responses": {"200": {"description": "No body", "headers": header_refs("allow")},
                      **errors("400", "404")},
    }


def _rendered(x: Success, get: bool = False) -> dict[str, Any]:
    """One success response: its headers and, where it has a body, the formats it comes in."""
    names = ["etag"] if get and x.status == 200 and not x.stream else []
    if x.location:
        names.append("location")
    if x.blob_metadata:
        names.append("blob_metadata")
    if x.stream:
        names += ["content_length", "content_disposition", "accept_ranges"]
        if x.status == 206:
            names.append("content_range")
    response: dict[str, Any] = {"description": _DESCRIPTIONS.get(x.status, "Done"),
                                "headers": header_refs(*names)}
    if x.stream:
        response["content"] = {"*/*": {"schema": {
            "description": "The blob's bytes, in its own content type"}}}
    elif x.schema is not None:
        response["content"] = media(x.schema)
    out = {str(x.status): response}
    if names and names[0] == "etag":
        out["304"] = {"description": "Unchanged since the ETag given in If-None-Match",
                      "headers": header_refs("etag")}
    return out


_DESCRIPTIONS = {
    200: "The answer", 201: "Created", 202: "Accepted: the cloud is carrying it out",
    204: "Done; nothing to show", 206: "The bytes of the range asked for",
}


def _query(param: Param, feature: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"name": param.name, "in": "query", "required": param.required,
                           "schema": param_schema(param)}
    if param.description:
        out["description"] = param.description
    if param.type == "array":
        out["style"], out["explode"] = "form", True
    if feature:
        out["x-deltacloud-feature"] = feature
    return out


def param_schema(param: Param) -> Schema:
    """A parameter's schema: what `Param.parse` accepts."""
    schema: Schema
    if param.type == "integer":
        schema = {"type": "integer", "minimum": 0}
    elif param.type == "boolean":
        schema = {"type": "boolean",
                  "description": "true, false, yes, no, on, off, 1 or 0"}
    elif param.type == "base64":
        schema = {"type": "string", "contentEncoding": "base64"}
    elif param.type == "array":
        schema = {"type": "array", "items": {"type": "string"},
                  "description": "Repeated, or comma-separated"}
    else:
        schema = {"type": "string"}
    if param.choices:
        schema["enum"] = list(param.choices)
    if param.references:
        schema["x-deltacloud-references"] = param.references
    return schema


def _body(params: Sequence[Param], features: dict[str, str], numbered: set[str],
          file_field: str | None = None) -> dict[str, Any]:
    """A POST's parameters, in each form the server reads them."""
    properties: dict[str, Any] = {}
    for p in params:
        schema = param_schema(p)
        if p.description:
            schema["description"] = p.description
        if p.name in features:
            schema["x-deltacloud-feature"] = features[p.name]
        properties[p.name] = schema
    schema = {"type": "object", "properties": properties}
    required = [p.name for p in params if p.required]
    if required:
        schema["required"] = required
    if numbered:
        schema["patternProperties"] = {
            f"^({'|'.join(sorted(numbered))})[0-9]+$": {"type": "string"}}
    content: dict[str, Any] = {kind: {"schema": schema} for kind in (
        "application/x-www-form-urlencoded", "multipart/form-data", "application/json",
        "application/xml")}
    if file_field:
        content["multipart/form-data"]["encoding"] = {
            file_field: {"contentType": "application/octet-stream"}}
    return {"required": bool(required), "content": content}


def surface_of(driver: type[Driver], provider: str, api_url: str) -> Surface:
    """What a request's document describes: its driver's declarations, at its address
    (`api_url` is the API root as answers link it; the paths hold the `/api`)."""
    return Surface(
        driver=driver.name, provider=provider, version=API_VERSION,
        server_url=api_url[:api_url.rindex("/api")],
        collections=tuple(COLLECTIONS.values()),
        offered=tuple((name, tuple(features)) for name, features in driver.collections.items()),
        capabilities=driver.capabilities(),
    )
