"""Open relay: does the server take a recipient in a domain it does not serve, from a sender
outside it, for a client that did not authenticate?

`MAIL FROM:<outside sender>`, `RCPT TO:<outside recipient>`, then RSET: never DATA, so no
message is ever relayed. Both names come from --from/--to; by default they are in the
reserved `.invalid` TLD (RFC 2606 2), which no server receives mail for. An accepted RCPT
is an open relay (RFC 5321 7.1, 3.6.2; RFC 2505 2.3); a refusal passes.
"""

from __future__ import annotations

import contextlib

from smtpsh.exitcodes import Failure
from smtpsh.findings import Verdict
from smtpsh.i18n import N_, _
from smtpsh.probes import probe
from smtpsh.probes.base import OUTSIDE_RECIPIENT, OUTSIDE_SENDER, ProbeContext, close, said
from smtpsh.protocol import Reply

RFC = "RFC 5321 7.1, 3.6.2; RFC 2505 2.3"


def _about_domain(reply: Reply) -> bool:
    """A refusal because the domain does not exist (X.1.2, X.1.8, 'not found'), not because
    relaying is denied: then a real outside domain might still be relayed."""
    code = reply.enhanced or ""
    return code[2:] in ("1.2", "1.8", "1.10") or "not found" in reply.text.lower()


@probe("open-relay", N_("a relay attempt, outside sender to outside recipient (--from/--to,"
                       " default .invalid names), stopped before DATA: an accepted RCPT is an"
                       " open relay"))
async def run(ctx: ProbeContext) -> None:
    sender = ctx.mail_from if ctx.mail_from is not None else OUTSIDE_SENDER
    recipient = ctx.rcpt_to or OUTSIDE_RECIPIENT
    named = ("" if ctx.rcpt_to else _(" (the default: {address} is in the reserved .invalid"
                                      " TLD, never deliverable)").format(
                                          address=OUTSIDE_RECIPIENT))
    session = await ctx.connect()
    try:
        mail = f"MAIL FROM:<{sender}>"
        reply = await session.command(mail)
        if reply.klass != 2:
            ctx.add("relay", Verdict.INFO, _("the outside sender is refused: relaying not"
                                             " tested"),
                    _("sent {line}; seen {replies}").format(line=mail, replies=said([reply])),
                    _("the server refuses this sender before any recipient; name an outside"
                      " sender it takes with --from to test relaying"), RFC)
            ctx.section.summary = _("not tested: the sender was refused")
            return
        rcpt = f"RCPT TO:<{recipient}>"
        got = await session.command(rcpt)
        evidence = _("sent {mail}: {mail_reply}; {rcpt}{named}: {rcpt_reply}; then RSET (no"
                     " DATA: nothing is relayed)").format(
            mail=mail, mail_reply=said([reply]), rcpt=rcpt, named=named,
            rcpt_reply=said([got]))
        if session.connected:
            mark = ctx.mark()
            with contextlib.suppress(Failure):
                await session.command("RSET")
            evidence += f": {said(ctx.replies_since(mark))}"
        if got.klass == 2:
            ctx.add("relay", Verdict.FAIL, _("RCPT to an outside recipient is accepted"
                                             " ({code}): an open relay").format(code=got.code),
                    evidence,
                    _("the server takes mail from a stranger for a domain it does not serve;"
                      " spammers find and use such servers within hours (unless --to names a"
                      " domain this server receives mail for: then the test says nothing)"),
                    RFC)
        elif got.klass == 5:
            why = (_("the server relays only for its own clients (mynetworks, AUTH); but the"
                     " reason given is the domain itself, not relaying: name a real outside"
                     " recipient with --to to be sure") if _about_domain(got) else
                   _("the server relays only for its own clients (mynetworks, AUTH)"))
            ctx.add("relay", Verdict.PASS, _("RCPT to an outside recipient is refused"
                                             " ({code})").format(code=got.code),
                    evidence, why, RFC)
        else:
            ctx.add("relay", Verdict.INFO, _("RCPT to an outside recipient is refused for now"
                                             " ({code})").format(code=got.code), evidence,
                    _("a 4xx (greylisting, a lookup that failed) hides the answer: try again"
                      " later"), RFC)
    finally:
        await close(session)
    ctx.section.summary = {Verdict.FAIL: _("an open relay: it relays for strangers"),
                           Verdict.PASS: _("no relaying for strangers")}.get(
        ctx.section.worst, _("relaying not decided"))
