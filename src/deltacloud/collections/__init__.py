"""One module per collection; COLLECTIONS is the whole API, in entry-point order."""

from deltacloud.collections.addresses import ADDRESSES
from deltacloud.collections.base import Call, Collection, Operation, Param, Result
from deltacloud.collections.buckets import BUCKETS
from deltacloud.collections.drivers import DRIVERS
from deltacloud.collections.firewalls import FIREWALLS
from deltacloud.collections.hardware_profiles import HARDWARE_PROFILES
from deltacloud.collections.images import IMAGES
from deltacloud.collections.instance_states import INSTANCE_STATES
from deltacloud.collections.instances import INSTANCES
from deltacloud.collections.keys import KEYS
from deltacloud.collections.load_balancers import LOAD_BALANCERS
from deltacloud.collections.metrics import METRICS
from deltacloud.collections.realms import REALMS
from deltacloud.collections.storage_snapshots import STORAGE_SNAPSHOTS
from deltacloud.collections.storage_volumes import STORAGE_VOLUMES

COLLECTIONS: dict[str, Collection] = {
    c.name: c
    for c in sorted(
        (
            ADDRESSES,
            BUCKETS,
            DRIVERS,
            FIREWALLS,
            HARDWARE_PROFILES,
            IMAGES,
            INSTANCE_STATES,
            INSTANCES,
            KEYS,
            LOAD_BALANCERS,
            METRICS,
            REALMS,
            STORAGE_SNAPSHOTS,
            STORAGE_VOLUMES,
        ),
        key=lambda c: c.name,
    )
}

__all__ = ["COLLECTIONS", "Call", "Collection", "Operation", "Param", "Result"]
