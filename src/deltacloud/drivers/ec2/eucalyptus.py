"""The eucalyptus driver: the ec2 driver pointed at a Eucalyptus installation.

The provider names the endpoints: `ec2=HOST[:PORT];s3=HOST[:PORT]` (Walrus for
storage). The port defaults to 8773 and the paths to Eucalyptus's service paths
(`/services/Eucalyptus`, `/services/Walrus`); a value may carry its own scheme
and path (`s3=https://host:8773/services/objectstorage`, or `ec2=host:5000/` for
the root). `region=NAME` sets the region the requests are signed for (default
us-east-1). Parts may be separated by ',' instead of ';' (as in a matrix parameter,
`/api;driver=eucalyptus;provider=ec2=HOST,s3=HOST`). A service the provider
leaves out falls back to the SDK's endpoint variables (AWS_ENDPOINT_URL_EC2, ...),
never to AWS itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from deltacloud.drivers.base import CallContext, Provider, Settings
from deltacloud.drivers.ec2 import client as aws
from deltacloud.drivers.ec2.driver import Ec2Driver
from deltacloud.errors import BadRequest
from deltacloud.text import parse_integer

DEFAULT_PORT = 8773
SERVICE_PATHS = {"ec2": "/services/Eucalyptus", "s3": "/services/Walrus"}
USAGE = "The eucalyptus provider names its endpoints: ec2=HOST[:PORT];s3=HOST[:PORT]"


def endpoint_url(value: str, service: str) -> str:
    """`HOST[:PORT][/PATH]`, optionally with a scheme, as a URL."""
    value = value.strip()
    scheme, sep, rest = value.partition("://")
    if not sep:
        scheme, rest = "http", value
    if scheme not in ("http", "https"):
        raise BadRequest(USAGE)
    host_port, slash, path = rest.partition("/")
    path = f"/{path}" if slash else SERVICE_PATHS[service]
    host, colon, port = host_port.rpartition(":") if host_port.count(":") == 1 else (
        host_port, "", "")
    if not colon:
        host, port = host_port, str(DEFAULT_PORT)
    number = parse_integer(port)
    if not host or number is None or number > 65535 or any(c in host for c in "@ ?#"):
        raise BadRequest(USAGE)
    return f"{scheme}://{host}:{port}{path.rstrip('/') if path != '/' else ''}"


def parse_provider(provider: str | None,
                   configured: Mapping[str, str] | None = None) -> aws.Endpoints:
    """`ec2=...;s3=...[;region=...]` as the endpoints of a request; a service the provider
    does not name goes where the SDK's variables say (`configured`), if anywhere."""
    configured = configured or {}
    if not provider:
        raise BadRequest(USAGE)
    parts: dict[str, str] = {}
    # ';' as Deltacloud wrote it; ',' too, which a matrix parameter can carry.
    for item in provider.replace(",", ";").split(";"):
        if not item.strip():
            continue
        name, sep, value = item.partition("=")
        name = name.strip().lower()
        if not sep or name not in ("ec2", "s3", "region") or not value.strip():
            raise BadRequest(USAGE)
        parts[name] = value.strip()
    region = parts.get("region", aws.DEFAULT_REGION)
    ec2 = endpoint_url(parts["ec2"], "ec2") if "ec2" in parts else configured.get("ec2")
    s3 = endpoint_url(parts["s3"], "s3") if "s3" in parts else configured.get("s3")
    if ec2 is None and s3 is None:
        raise BadRequest(USAGE)
    return aws.Endpoints(region, ec2=ec2, s3=s3, aws_fallback=False)


class EucalyptusDriver(Ec2Driver):
    name = "eucalyptus"
    display_name = "Eucalyptus"
    collections: ClassVar = {
        "addresses": (),
        "buckets": (),
        "firewalls": (),
        "hardware_profiles": (),
        "images": ("owner_id",),
        "instance_states": (),
        "instances": ("user_data", "authentication_key", "firewalls", "instance_count"),
        "keys": (),
        "realms": (),
        "storage_snapshots": (),
        "storage_volumes": (),
    }
    default_image_owner = "self"

    @classmethod
    def providers(cls, settings: Settings) -> list[Provider]:
        return []  # the provider is the installation's address

    def endpoints(self, ctx: CallContext) -> aws.Endpoints:
        found = parse_provider(ctx.provider, self.settings.aws_endpoints)
        for url in (found.ec2, found.s3):
            if url:
                ctx.check_endpoint(url)
        return found
