"""The Rackspace driver: the OpenStack driver with Rackspace's identity and catalogue.

Credentials: the Rackspace user name and API key (Basic user and password),
sent to Rackspace's identity v2.0 as `RAX-KSKEY:apiKeyCredentials`. The
provider is a Rackspace region (`DFW`, `ORD`, `IAD`, `LON`, `SYD`, `HKG`:
as openstacksdk's Rackspace profile lists them), optionally followed by
`;identity=URL` to use another identity endpoint. Servers come from the
catalogue's `cloudServersOpenStack`, images from its compute API, files from
`cloudFiles` (Swift). Rackspace offers no Neutron floating IPs or security
groups through these, so addresses and firewalls are not offered.
"""

from __future__ import annotations

from typing import Any, ClassVar

from deltacloud.drivers.base import CallContext, Provider, Settings
from deltacloud.drivers.openstack import client
from deltacloud.drivers.openstack.driver import OpenStackDriver
from deltacloud.errors import BadRequest

# Rackspace's public cloud, as openstacksdk's Rackspace vendor profile describes it; kept
# here so the providers are listed without the SDK installed.
REGIONS = ("DFW", "HKG", "IAD", "ORD", "SYD", "LON")
IDENTITY_URL = "https://identity.api.rackspacecloud.com/v2.0"
COMPUTE_SERVICE_NAME = "cloudServersOpenStack"
OBJECT_STORE_SERVICE_NAME = "cloudFiles"


class RackspaceDriver(OpenStackDriver):
    name = "rackspace"
    display_name = "Rackspace"
    username_label = "Rackspace user name"
    password_label = "API key"
    collections: ClassVar = {
        "buckets": (),
        "hardware_profiles": (),
        "images": (),
        "instance_states": (),
        "instances": ("user_name", "authentication_password", "user_files"),
        "keys": (),
        "realms": (),
    }
    identity = "rackspace"
    images_from_compute = True

    @classmethod
    def providers(cls, settings: Settings) -> list[Provider]:
        return [Provider(region) for region in REGIONS]

    def cloud(self, ctx: CallContext) -> client.Cloud:
        region, *options = (p.strip() for p in (ctx.provider or "").split(";"))
        region = region or REGIONS[0]
        if region.upper() not in REGIONS and not any(o.startswith("identity=")
                                                     for o in options):
            raise BadRequest("The provider must be a Rackspace region: " + ", ".join(REGIONS))
        identity = IDENTITY_URL
        for option in options:
            name, _, value = option.partition("=")
            if name.strip() != "identity" or not value.strip().startswith(("http://",
                                                                          "https://")):
                raise BadRequest("The only provider option is identity=URL")
            identity = value.strip().rstrip("/")
        return client.Cloud(auth_url=identity, region=region.upper(), network="")

    def connection_config(self, cloud: client.Cloud) -> dict[str, Any]:
        return {"compute_service_name": COMPUTE_SERVICE_NAME,
                "object_store_service_name": OBJECT_STORE_SERVICE_NAME}
