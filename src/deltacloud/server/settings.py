"""How the server itself behaves, read once from the environment at start."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

from deltacloud.text import parse_integer


@dataclass(frozen=True)
class ServerSettings:
    # Worker threads each driver may keep busy at once: a slow cloud fills only its own.
    driver_threads: int = 32
    # Seconds a client has to send a request's headers (slowloris).
    header_timeout: float = 10.0

    @classmethod
    def from_environment(cls) -> ServerSettings:
        """DELTACLOUD_DRIVER_THREADS and DELTACLOUD_HEADER_TIMEOUT; ValueError if malformed."""
        threads = os.environ.get("DELTACLOUD_DRIVER_THREADS")
        timeout = os.environ.get("DELTACLOUD_HEADER_TIMEOUT")
        settings = cls()
        if threads:
            count = parse_integer(threads)
            if not count:
                raise ValueError("DELTACLOUD_DRIVER_THREADS must be a whole number from 1")
            settings = cls(count, settings.header_timeout)
        if timeout:
            try:
                seconds = float(timeout)
            except ValueError:
                seconds = math.nan
            if not math.isfinite(seconds) or seconds <= 0:
                raise ValueError("DELTACLOUD_HEADER_TIMEOUT must be a number of seconds above 0")
            settings = cls(settings.driver_threads, seconds)
        return settings
