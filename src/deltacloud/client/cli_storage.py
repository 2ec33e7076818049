"""`deltacloud bucket|blob|key ...`: what makes, moves and deletes stored things."""

from __future__ import annotations

import mimetypes
import os
import sys
import tempfile
from pathlib import Path, PurePosixPath
from typing import IO

import click

from deltacloud.client.blobs import size_of
from deltacloud.client.cli_state import State, output_option, pass_state
from deltacloud.client.progress import transfer


def _pairs(values: tuple[str, ...], what: str) -> dict[str, str]:
    out = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"{item!r} is not NAME=VALUE", param_hint=what)
        out[name] = value
    return out


@click.group("bucket")
def bucket() -> None:
    """One bucket: show, create, delete."""


@bucket.command("show")
@click.argument("name")
@output_option
@pass_state
def bucket_show(state: State, name: str) -> None:
    """Show a bucket."""
    state.output.one(state.client().buckets.get(name))


@bucket.command("create")
@click.argument("name")
@click.option("--location", help="Where, for clouds with the bucket_location feature.")
@output_option
@pass_state
def bucket_create(state: State, name: str, location: str | None) -> None:
    """Create a bucket."""
    state.output.one(state.client().buckets.create(name, location=location))


@bucket.command("delete")
@click.argument("name")
@output_option
@pass_state
def bucket_delete(state: State, name: str) -> None:
    """Delete an empty bucket."""
    state.client().buckets.delete(name)
    state.output.message(f"Bucket {name} deleted")


@click.command("blobs")
@click.argument("bucket_name", metavar="BUCKET")
@output_option
@pass_state
def blobs(state: State, bucket_name: str) -> None:
    """List the blobs of a bucket."""
    state.output.ids(state.client().blobs.list(bucket_name), "BLOB")


@click.group("blob")
def blob() -> None:
    """One blob: show, put, get, delete."""


@blob.command("show")
@click.argument("bucket_name", metavar="BUCKET")
@click.argument("blob_id", metavar="BLOB")
@output_option
@pass_state
def blob_show(state: State, bucket_name: str, blob_id: str) -> None:
    """Show a blob's size, type and metadata."""
    state.output.one(state.client().blobs.get(bucket_name, blob_id))


@blob.command("put")
@click.argument("bucket_name", metavar="BUCKET")
@click.argument("file", type=click.File("rb", lazy=False))
@click.option("--name", help="The blob's id (default: the file's name).")
@click.option("--meta", multiple=True, metavar="NAME=VALUE", help="User metadata; repeatable.")
@click.option("--content-type", help="Default: guessed from the name.")
@output_option
@pass_state
def blob_put(state: State, bucket_name: str, file: IO[bytes], name: str | None,
             meta: tuple[str, ...], content_type: str | None) -> None:
    """Upload FILE (`-` for standard input) as a blob, streamed."""
    blob_id = name or (None if file.name in ("-", "<stdin>") else Path(file.name).name)
    if not blob_id:
        raise click.UsageError("Give --name when reading standard input")
    kind = content_type or mimetypes.guess_type(blob_id)[0] or "application/octet-stream"
    metadata = _pairs(meta, "--meta")
    size = size_of(file)
    with transfer(f"put {blob_id}", size, state.progress) as advance:
        made = state.client().blobs.upload(bucket_name, blob_id, file, content_type=kind,
                                           metadata=metadata, progress=advance)
    state.output.one(made)


@blob.command("get")
@click.argument("bucket_name", metavar="BUCKET")
@click.argument("blob_id", metavar="BLOB")
@click.option("-o", "--output-file", "target", metavar="FILE",
              help="Where to write it: a file, or `-` for standard output "
                   "(default: the blob's name in the current directory).")
@click.option("--force", is_flag=True, help="Overwrite FILE if it exists.")
@pass_state
def blob_get(state: State, bucket_name: str, blob_id: str, target: str | None,
             force: bool) -> None:
    """Download a blob's bytes, streamed."""
    blobs = state.client().blobs
    if target == "-":
        out = sys.stdout.buffer
        with blobs.open(bucket_name, blob_id) as reader:
            for piece in reader:
                out.write(piece)
        out.flush()
        return
    path = Path(target or PurePosixPath(blob_id).name)
    if path.exists() and not force:
        raise click.UsageError(f"{path} exists: give --force to overwrite it")
    # A temporary file beside the target, renamed when complete: never half a file.
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as file, blobs.open(bucket_name, blob_id) as reader, \
                transfer(f"get {blob_id}", reader.size, state.progress) as advance:
            for piece in reader:
                file.write(piece)
                advance(len(piece))
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    if state.progress:
        click.echo(f"Saved {path}", err=True)


@blob.command("delete")
@click.argument("bucket_name", metavar="BUCKET")
@click.argument("blob_id", metavar="BLOB")
@output_option
@pass_state
def blob_delete(state: State, bucket_name: str, blob_id: str) -> None:
    """Delete a blob."""
    state.client().blobs.delete(bucket_name, blob_id)
    state.output.message(f"Blob {blob_id} deleted from {bucket_name}")


@click.group("key")
def key() -> None:
    """One key: show, create, delete."""


@key.command("show")
@click.argument("id")
@output_option
@pass_state
def key_show(state: State, id: str) -> None:
    """Show a key."""
    state.output.one(state.client().keys.get(id))


@key.command("create")
@click.argument("name")
@click.option("--public-key", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Import this OpenSSH public key instead of making a key pair.")
@output_option
@pass_state
def key_create(state: State, name: str, public_key: Path | None) -> None:
    """Create a key pair; its private key is printed once, here."""
    made = state.client().keys.create(
        name, public_key=public_key.read_text().strip() if public_key else None)
    state.output.one(made)
    if state.output_format != "json" and made.pem_rsa_key:
        click.echo(made.pem_rsa_key)


@key.command("delete")
@click.argument("id")
@output_option
@pass_state
def key_delete(state: State, id: str) -> None:
    """Delete a key."""
    state.client().keys.delete(id)
    state.output.message(f"Key {id} deleted")
