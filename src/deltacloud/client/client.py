"""`Client`: the whole API of one server, for one set of credentials."""

from __future__ import annotations

from types import TracebackType

import httpx2 as httpx

from deltacloud.client.blobs import Blobs, Buckets
from deltacloud.client.models import EntryPoint, InstanceState
from deltacloud.client.resources import (
    Addresses,
    Drivers,
    Firewalls,
    HardwareProfiles,
    Images,
    Instances,
    Keys,
    LoadBalancers,
    Metrics,
    Realms,
    StorageSnapshots,
    StorageVolumes,
    _object,
    instance_states,
)
from deltacloud.client.session import DEFAULT_URL, Backend, Session, api_url, open_http


class Client:
    """A Deltacloud server's API, spoken in JSON.

    >>> with Client("http://localhost:3001/api", "mockuser", "mockpassword") as dc:
    ...     dc.instances.stop("inst0")

    `driver` and `provider` choose the cloud for every request (the server's default if
    None); `using()` gives a client for another one that shares this one's connections.
    """

    def __init__(self, url: str = DEFAULT_URL, username: str | None = None,
                 password: str | None = None, *, driver: str | None = None,
                 provider: str | None = None, timeout: float = 60.0,
                 verify: bool | str = True,
                 transport: httpx.BaseTransport | None = None) -> None:
        base, userinfo = api_url(url)
        if username is None and userinfo is not None:
            username, password = userinfo
        auth = (username, password or "") if username is not None else None
        self._http = open_http(auth, timeout, transport, verify)
        self._owns_http = True
        self._bind(Session(self._http, base, Backend(driver, provider)))

    def _bind(self, session: Session) -> None:
        self._session = session
        self.drivers = Drivers(session)
        self.realms = Realms(session)
        self.images = Images(session)
        self.hardware_profiles = HardwareProfiles(session)
        self.instances = Instances(session)
        self.keys = Keys(session)
        self.storage_volumes = StorageVolumes(session)
        self.storage_snapshots = StorageSnapshots(session)
        self.addresses = Addresses(session)
        self.firewalls = Firewalls(session)
        self.load_balancers = LoadBalancers(session)
        self.metrics = Metrics(session)
        self.buckets = Buckets(session)
        self.blobs = Blobs(session)

    @property
    def url(self) -> str:
        return self._session.url

    @property
    def backend(self) -> Backend:
        return self._session.backend

    def using(self, *, driver: str | None = None, provider: str | None = None) -> Client:
        """This client for another driver or provider (what is not given stays as it is),
        sharing its connections: `dc.using(provider="eu-west-1").instances.list()`."""
        backend = Backend(driver or self.backend.driver, provider or self.backend.provider)
        other = object.__new__(Client)
        other._http = self._http
        other._owns_http = False
        other._bind(self._session.with_backend(backend))
        return other

    def api(self, *, check_credentials: bool = False) -> EntryPoint:
        """The entry point: the driver's collections and features. `check_credentials`
        asks the server to try them on the cloud (Unauthorized if refused)."""
        params = {"force_auth": "1"} if check_credentials else None
        return EntryPoint.from_json(_object(self._session.json("GET", self.url,
                                                               params=params), "api"))

    def instance_states(self) -> list[InstanceState]:
        """The driver's instance state machine."""
        return instance_states(self._session)

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
