"""What a test needs from this machine, and what happens when it is not there.

Locally a missing back-end (an emulator, an SDK, the test OpenStack) skips its tests with
the reason. Under CI=true, where `.ci/run` installs every one of them, it is a failure:
a back-end that cannot be installed or started must not pass as a skip.
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType
from typing import NoReturn

import pytest


def backend_missing(reason: str) -> NoReturn:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: every back-end must be there)")
    pytest.skip(reason)


def require_module(name: str, reason: str) -> ModuleType:
    """The module, imported; or the back-end is missing."""
    try:
        return importlib.import_module(name)
    except ImportError:
        backend_missing(reason)
