"""Shared fixtures: real servers on loopback (aiosmtpd in a thread, scripted bad servers)."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import ssl
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

sys.path.insert(0, os.path.dirname(__file__))  # test helpers import as top-level modules

# tests/postfix.py: a real Postfix + Dovecot, one per run (the fixture `postfix_server`);
# tests/dovecot_lmtp.py: a real Dovecot LMTP server, one per run (the fixture `dovecot_lmtp`).
# Registered as plugins here so that every module shares those servers.
pytest_plugins = ["postfix", "dovecot_lmtp", "shellfixtures"]

USER, PASSWORD = "alice", "s3cret"


def free_port() -> int:
    # aiosmtpd's Controller cannot take port 0 (aio-libs/aiosmtpd#388).
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RecordingHandler:
    def __init__(self) -> None:
        self.envelopes: list = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802
        self.envelopes.append(envelope)
        return "250 2.0.0 OK queued"


def authenticator(server, session, envelope, mechanism, auth_data) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (
        auth_data.login, auth_data.password) == (USER.encode(), PASSWORD.encode())
    return AuthResult(success=ok, handled=False)  # handled=False, else no 535 is sent


def _start(handler, **kw) -> Controller:
    c = Controller(handler, hostname="127.0.0.1", port=free_port(), server_hostname="mx.test",
                   **kw)
    c.start()
    return c


@pytest.fixture
def handler() -> RecordingHandler:
    return RecordingHandler()


@pytest.fixture
def smtp_server(handler) -> Iterator[Controller]:
    c = _start(handler)
    yield c
    c.stop()


@pytest.fixture(scope="session")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="session")
def ca_file(ca, tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)


@pytest.fixture
def server_tls_context(ca) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("localhost", "127.0.0.1", "mx.test").configure_cert(ctx)
    return ctx


@pytest.fixture
def starttls_server(handler, server_tls_context) -> Iterator[Controller]:
    """STARTTLS required before MAIL; AUTH offered only after TLS."""
    c = _start(handler, tls_context=server_tls_context, require_starttls=True,
               authenticator=authenticator, auth_required=True)
    yield c
    c.stop()


@pytest.fixture
def smtps_server(handler, server_tls_context) -> Iterator[Controller]:
    """Implicit TLS, as on port 465."""
    c = _start(handler, ssl_context=server_tls_context, authenticator=authenticator,
               auth_require_tls=False)
    yield c
    c.stop()


# --- a server that misbehaves on purpose ---------------------------------------------------


@dataclass
class ScriptedServer:
    """A real socket server that plays `script(reader, writer)` for each connection."""

    script: Callable
    port: int = 0
    received: list[bytes] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        self._ready.wait(5)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)

        async def handle(reader, writer):
            try:
                await self.script(reader, writer, self.received)
            except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
                pass
            finally:
                writer.close()

        server = self._loop.run_until_complete(asyncio.start_server(handle, "127.0.0.1", 0))
        self.port = server.sockets[0].getsockname()[1]
        self._server = server
        self._ready.set()
        self._loop.run_forever()

    def stop(self) -> None:
        async def shutdown() -> None:
            self._server.close()
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(shutdown(), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)


@pytest.fixture
def scripted() -> Iterator[Callable[[Callable], ScriptedServer]]:
    servers: list[ScriptedServer] = []

    def make(script: Callable) -> ScriptedServer:
        s = ScriptedServer(script)
        servers.append(s)
        return s

    yield make
    for s in servers:
        s.stop()


# --- the console script ------------------------------------------------------------------


@pytest.fixture
def smtpsh(tmp_path) -> Callable[..., subprocess.CompletedProcess]:
    """Run the installed console script as a user would, stdin from a string."""
    exe = shutil.which("smtpsh")
    assert exe, "the console script is missing: pip install -e '.[test]' first"
    env = dict(os.environ, HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "cfg"),
               XDG_STATE_HOME=str(tmp_path / "state"))
    env.pop("NO_COLOR", None)

    def run(*args: str, input: str | bytes = "", timeout: float = 30,
            env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        data = input.encode() if isinstance(input, str) else input  # bytes: as they are
        return subprocess.run([exe, *args], input=data, capture_output=True,
                              timeout=timeout, env={**env, **(env_extra or {})}, check=False)

    return run
