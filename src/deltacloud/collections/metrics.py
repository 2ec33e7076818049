from deltacloud.collections.base import Call, Collection, Operation, Result, index


def _show(call: Call) -> Result:
    return Result(call.driver.metric(call.ctx, call.resource_id))


METRICS = Collection(
    "metrics",
    "Monitoring figures of instances",
    (
        index("metrics", "metrics"),
        Operation("show", "GET", "/{id}", _show, "metrics", (),
                  "One instance's metrics with recent samples"),
    ),
)
