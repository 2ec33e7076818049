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
from deltacloud.drivers.capabilities import CAPABILITIES

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



def check_capabilities(collections: dict[str, Collection]) -> None:
    """Every operation names a real driver capability: a misspelt one would otherwise
    read as "not supported" (405) for every driver."""
    for collection in collections.values():
        for op in collection.operations:
            if op.capability is not None and op.capability not in CAPABILITIES:
                raise LookupError(f"{collection.name}.{op.name} names no capability: "
                                  f"{op.capability}")


check_capabilities(COLLECTIONS)

__all__ = ["COLLECTIONS", "Call", "Collection", "Operation", "Param", "Result"]
