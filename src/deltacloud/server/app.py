"""The ASGI application: the server's front-ends over one driver registry.

The Deltacloud API (`/api`, `api.py`) is one front-end; others mount beside it at their
own paths without touching it (`health.py` at `/healthz`). They share the driver
registry, the per-driver thread pools and the settings.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.types import Receive, Scope, Send

from deltacloud.drivers.registry import Registry
from deltacloud.server.api import DeltacloudApi
from deltacloud.server.context import Defaults
from deltacloud.server.health import HealthCheck
from deltacloud.server.matrix import MatrixParams
from deltacloud.server.proxy import ForwardedHeaders
from deltacloud.server.threads import DriverThreads
from deltacloud.settings import Settings


class DeltacloudApp:
    """The server: call it as an ASGI app."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        defaults = Defaults(settings.driver, settings.provider)
        self.threads = DriverThreads(settings.driver_threads)
        self.registry = Registry(settings)
        self.registry.get(defaults.driver)  # fail at start on an unknown driver
        self.api = DeltacloudApi(defaults, self.registry, self.threads)
        self.health = HealthCheck(defaults, self.registry)
        self.starlette = Starlette(
            routes=[*self.health.routes(), *self.api.routes()],
            exception_handlers={HTTPException: self.api.not_found_or_not_allowed},
        )
        # Deltacloud answers `/api/images/` (what clients send for an empty id) with its
        # 404 error document; a redirect with an empty body breaks them.
        self.starlette.router.redirect_slashes = False
        # A trusted reverse proxy's X-Forwarded-* headers make the public URL (proxy.py).
        self.asgi = ForwardedHeaders(MatrixParams(self.starlette), settings.trusted_proxies)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.asgi(scope, receive, send)
