from deltacloud.collections.base import Collection, Param, index, show

REALMS = Collection(
    "realms",
    "Where instances run: availability zones, datacenters",
    (index("realms", "realms", Param("state")), show("realm", "realms")),
)
