"""Instances: create with a hardware profile checked here, for every driver."""

from deltacloud.collections.base import (
    Call,
    Collection,
    Handler,
    Operation,
    Param,
    Result,
    index,
    show,
)
from deltacloud.errors import BadRequest, MethodNotAllowed, NotFound
from deltacloud.models.hardware_profile import PARAMS as HWP_PARAMS


def _check_profile(call: Call) -> None:
    """Refuse hwp_* overrides the chosen profile does not allow, before the cloud is asked."""
    overrides = {prop: call.params[p] for prop, p in HWP_PARAMS.items() if call.params.get(p)}
    hwp_id = call.params.get("hwp_id")
    if not hwp_id:
        if overrides:
            raise BadRequest("hwp_cpu, hwp_memory and hwp_storage need an hwp_id")
        return
    try:
        profile = call.driver.hardware_profile(call.ctx, hwp_id)
    except NotFound:
        raise BadRequest("Parameter 'hwp_id' names no hardware profile") from None
    for name, value in overrides.items():
        prop = profile.property(name)
        if prop is None or not prop.accepts(value):
            raise BadRequest(f"Parameter '{HWP_PARAMS[name]}' is outside the hardware profile")


def _create(call: Call) -> Result:
    _check_profile(call)
    created = call.driver.create_instance(call.ctx, call.params)
    if isinstance(created, list):
        return Result(created, 201, collection="instances")
    return Result(created, 201, location=f"instances/{created.id}")


def _action(action: str) -> Handler:
    def handler(call: Call) -> Result:
        instance = call.driver.instance(call.ctx, call.resource_id)
        if action not in instance.actions:
            raise MethodNotAllowed(
                f"The instance is {instance.state}: '{action}' is not allowed in that state"
            )
        changed = getattr(call.driver, f"{action}_instance")(call.ctx, call.resource_id)
        if action == "destroy":
            return Result(None, 204)
        return Result(changed, 202)

    return handler


def _run(call: Call) -> Result:
    return Result(call.driver.run_on_instance(call.ctx, call.resource_id, call.params))


INSTANCES = Collection(
    "instances",
    "Machines running in the cloud",
    (
        index("instances", "instances", Param("state"), Param("image_id", references="images")),
        show("instance", "instances"),
        Operation(
            "create", "POST", "", _create, "create_instance",
            (
                Param("image_id", required=True, references="images"),
                Param("realm_id", references="realms", description="Where it runs"),
                Param("hwp_id", references="hardware_profiles", description="Its size"),
                Param("hwp_cpu", description="CPUs, within the profile (see below)"),
                Param("hwp_memory", description="Memory in MB, within the profile"),
                Param("hwp_storage", description="Storage in GB, within the profile"),
            ),
            "Launch an instance",
            # user_files: pathN / contentN pairs.
            numbered=("path", "content"),
        ),
        Operation("start", "POST", "/{id}/start", _action("start"), "start_instance", (),
                  "Start a stopped instance"),
        Operation("stop", "POST", "/{id}/stop", _action("stop"), "stop_instance", (),
                  "Stop a running instance"),
        Operation("reboot", "POST", "/{id}/reboot", _action("reboot"), "reboot_instance", (),
                  "Reboot a running instance"),
        Operation("destroy", "DELETE", "/{id}", _action("destroy"), "destroy_instance", (),
                  "Destroy an instance"),
        Operation(
            "run", "POST", "/{id}/run", _run, "run_on_instance",
            (
                Param("cmd", required=True, description="Shell command to run"),
                Param("private_key"),
                Param("password"),
                Param("ip"),
                Param("port", type="integer"),
            ),
            "Run a command on the instance over SSH",
        ),
    ),
)
