"""Request parameters: query, matrix, and a form, JSON or XML body, merged in that order."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request

from deltacloud.collections.base import Collection, FormFile, Operation
from deltacloud.collections.features import accepted_params
from deltacloud.errors import BadRequest, PayloadTooLarge
from deltacloud.parse import parse_integer
from deltacloud.server.matrix import PARAM_MATRIX

MAX_BODY = 1024 * 1024  # parameters, not blobs: a megabyte is plenty


@dataclass
class RequestParams:
    values: dict[str, str] = field(default_factory=dict)
    files: dict[str, FormFile] = field(default_factory=dict)


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


async def read_params(request: Request, *, body: bool = True) -> RequestParams:
    """Parse once per request (a method override reads them before dispatch)."""
    cached: RequestParams | None = getattr(request.state, "params", None)
    if cached is not None:
        return cached
    params = RequestParams()
    _merge(params.values, request.query_params.multi_items())
    params.values.update(request.scope.get(PARAM_MATRIX, {}))
    if body and request.method not in ("GET", "HEAD", "OPTIONS"):
        await _read_body(request, params)
    request.state.params = params
    return params


def _merge(values: dict[str, str], items: Iterable[tuple[str, str]]) -> None:
    """Add parameters; a repeated name (`firewalls=a&firewalls=b`, or `firewalls[]=...`)
    becomes one comma-separated value."""
    for key, value in items:
        key = key.removesuffix("[]")
        values[key] = f"{values[key]},{value}" if key in values else value


async def _read_body(request: Request, params: RequestParams) -> None:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/x-www-form-urlencoded":
        length = request.headers.get("content-length")
        if length and (parse_integer(length) or 0) > MAX_BODY:
            raise PayloadTooLarge()
        form = await request.form(max_part_size=MAX_BODY)
        _merge(params.values, ((k, v) for k, v in form.multi_items() if isinstance(v, str)))
    elif content_type == "multipart/form-data":
        # File parts spool to disk past a megabyte; other fields stay small.
        form = await request.form(max_part_size=MAX_BODY, max_files=10)
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                params.files[key] = FormFile(value.file, value.content_type or "",
                                             value.filename or "")
            else:
                _merge(params.values, [(key, value)])
    elif content_type == "application/json":
        raw = await _body(request)
        if raw.strip():
            try:
                params.values.update(_flatten(json.loads(raw)))
            except (ValueError, UnicodeDecodeError):
                raise BadRequest("The JSON body is not valid JSON") from None
    elif content_type in ("application/xml", "text/xml"):
        raw = await _body(request)
        if raw.strip():
            params.values.update(_from_xml(raw))


def validate(collection: Collection, op: Operation, raw: dict[str, str]) -> dict[str, str]:
    """Keep the declared parameters, check them, and refuse missing required ones."""
    out: dict[str, str] = {}
    for param in accepted_params(collection, op):
        value = raw.get(param.name)
        if value is None or value == "":
            if param.required:
                raise BadRequest(f"Parameter '{param.name}' is required")
            continue
        out[param.name] = param.parse(value)
    # Numbered fields (a blob form's metadata, a firewall rule's sources) are not
    # declared one by one: the operation names their prefixes.
    if op.numbered:
        out.update({k: v for k, v in raw.items() if k.startswith(op.numbered)})
    return out
