"""The Rackspace driver: the OpenStack driver with Rackspace's identity and catalogue.

Credentials: the Rackspace user name and API key (Basic user and password),
sent to Rackspace's identity v2.0 as `RAX-KSKEY:apiKeyCredentials`. The
provider is a Rackspace region (`DFW`, `ORD`, `IAD`, `LON`, `SYD`, `HKG`:
openstacksdk's Rackspace profile lists them), optionally followed by
`;identity=URL` to use another identity endpoint. Servers come from the
catalogue's `cloudServersOpenStack`, images from its compute API, files from
`cloudFiles` (Swift). Rackspace offers no Neutron floating IPs or security
groups through these, so addresses and firewalls are not offered.
"""

from __future__ import annotations

import importlib.util
import json
from functools import cache
from pathlib import Path
from typing import Any, ClassVar

from deltacloud.drivers.base import CallContext, Provider
from deltacloud.drivers.openstack import client
from deltacloud.drivers.openstack.driver import OpenStackDriver
from deltacloud.errors import BadRequest


@cache
def _profile() -> dict[str, Any]:
    """openstacksdk's Rackspace vendor profile, read without importing openstacksdk."""
    spec = importlib.util.find_spec("openstack")
    if spec is None or not spec.submodule_search_locations:
        return {}
    path = Path(next(iter(spec.submodule_search_locations))) / "config/vendors/rackspace.json"
    try:
        return json.loads(path.read_text())["profile"]
    except (OSError, ValueError, KeyError):
        return {}


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
    def providers(cls) -> list[Provider]:
        return [Provider(region) for region in _profile().get("regions", [])]

    def cloud(self, ctx: CallContext) -> client.Cloud:
        profile = _profile()
        regions = profile.get("regions", [])
        region, *options = (p.strip() for p in (ctx.provider or "").split(";"))
        region = region or (regions[0] if regions else "")
        if not region or (regions and region.upper() not in regions
                          and not any(o.startswith("identity=") for o in options)):
            raise BadRequest("The provider must be a Rackspace region: " + ", ".join(regions))
        identity = profile.get("auth", {}).get("auth_url", "").rstrip("/")
        for option in options:
            name, _, value = option.partition("=")
            if name.strip() != "identity" or not value.strip().startswith(("http://",
                                                                          "https://")):
                raise BadRequest("The only provider option is identity=URL")
            identity = value.strip().rstrip("/")
        return client.Cloud(auth_url=identity, region=region.upper(), network="")

    def connection_config(self, cloud: client.Cloud) -> dict[str, Any]:
        return {"compute_service_name": _profile().get("compute_service_name",
                                                       "cloudServersOpenStack"),
                "object_store_service_name": "cloudFiles"}
