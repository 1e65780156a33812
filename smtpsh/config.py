"""The optional config file: `$XDG_CONFIG_HOME/smtpsh/config.toml` (or `$SMTPSH_CONFIG`).

    explain = true          # a dim one-line meaning under 4xx/5xx replies
    history = true          # keep typed commands in $XDG_STATE_HOME/smtpsh/history

    [profiles.work]         # `:connect work` in the shell
    host = "mail.example.org"
    port = 587
    tls = "starttls"        # "none", "starttls" (EHLO, STARTTLS, EHLO) or "implicit"
    user = "alice"          # the user name AUTH asks for (never a password here)

The result is a frozen value passed to whoever needs it; there is no global config.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from smtpsh.i18n import _

TLS_MODES = ("none", "starttls", "implicit")


class ConfigError(Exception):
    """The config file cannot be used; the message names the file and the problem."""


@dataclass(frozen=True)
class Profile:
    host: str
    port: int = 25
    tls: str = "none"
    user: str | None = None


@dataclass(frozen=True)
class Config:
    explain: bool = True
    history: bool = True
    profiles: Mapping[str, Profile] = field(default_factory=dict)
    path: Path | None = None  # the file it came from, if any


def _xdg(env: Mapping[str, str], var: str, fallback: str) -> Path:
    # The XDG spec says a relative value is to be ignored.
    value = env.get(var, "")
    if value and os.path.isabs(value):
        return Path(value)
    return Path(env.get("HOME") or os.path.expanduser("~")) / fallback


def config_path(env: Mapping[str, str] = os.environ) -> Path:
    if env.get("SMTPSH_CONFIG"):
        return Path(env["SMTPSH_CONFIG"])
    return _xdg(env, "XDG_CONFIG_HOME", ".config") / "smtpsh" / "config.toml"


def state_dir(env: Mapping[str, str] = os.environ) -> Path:
    return _xdg(env, "XDG_STATE_HOME", ".local/state") / "smtpsh"


def open_private(path: str | os.PathLike[str]) -> int:
    """Open `path` to append, creating it readable and writable by its owner only (0600);
    the file descriptor. For what may hold secrets or the user's mail: transcripts, the TLS
    key log, crash.log. An existing file keeps its mode (see `loose_mode`)."""
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_CLOEXEC", 0),
                   0o600)


def loose_mode(fd: int) -> int | None:
    """The mode of an open regular file when others (group or world) may read it, else None."""
    import stat

    st = os.fstat(fd)
    if stat.S_ISREG(st.st_mode) and st.st_mode & 0o044:
        return stat.S_IMODE(st.st_mode)
    return None


def private_dir(path: Path) -> Path:
    """Make the folder (and its parents) if missing; the one made last is 0700."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def record_crash(exc: BaseException) -> Path | None:
    """Append the traceback of an internal error to the state dir's crash.log (0600, in a
    0700 folder: a traceback can show what was typed); its path."""
    import traceback

    where = state_dir() / "crash.log"
    try:
        private_dir(where.parent)
        with open(open_private(where), "a", encoding="utf-8") as f:
            f.write("".join(traceback.format_exception(exc)))
    except OSError:
        return None
    return where


def load(path: Path | None = None, env: Mapping[str, str] = os.environ) -> Config:
    """The config from `path` (default: config_path()); defaults when there is no file."""
    path = path or config_path(env)
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except FileNotFoundError:
        return Config()
    except OSError as exc:
        from smtpsh.oswords import reason

        raise ConfigError(f"{path}: {reason(exc)}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    try:
        return _from_dict(data, path)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None


def _from_dict(data: dict[str, Any], path: Path) -> Config:
    known = {f.name for f in fields(Config)} - {"path"}
    _no_unknown(data, known, "")
    for key in ("explain", "history"):
        if not isinstance(data.get(key, True), bool):
            raise ConfigError(_("{key} must be true or false").format(key=key))
    raw = data.pop("profiles", {})
    if not isinstance(raw, dict):
        raise ConfigError(_("profiles must be a table: [profiles.NAME]"))
    profiles = {name: _profile(name, p) for name, p in raw.items()}
    return Config(**data, profiles=profiles, path=path)


def _profile(name: str, p: Any) -> Profile:
    if not isinstance(p, dict):
        raise ConfigError(_("{key} must be a table").format(key=f"profiles.{name}"))
    _no_unknown(p, {f.name for f in fields(Profile)}, f"profiles.{name}.")
    host, port = p.get("host"), p.get("port", 25)
    if not isinstance(host, str) or not host:
        raise ConfigError(_("{key} is missing").format(key=f"profiles.{name}.host"))
    if not isinstance(port, int) or not 0 < port < 65536:
        raise ConfigError(_("{key} must be a number from 1 to 65535").format(
            key=f"profiles.{name}.port"))
    tls = p.get("tls", "none")
    if tls not in TLS_MODES:
        raise ConfigError(_("{key} must be one of {values}").format(
            key=f"profiles.{name}.tls", values=", ".join(TLS_MODES)))
    user = p.get("user")
    if user is not None and not isinstance(user, str):
        raise ConfigError(_("{key} must be a string").format(key=f"profiles.{name}.user"))
    return Profile(host, port, tls, user)


def _no_unknown(table: dict[str, Any], known: set[str], prefix: str) -> None:
    # A typo in a key would otherwise be ignored without a word.
    unknown = sorted(set(table) - known)
    if unknown:
        raise ConfigError(_("unknown setting {key}").format(key=prefix + unknown[0]))
