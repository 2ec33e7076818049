from deltacloud.collections.base import Call, Collection, Operation, Result
from deltacloud.errors import MethodNotAllowed


def _machine(call: Call) -> Result:
    if call.driver.instance_states is None:
        raise MethodNotAllowed("This driver has no instance state machine")
    return Result(call.driver.instance_states)


INSTANCE_STATES = Collection(
    "instance_states",
    "The life cycle of an instance: its states and the actions between them",
    (Operation("index", "GET", "", _machine, None, (), "Show the state machine"),),
)
