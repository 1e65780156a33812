"""Servers on loopback for the shell's tests (kept apart from conftest.py on purpose)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from conftest import PASSWORD, USER, authenticator, free_port

__all__ = ["PASSWORD", "USER", "Recorder", "aiosmtpd_server", "scripted_server"]


class Recorder:
    """Keeps every message; refuses recipients at nobody@ with a 550."""

    def __init__(self) -> None:
        self.envelopes: list = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address.startswith("nobody@"):
            return "550 5.1.1 <nobody@y.test>: no such user"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802
        self.envelopes.append(envelope)
        return "250 2.0.0 OK queued"


@contextmanager
def aiosmtpd_server(recorder: Recorder, auth: bool = False) -> Iterator[Controller]:
    extra: dict[str, Any] = (
        {"authenticator": authenticator, "auth_require_tls": False} if auth else {})
    c = Controller(recorder, hostname="127.0.0.1", port=free_port(),
                   server_hostname="mx.test", **extra)
    c.start()
    try:
        yield c
    finally:
        c.stop()


Script = Callable[[str, asyncio.StreamWriter], Awaitable[bool]]


async def scripted_server(script: Script) -> asyncio.Server:
    """A server in the test's own loop: greets, then lets `script` answer each line.

    `script(line, writer)` returns False to stop reading (the connection is then closed).
    """

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"220 bad.test ESMTP\r\n")
        while line := await reader.readline():
            if not await script(line.decode().strip(), writer):
                break
        writer.close()

    return await asyncio.start_server(serve, "127.0.0.1", 0)


# --- fixtures of the shell's tests (a plugin: tests/conftest.py's pytest_plugins) ---------


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """HOME and the XDG folders in tmp_path: history and config never touch the real ones.
    The shell's test modules use it for every test (pytestmark)."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    monkeypatch.delenv("SMTPSH_CONFIG", raising=False)
    return tmp_path


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def server(recorder: Recorder) -> Iterator[tuple[str, int]]:
    with aiosmtpd_server(recorder) as c:
        yield c.hostname, c.port
