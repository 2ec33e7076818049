"""Request parameters: query, matrix, and a form, JSON or XML body, merged in that order."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request

from deltacloud.collections.base import Collection, Operation
from deltacloud.collections.features import features_for
from deltacloud.drivers.base import Driver
from deltacloud.errors import BadRequest, PayloadTooLarge
from deltacloud.server.matrix import PARAM_MATRIX

MAX_BODY = 1024 * 1024  # parameters, not blobs: a megabyte is plenty


async def _body(request: Request) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise PayloadTooLarge()
        chunks.append(chunk)
    return b"".join(chunks)


def _flatten(value: Any) -> dict[str, str]:
    """`{"instance": {...}}` or `{...}`: scalar members become parameters."""
    if isinstance(value, dict) and len(value) == 1:
        (inner,) = value.values()
        if isinstance(inner, dict):
            value = inner
    if not isinstance(value, dict):
        raise BadRequest("A JSON body must be an object")
    out: dict[str, str] = {}
    for key, item in value.items():
        if isinstance(item, list):
            out[key] = ",".join(str(i) for i in item)
        elif isinstance(item, bool):
            out[key] = "true" if item else "false"
        elif item is not None and not isinstance(item, dict):
            out[key] = str(item)
    return out


def _from_xml(body: bytes) -> dict[str, str]:
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        raise BadRequest("The XML body is not well-formed") from None
    return {child.tag: (child.text or "").strip() for child in root}


async def read_params(request: Request) -> dict[str, str]:
    params: dict[str, str] = dict(request.query_params)
    params.update(request.scope.get(PARAM_MATRIX, {}))
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return params
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > MAX_BODY:
            raise PayloadTooLarge()
        form = await request.form(max_part_size=MAX_BODY)
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                params[key] = (await value.read(MAX_BODY)).decode("utf-8", "replace")
            else:
                params[key] = value
    elif content_type == "application/json":
        body = await _body(request)
        if body.strip():
            try:
                params.update(_flatten(json.loads(body)))
            except (ValueError, UnicodeDecodeError):
                raise BadRequest("The JSON body is not valid JSON") from None
    elif content_type in ("application/xml", "text/xml"):
        body = await _body(request)
        if body.strip():
            params.update(_from_xml(body))
    return params


def allowed_params(collection: Collection, op: Operation, driver: Driver) -> list:
    """The operation's own parameters plus those of the driver's features on it."""
    features = features_for(collection.name, list(driver.collections.get(collection.name, ())))
    extra = [p for f in features if f.operation == op.name for p in f.params]
    return [*op.params, *extra]


def validate(
    collection: Collection, op: Operation, driver: Driver, raw: dict[str, str]
) -> dict[str, str]:
    """Keep the declared parameters, check them, and refuse missing required ones."""
    out: dict[str, str] = {}
    for param in allowed_params(collection, op, driver):
        value = raw.get(param.name)
        if value is None or value == "":
            if param.required:
                raise BadRequest(f"Parameter '{param.name}' is required")
            continue
        param.check(value)
        out[param.name] = value
    return out
