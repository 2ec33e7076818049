"""Waiting for a cloud's task or resource to reach a state, never forever."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from deltacloud.errors import BackendTimeout

T = TypeVar("T")


def wait_for(poll: Callable[[], T], done: Callable[[T], bool], timeout: float,
             message: str, *, first_delay: float = 0.05, max_delay: float = 1.0,
             sleep: Callable[[float], object] = time.sleep) -> T:
    """Call `poll` until `done` holds for its answer, which is returned; the pause between
    calls doubles from `first_delay` up to `max_delay`. Past `timeout` seconds the wait
    is a gateway timeout (504) saying `message`."""
    deadline = time.monotonic() + timeout
    delay = first_delay
    while True:
        answer = poll()
        if done(answer):
            return answer
        left = deadline - time.monotonic()
        if left <= 0:
            raise BackendTimeout(message)
        sleep(min(delay, left))
        delay = min(delay * 2, max_delay)
