"""What drivers keep in memory across requests, always bounded.

`ExpiringCache`: answers and tokens, each for a TTL (never past a given expiry), keyed by
an HMAC (with a random per-process key) of what the answer depends on, the credentials
among them: no key holds a secret, and what was fetched with one user's credentials is
only ever given back to the same credentials.

`LruCache`: objects that hold no secret but cost to build (SDK clients, discovered API
versions), keyed by what a client names (a region, an endpoint): the least recently
used go first, and are closed as they go.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)


class ExpiringCache(Generic[T]):
    """At most `size` values (the least recently used go first), each for at most `ttl`
    seconds; a ttl of 0 or less keeps nothing.

    For tokens, `expiry` reads a value's own expiry (a time.time(), or None): a value is
    then never kept past `margin` seconds before it, so what is handed out still works.
    """

    def __init__(self, ttl: float, size: int = 1024,
                 expiry: Callable[[T], float | None] | None = None,
                 margin: float = 120.0) -> None:
        self.ttl = ttl
        self.size = size
        self._expiry = expiry
        self.margin = margin
        self._key = os.urandom(32)  # per process: the keys mean nothing elsewhere
        self._items: OrderedDict[str, tuple[T, float]] = OrderedDict()
        self._lock = threading.Lock()

    def key(self, *parts: str | None) -> str:
        message = "\0".join(p or "" for p in parts).encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def get(self, key: str) -> T | None:
        if self.ttl <= 0:
            return None
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            value, until = item
            if time.time() >= until:
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
        expires = self._expiry(value) if self._expiry is not None else None
        if expires is not None:
            deadline = min(deadline, expires - self.margin)
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


class LruCache(Generic[K, T]):
    """At most `size` values; the least recently used is evicted first and handed to
    `close` (say, a client's `close`), outside the lock."""

    def __init__(self, size: int, close: Callable[[T], object] | None = None) -> None:
        self.size = size
        self._close = close
        self._items: OrderedDict[K, T] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def values(self) -> list[T]:
        with self._lock:
            return list(self._items.values())

    def get(self, key: K) -> T | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def get_or_make(self, key: K, make: Callable[[], T]) -> T:
        """The value for `key`, made (outside the lock) if absent; of two threads making
        the same one, the first to finish wins and the other's is closed."""
        found = self.get(key)
        if found is not None:
            return found
        made = make()
        evicted: list[T] = []
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                evicted.append(made)
            else:
                found = self._items[key] = made
                while len(self._items) > self.size:
                    evicted.append(self._items.popitem(last=False)[1])
        for value in evicted:
            self._discard(value)
        return found

    def clear(self) -> None:
        with self._lock:
            evicted = list(self._items.values())
            self._items.clear()
        for value in evicted:
            self._discard(value)

    def _discard(self, value: T) -> None:
        if self._close is not None:
            # An evicted client that fails to close is gone all the same.
            with contextlib.suppress(Exception):
                self._close(value)
