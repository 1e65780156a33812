"""--check, DNS: the MX plan as an MTA makes it (resolve.plan), the records the other areas
need (TXT, TLSA with the AD bit), PTR and forward-confirmed reverse DNS."""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass, field

from smtpsh.findings import Finding, Section, Verdict
from smtpsh.i18n import _, decimal, plural
from smtpsh.resolve import DnsLookup, Plan, Status, _one_line

RFC_MX = "RFC 5321 5.1"


@dataclass(frozen=True)
class Answer:
    """One DNS answer as --check needs it: the records as text, and what DNSSEC said."""

    status: Status  # ok, nxdomain, nodata, tempfail (SERVFAIL: a bogus answer, too)
    records: tuple[str, ...] = ()
    ad: bool = False  # the resolver validated the answer (RFC 4035 3.2.3)
    signed: bool = False  # RRSIGs came with it (the DO bit asks for them)
    message: str = ""
    rcode: str = ""


class CheckLookup(DnsLookup):
    """The --mx lookup (same --nameserver, same timeouts), plus any record type with the
    AD bit: queries go out with the DO bit (EDNS0), as a DANE-aware resolver client does."""

    def _get(self):  # type: ignore[no-untyped-def]
        import dns.flags

        resolver = super()._get()
        if not resolver.ednsflags & dns.flags.DO:
            # The DO bit asks for signatures and the AD bit (RFC 3225, RFC 6840 5.7); not
            # AD in the query: a server that echoes query flags would fake it.
            resolver.use_edns(0, dns.flags.DO, 1232)
        return resolver

    async def ask(self, name: str, rdtype: str) -> Answer:
        import dns.exception
        import dns.flags
        import dns.rcode
        import dns.rdatatype
        import dns.resolver

        try:
            result = await self._get().resolve(name.rstrip(".") + ".", rdtype, search=False,
                                               raise_on_no_answer=False)
        except dns.resolver.NXDOMAIN as exc:
            response = next(iter(exc.responses().values()), None)
            ad = bool(response is not None and response.flags & dns.flags.AD)
            return Answer("nxdomain", ad=ad,
                          message=_("{name} does not exist (NXDOMAIN)").format(name=name),
                          rcode="NXDOMAIN")
        except dns.resolver.NoNameservers as exc:
            errors = exc.kwargs.get("errors") or []
            rcode = "SERVFAIL"
            for error in errors:
                if isinstance(error[3], ConnectionRefusedError):
                    return Answer("tempfail", message=_(
                        "the DNS server {server} refused the query (nothing listens there)"
                    ).format(server=self.shown), rcode="REFUSED")
                if "REFUSED" in str(error[3]):
                    rcode = "REFUSED"
            return Answer("tempfail", message=_("{name} {type}: {rcode} from {server}").format(
                name=name, type=rdtype, rcode=rcode, server=self.shown), rcode=rcode)
        except dns.exception.Timeout:
            return Answer("tempfail", message=_("{name} {type}: no answer within {seconds}s")
                          .format(name=name, type=rdtype, seconds=decimal(self.timeout)))
        except (dns.exception.DNSException, OSError) as exc:
            return Answer("tempfail", message=f"{name} {rdtype}: {_one_line(exc)}")
        response = result.response
        ad = bool(response.flags & dns.flags.AD)
        signed = any(rrset.rdtype == dns.rdatatype.RRSIG for rrset in response.answer)
        if result.rrset is None:
            return Answer("nodata", ad=ad, signed=signed,
                          message=_("{name} has no {type} records").format(name=name,
                                                                           type=rdtype),
                          rcode="NOERROR")
        records = tuple(r.to_text() for r in result.rrset)
        return Answer("ok", records, ad, signed, rcode="NOERROR")

    async def txt(self, name: str) -> Answer:
        """TXT records with their strings joined (RFC 7208 3.3 style), unquoted."""
        answer = await self.ask(name, "TXT")
        if answer.status != "ok":
            return answer
        joined = tuple(_join_txt(r) for r in answer.records)
        return Answer(answer.status, joined, answer.ad, answer.signed, answer.message,
                      answer.rcode)

    async def ptr(self, address: str) -> Answer:
        import dns.reversename

        return await self.ask(dns.reversename.from_address(address).to_text(True), "PTR")


def _join_txt(text: str) -> str:
    """'"v=STSv1; " "id=1"' -> 'v=STSv1; id=1' (the strings of one record, unescaped)."""
    out, i, inside = [], 0, False
    while i < len(text):
        c = text[i]
        if c == '"':
            inside = not inside
        elif c == "\\" and inside and i + 1 < len(text):
            nxt = text[i + 1:i + 4]
            if nxt.isdigit() and len(nxt) == 3:
                out.append(chr(int(nxt)))
                i += 4
                continue
            out.append(text[i + 1])
            i += 2
            continue
        elif inside:
            out.append(c)
        i += 1
    return "".join(out)


def security(answer: Answer, shown: str) -> str:
    """The DNSSEC state of an answer in plain words."""
    if answer.ad:
        return _("DNSSEC-validated (AD bit set)")
    if answer.signed:
        return _("NOT validated: signatures came but no AD bit, so {server} does not validate"
                 " DNSSEC (or has no trust anchor for the zone)").format(server=shown)
    return _("not validated (no AD bit from {server}): the zone is unsigned, or the resolver"
             " does not validate DNSSEC").format(server=shown)


# --- the plan -----------------------------------------------------------------------------


def plan_findings(plan: Plan, mx: Answer, section: Section, shown: str = "the resolver"
                  ) -> None:
    """The MX plan as findings: what an MTA would do with the domain, and why."""
    if plan.outcome == "bounce" and "null MX" in plan.reason:
        section.add(Finding("dns.null-mx", Verdict.INFO,
                            _("null MX: the domain accepts no mail"),
                            plan.reason, _("senders bounce at once rather than queue"),
                            "RFC 7505"))
        return
    if plan.outcome != "connect":
        section.add(Finding("dns.mx", Verdict.FAIL, would(plan.outcome), plan.reason,
                            _("no server can be tried"), RFC_MX))
        return
    if not any(h.preference is not None for h in plan.hosts):
        section.add(Finding("dns.mx", Verdict.WARN, _("no MX records: implicit MX"),
                            plan.reason, _("the domain's own address takes the mail; an MX"
                                           " record says so explicitly"), RFC_MX))
    else:
        listed = ", ".join(f"{h.preference} {h.name}" for h in plan.hosts)
        section.add(Finding("dns.mx", Verdict.PASS,
                            plural(len(plan.hosts), _("{count} MX host"), _("{count} MX hosts")),
                            f"{listed}; {security(mx, shown)}", "", RFC_MX))
    for host in plan.hosts:
        for note in host.notes:
            if "CNAME" in note:
                section.add(Finding("dns.mx-cname", Verdict.WARN,
                                    _("{host}: MX target is an alias").format(
                                        host=host.name), note,
                                    _("some MTAs refuse or mishandle it"), "RFC 5321 5.1"))
        if host.addresses:
            section.add(Finding("dns.address", Verdict.PASS,
                                _("{host}: address records").format(host=host.name),
                                ", ".join(host.addresses)))
        else:
            section.add(Finding("dns.address", Verdict.FAIL,
                                _("{host}: no usable address").format(host=host.name),
                                "; ".join(host.notes), _("this MX cannot be reached"),
                                RFC_MX))


def would(outcome: str) -> str:
    """What an MTA would do with the mail, when it would not connect, in words."""
    return _("mail would bounce") if outcome == "bounce" else _("mail would be deferred")


# --- reverse DNS and names ------------------------------------------------------------------


@dataclass
class Reverse:
    ptr: list[str] = field(default_factory=list)
    confirmed: str | None = None  # the PTR name whose A/AAAA holds the address
    message: str = ""


async def reverse(lookup: CheckLookup, address: str) -> Reverse:
    answer = await lookup.ptr(address)
    if answer.status != "ok":
        return Reverse(message=answer.message or answer.status)
    names = [r.rstrip(".") for r in answer.records]
    family = socket.AF_INET6 if ipaddress.ip_address(address).version == 6 else socket.AF_INET
    want = ipaddress.ip_address(address)
    for name in names:
        forward = await lookup.addresses(name, family)
        if any(ipaddress.ip_address(a) == want for a in forward.addresses):
            return Reverse(names, name)
    return Reverse(names, None, _("no PTR name resolves back to the address"))


def reverse_findings(address: str, rev: Reverse, section: Section) -> None:
    if not rev.ptr:
        section.add(Finding("dns.ptr", Verdict.WARN, _("no PTR record"), rev.message,
                            _("many receivers distrust hosts without reverse DNS, and a"
                              " missing PTR hints at a misconfigured host"), "RFC 1912 2.1"))
        return
    section.add(Finding("dns.ptr", Verdict.PASS, _("PTR record"), f"{address} -> "
                        + ", ".join(rev.ptr)))
    if rev.confirmed:
        section.add(Finding("dns.fcrdns", Verdict.PASS, _("forward-confirmed reverse DNS"),
                            _("{name} resolves back to {address}").format(
                                name=rev.confirmed, address=address)))
    else:
        section.add(Finding("dns.fcrdns", Verdict.WARN,
                            _("reverse DNS not forward-confirmed"),
                            f"{', '.join(rev.ptr)}: {rev.message}",
                            _("FCrDNS is what receivers check; a mismatch looks forged"),
                            "RFC 1912 2.1"))


def names_finding(mx: str, banner: str | None, ehlo: str | None, ptr: list[str],
                  cert_names: list[str] | None, section: Section) -> None:
    """Banner name vs MX name vs PTR vs certificate names: one finding."""
    from smtpsh.check.tls import name_matches

    low = mx.lower()
    parts = [f"MX {mx}", _("banner {name}").format(name=banner or "-"),
             f"EHLO {ehlo or '-'}", f"PTR {', '.join(ptr) or '-'}"]
    if cert_names is not None:
        parts.append(_("certificate {names}").format(names=", ".join(cert_names) or "-"))
    odd = []
    if banner and banner.lower() != low:
        odd.append(_("the banner names another host"))
    if ptr and low not in (p.lower() for p in ptr):
        odd.append(_("the PTR names another host"))
    if cert_names is not None and banner and not name_matches(banner, cert_names):
        odd.append(_("the certificate does not cover the banner name"))
    verdict = Verdict.INFO if odd else Verdict.PASS
    title = _("names agree") if not odd else _("names differ: {what}").format(
        what="; ".join(odd))
    section.add(Finding("dns.names", verdict, title, "; ".join(parts),
                        _("consistent names make the host easy to verify and to trust")
                        if odd else ""))
