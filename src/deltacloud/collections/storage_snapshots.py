from deltacloud.collections.base import (
    Call,
    Collection,
    Operation,
    Param,
    Result,
    destroy,
    index,
    show,
)


def _create(call: Call) -> Result:
    snapshot = call.driver.create_storage_snapshot(call.ctx, call.params)
    return Result(snapshot, 201, location=f"storage_snapshots/{snapshot.id}")


STORAGE_SNAPSHOTS = Collection(
    "storage_snapshots",
    "Point-in-time copies of storage volumes",
    (
        index("storage_snapshots", "storage_snapshots"),
        show("storage_snapshot", "storage_snapshots"),
        Operation(
            "create", "POST", "", _create, "create_storage_snapshot",
            (
                Param("volume_id", required=True, references="storage_volumes"),
                Param("name"),
                Param("description"),
            ),
            "Snapshot a volume",
        ),
        destroy("destroy_storage_snapshot", "Delete a snapshot"),
    ),
)
