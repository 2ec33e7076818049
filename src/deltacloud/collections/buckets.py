"""Buckets and the blobs in them; blob bytes stream through, never held whole."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from urllib.parse import quote

from deltacloud.collections.base import (
    Call,
    Collection,
    Operation,
    Param,
    Result,
    destroy,
    index,
    show,
)
from deltacloud.errors import BadRequest, RangeNotSatisfiable
from deltacloud.models import BlobUpload
from deltacloud.text import fits_in_header, header_value, parse_integer

META_HEADER = "x-deltacloud-blobmeta-"
MAX_METADATA = 8 * 1024  # bytes of names and values together
_TOKEN = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]+$")
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def _check_metadata(meta: dict[str, str]) -> dict[str, str]:
    size = 0
    for name, value in meta.items():
        if not _TOKEN.match(name):
            raise BadRequest("Blob metadata names must be HTTP tokens")
        if not fits_in_header(value):
            raise BadRequest("Blob metadata values must be Latin-1 text without control "
                             "characters (what a header can carry)")
        size += len(name) + len(value)
    if size > MAX_METADATA:
        raise BadRequest(f"Blob metadata may hold at most {MAX_METADATA} bytes")
    return meta


def metadata_from_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """`X-Deltacloud-Blobmeta-NAME: value` headers as {name: value} (names lower-cased)."""
    return _check_metadata({
        k[len(META_HEADER):]: v.strip() for k, v in headers.items()
        if k.startswith(META_HEADER) and len(k) > len(META_HEADER)
    })


def metadata_from_form(params: Mapping[str, str]) -> dict[str, str]:
    """The browser form's `meta_params` count and `meta_nameN` / `meta_valueN` pairs."""
    count = parse_integer(params.get("meta_params") or "0")
    if count is None or count > 100:
        raise BadRequest("Parameter 'meta_params' must be a number up to 100")
    meta = {}
    for i in range(1, count + 1):
        name = params.get(f"meta_name{i}", "").strip()
        if name:
            meta[name.lower()] = params.get(f"meta_value{i}", "")
    return _check_metadata(meta)


def metadata_headers(meta: Mapping[str, str]) -> dict[str, str]:
    """As headers; what a cloud holds that a header cannot carry goes percent-encoded."""
    return {f"X-Deltacloud-Blobmeta-{header_value(k)}": header_value(v)
            for k, v in meta.items()}


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The (first, last) bytes a single `Range: bytes=...` asks for; None for all of it.

    Forms HTTP allows but this does not serve (several ranges, other units) get
    the whole blob, as RFC 9110 permits.
    """
    if not header:
        return None
    match = _RANGE.match(header.strip())
    if match is None or match.group(0) == "bytes=-":
        return None
    first_text, last_text = match.groups()
    if first_text:
        first = int(first_text)
        last = min(int(last_text), size - 1) if last_text else size - 1
        if last_text and int(last_text) < first:
            return None  # syntactically invalid: ignore the header
    else:
        suffix = int(last_text)
        first, last = max(size - suffix, 0), size - 1
        if suffix == 0:
            first = size
    if first >= size or first > last:
        raise RangeNotSatisfiable(headers={"Content-Range": f"bytes */{size}"})
    return first, last


def _disposition(blob_id: str) -> str:
    name = blob_id.rsplit("/", 1)[-1]
    ascii_name = "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else "_" for c in name)
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


# -- handlers ------------------------------------------------------------------


def _create_bucket(call: Call) -> Result:
    bucket = call.driver.create_bucket(call.ctx, call.params)
    return Result(bucket, 201, location=f"buckets/{bucket.id}")


def _blob_id(call: Call) -> str:
    blob_id = call.path["blob_id"]
    if not blob_id or len(blob_id.encode()) > 1024 or "\x00" in blob_id:
        raise BadRequest("A blob id must be 1 to 1024 bytes long")
    return blob_id


def _show_blob(call: Call) -> Result:
    return Result(call.driver.blob(call.ctx, call.resource_id, _blob_id(call)))


def _head_blob(call: Call) -> Result:
    blob = call.driver.blob(call.ctx, call.resource_id, _blob_id(call))
    return Result(None, 204, headers=metadata_headers(blob.user_metadata))


def _put_blob(call: Call) -> Result:
    assert call.body is not None
    length = call.headers.get("content-length")
    upload = BlobUpload(
        chunks=call.body,
        content_type=call.headers.get("content-type") or "application/octet-stream",
        user_metadata=metadata_from_headers(call.headers),
        content_length=parse_integer(length) if length else None,
    )
    blob_id = _blob_id(call)
    blob = call.driver.create_blob(call.ctx, call.resource_id, blob_id, upload)
    return Result(blob, 200, location=f"buckets/{call.resource_id}/{blob_id}")


def _create_blob_from_form(call: Call) -> Result:
    """A form's blob_id, blob_data and meta_* fields. blob_data is a file part (the browser)
    or a plain field or query parameter (the Ruby client)."""
    blob_id = call.params["blob_id"]
    if len(blob_id.encode()) > 1024:
        raise BadRequest("A blob id must be 1 to 1024 bytes long")
    data = call.files.get("blob_data")
    if data is not None:
        chunks: Iterator[bytes] = iter(lambda: data.file.read(1024 * 1024), b"")
        content_type = data.content_type or "application/octet-stream"
    elif "blob_data" in call.params:
        chunks = iter((call.params["blob_data"].encode("utf-8"),))
        content_type = "application/octet-stream"
    else:
        raise BadRequest("Parameter 'blob_data' is required")
    upload = BlobUpload(chunks=chunks, content_type=content_type,
                        user_metadata=metadata_from_form(call.params))
    blob = call.driver.create_blob(call.ctx, call.resource_id, blob_id, upload)
    return Result(blob, 201, location=f"buckets/{call.resource_id}/{blob_id}")


def _update_blob(call: Call) -> Result:
    meta = metadata_from_headers(call.headers)
    call.driver.update_blob_metadata(call.ctx, call.resource_id, _blob_id(call), meta)
    return Result(None, 204, headers=metadata_headers(meta))


def _destroy_blob(call: Call) -> Result:
    call.driver.destroy_blob(call.ctx, call.resource_id, _blob_id(call))
    return Result(None, 204)


def _content(call: Call) -> Result:
    blob_id = _blob_id(call)
    blob = call.driver.blob(call.ctx, call.resource_id, blob_id)
    size = blob.content_length
    wanted = byte_range(call.headers.get("range"), size)
    first, last = wanted if wanted else (0, size - 1)
    headers = {
        "Content-Type": header_value(blob.content_type or "application/octet-stream"),
        "Content-Length": str(max(last - first + 1, 0)),
        "Content-Disposition": _disposition(blob_id),
        "Accept-Ranges": "bytes",
    }
    if wanted:
        headers["Content-Range"] = f"bytes {first}-{last}/{size}"
    content = call.driver.blob_content(call.ctx, call.resource_id, blob_id, first, last)
    return Result(None, 206 if wanted else 200, stream=content, headers=headers)


BLOB = "/{id}/{blob_id:path}"

BUCKETS = Collection(
    "buckets",
    "Containers of blobs: S3 buckets, Swift and Azure containers",
    (
        index("buckets", "buckets"),
        show("bucket", "buckets"),
        Operation("create", "POST", "", _create_bucket, "create_bucket",
                  (Param("name", required=True),), "Create a bucket"),
        destroy("destroy_bucket", "Delete an empty bucket"),
        Operation(
            "create_blob", "POST", "/{id}", _create_blob_from_form, "create_blob",
            (
                Param("blob_id", required=True, description="The new blob's name"),
                Param("blob_data", description="The bytes (a file part, or a plain field)"),
                Param("meta_params", description="How many meta_nameN/meta_valueN follow"),
            ),
            "Upload a blob from a form",
            numbered=("meta_name", "meta_value"),
        ),
        # Order matters: .../content before the plain blob path it would also match.
        Operation("blob_content", "GET", BLOB + "/content", _content, "blob_content", (),
                  "Download the blob's bytes (Range requests allowed)"),
        Operation("blob_metadata", "HEAD", BLOB, _head_blob, "blob", (),
                  "The blob's metadata as X-Deltacloud-Blobmeta-* headers"),
        Operation("show_blob", "GET", BLOB, _show_blob, "blob", (), "Show a blob"),
        Operation("stream_blob", "PUT", BLOB, _put_blob, "create_blob", (),
                  "Create or replace a blob from the request body", body="stream"),
        Operation("update_blob", "POST", BLOB, _update_blob, "update_blob_metadata", (),
                  "Replace the blob's metadata with the X-Deltacloud-Blobmeta-* headers"),
        Operation("destroy_blob", "DELETE", BLOB, _destroy_blob, "destroy_blob", (),
                  "Delete a blob"),
    ),
)
