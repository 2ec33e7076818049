"""Reaching an OpenStack cloud for one request: provider parsing, sessions, tokens.

The provider names the cloud: the Keystone URL, optionally followed by
`;name=value` options that choose the scope per request, e.g.
`http://keystone:5000/v3;project=web;region=RegionTwo`. Options:

- `project`: the project (tenant) to work in; default: a project named like the user
- `domain`: the domain of the user and, unless `project_domain` says
  otherwise, of the project; default `Default`
- `project_domain`: the project's domain, if not the user's
- `region`: the catalogue region; default: the catalogue's only or first region
- `network`: what new servers attach to: a network name or id, `auto` (Nova
  chooses; the default) or `none`
- `floating_network`: the external network new addresses come from;
  default: the first external network
- `interface`: catalogue interface, `public` (default), `internal` or `admin`

Tokens: a successful login's token (with its catalogue) is kept in this
process's memory only, under an HMAC of the credentials and scope with a
random per-process key, and only until the earliest of: the token's own
expiry (minus two minutes), `DELTACLOUD_OPENSTACK_TOKEN_TTL` seconds
(default 300; 0 turns the cache off). Nothing is written to disk or logged.
A token the cloud rejects is dropped and the login repeated once.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from deltacloud.drivers.base import CallContext, Credentials, Settings
from deltacloud.drivers.common.cache import ExpiringCache
from deltacloud.drivers.urls import checking_session
from deltacloud.errors import BadRequest

_OPTIONS = ("project", "domain", "project_domain", "region", "network", "floating_network",
            "interface")


@dataclass(frozen=True)
class Cloud:
    """Where and in which scope to work, parsed from the provider."""

    auth_url: str
    project: str | None = None
    domain: str = "Default"
    project_domain: str | None = None
    region: str | None = None
    network: str = "auto"
    floating_network: str | None = None
    interface: str = "public"
    options: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def keystone_v2(self) -> bool:
        return self.auth_url.rstrip("/").endswith("/v2.0")


def parse_provider(provider: str | None) -> Cloud:
    """`URL[;name=value...]` as a Cloud; a missing or malformed one is a 400."""
    if not provider:
        raise BadRequest("The openstack driver needs the Keystone URL as the provider "
                         "(X-Deltacloud-Provider or API_PROVIDER)")
    url, *pairs = (p.strip() for p in provider.split(";"))
    if not url.startswith(("http://", "https://")):
        raise BadRequest("The provider must start with the Keystone URL (http:// or https://)")
    options: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not pair:
            continue
        if not sep or name.strip() not in _OPTIONS or not value.strip():
            raise BadRequest("Provider options are name=value pairs among: "
                             + ", ".join(_OPTIONS))
        options[name.strip()] = value.strip()
    url = url.rstrip("/")
    if not url.endswith(("/v3", "/v2.0")):
        url += "/v3"
    cloud = Cloud(auth_url=url, options=options)
    chosen: dict[str, Any] = {k: v for k, v in options.items() if k in _OPTIONS}
    return replace(cloud, **chosen)


# -- tokens ----------------------------------------------------------------------


def _token_expiry(auth_ref: Any) -> float | None:
    expires = getattr(auth_ref, "expires", None)
    return expires.timestamp() if expires is not None else None


def token_cache(settings: Settings) -> ExpiringCache[Any]:
    """Logged-in AccessInfo objects, keyed by an HMAC of credentials and scope; a token is
    dropped two minutes before Keystone says it expires."""
    return ExpiringCache(settings.openstack_token_ttl, expiry=_token_expiry, margin=120)


# Version documents of the endpoints (public data, no secrets), shared by every
# session so that microversion discovery is not repeated on each request.
_DISCOVERY: dict[str, Any] = {}


def _rackspace_plugin(auth_url: str, creds: Credentials) -> Any:
    from keystoneauth1.identity import v2

    class ApiKey(v2.Auth):
        """Rackspace's identity: user name and API key (RAX-KSKEY:apiKeyCredentials)."""

        def get_auth_data(self, headers: Any = None) -> dict[str, object]:
            return {"RAX-KSKEY:apiKeyCredentials": {"username": creds.user,
                                                    "apiKey": creds.password}}

    return ApiKey(auth_url)


def _plugin(cloud: Cloud, creds: Credentials, identity: str) -> Any:
    if identity == "rackspace":
        return _rackspace_plugin(cloud.auth_url, creds)
    project = cloud.project or creds.user
    if cloud.keystone_v2:
        from keystoneauth1.identity import v2

        return v2.Password(cloud.auth_url, username=creds.user, password=creds.password,
                           tenant_name=project)
    from keystoneauth1.identity import v3

    return v3.Password(
        auth_url=cloud.auth_url, username=creds.user, password=creds.password,
        user_domain_name=cloud.domain, project_name=project,
        project_domain_name=cloud.project_domain or cloud.domain,
    )


@contextlib.contextmanager
def connection(ctx: CallContext, cloud: Cloud, tokens: ExpiringCache[Any], timeout: float,
               identity: str = "keystone", **config: Any) -> Iterator[Any]:
    """An openstacksdk Connection for one call; its session is closed afterwards."""
    from keystoneauth1 import session as ks_session
    from openstack import connection as sdk_connection

    creds = ctx.require_credentials()
    if not creds.user:
        from deltacloud.errors import AuthenticationFailure

        raise AuthenticationFailure()
    plugin = _plugin(cloud, creds, identity)
    key = tokens.key(identity, cloud.auth_url, cloud.domain, cloud.project_domain,
                     cloud.project, creds.user, creds.password)
    cached = tokens.get(key)
    if cached is not None:
        plugin.auth_ref = cached
    ctx.check_endpoint(cloud.auth_url)
    # Every request, to Keystone and to each endpoint its catalogue names, is checked.
    session = ks_session.Session(auth=plugin, timeout=timeout, discovery_cache=_DISCOVERY,
                                 session=checking_session(ctx.endpoints))
    if len(_DISCOVERY) > 256:
        _DISCOVERY.clear()
    conn = sdk_connection.Connection(
        session=session, region_name=cloud.region, interface=cloud.interface,
        app_name="deltacloud", **config,
    )
    try:
        yield conn
    except Exception as e:
        from keystoneauth1 import exceptions as ks

        if isinstance(e, ks.http.Unauthorized) or getattr(e, "status_code", None) == 401:
            tokens.drop(key)
            cached = None
        raise
    else:
        if plugin.auth_ref is not None and plugin.auth_ref is not cached:
            tokens.put(key, plugin.auth_ref)
    finally:
        session.session.close()
