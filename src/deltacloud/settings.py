"""Every setting of the server, read once at start from the options and the environment.

`SETTINGS` states each one once (its variable, what it means, how it is parsed); the
README's settings table lists exactly these (a test holds it to that). `deltacloudd`
builds one `Settings` and hands it to the app and, through the registry, to every
driver: nothing reads the environment later, or at import time. None of them is a
client's credential (the mock's users are the mock cloud's own accounts).
"""

from __future__ import annotations

import ipaddress
import math
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from deltacloud.drivers.urls import EndpointPolicy
from deltacloud.text import parse_integer

Environment = Mapping[str, str]


def default_data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("deltacloud-server"))


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 4))


# -- parsers: text in, value out, ValueError with a reason -----------------------------


def _whole(low: int, high: int | None = None) -> Callable[[str], int]:
    def parse(text: str) -> int:
        number = parse_integer(text)
        if number is None or number < low or (high is not None and number > high):
            upto = f" to {high}" if high is not None else ""
            raise ValueError(f"must be a whole number from {low}{upto}")
        return number
    return parse


def _seconds(low: float, *, inclusive: bool = False) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = float(text.strip())
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or value < low or (value == low and not inclusive):
            bound = f"{low:g} or more" if inclusive else f"above {low:g}"
            raise ValueError(f"must be a number of seconds {bound}")
        return value
    return parse


_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off", ""}


def _flag(text: str) -> bool:
    word = text.strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise ValueError("must be 1 or 0 (true or false)")


def _text(text: str) -> str | None:
    return text.strip() or None


def _path(text: str) -> Path:
    return Path(text.strip())


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _networks(text: str) -> tuple[Network, ...]:
    """Addresses and networks, comma-separated (`127.0.0.1, 10.0.0.0/8, ::1`)."""
    found = []
    for item in text.split(","):
        if not item.strip():
            continue
        try:
            found.append(ipaddress.ip_network(item.strip(), strict=False))
        except ValueError:
            raise ValueError("must be comma-separated addresses or networks "
                             f"(127.0.0.1, 10.0.0.0/8), not {item.strip()!r}") from None
    return tuple(found)


_USER = re.compile(r"^[A-Za-z0-9._@-]{1,64}$")


def _users(text: str) -> Mapping[str, str]:
    """`user:password` pairs, comma-separated (a password may hold colons)."""
    users: dict[str, str] = {}
    for pair in text.split(","):
        if not pair.strip():
            continue
        user, sep, password = pair.strip().partition(":")
        if not sep or not _USER.match(user):
            raise ValueError("must be comma-separated user:password pairs")
        users[user] = password
    return MappingProxyType(users)


@dataclass(frozen=True)
class Setting:
    """One setting: the `Settings` field it fills, its variable, and what it means."""

    field: str
    variable: str
    parse: Callable[[str], Any]
    help: str
    option: str | None = None  # the deltacloudd option that overrides the variable


SETTINGS: tuple[Setting, ...] = (
    Setting("driver", "API_DRIVER", lambda t: t.strip().lower(),
            "The driver of requests that name none (default `mock`).", "-i/--driver"),
    Setting("provider", "API_PROVIDER", _text,
            "The provider of requests that name none.", "-P/--provider"),
    Setting("host", "API_HOST", lambda t: t.strip(),
            "The address to listen on (default `localhost`).", "-r/--host"),
    Setting("port", "API_PORT", _whole(0, 65535),
            "The port to listen on (default 3001).", "-p/--port"),
    Setting("workers", "API_WORKERS", _whole(1),
            "Worker processes (default one per CPU, up to 4).", "-w/--workers"),
    Setting("verbose", "DELTACLOUD_VERBOSE", _flag,
            "`1` logs every request (method, path, status; never a query or credential).",
            "-V/--verbose"),
    Setting("data_dir", "DELTACLOUD_DATA_DIR", _path,
            "Where the mock driver keeps its clouds (default: the user's data directory).",
            "--data-dir"),
    Setting("endpoints", "DELTACLOUD_ALLOWED_ENDPOINTS", EndpointPolicy.parse,
            "The only endpoints a provider may name: comma-separated hosts "
            "(`*.example.com`), networks (`10.0.0.0/8`) and URL prefixes (default: any "
            "but cloud metadata addresses).", "--allowed-endpoints"),
    Setting("trusted_proxies", "DELTACLOUD_TRUSTED_PROXIES", _networks,
            "The reverse proxies whose `X-Forwarded-Proto`, `X-Forwarded-Host` and "
            "`X-Forwarded-Prefix` give the public URL of links, redirects and the "
            "same-origin check: comma-separated addresses and networks (default: none, "
            "those headers change nothing).", "--trusted-proxies"),
    Setting("driver_threads", "DELTACLOUD_DRIVER_THREADS", _whole(1),
            "Worker threads each driver may keep busy at once (default 32): a slow cloud "
            "fills only its own."),
    Setting("header_timeout", "DELTACLOUD_HEADER_TIMEOUT", _seconds(0),
            "Seconds a client has to send a request's headers (default 10)."),
    Setting("mock_users", "DELTACLOUD_MOCK_USERS", _users,
            "More mock accounts beside `mockuser`: `user:password` pairs, comma-separated."),
    Setting("mock_pending_seconds", "DELTACLOUD_MOCK_PENDING_SECONDS",
            _seconds(0, inclusive=True),
            "Seconds a new mock instance stays `PENDING` (default 0: it starts `RUNNING`)."),
    Setting("ec2_connect_timeout", "DELTACLOUD_EC2_CONNECT_TIMEOUT", _seconds(0),
            "Seconds to connect to an EC2, S3, ELB or CloudWatch endpoint (default 10)."),
    Setting("ec2_read_timeout", "DELTACLOUD_EC2_READ_TIMEOUT", _seconds(0),
            "Seconds to wait for each answer of those endpoints (default 60)."),
    Setting("ec2_attempts", "DELTACLOUD_EC2_ATTEMPTS", _whole(1),
            "Attempts per AWS call, retries of throttled or failed calls included "
            "(default 3)."),
    Setting("openstack_timeout", "DELTACLOUD_OPENSTACK_TIMEOUT", _seconds(0),
            "Seconds for each HTTP exchange with OpenStack (default 30)."),
    Setting("openstack_token_ttl", "DELTACLOUD_OPENSTACK_TOKEN_TTL",
            _seconds(0, inclusive=True),
            "Seconds a Keystone token is reused, in memory only and never past its own "
            "expiry (default 300; 0 logs in on every request)."),
    Setting("swift_segment_size", "DELTACLOUD_SWIFT_SEGMENT_SIZE", _whole(1),
            "Bytes above which a blob goes to Swift as a segmented (SLO) object "
            "(default 256 MiB)."),
    Setting("vsphere_ca_bundle", "DELTACLOUD_VSPHERE_CA_BUNDLE", _text,
            "A PEM file, or a directory of them, of the CAs to trust for vCenter "
            "certificates instead of the system's."),
    Setting("vsphere_insecure", "DELTACLOUD_VSPHERE_INSECURE", _flag,
            "`1` verifies no vCenter certificate at all (labs with self-signed ones only)."),
    Setting("vsphere_timeout", "DELTACLOUD_VSPHERE_TIMEOUT", _seconds(0),
            "Seconds for each HTTP exchange with vSphere (default 30)."),
    Setting("vsphere_task_timeout", "DELTACLOUD_VSPHERE_TASK_TIMEOUT", _seconds(0),
            "Seconds to wait for a vSphere task such as a clone (default 600)."),
    Setting("rhevm_ca_bundle", "DELTACLOUD_RHEVM_CA_BUNDLE", _text,
            "A PEM file of the CAs to trust for oVirt / RHV engine certificates instead "
            "of the system's."),
    Setting("rhevm_insecure", "DELTACLOUD_RHEVM_INSECURE", _flag,
            "`1` verifies no engine certificate at all (labs with self-signed ones only)."),
    Setting("rhevm_timeout", "DELTACLOUD_RHEVM_TIMEOUT", _seconds(0),
            "Seconds for each HTTP exchange with an oVirt / RHV engine (default 30)."),
    Setting("opennebula_endpoint", "ONE_XMLRPC", _text,
            "The OpenNebula XML-RPC endpoint of requests that name no provider."),
    Setting("occi_url", "OCCI_URL", _text,
            "Deltacloud's OpenNebula variable: its scheme, host and port name the XML-RPC "
            "endpoint when `ONE_XMLRPC` is not set (OCCI itself is gone)."),
    Setting("opennebula_timeout", "DELTACLOUD_OPENNEBULA_TIMEOUT", _seconds(0),
            "Seconds for each XML-RPC call to OpenNebula (default 30)."),
    Setting("gogrid_timeout", "DELTACLOUD_GOGRID_TIMEOUT", _seconds(0),
            "Seconds for each HTTP exchange with GoGrid (default 30)."),
    Setting("sbc_timeout", "DELTACLOUD_SBC_TIMEOUT", _seconds(0),
            "Seconds for each HTTP exchange with IBM SmartCloud Enterprise (default 30)."),
    Setting("rimuhosting_timeout", "DELTACLOUD_RIMUHOSTING_TIMEOUT", _seconds(0),
            "Seconds for each HTTP exchange with RimuHosting (default 30)."),
    Setting("terremark_timeout", "DELTACLOUD_TERREMARK_TIMEOUT", _seconds(0),
            "Seconds for each HTTP exchange with Terremark vCloud Express (default 30)."),
    Setting("terremark_task_timeout", "DELTACLOUD_TERREMARK_TASK_TIMEOUT", _seconds(0),
            "Seconds to wait for a vCloud Express power task (default 300)."),
)

# The AWS SDK's own endpoint variables, honoured as the SDK documents them.
AWS_ENDPOINT_VARIABLES = {
    "ec2": "AWS_ENDPOINT_URL_EC2",
    "s3": "AWS_ENDPOINT_URL_S3",
    "elb": "AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING",
    "cloudwatch": "AWS_ENDPOINT_URL_CLOUDWATCH",
}


def aws_endpoints(environ: Environment) -> Mapping[str, str]:
    """service -> endpoint from AWS_ENDPOINT_URL[_<SERVICE>], unless
    AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is true."""
    if environ.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "").strip().lower() == "true":
        return MappingProxyType({})
    found = {}
    for service, variable in AWS_ENDPOINT_VARIABLES.items():
        url = environ.get(variable) or environ.get("AWS_ENDPOINT_URL")
        if url:
            found[service] = url.strip()
    return MappingProxyType(found)


@dataclass(frozen=True)
class Settings:
    """The server's settings (see `SETTINGS` for what each means); build it with
    `from_environment`, or directly in tests."""

    driver: str = "mock"
    provider: str | None = None
    host: str = "localhost"
    port: int = 3001
    workers: int = field(default_factory=default_workers)
    verbose: bool = False
    data_dir: Path = field(default_factory=default_data_dir)
    endpoints: EndpointPolicy = field(default_factory=EndpointPolicy)
    trusted_proxies: tuple[Network, ...] = ()
    driver_threads: int = 32
    header_timeout: float = 10.0
    mock_users: Mapping[str, str] = field(default_factory=dict, repr=False)
    mock_pending_seconds: float = 0.0
    ec2_connect_timeout: float = 10.0
    ec2_read_timeout: float = 60.0
    ec2_attempts: int = 3
    # Not in SETTINGS: the AWS SDK's standard variables (see aws_endpoints).
    aws_endpoints: Mapping[str, str] = field(default_factory=dict)
    openstack_timeout: float = 30.0
    openstack_token_ttl: float = 300.0
    swift_segment_size: int = 256 * 1024 * 1024
    vsphere_ca_bundle: str | None = None
    vsphere_insecure: bool = False
    vsphere_timeout: float = 30.0
    vsphere_task_timeout: float = 600.0
    rhevm_ca_bundle: str | None = None
    rhevm_insecure: bool = False
    rhevm_timeout: float = 30.0
    opennebula_endpoint: str | None = None
    occi_url: str | None = None
    opennebula_timeout: float = 30.0
    gogrid_timeout: float = 30.0
    sbc_timeout: float = 30.0
    rimuhosting_timeout: float = 30.0
    terremark_timeout: float = 30.0
    terremark_task_timeout: float = 300.0

    @classmethod
    def from_environment(cls, environ: Environment | None = None, **options: Any
                         ) -> Settings:
        """The environment's settings, with the `options` that are not None over them
        (text is parsed as the variable would be). A malformed value is a ValueError
        naming its variable or option."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {"aws_endpoints": aws_endpoints(env)}
        for setting in SETTINGS:
            given = options.pop(setting.field, None)
            name, text = setting.variable, env.get(setting.variable)
            if given is not None and not isinstance(given, str):
                values[setting.field] = given
                continue
            if given is not None:
                name, text = (setting.option or setting.field).split("/")[-1], given
            if text is None or (not text.strip() and given is None):
                continue
            try:
                values[setting.field] = setting.parse(text)
            except ValueError as exc:
                raise ValueError(f"{name}: {exc}") from None
        if options:
            raise TypeError(f"no such settings: {', '.join(options)}")
        return cls(**values)
