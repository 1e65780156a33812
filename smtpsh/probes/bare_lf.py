"""Bare LF and bare CR: in a command line and inside the message.

RFC 5321 2.3.8: CR and LF are sent only together, as the line end. A server that reads a
bare LF as a line end (or keeps it in a message) is the half of SMTP smuggling an inbound
server brings; Postfix 3.9 rejects it (smtpd_forbid_bare_newline = reject).
"""

from __future__ import annotations

from smtpsh.findings import Verdict
from smtpsh.probes import probe
from smtpsh.probes.base import ProbeContext, close, said, sent

RFC = "RFC 5321 2.3.8"


@probe("bare-lf", "a bare LF and a bare CR ending a command, and inside a message: refused,"
       " or read as a line end", needs_to=True)
async def run(ctx: ProbeContext) -> None:
    await _command_lf(ctx)
    await _command_cr(ctx)
    if ctx.rcpt_to is None:
        ctx.skip_without_to("data-lf", "a bare LF inside a message")
        ctx.skip_without_to("data-cr", "a bare CR inside a message")
    else:
        await _data(ctx, "data-lf", "LF", b"\n")
        await _data(ctx, "data-cr", "CR", b"\r")
    worst = ctx.section.worst
    ctx.section.summary = ("bare line ends are refused" if worst is Verdict.PASS else
                           "bare line ends are accepted: see which above")


async def _command_lf(ctx: ProbeContext) -> None:
    session = await ctx.connect()
    try:
        data = b"NOOP\n"
        mark = ctx.mark()
        got = await ctx.raw(session, data, until=1)
        evidence = f"sent {sent(data)}; seen {said(got)}" + (
            "" if got else f" within {ctx.wait:g} s")
        if ctx.closed_since(mark) and not got:
            evidence += ", the connection closed"
        if got and got[0].klass == 2:
            ctx.add("command-lf", Verdict.WARN, "a bare LF ends a command line", evidence,
                    "the server reads <LF> alone as a line end: lenient parsing that SMTP"
                    " smuggling builds on", RFC)
        elif got:
            ctx.add("command-lf", Verdict.PASS, "a command ended by a bare LF is refused",
                    evidence, "the server insists on <CR><LF>", RFC)
        else:
            ctx.add("command-lf", Verdict.PASS, "a bare LF does not end a command line",
                    evidence, "the server waits for <CR><LF>", RFC)
    finally:
        await close(session)


async def _command_cr(ctx: ProbeContext) -> None:
    session = await ctx.connect()
    try:
        data = b"NOOP\rNOOP\r\n"
        got = await ctx.raw(session, data, until=2)
        evidence = f"sent {sent(data)}; seen {said(got)}"
        if len(got) >= 2 and all(r.klass == 2 for r in got[:2]):
            ctx.add("command-cr", Verdict.WARN, "a bare CR ends a command line (two replies"
                    " to one line)", evidence, "the server reads <CR> alone as a line end",
                    RFC)
        elif got and got[0].klass == 2:
            ctx.add("command-cr", Verdict.INFO, "a bare CR is kept inside the command line",
                    evidence, "one reply: the CR was taken as part of the line (NOOP ignores"
                    " its argument)", RFC)
        else:
            ctx.add("command-cr", Verdict.PASS, "a command line with a bare CR is refused",
                    evidence, "the server refuses bare CR", RFC)
    finally:
        await close(session)


async def _data(ctx: ProbeContext, id: str, name: str, bare: bytes) -> None:
    session = await ctx.connect()
    try:
        ok, why = await ctx.open_data(session)
        if not ok:
            ctx.add(id, Verdict.WARN, "could not open a transaction to test with",
                    f"seen {why}", "the probe needs a 354 for --to (and --from)")
            return
        data = (f"Subject: smtpsh bare-lf probe ({name})\r\n\r\nline one".encode() + bare
                + b"line two\r\n.\r\n")
        mark = ctx.mark()
        got = await ctx.raw(session, data, until=1)
        closed = ctx.closed_since(mark)
        evidence = f"sent {sent(data)}; seen {said(got)}" + (
            ", then the connection closed" if closed else "")
        if got and got[0].klass == 2:
            ctx.add(id, Verdict.WARN, f"a bare {name} inside a message is accepted",
                    evidence, f"the message with a bare <{name}> was taken (as a line end or"
                    " as text); refusing it (Postfix: smtpd_forbid_bare_newline = reject)"
                    " closes the inbound half of SMTP smuggling", RFC)
        elif got or closed:
            ctx.add(id, Verdict.PASS, f"a bare {name} inside a message is refused", evidence,
                    f"the server refuses bare <{name}> in message text", RFC)
        else:
            ctx.add(id, Verdict.INFO, f"no reply to a message with a bare {name}",
                    evidence + f" within {ctx.wait:g} s",
                    "the server did not answer the end of data: it may have read the bare"
                    " line end as part of the last line", RFC)
    finally:
        await close(session)
