"""--mx end to end: the console script, a real DNS server and real SMTP servers on loopback."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest
from dnsserver import ZoneServer

from smtpsh.exitcodes import Exit

ZONE: dict[str, list[tuple[str, str]] | str] = {
    # The first MX points at an address where nothing listens on the port: refused.
    "example.test": [("MX", "10 dead.example.test."), ("MX", "20 live.example.test.")],
    "dead.example.test": [("A", "127.0.0.2")],
    "live.example.test": [("A", "127.0.0.1")],
    "nullmx.test": [("MX", "0 .")],
    "implicit.test": [("A", "127.0.0.1")],
    "broken.test": "SERVFAIL",
    "v6only.test": [("AAAA", "::1")],
}


@pytest.fixture
def dns() -> Iterator[ZoneServer]:
    with ZoneServer(ZONE) as server:
        yield server


def test_fallback_reaches_the_second_mx(smtpsh, dns, smtp_server, tmp_path):
    t = tmp_path / "t.log"
    p = smtpsh("--mx", "--nameserver", dns.nameserver, "-4", "-p", str(smtp_server.port),
               "--transcript", str(t), "user@example.test", "-c", "EHLO me.test", "-c", "QUIT")
    out = p.stdout.decode()
    assert p.returncode == Exit.OK, out + p.stderr.decode()
    lines = out.splitlines()
    dead = next(i for i, x in enumerate(lines) if "try dead.example.test [127.0.0.2]" in x)
    live = next(i for i, x in enumerate(lines) if "try live.example.test [127.0.0.1]" in x)
    assert dead < live and "failed" in lines[dead] and "connected" in lines[live]
    assert "S: 220 mx.test" in out and "S: 221" in out
    assert "Connected to live.example.test (127.0.0.1)" in t.read_text()


def test_dry_run_shows_the_plan_without_connecting(smtpsh, dns):
    p = smtpsh("--mx", "--dry-run", "--nameserver", dns.nameserver, "example.test")
    out = p.stdout.decode()
    assert p.returncode == Exit.OK, out
    assert out.index("dead.example.test") < out.index("live.example.test")
    assert "Connected" not in out


def test_null_mx_and_nxdomain_would_bounce(smtpsh, dns):
    p = smtpsh("--mx", "--nameserver", dns.nameserver, "nullmx.test")
    assert p.returncode == Exit.DNS_BOUNCE and "would bounce" in p.stdout.decode()
    p = smtpsh("--mx", "--nameserver", dns.nameserver, "nosuch.test")
    assert p.returncode == Exit.DNS_BOUNCE


def test_servfail_would_defer(smtpsh, dns):
    p = smtpsh("--mx", "--nameserver", dns.nameserver, "--timeout", "2", "broken.test")
    assert p.returncode == Exit.DNS_DEFER and "would defer" in p.stdout.decode()


def test_a_nameserver_where_nothing_listens_is_said_at_once(smtpsh):
    import socket
    import time

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    started = time.monotonic()
    p = smtpsh("--mx", "--nameserver", f"127.0.0.1:{port}", "--timeout", "5", "example.test",
               "-c", "QUIT")
    out = p.stdout.decode()
    assert time.monotonic() - started < 4, out  # not the 5 s timeout
    assert p.returncode == Exit.DNS_DEFER, out
    assert f"the DNS server 127.0.0.1:{port} refused the query (nothing listens there)" in out
    assert "no answer" not in out


def test_ipv4_only_for_an_ipv6_only_domain_says_why(smtpsh, dns):
    p = smtpsh("--mx", "--nameserver", dns.nameserver, "-4", "v6only.test", "-c", "QUIT")
    out = p.stdout.decode()
    assert p.returncode == Exit.DNS_BOUNCE, out
    assert "no IPv4 address (the domain has only IPv6 addresses; drop -4)" in out
    assert "neither MX nor address" not in out


def test_implicit_mx(smtpsh, dns, smtp_server):
    p = smtpsh("--mx", "--nameserver", dns.nameserver, "-p", str(smtp_server.port),
               "implicit.test", "-c", "QUIT")
    assert p.returncode == Exit.OK, p.stdout.decode()
    assert "implicit" in p.stdout.decode().lower()


def test_all_servers_refuse(smtpsh, dns):
    from conftest import free_port

    p = smtpsh("--mx", "--nameserver", dns.nameserver, "-p", str(free_port()),
               "example.test", "-c", "QUIT")
    assert p.returncode == Exit.DNS_DEFER
    assert "would be deferred" in p.stdout.decode()


def test_domain_literal_verifies_tls_against_its_address(smtpsh, starttls_server, ca_file):
    p = smtpsh("--mx", "--starttls", "--cafile", ca_file, "-p", str(starttls_server.port),
               "user@[127.0.0.1]", "-c", "QUIT")
    assert p.returncode == Exit.OK, p.stdout.decode()
    assert "certificate verified for 127.0.0.1" in p.stdout.decode()


def test_a_local_error_is_not_a_server_failure(smtpsh, smtp_server, tmp_path):
    p = smtpsh("--mx", "--tls", "--cafile", str(tmp_path / "missing.pem"),
               "-p", str(smtp_server.port), "user@[127.0.0.1]", "-c", "QUIT")
    assert p.returncode == Exit.ERROR, p.stdout.decode()
    assert "would be deferred" not in p.stdout.decode()
    assert "Traceback" not in p.stdout.decode() + p.stderr.decode()


def test_malformed_target_is_a_usage_error(smtpsh):
    for target in ("user@", "user@[300.1.1.1]"):
        p = smtpsh("--mx", "--dry-run", "--nameserver", "127.0.0.1:9", target)
        assert p.returncode == Exit.USAGE, (target, p.stdout.decode())


# --- a preferred MX that turns us away: the next one is tried (RFC 5321 §5.1) --------------


class TurnAway:
    """A server on `address`:`port` that greets with `greeting` (or talks no TLS, for a TLS
    client: whatever it sends, the handshake fails), then answers a QUIT with 221."""

    def __init__(self, address: str, port: int, greeting: bytes) -> None:
        self.sock = socket.create_server((address, port))
        self.greeting = greeting
        self.sock.settimeout(0.1)  # accept() wakes up to see `close`
        self.received: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                conn.settimeout(5)
                try:
                    conn.sendall(self.greeting)
                    data = conn.recv(1024)
                    self.received.append(data)
                    if data.startswith(b"QUIT"):
                        conn.sendall(b"221 2.0.0 bye\r\n")
                except OSError:
                    pass

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self.sock.close()


TURN_AWAY_ZONE: dict[str, list[tuple[str, str]] | str] = {
    "away.test": [("MX", "10 first.away.test."), ("MX", "20 second.away.test.")],
    "first.away.test": [("A", "127.0.0.2")],
    "second.away.test": [("A", "127.0.0.1")],
}


@pytest.fixture
def away_dns() -> Iterator[ZoneServer]:
    with ZoneServer(TURN_AWAY_ZONE) as server:
        yield server


@pytest.mark.parametrize(("greeting", "said"), [
    (b"554 5.7.1 no mail from you\r\n", "greeted with 554 5.7.1 no mail from you"),
    (b"421 4.3.2 too busy, try later\r\n", "greeted with 421 4.3.2 too busy, try later"),
])
def test_a_greeting_that_turns_away_moves_on_to_the_next_mx(smtpsh, away_dns, smtp_server,
                                                           greeting, said):
    away = TurnAway("127.0.0.2", smtp_server.port, greeting)
    try:
        p = smtpsh("--mx", "--nameserver", away_dns.nameserver, "-p", str(smtp_server.port),
                   "user@away.test", "-c", "EHLO me.test", "-c", "QUIT")
    finally:
        away.close()
    out = p.stdout.decode()
    assert p.returncode == Exit.OK, out + p.stderr.decode()
    lines = out.splitlines()
    first = next(i for i, x in enumerate(lines) if "try first.away.test [127.0.0.2]" in x)
    second = next(i for i, x in enumerate(lines) if "try second.away.test [127.0.0.1]" in x)
    assert first < second
    assert f"failed: {said}" in lines[first] and "connected" in lines[second]
    assert "S: 220 mx.test" in out and "S: 221" in out
    if greeting.startswith(b"554"):  # RFC 5321 §3.1: QUIT, and nothing else
        assert away.received == [b"QUIT\r\n"]


def test_every_mx_turning_away_would_defer(smtpsh, away_dns):
    from conftest import free_port

    port = free_port()
    away = [TurnAway(a, port, b"554 5.7.1 go away\r\n") for a in ("127.0.0.1", "127.0.0.2")]
    try:
        p = smtpsh("--mx", "--nameserver", away_dns.nameserver, "-p", str(port),
                   "user@away.test", "-c", "QUIT")
    finally:
        for server in away:
            server.close()
    out = p.stdout.decode()
    assert p.returncode == Exit.DNS_DEFER, out
    assert out.count("failed: greeted with 554") == 2 and "would be deferred" in out


def test_a_tls_failure_moves_on_to_the_next_mx(smtpsh, away_dns, smtps_server, ca_file):
    # The preferred MX talks plain text where --tls wants a handshake.
    away = TurnAway("127.0.0.2", smtps_server.port, b"220 plain.test ESMTP\r\n")
    try:
        p = smtpsh("--mx", "--tls", "--cafile", ca_file, "--tls-servername", "mx.test",
                   "--nameserver", away_dns.nameserver, "-p", str(smtps_server.port),
                   "user@away.test", "-c", "QUIT")
    finally:
        away.close()
    out = p.stdout.decode()
    assert p.returncode == Exit.OK, out + p.stderr.decode()
    lines = out.splitlines()
    first = next(x for x in lines if "try first.away.test [127.0.0.2]" in x)
    assert "failed: TLS" in first
    assert any("try second.away.test [127.0.0.1]" in x and "connected" in x for x in lines)


def test_a_starttls_failure_moves_on_to_the_next_mx(smtpsh, away_dns, starttls_server,
                                                   ca_file):
    """--starttls under --mx: the preferred MX greets but gives no TLS (it hangs up after
    EHLO); the next MX, with STARTTLS, is chosen, and the prelude is not said twice."""
    away = TurnAway("127.0.0.2", starttls_server.port, b"220 plain.test ESMTP\r\n")
    try:
        p = smtpsh("--mx", "--starttls", "--cafile", ca_file, "--tls-servername", "mx.test",
                   "--nameserver", away_dns.nameserver, "-p", str(starttls_server.port),
                   "user@away.test", "-c", "QUIT")
    finally:
        away.close()
    out = p.stdout.decode()
    assert p.returncode == Exit.OK, out + p.stderr.decode()
    lines = out.splitlines()
    first = next(x for x in lines if "try first.away.test [127.0.0.2]" in x)
    assert "failed: STARTTLS did not end in TLS" in first
    assert any("try second.away.test [127.0.0.1]" in x and "connected" in x for x in lines)
    assert out.count("C: STARTTLS") == 1 and "-- TLS TLSv1." in out
