"""Endpoint URLs that clients name in providers: their form, and where they may point.

Twelve drivers connect wherever the provider says (eucalyptus, openstack and every host in
its catalogue, rackspace `identity=`, vsphere, rhevm, opennebula, gogrid, sbc,
rimuhosting, terremark, azure, google) and send the request's credentials there. The
operator's `EndpointPolicy` (DELTACLOUD_ALLOWED_ENDPOINTS, or `deltacloudd
--allowed-endpoints`) says which endpoints those may be: a comma-separated list of host
names (`vc.example.com`, `*.example.com`), addresses and networks (`10.0.0.0/8`,
`fd00::/8`) and URL prefixes (`https://keystone.example.com:5000/v3`). Without a list any
endpoint is allowed, as in Deltacloud, except the cloud metadata services (169.254.0.0/16,
fd00:ec2::254), whose answers hold the server's own cloud credentials; those are refused
unless the list names them. Host names are resolved and every address they resolve to is
checked. A refused endpoint is a 403 before any connection is made.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from deltacloud.errors import Forbidden

_HOST = re.compile(r"[A-Za-z0-9.-]+|[0-9A-Fa-f:.]+")
_HOST_PATTERN = re.compile(r"(\*\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.?")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
METADATA_NETWORKS: tuple[Network, ...] = (ipaddress.ip_network("169.254.0.0/16"),
                                          ipaddress.ip_network("fd00:ec2::254/128"))
REFUSED = "The provider names an endpoint this server is not allowed to reach"


def valid_url(text: str) -> bool:
    """An http(s) URL with a plausible host (a name, IPv4 or IPv6 address) and port."""
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 (raises ValueError for a bad port)
    except ValueError:
        return False
    return (parts.scheme in ("http", "https") and bool(parts.hostname)
            and _HOST.fullmatch(parts.hostname or "") is not None
            and not parts.query and not parts.fragment)


def _normal(url: str) -> str:
    """scheme://host[:port]/path, lower-cased where URLs are case-blind, path at least /."""
    parts = urlsplit(url)
    netloc = (parts.hostname or "").lower()
    if ":" in netloc:
        netloc = f"[{netloc}]"
    if parts.port is not None:
        netloc += f":{parts.port}"
    return f"{parts.scheme.lower()}://{netloc}{parts.path or '/'}"


@dataclass(frozen=True)
class EndpointPolicy:
    hosts: tuple[str, ...] = ()
    networks: tuple[Network, ...] = ()
    prefixes: tuple[str, ...] = ()

    @property
    def restricted(self) -> bool:
        return bool(self.hosts or self.networks or self.prefixes)

    @classmethod
    def parse(cls, text: str | None) -> EndpointPolicy:
        """The operator's list; ValueError naming the entry that does not parse."""
        hosts: list[str] = []
        networks: list[Network] = []
        prefixes: list[str] = []
        for entry in (e.strip() for e in (text or "").split(",")):
            if not entry:
                continue
            if "://" in entry:
                if not valid_url(entry):
                    raise ValueError(f"Allowed endpoint {entry!r} is not an http(s) URL")
                prefix = _normal(entry)
                prefixes.append(prefix if prefix.endswith("/") or urlsplit(entry).path
                                else prefix + "/")
                continue
            try:
                networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
                continue
            except ValueError:
                pass
            if not _HOST_PATTERN.fullmatch(entry):
                raise ValueError(f"Allowed endpoint {entry!r} is not a host, network or URL")
            hosts.append(entry.lower().rstrip("."))
        return cls(tuple(hosts), tuple(networks), tuple(prefixes))

    def check(self, url: str) -> None:
        """Refuse (403) an endpoint the policy does not allow; nothing is connected to."""
        try:
            parts = urlsplit(url)
            host = (parts.hostname or "").lower().rstrip(".")
            port = parts.port
        except ValueError:
            raise Forbidden(REFUSED) from None
        if not host:
            raise Forbidden(REFUSED)
        if self._named(url, host):
            return
        addresses = _addresses(host, port or (443 if parts.scheme == "https" else 80))
        # A name is allowed by a network only when every address it has is inside one.
        if addresses and all(any(a in n for n in self.networks) for a in addresses):
            return
        if self.restricted or any(a in n for a in addresses for n in METADATA_NETWORKS):
            raise Forbidden(REFUSED)

    def _named(self, url: str, host: str) -> bool:
        normal = _normal(url)
        for prefix in self.prefixes:
            if normal == prefix or normal.startswith(prefix if prefix.endswith("/")
                                                     else prefix + "/"):
                return True
        return any(host == pattern or (pattern.startswith("*.") and host.endswith(pattern[1:]))
                   for pattern in self.hosts)


def _addresses(host: str, port: int) -> list[Any]:
    """The addresses a host literal is, or a host name resolves to (none if it does not)."""
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return []
    out = []
    for *_, sockaddr in found:
        try:
            out.append(ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0]))
        except ValueError:
            continue
    return out


def origin_of(url: str) -> tuple[str, str, int]:
    """A URL's scheme, host (lower-cased) and port (made explicit)."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return (parts.scheme, (parts.hostname or "").lower(), port)


def unproxied(session: Any) -> Any:
    """A requests Session that goes straight where it is sent: no proxy or `.netrc` from
    the environment, no redirect followed (it would carry credentials elsewhere)."""
    session.trust_env = False
    session.proxies = {}
    session.max_redirects = 0
    return session


def checking_session(policy: EndpointPolicy, session: Any = None, *,
                     origin: str | None = None) -> Any:
    """A requests Session (`session`, or a new one) whose every request, redirects and
    catalogue URLs included, is checked against `policy` before it is sent: for the SDKs
    that send through requests. With `origin` (a URL), a request to any other scheme,
    host or port is refused as a connection error."""
    import requests
    from requests.adapters import HTTPAdapter

    held = origin_of(origin) if origin is not None else None

    class CheckingAdapter(HTTPAdapter):
        def send(self, request: Any, *args: Any, **kwargs: Any) -> Any:
            if held is not None and origin_of(request.url) != held:
                raise requests.ConnectionError("refused: not the provider's endpoint")
            policy.check(request.url)
            return super().send(request, *args, **kwargs)

    session = session if session is not None else requests.Session()
    adapter = CheckingAdapter()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
