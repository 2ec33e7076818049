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


def _register(call: Call) -> Result:
    return Result(call.driver.register_load_balancer_instance(call.ctx, call.resource_id,
                                                   call.params["instance_id"]))


def _unregister(call: Call) -> Result:
    return Result(call.driver.unregister_load_balancer_instance(call.ctx, call.resource_id,
                                                     call.params["instance_id"]))


LOAD_BALANCERS = Collection(
    "load_balancers",
    "Spread traffic over several instances",
    (
        index("load_balancers", "load_balancers"),
        show("load_balancer", "load_balancers"),
        create(
            "load_balancers", "create_load_balancer",
            (
                Param("name", required=True),
                Param("realm_id", required=True, references="realms"),
                Param("listener_protocol", required=True, choices=("HTTP", "TCP")),
                Param("listener_balancer_port", required=True, type="integer"),
                Param("listener_instance_port", required=True, type="integer"),
            ),
            "Create a load balancer",
        ),
        destroy("destroy_load_balancer", "Delete a load balancer"),
        Operation("register", "POST", "/{id}/register", _register,
                  "register_load_balancer_instance",
                  (Param("instance_id", required=True, references="instances"),),
                  "Put an instance behind the balancer"),
        Operation("unregister", "POST", "/{id}/unregister", _unregister,
                  "unregister_load_balancer_instance",
                  (Param("instance_id", required=True, references="instances"),),
                  "Take an instance from behind the balancer"),
    ),
)
