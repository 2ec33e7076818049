"""How the command line shows results: Rich tables for people, JSON for scripts.

JSON output is the server's own JSON object for each resource (a list for listings), so
a script reads the same fields the API documents.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import click
import orjson
from rich.console import Console
from rich.table import Table

from deltacloud.client import models as m

Cell = Callable[[Any], object]


@dataclass(frozen=True)
class Columns:
    """The columns of a resource's table: (heading, how to read the cell)."""

    columns: tuple[tuple[str, Cell], ...]


def _join(values: Sequence[object]) -> str:
    return ", ".join(str(v) for v in values)


COLUMNS: dict[type, Columns] = {
    m.Driver: Columns((("ID", lambda d: d.id), ("NAME", lambda d: d.name),
                       ("PROVIDERS", lambda d: len(d.providers)))),
    m.Realm: Columns((("ID", lambda r: r.id), ("NAME", lambda r: r.name),
                      ("STATE", lambda r: r.state), ("LIMIT", lambda r: r.limit))),
    m.Image: Columns((("ID", lambda i: i.id), ("NAME", lambda i: i.name),
                      ("ARCH", lambda i: i.architecture), ("STATE", lambda i: i.state),
                      ("DESCRIPTION", lambda i: i.description))),
    m.HardwareProfile: Columns(tuple(
        [("ID", lambda h: h.id)]
        + [(p.upper(), (lambda name: lambda h: h.properties.get(name, ""))(p))
           for p in ("cpu", "memory", "storage", "architecture")])),
    m.Instance: Columns((("ID", lambda i: i.id), ("NAME", lambda i: i.name),
                         ("STATE", lambda i: i.state), ("IMAGE", lambda i: i.image_id),
                         ("REALM", lambda i: i.realm_id),
                         ("PROFILE", lambda i: i.hardware_profile_id),
                         ("PUBLIC ADDRESSES", lambda i: _join(i.public_addresses)),
                         ("ACTIONS", lambda i: _join(i.actions)))),
    m.Key: Columns((("ID", lambda k: k.id), ("TYPE", lambda k: k.credential_type),
                    ("STATE", lambda k: k.state), ("FINGERPRINT", lambda k: k.fingerprint))),
    m.StorageVolume: Columns((("ID", lambda v: v.id), ("NAME", lambda v: v.name),
                              ("STATE", lambda v: v.state), ("GB", lambda v: v.capacity),
                              ("REALM", lambda v: v.realm_id),
                              ("INSTANCE", lambda v: v.instance_id),
                              ("DEVICE", lambda v: v.device))),
    m.StorageSnapshot: Columns((("ID", lambda s: s.id), ("NAME", lambda s: s.name),
                                ("STATE", lambda s: s.state),
                                ("VOLUME", lambda s: s.storage_volume_id),
                                ("CREATED", lambda s: s.created))),
    m.Address: Columns((("ID", lambda a: a.id), ("ASSOCIATED", lambda a: a.associated),
                        ("INSTANCE", lambda a: a.instance_id))),
    m.Firewall: Columns((("ID", lambda f: f.id), ("NAME", lambda f: f.name),
                         ("DESCRIPTION", lambda f: f.description),
                         ("RULES", lambda f: len(f.rules)))),
    m.LoadBalancer: Columns((("ID", lambda b: b.id), ("REALMS", lambda b: _join(b.realms)),
                             ("INSTANCES", lambda b: _join(b.instances)),
                             ("ADDRESSES", lambda b: _join(b.public_addresses)))),
    m.Metric: Columns((("ID", lambda x: x.id), ("ENTITY", lambda x: x.entity),
                       ("PROPERTIES", lambda x: _join(list(x.properties))))),
    m.Bucket: Columns((("ID", lambda b: b.id), ("BLOBS", lambda b: b.size),
                       ("LOCATION", lambda b: b.location))),
    m.Blob: Columns((("ID", lambda b: b.id), ("BUCKET", lambda b: b.bucket),
                     ("BYTES", lambda b: b.content_length),
                     ("TYPE", lambda b: b.content_type),
                     ("MODIFIED", lambda b: b.last_modified),
                     ("METADATA", lambda b: _join([f"{k}={v}" for k, v in
                                                   b.user_metadata.items()])))),
    m.InstanceState: Columns((("STATE", lambda s: s.name), ("TRANSITIONS", lambda s: _join(
        [f"{t.action or 'auto'} -> {t.to}" for t in s.transitions])))),
}


def _cell(value: object) -> str:
    return "" if value is None else str(value)


def as_json(value: Any) -> object:
    """What --output json prints of a result."""
    if isinstance(value, list):
        return [as_json(v) for v in value]
    raw = getattr(value, "raw", None)
    if isinstance(raw, dict):
        return raw
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    return value


class Output:
    """Prints results in the chosen format to standard output."""

    def __init__(self, fmt: str) -> None:
        self.format = fmt
        self.console = Console(highlight=False, soft_wrap=False)

    def json(self, value: object) -> None:
        click.echo(orjson.dumps(as_json(value), option=orjson.OPT_INDENT_2).decode())

    def table(self, items: Sequence[Any], kind: type) -> None:
        if self.format == "json":
            self.json(list(items))
            return
        table = Table(box=None, pad_edge=False, header_style="bold")
        columns = COLUMNS[kind].columns
        for heading, _ in columns:
            table.add_column(heading, overflow="fold")
        for item in items:
            table.add_row(*(_cell(read(item)) for _, read in columns))
        self.console.print(table)

    def one(self, item: Any) -> None:
        """One resource: its fields as NAME value lines (or its JSON)."""
        if self.format == "json":
            self.json(item)
            return
        table = Table(box=None, show_header=False, pad_edge=False)
        table.add_column(style="bold")
        table.add_column(overflow="fold")
        for heading, read in COLUMNS[type(item)].columns:
            table.add_row(heading, _cell(read(item)))
        self.console.print(table)

    def ids(self, ids: Sequence[str], heading: str) -> None:
        if self.format == "json":
            self.json(list(ids))
            return
        table = Table(box=None, pad_edge=False, header_style="bold")
        table.add_column(heading, overflow="fold")
        for id in ids:
            table.add_row(id)
        self.console.print(table)

    def message(self, text: str) -> None:
        """A short confirmation, for people only (JSON output prints results only)."""
        if self.format != "json":
            click.echo(text)
