"""Where drivers' blocking calls run: worker threads, in a bounded pool per driver.

One shared pool would let a cloud that hangs take every thread, and every other driver's
requests would wait for it. Each driver gets a limiter of its own instead.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import anyio.to_thread
from anyio import CapacityLimiter

T = TypeVar("T")


class DriverThreads:
    def __init__(self, per_driver: int) -> None:
        self.per_driver = per_driver
        self._limiters: dict[str, CapacityLimiter] = {}

    def _limiter(self, driver: str) -> CapacityLimiter:
        # Made on first use, inside the event loop (anyio needs one); the loop is single-
        # threaded, so no lock is needed.
        limiter = self._limiters.get(driver)
        if limiter is None:
            limiter = self._limiters[driver] = CapacityLimiter(self.per_driver)
        return limiter

    async def run(self, driver: str, fn: Callable[..., T], *args: Any) -> T:
        """Call `fn(*args)` in a worker thread counted against `driver`'s limit."""
        return await anyio.to_thread.run_sync(functools.partial(fn, *args),
                                              limiter=self._limiter(driver))
