"""A gunicorn worker: uvicorn's (the `uvicorn-worker` package), run as `deltacloudd`
runs uvicorn.

    gunicorn -k deltacloud.server.gunicorn_worker.Worker -b 127.0.0.1:3001 -w 4 \\
        deltacloud.server.asgi:app

uvicorn's own `UvicornWorker` would send its `Server` and `Date` headers beside the
app's, log every query string, give a client all the time it likes to send its headers,
and take `X-Forwarded-For` and `X-Forwarded-Proto` from the addresses of gunicorn's
`forwarded_allow_ips` (127.0.0.1 by default). This one runs uvicorn with `deltacloudd`'s
options (`cli.UVICORN_OPTIONS`: its proxy headers off, so that only
`DELTACLOUD_TRUSTED_PROXIES` counts) and its header deadline (`protocol.py`).
"""

from __future__ import annotations

from typing import Any

from uvicorn_worker import UvicornWorker

from deltacloud.cli import UVICORN_OPTIONS
from deltacloud.server.asgi import settings
from deltacloud.server.protocol import with_header_timeout


class Worker(UvicornWorker):
    # gunicorn's --log-level rules uvicorn's loggers, as in UvicornWorker.
    CONFIG_KWARGS: dict[str, Any] = {
        "loop": "auto", "http": "auto",
        **{k: v for k, v in UVICORN_OPTIONS.items() if k != "log_level"}}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.config.http = with_header_timeout(settings().header_timeout)
