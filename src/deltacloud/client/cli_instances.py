"""`deltacloud instance ...`: show, create, start, stop, reboot, destroy, with --wait."""

from __future__ import annotations

from pathlib import Path

import click

from deltacloud.client.cli_state import State, output_option, pass_state
from deltacloud.client.models import Instance
from deltacloud.client.progress import waiting

WAIT = click.option("--wait", is_flag=True, help="Wait until the instance gets there.")
TIMEOUT = click.option("--timeout", type=click.FloatRange(min=0, min_open=True),
                       default=300.0, show_default=True, help="Seconds --wait waits at most.")
# How often --wait asks; the mock's and most clouds' transitions take seconds.
POLL = 0.25


def _wait_for(state: State, id: str, wanted: str, timeout: float) -> Instance:
    with waiting(f"Instance {id}", state.progress) as show:
        return state.client().instances.wait(id, wanted, timeout=timeout, interval=POLL,
                                              on_poll=lambda inst: show(inst.state))


@click.group("instance")
def instance() -> None:
    """One instance: show, create, start, stop, reboot, destroy."""


@instance.command("show")
@click.argument("id")
@output_option
@pass_state
def show(state: State, id: str) -> None:
    """Show an instance."""
    state.output.one(state.client().instances.get(id))


@instance.command("create")
@click.option("--image", "image_id", required=True, help="The image to launch.")
@click.option("--hwp", "hwp_id", help="The hardware profile (size).")
@click.option("--realm", "realm_id", help="Where it runs.")
@click.option("--name", help="Its name, where the driver lets you name it.")
@click.option("--keyname", help="The key to log in with.")
@click.option("--user-data", "user_data", type=click.Path(exists=True, dir_okay=False,
                                                          path_type=Path),
              help="A file passed to the instance as user data.")
@click.option("--hwp-cpu", help="CPUs, within the profile.")
@click.option("--hwp-memory", help="Memory in MB, within the profile.")
@click.option("--hwp-storage", help="Storage in GB, within the profile.")
@WAIT
@TIMEOUT
@output_option
@pass_state
def create(state: State, image_id: str, hwp_id: str | None, realm_id: str | None,
           name: str | None, keyname: str | None, user_data: Path | None,
           hwp_cpu: str | None, hwp_memory: str | None, hwp_storage: str | None,
           wait: bool, timeout: float) -> None:
    """Launch an instance (--wait: until it is RUNNING)."""
    made = state.client().instances.create(
        image_id, hwp_id=hwp_id, realm_id=realm_id, name=name, keyname=keyname,
        user_data=user_data.read_text() if user_data else None, hwp_cpu=hwp_cpu,
        hwp_memory=hwp_memory, hwp_storage=hwp_storage)
    if wait:
        made = _wait_for(state, made.id, "RUNNING", timeout)
    state.output.one(made)


def _action(name: str, target: str, doc: str) -> click.Command:
    @click.argument("id")
    @WAIT
    @TIMEOUT
    @output_option
    @pass_state
    def command(state: State, id: str, wait: bool, timeout: float) -> None:
        changed = getattr(state.client().instances, name)(id)
        if wait:
            changed = _wait_for(state, id, target, timeout)
        state.output.one(changed)

    command.__doc__ = doc
    return instance.command(name)(command)


_action("start", "RUNNING", "Start a stopped instance (--wait: until RUNNING).")
_action("stop", "STOPPED", "Stop a running instance (--wait: until STOPPED).")
_action("reboot", "RUNNING", "Reboot a running instance (--wait: until RUNNING again).")


@instance.command("destroy")
@click.argument("id")
@WAIT
@TIMEOUT
@output_option
@pass_state
def destroy(state: State, id: str, wait: bool, timeout: float) -> None:
    """Destroy an instance (--wait: until it is gone)."""
    instances = state.client().instances
    instances.destroy(id)
    if wait:
        with waiting(f"Instance {id}", state.progress) as show:
            show("destroying")
            instances.wait_gone(id, timeout=timeout, interval=POLL)
    state.output.message(f"Instance {id} destroyed")
