"""The `deltacloud` command against the real deltacloudd: env, profiles, output, exits."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from deltacloud.client import cli_state
from deltacloud.client.cli import main
from tests.process import Server, free_port

Run = Callable[..., Result]


@pytest.fixture
def run(server: Server, account: tuple[str, str], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> Run:
    """`deltacloud ARGS` with this test's account in the environment and no config file
    but the test's own."""
    for name in list(os.environ):
        if name.startswith("DELTACLOUD_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.chdir(tmp_path)
    user, password = account

    def invoke(*args: str, env: dict[str, str] | None = None, input: str | None = None,
               credentials: bool = True) -> Result:
        base = {"DELTACLOUD_URL": server.url}
        if credentials:
            base |= {"DELTACLOUD_USERNAME": user, "DELTACLOUD_PASSWORD": password}
        return CliRunner().invoke(main, list(args), env={**base, **(env or {})}, input=input)

    return invoke


def _json(result: Result) -> object:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_listings_as_tables_and_as_json(run: Run) -> None:
    table = run("instances")
    assert table.exit_code == 0, table.output
    assert "inst0" in table.stdout and "RUNNING" in table.stdout and "STATE" in table.stdout
    listed = _json(run("--output", "json", "instances", "--realm-id", "eu"))
    assert isinstance(listed, list) and listed
    assert {i["realm"]["id"] for i in listed} == {"eu"}
    # --output may follow the command, and filters are options of it.
    images = _json(run("images", "--architecture", "x86_64", "--output", "json"))
    assert isinstance(images, list) and all(i["architecture"] == "x86_64" for i in images)
    profiles = _json(run("hardware-profiles", "--output", "json"))
    assert isinstance(profiles, list) and "m1-small" in {p["id"] for p in profiles}
    drivers = run("drivers", credentials=False)
    assert drivers.exit_code == 0 and "mock" in drivers.stdout
    for command in ("realms", "keys", "storage-volumes", "storage-snapshots", "addresses",
                    "metrics", "buckets", "instance-states"):
        assert run(command).exit_code == 0, command


def test_an_instance_created_waited_for_stopped_and_destroyed(run: Run) -> None:
    made = _json(run("instance", "create", "--image", "img1", "--hwp", "m1-small",
                     "--realm", "us", "--name", "cli1", "--wait", "--timeout", "30",
                     "--output", "json"))
    assert isinstance(made, dict) and made["state"] == "RUNNING" and made["name"] == "cli1"
    id = made["id"]
    shown = run("instance", "show", id)
    assert shown.exit_code == 0 and "cli1" in shown.stdout
    stopped = _json(run("instance", "stop", id, "--wait", "--output", "json"))
    assert isinstance(stopped, dict) and stopped["state"] == "STOPPED"
    gone = run("instance", "destroy", id, "--wait")
    assert gone.exit_code == 0, gone.output
    missing = run("instance", "show", id)
    assert missing.exit_code == 1
    assert "404" in missing.stderr and "Instance not found" in missing.stderr


def test_errors_exit_non_zero_with_the_servers_message(run: Run) -> None:
    refused = run("instance", "start", "inst1")
    assert refused.exit_code == 1
    assert "405" in refused.stderr and "RUNNING" in refused.stderr
    as_json = run("--output", "json", "realm", "show", "502")
    assert as_json.exit_code == 1 and as_json.stdout == ""
    assert json.loads(as_json.stderr)["error"]["status"] == 502
    nobody = run("instances", credentials=False)
    assert nobody.exit_code == 1 and "401" in nobody.stderr and "--username" in nobody.stderr
    wrong = run("instances", env={"DELTACLOUD_PASSWORD": "wrong-password"})
    assert wrong.exit_code == 1 and "wrong-password" not in wrong.output
    unreachable = run("realms", env={"DELTACLOUD_URL": f"http://127.0.0.1:{free_port()}/api"})
    assert unreachable.exit_code == 3 and "Error" in unreachable.stderr
    usage = run("instance", "create")
    assert usage.exit_code == 2 and "--image" in usage.stderr


def test_a_wait_that_gives_up_exits_4(run: Run) -> None:
    # New instances stay PENDING for PENDING_SECONDS: far longer than this wait.
    gave_up = run("instance", "create", "--image", "img1", "--wait", "--timeout", "0.01")
    assert gave_up.exit_code == 4, gave_up.output
    assert "PENDING" in gave_up.stderr and "RUNNING" in gave_up.stderr


def test_settings_from_a_named_profile(run: Run, server: Server, account: tuple[str, str],
                                       tmp_path: Path) -> None:
    user, password = account
    config = tmp_path / "xdg" / "deltacloud" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(
        f'[default]\nurl = "http://127.0.0.1:{free_port()}/api"\n\n'
        f'[lab]\nurl = "{server.url}"\nusername = "{user}"\npassword = "{password}"\n'
        f'provider = "lab-provider"\n')
    config.chmod(0o600)
    entry = _json(run("--profile", "lab", "--output", "json", "api", credentials=False,
                      env={"DELTACLOUD_URL": ""}))
    assert isinstance(entry, dict) and entry["provider"] == "lab-provider"
    listed = run("instances", credentials=False, env={"DELTACLOUD_PROFILE": "lab",
                                                      "DELTACLOUD_URL": ""})
    assert listed.exit_code == 0 and "inst0" in listed.stdout
    # An option beats the environment, which beats the profile.
    shown = _json(run("--profile", "lab", "--provider", "from-option", "config",
                      "--output", "json", credentials=False,
                      env={"DELTACLOUD_URL": "", "DELTACLOUD_PROVIDER": "from-env"}))
    assert isinstance(shown, dict)
    assert shown["provider"] == "from-option" and shown["password"] == "(set)"
    assert password not in json.dumps(shown)
    assert shown["sources"]["username"] == "profile lab"
    missing = run("--profile", "nope", "realms", credentials=False)
    assert missing.exit_code == 2 and "nope" in missing.stderr
    # A password in a file others can read is refused.
    config.chmod(0o644)
    exposed = run("--profile", "lab", "realms", credentials=False, env={"DELTACLOUD_URL": ""})
    assert exposed.exit_code == 2 and "chmod 600" in exposed.stderr
    assert password not in exposed.output


def test_a_missing_password_is_prompted_for_hidden(run: Run, account: tuple[str, str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    user, password = account
    monkeypatch.setattr(cli_state, "interactive", lambda: True)
    result = run("--username", user, "instances", credentials=False, input=password + "\n")
    assert result.exit_code == 0, result.output
    assert "inst0" in result.stdout
    assert password not in result.output  # not echoed


def test_buckets_and_blobs_from_the_command_line(run: Run, tmp_path: Path) -> None:
    assert run("bucket", "create", "docs").exit_code == 0
    source = tmp_path / "report.txt"
    source.write_bytes(os.urandom(5000))
    put = _json(run("blob", "put", "docs", str(source), "--meta", "owner=ops",
                    "--meta", "kind=report", "--output", "json"))
    assert isinstance(put, dict)
    assert put["content_length"] == 5000 and put["content_type"] == "text/plain"
    assert put["user_metadata"] == {"owner": "ops", "kind": "report"}
    named = run("blob", "put", "docs", "-", "--name", "from-stdin", input="hello")
    assert named.exit_code == 0, named.output
    listed = _json(run("blobs", "docs", "--output", "json"))
    assert listed == ["from-stdin", "report.txt"]
    target = tmp_path / "copy.txt"
    got = run("blob", "get", "docs", "report.txt", "-o", str(target))
    assert got.exit_code == 0, got.output
    assert target.read_bytes() == source.read_bytes()
    again = run("blob", "get", "docs", "report.txt", "-o", str(target))
    assert again.exit_code == 2 and "--force" in again.stderr
    default_name = run("blob", "get", "docs", "from-stdin")
    assert default_name.exit_code == 0 and (tmp_path / "from-stdin").read_text() == "hello"
    to_stdout = run("blob", "get", "docs", "from-stdin", "-o", "-")
    assert to_stdout.stdout_bytes == b"hello"
    missing = run("blob", "get", "docs", "nothing", "-o", str(tmp_path / "nothing"))
    assert missing.exit_code == 1 and "404" in missing.stderr
    assert not (tmp_path / "nothing").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]
    bad_meta = run("blob", "put", "docs", str(source), "--meta", "novalue")
    assert bad_meta.exit_code == 2
    busy = run("bucket", "delete", "docs")
    assert busy.exit_code == 1 and "409" in busy.stderr
    for blob in ("report.txt", "from-stdin"):
        assert run("blob", "delete", "docs", blob).exit_code == 0
    assert run("bucket", "delete", "docs").exit_code == 0


def test_keys_from_the_command_line(run: Run) -> None:
    made = run("key", "create", "cli-key")
    assert made.exit_code == 0 and "PRIVATE KEY" in made.stdout
    assert run("key", "show", "cli-key").exit_code == 0
    assert run("key", "delete", "cli-key").exit_code == 0
    assert run("key", "show", "cli-key").exit_code == 1


def test_shell_completion_is_clicks_own(run: Run) -> None:
    script = run("completion", "bash", credentials=False)
    assert script.exit_code == 0 and "_DELTACLOUD_COMPLETE" in script.stdout
    completed = CliRunner().invoke(main, [], env={"_DELTACLOUD_COMPLETE": "bash_complete",
                                                  "COMP_WORDS": "deltacloud inst",
                                                  "COMP_CWORD": "1"}, prog_name="deltacloud")
    assert "instances" in completed.stdout and "instance-states" in completed.stdout
