"""GCS's JSON API with a service account, through google-cloud-storage.

Each request builds its own credentials and client (the OAuth token is fetched
for that request and dropped with it). Uploads up to `client.CHUNK` declared
bytes go as one multipart request; others as resumable uploads in chunks of
`client.CHUNK`. Downloads are one streamed GET of the media.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from deltacloud.drivers.common.streams import CHUNK, ChunkStream, Content
from deltacloud.drivers.google import client
from deltacloud.drivers.google.errors import from_status, translated
from deltacloud.drivers.google.mapping import blob_from_object
from deltacloud.drivers.urls import EndpointPolicy, checking_session
from deltacloud.errors import AuthenticationFailure, Conflict, NotFound
from deltacloud.models import Blob, BlobUpload

TIMEOUT = (client.CONNECT_TIMEOUT, client.READ_TIMEOUT)


class JsonApi:
    def __init__(self, info: dict[str, Any], endpoint: str, policy: EndpointPolicy) -> None:
        from google.auth.transport.requests import AuthorizedSession
        from google.cloud import storage
        from google.oauth2 import service_account

        try:
            self.credentials = service_account.Credentials.from_service_account_info(
                info, scopes=[client.SCOPE])
        except (ValueError, TypeError, KeyError):
            raise AuthenticationFailure("The service account's private key cannot be read") \
                from None
        self.project = info.get("project_id")
        self.endpoint = endpoint
        # Every request (and redirect) of this client goes through the operator's checks.
        self.session = checking_session(policy, AuthorizedSession(self.credentials))
        self.client = storage.Client(project=self.project or "-", credentials=self.credentials,
                                     client_options={"api_endpoint": endpoint},
                                     _http=self.session)

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> JsonApi:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- buckets -------------------------------------------------------------------

    def check(self) -> None:
        with translated():
            next(iter(self.client.list_buckets(max_results=1, timeout=TIMEOUT, retry=None)),
                 None)

    def list_buckets(self) -> list[str]:
        with translated():
            return [b.name for b in self.client.list_buckets(timeout=TIMEOUT, retry=None)]

    def bucket_blobs(self, bucket: str) -> list[str]:
        with translated("Bucket not found"):
            return [b.name for b in self.client.list_blobs(bucket, timeout=TIMEOUT, retry=None)]

    def create_bucket(self, bucket: str, location: str | None) -> str | None:
        with translated():
            created = self.client.create_bucket(bucket, location=location or None,
                                                timeout=TIMEOUT, retry=None)
        return created.location

    def delete_bucket(self, bucket: str) -> None:
        try:
            with translated("Bucket not found"):
                self.client.bucket(bucket).delete(timeout=TIMEOUT, retry=None)
        except Conflict:
            # GCS says 409, fake-gcs-server 412, for a bucket that still holds objects.
            raise Conflict("The bucket is not empty: delete its blobs first") from None

    # -- blobs ---------------------------------------------------------------------

    def _object(self, bucket: str, key: str) -> Any:
        with translated("Blob not found"):
            obj = self.client.bucket(bucket).get_blob(key, timeout=TIMEOUT, retry=None)
            if obj is None:
                if not self.client.bucket(bucket).exists(timeout=TIMEOUT, retry=None):
                    raise NotFound("Bucket not found")
                raise NotFound("Blob not found")
        return obj

    def blob(self, bucket: str, key: str) -> Blob:
        return blob_from_object(bucket, self._object(bucket, key))

    def create_blob(self, bucket: str, key: str, upload: BlobUpload) -> Blob:
        size = upload.content_length
        obj = self.client.bucket(bucket).blob(key, chunk_size=client.CHUNK)
        obj.metadata = dict(upload.user_metadata) or None
        with translated("Bucket not found"):
            obj.upload_from_file(
                ChunkStream(upload.chunks),
                size=size if size is not None and size <= client.CHUNK else None,
                content_type=upload.content_type, timeout=TIMEOUT, retry=None)
        return blob_from_object(bucket, obj)

    def content(self, bucket: str, key: str, first: int, last: int) -> Content:
        """The range as it comes; closing it ends the answer, the session, then this API."""
        url = (f"{self.endpoint}/storage/v1/b/{quote(bucket, safe='')}/o/"
               f"{quote(key, safe='')}")
        session = self.session
        try:
            with translated("Blob not found"):
                response = session.get(
                    url, params={"alt": "media"}, stream=True, timeout=TIMEOUT,
                    headers={"Range": f"bytes={first}-{last}", "Accept-Encoding": "gzip"})
            if response.status_code not in (200, 206):
                response.close()
                raise from_status(response.status_code, "", "Blob not found")
            return Content(response.raw.stream(CHUNK, decode_content=False), response.close,
                           session.close, self.close, translate=translated)
        except BaseException:
            session.close()
            raise

    def replace_metadata(self, bucket: str, key: str, meta: dict[str, str]) -> Blob:
        obj = self._object(bucket, key)
        # objects.patch merges metadata; naming each old key with null deletes it.
        # (objects.update would replace it, but also reset what it is not sent.)
        old = obj.metadata or {}
        obj.metadata = {**{k: None for k in old if k not in meta}, **meta}
        with translated("Blob not found"):
            obj.patch(timeout=TIMEOUT, retry=None)
        return blob_from_object(bucket, obj)

    def delete_blob(self, bucket: str, key: str) -> None:
        with translated("Blob not found"):
            self.client.bucket(bucket).delete_blob(key, timeout=TIMEOUT, retry=None)
