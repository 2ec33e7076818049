import dataclasses

from deltacloud.collections.base import Call, Collection, Operation, Result
from deltacloud.drivers.registry import UnknownDriver
from deltacloud.errors import NotFound


def _index(call: Call) -> Result:
    return Result([call.registry.info(n) for n in call.registry.names()],
                  collection="drivers")


def _show(call: Call) -> Result:
    try:
        info = call.registry.info(call.resource_id)
    except UnknownDriver:
        raise NotFound("No such driver") from None
    # Asked of the request's own driver with credentials, a cloud may list more providers
    # than the driver knows without them.
    if call.driver.name == call.resource_id and call.ctx.credentials is not None:
        found = call.driver.account_providers(call.ctx)
        if found is not None:
            info = dataclasses.replace(info, providers=tuple(found))
    return Result(info)


DRIVERS = Collection(
    "drivers",
    "The clouds this server can talk to",
    (
        Operation("index", "GET", "", _index, None, (), "List drivers"),
        Operation("show", "GET", "/{id}", _show, None, (), "Show a driver and its providers"),
    ),
)
