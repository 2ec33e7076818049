"""Answers kept in memory across requests, safely: bounded, expiring, keyed by an HMAC.

A key is an HMAC (with a random per-process key) of what the answer depends on, the
credentials among them: no key or value holds a secret, and an answer fetched with one
user's credentials is only ever given back to the same credentials.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import threading
import time
from collections import OrderedDict
from typing import Generic, TypeVar

T = TypeVar("T")


class ExpiringCache(Generic[T]):
    """At most `size` values (the least recently used go first), each for at most `ttl`
    seconds; a ttl of 0 or less keeps nothing."""

    def __init__(self, ttl: float, size: int = 1024) -> None:
        self.ttl = ttl
        self.size = size
        self._key = os.urandom(32)  # per process: the keys mean nothing elsewhere
        self._items: OrderedDict[str, tuple[T, float]] = OrderedDict()
        self._lock = threading.Lock()

    def key(self, *parts: str | None) -> str:
        message = "\0".join(p or "" for p in parts).encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def fresh(self, value: T) -> bool:
        """Whether a value not yet past its time may still be used (subclasses say more)."""
        return True

    def get(self, key: str) -> T | None:
        if self.ttl <= 0:
            return None
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            value, until = item
            if time.time() >= until or not self.fresh(value):
                del self._items[key]
                return None
            self._items.move_to_end(key)
            return value

    def put(self, key: str, value: T, until: float | None = None) -> None:
        """Keep `value` for the ttl, or until `until` (a time.time()) if that is sooner."""
        if self.ttl <= 0 or value is None:
            return
        deadline = time.time() + self.ttl
        if until is not None:
            deadline = min(deadline, until)
        if deadline <= time.time():
            return
        with self._lock:
            self._items[key] = (value, deadline)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def drop(self, key: str) -> None:
        with self._lock:
            self._items.pop(key, None)
