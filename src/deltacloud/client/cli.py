"""`deltacloud`: the Deltacloud API from a shell.

Settings come from options, then DELTACLOUD_* variables, then a profile of the config file
(`deltacloud.client.config`). Exit status: 0 done; 1 the server refused (its message is
printed); 2 bad usage or configuration; 3 the server could not be reached; 4 --wait gave up.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import click
import orjson
from click.shell_completion import get_completion_class

from deltacloud.client import models as m
from deltacloud.client.cli_instances import instance
from deltacloud.client.cli_state import (
    API_ERROR,
    FORMATS,
    UNREACHABLE,
    USAGE,
    WAIT_TIMEOUT,
    State,
    output_option,
    pass_state,
)
from deltacloud.client.cli_storage import blob, blobs, bucket, key
from deltacloud.client.client import Client
from deltacloud.client.config import ConfigError
from deltacloud.client.errors import APIError, ClientError, ConnectionFailed, WaitTimeout

PROG = "deltacloud"


def _fail(state: State | None, status: int, message: str, api: APIError | None = None) -> None:
    """Say what went wrong on standard error (as JSON with --output json) and exit."""
    if state is not None and state.output_format == "json":
        doc: dict[str, Any] = {"message": message}
        if api is not None:
            doc.update(status=api.status, code=api.code)
        click.echo(orjson.dumps({"error": doc}).decode(), err=True)
    else:
        prefix = f"Error {api.status}" if api is not None else "Error"
        click.secho(f"{prefix}: {message}", err=True, fg="red")
    raise click.exceptions.Exit(status)


class DeltacloudGroup(click.Group):
    """Turns the client's exceptions into a message and an exit status."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except APIError as exc:
            hint = ""
            if exc.status == 401 and ctx.obj is not None and ctx.obj.settings.username is None:
                hint = " (no credentials: set --username or DELTACLOUD_USERNAME)"
            _fail(ctx.obj, API_ERROR, exc.message + hint, exc)
        except ConfigError as exc:
            _fail(ctx.obj, USAGE, str(exc))
        except ConnectionFailed as exc:
            _fail(ctx.obj, UNREACHABLE, str(exc))
        except WaitTimeout as exc:
            _fail(ctx.obj, WAIT_TIMEOUT, str(exc))
        except ClientError as exc:
            _fail(ctx.obj, API_ERROR, str(exc))
        finally:
            if isinstance(ctx.obj, State):
                ctx.obj.close()


@click.group(PROG, cls=DeltacloudGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--url", help="The API's entry point [$DELTACLOUD_URL; default "
                            "http://localhost:3001/api].")
@click.option("-u", "--username", help="The cloud's user or key id [$DELTACLOUD_USERNAME]. "
                                       "The password comes from $DELTACLOUD_PASSWORD, the "
                                       "profile, or a prompt.")
@click.option("--driver", help="The driver [$DELTACLOUD_DRIVER; default: the server's].")
@click.option("--provider", help="The provider [$DELTACLOUD_PROVIDER].")
@click.option("--profile", help="A profile of the config file [$DELTACLOUD_PROFILE].")
@click.option("--config", "config", metavar="FILE",
              help="The config file [$DELTACLOUD_CONFIG; default "
                   "~/.config/deltacloud/config.toml].")
@click.option("--http-timeout", type=click.FloatRange(min=0, min_open=True),
              help="Seconds to wait for each answer (default 60).")
@click.option("--output", type=click.Choice(FORMATS), envvar="DELTACLOUD_OUTPUT",
              default="table", show_default=True, help="table for people, json for scripts.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bars or spinners.")
@click.version_option(package_name="deltacloud-server", prog_name=PROG)
@click.pass_context
def main(ctx: click.Context, url: str | None, username: str | None, driver: str | None,
         provider: str | None, profile: str | None, config: str | None,
         http_timeout: float | None, output: str, quiet: bool) -> None:
    """Talk to a Deltacloud server: instances, images, buckets and blobs on any cloud."""
    options = {"url": url, "username": username, "driver": driver, "provider": provider,
               "timeout": http_timeout}
    ctx.obj = State(options, config, profile, output, quiet)


# -- listings: one command per collection, and `SINGULAR show ID` --------------


@dataclass(frozen=True)
class Listing:
    command: str  # the plural, as typed: hardware-profiles
    singular: str  # the group of one: hardware-profile
    accessor: str  # the Client attribute: hardware_profiles
    model: type
    filters: tuple[str, ...] = ()


LISTINGS = (
    Listing("realms", "realm", "realms", m.Realm, ("state",)),
    Listing("images", "image", "images", m.Image, ("architecture", "owner_id")),
    Listing("hardware-profiles", "hardware-profile", "hardware_profiles", m.HardwareProfile,
            ("architecture",)),
    Listing("instances", "instance", "instances", m.Instance,
            ("state", "image_id", "realm_id")),
    Listing("keys", "key", "keys", m.Key),
    Listing("storage-volumes", "storage-volume", "storage_volumes", m.StorageVolume,
            ("state",)),
    Listing("storage-snapshots", "storage-snapshot", "storage_snapshots",
            m.StorageSnapshot),
    Listing("addresses", "address", "addresses", m.Address),
    Listing("firewalls", "firewall", "firewalls", m.Firewall),
    Listing("load-balancers", "load-balancer", "load_balancers", m.LoadBalancer),
    Listing("metrics", "metric", "metrics", m.Metric),
    Listing("buckets", "bucket", "buckets", m.Bucket),
)


def _list_command(listing: Listing) -> click.Command:
    # Not `state`: that is a filter's name.
    def command(invocation: State, **filters: str | None) -> None:
        given = {k: v for k, v in filters.items() if v is not None}
        items = getattr(invocation.client(), listing.accessor).list(**given)
        invocation.output.table(items, listing.model)

    command.__doc__ = f"List {listing.command.replace('-', ' ')}."
    decorated: Callable[..., None] = pass_state(command)
    decorated = output_option(decorated)
    for name in reversed(("id", *listing.filters)):
        decorated = click.option(f"--{name.replace('_', '-')}", name,
                                 help=f"Only those whose {name} is this.")(decorated)
    return click.command(listing.command)(decorated)


def _show_command(listing: Listing) -> click.Command:
    def command(state: State, id: str) -> None:
        state.output.one(getattr(state.client(), listing.accessor).get(id))

    command.__doc__ = f"Show one {listing.singular.replace('-', ' ')}."
    return click.command("show")(click.argument("id")(output_option(pass_state(command))))


def _single_group(listing: Listing) -> click.Group:
    group = click.Group(listing.singular,
                        help=f"One {listing.singular.replace('-', ' ')}.")
    group.add_command(_show_command(listing))
    return group


@click.command("drivers")
@output_option
@pass_state
def drivers(state: State) -> None:
    """List the drivers the server has (no credentials needed)."""
    state.output.table(state.client().drivers.list(), m.Driver)


@click.command("instance-states")
@output_option
@pass_state
def instance_states(state: State) -> None:
    """Show the driver's instance state machine."""
    state.output.table(state.client().instance_states(), m.InstanceState)


@click.command("api")
@click.option("--check", is_flag=True, help="Have the server try the credentials on the cloud.")
@output_option
@pass_state
def api(state: State, check: bool) -> None:
    """Show the entry point: version, driver, provider, collections and features."""
    entry = state.client().api(check_credentials=check)
    if state.output_format == "json":
        state.output.json(entry)
        return
    state.output.message(f"Deltacloud API {entry.version}: driver {entry.driver}, "
                         f"provider {entry.provider}")
    rows = [(name, ", ".join(features)) for name, features in entry.collections.items()]
    width = max((len(n) for n, _ in rows), default=0)
    for name, features in rows:
        state.output.message(f"  {name:<{width}}  {features}".rstrip())


@click.command("config")
@output_option
@pass_state
def show_config(state: State) -> None:
    """Show the settings in force and where each came from (never the password)."""
    s = state.settings
    shown = {"url": s.url, "username": s.username, "driver": s.driver,
             "provider": s.provider, "timeout": s.timeout,
             "password": "(set)" if s.password else "(not set)"}
    if state.output_format == "json":
        state.output.json({**shown, "sources": dict(s.sources)})
        return
    for name, value in shown.items():
        source = s.sources.get(name, "default")
        state.output.message(f"{name:<9} {'' if value is None else value}  [{source}]")


@click.command("completion")
@click.argument("shell", type=click.Choice(["bash", "zsh", "fish"]))
def completion(shell: str) -> None:
    """Print the shell completion script (Click's): eval "$(deltacloud completion bash)"."""
    cls = get_completion_class(shell)
    assert cls is not None
    click.echo(cls(main, {}, PROG, "_DELTACLOUD_COMPLETE").source())


def _register(group: click.Group, commands: Sequence[click.Command]) -> None:
    for command in commands:
        group.add_command(command)


_register(main, [drivers, instance_states, api, show_config, completion, blobs, instance,
                 bucket, blob, key])
for _listing in LISTINGS:
    main.add_command(_list_command(_listing))
    if _listing.singular not in main.commands:
        main.add_command(_single_group(_listing))


def client_from_environment() -> Client:
    """A Client with the command line's settings (environment and default profile), for
    scripts that want what `deltacloud` would use."""
    return State({}, None, None, "table", True).client()


if __name__ == "__main__":
    main()
