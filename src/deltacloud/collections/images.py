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
    image = call.driver.create_image(call.ctx, call.params)
    return Result(image, 201, location=f"images/{image.id}")


IMAGES = Collection(
    "images",
    "Templates instances are launched from",
    (
        index("images", "images", Param("architecture")),
        show("image", "images"),
        Operation(
            "create", "POST", "", _create, "create_image",
            (Param("instance_id", required=True, references="instances"),),
            "Create an image from an instance",
        ),
        destroy("destroy_image", "Delete an image"),
    ),
)
