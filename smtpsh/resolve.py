"""Pick the mail server the way a sending MTA does (RFC 5321 §5.1, RFC 7505 null MX).

The selection is a pure function of DNS answers: `plan()` asks a `Lookup` (the real one is
`DnsLookup`, on dnspython) and returns a `Plan`, plain data that can be rendered, tested and
then tried in order by `try_candidates()`.

Address order inside a host: IPv6 before IPv4, as the default policy of RFC 6724 (and
getaddrinfo) does; `-4`/`-6` restrict the plan to one family.
"""

from __future__ import annotations

import asyncio
import ipaddress
import random
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from itertools import groupby
from typing import TYPE_CHECKING, Literal, Protocol, TypeVar

from smtpsh.escape import escape
from smtpsh.exitcodes import Exit

if TYPE_CHECKING:
    import dns.asyncbackend
    import dns.asyncresolver
    import dns.message
    import dns.nameserver

Status = Literal["ok", "nxdomain", "nodata", "tempfail"]
Outcome = Literal["connect", "bounce", "defer"]

ORDER_MX = "lowest preference first, equal preferences in random order (RFC 5321 §5.1)"
ORDER_ADDRESSES = "IPv6 addresses before IPv4"


@dataclass(frozen=True)
class MXRecord:
    preference: int
    exchange: str  # host name without the final dot; "." is the root (null MX)


@dataclass(frozen=True)
class MXAnswer:
    status: Status
    records: tuple[MXRecord, ...] = ()
    message: str = ""  # one line, for anything but "ok"


@dataclass(frozen=True)
class AddressAnswer:
    status: Status
    addresses: tuple[str, ...] = ()
    cname: str | None = None  # the canonical name when the queried name is an alias
    message: str = ""


class Lookup(Protocol):
    async def mx(self, domain: str) -> MXAnswer: ...

    async def addresses(self, host: str, family: int) -> AddressAnswer: ...


def parse_nameserver(text: str) -> tuple[str, int]:
    """`ADDR`, `ADDR:PORT`, `[V6]:PORT` or a bare IPv6 address -> (address, port)."""
    from smtpsh.hostport import port_number, split_host_port

    try:
        addr, port = split_host_port(text)
        ipaddress.ip_address(addr)
        return addr, port_number(port or "53")
    except ValueError as exc:
        raise ValueError(f"bad nameserver {text.strip()!r}: {exc}; give an IP address"
                         " (and port), as with dig @") from None


class DnsLookup:
    """`Lookup` over dnspython. With no nameserver, the system configuration is read."""

    def __init__(self, nameserver: str | None = None, timeout: float = 5.0) -> None:
        self.server = parse_nameserver(nameserver) if nameserver else None
        self.timeout = timeout
        self._resolver: dns.asyncresolver.Resolver | None = None

    @property
    def shown(self) -> str:
        """The --nameserver as given back to the user: ADDR:PORT, [V6]:PORT."""
        if self.server is None:
            return "the system's DNS server"
        address, port = self.server
        return f"[{address}]:{port}" if ":" in address else f"{address}:{port}"

    def _get(self) -> dns.asyncresolver.Resolver:
        # Built on first use so that importing dnspython (and reading resolv.conf) costs
        # nothing until a lookup is asked for.
        if self._resolver is None:
            import dns.asyncresolver
            import dns.nameserver

            if self.server is None:
                resolver = dns.asyncresolver.Resolver(configure=True)
            else:
                resolver = dns.asyncresolver.Resolver(configure=False)
                resolver.nameservers = [_connected_nameserver(*self.server)]
            resolver.lifetime = self.timeout
            resolver.timeout = min(resolver.timeout, self.timeout)
            self._resolver = resolver
        return self._resolver

    async def _query(self, name: str, rdtype: str) -> tuple[Status, list[str], str | None, str]:
        """-> (status, rdata as text, canonical name if an alias, one-line message)."""
        import dns.exception
        import dns.resolver

        where = f"{name} {rdtype}"
        try:
            answer = await self._get().resolve(
                name + ".", rdtype, search=False, raise_on_no_answer=False
            )
        except dns.resolver.NXDOMAIN:
            return "nxdomain", [], None, f"{name} does not exist (NXDOMAIN)"
        except dns.resolver.NoNameservers as exc:  # SERVFAIL or REFUSED from every server
            if self.server and any(isinstance(error[3], ConnectionRefusedError)
                                   for error in exc.kwargs.get("errors") or []):
                return "tempfail", [], None, (f"the DNS server {self.shown} refused the query"
                                              " (nothing listens there)")
            # keep what each server answered, not dnspython's preamble that repeats the query
            return "tempfail", [], None, f"{where}: {_one_line(exc).rpartition(': ')[2]}"
        except dns.exception.Timeout:
            return "tempfail", [], None, f"{where}: no answer within {self.timeout:g}s"
        except (dns.exception.DNSException, OSError) as exc:
            return "tempfail", [], None, f"{where}: {_one_line(exc)}"
        cname = answer.canonical_name.to_text(omit_final_dot=True)
        alias = cname if cname.lower() != name.lower() else None
        if answer.rrset is None:
            return "nodata", [], alias, f"{name} has no {rdtype} records"
        return "ok", [rdata.to_text() for rdata in answer.rrset], alias, ""

    async def mx(self, domain: str) -> MXAnswer:
        status, rdatas, _, message = await self._query(domain, "MX")
        records = []
        for text in rdatas:
            preference, exchange = text.split(None, 1)
            name = exchange if exchange == "." else exchange.rstrip(".")
            records.append(MXRecord(int(preference), name))
        return MXAnswer(status, tuple(records), message)

    async def addresses(self, host: str, family: int) -> AddressAnswer:
        rdtype = "AAAA" if family == socket.AF_INET6 else "A"
        status, rdatas, alias, message = await self._query(host, rdtype)
        return AddressAnswer(status, tuple(rdatas), alias, message)


def _connected_nameserver(address: str, port: int) -> dns.nameserver.Do53Nameserver:
    """A Do53 name server asked over a connected UDP socket: an ICMP port unreachable then
    comes back at once as ConnectionRefusedError (dig's "connection refused"), where an
    unconnected socket never hears of it and waits for the whole timeout."""
    import dns.asyncquery
    import dns.inet
    import dns.nameserver

    class ConnectedDo53(dns.nameserver.Do53Nameserver):
        async def async_query(self, request: dns.message.QueryMessage, timeout: float,
                              source: str | None, source_port: int, max_size: bool,
                              backend: dns.asyncbackend.Backend, one_rr_per_rrset: bool = False,
                              ignore_trailing: bool = False) -> dns.message.Message:
            if max_size:  # TCP: a refusal is seen anyway
                return await super().async_query(request, timeout, source, source_port,
                                                 max_size, backend, one_rr_per_rrset,
                                                 ignore_trailing)
            af = dns.inet.af_for_address(self.address)
            local = (source or dns.inet.any_for_af(af), source_port) \
                if source or source_port else None
            sock = await backend.make_socket(af, socket.SOCK_DGRAM, 0, local,
                                             (self.address, self.port))
            async with sock:
                return await dns.asyncquery.udp(
                    request, self.address, timeout=timeout, port=self.port,
                    raise_on_truncation=True, sock=sock, one_rr_per_rrset=one_rr_per_rrset,
                    ignore_trailing=ignore_trailing, ignore_errors=True, ignore_unexpected=True)

    return ConnectedDo53(address, port)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


@dataclass
class PlanHost:
    preference: int | None  # None: implicit MX or domain literal
    name: str
    addresses: list[str]
    notes: list[str] = field(default_factory=list)
    why: str = ""  # why it sits at this place in the order


@dataclass
class Plan:
    domain: str  # A-label form, or the literal in brackets
    outcome: Outcome
    reason: str  # one line
    hosts: list[PlanHost] = field(default_factory=list)
    port: int = 25
    order: str = ""  # one line: why this order

    def candidates(self) -> list[tuple[str, str]]:
        """(host, address) pairs in the order they are to be tried."""
        if self.outcome != "connect":
            return []
        return [(host.name, address) for host in self.hosts for address in host.addresses]

    @property
    def exit_status(self) -> Exit:
        return {"connect": Exit.OK, "bounce": Exit.DNS_BOUNCE, "defer": Exit.DNS_DEFER}[
            self.outcome
        ]

    def render(self) -> str:
        """The plan as text; every name from DNS (MX targets, CNAMEs) or the user escaped."""
        head = escape(f"mail for {self.domain} (port {self.port}): {self.outcome}:"
                      f" {self.reason}", tab=True)
        if not self.hosts:
            return head
        rows = [("pref", "host", "addresses", "why / notes")]
        for host in self.hosts:
            pref = "-" if host.preference is None else str(host.preference)
            notes = escape("; ".join(filter(None, [host.why, *host.notes])), tab=True)
            rows.append((pref, escape(host.name, tab=True),
                         escape(", ".join(host.addresses), tab=True) or "-", notes))
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        lines = [head]
        for row in rows:
            cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
            lines.append("  ".join([*cells, row[3]]).rstrip())
        if self.order:
            lines.append(f"order: {self.order}")
        return "\n".join(lines)


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _family_ok(address: str, family: int | None) -> bool:
    want = {int(socket.AF_INET): 4, int(socket.AF_INET6): 6}.get(family or 0)
    ip = _ip(address)
    return want is None or (ip is not None and ip.version == want)


def parse_target(target: str) -> tuple[str, str | None]:
    """-> (domain in A-labels or "[literal]", literal address or None). Raises ValueError."""
    domain = target.strip().rpartition("@")[2]
    if domain.startswith("[") and domain.endswith("]"):
        inner = domain[1:-1]
        tagged = inner[:5].lower() == "ipv6:"  # RFC 5321 §4.1.3 tags IPv6, and only IPv6
        ip = _ip(inner[5:] if tagged else inner)
        if ip is None or (ip.version == 6) != tagged:
            raise ValueError(f"bad domain literal {domain} (RFC 5321 §4.1.3)")
        return domain, str(ip)
    if _ip(domain) is not None:  # a bare address: take it as the literal it stands for
        return domain, domain
    domain = domain.rstrip(".")
    if not domain:
        raise ValueError(f"no domain in {target!r}")
    try:
        return domain.encode("idna").decode("ascii").lower(), None
    except UnicodeError as exc:
        raise ValueError(f"bad domain {domain!r}: {exc.__cause__ or exc}") from None


async def _resolve_host(
    lookup: Lookup, name: str, family: int | None, is_mx: bool
) -> tuple[list[str], list[str], bool, bool]:
    """-> (addresses in try order, notes, whether a lookup failed temporarily, whether only
    the family that -4/-6 left out has addresses)."""
    if _ip(name) is not None:
        note = "warning: the MX target is an IP address, not a host name; used as given"
        if not _family_ok(name, family):
            return [], [note, "skipped: not of the address family asked for"], False, False
        return [str(_ip(name))], [note], False, False
    families = [socket.AF_INET6, socket.AF_INET] if family is None else [family]
    answers = await asyncio.gather(*(lookup.addresses(name, fam) for fam in families))
    addresses: list[str] = []
    notes: list[str] = []
    tempfail = False
    for answer in answers:
        addresses += [a for a in answer.addresses if a not in addresses]
        if answer.cname and not any(answer.cname in note for note in notes):
            if is_mx:
                notes.append(
                    f"warning: MX target is an alias (CNAME) of {answer.cname}; "
                    "RFC 5321 §5.1 wants the canonical name"
                )
            else:
                notes.append(f"alias (CNAME) of {answer.cname}")
        if answer.status == "tempfail":
            tempfail = True
            notes.append(answer.message)
    other = False
    if not addresses:
        nx = any(answer.status == "nxdomain" for answer in answers)
        why = "the name does not exist" if nx else "no address records"
        if family is not None and not nx and not tempfail:
            # -4/-6 left nothing: does the other family have addresses? Say so, not "none".
            answer = await lookup.addresses(name, _OTHER[family])
            if answer.addresses:
                other = True
                why = _family_hint(family)
        notes.append(f"skipped: {why}")
    return addresses, notes, tempfail, other


_OTHER: dict[int, int] = {socket.AF_INET: socket.AF_INET6, socket.AF_INET6: socket.AF_INET}


def _family_hint(family: int, who: str = "the host has") -> str:
    """'no IPv4 address (the host has only IPv6 addresses; drop -4)', and the other way."""
    want, have = (4, 6) if family == socket.AF_INET else (6, 4)
    return f"no IPv{want} address ({who} only IPv{have} addresses; drop -{want})"


async def plan(
    target: str,
    lookup: Lookup,
    family: int | None = None,
    port: int = 25,
    rng: random.Random | None = None,
) -> Plan:
    """Where mail for `target` (a domain, user@domain or a domain literal) would go."""
    try:
        domain, literal = parse_target(target)
    except ValueError as exc:
        return Plan(target, "bounce", str(exc), port=port)
    if literal is not None:
        host = PlanHost(None, domain, [literal], ["domain literal: used as given, no DNS"])
        if not _family_ok(literal, family):
            return Plan(
                domain, "bounce", "the literal is not of the address family asked for", [host], port
            )
        return Plan(domain, "connect", "domain literal", [host], port, "a single address")

    answer = await lookup.mx(domain)
    if answer.status == "nxdomain":
        return Plan(domain, "bounce", f"{domain} does not exist (NXDOMAIN)", port=port)
    if answer.status == "tempfail":
        return Plan(domain, "defer", f"temporary DNS failure: {answer.message}", port=port)
    records = list(answer.records)
    if len(records) == 1 and records[0].exchange == ".":
        return Plan(domain, "bounce", f"{domain} accepts no mail (null MX, RFC 7505)", port=port)

    hosts: list[PlanHost] = []
    if not records:
        why = "no MX records: the domain is its own mail host (implicit MX, RFC 5321 §5.1)"
        hosts.append(PlanHost(None, domain, [], why=why))
        order = ORDER_ADDRESSES
    else:
        shuffle = rng.shuffle if rng else random.shuffle
        records.sort(key=lambda record: record.preference)
        for preference, group in groupby(records, key=lambda record: record.preference):
            names = [record.exchange for record in group]
            shuffle(names)
            for rank, name in enumerate(names, 1):
                why = f"preference {preference}"
                if len(names) > 1:
                    why += f", {rank} of {len(names)} equal, shuffled"
                hosts.append(PlanHost(preference, name, [], why=why))
        order = f"{ORDER_MX}; {ORDER_ADDRESSES}"

    tempfail = other_family = False
    real = [host for host in hosts if host.name != "."]
    resolved = await asyncio.gather(
        *(_resolve_host(lookup, host.name, family, bool(records)) for host in real)
    )
    for host, (addresses, notes, failed, other) in zip(real, resolved, strict=True):
        host.addresses, host.notes = addresses, notes
        tempfail = tempfail or failed
        other_family = other_family or other
    for host in hosts:
        if host.name == ".":  # a null MX among real ones is a broken zone: not a host
            host.notes = ["skipped: null MX target among other MX records"]

    count = sum(len(host.addresses) for host in hosts)
    if count:
        usable = sum(1 for host in hosts if host.addresses)
        reason = f"{count} address(es) on {usable} host(s)"
        if not records:
            reason += ", implicit MX"
        return Plan(domain, "connect", reason, hosts, port, order)
    if tempfail:
        return Plan(domain, "defer", "no address yet: a lookup failed temporarily", hosts, port)
    if other_family and family is not None:
        reason = _family_hint(family, "the domain has" if not records else "its MX hosts have")
    elif not records:
        reason = f"{domain} has neither MX nor address records"
    else:
        reason = "no MX host has an address"
    return Plan(domain, "bounce", reason, hosts, port)


Conn = TypeVar("Conn")
OnAttempt = Callable[[str, str, bool, str, float], None]


async def try_candidates(
    plan: Plan,
    connect: Callable[[str, int], Awaitable[Conn]],
    port: int,
    on_attempt: OnAttempt | None = None,
) -> tuple[str, str, Conn] | None:
    """Try each (host, address) in order; -> (host, address, connection), or None if all fail.

    A refusal, timeout or other OSError moves on to the next address, then the next host.
    """
    for host, address in plan.candidates():
        started = time.monotonic()
        try:
            conn = await connect(address, port)
        except (OSError, TimeoutError) as exc:
            if on_attempt:
                on_attempt(host, address, False, _failure(exc), time.monotonic() - started)
            continue
        if on_attempt:
            on_attempt(host, address, True, "connected", time.monotonic() - started)
        return host, address, conn
    return None


def _failure(exc: BaseException) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, TimeoutError):
        return "timed out"
    return getattr(exc, "strerror", None) or _one_line(exc)
