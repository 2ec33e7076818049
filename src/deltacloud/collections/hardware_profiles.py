from deltacloud.collections.base import Collection, Param, index, show

HARDWARE_PROFILES = Collection(
    "hardware_profiles",
    "The sizes an instance can have",
    (
        index("hardware_profiles", "hardware_profiles", Param("architecture")),
        show("hardware_profile", "hardware_profiles"),
    ),
)
