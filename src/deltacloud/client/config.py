"""Where the command line's settings come from: options, then environment variables, then
a profile of the config file, then defaults.

The file is TOML, one table per profile, like the AWS CLI's:

    [default]
    url = "http://localhost:3001/api"
    username = "mockuser"

    [ec2-eu]
    url = "https://deltacloud.example.com/api"
    driver = "ec2"
    provider = "eu-west-1"
    username = "AKIA..."
    password = "..."        # allowed; the file must then be private (chmod 600)
"""

from __future__ import annotations

import os
import stat
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from deltacloud.client.errors import ClientError
from deltacloud.client.session import DEFAULT_URL

ENV = {
    "url": "DELTACLOUD_URL",
    "username": "DELTACLOUD_USERNAME",
    "password": "DELTACLOUD_PASSWORD",
    "driver": "DELTACLOUD_DRIVER",
    "provider": "DELTACLOUD_PROVIDER",
    "profile": "DELTACLOUD_PROFILE",
    "config": "DELTACLOUD_CONFIG",
}
PROFILE_KEYS = ("url", "username", "password", "driver", "provider", "timeout")


class ConfigError(ClientError):
    """The config file or a setting is wrong; the message says which, never a value."""


@dataclass(frozen=True)
class Settings:
    url: str = DEFAULT_URL
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    driver: str | None = None
    provider: str | None = None
    timeout: float = 60.0
    # Where each value came from, for `deltacloud config` (never the password's value).
    sources: Mapping[str, str] = field(default_factory=dict)


def config_path(given: str | None, env: Mapping[str, str]) -> Path:
    """--config, else DELTACLOUD_CONFIG, else $XDG_CONFIG_HOME (or ~/.config)/deltacloud."""
    if given:
        return Path(given).expanduser()
    if env.get(ENV["config"]):
        return Path(env[ENV["config"]]).expanduser()
    base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "deltacloud" / "config.toml"


def read_profile(path: Path, name: str, *, required: bool) -> dict[str, object]:
    """One profile's table; an empty one when the file or the profile is absent (unless
    the profile was asked for by name)."""
    try:
        with path.open("rb") as file:
            data = tomllib.load(file)
            mode = os.fstat(file.fileno()).st_mode
    except FileNotFoundError:
        if required:
            raise ConfigError(f"Profile '{name}' asked for, but {path} does not exist"
                              ) from None
        return {}
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"Cannot read {path}: {exc}") from None
    profile = data.get(name)
    if profile is None:
        if required:
            raise ConfigError(f"No profile '{name}' in {path}")
        return {}
    if not isinstance(profile, dict):
        raise ConfigError(f"'{name}' in {path} is not a table of settings")
    unknown = sorted(set(profile) - set(PROFILE_KEYS))
    if unknown:
        raise ConfigError(f"Unknown setting(s) in profile '{name}' of {path}: "
                          f"{', '.join(unknown)} (known: {', '.join(PROFILE_KEYS)})")
    if "password" in profile and mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(f"{path} holds a password but others can read it: "
                          f"chmod 600 {path}")
    for key, value in profile.items():
        wanted = (int, float) if key == "timeout" else (str,)
        if not isinstance(value, wanted) or isinstance(value, bool):
            raise ConfigError(f"Setting '{key}' of profile '{name}' has the wrong type")
    return profile


def resolve(options: Mapping[str, str | float | None], env: Mapping[str, str],
            config: str | None = None, profile: str | None = None) -> Settings:
    """Each setting from the first of: option, environment variable, profile, default."""
    name = profile or env.get(ENV["profile"]) or "default"
    chosen = profile is not None or bool(env.get(ENV["profile"]))
    table = read_profile(config_path(config, env), name, required=chosen)
    values: dict[str, object] = {}
    sources: dict[str, str] = {}
    for key in PROFILE_KEYS:
        if options.get(key) not in (None, ""):
            values[key], sources[key] = options[key], "option"
        elif key in ENV and env.get(ENV[key]):
            values[key], sources[key] = env[ENV[key]], f"${ENV[key]}"
        elif key in table:
            values[key], sources[key] = table[key], f"profile {name}"
    try:
        timeout = float(values.get("timeout", 60.0))  # type: ignore[arg-type]
    except ValueError:
        raise ConfigError("The timeout must be a number of seconds") from None
    if timeout <= 0:
        raise ConfigError("The timeout must be a positive number of seconds")

    def text(key: str) -> str | None:
        value = values.get(key)
        return str(value) if value not in (None, "") else None

    return Settings(url=text("url") or DEFAULT_URL, username=text("username"),
                    password=text("password"), driver=text("driver"),
                    provider=text("provider"), timeout=timeout, sources=sources)
