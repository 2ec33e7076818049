"""The mock's stored documents as API models."""

from __future__ import annotations

from deltacloud.drivers.mock.store import Doc
from deltacloud.models import (
    Blob,
    Bucket,
    Image,
    Instance,
    InstanceAddress,
    Key,
    StorageSnapshot,
    StorageVolume,
)


def image_from_doc(doc: Doc, profile_ids: list[str]) -> Image:
    return Image(
        id=doc["id"], name=doc["name"], owner_id=doc["owner_id"],
        description=doc.get("description", ""), architecture=doc.get("architecture", ""),
        state=doc.get("state", "AVAILABLE"), creation_time=doc.get("creation_time"),
        hardware_profiles=list(profile_ids),
    )


def instance_from_doc(doc: Doc, actions: list[str]) -> Instance:
    return Instance(
        id=doc["id"], name=doc["name"], owner_id=doc["owner_id"], image_id=doc["image_id"],
        realm_id=doc["realm_id"], state=doc["state"], hardware_profile_id=doc["hwp_id"],
        hardware_profile_overrides=dict(doc.get("hwp_overrides", {})),
        actions=actions,
        public_addresses=[InstanceAddress(a, t) for a, t in doc.get("public_addresses", [])],
        private_addresses=[InstanceAddress(a, t) for a, t in doc.get("private_addresses", [])],
        launch_time=doc.get("launch_time"), keyname=doc.get("keyname"),
        storage_volumes=[(v, d) for v, d in doc.get("storage_volumes", [])],
        create_image=bool(doc.get("create_image")),
    )


def key_from_doc(doc: Doc) -> Key:
    return Key(id=doc["id"], credential_type=doc.get("credential_type", "key"),
               fingerprint=doc.get("fingerprint"), pem_rsa_key=doc.get("pem_rsa_key"))


def volume_from_doc(doc: Doc) -> StorageVolume:
    state = doc["state"]
    return StorageVolume(
        id=doc["id"], capacity=str(doc["capacity"]), state=state, name=doc.get("name"),
        description=doc.get("description"), created=doc.get("created"),
        realm_id=doc.get("realm_id"), instance_id=doc.get("instance_id"),
        device=doc.get("device"),
        actions=["detach"] if state == "IN-USE" else ["attach"],
    )


def snapshot_from_doc(doc: Doc) -> StorageSnapshot:
    return StorageSnapshot(
        id=doc["id"], storage_volume_id=doc["storage_volume_id"], state=doc["state"],
        created=doc.get("created"), name=doc.get("name"), description=doc.get("description"),
    )


def bucket_from_doc(doc: Doc, blob_ids: list[str]) -> Bucket:
    return Bucket(id=doc["id"], name=doc["name"], size=len(blob_ids), blob_list=blob_ids)


def blob_from_doc(doc: Doc) -> Blob:
    return Blob(id=doc["name"], bucket=doc["bucket"], content_length=doc["content_length"],
                content_type=doc["content_type"], last_modified=doc["last_modified"],
                user_metadata=dict(doc["user_metadata"]))
