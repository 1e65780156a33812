"""SMTP smuggling (CVE-2023-51764, -51765, -51766): which end-of-data look-alikes does the
server take as the end of the message?

Each variant gets its own connection and transaction: the message's first lines, then the
variant, then a smuggled `MAIL FROM` line, and a bounded wait. A server that takes the
variant as the end of data answers the message (250) and then the smuggled MAIL: as an
inbound server it would accept a second, forged message hidden in the first. No reply within
the wait: the variant was not taken (the message is then ended properly, and the reply to
that says whether the server kept the variant as text or refused the message). A 5xx, a 421
or a close: refused.
"""

from __future__ import annotations

from dataclasses import dataclass

from smtpsh.exitcodes import Failure
from smtpsh.findings import Verdict
from smtpsh.i18n import N_, _
from smtpsh.probes import probe
from smtpsh.probes.base import ProbeContext, close, said, sent, then_closed
from smtpsh.protocol import Reply
from smtpsh.session import Session

RFC = "RFC 5321 4.1.1.4, 2.3.8"
# Marked with N_, translated where they are used.
ATTACKER = N_("an attacker can produce this through a vulnerable outbound relay: the dot"
              " follows a bare CR or LF (or a NUL), so a relay that passes bare line ends on"
              " does not dot-stuff it")
HYGIENE = N_("RFC hygiene only: the dot starts a line after a real CRLF, so any outbound"
             " relay that dot-stuffs (RFC 5321 4.5.2) doubles it before it reaches this"
             " server")


@dataclass(frozen=True)
class Variant:
    id: str
    end: bytes  # what stands in for <CR><LF>.<CR><LF>
    name: str
    attacker: bool  # producible through a vulnerable outbound relay


VARIANTS = (
    Variant("lf-dot-lf", b"\n.\n", "<LF>.<LF>", True),
    Variant("cr-dot-cr", b"\r.\r", "<CR>.<CR>", True),
    Variant("lf-dot-crlf", b"\n.\r\n", "<LF>.<CR><LF>", True),
    Variant("cr-dot-crlf", b"\r.\r\n", "<CR>.<CR><LF>", True),
    Variant("lf-dot-cr", b"\n.\r", "<LF>.<CR>", True),
    Variant("cr-dot-lf", b"\r.\n", "<CR>.<LF>", True),
    Variant("crlf-dot-lf", b"\r\n.\n", "<CR><LF>.<LF>", False),
    Variant("crlf-dot-cr", b"\r\n.\r", "<CR><LF>.<CR>", False),
    Variant("nul-before-dot", b"\r\n\x00.\r\n", "<CR><LF><NUL>.<CR><LF>", True),
    Variant("nul-after-dot", b"\r\n.\x00\r\n", "<CR><LF>.<NUL><CR><LF>", False),
)


def payload(variant: Variant, sender: str) -> bytes:
    head = (f"Subject: smtpsh smuggling probe {variant.id}\r\n\r\n"
            f"This message tests the end-of-data variant {variant.name}.\r\nbody").encode()
    return head + variant.end + f"MAIL FROM:<{sender}>\r\n".encode()


@probe("smuggling", N_("end-of-data variants (<LF>.<LF>, <CR>.<CR>, ...) each with a"
                       " smuggled MAIL FROM: taken as the end of the message = SMTP smuggling"
                       " (inbound)"), needs_to=True)
async def run(ctx: ProbeContext) -> None:
    section = ctx.section
    if ctx.rcpt_to is None:
        ctx.skip_without_to("all", _("SMTP smuggling"))
        section.summary = _("not run: give --to")
        return
    taken: list[str] = []
    for variant in VARIANTS:
        if not await _variant(ctx, variant, taken):
            break
    if taken:
        section.summary = _("takes {variants} as the end of data: vulnerable to SMTP"
                            " smuggling as an inbound server").format(variants=", ".join(taken))
    elif section.worst is Verdict.PASS:
        section.summary = _("no variant was taken as the end of data")


async def _variant(ctx: ProbeContext, variant: Variant, taken: list[str]) -> bool:
    """One variant, on its own connection; False when the server takes no message at all."""
    session = await ctx.connect()
    try:
        ok, why = await ctx.open_data(session)
        if not ok:
            ctx.add("transaction", Verdict.WARN, _("could not open a transaction to test with"),
                    _("sent {mail}, {rcpt}, DATA; seen {replies}").format(
                        mail=f"MAIL FROM:<{ctx.sender}>", rcpt=f"RCPT TO:<{ctx.rcpt_to}>",
                        replies=why),
                    _("the probe needs a 354 for --to (and --from); check the envelope"))
            return False
        data = payload(variant, ctx.sender)
        mark = ctx.mark()
        got = await ctx.raw(session, data, until=2)
        closed = ctx.closed_since(mark)
        label = _(ATTACKER if variant.attacker else HYGIENE)
        evidence = _("sent {data}; seen {replies}").format(
            data=sent(data), replies=said(got)) + then_closed(closed)
        first = got[0] if got else None
        if first is not None and first.klass == 2:
            taken.append(variant.name)
            title = (_("{variant} taken as the end of data; the smuggled MAIL FROM was"
                       " answered {code}") if len(got) > 1 else
                     _("{variant} taken as the end of data"))
            ctx.add(variant.id, Verdict.FAIL if variant.attacker else Verdict.WARN,
                    title.format(variant=variant.name, code=got[1].code if got[1:] else ""),
                    evidence, _("vulnerable as an inbound server: a message that carries"
                                " {variant} ends there and the rest is read as new commands"
                                " (a forged second message); {label}").format(
                                    variant=variant.name, label=label), RFC)
        elif first is not None or closed:
            ctx.add(variant.id, Verdict.PASS, _("{variant} refused").format(
                        variant=variant.name),
                    evidence, _("the server refused what it was sent; {label}").format(
                        label=label), RFC)
        else:
            await _finish(ctx, session, variant, evidence, label)
    finally:
        await close(session)
    return True


async def _finish(ctx: ProbeContext, session: Session, variant: Variant, evidence: str,
                  label: str) -> None:
    """No reply within the wait: the variant was not taken. End the message properly and
    say what the server did with it."""
    evidence += ctx.within
    end: list[Reply] = []
    if session.in_data:
        mark = ctx.mark()
        try:
            await session.data_end()
        except Failure:
            pass
        end = ctx.replies_since(mark)
    tail = _("; then <CR><LF>.<CR><LF>: {replies}").format(replies=said(end))
    if end and end[-1].klass == 2:
        ctx.add(variant.id, Verdict.PASS, _("{variant} not taken as the end of data (kept in"
                                            " the message)").format(variant=variant.name),
                evidence + tail,
                _("the server waited for <CR><LF>.<CR><LF>; it accepted the variant as"
                  " message text (if it relays mail, check what the next hop receives);"
                  " {label}").format(label=label), RFC)
    else:
        ctx.add(variant.id, Verdict.PASS, _("{variant} not taken as the end of data (message"
                                            " refused)").format(variant=variant.name),
                evidence + tail,
                _("the server waited for <CR><LF>.<CR><LF>, then refused the message;"
                  " {label}").format(label=label), RFC)
