"""The Google driver: buckets and blobs on Google Cloud Storage, storage only.

Two ways in, chosen by the credentials (see `client.py`): HMAC interoperability
keys over the XML API (`xml_api.py`, signed by hand), or a service account over
the JSON API (`json_api.py`, google-cloud-storage). Blob metadata are the user
metadata (`x-goog-meta-*`, the JSON API's `metadata`); a bucket's location is
honoured at creation (`bucket_location`). Blobs stream both ways in bounded
memory; large ones go up as resumable uploads.

Tests: the JSON API against fake-gcs-server started on loopback; the XML API
against Deltacloud's recorded real interactions, replayed by a loopback server
that checks each request's signature (no emulator speaks the XML API with HMAC).
"""

from __future__ import annotations

from typing import ClassVar

from deltacloud.drivers.base import CallContext, Driver, Filters, Params
from deltacloud.drivers.common.streams import Content
from deltacloud.drivers.google import client, mapping
from deltacloud.drivers.google.errors import translated
from deltacloud.errors import AuthenticationFailure
from deltacloud.models import Blob, BlobUpload, Bucket


class GoogleDriver(Driver):
    name = "google"
    display_name = "Google Cloud Storage"
    username_label = "HMAC access id, or service account e-mail"
    password_label = "HMAC secret, or service account private key (or key file, base64)"
    collections: ClassVar = {"buckets": ("bucket_location",)}

    def valid_credentials(self, ctx: CallContext) -> bool:
        try:
            with client.open_api(ctx) as api, translated():
                api.check()
        except AuthenticationFailure:
            return False
        return True

    # -- buckets -------------------------------------------------------------------

    def buckets(self, ctx: CallContext, filters: Filters) -> list[Bucket]:
        wanted = filters.get("id")
        if wanted:
            return [self.bucket(ctx, wanted)]
        with client.open_api(ctx) as api, translated():
            return [mapping.bucket(name) for name in api.list_buckets()]

    def bucket(self, ctx: CallContext, id: str) -> Bucket:
        with client.open_api(ctx) as api, translated("Bucket not found"):
            return mapping.bucket(id, api.bucket_blobs(id))

    def create_bucket(self, ctx: CallContext, params: Params) -> Bucket:
        name = mapping.bucket_name(params["name"])
        location = (params.get("location") or "").strip() or None
        with client.open_api(ctx) as api, translated():
            created = api.create_bucket(name, location)
        return mapping.bucket(name, location=created or location)

    def destroy_bucket(self, ctx: CallContext, id: str) -> None:
        with client.open_api(ctx) as api, translated("Bucket not found"):
            api.delete_bucket(id)

    # -- blobs ---------------------------------------------------------------------

    def blob(self, ctx: CallContext, bucket_id: str, blob_id: str) -> Blob:
        with client.open_api(ctx) as api, translated("Blob not found"):
            return api.blob(bucket_id, blob_id)

    def create_blob(self, ctx: CallContext, bucket_id: str, blob_id: str,
                    upload: BlobUpload) -> Blob:
        with client.open_api(ctx) as api, translated("Bucket not found"):
            return api.create_blob(bucket_id, blob_id, upload)

    def blob_content(self, ctx: CallContext, bucket_id: str, blob_id: str, first: int,
                     last: int) -> Content:
        if last < first:  # an empty blob: nothing to fetch
            return Content.empty()
        api = client.open_api(ctx)
        try:
            with translated("Blob not found"):
                return api.content(bucket_id, blob_id, first, last)  # closes api when done
        except BaseException:
            api.close()
            raise

    def update_blob_metadata(self, ctx: CallContext, bucket_id: str, blob_id: str,
                             metadata: dict[str, str]) -> Blob:
        with client.open_api(ctx) as api, translated("Blob not found"):
            return api.replace_metadata(bucket_id, blob_id, dict(metadata))

    def destroy_blob(self, ctx: CallContext, bucket_id: str, blob_id: str) -> None:
        with client.open_api(ctx) as api, translated("Blob not found"):
            api.delete_blob(bucket_id, blob_id)

