"""How a collection is declared: its operations, their parameters, their handlers.

A declaration is plain data. The server builds its routes from it, checks
parameters against it, asks the driver for the capability it names, and the
HTML interface draws its forms from it. Print `COLLECTIONS` to see the API.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any

from deltacloud.errors import BadRequest
from deltacloud.text import parse_integer

if TYPE_CHECKING:
    from deltacloud.drivers.base import CallContext, Driver
    from deltacloud.drivers.registry import Registry
    from deltacloud.models.blob import BlobContent, ByteSource


BOOLEANS = {"true": True, "yes": True, "on": True, "1": True,
            "false": False, "no": False, "off": False, "0": False}


@dataclass(frozen=True)
class Param:
    name: str
    type: str = "string"  # string | integer | boolean | base64 | array
    required: bool = False
    choices: tuple[str, ...] = ()
    description: str = ""
    # The collection whose ids the value names (HTML offers those ids).
    references: str | None = None

    @property
    def wire_type(self) -> str:
        """The type as Deltacloud names it to clients: every scalar is a string."""
        return "array" if self.type == "array" else "string"

    def parse(self, value: str) -> str:
        """The value in its one accepted spelling; BadRequest if it does not parse as the
        type. The message names the parameter, never the value."""
        if self.type == "integer" and parse_integer(value) is None:
            raise BadRequest(f"Parameter '{self.name}' must be a whole number")
        if self.type == "boolean":
            flag = BOOLEANS.get(value.strip().lower())
            if flag is None:
                raise BadRequest(f"Parameter '{self.name}' must be true or false")
            value = "true" if flag else "false"
        if self.type == "base64":
            # Ruby's Base64.encode64 (the Ruby client's) breaks lines every 60 characters.
            value = "".join(value.split())
            try:
                base64.b64decode(value, validate=True)
            except binascii.Error:
                raise BadRequest(f"Parameter '{self.name}' must be base64-encoded") from None
        if self.choices and value not in self.choices:
            raise BadRequest(
                f"Parameter '{self.name}' must be one of: {', '.join(self.choices)}"
            )
        return value


@dataclass(frozen=True)
class FormFile:
    """A file from a multipart form, spooled by the server (to disk past a megabyte)."""

    file: IO[bytes]
    content_type: str
    filename: str


@dataclass(frozen=True)
class Call:
    """One invocation of an operation, as its handler sees it."""

    driver: Driver
    ctx: CallContext
    registry: Registry
    params: dict[str, str] = field(default_factory=dict)
    id: str | None = None
    # Further path parts, e.g. {"blob_id": ...}.
    path: Mapping[str, str] = field(default_factory=dict)
    # Request headers, less Authorization and Cookie.
    headers: Mapping[str, str] = field(default_factory=dict)
    # The request body, for operations that stream it (blob uploads).
    body: ByteSource | None = None
    # Files of a multipart form, by field name.
    files: Mapping[str, FormFile] = field(default_factory=dict)

    @property
    def resource_id(self) -> str:
        assert self.id is not None
        return self.id


@dataclass(frozen=True)
class Result:
    """What a handler returns: the value to render and how to answer."""

    value: Any = None
    status: int = 200
    # Path below the API root of a created resource, e.g. "instances/inst4".
    location: str | None = None
    # Root name for a list, e.g. "instances"; None for a single object.
    collection: str | None = None
    # Bytes to send as they are (blob content), instead of rendering `value`.
    stream: BlobContent | None = None
    headers: Mapping[str, str] = field(default_factory=dict)


Handler = Callable[[Call], Result]


@dataclass(frozen=True)
class Operation:
    name: str  # index | show | create | destroy | an action such as stop
    method: str  # GET | POST | DELETE
    path: str  # below the collection: "", "/{id}", "/{id}/stop"
    handler: Handler
    # The driver method that must be implemented; None: always available.
    capability: str | None = None
    params: tuple[Param, ...] = ()
    description: str = ""
    # "params": the body holds parameters; "stream": the body is data for the handler.
    body: str = "params"
    # Prefixes of numbered parameters passed through as they are (meta_name1, group2, ...).
    numbered: tuple[str, ...] = ()


@dataclass(frozen=True)
class Collection:
    name: str
    description: str
    operations: tuple[Operation, ...]

    def operation(self, name: str) -> Operation | None:
        return next((o for o in self.operations if o.name == name), None)


def index(name: str, capability: str, *filters: Param) -> Operation:
    """GET /COLLECTION: the driver's listing, filtered."""

    def handler(call: Call) -> Result:
        return Result(getattr(call.driver, capability)(call.ctx, call.params), collection=name)

    return Operation("index", "GET", "", handler, capability, (Param("id"), *filters),
                     f"List {name.replace('_', ' ')}")


def show(singular: str, capability: str) -> Operation:
    """GET /COLLECTION/ID: one object, 404 if the driver does not find it."""

    def handler(call: Call) -> Result:
        return Result(getattr(call.driver, singular)(call.ctx, call.resource_id))

    return Operation("show", "GET", "/{id}", handler, capability, (),
                     f"Show one {singular.replace('_', ' ')}")


def create(collection: str, capability: str, params: tuple[Param, ...],
           description: str) -> Operation:
    """POST /COLLECTION: 201 Created, with the new object and its Location."""

    def handler(call: Call) -> Result:
        made = getattr(call.driver, capability)(call.ctx, call.params)
        return Result(made, 201, location=f"{collection}/{made.id}")

    return Operation("create", "POST", "", handler, capability, params, description)


def destroy(capability: str, description: str) -> Operation:
    """DELETE /COLLECTION/ID: 204 No Content."""

    def handler(call: Call) -> Result:
        getattr(call.driver, capability)(call.ctx, call.resource_id)
        return Result(None, 204)

    return Operation("destroy", "DELETE", "/{id}", handler, capability, (), description)
