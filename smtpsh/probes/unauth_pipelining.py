"""Unauthorized pipelining: an early talker, and a command group sent without PIPELINING.

A client that speaks before the greeting, or sends several commands in one write where the
server did not advertise PIPELINING (RFC 2920 3.1), breaks the lockstep of RFC 5321 4.3.1:
spam engines do, and SMTP smuggling needs it. Postfix 3.9 refuses both by default
(smtpd_forbid_unauth_pipelining = yes: `554 5.5.0 Error: SMTP protocol synchronization`).
"""

from __future__ import annotations

import contextlib

from smtpsh.exitcodes import Failure
from smtpsh.findings import Verdict
from smtpsh.i18n import N_, _
from smtpsh.probes import probe
from smtpsh.probes.base import ProbeContext, close, said, sent, then_closed

ATTEMPTS = 5


@probe("unauth-pipelining", N_("an early talker (EHLO before the greeting) and a pipelined"
                              " group without PIPELINING advertised: refused, or accepted"))
async def run(ctx: ProbeContext) -> None:
    await _early_talker(ctx)
    await _group(ctx)
    ctx.section.summary = (_("protocol synchronization is enforced")
                           if ctx.section.worst is Verdict.PASS else
                           _("commands out of lockstep are accepted"))


async def _early_talker(ctx: ProbeContext) -> None:
    """EHLO written the moment the connection stands. A server without a pause before its
    greeting may have greeted already when the EHLO arrives (then it was not early, as far
    as it can tell): up to ATTEMPTS tries, and one refusal is enough."""
    data = f"EHLO {ctx.ehlo}\r\n".encode()
    rfc = "RFC 5321 4.3.1, 3.1"
    for attempt in range(1, ATTEMPTS + 1):
        mark = ctx.mark()
        session = None
        try:
            session = await ctx.connect(early=data, hello=False)
            got = ctx.replies_since(mark)
            if len(got) < 2 and session.connected:
                with contextlib.suppress(Failure):
                    await session.listen(ctx.wait, 2 - len(got))
        except Failure:
            pass  # a close: what came is in the record
        got = ctx.replies_since(mark)
        closed = ctx.closed_since(mark)
        if session is not None:
            await close(session)
        evidence = (_("sent {data} the moment the connection stood, before the greeting"
                      " (try {attempt} of {attempts}); seen {replies}") if attempt > 1 else
                    _("sent {data} the moment the connection stood, before the greeting;"
                      " seen {replies}")).format(data=sent(data), attempt=attempt,
                                                 attempts=ATTEMPTS, replies=said(got))
        evidence += then_closed(closed)
        greeting, answer = (got + [None, None])[:2]
        if greeting is not None and greeting.klass != 2:
            ctx.add("early-talker", Verdict.PASS, _("an early talker is refused"), evidence,
                    _("the server saw the client speak before its greeting and refused it"),
                    rfc)
            return
        if answer is not None and answer.klass != 2 or (answer is None and closed):
            ctx.add("early-talker", Verdict.PASS, _("an early talker is refused"), evidence,
                    _("the server noticed the client spoke before the greeting"), rfc)
            return
        if answer is None:
            ctx.add("early-talker", Verdict.INFO, _("no reply to the early EHLO"),
                    evidence + ctx.within, _("the server ignored the early talk"), rfc)
            return
    ctx.add("early-talker", Verdict.WARN, _("an early talker is accepted ({attempts} tries:"
                                            " EHLO sent before the greeting was answered"
                                            " 2xx)").format(attempts=ATTEMPTS), evidence,
            _("the server does not refuse clients that talk before the greeting; or it greets"
              " so fast that the EHLO never arrived first (a server that pauses before the"
              " greeting, as postscreen's pregreet test or Postfix's `sleep` restriction"
              " does, catches early talkers reliably); Postfix:"
              " smtpd_forbid_unauth_pipelining = yes"), rfc)


async def _group(ctx: ProbeContext) -> None:
    session = await ctx.connect(hello=False)
    try:
        # HELO: no capabilities, so PIPELINING is not advertised for the MAIL after it.
        data = f"HELO {ctx.ehlo}\r\nMAIL FROM:<{ctx.sender}>\r\n".encode()
        mark = ctx.mark()
        got = await ctx.raw(session, data, until=2)
        closed = ctx.closed_since(mark)
        evidence = _("sent {data} in one write (HELO advertises no PIPELINING); seen"
                     " {replies}").format(data=sent(data), replies=said(got)) + then_closed(
                         closed)
        rfc = "RFC 2920 3.1, RFC 5321 4.3.1"
        if len(got) >= 2 and all(r.klass == 2 for r in got[:2]):
            ctx.add("group", Verdict.WARN,
                    _("a pipelined group without PIPELINING is accepted"), evidence,
                    _("the server answers commands a client was not allowed to send together"
                      " (Postfix 3.9 refuses them: smtpd_forbid_unauth_pipelining = yes)"),
                    rfc)
        elif any(r.klass in (4, 5) for r in got) or closed:
            ctx.add("group", Verdict.PASS,
                    _("a pipelined group without PIPELINING is refused"), evidence,
                    _("the server enforces protocol synchronization, as Postfix 3.9 does"),
                    rfc)
        else:
            ctx.add("group", Verdict.INFO,
                    _("the pipelined group got fewer replies than commands"),
                    evidence + ctx.within,
                    _("the server may have dropped or delayed the second command"), rfc)
    finally:
        await close(session)
