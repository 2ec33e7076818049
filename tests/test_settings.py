"""The settings: one statement in `SETTINGS`, parsed the same from variables and options,
and documented by exactly one README table."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from deltacloud.drivers.urls import EndpointPolicy
from deltacloud.settings import SETTINGS, Settings

README = Path(__file__).resolve().parents[1] / "README.md"


def _readme_table() -> dict[str, str]:
    """variable -> option column, from the README's settings table."""
    text = README.read_text()
    start = text.index("<!-- settings:")
    rows = {}
    for line in text[start:].splitlines()[1:]:
        if not line.startswith("|"):
            if rows:
                break
            continue
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        found = re.fullmatch(r"`([A-Z0-9_]+)`", cells[0])
        if found:
            rows[found.group(1)] = cells[1]
    return rows


def test_the_readme_lists_every_setting_and_nothing_else() -> None:
    table = _readme_table()
    assert list(table) == [setting.variable for setting in SETTINGS]
    for setting in SETTINGS:
        options = re.findall(r"`([^`]+)`", table[setting.variable])
        assert options == (setting.option.split("/") if setting.option else [])


def test_every_setting_fills_a_field_of_its_own() -> None:
    fields = [setting.field for setting in SETTINGS]
    assert len(set(fields)) == len(fields)
    assert set(fields) <= set(Settings.__dataclass_fields__)
    assert len({setting.variable for setting in SETTINGS}) == len(SETTINGS)


def test_the_defaults_are_the_dataclass_defaults() -> None:
    settings = Settings.from_environment({})
    assert settings.driver == "mock" and settings.port == 3001
    assert settings.provider is None and settings.verbose is False
    assert settings.aws_endpoints == {}


def test_variables_are_parsed_into_values() -> None:
    settings = Settings.from_environment({
        "API_DRIVER": " EC2 ", "API_PORT": "8080", "DELTACLOUD_VERBOSE": "yes",
        "DELTACLOUD_HEADER_TIMEOUT": "2.5", "DELTACLOUD_MOCK_USERS": "a:b:c, d.e:",
        "DELTACLOUD_VSPHERE_INSECURE": "0", "DELTACLOUD_DATA_DIR": "/srv/dc",
        "DELTACLOUD_ALLOWED_ENDPOINTS": "10.0.0.0/8",
    })
    assert settings.driver == "ec2" and settings.port == 8080 and settings.verbose
    assert settings.header_timeout == 2.5
    assert dict(settings.mock_users) == {"a": "b:c", "d.e": ""}
    assert settings.vsphere_insecure is False
    assert settings.data_dir == Path("/srv/dc")
    assert settings.endpoints == EndpointPolicy.parse("10.0.0.0/8")


def test_options_win_over_variables_and_text_is_parsed_alike() -> None:
    settings = Settings.from_environment({"API_PORT": "8080", "API_PROVIDER": "eu"},
                                         port="9090", provider=None, workers=3)
    assert settings.port == 9090 and settings.provider == "eu" and settings.workers == 3


def test_an_empty_variable_is_the_default() -> None:
    assert Settings.from_environment({"API_PORT": " "}).port == 3001


@pytest.mark.parametrize(("variable", "text"), [
    ("API_PORT", "65536"), ("API_PORT", "-1"), ("API_PORT", "٣٠٠١"), ("API_PORT", "1e3"),
    ("API_WORKERS", "0"), ("DELTACLOUD_HEADER_TIMEOUT", "0"),
    ("DELTACLOUD_HEADER_TIMEOUT", "nan"), ("DELTACLOUD_HEADER_TIMEOUT", "inf"),
    ("DELTACLOUD_MOCK_PENDING_SECONDS", "-1"), ("DELTACLOUD_VERBOSE", "maybe"),
    ("DELTACLOUD_MOCK_USERS", "nopassword"), ("DELTACLOUD_MOCK_USERS", "bad user:x"),
    ("DELTACLOUD_SWIFT_SEGMENT_SIZE", "0"),
])
def test_a_malformed_variable_is_refused_by_name(variable: str, text: str) -> None:
    with pytest.raises(ValueError, match=f"^{variable}: must be"):
        Settings.from_environment({variable: text})


def test_a_malformed_option_is_refused_by_its_option_name() -> None:
    with pytest.raises(ValueError, match=r"^--port: must be"):
        Settings.from_environment({}, port="http")


def test_an_unknown_option_is_a_programming_error() -> None:
    with pytest.raises(TypeError, match="colour"):
        Settings.from_environment({}, colour="blue")


def test_aws_endpoint_variables_follow_the_sdk() -> None:
    env = {"AWS_ENDPOINT_URL": "http://127.0.0.1:5000",
           "AWS_ENDPOINT_URL_S3": "http://127.0.0.1:5001"}
    endpoints = Settings.from_environment(env).aws_endpoints
    assert endpoints["s3"] == "http://127.0.0.1:5001"
    assert endpoints["ec2"] == endpoints["elb"] == "http://127.0.0.1:5000"
    ignored = {**env, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"}
    assert Settings.from_environment(ignored).aws_endpoints == {}
