"""AUTH as the user sees it (RFC 4954): the exchange (auth.Exchange, driven by the core)
with the questions it needs asked, base64 done for the user, secrets hidden as soon as known.
"""

from __future__ import annotations

from typing import Protocol

from smtpsh import auth
from smtpsh.client import Client
from smtpsh.events import Interaction
from smtpsh.exitcodes import Exit, Failure
from smtpsh.i18n import _
from smtpsh.protocol import Dialog, Reply, split_command
from smtpsh.transport import Transport


class Session(Protocol):
    """What AUTH needs of a session (smtpsh.session.Session), named here so that this
    module does not import the one that calls it."""

    client: Client
    transport: Transport | None
    interaction: Interaction
    credentials: dict[str, str]
    prefill: bool
    port: int

    @property
    def dialog(self) -> Dialog: ...

    def note(self, text: str) -> None: ...

    def warn(self, text: str) -> None: ...

    def add_secret(self, *values: str | bytes) -> None: ...

    def add_b64_secret(self, text: str) -> None: ...

    def server_hostname(self) -> str: ...

    async def auth_line(self, text: str, secret: bool, shown: str | None = None) -> Reply: ...

    async def start_auth(self, exchange: auth.Exchange) -> Reply: ...


def is_loopback(address: str) -> bool:
    """127.0.0.0/8, ::1, and IPv4 loopback mapped into IPv6."""
    import ipaddress

    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)
    return ip.is_loopback or bool(mapped and mapped.is_loopback)


async def authenticate(session: Session, line: str) -> Reply:
    """RFC 4954: run the SASL exchange; the shell does the base64 unless the user does."""
    assert session.transport is not None
    words = split_command(line)[1].split()
    name = words[0].upper() if words else ""
    # Typing the initial response yourself, or a mechanism smtpsh does not know, means
    # doing the base64 by hand: smtpsh sends what is typed and decodes what comes back.
    manual = len(words) > 1 or name not in auth.MECHANISMS
    if not session.dialog.tls:
        peer = session.transport.peer[0]
        if is_loopback(peer) or peer.startswith("unix:"):
            session.warn(_("AUTH without TLS: fine on loopback, but on a network anyone on the"
                           " path could read the password (use STARTTLS first)"))
        elif not await session.interaction.confirm(
                _("AUTH without TLS sends the password readable by anyone on the path. Send"
                  " it anyway?")):
            raise Failure(_("AUTH not sent over a connection without TLS: use STARTTLS"
                            " (or --starttls / --tls) first"), Exit.ERROR)
    if manual:
        exchange = auth.Exchange.typed(line)
        if len(words) > 1:
            session.add_b64_secret(words[1])
    else:
        exchange = auth.Exchange(name, auth.create(name, host=session.server_hostname(),
                                                   port=session.port, initial=False))
        if session.prefill and "authzid" in session.credentials:
            exchange.give("authzid", session.credentials["authzid"])
    reply = await session.start_auth(exchange)
    while isinstance(step := session.client.sasl_step, auth.Challenge) and (
            session.client.sasl is exchange):
        if step.text:
            session.note(_("challenge: {challenge}").format(
                challenge=auth.decode_challenge_for_display(step.text)))
        if exchange.manual:
            answer = await session.interaction.ask(_("base64 answer (* to cancel): "), True)
            answer = auth.CANCEL if answer is None else answer
            session.add_b64_secret(answer)
            reply = await session.auth_line(answer, secret=answer != auth.CANCEL)
            continue
        if not await _fill(session, exchange, step.needs):
            reply = await session.auth_line(auth.CANCEL, secret=False)
            continue
        try:
            resp = exchange.answer(step)
        except auth.UnexpectedChallenge:
            session.warn(_("{mechanism} has no answer to this challenge: cancelling").format(
                mechanism=name))
            reply = await session.auth_line(auth.CANCEL, secret=False)
            continue
        if resp.secret:
            session.add_secret(resp.data)
        shown = None if resp.secret else resp.data.decode("utf-8", "backslashreplace")
        reply = await session.auth_line(auth.b64(resp.data), resp.secret, shown)
    step = session.client.sasl_step
    if isinstance(step, auth.Done):
        if step.outcome is auth.Outcome.AUTHENTICATED:
            user = session.dialog.user
            session.note(_("authenticated as {user}").format(user=user) if user and user != "?"
                         else _("authenticated"))
        elif step.outcome is auth.Outcome.CANCELLED:
            session.note(_("AUTH cancelled, as asked: the server's 501 confirms it"
                           " (RFC 4954 4)"))
    return reply

async def _fill(session: Session, exchange: auth.Exchange, needs: tuple[str, ...]) -> bool:
    """Give the mechanism the inputs its next answer needs, asking for unknown ones.

    False when the user cancels (no answer, or "*"). Secrets are registered for
    redaction the moment they are known.
    """
    known = session.credentials if session.prefill else {}
    for need in needs:
        value = known.get(need)
        if value is None:
            user = exchange.inputs.get("user") or session.credentials.get("user")
            prompt = {"user": _("Username: "), "token": _("OAuth token: "),
                      "password": _("Password for {user}: ").format(user=user) if user
                      else _("Password: ")}[need]
            value = await session.interaction.ask(prompt, need in auth.SECRET_INPUTS)
            if value is None or value == auth.CANCEL:
                session.note(_("AUTH cancelled"))
                return False
        if need in auth.SECRET_INPUTS:
            session.add_secret(value)
        exchange.give(need, value)
    return True
