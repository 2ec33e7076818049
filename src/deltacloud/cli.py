"""deltacloudd: start the Deltacloud API server."""

from __future__ import annotations

import argparse
import errno
import logging
import os
import socket
import sys
from pathlib import Path

from deltacloud import API_VERSION, __version__
from deltacloud.drivers.registry import DRIVERS


def default_data_dir() -> Path:
    """Where the mock cloud keeps its state: DELTACLOUD_DATA_DIR, else the user's data dir."""
    env = os.environ.get("DELTACLOUD_DATA_DIR")
    if env:
        return Path(env)
    from platformdirs import user_data_dir

    return Path(user_data_dir("deltacloud-server"))


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
    p.add_argument("-V", "--verbose", action="store_true", help="log every request")
    p.add_argument("--data-dir", type=Path, default=None,
                   help="where the mock driver keeps its data (env DELTACLOUD_DATA_DIR)")
    p.add_argument("--version", action="version",
                   version=f"deltacloudd {__version__} (API {API_VERSION})")
    return p


def _bind(host: str, port: int) -> socket.socket:
    """Bind before starting, so a taken port is a clear message, not a traceback."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    family, _, _, _, address = infos[0]
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

    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    import uvicorn

    from deltacloud.drivers.base import Settings
    from deltacloud.server.app import DeltacloudApp
    from deltacloud.server.context import Defaults

    data_dir = args.data_dir or default_data_dir()
    app = DeltacloudApp(Defaults(driver, args.provider), Settings(data_dir=data_dir))
    shown_host = f"[{args.host}]" if ":" in args.host else args.host
    print(f"Starting Deltacloud API :: {driver} :: http://{shown_host}:{args.port}/api",
          flush=True)
    config = uvicorn.Config(
        app, log_level="warning", access_log=False, server_header=False, date_header=False,
        lifespan="off",
    )
    server = uvicorn.Server(config)
    server.run(sockets=[sock])
    return 0


if __name__ == "__main__":
    sys.exit(main())
