"""The server as an ASGI application, for ASGI servers other than `deltacloudd`.

`deltacloud.server.asgi:app` is the app, built on first use from the environment alone:
its settings are read once (`settings()`), as `deltacloudd` reads them, each from its
variable (the options are `deltacloudd`'s). `create_app` builds one more, for servers that
take a factory (`uvicorn --factory deltacloud.server.asgi:create_app`). Nothing is read at
import.

Under gunicorn, run it in `gunicorn_worker.Worker`, uvicorn's worker run as `deltacloudd`
runs uvicorn:

    gunicorn -k deltacloud.server.gunicorn_worker.Worker -b 127.0.0.1:3001 -w 4 \\
        deltacloud.server.asgi:app
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from deltacloud.settings import Settings

if TYPE_CHECKING:
    from deltacloud.server.app import DeltacloudApp


@functools.cache
def settings() -> Settings:
    """The settings of this process, read from the environment once."""
    return Settings.from_environment()


def create_app() -> DeltacloudApp:
    """A new app over `settings()`; a malformed setting or an unknown default driver is
    a ValueError that names it."""
    from deltacloud.cli import build_app

    return build_app(settings())


def __getattr__(name: str) -> Any:
    if name == "app":  # built on first use, then an attribute like any other
        app = create_app()
        globals()["app"] = app
        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
