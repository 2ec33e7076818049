"""Request parameters: query, matrix, and a form, JSON or XML body, merged in that order."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import orjson
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request

from deltacloud.collections.base import Collection, FormFile, Operation
from deltacloud.collections.features import accepted_params
from deltacloud.errors import BadRequest, PayloadTooLarge
from deltacloud.server.matrix import PARAM_MATRIX

MAX_BODY = 1024 * 1024  # parameters, not blobs: a megabyte is plenty
MAX_FIELDS = 1000
MAX_FILES = 10


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
    except (ET.ParseError, ValueError, LookupError):  # also an encoding expat cannot read
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
        _merge(params.values, _from_form(await _body(request)))
    elif content_type == "multipart/form-data":
        # File parts spool to disk past a megabyte; other fields stay small.
        for key, value in (await _multipart(request)).multi_items():
            if isinstance(value, UploadFile):
                params.files[key] = FormFile(value.file, value.content_type or "",
                                             value.filename or "")
            else:
                _merge(params.values, [(key, value)])
    elif content_type == "application/json":
        raw = await _body(request)
        if raw.strip():
            try:
                params.values.update(_flatten(orjson.loads(raw)))
            except orjson.JSONDecodeError:  # also too deep: orjson stops at 1024 levels
                raise BadRequest("The JSON body is not valid JSON") from None
    elif content_type in ("application/xml", "text/xml"):
        raw = await _body(request)
        if raw.strip():
            params.values.update(_from_xml(raw))


def _from_form(body: bytes) -> list[tuple[str, str]]:
    try:
        return parse_qsl(body.decode("ascii"), keep_blank_values=True, encoding="utf-8",
                         errors="strict", max_num_fields=MAX_FIELDS)
    except UnicodeError:
        raise BadRequest("The form body is not percent-encoded UTF-8") from None
    except ValueError:  # more fields than allowed
        raise BadRequest(f"A form may hold at most {MAX_FIELDS} fields") from None


async def _multipart(request: Request) -> FormData:
    """Starlette's multipart parser, its refusals turned into 400 and 413 answers."""
    try:
        return await request.form(max_part_size=MAX_BODY, max_files=MAX_FILES,
                                  max_fields=MAX_FIELDS)
    except (HTTPException, MultiPartException) as exc:
        detail = str(getattr(exc, "detail", None) or getattr(exc, "message", ""))
        if "maximum size" in detail:
            raise PayloadTooLarge(f"A form field may hold at most {MAX_BODY} bytes") from None
        raise BadRequest(f"The multipart form is malformed: {detail}") from None
    except (KeyError, ValueError):  # python-multipart's own parse errors are ValueErrors
        raise BadRequest("The multipart form is malformed") from None


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
