"""`/healthz`: a front-end for load balancers and orchestrators, beside the Deltacloud API.

GET (or HEAD) answers 200 with a small JSON document when this process can serve its
default driver: the driver's SDK is installed and, for the mock, its data directory is
writable. Otherwise 503, saying why, so a balancer takes the process out of rotation.
It needs no credentials and asks no cloud anything (a cloud's outage is not this
server's): it is cheap enough to probe every second.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from deltacloud import API_VERSION
from deltacloud.drivers.registry import DRIVERS, Registry
from deltacloud.server.context import Defaults
from deltacloud.server.responses import SERVER, http_date


class HealthCheck:
    def __init__(self, defaults: Defaults, registry: Registry) -> None:
        self.defaults = defaults
        self.registry = registry

    def routes(self) -> list[BaseRoute]:
        return [Route("/healthz", self._health, methods=["GET"])]

    def problems(self) -> list[str]:
        entry = DRIVERS[self.defaults.driver]
        found = []
        if not entry.sdk_installed():
            found.append(f"the {entry.name} driver's SDK is not installed "
                         f"(pip install 'deltacloud-server[{entry.extra}]')")
        if entry.name == "mock" and not _writable(self.registry.settings.data_dir):
            found.append("the mock driver's data directory is not writable")
        return found

    async def _health(self, request: Request) -> Response:
        problems = self.problems()
        body: dict[str, Any] = {"status": "unavailable" if problems else "ok",
                                "version": API_VERSION, "driver": self.defaults.driver,
                                "pid": os.getpid()}
        if problems:
            body["problems"] = problems
        return Response(orjson.dumps(body), status_code=503 if problems else 200,
                        media_type="application/json",
                        headers={"Server": SERVER, "Date": http_date(),
                                 "Cache-Control": "no-store"})


def _writable(path: Path) -> bool:
    """Whether `path` is (or, made, would be) a directory this process can write in."""
    while not path.exists() and path != path.parent:
        path = path.parent
    return path.is_dir() and os.access(path, os.W_OK | os.X_OK)
