"""deltacloudd: start the Deltacloud API server."""

from __future__ import annotations

import argparse
import errno
import logging
import socket
import sys
from typing import TYPE_CHECKING, Any

from deltacloud import API_VERSION, __version__
from deltacloud.drivers.registry import DRIVERS
from deltacloud.settings import Settings

if TYPE_CHECKING:
    from deltacloud.server.app import DeltacloudApp


# How uvicorn runs the app, here and under gunicorn (server/gunicorn_worker.py): the app
# sends its own Server and Date headers and logs no query string; X-Forwarded-* headers
# count only from DELTACLOUD_TRUSTED_PROXIES (server/proxy.py), never by uvicorn's own
# rule (it trusts 127.0.0.1 by default).
UVICORN_OPTIONS: dict[str, Any] = {
    "log_level": "warning", "access_log": False, "server_header": False,
    "date_header": False, "lifespan": "off", "proxy_headers": False}


def configure_logging(verbose: bool) -> None:
    """Access lines carry method, path and status only: never a query string or credentials."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def build_app(settings: Settings) -> DeltacloudApp:
    from deltacloud.server.app import DeltacloudApp

    configure_logging(settings.verbose)
    return DeltacloudApp(settings)


def _parser() -> argparse.ArgumentParser:
    """Options default to None: what is not given comes from the environment (settings.py)."""
    p = argparse.ArgumentParser(
        prog="deltacloudd",
        description="Serve the Deltacloud API for one cloud driver (others chosen per "
                    "request). Every option has an environment variable too: see the "
                    "README's settings table.",
    )
    p.add_argument("-i", "--driver", help="default driver (env API_DRIVER; default mock)")
    p.add_argument("-P", "--provider", help="default provider (env API_PROVIDER)")
    p.add_argument("-p", "--port", help="port to listen on (env API_PORT; default 3001)")
    p.add_argument("-r", "--host",
                   help="address to listen on (env API_HOST; default localhost)")
    p.add_argument("-l", "--drivers", action="store_true", help="list the drivers and exit")
    p.add_argument("--allowed-endpoints", metavar="LIST",
                   help="the only endpoints providers may name: comma-separated hosts "
                        "(*.example.com), networks (10.0.0.0/8) and URL prefixes (env "
                        "DELTACLOUD_ALLOWED_ENDPOINTS; default: any but cloud metadata "
                        "addresses)")
    p.add_argument("--trusted-proxies", metavar="LIST",
                   help="reverse proxies whose X-Forwarded-Proto, -Host and -Prefix give the "
                        "public URL: comma-separated addresses and networks (env "
                        "DELTACLOUD_TRUSTED_PROXIES; default: none)")
    p.add_argument("-V", "--verbose", action="store_true", default=None,
                   help="log every request (env DELTACLOUD_VERBOSE=1)")
    p.add_argument("-w", "--workers",
                   help="worker processes (env API_WORKERS; default: one per CPU, up to 4)")
    p.add_argument("--data-dir",
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
    try:
        settings = Settings.from_environment(
            driver=args.driver, provider=args.provider, port=args.port, host=args.host,
            endpoints=args.allowed_endpoints, verbose=args.verbose, workers=args.workers,
            data_dir=args.data_dir, trusted_proxies=args.trusted_proxies)
    except ValueError as exc:
        print(f"deltacloudd: {exc}", file=sys.stderr)
        return 2
    if settings.driver not in DRIVERS:
        print(f"deltacloudd: unknown driver '{settings.driver}'; available: "
              f"{', '.join(DRIVERS)}", file=sys.stderr)
        return 2
    try:
        sock = _bind(settings.host, settings.port)
    except OSError as exc:
        reason = "the port is in use" if exc.errno == errno.EADDRINUSE else exc.strerror
        print(f"deltacloudd: cannot listen on {settings.host}:{settings.port}: {reason}",
              file=sys.stderr)
        return 1
    try:
        build_app(settings)  # a bad setting stops the start here, not in every worker
    except ValueError as exc:
        sock.close()
        print(f"deltacloudd: {exc}", file=sys.stderr)
        return 2

    import uvicorn

    host, port, workers = settings.host, settings.port, settings.workers
    shown_host = f"[{host}]" if ":" in host else host
    print(f"Starting Deltacloud API :: {settings.driver} :: http://{shown_host}:{port}/api"
          f" :: {workers} worker(s)", flush=True)

    def serve(sock: socket.socket) -> None:
        from deltacloud.server.protocol import with_header_timeout

        # Workers are forked: each builds its app from the same settings.
        config = uvicorn.Config(build_app(settings), http=with_header_timeout(
            settings.header_timeout), **UVICORN_OPTIONS)
        uvicorn.Server(config).run(sockets=[sock])

    if workers == 1:
        serve(sock)
    else:
        from deltacloud.server.workers import reuseport_sockets, supervise

        sock.close()  # it proved the port free; each worker gets a socket of its own
        family, address = _address(host, port)
        supervise(serve, reuseport_sockets(address, family, workers))
    return 0


if __name__ == "__main__":
    sys.exit(main())
