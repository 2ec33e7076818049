"""deltacloudd: start the Deltacloud API server."""

from __future__ import annotations

import argparse
import errno
import logging
import os
import socket
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from deltacloud import API_VERSION, __version__
from deltacloud.drivers.registry import DRIVERS

if TYPE_CHECKING:
    from deltacloud.server.app import DeltacloudApp


def default_data_dir() -> Path:
    """Where the mock cloud keeps its state: DELTACLOUD_DATA_DIR, else the user's data dir."""
    env = os.environ.get("DELTACLOUD_DATA_DIR")
    if env:
        return Path(env)
    from platformdirs import user_data_dir

    return Path(user_data_dir("deltacloud-server"))


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 4))


def configure_logging(verbose: bool) -> None:
    """Access lines carry method, path and status only: never a query string or credentials."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def app_from_environment() -> DeltacloudApp:
    """The app of one worker process, configured by what `main` put in the environment."""
    from deltacloud.drivers.base import Settings
    from deltacloud.drivers.urls import EndpointPolicy
    from deltacloud.server.app import DeltacloudApp
    from deltacloud.server.context import Defaults
    from deltacloud.server.settings import ServerSettings

    configure_logging(os.environ.get("DELTACLOUD_VERBOSE") == "1")
    defaults = Defaults(os.environ.get("API_DRIVER", "mock"), os.environ.get("API_PROVIDER"))
    settings = Settings(data_dir=default_data_dir(), endpoints=EndpointPolicy.parse(
        os.environ.get("DELTACLOUD_ALLOWED_ENDPOINTS")))
    return DeltacloudApp(defaults, settings, ServerSettings.from_environment())


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="deltacloudd",
        description="Serve the Deltacloud API for one cloud driver (others chosen per request).",
    )
    p.add_argument("-i", "--driver", default=os.environ.get("API_DRIVER", "mock"),
                   help="default driver (env API_DRIVER; default mock)")
    p.add_argument("-P", "--provider", default=os.environ.get("API_PROVIDER"),
                   help="default provider (env API_PROVIDER)")
    p.add_argument("-p", "--port", type=int, default=int(os.environ.get("API_PORT", "3001")),
                   help="port to listen on (default 3001)")
    p.add_argument("-r", "--host", default=os.environ.get("API_HOST", "localhost"),
                   help="address to listen on (default localhost)")
    p.add_argument("-l", "--drivers", action="store_true", help="list the drivers and exit")
    p.add_argument("--allowed-endpoints", metavar="LIST",
                   default=os.environ.get("DELTACLOUD_ALLOWED_ENDPOINTS"),
                   help="the only endpoints providers may name: comma-separated hosts "
                        "(*.example.com), networks (10.0.0.0/8) and URL prefixes (env "
                        "DELTACLOUD_ALLOWED_ENDPOINTS; default: any but cloud metadata "
                        "addresses)")
    p.add_argument("-V", "--verbose", action="store_true", help="log every request")
    p.add_argument("-w", "--workers", type=int,
                   default=int(os.environ.get("API_WORKERS", "0")) or default_workers(),
                   help="worker processes (env API_WORKERS; default: one per CPU, up to 4)")
    p.add_argument("--data-dir", type=Path, default=None,
                   help="where the mock driver keeps its data (env DELTACLOUD_DATA_DIR)")
    p.add_argument("--version", action="version",
                   version=f"deltacloudd {__version__} (API {API_VERSION})")
    return p


def _address(host: str, port: int) -> tuple[int, tuple]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    family, _, _, _, address = infos[0]
    return family, address


def _bind(host: str, port: int) -> socket.socket:
    """Bind before starting, so a taken port is a clear message, not a traceback."""
    family, address = _address(host, port)
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(address)
    sock.set_inheritable(True)
    return sock


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.drivers:
        for name in DRIVERS:
            print(name)
        return 0
    driver = args.driver.strip().lower()
    if driver not in DRIVERS:
        print(f"deltacloudd: unknown driver '{driver}'; available: {', '.join(DRIVERS)}",
              file=sys.stderr)
        return 2
    try:
        sock = _bind(args.host, args.port)
    except OSError as exc:
        reason = "the port is in use" if exc.errno == errno.EADDRINUSE else exc.strerror
        print(f"deltacloudd: cannot listen on {args.host}:{args.port}: {reason}",
              file=sys.stderr)
        return 1

    # Workers are separate processes: they read their settings from the environment.
    os.environ["API_DRIVER"] = driver
    if args.provider:
        os.environ["API_PROVIDER"] = args.provider
    os.environ["DELTACLOUD_DATA_DIR"] = str(args.data_dir or default_data_dir())
    os.environ["DELTACLOUD_VERBOSE"] = "1" if args.verbose else "0"
    if args.allowed_endpoints is not None:
        os.environ["DELTACLOUD_ALLOWED_ENDPOINTS"] = args.allowed_endpoints

    try:
        app_from_environment()  # a bad setting stops the start here, not in every worker
    except ValueError as exc:
        sock.close()
        print(f"deltacloudd: {exc}", file=sys.stderr)
        return 2

    import uvicorn

    shown_host = f"[{args.host}]" if ":" in args.host else args.host
    print(f"Starting Deltacloud API :: {driver} :: http://{shown_host}:{args.port}/api"
          f" :: {args.workers} worker(s)", flush=True)
    options: dict[str, Any] = {"log_level": "warning", "access_log": False,
                               "server_header": False, "date_header": False, "lifespan": "off"}

    def serve(sock: socket.socket) -> None:
        from deltacloud.server.protocol import with_header_timeout

        app = app_from_environment()
        config = uvicorn.Config(app, http=with_header_timeout(
            app.server_settings.header_timeout), **options)
        uvicorn.Server(config).run(sockets=[sock])

    if args.workers == 1:
        serve(sock)
    else:
        from deltacloud.server.workers import reuseport_sockets, supervise

        sock.close()  # it proved the port free; each worker gets a socket of its own
        family, address = _address(args.host, args.port)
        supervise(serve, reuseport_sockets(address, family, args.workers))
    return 0


if __name__ == "__main__":
    sys.exit(main())
