"""What every `deltacloud` command shares: the resolved settings, the output, the client
(made on first use, prompting for a missing password on a terminal), and the exit codes."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from deltacloud.client.client import Client
from deltacloud.client.config import Settings, resolve
from deltacloud.client.output import Output

OK, API_ERROR, USAGE, UNREACHABLE, WAIT_TIMEOUT = 0, 1, 2, 3, 4
FORMATS = ("table", "json")
F = TypeVar("F", bound=Callable[..., Any])


def interactive() -> bool:
    """Whether a person can be asked for a password."""
    return sys.stdin.isatty()


class State:
    """One invocation's context, on click's `ctx.obj`."""

    def __init__(self, options: dict[str, Any], config: str | None, profile: str | None,
                 output: str, quiet: bool) -> None:
        self._options = options
        self._config = config
        self._profile = profile
        self.output_format = output
        self.quiet = quiet
        self._settings: Settings | None = None
        self._client: Client | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = resolve(self._options, os.environ, self._config, self._profile)
        return self._settings

    @property
    def output(self) -> Output:
        return Output(self.output_format)

    @property
    def progress(self) -> bool:
        return not self.quiet and self.output_format != "json"

    def client(self) -> Client:
        if self._client is None:
            s = self.settings
            password = s.password
            if s.username is not None and password is None and interactive():
                password = click.prompt(f"Password for {s.username}", hide_input=True,
                                        err=True, default="", show_default=False)
            self._client = Client(s.url, s.username, password, driver=s.driver,
                                  provider=s.provider, timeout=s.timeout)
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()


pass_state = click.make_pass_decorator(State)


def _store_output(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value is not None:
        ctx.ensure_object(State).output_format = value


def output_option(fn: F) -> F:
    """`--output table|json` on a command too, so it may follow the command's name."""
    return click.option("--output", type=click.Choice(FORMATS), default=None,
                        expose_value=False, callback=_store_output,
                        help="table for people, json for scripts")(fn)
