from deltacloud.collections.base import (
    Collection,
    Param,
    create,
    destroy,
    index,
    show,
)

STORAGE_SNAPSHOTS = Collection(
    "storage_snapshots",
    "Point-in-time copies of storage volumes",
    (
        index("storage_snapshots", "storage_snapshots"),
        show("storage_snapshot", "storage_snapshots"),
        create(
            "storage_snapshots", "create_storage_snapshot",
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
