"""Limits: what the server does at the edges RFC 5321 4.5.3 draws.

- `command-line`: a command line of 600 octets (NOOP with an argument), over the 512 of RFC
  5321 4.5.3.1.4. Refused or taken as one line: fine (servers SHOULD take longer lines where
  they can, 4.5.3.1); split in two (a second reply: the rest read as a new command) is the
  kind of lenient parsing injection builds on.
- `size`: `MAIL FROM:<--from> SIZE=` one octet over the advertised SIZE must be refused with
  552 5.3.4 (RFC 1870 6.1, RFC 3463 3.4). No message is sent; an accepted MAIL is reset.
- `rcpts` (--to): 1,000 `RCPT TO:<--to>` in one transaction (the same recipient each time:
  no address is invented), then RSET, never DATA. A server must take at least 100 (RFC 5321
  4.5.3.1.8) and refuses more with 452 (4.5.3.1.10).
- `data-999`, `data-1001` (--to): a message with one line of 999 (over RFC 5322 2.1.1's
  998) and of 1,001 octets (over RFC 5321 4.5.3.1.6's 1,000 even without the CRLF): each
  delivers a small test message to --to when accepted.
"""

from __future__ import annotations

import contextlib

from smtpsh.exitcodes import Failure
from smtpsh.findings import Verdict
from smtpsh.i18n import N_, _, integer
from smtpsh.probes import probe
from smtpsh.probes.base import ProbeContext, close, said, sent, then_closed
from smtpsh.protocol import Reply

COMMAND_OCTETS = 600  # with the CRLF
RCPTS = 1000
RCPT_MINIMUM = 100  # RFC 5321 4.5.3.1.8
GROUP = 50  # RCPTs per write when PIPELINING is advertised
DATA_LINES = (999, 1001)
END = b"end\r\n.\r\n"


@probe("limits", N_("a command line over 512 octets, SIZE honoured, 1,000 RCPTs and message"
                   " lines over 998 and 1,000 octets: what the server does at each"),
       needs_to=True)
async def run(ctx: ProbeContext) -> None:
    await _command_line(ctx)
    await _size(ctx)
    if ctx.rcpt_to is None:
        ctx.skip_without_to("rcpts", _("{count} RCPTs in one transaction").format(
            count=integer(RCPTS)))
        for n in DATA_LINES:
            ctx.skip_without_to(f"data-{n}", _("a message line of {octets} octets").format(
                octets=integer(n)))
    else:
        await _rcpts(ctx)
        for n in DATA_LINES:
            await _data_line(ctx, n)
    ctx.section.summary = (_("the limits are kept") if ctx.section.worst is Verdict.PASS else
                           _("what the server does at each limit: see above"))


async def _command_line(ctx: ProbeContext) -> None:
    session = await ctx.connect()
    try:
        data = b"NOOP " + b"x" * (COMMAND_OCTETS - 7) + b"\r\n"
        mark = ctx.mark()
        got = await ctx.raw(session, data, until=2)
        closed = ctx.closed_since(mark)
        evidence = _("sent NOOP and {xs} x ({octets} octets with the CRLF) in one line:"
                     " {data}...; seen {replies}").format(
            xs=COMMAND_OCTETS - 7, octets=COMMAND_OCTETS, data=sent(data[:24]),
            replies=said(got)) + then_closed(closed)
        rfc = "RFC 5321 4.5.3.1.4, 4.5.3.1.9, 4.5.3.1"
        octets = COMMAND_OCTETS
        if len(got) >= 2:
            ctx.add("command-line", Verdict.WARN, _("a command line of {octets} octets is"
                                                    " split ({count} replies to one"
                                                    " line)").format(octets=octets,
                                                                     count=len(got)),
                    evidence,
                    _("the server cut the line and read the rest as another command: what"
                      " follows the cut is executed, the lenient parsing injection builds"
                      " on"), rfc)
        elif got and got[0].klass == 2:
            ctx.add("command-line", Verdict.INFO, _("a command line of {octets} octets is"
                                                    " accepted").format(octets=octets),
                    evidence, _("over the 512 octets RFC 5321 guarantees, taken as one line:"
                                " servers SHOULD accept longer lines where they can"), rfc)
        elif got:
            ctx.add("command-line", Verdict.PASS, _("a command line of {octets} octets is"
                                                    " refused ({code})").format(
                                                        octets=octets, code=got[0].code),
                    evidence, _("the server refuses the over-long line as a whole, and the"
                                " session goes on"), rfc)
        elif closed:
            ctx.add("command-line", Verdict.WARN, _("a command line of {octets} octets closes"
                                                    " the connection").format(octets=octets),
                    evidence, _("a reply (500 line too long) would tell the client why"), rfc)
        else:
            ctx.add("command-line", Verdict.INFO, _("no reply to a command line of {octets}"
                                                    " octets").format(octets=octets),
                    evidence + ctx.within, _("the server may still be reading the line"), rfc)
    finally:
        await close(session)


async def _size(ctx: ProbeContext) -> None:
    rfc = "RFC 1870 4, 6.1; RFC 3463 3.4"
    session = await ctx.connect()
    try:
        caps = session.dialog.capabilities
        limit = caps.size
        if limit is None:
            advertised = " ".join(caps.params("SIZE"))
            ctx.add("size", Verdict.INFO,
                    _("SIZE is not advertised with a limit (SIZE {params}: no fixed"
                      " limit)").format(params=advertised) if caps.has("SIZE") else
                    _("SIZE is not advertised"),
                    _("EHLO keywords: {keywords}").format(keywords=" ".join(caps.keywords))
                    if caps.keywords else _("EHLO keywords: none"),
                    _("no limit to test: a client may not send SIZE= without the keyword, and"
                      " a large message is refused (if at all) only after it was sent"), rfc)
            return
        line = f"MAIL FROM:<{ctx.sender}> SIZE={limit + 1}"
        reply = await session.command(line)
        evidence = _("EHLO advertised SIZE {limit}; sent {line} (no message follows); seen"
                     " {replies}").format(limit=limit, line=line, replies=said([reply]))
        if reply.klass == 2 and session.connected:
            mark = ctx.mark()
            with contextlib.suppress(Failure):
                await session.command("RSET")
            evidence += _("; then RSET: {replies}").format(replies=said(ctx.replies_since(mark)))
        _size_verdict(ctx, reply, limit, evidence, rfc)
    finally:
        await close(session)


def _size_verdict(ctx: ProbeContext, reply: Reply, limit: int, evidence: str,
                  rfc: str) -> None:
    over = limit + 1
    code = f"{reply.code}{' ' + reply.enhanced if reply.enhanced else ''}"
    if reply.klass == 2:
        ctx.add("size", Verdict.FAIL, _("MAIL with SIZE={over} (over the advertised {limit})"
                                        " is accepted").format(over=over, limit=limit),
                evidence, _("the server does not honour its own SIZE: a client sends the"
                            " whole message only to have it refused at the end (or it is"
                            " taken over the limit); it must refuse with 552 5.3.4"), rfc)
    elif reply.code == 552 and (reply.enhanced or "5.3.4") == "5.3.4":
        ctx.add("size", Verdict.PASS, _("MAIL with SIZE={over} is refused ({code})").format(
                    over=over, code=code), evidence,
                _("the server refuses a message over its limit before it is sent")
                if reply.enhanced else
                _("the server refuses a message over its limit before it is sent (no enhanced"
                  " status code: RFC 3463 names 5.3.4)"), rfc)
    elif reply.klass == 5:
        ctx.add("size", Verdict.PASS, _("MAIL with SIZE={over} is refused ({code})").format(
                    over=over, code=code), evidence,
                _("refused before the message is sent; RFC 1870 6.1 names 552 (5.3.4) for a"
                  " message over the fixed limit"), rfc)
    else:
        ctx.add("size", Verdict.WARN, _("MAIL with SIZE={over} is refused only for now"
                                        " ({code})").format(over=over, code=reply.code),
                evidence, _("a 4xx (452: insufficient storage for now) makes the client try"
                            " again; over a fixed limit, RFC 1870 6.1 says 552"), rfc)


async def _rcpts(ctx: ProbeContext) -> None:
    rfc = "RFC 5321 4.5.3.1.8, 4.5.3.1.9, 4.5.3.1.10"
    session = await ctx.connect()
    mail = f"MAIL FROM:<{ctx.sender}>"
    rcpt = f"RCPT TO:<{ctx.rcpt_to}>"
    accepted = 0
    group = 1
    refusal: Reply | None = None
    last: list[Reply] = []
    closed = False
    try:
        reply = await session.command(mail)
        if reply.klass != 2:
            ctx.add("rcpts", Verdict.WARN, _("could not open a transaction to test with"),
                    _("sent {line}; seen {replies}").format(line=mail, replies=said([reply])),
                    _("the probe needs MAIL accepted (check --from)"), rfc)
            return
        group = GROUP if session.dialog.capabilities.has("PIPELINING") else 1
        while accepted < RCPTS and refusal is None:
            n = min(group, RCPTS - accepted)
            try:
                replies = await session.pipeline([rcpt] * n)
            except Failure:
                closed = True
                break
            last = replies[-1:]
            for r in replies:
                if r.klass == 2 and refusal is None:
                    accepted += 1
                elif refusal is None:
                    refusal = r
        if session.connected:
            with contextlib.suppress(Failure):
                await session.command("RSET")
        else:
            closed = True
    finally:
        await close(session)
    evidence = (_("sent {mail}, then {rcpt} up to {count} times in groups of {group}"
                  " (PIPELINING), then RSET (no DATA); {accepted} accepted") if group > 1 else
                _("sent {mail}, then {rcpt} up to {count} times one at a time, then RSET (no"
                  " DATA); {accepted} accepted")).format(
        mail=mail, rcpt=rcpt, count=integer(RCPTS), group=GROUP, accepted=integer(accepted))
    if refusal:
        evidence += _(", then {replies}").format(replies=said([refusal]))
    evidence += then_closed(closed)
    if refusal is None and not closed:
        ctx.add("rcpts", Verdict.INFO, _("all {count} RCPTs are accepted in one"
                                         " transaction").format(count=integer(RCPTS)),
                evidence + _("; the last: {replies}").format(replies=said(last)),
                _("no recipient limit up to 1,000 (Postfix: smtpd_recipient_limit, 1000 by"
                  " default); a spammer can address that many in one message"), rfc)
    elif accepted == 0:
        ctx.add("rcpts", Verdict.WARN, _("the recipient is refused: the limit was not tested"),
                evidence, _("the probe needs --to accepted as a recipient"), rfc)
    elif accepted < RCPT_MINIMUM:
        ctx.add("rcpts", Verdict.WARN, _("only {count} RCPTs are taken in one"
                                         " transaction").format(count=accepted),
                evidence, _("RFC 5321 4.5.3.1.8: a server MUST take at least {minimum}"
                            " recipients; below that, legitimate mail to many recipients is"
                            " split or lost").format(minimum=RCPT_MINIMUM), rfc)
    elif refusal is not None and refusal.code == 452:
        ctx.add("rcpts", Verdict.PASS, _("a recipient limit at {count} (then 452)").format(
                    count=integer(accepted)),
                evidence, _("over the limit, 452 (too many recipients) makes the client send"
                            " the rest in another transaction, as RFC 5321 4.5.3.1.10 asks"),
                rfc)
    elif refusal is not None:
        ctx.add("rcpts", Verdict.INFO, _("a recipient limit at {count} (then {code})").format(
                    count=integer(accepted), code=refusal.code),
                evidence, _("RFC 5321 4.5.3.1.10 asks for 452 (a 552 there is an old habit:"
                            " clients should take it as 452)"), rfc)
    else:
        ctx.add("rcpts", Verdict.WARN, _("the connection closed after {count} RCPTs").format(
                    count=integer(accepted)),
                evidence, _("a reply (452 too many recipients) would let the client go on"),
                rfc)


async def _data_line(ctx: ProbeContext, octets: int) -> None:
    id = f"data-{octets}"
    rfc = "RFC 5321 4.5.3.1.6, 4.5.3.1.9; RFC 5322 2.1.1"
    session = await ctx.connect()
    try:
        if not await ctx.opened_data(session, id, rfc):
            return
        data = (f"Subject: smtpsh limits probe (a line of {octets} octets)\r\n\r\n".encode()
                + b"x" * octets + b"\r\n" + END)
        mark = ctx.mark()
        got = await ctx.raw(session, data, until=1)
        closed = ctx.closed_since(mark)
        evidence = _("sent a message whose body holds one line of {xs} x ({octets} octets with"
                     " the CRLF), then {end}; seen {replies}").format(
            xs=integer(octets), octets=integer(octets + 2), end=sent(END),
            replies=said(got)) + then_closed(closed)
        n = integer(octets)
        if got and got[0].klass == 2:
            ctx.add(id, Verdict.INFO, _("a message line of {octets} octets is"
                                        " accepted").format(octets=n),
                    evidence, _("over the limit (998 octets of text, 1,000 with the CRLF),"
                                " taken anyway: what the next hop gets (the line kept, folded"
                                " or cut) is not visible from here"), rfc)
        elif got:
            ctx.add(id, Verdict.PASS, _("a message line of {octets} octets is refused"
                                        " ({code})").format(octets=n, code=got[0].code),
                    evidence, _("the server refuses text over the line limit (500 line too"
                                " long is RFC 5321 4.5.3.1.9's answer)"), rfc)
        elif closed:
            ctx.add(id, Verdict.WARN, _("a message line of {octets} octets closes the"
                                        " connection").format(octets=n),
                    evidence, _("no reply says why"), rfc)
        else:
            ctx.add(id, Verdict.INFO, _("no reply to a message with a line of {octets}"
                                        " octets").format(octets=n),
                    evidence + ctx.within, _("the server did not answer the end of data"),
                    rfc)
    finally:
        await close(session)

