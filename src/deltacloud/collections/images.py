from deltacloud.collections.base import (
    Collection,
    Param,
    create,
    destroy,
    index,
    show,
)

IMAGES = Collection(
    "images",
    "Templates instances are launched from",
    (
        index("images", "images", Param("architecture")),
        show("image", "images"),
        create(
            "images", "create_image",
            (Param("instance_id", required=True, references="instances"),),
            "Create an image from an instance",
        ),
        destroy("destroy_image", "Delete an image"),
    ),
)
