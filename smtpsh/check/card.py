"""--check: the run (DNS, then every MX address at once, bounded by a semaphore and by
--timeout) and the card: a DNS section, one section per MX host and address, MTA-STS and
TLS-RPT sections, a verdict line per MX and the domain's verdict."""

from __future__ import annotations

import asyncio
import re
import socket
import time
from dataclasses import dataclass, field

import smtpsh.check.dane as dane
import smtpsh.check.dns as dns
import smtpsh.check.mtasts as mtasts
import smtpsh.check.smtp as smtp
import smtpsh.check.tls as tls
import smtpsh.check.tlsrpt as tlsrpt
from smtpsh import resolve
from smtpsh.findings import Card, Finding, Section, Verdict
from smtpsh.i18n import _, decimal
from smtpsh.session import ConnectOptions
from smtpsh.settings import Settings, local_name

# At most this many connections at once, over all MX addresses: each address takes up to
# five (the dialog, a second unverified look, TLS 1.0, TLS 1.1, the injection probe), so
# that a domain with a dozen MX addresses is checked all at once.
CONNECTIONS = 64


@dataclass
class Outcome:
    card: Card
    ran: bool = True  # False: the check could not run (DNS failed): Nagios UNKNOWN
    seconds: float = 0.0
    facts: list[smtp.HostFacts] = field(default_factory=list)


async def run(target: str, settings: Settings) -> Outcome:
    """Check the mail domain of `target` (a domain or user@domain). Raises ValueError for a
    target that is no domain."""
    started = time.monotonic()
    deadline = started + settings.timeout
    domain, literal = resolve.parse_target(target)
    card = Card(f"smtpsh --check {domain}")
    lookup = dns.CheckLookup(settings.nameserver, timeout=min(settings.timeout, 10))
    shown = lookup.shown
    family = settings.family or None
    dns_section = card.section(_("DNS {domain} (asked {server})").format(domain=domain,
                                                                          server=shown))
    outcome = Outcome(card)

    def left() -> float:
        return max(deadline - time.monotonic(), 0.01)

    try:
        async with asyncio.timeout(left()):
            plan, mx, sts_txt, rpt_txt = await asyncio.gather(
                resolve.plan(target, lookup, family, settings.port),
                lookup.ask(domain, "MX") if literal is None else _none(),
                lookup.txt(f"_mta-sts.{domain}") if literal is None else _none(),
                lookup.txt(f"_smtp._tls.{domain}") if literal is None else _none())
    except TimeoutError:
        dns_section.add(Finding("check.timeout", Verdict.FAIL, _(
            "DNS gave no answer within --timeout {seconds} s").format(
                seconds=decimal(settings.timeout))))
        outcome.ran = False
        return _finish(outcome, started)
    dns.plan_findings(plan, mx, dns_section, shown)
    if plan.outcome == "defer":
        outcome.ran = False
    if plan.outcome != "connect":
        card.summary = _("{domain}: {outcome}: {reason}").format(
            domain=domain, outcome=dns.would(plan.outcome), reason=plan.reason)
        return _finish(outcome, started)

    options = ConnectOptions(timeout=min(settings.timeout, 30), family=settings.family,
                             source=settings.source, tls=settings.tls)
    prober = smtp.Prober(options, settings.ehlo or local_name(), asyncio.Semaphore(CONNECTIONS))
    facts = [smtp.HostFacts(host, address, plan.port) for host, address in plan.candidates()]
    outcome.facts = facts
    hosts = sorted({f.host for f in facts})
    sts_section = card.section(f"MTA-STS {domain}")
    rpt_section = card.section(f"TLS-RPT {domain}")
    tlsrpt.check(domain, rpt_txt, rpt_section)
    tasks: dict[str, asyncio.Task] = {}  # type: ignore[type-arg]
    for i, f in enumerate(facts):
        tasks[f"smtp{i}"] = asyncio.ensure_future(prober.check(f))
        tasks[f"ptr{i}"] = asyncio.ensure_future(dns.reverse(lookup, f.address))
    for host in hosts:
        tasks[f"tlsa {host}"] = asyncio.ensure_future(
            lookup.ask(dane.tlsa_name(host, plan.port), "TLSA"))
        # RFC 7672 2.2.2: DANE needs the host's address records validated as well
        tasks[f"addr {host}"] = asyncio.ensure_future(
            lookup.ask(host, "AAAA" if settings.family == socket.AF_INET6 else "A"))
    tasks["sts"] = asyncio.ensure_future(mtasts.check(
        domain, lookup, sts_txt, family, settings.tls.cafile, min(left(), 10), sts_section))
    done, pending = await asyncio.wait(tasks.values(), timeout=left())
    for task in pending:
        task.cancel()
    if pending:
        await asyncio.wait(pending, timeout=2)
        card.sections.insert(1, Section("timeout", [Finding(
            "check.timeout", Verdict.FAIL, _("not finished within --timeout {seconds} s")
            .format(seconds=decimal(settings.timeout)),
            _("{count} of {total} parts unfinished").format(count=len(pending),
                                                            total=len(tasks)),
            _("what did not finish is shown as not checked"))]))

    def result(key: str):  # type: ignore[no-untyped-def]
        task = tasks[key]
        if task.done() and not task.cancelled() and task.exception() is None:
            return task.result()
        return None

    sts: mtasts.StsResult | None = result("sts")
    if sts is None:
        sts_section.add(Finding("mtasts.fetch", Verdict.SKIP, _("MTA-STS not checked"),
                                _("unfinished")))
        sts = mtasts.StsResult()
    at = 1 + (1 if pending else 0)
    summaries: list[tuple[smtp.HostFacts, str | None]] = []  # facts, DANE deliver/defer
    for i, f in enumerate(facts):
        section = Section(f"{f.host} [{f.address}]:{f.port}")
        card.sections.insert(at + i, section)
        rev = result(f"ptr{i}") or dns.Reverse(message=_("not checked"))
        dns.reverse_findings(f.address, rev, section)
        leaf = tls.load(f.chain[0]) if f.chain else None
        dns.names_finding(f.host, f.greeting.lines[0].split(" ")[0] if f.greeting and
                          f.greeting.lines else None,
                          f.ehlo.lines[0].split(" ")[0] if f.ehlo and f.ehlo.lines else None,
                          rev.ptr, tls.cert_names(leaf) if leaf else None, section)
        smtp.findings(f, section)
        tls.findings(f, section)
        if f.starttls_offered:
            tls.injection_finding(f.injection, f.injection_detail, section)
        tlsa = result(f"tlsa {f.host}") or dns.Answer("tempfail", message=_("not checked"))
        addr = result(f"addr {f.host}")
        insecure = [what for what, answer in ((_("MX RRset"), mx), (_("address records"), addr))
                    if answer is not None and answer.status == "ok" and not answer.ad]
        dane_state, dane_line = dane.findings(f, tlsa, shown, section,
                                              _(" and ").join(insecure))
        parts = [dane_line]
        if sts.policy is not None:
            tls_ok = bool(f.tls_version) and not f.verify_error
            why = _openssl_reason(f.verify_error) or f.tls_error or _("no TLS")
            verdict, line = mtasts.mx_verdict(sts.policy, f.host, tls_ok,
                                              _("the certificate is not valid ({why})").format(
                                                  why=why) if f.tls_version else why)
            section.add(Finding("mtasts.mx", verdict, line, "", "", "RFC 8461 4"))
            parts.append(line)
        elif sts.failed:
            parts.append(_("MTA-STS fails at {rule}").format(rule=sts.failed))
        section.summary = "; ".join([_mx_line(f), *parts])
        summaries.append((f, dane_state))
    if sts.policy is not None:
        bad = [f.host for f in facts if not mtasts.mx_matches(f.host, sts.policy.mx)]
        sts_section.summary = "; ".join([
            _("policy mode {mode}").format(mode=sts.policy.mode),
            _("no mx pattern matches {hosts}").format(hosts=", ".join(sorted(set(bad))))
            if bad else _("every MX host matches an mx pattern")])
    elif sts.failed:
        sts_section.summary = _("a sender finds no usable policy: {rule} failed").format(
            rule=sts.failed)
    card.summary = _domain_line(domain, summaries)
    return _finish(outcome, started)


def _openssl_reason(error: str) -> str:
    """A verification error in OpenSSL's words (the shell's advice around it dropped): a
    verdict line names the rule, tls.verify keeps the whole message."""
    m = re.search(r"\(OpenSSL: (.*)\)\s*$", error)
    return m.group(1).rstrip(".") if m else error


async def _none() -> dns.Answer:
    return dns.Answer("nodata")


def _finish(outcome: Outcome, started: float) -> Outcome:
    outcome.seconds = time.monotonic() - started
    return outcome


def _mx_line(f: smtp.HostFacts) -> str:
    if f.greeting is None or f.greeting.klass != 2:
        return _("unreachable")
    if not f.tls_version:
        return _("takes mail without TLS") if f.ehlo else _("refuses EHLO")
    if f.verify_error:
        return _("takes mail over {version} (unverified certificate)").format(
            version=f.tls_version)
    return _("takes mail over {version} (verified certificate)").format(version=f.tls_version)


def _domain_line(domain: str, rows: list[tuple[smtp.HostFacts, str | None]]) -> str:
    n = len(rows)
    reachable = sum(1 for f, _dane in rows if f.greeting is not None and f.greeting.klass == 2)
    tls_ok = sum(1 for f, _dane in rows if f.tls_version and not f.verify_error)
    dane_ok = sum(1 for _f, state in rows if state == dane.DELIVER)
    dane_no = sum(1 for _f, state in rows if state == dane.DEFER)
    parts = [(_("{count} of {total} MX address answers") if n == 1 else
              _("{count} of {total} MX addresses answer")).format(count=reachable, total=n),
             _("{count} with verified TLS").format(count=tls_ok)]
    if dane_ok or dane_no:
        parts.append(_("DANE: would deliver to {deliver}, defer at {defer}").format(
            deliver=dane_ok, defer=dane_no))
    if not reachable:
        return _("mail for {domain} would be deferred: no MX answers").format(domain=domain)
    return _("mail for {domain}: {facts}").format(domain=domain, facts=", ".join(parts))
