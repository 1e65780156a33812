"""STARTTLS enforced: before TLS, is AUTH advertised, and are MAIL and AUTH refused?

On a submission port (587, RFC 8314 3.3 and RFC 6409) a client must not be able to send
mail or a password before STARTTLS: MAIL and AUTH get `530 5.7.0 Must issue a STARTTLS
command first` (RFC 3207 4, RFC 4954 6), and AUTH is not advertised before TLS (RFC 4954 4:
no plaintext password mechanism without a protected session). Port 25 may take plaintext
by design: a publicly-referenced server MUST NOT require STARTTLS to deliver mail locally
(RFC 3207 4), so there a MAIL accepted before TLS is no finding against it.

Nothing is sent that carries a secret (AUTH PLAIN without an initial response; a 334 is
cancelled with `*`), and no message: a MAIL accepted is reset with RSET.
"""

from __future__ import annotations

import contextlib

from smtpsh.exitcodes import Failure
from smtpsh.findings import Verdict
from smtpsh.i18n import N_, _
from smtpsh.probes import probe
from smtpsh.probes.base import ProbeContext, close, said, sent
from smtpsh.protocol import Capabilities, Reply
from smtpsh.session import Session

RFC_MAIL = "RFC 3207 4, RFC 8314 3.3"
RFC_AUTH = "RFC 4954 4, 6; RFC 8314 3.3"
PLAINTEXT_MECHANISMS = ("PLAIN", "LOGIN")
# Marked with N_, translated where it is used.
MX_NOTE = N_("port 25 may accept plaintext by design: a publicly-referenced MX MUST NOT"
             " require STARTTLS to deliver mail locally (RFC 3207 4); the rule applies to"
             " submission (587, RFC 8314 3.3; RFC 6409) and to anything that takes a"
             " password")


def plaintext_by_design(port: int) -> bool:
    """Port 25: server-to-server relay, where STARTTLS is opportunistic (RFC 3207 4)."""
    return port == 25


@probe("starttls-enforced", N_("before STARTTLS: AUTH not advertised, MAIL and AUTH refused"
                              " (530 5.7.0); port 25 may take plaintext by design"))
async def run(ctx: ProbeContext) -> None:
    if ctx.implicit_tls:
        ctx.add("implicit-tls", Verdict.INFO, _("implicit TLS (--tls): nothing is sent in"
                                                " plaintext on this port, there is no STARTTLS"
                                                " to enforce"),
                why=_("every command on this port goes under TLS (RFC 8314 3.3)"),
                rfc="RFC 8314 3.3")
        ctx.section.summary = _("not applicable: implicit TLS")
        return
    mx = plaintext_by_design(ctx.port)
    if mx:
        ctx.add("port-25", Verdict.INFO, _("port 25: plaintext may be accepted by design"),
                why=_(MX_NOTE), rfc="RFC 3207 4")
    session = await ctx.connect(hello=False)
    try:
        caps = await _ehlo(ctx, session, mx)
        await _mail(ctx, session, mx)
        await _auth(ctx, session, caps)
        if caps.has("STARTTLS"):
            await _after_tls(ctx, session, caps)
    finally:
        await close(session)
    worst = ctx.section.worst
    ctx.section.summary = (_("TLS comes first: nothing is taken before STARTTLS")
                           if worst is Verdict.PASS else
                           _("mail or a password can be sent in plaintext: see above"))


async def _ehlo(ctx: ProbeContext, session: Session, mx: bool) -> Capabilities:
    line = f"EHLO {ctx.ehlo}"
    reply = await session.command(line)
    caps = Capabilities.from_ehlo(reply)
    evidence = (_("sent {line}; seen {replies}; keywords: {keywords}") if caps.keywords else
                _("sent {line}; seen {replies}; keywords: none")).format(
        line=line, replies=said([reply]), keywords=" ".join(caps.keywords))
    if caps.has("STARTTLS"):
        ctx.add("starttls-offered", Verdict.PASS, _("STARTTLS is offered"), evidence,
                _("a client can protect the session before it sends mail or a password"),
                "RFC 3207 2, 4")
    else:
        ctx.add("starttls-offered", Verdict.WARN if mx else Verdict.FAIL,
                _("STARTTLS is not offered"), evidence,
                _("the session cannot be protected on this port: mail and passwords go in"
                  " plaintext") + ("; " + _(MX_NOTE) if mx else ""), "RFC 3207 4, RFC 8314 3.3")
    mechs = caps.auth_mechanisms
    if not caps.has("AUTH"):
        ctx.add("auth-advertised", Verdict.PASS, _("AUTH is not advertised before TLS"),
                evidence, _("no password mechanism is offered in plaintext"), RFC_AUTH)
    elif any(m in PLAINTEXT_MECHANISMS for m in mechs):
        ctx.add("auth-advertised", Verdict.FAIL, _("AUTH {mechanisms} is advertised before"
                                                   " TLS").format(mechanisms=" ".join(mechs)),
                evidence, _("a plaintext password mechanism (PLAIN, LOGIN) is offered on an"
                            " unprotected session: a client that takes the offer sends its"
                            " password in the clear (RFC 4954 4: not without TLS or an"
                            " equivalent)"), RFC_AUTH)
    else:
        ctx.add("auth-advertised", Verdict.WARN, _("AUTH {mechanisms} is advertised before"
                                                   " TLS").format(mechanisms=" ".join(mechs)),
                evidence, _("no plaintext mechanism, but the user name (and whatever the"
                            " mechanism reveals) travels in the clear"), RFC_AUTH)
    return caps


async def _mail(ctx: ProbeContext, session: Session, mx: bool) -> None:
    line = f"MAIL FROM:<{ctx.sender}>"
    reply = await session.command(line)
    evidence = _("sent {line} before STARTTLS; seen {replies}").format(
        line=line, replies=said([reply]))
    if reply.klass == 2:
        mark = ctx.mark()
        with contextlib.suppress(Failure):
            await session.command("RSET")
        evidence += _("; then RSET: {replies} (no message is sent)").format(
            replies=said(ctx.replies_since(mark)))
        if mx:
            ctx.add("mail-before-tls", Verdict.INFO, _("MAIL is accepted before STARTTLS"
                                                       " (port 25)"), evidence, _(MX_NOTE),
                    RFC_MAIL)
        else:
            ctx.add("mail-before-tls", Verdict.FAIL, _("MAIL is accepted before STARTTLS"),
                    evidence, _("a client can send mail without TLS on this port; a"
                                " submission port must refuse it with 530 5.7.0 (Postfix:"
                                " smtpd_tls_security_level = encrypt); if this port is an MX"
                                " on another number, plaintext is allowed by design"),
                    RFC_MAIL)
    elif reply.klass == 5:
        ok = reply.code == 530
        ctx.add("mail-before-tls", Verdict.PASS,
                _("MAIL is refused before STARTTLS") if ok else
                _("MAIL is refused before STARTTLS ({code}, not the 530 of RFC 3207)").format(
                    code=reply.code), evidence,
                _("the server takes no mail before TLS") if ok else
                _("the server takes no mail before TLS; RFC 3207 4 names 530 5.7.0 for this"
                  " refusal"), RFC_MAIL)
    else:
        ctx.add("mail-before-tls", Verdict.WARN, _("MAIL before STARTTLS is refused only for"
                                                   " now"), evidence,
                _("a 4xx says try again later, not that TLS is required: a client may retry"
                  " in plaintext"), RFC_MAIL)


async def _auth(ctx: ProbeContext, session: Session, caps: Capabilities) -> None:
    data = b"AUTH PLAIN\r\n"  # no initial response: no credentials are ever sent
    got = await ctx.raw(session, data, until=1)
    evidence = _("sent {data} before STARTTLS (no credentials); seen {replies}").format(
        data=sent(data), replies=said(got))
    reply: Reply | None = got[0] if got else None
    if reply is not None and reply.code == 334:
        cancel = b"*\r\n"
        after = await ctx.raw(session, cancel, until=1)
        evidence += _("; then {data} (cancel, RFC 4954 4): {replies}").format(
            data=sent(cancel), replies=said(after))
        ctx.add("auth-before-tls", Verdict.FAIL, _("AUTH is accepted before STARTTLS (334:"
                                                   " the server waits for the credentials)"),
                evidence, _("a client would send its password in plaintext; the server must"
                            " answer 530 5.7.0 until TLS is up (Postfix: smtpd_tls_auth_only"
                            " = yes)"), RFC_AUTH)
    elif reply is not None and reply.klass == 5:
        ok = reply.code == 530
        advertised = caps.has("AUTH")
        ctx.add("auth-before-tls", Verdict.PASS,
                _("AUTH is refused before STARTTLS") if ok else
                _("AUTH is refused before STARTTLS ({code})").format(code=reply.code),
                evidence,
                _("the server takes no password before TLS") if ok else
                _("the server takes no password before TLS; 530 5.7.0 says why"
                  " (RFC 4954 6)") if advertised else
                _("the server takes no password before TLS: it offers no AUTH in plaintext"
                  " at all"), RFC_AUTH)
    elif reply is None:
        ctx.add("auth-before-tls", Verdict.INFO, _("no reply to AUTH before STARTTLS"),
                evidence + ctx.within, _("the server did not answer"), RFC_AUTH)
    else:
        ctx.add("auth-before-tls", Verdict.WARN, _("AUTH before STARTTLS answered"
                                                   " {code}").format(code=reply.code),
                evidence, _("neither a challenge nor a refusal: check what the server"
                            " means"), RFC_AUTH)


async def _after_tls(ctx: ProbeContext, session: Session, before: Capabilities) -> None:
    """STARTTLS and EHLO again: is AUTH offered once TLS is up? (INFO: where it belongs.)"""
    if not session.connected or session.in_data:
        return
    mark = ctx.mark()
    try:
        reply = await session.command("STARTTLS")
        if reply.klass != 2 or not session.dialog.tls:
            ctx.add("after-tls", Verdict.WARN, _("STARTTLS is advertised but refused"),
                    _("sent STARTTLS; seen {replies}").format(replies=said([reply])),
                    _("the session cannot be protected"), "RFC 3207 4")
            return
        ehlo = await session.command(f"EHLO {ctx.ehlo}")
    except Failure as exc:
        ctx.add("after-tls", Verdict.INFO, _("could not look behind STARTTLS"),
                _("sent STARTTLS; seen {replies}; {error}").format(
                    replies=said(ctx.replies_since(mark)), error=exc),
                _("the TLS handshake failed here (--cafile or --insecure to look further);"
                  " the findings above stand"), "RFC 3207 4")
        return
    caps = Capabilities.from_ehlo(ehlo)
    mechs = " ".join(caps.auth_mechanisms)
    evidence = _("sent STARTTLS, EHLO {name} (TLS up); seen {replies}").format(
        name=ctx.ehlo, replies=said(ctx.replies_since(mark)))
    if caps.has("AUTH") and not before.has("AUTH"):
        title = _("AUTH {mechanisms} is advertised only after TLS").format(mechanisms=mechs)
    elif caps.has("AUTH"):
        title = _("AUTH {mechanisms} is advertised after TLS too").format(mechanisms=mechs)
    else:
        title = _("AUTH is not advertised after TLS either")
    ctx.add("after-tls", Verdict.INFO, title, evidence,
            _("what a client is offered once the session is protected"), "RFC 3207 4.2")
