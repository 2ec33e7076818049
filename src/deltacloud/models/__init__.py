"""The API's resources as plain dataclasses: what every driver maps its cloud to."""

from deltacloud.models.address import InstanceAddress
from deltacloud.models.blob import Blob, BlobContent, BlobUpload
from deltacloud.models.bucket import Bucket
from deltacloud.models.hardware_profile import HardwareProfile, Property
from deltacloud.models.image import Image
from deltacloud.models.instance import Instance
from deltacloud.models.key import Key
from deltacloud.models.realm import Realm
from deltacloud.models.state_machine import StateMachine, Transition
from deltacloud.models.storage_snapshot import StorageSnapshot
from deltacloud.models.storage_volume import StorageVolume

__all__ = [
    "Blob",
    "BlobContent",
    "BlobUpload",
    "Bucket",
    "HardwareProfile",
    "Image",
    "Instance",
    "InstanceAddress",
    "Key",
    "Property",
    "Realm",
    "StateMachine",
    "StorageSnapshot",
    "StorageVolume",
    "Transition",
]
