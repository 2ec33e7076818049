"""Progress shown on standard error while the command line works: a bar for blob
transfers, a spinner with the current state while waiting. Off when standard error is
not a terminal (or with --quiet), so scripts and logs get none of it."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)


def _console() -> Console:
    return Console(stderr=True)


@contextlib.contextmanager
def transfer(label: str, total: int | None, enabled: bool) -> Iterator[Callable[[int], None]]:
    """A bar of bytes moved; yields the function to call with each piece's size."""
    console = _console()
    with Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
                  TransferSpeedColumn(), TimeRemainingColumn(), console=console,
                  disable=not (enabled and console.is_terminal), transient=False) as bar:
        task = bar.add_task(label, total=total)
        yield lambda n: bar.advance(task, n)


@contextlib.contextmanager
def waiting(label: str, enabled: bool) -> Iterator[Callable[[str], None]]:
    """A spinner with the elapsed time; yields the function that shows the latest state."""
    console = _console()
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=console, disable=not (enabled and console.is_terminal),
                  transient=True) as spinner:
        task = spinner.add_task(label, total=None)
        yield lambda state: spinner.update(task, description=f"{label}: {state}")
