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
from smtpsh.i18n import N_, _, decimal

if TYPE_CHECKING:
    import dns.asyncbackend
    import dns.asyncresolver
    import dns.message
    import dns.nameserver

Status = Literal["ok", "nxdomain", "nodata", "tempfail"]
Outcome = Literal["connect", "bounce", "defer"]

ORDER_MX = N_("lowest preference first, equal preferences in random order (RFC 5321 §5.1)")
ORDER_ADDRESSES = N_("IPv6 addresses before IPv4")
# How a plan's outcome is said (the outcome itself is an id: JSON, exit statuses).
OUTCOMES = {"connect": N_("connect"), "bounce": N_("bounce"), "defer": N_("defer")}


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
        raise ValueError(_("bad nameserver {nameserver}: {error}; give an IP address (and"
                           " port), as with dig @").format(nameserver=repr(text.strip()),
                                                           error=exc)) from None


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
            return _("the system's DNS server")
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
            return "nxdomain", [], None, _("{name} does not exist (NXDOMAIN)").format(name=name)
        except dns.resolver.NoNameservers as exc:  # SERVFAIL or REFUSED from every server
            if self.server and any(isinstance(error[3], ConnectionRefusedError)
                                   for error in exc.kwargs.get("errors") or []):
                return "tempfail", [], None, _("the DNS server {server} refused the query"
                                               " (nothing listens there)").format(
                                                   server=self.shown)
            # keep what each server answered, not dnspython's preamble that repeats the query
            return "tempfail", [], None, f"{where}: {_one_line(exc).rpartition(': ')[2]}"
        except dns.exception.Timeout:
            return "tempfail", [], None, _("{query}: no answer within {seconds}s").format(
                query=where, seconds=decimal(self.timeout))
        except (dns.exception.DNSException, OSError) as exc:
            return "tempfail", [], None, f"{where}: {_one_line(exc)}"
        cname = answer.canonical_name.to_text(omit_final_dot=True)
        alias = cname if cname.lower() != name.lower() else None
        if answer.rrset is None:
            return "nodata", [], alias, _("{name} has no {rdtype} records").format(
                name=name, rdtype=rdtype)
        return "ok", [rdata.to_text() for rdata in answer.rrset], alias, ""

    async def mx(self, domain: str) -> MXAnswer:
        status, rdatas, _alias, message = await self._query(domain, "MX")
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
        head = escape(_("mail for {domain} (port {port}): {outcome}: {reason}").format(
            domain=self.domain, port=self.port, outcome=_(OUTCOMES[self.outcome]),
            reason=self.reason), tab=True)
        if not self.hosts:
            return head
        rows = [(_("pref"), _("host"), _("addresses"), _("why / notes"))]
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
            lines.append(_("order: {order}").format(order=self.order))
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
            raise ValueError(_("bad domain literal {domain} (RFC 5321 §4.1.3)").format(
                domain=domain))
        return domain, str(ip)
    if _ip(domain) is not None:  # a bare address: take it as the literal it stands for
        return domain, domain
    domain = domain.rstrip(".")
    if not domain:
        raise ValueError(_("no domain in {target}").format(target=repr(target)))
    try:
        return domain.encode("idna").decode("ascii").lower(), None
    except UnicodeError as exc:
        raise ValueError(_("bad domain {domain}: {error}").format(
            domain=repr(domain), error=exc.__cause__ or exc)) from None


async def _resolve_host(
    lookup: Lookup, name: str, family: int | None, is_mx: bool
) -> tuple[list[str], list[str], bool, bool]:
    """-> (addresses in try order, notes, whether a lookup failed temporarily, whether only
    the family that -4/-6 left out has addresses)."""
    if _ip(name) is not None:
        note = _("warning: the MX target is an IP address, not a host name; used as given")
        if not _family_ok(name, family):
            return [], [note, _("skipped: not of the address family asked for")], False, False
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
                notes.append(_("warning: MX target is an alias (CNAME) of {name}; RFC 5321 §5.1"
                               " wants the canonical name").format(name=answer.cname))
            else:
                notes.append(_("alias (CNAME) of {name}").format(name=answer.cname))
        if answer.status == "tempfail":
            tempfail = True
            notes.append(answer.message)
    other = False
    if not addresses:
        nx = any(answer.status == "nxdomain" for answer in answers)
        why = _("the name does not exist") if nx else _("no address records")
        if family is not None and not nx and not tempfail:
            # -4/-6 left nothing: does the other family have addresses? Say so, not "none".
            answer = await lookup.addresses(name, _OTHER[family])
            if answer.addresses:
                other = True
                why = _family_hint(family)
        notes.append(_("skipped: {why}").format(why=why))
    return addresses, notes, tempfail, other


_OTHER: dict[int, int] = {socket.AF_INET: socket.AF_INET6, socket.AF_INET6: socket.AF_INET}


def _family_hint(family: int, who: str = "host") -> str:
    """'no IPv4 address (the host has only IPv6 addresses; drop -4)', and the other way;
    `who`: host, domain or mx."""
    want, have = (4, 6) if family == socket.AF_INET else (6, 4)
    text = {"host": _("no IPv{want} address (the host has only IPv{have} addresses; drop"
                      " -{want})"),
            "domain": _("no IPv{want} address (the domain has only IPv{have} addresses; drop"
                        " -{want})"),
            "mx": _("no IPv{want} address (its MX hosts have only IPv{have} addresses; drop"
                    " -{want})")}[who]
    return text.format(want=want, have=have)


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
        host = PlanHost(None, domain, [literal], [_("domain literal: used as given, no DNS")])
        if not _family_ok(literal, family):
            return Plan(domain, "bounce", _("the literal is not of the address family asked"
                                            " for"), [host], port)
        return Plan(domain, "connect", _("domain literal"), [host], port, _("a single address"))

    answer = await lookup.mx(domain)
    if answer.status == "nxdomain":
        return Plan(domain, "bounce", _("{name} does not exist (NXDOMAIN)").format(name=domain),
                    port=port)
    if answer.status == "tempfail":
        return Plan(domain, "defer", _("temporary DNS failure: {error}").format(
            error=answer.message), port=port)
    records = list(answer.records)
    if len(records) == 1 and records[0].exchange == ".":
        return Plan(domain, "bounce", _("{domain} accepts no mail (null MX, RFC 7505)").format(
            domain=domain), port=port)

    hosts: list[PlanHost] = []
    if not records:
        why = _("no MX records: the domain is its own mail host (implicit MX, RFC 5321 §5.1)")
        hosts.append(PlanHost(None, domain, [], why=why))
        order = _(ORDER_ADDRESSES)
    else:
        shuffle = rng.shuffle if rng else random.shuffle
        records.sort(key=lambda record: record.preference)
        for preference, group in groupby(records, key=lambda record: record.preference):
            names = [record.exchange for record in group]
            shuffle(names)
            for rank, name in enumerate(names, 1):
                why = _("preference {preference}").format(preference=preference)
                if len(names) > 1:
                    why += _(", {rank} of {count} equal, shuffled").format(rank=rank,
                                                                           count=len(names))
                hosts.append(PlanHost(preference, name, [], why=why))
        order = f"{_(ORDER_MX)}; {_(ORDER_ADDRESSES)}"

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
            host.notes = [_("skipped: null MX target among other MX records")]

    count = sum(len(host.addresses) for host in hosts)
    if count:
        usable = sum(1 for host in hosts if host.addresses)
        reason = _("{count} address(es) on {hosts} host(s)").format(count=count, hosts=usable)
        if not records:
            reason += _(", implicit MX")
        return Plan(domain, "connect", reason, hosts, port, order)
    if tempfail:
        return Plan(domain, "defer", _("no address yet: a lookup failed temporarily"), hosts,
                    port)
    if other_family and family is not None:
        reason = _family_hint(family, "domain" if not records else "mx")
    elif not records:
        reason = _("{domain} has neither MX nor address records").format(domain=domain)
    else:
        reason = _("no MX host has an address")
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
            on_attempt(host, address, True, _("connected"), time.monotonic() - started)
        return host, address, conn
    return None


def _failure(exc: BaseException) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return _("connection refused")
    if isinstance(exc, TimeoutError):
        return _("timed out")
    return _(getattr(exc, "strerror", None) or _one_line(exc))
