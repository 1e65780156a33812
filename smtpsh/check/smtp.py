"""--check, SMTP: the connections to one MX address (greeting, EHLO, AUTH before TLS, MAIL
FROM before STARTTLS then RSET, STARTTLS), the TLS version probes and the STARTTLS
command-injection probe. Only reads: no RCPT, no DATA, every connection ends with QUIT."""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field, replace

from smtpsh.client import Injected
from smtpsh.events import Output
from smtpsh.exitcodes import Exit, Failure
from smtpsh.findings import Finding, Section, Verdict
from smtpsh.i18n import N_, _, decimal
from smtpsh.protocol import NeedData, Reply
from smtpsh.session import ConnectOptions, Session
from smtpsh.settings import TlsOptions

KEYWORDS = {
    "SIZE": ("RFC 1870", N_("the largest message the server takes, said up front")),
    "PIPELINING": ("RFC 2920", N_("senders save round trips")),
    "CHUNKING": ("RFC 3030", N_("BDAT: message data without dot-stuffing")),
    "SMTPUTF8": ("RFC 6531", N_("internationalised addresses")),
    "REQUIRETLS": ("RFC 8689", N_("senders can require TLS on every hop")),
    "LIMITS": ("RFC 9422", N_("the server's limits on recipients and transactions")),
}
SLOW_GREETING = 10.0  # seconds


@dataclass
class HostFacts:
    host: str
    address: str
    port: int
    error: str = ""  # the connection or dialog failed: what happened
    connect_s: float | None = None
    greeting: Reply | None = None
    greeting_s: float | None = None
    ehlo: Reply | None = None
    auth_before_tls: tuple[str, ...] | None = None
    mail_before_tls: Reply | None = None
    starttls_offered: bool = False
    tls_version: str = ""
    cipher: str = ""
    tls_error: str = ""
    verify_error: str = ""  # "" when the chain and name verified
    chain: list[bytes] = field(default_factory=list)  # DER, leaf first, as the server sent
    ehlo_tls: Reply | None = None
    old_versions: dict[str, bool | None] = field(default_factory=dict)
    injection: str | None = None  # vulnerable, safe, None: not run
    injection_detail: str = ""


class Prober:
    """The connections to the addresses of the plan, at most `limit` at a time."""

    def __init__(self, options: ConnectOptions, ehlo: str, limit: asyncio.Semaphore) -> None:
        self.options = options
        self.ehlo = ehlo
        self.limit = limit

    def _session(self, tls: TlsOptions | None = None) -> tuple[Session, list[Output]]:
        events: list[Output] = []
        opts = self.options if tls is None else replace(self.options, tls=tls)
        return Session(events.append, replace(opts, show_cert=False, implicit_tls=False)), events

    async def check(self, facts: HostFacts) -> None:
        """All connections of one address, at once."""
        results = await asyncio.gather(
            self.main(facts), self.versions(facts, "TLS 1.0", "1.0"),
            self.versions(facts, "TLS 1.1", "1.1"), self.injection(facts),
            return_exceptions=True)
        for result in results:
            if isinstance(result, Exception):  # a bug of ours: on the card, not a crash
                facts.error = facts.error or _("internal error: {error}").format(
                    error=f"{type(result).__name__}: {result}")

    async def _greet(self, session: Session, facts: HostFacts) -> Reply | None:
        reply = await session.connect(facts.host, facts.port, facts.address)
        if reply.klass != 2:
            return None
        ehlo = await session.command(f"EHLO {self.ehlo}")
        return ehlo if ehlo.klass == 2 else None

    async def main(self, facts: HostFacts) -> None:
        async with self.limit:
            session, _events = self._session()
            try:
                await self._main(session, facts)
            except Failure as exc:
                facts.error = facts.error or str(exc)
            finally:
                await _quit(session)

    async def _main(self, session: Session, facts: HostFacts) -> None:
        started = time.monotonic()
        facts.greeting = await session.connect(facts.host, facts.port, facts.address)
        total = time.monotonic() - started
        facts.connect_s = dict(session.timings).get("connect")
        facts.greeting_s = total - (facts.connect_s or 0.0)
        if facts.greeting.klass != 2:
            facts.error = _("greeted with {code}").format(code=facts.greeting.code)
            return
        facts.ehlo = await session.command(f"EHLO {self.ehlo}")
        if facts.ehlo.klass != 2:
            facts.error = _("EHLO answered {code}").format(code=facts.ehlo.code)
            facts.ehlo = None
            return
        caps = session.dialog.capabilities
        if caps.has("AUTH"):
            facts.auth_before_tls = caps.auth_mechanisms
        facts.starttls_offered = caps.has("STARTTLS")
        facts.mail_before_tls = await session.command("MAIL FROM:<>")
        if facts.mail_before_tls.klass == 2:
            await session.command("RSET")
        if not facts.starttls_offered:
            return
        try:
            reply = await session.command("STARTTLS")
        except Failure as exc:
            if exc.exit != Exit.TLS:
                raise
            facts.verify_error = str(exc)
            await self._unverified(facts)
            return
        if reply.klass != 2:
            facts.tls_error = _("STARTTLS answered {reply}").format(
                reply=f"{reply.code} {' '.join(reply.lines)}")
            return
        self._tls_facts(session, facts)
        facts.ehlo_tls = await session.command(f"EHLO {self.ehlo}")

    async def _unverified(self, facts: HostFacts) -> None:
        """The certificate failed verification: look again without verifying, for the
        facts (version, chain, DANE) that do not depend on it."""
        session, _events = self._session(replace(self.options.tls, insecure=True))
        try:
            if await self._greet(session, facts) is None:
                return
            reply = await session.command("STARTTLS")
            if reply.klass == 2:
                self._tls_facts(session, facts)
                facts.ehlo_tls = await session.command(f"EHLO {self.ehlo}")
        except Failure as exc:
            facts.tls_error = str(exc)
        finally:
            await _quit(session)

    @staticmethod
    def _tls_facts(session: Session, facts: HostFacts) -> None:
        from smtpsh.tls import peer_chain

        transport = session.transport
        assert transport is not None and transport.tls is not None
        facts.tls_version, facts.cipher = transport.tls.version, transport.tls.cipher
        obj = transport.ssl_object
        if obj is not None:
            chain = peer_chain(obj)
            leaf = obj.getpeercert(binary_form=True)
            facts.chain = chain if chain else ([leaf] if leaf else [])

    async def versions(self, facts: HostFacts, label: str, version: str) -> None:
        """Does the server accept a handshake limited to `version`?"""
        facts.old_versions[label] = None
        async with self.limit:
            tls = replace(self.options.tls, insecure=True, min_version=version,
                          max_version=version)
            session, _events = self._session(tls)
            try:
                if await self._greet(session, facts) is None:
                    return
                if not session.dialog.capabilities.has("STARTTLS"):
                    return
                try:
                    reply = await session.command("STARTTLS")
                except Failure as exc:
                    if exc.exit == Exit.TLS:
                        facts.old_versions[label] = False
                    return
                facts.old_versions[label] = reply.klass == 2 and session.transport is not None \
                    and session.transport.tls is not None
            except Failure:
                return
            finally:
                await _quit(session)

    async def injection(self, facts: HostFacts) -> None:
        """STARTTLS and NOOP in one segment, the handshake, then QUIT inside TLS. A reply to
        the NOOP, in clear text after the 220 or inside TLS before the reply to QUIT, means
        the server kept the clear-text bytes across the upgrade (RFC 3207 4.2,
        CVE-2011-0411). QUIT is what every probe connection ends with anyway: nothing else
        is sent, no mail."""
        async with self.limit:
            session, _events = self._session(replace(self.options.tls, insecure=True))
            try:
                await self._injection(session, facts)
            except Failure as exc:
                facts.injection = None
                facts.injection_detail = _("the probe failed: {error}").format(error=exc)
            finally:
                await _quit(session)

    async def _injection(self, session: Session, facts: HostFacts) -> None:
        if await self._greet(session, facts) is None:
            facts.injection_detail = _("no EHLO")
            return
        if not session.dialog.capabilities.has("STARTTLS"):
            facts.injection_detail = _("STARTTLS not offered")
            return
        transport = session.transport
        assert transport is not None
        timeout = session.options.timeout
        client = session.client
        client.raw(INJECTION)  # two raw lines now wait for a reply: STARTTLS, NOOP
        await transport.write(INJECTION)
        replies = await session.listen(timeout, until=1)  # the reply to STARTTLS
        if not replies or replies[0].klass != 2 or not client.handoff:
            facts.injection_detail = _("STARTTLS was not accepted: {reply}").format(
                reply=replies[0].code if replies else _("no reply"))
            return
        client.forget_raw()  # the NOOP: its reply must not come, so none is awaited
        # Bytes in clear text after the 220: the core hands them out as Injected instead of
        # reading them as replies. A server that answers the NOOP before TLS sends that
        # reply right behind its 220 (in its segment, or the next a moment later): wait for
        # it a little, a few round trips of the EHLO just measured (its reply time), at
        # least CLEAR_WAIT for the scheduling of a busy host, never beyond --timeout.
        ehlo_s = session.timings[-1][1] if session.timings else 0.0
        clear = b""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(min(max(3 * ehlo_s, CLEAR_WAIT), timeout)):
                while True:
                    while not isinstance(ev := client.next_event(), NeedData):
                        if isinstance(ev, Injected):
                            clear += ev.data
                    if clear:
                        break
                    data = await transport.read()
                    if not data:
                        break
                    client.receive_data(data)
        clear += transport.buffered()
        if clear:
            facts.injection = "vulnerable"
            facts.injection_detail = _(
                "sent {probe} in one segment; the NOOP was answered in clear text after the"
                " 220: {reply!r}").format(probe=SHOWN, reply=_shown(clear))
            return
        try:
            await transport.start_tls(session.tls_context(), facts.host, timeout)
        except Failure as exc:
            raise Failure(_("{error} (clear text after the 220, sent later than the probe"
                            " waited for it, would also do this)").format(error=exc),
                          exc.exit) from None
        client.tls_started()
        # No fixed wait: replies come in order. A server that kept the clear-text NOOP
        # answers it right after the handshake, before it reads anything sent inside TLS;
        # so whatever comes before the reply to our QUIT answers the injected NOOP, and once
        # that reply (221) is in, nothing of the NOOP can follow.
        await transport.write(b"QUIT\r\n")
        data, closed = b"", False
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                while not any(code == "221" for code in _reply_codes(data)):
                    chunk = await transport.read()
                    if not chunk:
                        closed = True
                        break
                    data += chunk
        session.abort()  # QUIT is sent: nothing more to say on this connection
        codes = _reply_codes(data)
        if len(codes) > 1:
            facts.injection = "vulnerable"
            detail = _("sent {probe} in one segment; after the handshake the server answered"
                       " the NOOP before QUIT: {reply!r}")
        elif codes and codes[0] != "221":
            detail = _("sent {probe} in one segment; the only reply after the handshake was"
                       " {reply!r}, not 221 to QUIT: inconclusive")
        elif codes:
            facts.injection = "safe"
            detail = _("sent {probe} in one segment; after the handshake the first reply was"
                       " the 221 to QUIT: the NOOP was discarded")
        elif closed:
            detail = _("sent {probe} in one segment; the server closed without a reply to QUIT")
        else:
            detail = _("sent {probe} in one segment; no reply to QUIT after the handshake"
                       " within --timeout")
        facts.injection_detail = detail.format(probe=SHOWN, reply=_shown(data))


INJECTION = b"STARTTLS\r\nNOOP\r\n"
CLEAR_WAIT = 0.05  # seconds: the least wait for clear text after the 220 (see _injection)
SHOWN = "b'STARTTLS\\r\\nNOOP\\r\\n'"  # what the probe sends, as shown


def _reply_codes(data: bytes) -> list[str]:
    """The codes of the complete replies in `data` (one per final line: "ddd" or "ddd ")."""
    codes = []
    for line in data.split(b"\r\n")[:-1] if b"\r\n" in data else []:
        if len(line) >= 3 and line[:3].isdigit() and line[3:4] in (b"", b" "):
            codes.append(line[:3].decode())
    return codes


def _shown(data: bytes) -> str:
    return data[:80].decode("utf-8", "backslashreplace").strip()


async def _quit(session: Session) -> None:
    if session.client.handoff:  # between the 220 to STARTTLS and a handshake: just drop
        session.abort()
        return
    if session.connected:
        with contextlib.suppress(Failure, OSError):
            async with asyncio.timeout(2):
                await session.command("QUIT")
    with contextlib.suppress(Failure, OSError):
        await session.close()


def findings(facts: HostFacts, section: Section) -> None:
    """The SMTP findings of one MX address."""
    if facts.greeting is None:
        section.add(Finding("smtp.connect", Verdict.FAIL, _("no SMTP connection"),
                            facts.error, _("senders try the next MX, or defer"),
                            "RFC 5321 5.1"))
        return
    g = facts.greeting
    text = " / ".join(g.lines)
    seconds = facts.greeting_s or 0.0
    if g.klass != 2:
        section.add(Finding("smtp.greeting", Verdict.FAIL,
                            _("greeting {code}").format(code=g.code), text,
                            _("the server turns senders away"), "RFC 5321 3.1"))
        return
    slow = seconds > SLOW_GREETING
    section.add(Finding("smtp.greeting", Verdict.WARN if slow else Verdict.PASS,
                        _("greeting {code} after {seconds} s").format(
                            code=g.code, seconds=decimal(seconds, 3)), text,
                        _("senders wait 5 minutes at most, but slow greetings delay mail")
                        if slow else "", "RFC 5321 4.5.3.2"))
    if len(g.lines) > 1:
        section.add(Finding("smtp.greeting-multiline", Verdict.INFO,
                            _("multi-line greeting ({count} lines)").format(
                                count=len(g.lines)), text,
                            _("legal, but old clients read only the first line"),
                            "RFC 5321 4.2"))
    if facts.ehlo is None:
        section.add(Finding("smtp.ehlo", Verdict.FAIL, _("EHLO refused"), facts.error,
                            _("no extensions: no STARTTLS"), "RFC 5321 4.1.1.1"))
        return
    from smtpsh.protocol import Capabilities

    caps = Capabilities.from_ehlo(facts.ehlo)
    for keyword, (rfc, why) in KEYWORDS.items():
        if caps.has(keyword):
            value = " ".join(caps.params(keyword))
            section.add(Finding(f"smtp.{keyword.lower()}", Verdict.PASS,
                                _("{keyword} advertised").format(keyword=keyword),
                                f"{keyword} {value}".strip(), "", rfc))
        else:
            section.add(Finding(f"smtp.{keyword.lower()}", Verdict.INFO,
                                _("{keyword} not advertised").format(keyword=keyword), "",
                                _(why), rfc))
    if facts.auth_before_tls is not None:
        section.add(Finding("smtp.auth-before-tls", Verdict.WARN,
                            _("AUTH offered before TLS"),
                            "AUTH " + " ".join(facts.auth_before_tls),
                            _("passwords may be sent in clear text"), "RFC 4954 4"))
    m = facts.mail_before_tls
    if m is not None and facts.starttls_offered:
        shown = f"MAIL FROM:<> -> {m.code} {' '.join(m.lines)}"
        if m.klass == 2:
            submission = facts.port == 587
            section.add(Finding("smtp.mail-before-tls",
                                Verdict.FAIL if submission else Verdict.INFO,
                                _("MAIL FROM accepted before STARTTLS (then RSET)"), shown,
                                _("submission must require TLS first") if submission else
                                _("usual on port 25: TLS is opportunistic between MTAs"),
                                "RFC 8314 3.3" if submission else "RFC 3207 4"))
        else:
            section.add(Finding("smtp.mail-before-tls", Verdict.PASS,
                                _("MAIL FROM refused before STARTTLS"), shown, "",
                                "RFC 3207 4"))
