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
    key = call.driver.create_key(call.ctx, call.params)
    return Result(key, 201, location=f"keys/{key.id}")


KEYS = Collection(
    "keys",
    "Credentials for logging in to instances",
    (
        index("keys", "keys"),
        show("key", "keys"),
        Operation("create", "POST", "", _create, "create_key",
                  (Param("name", required=True),), "Create a key pair"),
        destroy("destroy_key", "Delete a key"),
    ),
)
