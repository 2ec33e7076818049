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
    address = call.driver.create_address(call.ctx)
    return Result(address, 201, location=f"addresses/{address.id}")


def _associate(call: Call) -> Result:
    return Result(
        call.driver.associate_address(call.ctx, call.resource_id, call.params["instance_id"]),
        202,
    )


def _disassociate(call: Call) -> Result:
    return Result(call.driver.disassociate_address(call.ctx, call.resource_id), 202)


ADDRESSES = Collection(
    "addresses",
    "Public IP addresses held by the account, to associate with instances",
    (
        index("addresses", "addresses"),
        show("address", "addresses"),
        Operation("create", "POST", "", _create, "create_address", (),
                  "Acquire a new IP address"),
        destroy("destroy_address", "Release an IP address"),
        Operation("associate", "POST", "/{id}/associate", _associate, "associate_address",
                  (Param("instance_id", required=True, references="instances"),),
                  "Associate the address with an instance"),
        Operation("disassociate", "POST", "/{id}/disassociate", _disassociate,
                  "disassociate_address", (), "Take the address off its instance"),
    ),
)
