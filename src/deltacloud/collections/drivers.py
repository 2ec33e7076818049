from deltacloud.collections.base import Call, Collection, Operation, Result
from deltacloud.drivers.registry import UnknownDriver
from deltacloud.errors import NotFound


def _index(call: Call) -> Result:
    return Result([call.registry.info(n) for n in call.registry.names()],
                  collection="drivers")


def _show(call: Call) -> Result:
    try:
        return Result(call.registry.info(call.resource_id))
    except UnknownDriver:
        raise NotFound("No such driver") from None


DRIVERS = Collection(
    "drivers",
    "The clouds this server can talk to",
    (
        Operation("index", "GET", "", _index, None, (), "List drivers"),
        Operation("show", "GET", "/{id}", _show, None, (), "Show a driver and its providers"),
    ),
)
