"""--mx: pick the server for a mail domain (resolve.py), show the plan, try it in order."""

from __future__ import annotations

from typing import TYPE_CHECKING

from smtpsh.escape import escape
from smtpsh.exitcodes import Exit, Failure
from smtpsh.i18n import _, decimal
from smtpsh.protocol import Reply

if TYPE_CHECKING:
    from smtpsh.session import Session
    from smtpsh.settings import Settings


async def choose_server(settings: Settings, session: Session) -> tuple[str, Reply] | int:
    """Connect the session to the first server of the MX plan that answers.

    Returns (host name, greeting), or an exit status when no connection was made
    (the domain would bounce, or every server failed, or --dry-run).
    """
    from smtpsh import resolve

    assert settings.host is not None
    try:
        resolve.parse_target(settings.host)  # a malformed target is a usage error, not DNS
        lookup = resolve.DnsLookup(settings.nameserver, timeout=min(settings.timeout, 10))
    except ValueError as exc:
        session.warn(escape(str(exc), tab=True))
        return Exit.USAGE
    # 0 (either family) means no restriction for the plan.
    family = settings.family or None
    plan = await resolve.plan(settings.host, lookup, family, settings.port)
    session.note(_("asked DNS server {server}").format(server=settings.nameserver)
                 if settings.nameserver else
                 _("asked the system's DNS servers (--nameserver to choose one)"))
    for line in plan.render().splitlines():
        session.note(line)
    if plan.outcome != "connect":
        session.warn(escape({"bounce": _("the message would bounce: {reason}"),
                             "defer": _("the message would defer: {reason}")}[plan.outcome]
                            .format(reason=plan.reason), tab=True))
        return plan.exit_status
    if settings.dry_run:
        return Exit.OK
    # A domain literal's "host" is [192.0.2.1]: the name to verify TLS against is the address.
    names = {address: address if host.startswith("[") else host
             for host, address in plan.candidates()}
    greeting: dict[str, Reply] = {}

    async def connect(address: str, port: int) -> str:
        try:
            reply = await session.connect(names[address], port, address)
        except Failure as exc:
            # A server that cannot be reached, or whose TLS fails (--tls), sends the MTA on to
            # the next one (which is held to the same TLS: no less safe); a local error (a
            # bad --cafile) would fail the same everywhere.
            # Through --proxy, the same: a target the proxy refuses or cannot reach; but a
            # proxy that is down or refuses our login would fail the same for every server.
            if exc.exit not in (Exit.CONNECT, Exit.TIMEOUT, Exit.LOST, Exit.TLS) and \
                    not getattr(exc, "next_server", False):
                raise
            await session.close()
            raise OSError(str(exc)) from None
        if reply.klass in (4, 5):
            # RFC 5321 §3.1, §5.1: a server that turns us away at the greeting (421, 554) is
            # as good as unreachable; the next MX is tried (as Postfix does,
            # smtp_skip_5xx_greeting). After a 554 the client says QUIT; a 421 has closed.
            await _leave(session, reply)
            first = reply.lines[0] if reply.lines else ""
            raise OSError(_("greeted with {reply}").format(reply=f"{reply.code} {first}".rstrip()))
        if settings.starttls and not await _starttls(session, settings):
            # As a sending MTA that requires TLS: no TLS here, so the next MX is tried.
            await session.close()
            raise OSError(_("STARTTLS did not end in TLS"))
        greeting[address] = reply
        return address

    def attempt(host: str, address: str, ok: bool, detail: str, seconds: float) -> None:
        verdict = detail if ok else _("failed: {error}").format(error=detail)
        session.note(escape(_("try {host} [{address}]:{port}: {verdict} ({seconds} s)").format(
            host=host, address=address, port=settings.port, verdict=verdict,
            seconds=decimal(seconds, 3)), tab=True))

    got = await resolve.try_candidates(plan, connect, settings.port, attempt)
    if got is None:
        session.warn(_("no server of the plan could be reached: the message would be deferred"))
        return Exit.DNS_DEFER
    host, address, _conn = got
    return host, greeting[address]


async def _starttls(session: Session, settings: Settings) -> bool:
    """--starttls under --mx: EHLO, STARTTLS, EHLO at each MX before choosing it; a TLS
    failure (refused, handshake, certificate) moves on to the next, as a sending MTA does."""
    from smtpsh.runner import Runner
    from smtpsh.settings import starttls_lines

    try:
        ok = await Runner(session, script=False).prelude(
            starttls_lines(settings.ehlo, settings.lmtp), stop=True)
    except Failure as exc:
        if exc.exit not in (Exit.TLS, Exit.LOST, Exit.TIMEOUT):
            raise
        return False
    return ok and session.dialog.tls


async def _leave(session: Session, greeting: Reply) -> None:
    """Close politely after a greeting that turns us away: QUIT after a 554 (RFC 5321 §3.1)."""
    if greeting.code == 554 and session.connected:
        try:
            await session.command("QUIT")
        except Failure:
            pass  # gone already: nothing more to say to it
    await session.close()
