from deltacloud.collections.base import Call, Collection, Operation, Result
from deltacloud.drivers.registry import UnknownDriver
from deltacloud.errors import NotFound


def _index(call: Call) -> Result:
    return Result([call.registry.driver_class(n).info() for n in call.registry.names()],
                  collection="drivers")


def _show(call: Call) -> Result:
    try:
        return Result(call.registry.driver_class(call.resource_id).info())
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
