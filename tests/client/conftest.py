"""One real deltacloudd (mock driver) for the client's tests; each test gets an account of
its own, so each sees a fresh copy of the mock cloud whatever the others did."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from deltacloud.client import Client
from tests.process import Server

ACCOUNTS = 64
# New instances stay PENDING this long: long enough to be seen, short enough to wait for.
PENDING_SECONDS = "1"
_next_account = itertools.count()


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    users = ",".join(f"user{i}:secret{i}" for i in range(ACCOUNTS))
    env = {"DELTACLOUD_MOCK_USERS": users,
           "DELTACLOUD_MOCK_PENDING_SECONDS": PENDING_SECONDS}
    with Server(tmp_path_factory.mktemp("client-server"), "-i", "mock", "-w", "1",
                env=env) as running:
        yield running


@pytest.fixture
def account() -> tuple[str, str]:
    n = next(_next_account)
    assert n < ACCOUNTS, "raise ACCOUNTS: more tests than accounts"
    return f"user{n}", f"secret{n}"


@pytest.fixture
def dc(server: Server, account: tuple[str, str]) -> Iterator[Client]:
    with Client(server.url, *account, timeout=30) as client:
        yield client


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path
