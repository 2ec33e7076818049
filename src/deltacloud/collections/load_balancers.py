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
    balancer = call.driver.create_load_balancer(call.ctx, call.params)
    return Result(balancer, 201, location=f"load_balancers/{balancer.id}")


def _register(call: Call) -> Result:
    return Result(call.driver.lb_register_instance(call.ctx, call.resource_id,
                                                   call.params["instance_id"]))


def _unregister(call: Call) -> Result:
    return Result(call.driver.lb_unregister_instance(call.ctx, call.resource_id,
                                                     call.params["instance_id"]))


LOAD_BALANCERS = Collection(
    "load_balancers",
    "Spread traffic over several instances",
    (
        index("load_balancers", "load_balancers"),
        show("load_balancer", "load_balancers"),
        Operation(
            "create", "POST", "", _create, "create_load_balancer",
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
        Operation("register", "POST", "/{id}/register", _register, "lb_register_instance",
                  (Param("instance_id", required=True, references="instances"),),
                  "Put an instance behind the balancer"),
        Operation("unregister", "POST", "/{id}/unregister", _unregister,
                  "lb_unregister_instance",
                  (Param("instance_id", required=True, references="instances"),),
                  "Take an instance from behind the balancer"),
    ),
)
