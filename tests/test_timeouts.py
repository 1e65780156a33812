"""Never frozen, never slow: --timeout bounds the name lookup, the connection and the greeting
in wall time, process exit included.

No test here asks the system resolver: a slow resolver is put in getaddrinfo's place (in
process, or in the child process by a small wrapper), and servers are IP literals on loopback.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest
from dnsserver import ZoneServer

from smtpsh import lookup as lookup_module
from smtpsh.exitcodes import Exit
from smtpsh.transport import Transport, TransportError

# Wall-time bounds are generous: they catch a run that waits for the wrong thing (seconds),
# not one that is a little slow on a busy machine.
MARGIN = 3.0


@pytest.fixture
def stuck_resolver(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """A resolver that never answers (until the test is over): the names it was asked."""
    asked: list[str] = []
    release = threading.Event()

    def lookup(host: str, port: int, family: int) -> list[tuple[int, object]]:
        asked.append(host)
        release.wait(30)
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    monkeypatch.setattr(lookup_module, "getaddrinfo", lookup)
    yield asked
    release.set()


async def test_a_resolver_that_does_not_answer_is_bounded_by_the_timeout(stuck_resolver):
    started = time.monotonic()
    with pytest.raises(TransportError) as info:
        await Transport.open("slow.example.test", 25, timeout=0.5)
    assert time.monotonic() - started < 0.5 + MARGIN
    assert info.value.exit == Exit.CONNECT
    assert str(info.value) == "cannot resolve host 'slow.example.test': no answer within 0.5 s"
    assert stuck_resolver == ["slow.example.test"]


async def test_an_ip_literal_asks_no_resolver(stuck_resolver):
    server = await asyncio.start_server(lambda r, w: w.close(), "127.0.0.1", 0)
    async with server:
        port = server.sockets[0].getsockname()[1]
        t = await Transport.open("127.0.0.1", port, timeout=2)
        await t.close()
    assert stuck_resolver == []


async def test_the_resolver_answer_is_used_and_its_failure_said(monkeypatch):
    server = await asyncio.start_server(lambda r, w: w.close(), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]

    def lookup(host: str, port: int, family: int) -> list[tuple[int, object]]:
        if host == "mx.example.test":
            return [(socket.AF_INET, ("127.0.0.1", port))]
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(lookup_module, "getaddrinfo", lookup)
    async with server:
        t = await Transport.open("mx.example.test", port, timeout=2)
        assert t.peer == ("127.0.0.1", port)
        await t.close()
        with pytest.raises(TransportError) as info:
            await Transport.open("nosuch.example.test", port, timeout=2)
    assert info.value.exit == Exit.CONNECT
    assert str(info.value) == "cannot resolve host 'nosuch.example.test': Name or service not known"


# --- the whole process ---------------------------------------------------------------------

# The child replaces the system resolver by one that hangs for 20 s on a name (as a resolver
# with an unreachable server does), then runs smtpsh as the console script would.
SLOW_RESOLVER = """
import socket, sys, time
real = socket.getaddrinfo
def slow(host, *args, **kwargs):
    flags = kwargs.get("flags", args[4] if len(args) > 4 else 0)
    if isinstance(host, str) and host.endswith(".slow.test") and not flags & socket.AI_NUMERICHOST:
        time.sleep(20)
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
    return real(host, *args, **kwargs)
socket.getaddrinfo = slow
from smtpsh.app import main
main(sys.argv[1:])
"""


def run_timed(args: list[str], tmp_path, wrapper: str | None = None
              ) -> tuple[subprocess.CompletedProcess, float]:
    env = dict(os.environ, HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "cfg"),
               XDG_STATE_HOME=str(tmp_path / "state"), NO_COLOR="1")
    if wrapper is None:
        exe = shutil.which("smtpsh")
        assert exe, "the console script is missing: pip install -e '.[test]' first"
        cmd = [exe, *args]
    else:
        cmd = [sys.executable, "-c", wrapper, *args]
    started = time.monotonic()
    p = subprocess.run(cmd, input=b"", capture_output=True, timeout=40, env=env, check=False)
    return p, time.monotonic() - started


def test_the_process_ends_within_the_timeout_when_the_resolver_hangs(tmp_path):
    p, took = run_timed(["--timeout", "2", "mail.slow.test", "-c", "QUIT"], tmp_path,
                        SLOW_RESOLVER)
    out = p.stdout.decode() + p.stderr.decode()
    assert took < 2 + MARGIN, (took, out)
    assert p.returncode == Exit.CONNECT, out
    assert "cannot resolve host 'mail.slow.test': no answer within 2 s" in out
    assert "Traceback" not in out


async def _silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, received) -> None:
    """Accept, and never say a word (nor answer a TLS ClientHello)."""
    while await reader.read(1024):
        pass


def test_a_silent_port_ends_the_run_within_the_timeout(scripted, tmp_path):
    srv = scripted(_silent)
    p, took = run_timed(["--timeout", "2", "127.0.0.1", str(srv.port), "-c", "QUIT"], tmp_path)
    out = p.stdout.decode() + p.stderr.decode()
    assert took < 2 + MARGIN, (took, out)
    assert p.returncode == Exit.TIMEOUT, out
    assert "no greeting" in out


def test_a_silent_mx_ends_the_run_within_the_timeout(scripted, tmp_path):
    srv = scripted(_silent)
    zone: dict[str, list[tuple[str, str]] | str] = {
        "silent.test": [("MX", "10 mx.silent.test.")],
        "mx.silent.test": [("A", "127.0.0.1")],
    }
    with ZoneServer(zone) as dns:
        p, took = run_timed(["--mx", "--nameserver", dns.nameserver, "--timeout", "2",
                             "-p", str(srv.port), "user@silent.test", "-c", "QUIT"], tmp_path)
    out = p.stdout.decode() + p.stderr.decode()
    assert took < 2 + MARGIN, (took, out)
    assert p.returncode == Exit.DNS_DEFER, out
    assert "try mx.silent.test [127.0.0.1]" in out and "no greeting" in out


async def test_a_family_the_host_lacks_is_said_precisely(monkeypatch):
    def lookup(host: str, port: int, family: int) -> list[tuple[int, object]]:
        if family == socket.AF_INET:
            raise socket.gaierror(socket.EAI_ADDRFAMILY, "Address family for hostname not"
                                  " supported")
        return [(socket.AF_INET6, ("2001:db8::1", port, 0, 0))]

    monkeypatch.setattr(lookup_module, "getaddrinfo", lookup)
    with pytest.raises(TransportError) as info:
        await Transport.open("v6only.example.test", 25, timeout=2, family=socket.AF_INET)
    assert info.value.exit == Exit.CONNECT
    assert str(info.value) == ("cannot resolve host 'v6only.example.test': no IPv4 address"
                               " (the host has only IPv6 addresses; drop -4)")


def test_tcp_connections_send_small_writes_at_once(scripted) -> None:
    """TCP_NODELAY: the lone dot after a message must not wait for a delayed ACK."""
    import asyncio
    import socket

    from smtpsh.transport import Transport

    async def script(r, w, received):
        w.write(b"220 x\r\n")
        await w.drain()
        await r.read()

    srv = scripted(script)

    async def main() -> int:
        t = await Transport.open("127.0.0.1", srv.port, timeout=5)
        try:
            sock = t.writer.get_extra_info("socket")
            return int(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
        finally:
            await t.close()

    assert asyncio.run(main()) == 1
