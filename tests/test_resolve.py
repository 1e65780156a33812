"""MX selection (RFC 5321 §5.1, RFC 7505) against a real DNS server on loopback."""

from __future__ import annotations

import asyncio
import random
import socket
import subprocess
import sys
from collections.abc import Iterator

import pytest
from dnsserver import SilentServer, ZoneServer

from smtpsh.exitcodes import Exit
from smtpsh.resolve import (
    AddressAnswer,
    DnsLookup,
    MXAnswer,
    MXRecord,
    Plan,
    PlanHost,
    parse_nameserver,
    parse_target,
    plan,
    try_candidates,
)

V6, V4 = socket.AF_INET6, socket.AF_INET

ZONE: dict[str, list[tuple[str, str]] | str] = {
    "multi.test": [
        ("MX", "20 mx2.multi.test."),
        ("MX", "10 mx1.multi.test."),
        ("MX", "30 mx3.multi.test."),
    ],
    "mx1.multi.test": [("A", "127.0.0.11"), ("AAAA", "::1")],
    "mx2.multi.test": [("A", "127.0.0.12")],
    "mx3.multi.test": [("AAAA", "2001:db8::3")],
    "equal.test": [
        ("MX", "20 last.equal.test."),
        *[("MX", f"10 {n}.equal.test.") for n in "abcd"],
        ("MX", "5 first.equal.test."),
    ],
    **{f"{n}.equal.test": [("A", "127.0.0.1")] for n in ["a", "b", "c", "d", "first", "last"]},
    "nullmx.test": [("MX", "0 .")],
    "aonly.test": [("A", "127.0.0.7"), ("AAAA", "::1")],
    "textonly.test": [("TXT", '"v=spf1 -all"')],
    "v6only.test": [("AAAA", "2001:db8::6")],
    "v4only.test": [("A", "127.0.0.4")],
    "v6mx.test": [("MX", "10 mx3.multi.test.")],
    "servfail.test": "SERVFAIL",
    "noaddr.test": [
        ("MX", "10 ghost.noaddr.test."),
        ("MX", "20 empty.noaddr.test."),
        ("MX", "30 ok.noaddr.test."),
    ],
    "empty.noaddr.test": [("TXT", '"no address here"')],
    "ok.noaddr.test": [("A", "127.0.0.30")],
    "allgone.test": [("MX", "10 ghost.allgone.test.")],
    "cname.test": [("MX", "10 alias.cname.test.")],
    "alias.cname.test": [("CNAME", "real.cname.test.")],
    "real.cname.test": [("A", "127.0.0.2")],
    "literal.test": [("MX", "10 192.0.2.1.")],
    "fallback.test": [("MX", "10 closed.fallback.test."), ("MX", "20 open.fallback.test.")],
    # 127.0.0.2 is loopback too, but the test server listens on 127.0.0.1 only: refused
    "closed.fallback.test": [("A", "127.0.0.2")],
    "open.fallback.test": [("A", "127.0.0.1")],
    "xn--bcher-kva.test": [("MX", "10 mx.xn--bcher-kva.test.")],
    "mx.xn--bcher-kva.test": [("A", "127.0.0.9")],
}


@pytest.fixture(scope="module")
def dns_server() -> Iterator[ZoneServer]:
    with ZoneServer(ZONE) as server:
        yield server


@pytest.fixture
def lookup(dns_server: ZoneServer) -> DnsLookup:
    return DnsLookup(dns_server.nameserver, timeout=2.0)


def names(p: Plan) -> list[str]:
    return [host.name for host in p.hosts]


# --- the DNS server itself ------------------------------------------------------------------


async def test_server_answers_udp_and_tcp(dns_server: ZoneServer) -> None:
    import dns.asyncresolver
    import dns.nameserver

    resolver = dns.asyncresolver.Resolver(configure=False)
    resolver.nameservers = [dns.nameserver.Do53Nameserver(dns_server.address, dns_server.port)]
    for tcp in (False, True):
        answer = await resolver.resolve("mx2.multi.test.", "A", tcp=tcp, search=False)
        assert [r.to_text() for r in answer] == ["127.0.0.12"]


# --- against the real server ----------------------------------------------------------------


async def test_several_preferences(lookup: DnsLookup) -> None:
    p = await plan("user@multi.test", lookup, None, 2525)
    assert p.outcome == "connect" and p.exit_status == Exit.OK
    assert names(p) == ["mx1.multi.test", "mx2.multi.test", "mx3.multi.test"]
    assert [h.preference for h in p.hosts] == [10, 20, 30]
    assert p.candidates() == [
        ("mx1.multi.test", "::1"),  # IPv6 first inside a host
        ("mx1.multi.test", "127.0.0.11"),
        ("mx2.multi.test", "127.0.0.12"),
        ("mx3.multi.test", "2001:db8::3"),
    ]
    text = p.render()
    assert "port 2525" in text and "mx2.multi.test" in text and "127.0.0.12" in text
    assert "order: lowest preference first" in text


async def test_family_restricts_addresses(lookup: DnsLookup) -> None:
    p4 = await plan("multi.test", lookup, V4, 25)
    assert p4.candidates() == [("mx1.multi.test", "127.0.0.11"), ("mx2.multi.test", "127.0.0.12")]
    assert "skipped: no IPv4 address (the host has only IPv6 addresses; drop -4)" \
        in p4.hosts[2].notes
    p6 = await plan("multi.test", lookup, V6, 25)
    assert p6.candidates() == [("mx1.multi.test", "::1"), ("mx3.multi.test", "2001:db8::3")]


async def test_only_the_other_family_is_said_precisely(lookup: DnsLookup) -> None:
    p = await plan("v6only.test", lookup, V4, 25)
    assert p.outcome == "bounce" and p.exit_status == Exit.DNS_BOUNCE
    assert p.reason == "no IPv4 address (the domain has only IPv6 addresses; drop -4)"
    p = await plan("v4only.test", lookup, V6, 25)
    assert p.reason == "no IPv6 address (the domain has only IPv4 addresses; drop -6)"
    p = await plan("v6mx.test", lookup, V4, 25)
    assert p.reason == "no IPv4 address (its MX hosts have only IPv6 addresses; drop -4)"
    p = await plan("textonly.test", lookup, V4, 25)  # no address of any family: as before
    assert p.reason == "textonly.test has neither MX nor address records"


async def test_equal_preferences_shuffled_and_groups_kept(lookup: DnsLookup) -> None:
    orders = set()
    for seed in range(12):
        p = await plan("equal.test", lookup, None, 25, rng=random.Random(seed))
        got = names(p)
        assert got[0] == "first.equal.test" and got[-1] == "last.equal.test"
        assert sorted(got[1:5]) == [f"{n}.equal.test" for n in "abcd"]
        assert [h.preference for h in p.hosts] == [5, 10, 10, 10, 10, 20]
        assert "4 equal, shuffled" in p.hosts[1].why
        orders.add(tuple(got))
        # the same seed gives the same order: the shuffle is the only source of change
        again = await plan("equal.test", lookup, None, 25, rng=random.Random(seed))
        assert names(again) == got
    assert len(orders) > 1


async def test_null_mx_bounces(lookup: DnsLookup) -> None:
    p = await plan("postmaster@nullmx.test", lookup, None, 25)
    assert p.outcome == "bounce" and p.exit_status == Exit.DNS_BOUNCE
    assert "null MX" in p.reason and p.candidates() == []


async def test_implicit_mx(lookup: DnsLookup) -> None:
    p = await plan("aonly.test", lookup, None, 25)
    assert p.outcome == "connect" and "implicit MX" in p.reason
    assert [(h.preference, h.name) for h in p.hosts] == [(None, "aonly.test")]
    assert p.candidates() == [("aonly.test", "::1"), ("aonly.test", "127.0.0.7")]
    assert "implicit MX" in p.render()


async def test_no_mx_no_address_bounces(lookup: DnsLookup) -> None:
    p = await plan("textonly.test", lookup, None, 25)
    assert p.outcome == "bounce" and "neither MX nor address" in p.reason


async def test_nxdomain_bounces(lookup: DnsLookup) -> None:
    p = await plan("user@nosuch.test", lookup, None, 25)
    assert p.outcome == "bounce" and p.exit_status == Exit.DNS_BOUNCE
    assert p.reason == "nosuch.test does not exist (NXDOMAIN)"


async def test_servfail_defers(lookup: DnsLookup) -> None:
    p = await plan("servfail.test", lookup, None, 25)
    assert p.outcome == "defer" and p.exit_status == Exit.DNS_DEFER
    assert "SERVFAIL" in p.reason and "\n" not in p.reason


async def test_silent_server_times_out_and_defers() -> None:
    with SilentServer() as silent:
        started = asyncio.get_running_loop().time()
        p = await plan("multi.test", DnsLookup(silent.nameserver, timeout=0.3), None, 25)
        assert asyncio.get_running_loop().time() - started < 2
    assert p.outcome == "defer" and p.exit_status == Exit.DNS_DEFER
    assert "no answer within 0.3s" in p.reason


def _closed_udp_port(address: str) -> int:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as sock:
        sock.bind((address, 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("address", ["127.0.0.1", "::1"])
async def test_nothing_listening_is_said_at_once(address: str) -> None:
    try:
        port = _closed_udp_port(address)
    except OSError:
        pytest.skip(f"no {address} here")
    shown = f"[{address}]:{port}" if ":" in address else f"{address}:{port}"
    started = asyncio.get_running_loop().time()
    p = await plan("multi.test", DnsLookup(shown, timeout=5.0), None, 25)
    assert asyncio.get_running_loop().time() - started < 2  # not the 5 s timeout
    assert p.outcome == "defer" and p.exit_status == Exit.DNS_DEFER
    assert p.reason.endswith(f"the DNS server {shown} refused the query (nothing listens there)")


async def test_mx_target_without_address_is_skipped(lookup: DnsLookup) -> None:
    p = await plan("noaddr.test", lookup, None, 25)
    assert p.outcome == "connect"
    assert names(p) == ["ghost.noaddr.test", "empty.noaddr.test", "ok.noaddr.test"]
    assert p.hosts[0].notes == ["skipped: the name does not exist"]
    assert p.hosts[1].notes == ["skipped: no address records"]
    assert p.candidates() == [("ok.noaddr.test", "127.0.0.30")]
    assert "skipped" in p.render()


async def test_no_mx_host_with_address_bounces(lookup: DnsLookup) -> None:
    p = await plan("allgone.test", lookup, None, 25)
    assert p.outcome == "bounce" and p.reason == "no MX host has an address"


async def test_cname_target_used_with_warning(lookup: DnsLookup) -> None:
    p = await plan("cname.test", lookup, None, 25)
    assert p.candidates() == [("alias.cname.test", "127.0.0.2")]
    assert any("warning" in n and "real.cname.test" in n for n in p.hosts[0].notes)


async def test_ip_literal_target_used_with_warning(lookup: DnsLookup) -> None:
    p = await plan("literal.test", lookup, None, 25)
    assert p.candidates() == [("192.0.2.1", "192.0.2.1")]
    assert "warning" in p.hosts[0].notes[0]


async def test_idn_domain(lookup: DnsLookup) -> None:
    p = await plan("käthe@Bücher.test", lookup, None, 25)
    assert p.domain == "xn--bcher-kva.test"
    assert p.candidates() == [("mx.xn--bcher-kva.test", "127.0.0.9")]


# --- no DNS at all --------------------------------------------------------------------------


class NoDns:
    """A Lookup that fails the test if asked: domain literals need no DNS."""

    async def mx(self, domain: str) -> MXAnswer:
        raise AssertionError(domain)

    async def addresses(self, host: str, family: int) -> AddressAnswer:
        raise AssertionError(host)


@pytest.mark.parametrize(
    ("target", "address"),
    [
        ("user@[192.0.2.1]", "192.0.2.1"),
        ("user@[IPv6:2001:db8::1]", "2001:db8::1"),
        ("[127.0.0.1]", "127.0.0.1"),
    ],
)
async def test_domain_literals(target: str, address: str) -> None:
    p = await plan(target, NoDns(), None, 25)
    assert p.outcome == "connect" and [a for _, a in p.candidates()] == [address]


@pytest.mark.parametrize(
    "target", ["user@[2001:db8::1]", "user@[IPv6:192.0.2.1]", "user@[nonsense]", "user@", "a..b"]
)
async def test_bad_targets_bounce_with_a_message(target: str) -> None:
    p = await plan(target, NoDns(), None, 25)
    assert p.outcome == "bounce" and p.reason and "\n" not in p.reason


async def test_literal_of_other_family() -> None:
    p = await plan("user@[192.0.2.1]", NoDns(), V6, 25)
    assert p.outcome == "bounce" and p.candidates() == []


def test_parse_target() -> None:
    assert parse_target("Alice@Example.TEST.") == ("example.test", None)
    assert parse_target("bücher.test") == ("xn--bcher-kva.test", None)
    assert parse_target("a@b@[IPv6:::1]") == ("[IPv6:::1]", "::1")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("127.0.0.1", ("127.0.0.1", 53)),
        ("127.0.0.1:5353", ("127.0.0.1", 5353)),
        ("[::1]:5353", ("::1", 5353)),
        ("[::1]", ("::1", 53)),
        ("::1", ("::1", 53)),
    ],
)
def test_parse_nameserver(text: str, expected: tuple[str, int]) -> None:
    assert parse_nameserver(text) == expected


@pytest.mark.parametrize("text", ["ns.example.test", "127.0.0.1:0", "127.0.0.1:x", "[::1]x"])
def test_parse_nameserver_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_nameserver(text)


def test_import_does_not_load_dnspython() -> None:
    code = "import sys, smtpsh.resolve; sys.exit('dns' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


# --- ordering as a pure function, with answers in memory ------------------------------------


class FakeLookup:
    def __init__(self, mx: MXAnswer, hosts: dict[str, list[str]]) -> None:
        self._mx, self._hosts = mx, hosts

    async def mx(self, domain: str) -> MXAnswer:
        return self._mx

    async def addresses(self, host: str, family: int) -> AddressAnswer:
        if host not in self._hosts:
            return AddressAnswer("nxdomain", message=f"{host} does not exist")
        want = 6 if family == V6 else 4
        found = tuple(a for a in self._hosts[host] if (":" in a) == (want == 6))
        return AddressAnswer("ok" if found else "nodata", found)


async def test_stable_inside_preference_without_shuffle() -> None:
    class NoShuffle(random.Random):
        def shuffle(self, x: list[object]) -> None:  # type: ignore[override]
            pass

    records = tuple(MXRecord(p, n) for p, n in [(20, "c"), (10, "b"), (10, "a"), (20, "d")])
    fake = FakeLookup(MXAnswer("ok", records), {n: ["127.0.0.1"] for n in "abcd"})
    p = await plan("x.test", fake, None, 25, rng=NoShuffle())
    assert names(p) == ["b", "a", "c", "d"]  # sorted by preference, zone order kept otherwise


async def test_tempfail_on_every_host_defers() -> None:
    class Flaky(FakeLookup):
        async def addresses(self, host: str, family: int) -> AddressAnswer:
            return AddressAnswer("tempfail", message=f"{host}: no answer within 1s")

    fake = Flaky(MXAnswer("ok", (MXRecord(10, "mx.x.test"),)), {})
    p = await plan("x.test", fake, None, 25)
    assert p.outcome == "defer" and "no answer within 1s" in p.hosts[0].notes[0]


async def test_null_mx_among_others_is_skipped() -> None:
    records = (MXRecord(0, "."), MXRecord(10, "mx.x.test"))
    p = await plan("x.test", FakeLookup(MXAnswer("ok", records), {"mx.x.test": ["::1"]}), None, 25)
    assert p.outcome == "connect" and p.candidates() == [("mx.x.test", "::1")]
    assert "null MX" in p.hosts[0].notes[0]


# --- trying the candidates over real sockets ------------------------------------------------


async def test_try_candidates_falls_back_over_real_sockets(lookup: DnsLookup) -> None:
    accepted = asyncio.Event()

    async def on_client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.set()
        writer.write(b"220 ok\r\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(on_client, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    p = await plan("user@fallback.test", lookup, V4, port)
    assert p.candidates() == [
        ("closed.fallback.test", "127.0.0.2"),
        ("open.fallback.test", "127.0.0.1"),
    ]
    attempts: list[tuple[str, str, bool, str, float]] = []

    async def connect(address: str, port: int) -> asyncio.StreamReader:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(address, port), 2)
        return reader

    async with server:
        result = await try_candidates(p, connect, port, lambda *a: attempts.append(a))
        assert result is not None
        host, address, reader = result
        assert (host, address) == ("open.fallback.test", "127.0.0.1")
        assert await reader.readline() == b"220 ok\r\n"
        assert accepted.is_set()
    assert [(a[0], a[2], a[3]) for a in attempts] == [
        ("closed.fallback.test", False, "connection refused"),
        ("open.fallback.test", True, "connected"),
    ]
    assert all(a[4] >= 0 for a in attempts)


async def test_try_candidates_all_fail() -> None:
    async def connect(address: str, port: int) -> None:
        raise TimeoutError

    p = Plan("x.test", "connect", "test", [PlanHost(10, "a", ["192.0.2.1", "192.0.2.2"])])
    seen: list[str] = []
    result = await try_candidates(p, connect, 25, lambda h, a, ok, d, s: seen.append(f"{a} {d}"))
    assert result is None
    assert seen == ["192.0.2.1 timed out", "192.0.2.2 timed out"]
