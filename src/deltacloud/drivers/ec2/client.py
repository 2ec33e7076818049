"""How the EC2 driver reaches AWS (or an EC2/S3-compatible endpoint) for one request.

botocore is imported here only inside functions: importing the driver stays cheap.

Credentials never outlive the request. Building a botocore client costs about
13 ms, twice what a small call to a loopback endpoint costs, so clients are
reused, keyed by (service, region, endpoint) and nothing else: they hold no
secret. Each client's credentials object reads the access key and secret from
a context variable that `AwsSession` sets for the duration of one driver call
and resets afterwards, so the secret lives exactly as long as the request (the
benchmark `bench/ec2_list_instances.py --clients` measures both ways).

The session behind the clients never reads credentials from the environment,
from config or credential files, or from the instance metadata service
(IMDS): its only credential provider is the request's.
"""

from __future__ import annotations

import contextvars
import json
import os
import threading
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from importlib import resources
from typing import Any

from deltacloud.drivers.base import CallContext, Credentials, Settings
from deltacloud.drivers.common.cache import LruCache
from deltacloud.drivers.ec2.errors import refuse_garbled, translated
from deltacloud.errors import BadRequest

DEFAULT_REGION = "us-east-1"
SERVICES = ("ec2", "s3", "elb", "cloudwatch")
MAX_CLIENTS = 64

_request_credentials: contextvars.ContextVar[Credentials | None] = contextvars.ContextVar(
    "deltacloud_ec2_credentials", default=None
)


def _current() -> Credentials:
    creds = _request_credentials.get()
    if creds is None:
        raise RuntimeError("An AWS call was made outside a request")
    return creds


class _RequestCredentials:
    """botocore's credentials interface, answering with the current request's keys.

    It holds nothing itself: a shared client signs each call with the keys of
    the request making it.
    """

    method = "deltacloud-request"
    token = None
    account_id = None

    @property
    def access_key(self) -> str:
        return _current().user

    @property
    def secret_key(self) -> str:
        return _current().password

    def get_frozen_credentials(self) -> Any:
        from botocore.credentials import ReadOnlyCredentials

        creds = _current()
        return ReadOnlyCredentials(creds.user, creds.password, None, None)

    def get_deferred_property(self, name: str) -> Any:
        return lambda: getattr(self, name, None)


class _RequestCredentialResolver:
    """The session's only credential provider: no environment, files or IMDS."""

    def load_credentials(self) -> _RequestCredentials:
        return _RequestCredentials()


_session: Any = None
_session_lock = threading.Lock()


def _botocore_session() -> Any:
    global _session
    if _session is None:
        with _session_lock:
            if _session is None:
                import botocore.session

                session = botocore.session.Session()
                # No config or credentials files: settings come from here and the
                # SDK's environment variables (endpoints), credentials from the request.
                session.set_config_variable("config_file", os.devnull)
                session.set_config_variable("credentials_file", os.devnull)
                # No profile, whatever AWS_PROFILE says: there are no files to read one from.
                from botocore.configprovider import ConstantProvider

                session.get_component("config_store").set_config_provider(
                    "profile", ConstantProvider(None))
                session.register_component("credential_provider",
                                           _RequestCredentialResolver())
                session.register("before-parse", refuse_garbled)
                session.get_credentials()
                _session = session
    return _session


_regions: dict[str, dict[str, str]] | None = None


def _region_data() -> dict[str, dict[str, str]]:
    global _regions
    if _regions is None:
        text = resources.files(__package__).joinpath("regions.json").read_text("utf-8")
        _regions = json.loads(text)["regions"]
    return _regions


def regions() -> list[str]:
    """Every AWS region that has EC2, from the data shipped with this driver (no SDK)."""
    return list(_region_data())


def hostname(service: str, region: str) -> str | None:
    """The public host name of a service ("ec2", "s3") in a region."""
    return _region_data().get(region, {}).get(service)


class Clients:
    """One driver's botocore clients, shared by its requests: keyed by (service, region,
    endpoint), at most MAX_CLIENTS (the least recently used is closed), none holding a
    credential."""

    def __init__(self, settings: Settings) -> None:
        self._timeouts = (settings.ec2_connect_timeout, settings.ec2_read_timeout)
        self._attempts = settings.ec2_attempts
        self._cache: LruCache[tuple[str, str, str | None], Any] = LruCache(
            MAX_CLIENTS, close=lambda c: c.close())

    def values(self) -> list[Any]:
        return self._cache.values()

    def get(self, service: str, region: str, endpoint: str | None) -> Any:
        return self._cache.get_or_make((service, region, endpoint),
                                       lambda: self._make(service, region, endpoint))

    def _make(self, service: str, region: str, endpoint: str | None) -> Any:
        from botocore.config import Config

        s3_options: dict[str, Any] = {}
        extra: dict[str, Any] = {}
        if service == "s3":
            extra = {"signature_version": "s3v4",
                     "request_checksum_calculation": "when_required",
                     "response_checksum_validation": "when_required"}
            if endpoint is not None:
                s3_options["addressing_style"] = "path"
        config = Config(
            connect_timeout=self._timeouts[0],
            read_timeout=self._timeouts[1],
            retries={"mode": "standard", "total_max_attempts": self._attempts},
            max_pool_connections=32,
            user_agent_extra="deltacloud-server",
            defaults_mode="standard",  # never "auto", which asks the instance metadata service
            s3=s3_options or None,
            **extra,
        )
        return _botocore_session().create_client(
            service, region_name=region, endpoint_url=endpoint, config=config)


@dataclass(frozen=True)
class Endpoints:
    """Where one request goes: a region, and an endpoint URL per service (None: AWS's)."""

    region: str
    ec2: str | None = None
    s3: str | None = None
    elb: str | None = None
    cloudwatch: str | None = None
    # Whether a service without an endpoint here goes to AWS's own (not for Eucalyptus).
    aws_fallback: bool = True

    def of(self, service: str) -> str | None:
        endpoint = getattr(self, service)
        if endpoint is None and not self.aws_fallback:
            raise BadRequest("The provider names no endpoint for this service")
        return endpoint


def aws_endpoints(provider: str | None, known_regions: list[str],
                  configured: Mapping[str, str]) -> Endpoints:
    """The ec2 driver's provider is a region; endpoints are the ones the SDK's variables
    name (`Settings.aws_endpoints`), else AWS's."""
    region = provider if provider and provider != "default" else DEFAULT_REGION
    if region not in known_regions:
        raise BadRequest("Unknown provider: GET /api/drivers/ec2 lists the regions")
    return Endpoints(region, ec2=configured.get("ec2"), s3=configured.get("s3"),
                     elb=configured.get("elb"), cloudwatch=configured.get("cloudwatch"))


class AwsSession:
    """The clients of one request, made on first use; `with` it around the calls."""

    def __init__(self, ctx: CallContext, endpoints: Endpoints, clients: Clients) -> None:
        self._credentials = ctx.require_credentials()
        self._clients = clients
        self.endpoints = endpoints
        self.region = endpoints.region
        self._token: contextvars.Token[Credentials | None] | None = None

    def __enter__(self) -> AwsSession:
        self._token = _request_credentials.set(self._credentials)
        return self

    def __exit__(self, *_: object) -> None:
        assert self._token is not None
        _request_credentials.reset(self._token)
        self._token = None

    def client(self, service: str, region: str | None = None) -> Any:
        return self._clients.get(service, region or self.region, self.endpoints.of(service))

    @property
    def ec2(self) -> Any:
        return self.client("ec2")

    @property
    def s3(self) -> Any:
        return self.client("s3")

    @property
    def elb(self) -> Any:
        return self.client("elb")

    @property
    def cloudwatch(self) -> Any:
        return self.client("cloudwatch")

    def translated(self) -> AbstractContextManager[None]:
        """AWS errors as API errors right here, so that the caller can catch them."""
        return translated(self._credentials)

    @contextmanager
    def calls(self) -> Iterator[AwsSession]:
        """Credentials set, errors translated: what every driver method wraps its calls in."""
        with self, self.translated():
            yield self
