from deltacloud.collections.base import (
    Collection,
    Param,
    create,
    destroy,
    index,
    show,
)

KEYS = Collection(
    "keys",
    "Credentials for logging in to instances",
    (
        index("keys", "keys"),
        show("key", "keys"),
        create("keys", "create_key",
               (Param("name", required=True),
                Param("public_key", description="An OpenSSH public key to import")),
               "Create a key pair"),
        destroy("destroy_key", "Delete a key"),
    ),
)
