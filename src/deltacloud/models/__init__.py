"""The API's resources as plain dataclasses: what every driver maps its cloud to."""

from deltacloud.models.address import Address
from deltacloud.models.blob import Blob, BlobContent, BlobUpload
from deltacloud.models.bucket import Bucket
from deltacloud.models.firewall import Firewall, FirewallRule, FirewallSource
from deltacloud.models.hardware_profile import HardwareProfile, Property
from deltacloud.models.image import Image
from deltacloud.models.instance import Instance
from deltacloud.models.instance_address import InstanceAddress
from deltacloud.models.key import Key
from deltacloud.models.load_balancer import Listener, LoadBalancer
from deltacloud.models.metric import Metric, MetricProperty
from deltacloud.models.realm import Realm
from deltacloud.models.state_machine import StateMachine, Transition
from deltacloud.models.storage_snapshot import StorageSnapshot
from deltacloud.models.storage_volume import StorageVolume

__all__ = [
    "Address",
    "Blob",
    "BlobContent",
    "BlobUpload",
    "Bucket",
    "Firewall",
    "FirewallRule",
    "FirewallSource",
    "HardwareProfile",
    "Image",
    "Instance",
    "InstanceAddress",
    "Key",
    "Listener",
    "LoadBalancer",
    "Metric",
    "MetricProperty",
    "Property",
    "Realm",
    "StateMachine",
    "StorageSnapshot",
    "StorageVolume",
    "Transition",
]
