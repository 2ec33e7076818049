"""The mock cloud's state: one SQLite database per mock user.

Every write runs in one IMMEDIATE transaction committed with synchronous=FULL
before the API answers, so a `kill -9` at any moment keeps every answered
write and leaves nothing half-made (SQLite's journal rolls back the rest).
Documents are JSON, one row per resource, in insertion order.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

Doc = dict[str, Any]

SCHEMA = """
CREATE TABLE IF NOT EXISTS resources (
    collection TEXT NOT NULL,
    id TEXT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (collection, id)
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class Transaction:
    """Reads and writes inside one open transaction."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def all(self, collection: str, prefix: str = "") -> list[Doc]:
        """Every document of a collection, or those whose id starts with `prefix`."""
        if prefix:
            rows = self._conn.execute(
                "SELECT doc FROM resources WHERE collection = ? AND id >= ? AND id < ? "
                "ORDER BY id",
                (collection, prefix, prefix + "\U0010ffff"),
            )
        else:
            rows = self._conn.execute(
                "SELECT doc FROM resources WHERE collection = ? ORDER BY rowid", (collection,)
            )
        return [json.loads(r[0]) for r in rows]

    def count(self, collection: str, prefix: str) -> int:
        row = self._conn.execute(
            "SELECT count(*) FROM resources WHERE collection = ? AND id >= ? AND id < ?",
            (collection, prefix, prefix + "\U0010ffff"),
        ).fetchone()
        return int(row[0])

    def get(self, collection: str, id: str) -> Doc | None:
        row = self._conn.execute(
            "SELECT doc FROM resources WHERE collection = ? AND id = ?", (collection, id)
        ).fetchone()
        return json.loads(row[0]) if row else None

    def put(self, collection: str, doc: Doc) -> Doc:
        self._conn.execute(
            "INSERT INTO resources (collection, id, doc) VALUES (?, ?, ?) "
            "ON CONFLICT (collection, id) DO UPDATE SET doc = excluded.doc",
            (collection, doc["id"], json.dumps(doc)),
        )
        return doc

    def delete(self, collection: str, id: str) -> None:
        self._conn.execute("DELETE FROM resources WHERE collection = ? AND id = ?",
                           (collection, id))

    def next_id(self, prefix: str, start: int = 0) -> str:
        """A fresh id such as inst4: never one used before, even after a delete."""
        key = f"counter:{prefix}"
        row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        number = int(row[0]) if row else start
        self._conn.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, str(number + 1)),
        )
        return f"{prefix}{number}"

    def meta(self, key: str) -> str | None:
        row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self._conn.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )


class MockStore:
    """A database file, with one connection per thread and seeding on first use."""

    def __init__(self, path: Path, seed: Callable[[Transaction], None]) -> None:
        self.path = path
        self._local = threading.local()
        path.parent.mkdir(parents=True, exist_ok=True)
        with self.write() as txn:
            if txn.meta("seeded") is None:
                seed(txn)
                txn.set_meta("seeded", "1")

    def _connection(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, isolation_level=None, timeout=30)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.executescript(SCHEMA)
            self._local.conn = conn
        return conn

    def read(self) -> Transaction:
        """A reader for one statement at a time (WAL gives each a consistent view)."""
        return Transaction(self._connection())

    @contextmanager
    def write(self) -> Iterator[Transaction]:
        conn = self._connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield Transaction(conn)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
