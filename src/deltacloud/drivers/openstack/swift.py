"""Swift objects moved as streams: single PUTs, SLO segments, ranged GETs.

Blob bytes are never held whole: an upload is passed on chunk by chunk, and
above the segment size it becomes a Static Large Object (segments in the
container `<bucket>_segments`, as the swift client does it, then a manifest).
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any
from urllib.parse import quote

from deltacloud.drivers.common.streams import CHUNK, ChunkStream, Content, Counted, Sized
from deltacloud.drivers.openstack.errors import for_status
from deltacloud.errors import NotFound

META = "X-Object-Meta-"
# Set on a segments container this driver made, naming the bucket it holds segments of:
# only such a container is removed with its bucket.
SEGMENTS_OF = "X-Container-Meta-Deltacloud-Segments-Of"


def segments_container(bucket: str) -> str:
    """Where a bucket's large objects keep their segments (the swift client's convention)."""
    return bucket + "_segments"


def delete_segments_container(store: Any, bucket: str) -> None:
    """Remove the bucket's segments container if this driver made it for that bucket and it
    is empty: a container of that name may be an unrelated bucket of the user's."""
    name = segments_container(bucket)
    head = request(store, "HEAD", container_path(name), expect=(200, 204, 404))
    if head.status_code == 404 or head.headers.get(SEGMENTS_OF) != bucket:
        return
    if int(head.headers.get("X-Container-Object-Count") or 0) == 0:
        request(store, "DELETE", container_path(name), expect=(204, 404, 409))


def container_path(bucket: str) -> str:
    return "/" + quote(bucket, safe="")


def object_path(bucket: str, blob: str) -> str:
    return container_path(bucket) + "/" + quote(blob, safe="/")


def request(store: Any, method: str, path: str, expect: tuple[int, ...] = (200, 201, 202, 204),
            missing: str | None = None, **kwargs: Any) -> Any:
    """One call to the object store; statuses outside `expect` become errors."""
    response = store.request(path, method, raise_exc=False, **kwargs)
    if response.status_code in expect:
        return response
    if response.status_code == 404 and missing:
        response.close()
        raise NotFound(missing)
    error = for_status(response.status_code, response.text[:300] if not kwargs.get("stream")
                       else "")
    response.close()
    raise error


def put_object(store: Any, bucket: str, blob: str, chunks: Any, length: int | None,
               headers: dict[str, str], size: int) -> None:
    """Create or replace an object from a stream; above `size` bytes (or of unknown length)
    as an SLO of segments of `size` bytes."""
    old_segments = _segments_of(store, bucket, blob)
    source = ChunkStream(chunks, length)
    if length is not None and length <= size:
        if length == 0:
            source.has_more()  # an over-long body is refused before anything is written
        body = Sized(source.take(length), length) if length else b""
        request(store, "PUT", object_path(bucket, blob), expect=(201,),
                missing="Bucket not found", data=body, headers=headers)
    else:
        _put_slo(store, bucket, blob, source, size, headers)
    _delete_segments(store, old_segments)


def _put_slo(store: Any, bucket: str, blob: str, source: ChunkStream, size: int,
             headers: dict[str, str]) -> None:
    request(store, "HEAD", container_path(bucket), missing="Bucket not found")
    segments_bucket = segments_container(bucket)
    made = request(store, "PUT", container_path(segments_bucket), expect=(201, 202))
    if made.status_code == 201:  # created now, so ours: say whose segments it holds
        request(store, "POST", container_path(segments_bucket), expect=(204,),
                headers={SEGMENTS_OF: bucket})
    prefix = f"{blob}/slo/{time.time():.6f}-{uuid.uuid4().hex[:8]}"
    manifest = []
    index = 0
    try:
        while index == 0 or source.has_more():
            name = f"{prefix}/{index:08d}"
            counted = Counted(source.take(size))
            response = request(store, "PUT", object_path(segments_bucket, name),
                               expect=(201,), data=counted)
            manifest.append({"path": f"/{segments_bucket}/{name}",
                             "etag": response.headers.get("Etag", "").strip('"'),
                             "size_bytes": counted.sent})
            index += 1
        request(store, "PUT", object_path(bucket, blob), expect=(201,),
                params={"multipart-manifest": "put"},
                data=json.dumps(manifest).encode(), headers=headers)
    except BaseException:
        _delete_segments(store, [m["path"] for m in manifest])
        raise


def _segments_of(store: Any, bucket: str, blob: str) -> list[str]:
    """The segment paths of an existing SLO (to remove once it is replaced)."""
    head = request(store, "HEAD", object_path(bucket, blob), expect=(200, 404))
    if head.status_code != 200 or not head.headers.get("X-Static-Large-Object"):
        return []
    response = request(store, "GET", object_path(bucket, blob),
                       params={"multipart-manifest": "get", "format": "raw"})
    return [entry["path"] for entry in response.json()]


def _delete_segments(store: Any, paths: list[str]) -> None:
    for path in paths:
        container, _, name = path.lstrip("/").partition("/")
        request(store, "DELETE", object_path(container, name), expect=(204, 404))


def delete_object(store: Any, bucket: str, blob: str) -> None:
    head = request(store, "HEAD", object_path(bucket, blob), missing="Blob not found")
    params = ({"multipart-manifest": "delete"}
              if head.headers.get("X-Static-Large-Object") else None)
    request(store, "DELETE", object_path(bucket, blob), params=params, missing="Blob not found")


def get_object(store: Any, bucket: str, blob: str, first: int, last: int) -> Content:
    """Bytes first..last of an object, read a chunk at a time; closing the content ends
    the connection."""
    if last < first:
        return Content.empty()
    response = request(store, "GET", object_path(bucket, blob), expect=(200, 206),
                       missing="Blob not found", stream=True,
                       headers={"Range": f"bytes={first}-{last}"})
    return Content(response.iter_content(CHUNK), response.close)
