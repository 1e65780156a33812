"""Transport over unix-domain sockets (`unix:/path`), against tiny asyncio servers."""

from __future__ import annotations

import asyncio
import os
import socket
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import trustme

from smtpsh.app import parse_target
from smtpsh.exitcodes import Exit
from smtpsh.hostport import split_host_port
from smtpsh.tls import TlsOptions, make_context
from smtpsh.transport import Transport, TransportError, speaks_tls

GREETING = b"220 unix.test ESMTP\r\n"

Serve = Callable[..., Awaitable[str]]


@pytest.fixture
async def serve(tmp_path: Path) -> AsyncIterator[Serve]:
    """Start a unix server that greets and then echoes; returns its `unix:/path` target."""
    servers: list[asyncio.Server] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            writer.write(GREETING)
            while data := await reader.read(1024):
                writer.write(data)
            writer.close()
        except (ConnectionError, ssl.SSLError):
            pass

    async def start(ssl_context: ssl.SSLContext | None = None) -> str:
        path = tmp_path / f"s{len(servers)}.sock"
        servers.append(await asyncio.start_unix_server(handle, str(path), ssl=ssl_context))
        return f"unix:{path}"

    yield start
    for s in servers:
        s.close()
        await s.wait_closed()


async def _error(host: str, **kw: object) -> TransportError:
    with pytest.raises(TransportError) as info:
        t = await Transport.open(host, 0, timeout=5, **kw)  # type: ignore[arg-type]
        await t.close()
    assert "\n" not in str(info.value)
    return info.value


# --- the target form -----------------------------------------------------------------------


def test_target_forms() -> None:
    assert split_host_port("unix:/run/lmtp.sock") == ("unix:/run/lmtp.sock", None)
    assert split_host_port(" unix:rel/a:b.sock ") == ("unix:rel/a:b.sock", None)  # colons kept
    assert split_host_port("unix:25") == ("unix", "25")  # a host called unix, port 25
    assert parse_target("unix:/run/lmtp.sock", None, None)[0] == "unix:/run/lmtp.sock"
    with pytest.raises(ValueError, match="no socket path"):
        split_host_port("unix:")


# --- connecting ----------------------------------------------------------------------------


async def test_greeting_over_a_unix_socket(serve: Serve) -> None:
    target = await serve()
    t = await Transport.open(target, 25, timeout=5)  # the port is ignored
    try:
        assert t.peer == (target, 0)
        assert await t.reader.readexactly(len(GREETING)) == GREETING
        await t.write(b"EHLO me\r\n")
        assert await t.read() == b"EHLO me\r\n"
    finally:
        await t.close()


async def test_missing_socket(tmp_path: Path) -> None:
    path = tmp_path / "nothing.sock"
    err = await _error(f"unix:{path}")
    assert err.exit == Exit.CONNECT
    assert str(err) == f"cannot connect to unix socket {path}: No such file or directory"


async def test_socket_file_with_no_listener(tmp_path: Path) -> None:
    path = tmp_path / "stale.sock"
    with socket.socket(socket.AF_UNIX) as s:
        s.bind(str(path))  # the file stays after close(), as after a server crash
    err = await _error(f"unix:{path}")
    assert err.exit == Exit.CONNECT
    assert str(err).startswith(f"connection to unix socket {path} refused: nothing listens")


async def test_not_a_socket(tmp_path: Path) -> None:
    path = tmp_path / "plain.txt"
    path.write_text("")
    err = await _error(f"unix:{path}")
    assert (err.exit, str(err)) == (Exit.CONNECT, f"cannot connect to {path}: not a unix socket")


@contextmanager
def _unprivileged() -> Iterator[None]:
    """Root passes every permission check: act as nobody for a moment (this process only)."""
    if os.geteuid() != 0:
        yield
        return
    os.seteuid(65534)
    try:
        yield
    finally:
        os.seteuid(0)


async def test_permission_denied(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    path = locked / "s.sock"
    with socket.socket(socket.AF_UNIX) as listener:
        listener.bind(str(path))
        listener.listen()
        locked.chmod(0o000)  # the socket is there, but no one may look it up
        try:
            with _unprivileged():
                err = await _error(f"unix:{path}")
        finally:
            locked.chmod(0o700)
    assert err.exit == Exit.CONNECT
    assert str(err) == f"cannot connect to unix socket {path}: Permission denied"


async def test_path_too_long(tmp_path: Path) -> None:
    err = await _error(f"unix:{tmp_path}/{'x' * 120}.sock")
    assert err.exit == Exit.CONNECT
    assert "path too long" in str(err)


async def test_source_address_refused(serve: Serve) -> None:
    err = await _error(await serve(), source="127.0.0.1")
    assert err.exit == Exit.USAGE and "--source" in str(err)


async def test_timeout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    async def never(*args: object, **kw: object) -> None:
        await asyncio.sleep(60)

    monkeypatch.setattr(asyncio, "open_unix_connection", never)
    with pytest.raises(TransportError) as info:
        await Transport.open(f"unix:{tmp_path}/slow.sock", 0, timeout=0.05)
    assert info.value.exit == Exit.TIMEOUT
    assert str(info.value) == f"no connection to unix socket {tmp_path}/slow.sock (timed out)"


# --- TLS over a unix socket: allowed with an explicit name ---------------------------------


@pytest.fixture
def client_context(ca: trustme.CA) -> ssl.SSLContext:
    ctx = make_context(TlsOptions())
    ca.configure_trust(ctx)
    return ctx


async def test_implicit_tls_with_a_name(serve: Serve, server_tls_context: ssl.SSLContext,
                                        client_context: ssl.SSLContext) -> None:
    target = await serve(server_tls_context)
    t = await Transport.open(target, 0, timeout=5, ssl_context=client_context,
                             server_hostname="mx.test")
    try:
        assert t.tls is not None and t.tls.verified and t.tls.server_hostname == "mx.test"
        assert await t.reader.readexactly(len(GREETING)) == GREETING
    finally:
        await t.close()


@pytest.mark.parametrize("name", [None, "unix"])
async def test_implicit_tls_needs_a_name(serve: Serve, server_tls_context: ssl.SSLContext,
                                         client_context: ssl.SSLContext,
                                         name: str | None) -> None:
    target = await serve(server_tls_context)
    # "unix": what a session passes when no --tls-servername was given (the target itself).
    err = await _error(target, ssl_context=client_context,
                       server_hostname=target if name else None)
    assert err.exit == Exit.TLS
    assert str(err) == (f"TLS: a unix socket ({target.removeprefix('unix:')}) has no host"
                        " name to verify the certificate against: give --tls-servername NAME"
                        " (or --insecure)")


async def test_implicit_tls_unverified_needs_no_name(
        serve: Serve, server_tls_context: ssl.SSLContext) -> None:
    target = await serve(server_tls_context)
    t = await Transport.open(target, 0, timeout=5, server_hostname=target,
                             ssl_context=make_context(TlsOptions(insecure=True)))
    try:
        assert t.tls is not None and not t.tls.verified and t.tls.server_hostname is None
    finally:
        await t.close()


async def test_starttls_needs_a_name_too(serve: Serve,
                                         client_context: ssl.SSLContext) -> None:
    target = await serve()
    t = await Transport.open(target, 0, timeout=5)
    with pytest.raises(TransportError) as info:
        await t.start_tls(client_context, target, timeout=5)
    assert info.value.exit == Exit.TLS and "--tls-servername" in str(info.value)


async def test_wrong_name_is_a_verification_failure(
        serve: Serve, server_tls_context: ssl.SSLContext,
        client_context: ssl.SSLContext) -> None:
    # The failure path fetches the certificate on a second connection: over the socket too.
    target = await serve(server_tls_context)
    err = await _error(target, ssl_context=client_context, server_hostname="other.test")
    assert err.exit == Exit.TLS
    assert "other.test" in str(err)


async def test_speaks_tls_probe(serve: Serve, server_tls_context: ssl.SSLContext) -> None:
    assert await speaks_tls(await serve(server_tls_context), 0, 5)
    assert not await speaks_tls(await serve(), 0, 5)
