"""GCS's XML API with HMAC keys, signed by hand (no maintained library speaks it).

Requests are path-style (`ENDPOINT/BUCKET/OBJECT`) and signed as GCS's
interoperable (S3 version 2 style) scheme says: `Authorization: GOOG1
ACCESS_ID:SIGNATURE`, the signature being the base64 HMAC-SHA1, with the secret,
of `VERB \\n Content-MD5 \\n Content-Type \\n Date \\n` + the `x-goog-*` headers
(lower-cased, sorted, `name:value\\n`) + the resource (`/bucket/object`).
Uploads up to `client.CHUNK` bytes whose size is declared go in one PUT; others
are resumable uploads (`x-goog-resumable: start`, then chunks of `client.CHUNK`).
Every request goes through `common.http.HttpClient` (the endpoint policy, timeouts).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from email.utils import formatdate
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit

from deltacloud.drivers.base import PageGuard
from deltacloud.drivers.common.http import HttpClient
from deltacloud.drivers.common.streams import CHUNK, ChunkStream, Content, Sized
from deltacloud.drivers.google import client
from deltacloud.drivers.google.errors import ENDPOINT, TIMEOUT, from_xml_error, translated
from deltacloud.drivers.urls import EndpointPolicy
from deltacloud.errors import BackendError, BackendTimeout
from deltacloud.models import Blob, BlobUpload

if TYPE_CHECKING:
    import httpx2 as httpx

META = "x-goog-meta-"
# What a metadata replacement keeps of the object's own headers.
_KEPT = ("Cache-Control", "Content-Disposition", "Content-Encoding", "Content-Language")


def string_to_sign(method: str, headers: Mapping[str, str], resource: str) -> str:
    lower = {k.lower(): str(v).strip() for k, v in headers.items()}
    goog = "".join(f"{k}:{lower[k]}\n" for k in sorted(lower) if k.startswith("x-goog-"))
    return (f"{method.upper()}\n{lower.get('content-md5', '')}\n"
            f"{lower.get('content-type', '')}\n{lower.get('date', '')}\n{goog}{resource}")


def signature(secret: str, method: str, headers: Mapping[str, str], resource: str) -> str:
    digest = hmac.new(secret.encode(), string_to_sign(method, headers, resource).encode(),
                      hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def object_path(bucket: str, key: str | None = None) -> str:
    path = "/" + quote(bucket, safe="")
    return path if key is None else f"{path}/{quote(key, safe='/~')}"


# A resumable upload gives up after this many answers in a row that take no new bytes.
MAX_STALLS = 3
_ACKED = re.compile(r"bytes=0-([0-9]{1,18})")


def _acknowledged(header: str | None) -> int:
    """How many bytes a 308's `Range: bytes=0-N` says Google has (none without it)."""
    if header is None:
        return 0
    match = _ACKED.fullmatch(header.strip())
    if match is None:
        raise BackendError("Google answered the resumable upload with a malformed Range")
    return int(match.group(1)) + 1


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _texts(body: bytes, name: str) -> list[str]:
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        raise BackendError("Google answered with malformed XML") from None
    return [e.text or "" for e in root.iter() if _local(e.tag) == name]


class XmlApi:
    def __init__(self, access_id: str, secret: str, endpoint: str,
                 policy: EndpointPolicy) -> None:
        self._access_id = access_id
        self._secret = secret
        self._endpoint = endpoint
        # The policy checks every request (redirects are not followed); a 429 or 503 is
        # retried where the body can be sent again (never a streamed upload).
        self._http = HttpClient(policy, cloud=ENDPOINT, connect_timeout=client.CONNECT_TIMEOUT,
                                read_timeout=client.READ_TIMEOUT)

    def close(self) -> None:
        self._http.close()
        self._secret = ""

    def __enter__(self) -> XmlApi:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- the wire ----------------------------------------------------------------

    def _request(self, method: str, url: str, *, params: Mapping[str, str] | None = None,
                 headers: Mapping[str, str] | None = None,
                 content: bytes | Iterable[bytes] | None = None,
                 stream: bool = False) -> httpx.Response:
        """One exchange; a timeout in the words this driver has always used."""
        try:
            return self._http.request(method, url, params=params, headers=headers,
                                      content=content, stream=stream)
        except BackendTimeout:
            raise BackendTimeout(TIMEOUT) from None

    def _send(self, method: str, path: str, *, headers: dict[str, str] | None = None,
              query: dict[str, str] | None = None,
              body: bytes | Iterable[bytes] | None = None, stream: bool = False,
              ok: tuple[int, ...] = (200,), missing: str = "Not found") -> httpx.Response:
        """A signed request; its answer if the status is `ok` (read already unless
        `stream`ed, when it must be closed), else the error it says."""
        headers = dict(headers or {})
        headers["Date"] = formatdate(usegmt=True)
        sig = signature(self._secret, method, headers, path)
        headers["Authorization"] = f"GOOG1 {self._access_id}:{sig}"
        response = self._request(method, self._endpoint + path, params=query, headers=headers,
                                 content=body, stream=stream)
        if response.status_code in ok:
            return response
        error = self._http.error_body(response)  # and the answer is closed
        if method == "HEAD" and response.status_code == 403:
            # A HEAD answer has no body to say why: ask again with a GET of nothing,
            # whose error body does (a wrong key is 401, not 403).
            self._send("GET", path, headers={"Range": "bytes=0-0"}, ok=(200, 206, 416),
                       missing=missing)
        raise from_xml_error(response.status_code, error, missing)

    # -- buckets -------------------------------------------------------------------

    def check(self) -> None:
        self._send("GET", "/")

    def list_buckets(self) -> list[str]:
        response = self._send("GET", "/")
        return _texts(response.content, "Name")

    def bucket_blobs(self, bucket: str) -> list[str]:
        names: list[str] = []
        marker = ""
        pages = PageGuard("blob")
        while True:
            response = self._send("GET", object_path(bucket),
                                  query={"marker": marker} if marker else None,
                                  missing="Bucket not found")
            page = _texts(response.content, "Key")
            names += page
            truncated = _texts(response.content, "IsTruncated") == ["true"]
            if not truncated or not page:
                return names
            marker = pages.next((_texts(response.content, "NextMarker") or page)[-1]
                                or page[-1])

    def create_bucket(self, bucket: str, location: str | None) -> None:
        body = None
        if location:
            config = ET.Element("CreateBucketConfiguration")
            ET.SubElement(config, "LocationConstraint").text = location
            body = ET.tostring(config)
        self._send("PUT", object_path(bucket), body=body)

    def delete_bucket(self, bucket: str) -> None:
        self._send("DELETE", object_path(bucket), ok=(204, 200), missing="Bucket not found")

    # -- blobs ---------------------------------------------------------------------

    def _head(self, bucket: str, key: str) -> httpx.Response:
        return self._send("HEAD", object_path(bucket, key), missing="Blob not found")

    def blob(self, bucket: str, key: str) -> Blob:
        from deltacloud.drivers.google.mapping import blob_from_headers

        return blob_from_headers(bucket, key, self._head(bucket, key).headers)

    def create_blob(self, bucket: str, key: str, upload: BlobUpload) -> Blob:
        headers = {"Content-Type": upload.content_type,
                   **{META + k: v for k, v in upload.user_metadata.items()}}
        path = object_path(bucket, key)
        stream = ChunkStream(upload.chunks)
        size = upload.content_length
        if size is None:
            # Unknown size: read up to one chunk ahead; if that was all, one PUT will do.
            head = stream.read(client.CHUNK)
            if stream.has_more():
                sent = self._resumable(path, headers, itertools.chain(
                    [head], stream.pieces(client.CHUNK)))
            else:
                sent = self._put(path, headers, [head], len(head))
        elif size <= client.CHUNK:
            sent = self._put(path, headers, stream, size)
        else:
            sent = self._resumable(path, headers, stream.pieces(client.CHUNK))
        return Blob(id=key, bucket=bucket, content_length=sent,
                    content_type=upload.content_type,
                    user_metadata=dict(upload.user_metadata))

    def _put(self, path: str, headers: dict[str, str], chunks: Iterable[bytes],
             size: int) -> int:
        """One PUT of `size` bytes (with that Content-Length); how many were sent."""
        body = Sized(chunks, size)
        self._send("PUT", path, headers=headers, body=body, missing="Bucket not found")
        return body.sent

    def _resumable(self, path: str, headers: dict[str, str], pieces: Iterable[bytes]) -> int:
        """Upload `pieces` (all `client.CHUNK` long but the last) in a resumable session;
        how many bytes Google took."""
        start = self._send("POST", path, headers={**headers, "x-goog-resumable": "start"},
                           body=b"", ok=(201, 200), missing="Bucket not found")
        session = start.headers.get("Location", "")
        ours, theirs = urlsplit(self._endpoint), urlsplit(session)
        if (theirs.scheme, theirs.netloc) != (ours.scheme, ours.netloc):
            raise BackendError("Google answered the resumable upload with another host")
        offset = 0
        for piece in pieces:
            if len(piece) < client.CHUNK:
                return self._put_chunk(session, piece, offset, offset + len(piece))
            offset = self._put_chunk(session, piece, offset, None)
        return self._put_chunk(session, b"", offset, offset)  # only now is the size known

    def _put_chunk(self, session: str, piece: bytes, offset: int, total: int | None) -> int:
        """Send `piece` at `offset` (the last one if `total` is known) until Google has
        all of it; returns the new offset.

        The session URL itself authorizes the upload: nothing is signed.
        """
        stalled = 0
        while True:
            size = len(piece)
            if size:
                span = f"bytes {offset}-{offset + size - 1}/{'*' if total is None else total}"
            else:
                span = f"bytes */{total}"
            response = self._request("PUT", session, headers={"Content-Range": span},
                                     content=piece)
            if response.status_code in (200, 201):
                return offset + size
            if response.status_code != 308:
                raise from_xml_error(response.status_code, response.content, "Bucket not found")
            acked = _acknowledged(response.headers.get("Range"))
            if acked < offset or acked > offset + size:
                raise BackendError("Google lost track of the resumable upload")
            stalled = stalled + 1 if acked == offset else 0
            if stalled >= MAX_STALLS:
                raise BackendError("Google took none of the resumable upload's bytes "
                                   f"{MAX_STALLS} times in a row")
            piece = piece[acked - offset:]
            offset = acked
            if total is None and not piece:
                return offset

    def content(self, bucket: str, key: str, first: int, last: int) -> Content:
        """The range as it comes; closing it ends the answer, then this API."""
        response = self._send("GET", object_path(bucket, key),
                              headers={"Range": f"bytes={first}-{last}"}, stream=True,
                              ok=(200, 206), missing="Blob not found")
        return Content(response.iter_raw(CHUNK), response.close, self.close,
                       translate=translated)

    def replace_metadata(self, bucket: str, key: str, meta: dict[str, str]) -> Blob:
        from deltacloud.drivers.google.mapping import blob_from_headers

        head = self._head(bucket, key)
        headers = {
            "x-goog-copy-source": object_path(bucket, key),
            "x-goog-metadata-directive": "REPLACE",
            "Content-Type": head.headers.get("Content-Type", "application/octet-stream"),
            **{h: head.headers[h] for h in _KEPT if h in head.headers},
            **{META + k: v for k, v in meta.items()},
        }
        self._send("PUT", object_path(bucket, key), headers=headers, missing="Blob not found")
        blob = blob_from_headers(bucket, key, head.headers)
        blob.user_metadata = dict(meta)
        return blob

    def delete_blob(self, bucket: str, key: str) -> None:
        self._send("DELETE", object_path(bucket, key), ok=(204, 200), missing="Blob not found")
