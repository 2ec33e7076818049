from deltacloud.collections.base import (
    Call,
    Collection,
    Operation,
    Param,
    Result,
    create,
    destroy,
    index,
    show,
)


def _attach(call: Call) -> Result:
    return Result(call.driver.attach_storage_volume(call.ctx, call.resource_id, call.params), 202)


def _detach(call: Call) -> Result:
    return Result(call.driver.detach_storage_volume(call.ctx, call.resource_id), 202)


STORAGE_VOLUMES = Collection(
    "storage_volumes",
    "Block storage that can be attached to instances",
    (
        index("storage_volumes", "storage_volumes", Param("state")),
        show("storage_volume", "storage_volumes"),
        create(
            "storage_volumes", "create_storage_volume",
            (
                Param("capacity", type="integer", description="Size in GB"),
                Param("realm_id", references="realms"),
                Param("snapshot_id", references="storage_snapshots"),
                Param("name"),
                Param("description"),
            ),
            "Create a volume",
        ),
        Operation(
            "attach", "POST", "/{id}/attach", _attach, "attach_storage_volume",
            (
                Param("instance_id", required=True, references="instances"),
                Param("device", description="e.g. /dev/sdf; the driver picks one if empty"),
            ),
            "Attach the volume to an instance",
        ),
        Operation("detach", "POST", "/{id}/detach", _detach, "detach_storage_volume", (),
                  "Detach the volume from its instance"),
        destroy("destroy_storage_volume", "Delete a volume"),
    ),
)
