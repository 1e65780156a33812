"""What every probe uses: its own connections (a `Session` each, its events recorded), the
envelope the user named, the bounded wait, and the words for what was sent and seen."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

from smtpsh.events import SERVER_CLOSED, Note, Output, Received, Sent, Warn
from smtpsh.exitcodes import Exit, Failure
from smtpsh.findings import Card, Finding, Section, Verdict
from smtpsh.i18n import _, decimal
from smtpsh.protocol import Reply, show_bytes
from smtpsh.session import ConnectOptions, Session
from smtpsh.transcript import Redactor, Transcript

# The longest a probe waits for a reply that a careful server never sends (it waits for the
# rest of the line, or of the message): --timeout, but no more than this.
MAX_WAIT = 3.0
# Addresses in the reserved .invalid TLD (RFC 2606 2): never deliverable anywhere.
OUTSIDE_SENDER = "smtpsh-probe@sender.invalid"
OUTSIDE_RECIPIENT = "smtpsh-probe@relay-test.invalid"


class Unreachable(Failure):
    """The target could not be reached at all: no probe can run (Nagios UNKNOWN)."""


@dataclass
class ProbeContext:
    host: str
    port: int
    ehlo: str
    options: ConnectOptions = field(default_factory=ConnectOptions)
    mail_from: str | None = None  # --from; None: the null reverse-path <>
    rcpt_to: str | None = None  # --to; None: no message is ever sent
    starttls: bool = False  # --starttls: EHLO, STARTTLS, EHLO before each check
    transcript: Transcript | None = None
    redactor: Redactor = field(default_factory=Redactor)
    card: Card = field(default_factory=lambda: Card("smtpsh --probe"))
    events: list[Output] = field(default_factory=list)  # everything every session emitted
    section: Section = field(default_factory=lambda: Section(""))
    address: str | None = None  # connect here (an --mx choice) instead of resolving host
    probe: str = ""  # the probe running: its name starts each finding's id

    @property
    def wait(self) -> float:
        return min(self.options.timeout, MAX_WAIT)

    @property
    def within(self) -> str:
        """" within 3 s": said after "no reply", of the bounded wait."""
        return _(" within {seconds} s").format(seconds=decimal(self.wait))

    @property
    def sender(self) -> str:
        return self.mail_from or ""

    @property
    def implicit_tls(self) -> bool:
        return self.options.implicit_tls

    def add(self, id: str, verdict: Verdict, title: str, evidence: str = "", why: str = "",
            rfc: str = "") -> Finding:
        return self.section.add(Finding(f"{self.probe}.{id}",
                                        verdict, title, evidence, why, rfc))

    def skip_without_to(self, id: str, what: str) -> Finding:
        return self.add(id, Verdict.SKIP, _("{what}: not checked, it sends a message and"
                                            " needs --to ADDRESS (a recipient you may send"
                                            " to)").format(what=what),
                        why=_("probes never invent a recipient"))

    # --- connections ------------------------------------------------------------------

    def mark(self) -> int:
        return len(self.events)

    def replies_since(self, mark: int) -> list[Reply]:
        return [e.reply for e in self.events[mark:] if isinstance(e, Received)]

    def _sink(self, event: Output) -> None:
        self.events.append(event)

    async def connect(self, early: bytes = b"", hello: bool = True) -> Session:
        """A new connection, its greeting read (all of it: the core waits for the last line
        of a multi-line greeting); then EHLO (and STARTTLS with --starttls) unless not
        `hello`. A target that cannot be reached raises Unreachable."""
        session = Session(self._sink, self.options, self.transcript, self.redactor)
        try:
            greeting = await session.connect(self.host, self.port, self.address, early=early)
        except Failure as exc:
            if exc.exit in (Exit.CONNECT, Exit.TIMEOUT, Exit.TLS, Exit.USAGE) and not early:
                await session.close()
                raise Unreachable(str(exc), exc.exit) from None
            raise
        if greeting.klass != 2 and not early:
            await close(session)
            raise Unreachable(_("the server refuses service: {reply}").format(
                reply=said([greeting])), Exit.LOST)
        if hello:
            await self.hello(session)
        return session

    async def hello(self, session: Session) -> Reply:
        reply = await session.command(f"EHLO {self.ehlo}")
        if reply.klass == 5:
            reply = await session.command(f"HELO {self.ehlo}")
        if self.starttls and not session.dialog.tls:
            got = await session.command("STARTTLS")
            if got.klass != 2:
                raise Unreachable(_("--starttls: STARTTLS refused: {reply}").format(
                    reply=said([got])), Exit.TLS)
            reply = await session.command(f"EHLO {self.ehlo}")
        return reply

    async def open_data(self, session: Session) -> tuple[bool, str]:
        """MAIL FROM, RCPT TO (the user's --to), DATA: whether a 354 came, and what was
        said if not."""
        mark = self.mark()
        for line in (f"MAIL FROM:<{self.sender}>", f"RCPT TO:<{self.rcpt_to}>", "DATA"):
            reply = await session.command(line)
            if reply.klass not in (2, 3):
                return False, f"{line}: {said([reply])}"
        ok = session.in_data
        return ok, "" if ok else said(self.replies_since(mark))

    async def opened_data(self, session: Session, id: str, rfc: str = "") -> bool:
        """open_data, and when no 354 came, the finding `id` that says the test could not
        be made (a warning: the envelope, not the server's weakness)."""
        ok, why = await self.open_data(session)
        if not ok:
            self.add(id, Verdict.WARN, _("could not open a transaction to test with"),
                     _("seen {replies}").format(replies=why),
                     _("the probe needs a 354 for --to (and --from)"), rfc)
        return ok

    async def raw(self, session: Session, data: bytes, until: int) -> list[Reply]:
        """Send `data` exactly; collect the replies that come within the bounded wait,
        awaited or not, until `until` came (or the server closed)."""
        mark = self.mark()
        with contextlib.suppress(Failure):
            await session.raw(data, timeout=self.wait)
        got = self.replies_since(mark)
        if len(got) < until and session.connected:
            with contextlib.suppress(Failure):
                await session.listen(self.wait, until - len(got))
            got = self.replies_since(mark)
        return got

    def closed_since(self, mark: int) -> bool:
        return any(isinstance(e, Note) and e.kind == SERVER_CLOSED
                   for e in self.events[mark:])


async def close(session: Session) -> None:
    """QUIT when the connection is still up, then close; never fails."""
    if session.connected and not session.in_data:
        with contextlib.suppress(Failure, OSError):
            await session.command("QUIT")
    with contextlib.suppress(Failure, OSError):
        await session.close()


def said(replies: list[Reply]) -> str:
    """Replies on one line each joined by ' / ' ("no reply" when none)."""
    if not replies:
        return _("no reply")
    return " / ".join(" ".join(r.wire_lines()[-1:]) if len(r.lines) > 3 else
                      " ".join(r.wire_lines()) for r in replies)


def then_closed(closed: bool) -> str:
    """", then the connection closed", when it did (after what was seen)."""
    return _(", then the connection closed") if closed else ""


def sent(data: bytes) -> str:
    return show_bytes(data)


def shown(events: list[Output]) -> list[str]:
    """The dialog as lines (for a test's failure message)."""
    out = []
    for e in events:
        match e:
            case Sent(text):
                out.append(f"C: {text}")
            case Received(reply):
                out += [f"S: {x}" for x in reply.wire_lines()]
            case Note(text):
                out.append(f"-- {text}")
            case Warn(text):
                out.append(f"!! {text}")
    return out
