"""VRFY and EXPN: does the server tell a stranger which mailboxes exist, and who is on a list?

`VRFY address` and `EXPN address` with the address from --to, else `postmaster` (which
every server must receive mail for, RFC 5321 4.5.1: asking about it reveals nothing new).
A 250/251 naming a mailbox confirms it: harvesters use that to collect addresses (RFC 5321
7.3 lets a server turn both off). 252 ("cannot VRFY, but will accept the message") is the
answer RFC 5321 3.5.3 suggests for that; 502 (not implemented), 550 and other refusals
reveal nothing about the mailbox either.
"""

from __future__ import annotations

import re

from smtpsh.findings import Verdict
from smtpsh.i18n import N_, _
from smtpsh.probes import probe
from smtpsh.probes.base import ProbeContext, close, said
from smtpsh.protocol import Reply
from smtpsh.session import Session

RFC = "RFC 5321 3.5, 7.3"
DEFAULT = "postmaster"
_MAILBOX = re.compile(r"<[^<>@\s]+@[^<>\s]+>|\b[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+")


def discloses(reply: Reply) -> bool:
    """A 250/251 that names a mailbox (an address in its text)."""
    return reply.code in (250, 251) and bool(_MAILBOX.search(reply.text))


@probe("vrfy-expn", N_("VRFY and EXPN of --to (or postmaster): mailboxes and list members"
                      " disclosed (250/251), or not (252, 502, 550)"))
async def run(ctx: ProbeContext) -> None:
    address = ctx.rcpt_to or DEFAULT
    session = await ctx.connect()
    try:
        for verb in ("VRFY", "EXPN"):
            if not session.connected:
                break
            await _ask(ctx, session, verb, address)
    finally:
        await close(session)
    ctx.section.summary = (_("mailboxes are not disclosed")
                           if ctx.section.worst is Verdict.PASS
                           else _("VRFY or EXPN discloses mailboxes: see above"))


async def _ask(ctx: ProbeContext, session: Session, verb: str, address: str) -> None:
    line = f"{verb} {address}"
    reply = await session.command(line)
    evidence = (_("sent {line}; seen {replies}") if ctx.rcpt_to else
                _("sent {line} (postmaster: every server must have it, so asking reveals"
                  " nothing new); seen {replies}")).format(line=line, replies=said([reply]))
    id = verb.lower()
    code = reply.code
    if discloses(reply):
        # postmaster is public by RFC 5321 4.5.1: that it exists tells nothing.
        verdict = Verdict.WARN if ctx.rcpt_to or verb == "EXPN" else Verdict.INFO
        title = (_("VRFY discloses a mailbox ({code})") if verb == "VRFY" else
                 _("EXPN discloses the members of a list ({code})"))
        ctx.add(id, verdict, title.format(code=code), evidence,
                _("a stranger learns which addresses exist ({verb} answers with the mailbox):"
                  " address harvesting; turn it off (Postfix: disable_vrfy_command = yes) or"
                  " answer 252").format(verb=verb), RFC)
    elif reply.klass == 2 and code != 252:
        ctx.add(id, Verdict.INFO, _("{verb} is answered {code} without naming a"
                                    " mailbox").format(verb=verb, code=code), evidence,
                _("a yes without the address: it may still confirm that the mailbox exists"),
                RFC)
    elif code == 252:
        ctx.add(id, Verdict.PASS, _("{verb}: 252, cannot verify (will accept and"
                                    " try)").format(verb=verb),
                evidence, _("the answer RFC 5321 3.5.3 suggests: it neither confirms nor"
                            " denies the mailbox"), "RFC 5321 3.5.3, 7.3")
    elif code in (500, 502):
        ctx.add(id, Verdict.PASS, _("{verb} is not implemented or turned off"
                                    " ({code})").format(verb=verb, code=code),
                evidence, _("{verb} discloses nothing here").format(verb=verb), RFC)
    else:
        ctx.add(id, Verdict.PASS, _("{verb} is refused ({code})").format(verb=verb, code=code),
                evidence, _("{verb} confirms no mailbox (a 550 for an address that does not"
                            " exist says only that)").format(verb=verb), RFC)
