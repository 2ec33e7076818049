"""The Azure driver: buckets and blobs on Azure Blob Storage (and Azurite, Azure Stack).

Containers are buckets, blobs are blobs, blob metadata are the user metadata.
Credentials: the storage account name (user) and an access key (password); the
provider may name the blob endpoint (see `client.py`). Uploads go as blocks of
8 MiB, a few in flight, committed at the end; downloads are ranged GETs of
8 MiB: a blob of any size passes through in bounded memory.
"""

from __future__ import annotations

from typing import ClassVar

# None of these imports the SDK: client.py and errors.py do that at call time.
from deltacloud.drivers.azure import client, mapping
from deltacloud.drivers.azure.errors import translated
from deltacloud.drivers.base import CallContext, Driver, Filters, Params
from deltacloud.drivers.common.streams import Content, Counted
from deltacloud.errors import AuthenticationFailure, Conflict
from deltacloud.models import Blob, BlobUpload, Bucket


class AzureDriver(Driver):
    name = "azure"
    display_name = "Microsoft Azure"
    username_label = "Storage account name"
    password_label = "Storage account access key"
    collections: ClassVar = {"buckets": ()}

    # -- credentials -----------------------------------------------------------

    def valid_credentials(self, ctx: CallContext) -> bool:
        try:
            with client.service(ctx) as svc, translated():
                next(iter(svc.list_containers(results_per_page=1).by_page()), None)
        except AuthenticationFailure:
            return False
        return True

    # -- buckets -----------------------------------------------------------------

    def buckets(self, ctx: CallContext, filters: Filters) -> list[Bucket]:
        wanted = filters.get("id")
        if wanted:
            return [self.bucket(ctx, wanted)]
        with client.service(ctx) as svc, translated():
            return [mapping.bucket(c.name) for c in svc.list_containers()]

    def bucket(self, ctx: CallContext, id: str) -> Bucket:
        with client.service(ctx) as svc, translated():
            names = [b.name for b in svc.get_container_client(id).list_blobs()]
        return mapping.bucket(id, names)

    def create_bucket(self, ctx: CallContext, params: Params) -> Bucket:
        name = mapping.container_name(params["name"])
        with client.service(ctx) as svc, translated():
            svc.create_container(name)
        return mapping.bucket(name)

    def destroy_bucket(self, ctx: CallContext, id: str) -> None:
        with client.service(ctx) as svc, translated():
            container = svc.get_container_client(id)
            # Azure would delete a container with its blobs: Deltacloud refuses that.
            if next(iter(container.list_blobs(results_per_page=1)), None) is not None:
                raise Conflict("The bucket is not empty: delete its blobs first")
            container.delete_container()

    # -- blobs -------------------------------------------------------------------

    def blob(self, ctx: CallContext, bucket_id: str, blob_id: str) -> Blob:
        with client.service(ctx) as svc, translated():
            props = svc.get_blob_client(bucket_id, blob_id).get_blob_properties()
        return mapping.blob_from_properties(bucket_id, props)

    def create_blob(self, ctx: CallContext, bucket_id: str, blob_id: str,
                    upload: BlobUpload) -> Blob:
        from azure.storage.blob import ContentSettings

        meta = mapping.check_metadata(dict(upload.user_metadata))
        counted = Counted(upload.chunks)
        with client.service(ctx) as svc, translated():
            answer = svc.get_blob_client(bucket_id, blob_id).upload_blob(
                iter(counted),
                # Known and small: one Put Blob; otherwise blocks, then Put Block List.
                length=upload.content_length
                if upload.content_length is not None
                and upload.content_length <= client.BLOCK else None,
                metadata=meta,
                content_settings=ContentSettings(content_type=upload.content_type),
                overwrite=True,
                max_concurrency=client.UPLOAD_THREADS,
            )
        return Blob(id=blob_id, bucket=bucket_id, content_length=counted.sent,
                    content_type=upload.content_type,
                    last_modified=mapping.http_date(answer.get("last_modified")),
                    user_metadata=meta)

    def blob_content(self, ctx: CallContext, bucket_id: str, blob_id: str, first: int,
                     last: int) -> Content:
        """The ranged download's chunks; closing them closes the request's client."""
        svc = client.service(ctx)
        try:
            if last < first:  # an empty blob: nothing to fetch
                return Content.empty(svc.close)
            with translated():
                download = svc.get_blob_client(bucket_id, blob_id).download_blob(
                    offset=first, length=last - first + 1)
            return Content(download.chunks(), svc.close, translate=translated)
        except BaseException:
            svc.close()
            raise

    def update_blob_metadata(self, ctx: CallContext, bucket_id: str, blob_id: str,
                             metadata: dict[str, str]) -> Blob:
        meta = mapping.check_metadata(dict(metadata))
        with client.service(ctx) as svc, translated():
            blob = svc.get_blob_client(bucket_id, blob_id)
            blob.set_blob_metadata(meta)  # Set Blob Metadata replaces all of it
            props = blob.get_blob_properties()
        return mapping.blob_from_properties(bucket_id, props)

    def destroy_blob(self, ctx: CallContext, bucket_id: str, blob_id: str) -> None:
        with client.service(ctx) as svc, translated():
            svc.get_blob_client(bucket_id, blob_id).delete_blob()
