"""Bare LF and bare CR: in a command line and inside the message.

RFC 5321 2.3.8: CR and LF are sent only together, as the line end. A server that reads a
bare LF as a line end (or keeps it in a message) is the half of SMTP smuggling an inbound
server brings; Postfix 3.9 rejects it (smtpd_forbid_bare_newline = reject).
"""

from __future__ import annotations

from smtpsh.findings import Verdict
from smtpsh.i18n import N_, _
from smtpsh.probes import probe
from smtpsh.probes.base import ProbeContext, close, said, sent, then_closed

RFC = "RFC 5321 2.3.8"


@probe("bare-lf", N_("a bare LF and a bare CR ending a command, and inside a message:"
                    " refused, or read as a line end"), needs_to=True)
async def run(ctx: ProbeContext) -> None:
    await _command_lf(ctx)
    await _command_cr(ctx)
    if ctx.rcpt_to is None:
        ctx.skip_without_to("data-lf", _("a bare LF inside a message"))
        ctx.skip_without_to("data-cr", _("a bare CR inside a message"))
    else:
        await _data(ctx, "data-lf", "LF", b"\n")
        await _data(ctx, "data-cr", "CR", b"\r")
    worst = ctx.section.worst
    ctx.section.summary = (_("bare line ends are refused") if worst is Verdict.PASS else
                           _("bare line ends are accepted: see which above"))


async def _command_lf(ctx: ProbeContext) -> None:
    session = await ctx.connect()
    try:
        data = b"NOOP\n"
        mark = ctx.mark()
        got = await ctx.raw(session, data, until=1)
        evidence = _("sent {data}; seen {replies}").format(
            data=sent(data), replies=said(got)) + ("" if got else ctx.within)
        if ctx.closed_since(mark) and not got:
            evidence += _(", the connection closed")
        if got and got[0].klass == 2:
            ctx.add("command-lf", Verdict.WARN, _("a bare LF ends a command line"), evidence,
                    _("the server reads <LF> alone as a line end: lenient parsing that SMTP"
                      " smuggling builds on"), RFC)
        elif got:
            ctx.add("command-lf", Verdict.PASS, _("a command ended by a bare LF is refused"),
                    evidence, _("the server insists on <CR><LF>"), RFC)
        else:
            ctx.add("command-lf", Verdict.PASS, _("a bare LF does not end a command line"),
                    evidence, _("the server waits for <CR><LF>"), RFC)
    finally:
        await close(session)


async def _command_cr(ctx: ProbeContext) -> None:
    session = await ctx.connect()
    try:
        data = b"NOOP\rNOOP\r\n"
        got = await ctx.raw(session, data, until=2)
        evidence = _("sent {data}; seen {replies}").format(data=sent(data), replies=said(got))
        if len(got) >= 2 and all(r.klass == 2 for r in got[:2]):
            ctx.add("command-cr", Verdict.WARN, _("a bare CR ends a command line (two replies"
                                                  " to one line)"), evidence,
                    _("the server reads <CR> alone as a line end"), RFC)
        elif got and got[0].klass == 2:
            ctx.add("command-cr", Verdict.INFO, _("a bare CR is kept inside the command line"),
                    evidence, _("one reply: the CR was taken as part of the line (NOOP"
                                " ignores its argument)"), RFC)
        else:
            ctx.add("command-cr", Verdict.PASS, _("a command line with a bare CR is refused"),
                    evidence, _("the server refuses bare CR"), RFC)
    finally:
        await close(session)


async def _data(ctx: ProbeContext, id: str, name: str, bare: bytes) -> None:
    session = await ctx.connect()
    try:
        if not await ctx.opened_data(session, id):
            return
        data = (f"Subject: smtpsh bare-lf probe ({name})\r\n\r\nline one".encode() + bare
                + b"line two\r\n.\r\n")
        mark = ctx.mark()
        got = await ctx.raw(session, data, until=1)
        closed = ctx.closed_since(mark)
        evidence = _("sent {data}; seen {replies}").format(
            data=sent(data), replies=said(got)) + then_closed(closed)
        if got and got[0].klass == 2:
            ctx.add(id, Verdict.WARN, _("a bare {name} inside a message is accepted").format(
                        name=name),
                    evidence, _("the message with a bare <{name}> was taken (as a line end or"
                                " as text); refusing it (Postfix: smtpd_forbid_bare_newline ="
                                " reject) closes the inbound half of SMTP smuggling").format(
                                    name=name), RFC)
        elif got or closed:
            ctx.add(id, Verdict.PASS, _("a bare {name} inside a message is refused").format(
                        name=name), evidence,
                    _("the server refuses bare <{name}> in message text").format(name=name),
                    RFC)
        else:
            ctx.add(id, Verdict.INFO, _("no reply to a message with a bare {name}").format(
                        name=name),
                    evidence + ctx.within,
                    _("the server did not answer the end of data: it may have read the bare"
                      " line end as part of the last line"), RFC)
    finally:
        await close(session)
