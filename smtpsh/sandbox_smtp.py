"""The sandbox's SMTP server: aiosmtpd's, made strict, watchful and scriptable.

- Strict (the default): it answers as a strict RFC 5321 server would: angle brackets around
  addresses, CRLF only (a bare LF or CR is refused), line lengths (512 octets a command line,
  1000 a line of text), command order, 8-bit text only when MAIL FROM declared
  BODY=8BITMIME (or SMTPUTF8), non-ASCII addresses only with SMTPUTF8, and the LIMITS it
  advertises (RFC 9422). Each refusal has an enhanced status code and says what was wrong.
  Lenient: aiosmtpd's own behaviour, as the sandbox had before.
- Watchful: each client's dialog is recorded as the server sees it (`ClientRecord`): shown
  live in `--serve` (the server's view) and judged at the end (`report_card`).
- Scriptable: fault rules (smtpsh.sandbox_rules) replace replies, delay them, disconnect.

The server runs in its own thread (aiosmtpd's Controller); what it tells goes out through
callbacks that must be thread-safe.
"""

from __future__ import annotations

import asyncio
import email.utils
import itertools
import os
import re
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.parser import BytesHeaderParser
from typing import Any

from smtpsh.escape import escape
from smtpsh.findings import Card, Finding, Verdict
from smtpsh.i18n import _, decimal, plural
from smtpsh.sandbox_rules import Rule, RuleSet

HOSTNAME = "sandbox.smtpsh.test"
SHOWN_HEADERS = ("From", "To", "Subject", "Date", "Message-ID")
COMMAND_MAX = 512  # octets, with the CRLF (RFC 5321 4.5.3.1.4)
TEXT_MAX = 1000  # octets, with the CRLF (RFC 5321 4.5.3.1.6)
RCPTMAX = 50  # LIMITS (RFC 9422), advertised and enforced when strict
MAILMAX = 10
_STRICT = "\x00STRICT"  # the command a refused line becomes: its handler sends the refusal

# Enhanced codes for aiosmtpd's replies that have none (RFC 3463), when strict.
_ENHANCED = {500: "5.5.2", 501: "5.5.4", 502: "5.5.1", 503: "5.5.1", 504: "5.5.4",
             530: "5.7.0", 535: "5.7.8", 550: "5.0.0", 552: "5.3.4", 553: "5.1.3",
             554: "5.0.0", 555: "5.5.4", 421: "4.3.0", 451: "4.3.0", 452: "4.3.1",
             454: "4.7.0"}
# aiosmtpd's texts that say too little, made to say what was wrong (strict).
_BETTER = {
    "500 Command line too long": (
        "500 5.5.6 Command line too long (at most 512 octets with the CRLF,"
        " RFC 5321 4.5.3.1.4)"),
    "500 Line too long (see RFC5321 4.5.3.1.6)": (
        "500 5.5.6 Line too long: a line of the message is longer than 1000 octets with its"
        " CRLF (RFC 5321 4.5.3.1.6)"),
    "503 Error: nested MAIL command": (
        "503 5.5.1 Error: nested MAIL command (one transaction at a time: RSET ends it)"),
    "503 Error: send HELO first": "503 5.5.1 Error: send EHLO or HELO first (RFC 5321 4.1.4)",
    "503 Error: send EHLO first": "503 5.5.1 Error: send EHLO first (RFC 4954 4)",
    "503 Error: need MAIL command": (
        "503 5.5.1 Error: need MAIL command (MAIL FROM comes first, RFC 5321 4.1.4)"),
    "503 Error: need RCPT command": (
        "503 5.5.1 Error: need RCPT command (no recipient accepted yet, RFC 5321 4.1.4)"),
}
_HAS_ENHANCED = re.compile(r"\d{3}[ -][245]\.\d{1,3}\.\d{1,3}\b")
_ADDRESS_ARG = re.compile(r"(FROM|TO):( *)(.*)\Z", re.IGNORECASE | re.DOTALL)


def strict_text(status: str) -> str:
    """aiosmtpd's reply line as a strict server says it: with an enhanced code (RFC 3463,
    RFC 2034: not in the greeting, nor a 2xx/3xx reply) and the reason spelt out."""
    if status in _BETTER:
        return _BETTER[status]
    code = status[:3]
    if (code.isdigit() and code[0] in "45" and not _HAS_ENHANCED.match(status)
            and len(status) >= 3):
        enhanced = _ENHANCED.get(int(code), f"{code[0]}.0.0")
        sep = status[3:4] or " "
        return f"{code}{sep}{enhanced}" + (f" {status[4:]}" if status[4:] else "")
    return status


def _peer(peer: Any) -> str:
    if isinstance(peer, tuple) and len(peer) >= 2:
        host = str(peer[0])
        return f"[{host}]:{peer[1]}" if ":" in host else f"{host}:{peer[1]}"
    return str(peer or "?")


def client_tls_failure(exc: BaseException | None) -> str:
    """Why a client's handshake with the sandbox failed, in plain words (the server's view),
    OpenSSL's reason at the end."""
    reason = getattr(exc, "reason", None) or ""
    raw = f" (OpenSSL: {reason})" if isinstance(exc, ssl.SSLError) and reason else ""
    if reason in ("WRONG_VERSION_NUMBER", "HTTP_REQUEST", "UNKNOWN_PROTOCOL",
                  "PACKET_LENGTH_TOO_LONG", "RECORD_LENGTH_MISMATCH"):
        text = _("the client did not speak TLS after STARTTLS (it sent something else)")
    elif reason in ("TLSV1_ALERT_UNKNOWN_CA", "SSLV3_ALERT_BAD_CERTIFICATE",
                    "SSLV3_ALERT_CERTIFICATE_UNKNOWN"):
        text = _("the client does not trust the sandbox's certificate: give it the sandbox's"
                 " CA (smtpsh: --cafile, as printed above), or let it skip the checks")
    elif reason in ("UNSUPPORTED_PROTOCOL", "NO_PROTOCOLS_AVAILABLE", "VERSION_TOO_LOW",
                    "TLSV1_ALERT_PROTOCOL_VERSION", "WRONG_SSL_VERSION"):
        text = _("no TLS version in common with the client (the sandbox speaks TLS 1.2 and"
                 " 1.3)")
    elif reason in ("NO_SHARED_CIPHER", "SSLV3_ALERT_HANDSHAKE_FAILURE"):
        text = _("no cipher or TLS version in common with the client")
    elif (isinstance(exc, ConnectionError | ssl.SSLEOFError | EOFError)
          or reason.startswith("UNEXPECTED_EOF") or exc is None):
        text = _("the client closed the connection during the handshake")
    elif isinstance(exc, TimeoutError):
        text = _("the client did not finish the handshake in time")
    elif isinstance(exc, ssl.SSLError):
        text = _("the client's handshake was not valid TLS")
    else:
        text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return escape(text + raw, tab=True)


@dataclass
class ClientRecord:
    """What one client did, as the server saw it."""

    number: int
    peer: str
    started: float = field(default_factory=time.monotonic)
    pregreet: int = 0  # octets sent before the greeting
    hellos: list[tuple[str, str]] = field(default_factory=list)  # (EHLO/HELO, name)
    starttls_offered: bool = False
    tls: str = ""  # "TLSv1.3 TLS_AES_256_GCM_SHA384"
    ehlo_after_tls: bool = False
    auth_offered: bool = False
    auth: str = ""  # mechanism
    auth_user: str = ""
    bare_lf: list[str] = field(default_factory=list)  # where: "command 3", "message 1 line 4"
    bare_cr: list[str] = field(default_factory=list)
    long_lines: list[str] = field(default_factory=list)
    no_brackets: list[str] = field(default_factory=list)
    space_after_colon: list[str] = field(default_factory=list)
    undeclared_8bit: list[str] = field(default_factory=list)
    undeclared_utf8: list[str] = field(default_factory=list)
    stuffed: int = 0  # text lines sent with a doubled leading dot
    single_dot: list[str] = field(default_factory=list)  # lines led by one dot, not doubled
    pipelined: list[str] = field(default_factory=list)  # "RCPT before the reply to MAIL"
    refused: list[str] = field(default_factory=list)  # the sandbox's 4xx/5xx replies
    deferred: list[str] = field(default_factory=list)  # 4xx to a transaction: "a -> b: 451 ..."
    retried: list[str] = field(default_factory=list)  # came back after a 4xx (this connection)
    messages: int = 0
    commands: int = 0
    quit: bool = False
    # the message being read
    text_lines: int = 0
    text_bare: str = ""
    text_8bit: int = 0

    @property
    def hello(self) -> str:
        return self.hellos[-1][1] if self.hellos else ""


def _section_of(record: ClientRecord, card: Card) -> None:
    s = card.section(_("client #{number} {peer}").format(number=record.number,
                                                          peer=record.peer)
                     + (f" ({record.hello})" if record.hello else ""))
    P, W, F, N = Verdict.PASS, Verdict.WARN, Verdict.FAIL, Verdict.INFO

    def add(id_: str, verdict: Verdict, title: str, evidence: str = "", why: str = "",
            rfc: str = "") -> None:
        s.add(Finding(f"client.{id_}", verdict, title, evidence, why, rfc))

    if record.pregreet:
        add("greeting", F, _("spoke before the greeting"),
            _("{count} octets before the 220").format(count=record.pregreet),
            _("a client waits for the server's 220; spam software famously does not, and"
              " servers such as Postfix's postscreen drop it"), "RFC 5321 3.1")
    else:
        add("greeting", P, _("waited for the greeting"), rfc="RFC 5321 3.1")
    if not record.hellos:
        if record.commands:
            add("hello", F, _("never said EHLO or HELO"),
                why=_("the dialog starts with EHLO (or HELO)"), rfc="RFC 5321 4.1.1.1")
    else:
        verb, name = record.hellos[0]
        proper = bool(re.fullmatch(r"\[[0-9A-Fa-f:.]+\]|(IPv6:)?", name)) or (
            "." in name and not name.endswith(".") and " " not in name)
        if verb == "HELO":
            add("hello", W, _("greeted with HELO {name}, not EHLO").format(name=name),
                why=_("HELO asks for no extensions: no STARTTLS, SIZE, 8BITMIME, PIPELINING"),
                rfc="RFC 5321 4.1.1.1")
        elif not proper:
            add("hello", W, _("EHLO {name}: not a fully-qualified domain name").format(
                    name=name),
                why=_("EHLO takes the client's FQDN, or an address literal like [192.0.2.1]"),
                rfc="RFC 5321 4.1.1.1")
        else:
            add("hello", P, _("greeted with EHLO {name}").format(name=name),
                rfc="RFC 5321 4.1.1.1")
    if record.tls:
        add("starttls", P, _("used STARTTLS ({tls})").format(tls=record.tls), rfc="RFC 3207")
        if not record.ehlo_after_tls and record.commands:
            add("ehlo-after-tls", F, _("did not say EHLO again after STARTTLS"),
                why=_("TLS starts the session over: the server forgets the first EHLO"),
                rfc="RFC 3207 4.2")
    elif record.starttls_offered:
        add("starttls", W, _("did not use STARTTLS, though the sandbox offered it"),
            why=_("without it the message and any password cross the network in clear"),
            rfc="RFC 3207")
    if record.auth:
        add("auth", N, (_("AUTH {mechanism} as {user}") if record.auth_user else
                        _("AUTH {mechanism} (not accepted)")).format(
                            mechanism=record.auth, user=record.auth_user),
            rfc="RFC 4954")
    where = record.bare_lf + record.bare_cr
    if where:
        lf, cr = ", ".join(record.bare_lf[:4]), ", ".join(record.bare_cr[:4])
        seen = (_("bare LF: {lf}; bare CR: {cr}") if lf and cr else
                _("bare LF: {lf}; bare CR: none") if lf else _("bare LF: none; bare CR: {cr}"))
        add("crlf", F, _("sent lines that do not end in CRLF"), seen.format(lf=lf, cr=cr),
            _("SMTP lines end in CR LF; servers read a bare LF in different ways, which is"
              " how SMTP smuggling works"), "RFC 5321 2.3.8")
    else:
        add("crlf", P, _("every line ended in CRLF"), rfc="RFC 5321 2.3.8")
    if record.long_lines:
        add("line-length", F, _("sent lines longer than SMTP allows"),
            ", ".join(record.long_lines[:4]),
            _("512 octets a command line, 1000 a line of text (CRLF included)"),
            "RFC 5321 4.5.3.1")
    if record.no_brackets:
        add("brackets", F, _("an address without angle brackets"),
            "; ".join(record.no_brackets[:3]), "MAIL FROM:<address>, RCPT TO:<address>",
            "RFC 5321 4.1.2")
    elif record.space_after_colon:
        add("brackets", W, _("a space after FROM: or TO:"),
            "; ".join(record.space_after_colon[:3]),
            _("the grammar has no space there; Postfix takes it, strict servers do not"),
            "RFC 5321 4.1.2")
    elif any(h for h in record.hellos) and (record.messages or record.refused):
        add("brackets", P, _("addresses in angle brackets"), rfc="RFC 5321 4.1.2")
    if record.undeclared_8bit:
        add("8bitmime", F, _("8-bit text without BODY=8BITMIME"),
            ", ".join(record.undeclared_8bit[:3]),
            _("a client declares 8-bit text on MAIL FROM, when the server lists 8BITMIME"),
            "RFC 6152 3")
    if record.undeclared_utf8:
        add("smtputf8", F, _("a non-ASCII address without SMTPUTF8"),
            ", ".join(record.undeclared_utf8[:3]),
            _("UTF-8 addresses need the SMTPUTF8 parameter on MAIL FROM"), "RFC 6531 3.4")
    if record.single_dot:
        add("dot-stuffing", W, _("a line of text began with a single dot"),
            ", ".join(record.single_dot[:3]),
            _("a client doubles a leading dot; the server removed this one, so the line"
              " arrived without it (or the client meant it)"), "RFC 5321 4.5.2")
    elif record.stuffed:
        add("dot-stuffing", P, _("doubled the leading dot ({count} lines)").format(
            count=record.stuffed), rfc="RFC 5321 4.5.2")
    if record.pipelined:
        add("pipelining", F, _("sent commands before the replies (PIPELINING not"
                               " advertised)"),
            "; ".join(record.pipelined[:3]),
            _("without PIPELINING in the EHLO reply, a client waits for each reply"),
            "RFC 2920 3.1")
    elif record.commands > 1:
        add("pipelining", P, _("waited for each reply"), rfc="RFC 2920")
    if record.retried:
        add("retry", P, _("came back after a temporary refusal (4xx)"),
            "; ".join(record.retried[:3]),
            _("a 4xx reply means: keep the message and try again later (greylisting counts"
              " on it)"), "RFC 5321 4.5.4.1")
    elif record.deferred:
        add("retry", N, plural(len(record.deferred), _("got {count} temporary refusal (4xx)"),
                               _("got {count} temporary refusals (4xx)")),
            "; ".join(record.deferred[:3]),
            _("a sender keeps the message and tries again later; a retry shows on the card"
              " of the connection that makes it (none seen yet)"), "RFC 5321 4.5.4.1")
    if record.refused:
        add("refused", N, _("the sandbox refused {count} commands").format(
                count=len(record.refused)),
            "; ".join(record.refused[:3]))
    if record.messages:
        add("messages", N, plural(record.messages, _("{count} message accepted"),
                                  _("{count} messages accepted")))
    if record.quit:
        add("quit", P, _("ended with QUIT"), rfc="RFC 5321 4.1.1.10")
    else:
        add("quit", W, _("closed the connection without QUIT"),
            why=_("a client ends the session with QUIT and waits for the 221"),
            rfc="RFC 5321 4.1.1.10")
    bad = sum(f.verdict is F for f in s.findings)
    s.summary = (_("good SMTP manners") if not bad and s.worst is not W
                 else plural(bad, _("{count} thing a strict server refuses"),
                             _("{count} things a strict server refuses")) if bad
                 else _("works, with warnings"))


def report_card(record: ClientRecord) -> Card:
    """The client report card of one connection."""
    card = Card(_("smtpsh sandbox: report card of client #{number}").format(
        number=record.number))
    _section_of(record, card)
    return card


class _Reader:
    """The connection's StreamReader, seen through: each line read goes by the server first
    (to the record, the live view, the strict checks)."""

    def __init__(self, inner: asyncio.StreamReader, smtp: Any) -> None:
        object.__setattr__(self, "_inner", inner)
        object.__setattr__(self, "_smtp", smtp)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._inner, name, value)

    def pending(self) -> int:
        return len(getattr(self._inner, "_buffer", b""))

    async def readuntil(self, separator: bytes = b"\n") -> bytes:
        line = await self._inner.readuntil(separator)
        if separator == b"\n":
            return self._smtp.command_line(line)
        self._smtp.text_line(line)
        await self._smtp.text_stage()
        return line

    async def readline(self) -> bytes:  # aiosmtpd reads AUTH answers so
        line = await self._inner.readline()
        self._smtp.show("C:", _("[an AUTH answer, not shown]"))
        return line


@dataclass
class Deferral:
    """A temporary refusal (4xx) the sandbox gave, waiting for the client to come back."""

    client: str  # the client's address
    sender: str | None  # None: any (a 421 greeting)
    recipient: str | None  # None: any
    number: int  # the connection that got it
    reply: str
    at: float = field(default_factory=time.monotonic)


class RetryBook:
    """The 4xx replies given, per client address, sender and recipient, across connections:
    a later connection from the same address with the same sender and recipient is a retry."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.pending: list[Deferral] = []

    def deferred(self, deferral: Deferral) -> None:
        with self._lock:
            self.pending.append(deferral)

    def seen(self, client: str, sender: str, recipient: str, number: int) -> list[Deferral]:
        """The refusals this transaction retries (taken off the book)."""
        with self._lock:
            hit = [d for d in self.pending if d.client == client and d.number != number
                   and d.sender in (None, sender) and d.recipient in (None, recipient)]
            self.pending = [d for d in self.pending if d not in hit]
        return hit


@dataclass
class ServerOptions:
    strict: bool = True
    rules: RuleSet = field(default_factory=RuleSet)
    view: bool = False  # report each line of each client (the server's view)
    card: Callable[[Card], None] | None = None  # the report card at each client's end
    ready: bool = False  # False while the server starts (aiosmtpd's own test connection)
    record_raw: str | None = None  # a folder: the exact bytes each client sent, a file each
    retries: RetryBook = field(default_factory=RetryBook)


def make_smtp_class(options: ServerOptions, report: Callable[[str], None]) -> Any:
    """aiosmtpd's SMTP as the sandbox runs it."""
    from aiosmtpd.smtp import SMTP, TLSSetupException


    numbers = itertools.count(1)
    lock = threading.Lock()

    class SandboxSMTP(SMTP):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._smtp_methods[_STRICT] = self._refuse
            self.strict = options.strict
            self.record: ClientRecord | None = None
            self._refusal = ""
            self._greeted = False
            self._last_verb = ""
            self._transactions = 0
            self._card_done = False
            self._silent = not options.ready
            self._helo_rule: Rule | None = None  # hide/advertise for this EHLO reply
            self._tx: tuple[str, tuple[str, ...]] = ("", ())  # the transaction's envelope

        @property
        def _s(self) -> Any:  # the session, typed loosely (aiosmtpd's may be None)
            return self.session

        @property
        def _e(self) -> Any:
            return self.envelope

        def _pending(self) -> int:
            reader: Any = self._reader
            return int(reader.pending())

        # --- the record and the live view --------------------------------------------

        def show(self, direction: str, text: str) -> None:
            if options.view and self.record is not None and not self._silent:
                report(escape(f"#{self.record.number} {direction} {text}", tab=True))

        def connection_made(self, transport: Any) -> None:
            first = self.record is None
            super().connection_made(transport)
            if first:
                with lock:
                    number = 0 if self._silent else next(numbers)
                self.record = ClientRecord(number, _peer(self._s.peer))
                if options.view and not self._silent:
                    report(_("client #{number} {peer}: connected").format(
                        number=number, peer=self.record.peer))
            elif self.record is not None and self._s.ssl:
                ssl_object = self._s.ssl.get("ssl_object")
                if ssl_object is not None:
                    self.record.tls = f"{ssl_object.version()} {ssl_object.cipher()[0]}"
                    if options.view:
                        report(f"#{self.record.number} -- TLS {self.record.tls}")

        def data_received(self, data: bytes) -> None:
            # --record-raw: the bytes as they came (after TLS, the plaintext inside it), so
            # that what a relay did to a sequence (smuggling variants) can be read exactly.
            if options.record_raw and self.record is not None and not self._silent:
                path = os.path.join(options.record_raw, f"client-{self.record.number:04d}.raw")
                try:
                    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
                    with os.fdopen(fd, "ab") as f:
                        f.write(data)
                except OSError as exc:
                    report(_("--record-raw: cannot write {path}: {error}").format(
                        path=path, error=exc.strerror))
            super().data_received(data)

        def connection_lost(self, error: Exception | None) -> None:
            record = self.record
            if record is not None and not record.quit:
                # QUIT and close without waiting for the 221 (Postfix's smtp_skip_quit_
                # response): the QUIT is still unread when the connection is gone.
                reader: Any = getattr(self, "_reader", None)
                left = bytes(getattr(reader, "_buffer", b"") or b"")
                if reader is not None and hasattr(reader, "_inner"):
                    left = bytes(getattr(reader._inner, "_buffer", b"") or b"")
                if re.search(rb"(?:\A|\n)QUIT\r?\n", left, re.IGNORECASE):
                    record.quit = True
                    self.show("C:", _("QUIT (then closed, not waiting for the 221)"))
            super().connection_lost(error)
            if record is not None and not self._card_done and not self._silent:
                self._card_done = True
                if options.view:
                    took = time.monotonic() - record.started
                    report(_("client #{number} {peer}: disconnected after {seconds} s").format(
                        number=record.number, peer=record.peer, seconds=decimal(took, 1)))
                if options.card is not None and (record.commands or record.pregreet):
                    try:
                        options.card(report_card(record))
                    except Exception:  # a report must never take the server down
                        pass

        def _cb_client_connected(self, reader: Any, writer: Any) -> None:
            wrapped: Any = _Reader(reader, self)
            super()._cb_client_connected(wrapped, writer)

        # --- what comes in -------------------------------------------------------------

        def command_line(self, line: bytes) -> bytes:
            record = self.record
            assert record is not None
            record.commands += 1
            n = record.commands
            body = line[:-2] if line.endswith(b"\r\n") else line[:-1] if line.endswith(
                b"\n") else line
            text = body.decode("utf-8", "replace")
            verb = text.split(" ", 1)[0].upper()
            self.show("C:", text)
            if self._pending() and verb not in ("QUIT",):
                record.pipelined.append(
                    _("{verb} and more before the reply to {verb}").format(verb=verb)
                    if verb else _("a line and more before the reply to it"))
            self._last_verb = verb
            refusal = ""
            if line.endswith(b"\n") and not line.endswith(b"\r\n"):
                record.bare_lf.append(_("command {n} ({verb})").format(n=n, verb=verb))
                refusal = ("500 5.5.2 Syntax error: the line ends in a bare LF (lines end in"
                           " CRLF, RFC 5321 2.3.8)")
            elif b"\r" in body:
                record.bare_cr.append(_("command {n} ({verb})").format(n=n, verb=verb))
                refusal = ("500 5.5.2 Syntax error: a bare CR in the line (only CRLF ends a"
                           " line, RFC 5321 2.3.8)")
            limit = COMMAND_MAX + (36 if verb == "MAIL" and self._s.extended_smtp else 0)
            if len(line) > limit:
                record.long_lines.append(_("command {n} ({octets} octets)").format(
                    n=n, octets=len(line)))
                refusal = refusal or (f"500 5.5.6 Command line too long ({len(line)} octets;"
                                      " at most 512 with the CRLF, RFC 5321 4.5.3.1.4)")
            if refusal and self.strict:
                self._refusal = refusal
                return _STRICT.encode() + b"\r\n"
            return line

        def text_line(self, line: bytes) -> None:
            record = self.record
            assert record is not None
            if line == b".\r\n":
                if self._pending():
                    record.pipelined.append(_("commands right after the final dot"))
                return
            record.text_lines += 1
            n = record.text_lines
            where = _("message {number} line {n}").format(number=record.messages + 1, n=n)
            inner = line[:-2]
            if b"\n" in inner and not record.text_bare:
                record.bare_lf.append(where)
                record.text_bare = f"line {n} has a bare LF"
            elif b"\r" in inner and not record.text_bare:
                record.bare_cr.append(where)
                record.text_bare = f"line {n} has a bare CR"
            if len(line) > TEXT_MAX:
                record.long_lines.append(_("{where} ({octets} octets)").format(
                    where=where, octets=len(line)))
            if not record.text_8bit and any(b > 127 for b in inner):
                record.text_8bit = n
            if line.startswith(b".."):
                record.stuffed += 1
            elif line.startswith(b"."):
                record.single_dot.append(where)

        async def _refuse(self, arg: str | None) -> None:
            await self.push(self._refusal)

        # --- what goes out ---------------------------------------------------------------

        async def push(self, status: Any) -> None:
            text = status.decode() if isinstance(status, bytes) else str(status)
            record = self.record
            if not self._greeted and record is not None:
                self._greeted = True
                rule = self._rule("connect")
                if rule is not None:
                    reply = await self._ruled(rule)
                    text = text if reply is None else reply
                record.pregreet = self._pending()
            if not text:
                return
            if self.strict:
                text = strict_text(text)
            if record is not None:
                if text[:1] in "45":
                    record.refused.append(f"{self._last_verb}: {text}" if self._last_verb
                                          else _("greeting: {reply}").format(reply=text))
                if text[:1] == "4" and not self._silent:
                    self._deferred(record, text)
                if text.startswith("250-STARTTLS"):
                    record.starttls_offered = True
                if text.startswith("250-AUTH") or text.startswith("250 AUTH"):
                    record.auth_offered = True
            self.show("S:", text)
            await super().push(text)

        def _deferred(self, record: ClientRecord, text: str) -> None:
            """A 4xx to the greeting or a transaction: booked, so a retry is seen."""
            verb = self._last_verb
            sender, recipients = self._tx
            pairs: list[tuple[str | None, str | None]]
            if verb in ("", "EHLO", "HELO"):
                pairs = [(None, None)]
            elif verb == "MAIL":
                pairs = [(sender, None)]
            elif verb == "RCPT":
                pairs = [(sender, recipients[-1] if recipients else None)]
            elif verb == "DATA":
                pairs = [(sender, r) for r in recipients] or [(sender, None)]
            else:
                return
            client = self._s.peer[0] if isinstance(self._s.peer, tuple) else "?"
            for s, r in pairs:
                options.retries.deferred(Deferral(client, s, r, record.number, text))
            what = (f"<{sender}> -> " + ", ".join(f"<{r}>" for r in recipients)
                    if verb in ("RCPT", "DATA") else f"<{sender}>" if verb == "MAIL" else "")
            record.deferred.append(f"{what}: {text}" if what else
                                   _("the connection: {reply}").format(reply=text))

        def _retry(self, sender: str, recipient: str) -> None:
            record = self.record
            if record is None or self._silent:
                return
            client = self._s.peer[0] if isinstance(self._s.peer, tuple) else "?"
            for d in options.retries.seen(client, sender, recipient, record.number):
                what = (f"<{d.sender}> -> <{d.recipient}>" if d.recipient else
                        f"<{d.sender}>" if d.sender is not None else "")
                retry = (_("{what}: {reply} on client #{number}, retried {seconds} s later")
                         if what else _("the connection: {reply} on client #{number},"
                                        " retried {seconds} s later"))
                record.retried.append(retry.format(
                    what=what, reply=" ".join(d.reply.split()[:2]), number=d.number,
                    seconds=f"{time.monotonic() - d.at:.0f}"))
                self.show("--", _("a retry: {retry}").format(retry=record.retried[-1]))

        def _state(self) -> frozenset[str]:
            record = self.record
            return frozenset(name for name, on in (
                ("tls", bool(record is not None and record.tls) or bool(self._s.ssl)),
                ("auth", bool(self._s.authenticated))) if on)

        async def text_stage(self) -> None:
            """A rule at stage text (the first line of the message): a delay, or the
            connection dropped mid-DATA (with a 421 first, if the rule says so)."""
            record = self.record
            if record is None or record.text_lines != 1:
                return
            rule = self._rule("text")
            if rule is None:
                return
            reply = await self._ruled(rule)
            if reply is None:
                return
            if reply:
                await self.push(reply)
            self._hang_up()
            await asyncio.sleep(30)  # connection_lost cancels this wait

        def _rule(self, stage: str, sender: str = "", recipients: tuple[str, ...] = ()
                  ) -> Rule | None:
            if not options.rules.rules or self._silent:
                return None
            host = self._s.peer[0] if isinstance(self._s.peer, tuple) else ""
            if stage not in ("mail", "rcpt") and self._e is not None:
                sender = sender or (self._e.mail_from or "")
                recipients = recipients or tuple(self._e.rcpt_tos)
            return options.rules.check(stage, host, self._s.host_name or "", sender,
                                       recipients, self._state())

        async def _ruled(self, rule: Rule) -> str | None:
            """Wait and hang up as the rule says; the reply to send instead of the normal
            one ("" when the client was hung up on), or None for the normal reply."""
            self.show("--", _("rule: {rule}").format(rule=rule.describe()))
            if rule.delay:
                await asyncio.sleep(rule.delay)
            if rule.disconnect and not rule.reply:
                self._hang_up()
                return ""
            if rule.disconnect or (rule.reply or "").startswith("421"):
                self.loop.call_soon(self._hang_up)  # after the reply is written
            return rule.reply

        async def _apply(self, rule: Rule | None) -> bool:
            """A rule at a command's stage: True when it answered (or hung up)."""
            if rule is None:
                return False
            reply = await self._ruled(rule)
            if reply is None:
                return False
            if reply:
                await self.push(reply)
            return True

        def _hang_up(self) -> None:
            if self.transport is not None:
                self.transport.close()

        # --- commands --------------------------------------------------------------------

        async def smtp_HELO(self, hostname: str) -> None:
            await self._hello("HELO", hostname, super().smtp_HELO)

        async def smtp_EHLO(self, hostname: str) -> None:
            await self._hello("EHLO", hostname, super().smtp_EHLO)

        async def _hello(self, verb: str, hostname: str, then: Any) -> None:
            if self.record is not None and hostname:
                self.record.hellos.append((verb, hostname))
                if self.record.tls:
                    self.record.ehlo_after_tls = True
            rule = self._rule("helo") if hostname else None
            self._helo_rule = rule
            if await self._apply(rule):
                assert rule is not None
                if (rule.reply or "").startswith("2"):
                    self._s.host_name = hostname
                    self._s.extended_smtp = verb == "EHLO"
                return
            await then(hostname)

        async def smtp_STARTTLS(self, arg: str) -> None:
            if await self._apply(self._rule("starttls")):
                return
            await super().smtp_STARTTLS(arg)

        async def smtp_AUTH(self, arg: str) -> None:
            if self.record is not None and arg:
                self.record.auth = arg.split()[0].upper()
            if await self._apply(self._rule("auth")):
                return
            await super().smtp_AUTH(arg)
            if self.record is not None and self._s.authenticated:
                data = self._s.auth_data
                login = getattr(data, "login", b"") or b""
                self.record.auth_user = login.decode("utf-8", "replace") if isinstance(
                    login, bytes) else str(login)
                self.show("--", _("authenticated as {user}").format(
                    user=self.record.auth_user))

        async def smtp_QUIT(self, arg: str) -> None:
            if self.record is not None and not arg:
                self.record.quit = True
            if await self._apply(self._rule("quit")):
                return
            await super().smtp_QUIT(arg)

        async def smtp_MAIL(self, arg: str | None) -> None:
            m = re.search(r"<([^>]*)>", arg or "")
            self._tx = (m[1] if m else "", ())
            if self._s.host_name and arg and await self._address_syntax("MAIL", arg):
                return
            await super().smtp_MAIL(arg)

        async def smtp_RCPT(self, arg: str | None) -> None:
            m = re.search(r"<([^>]*)>", arg or "")
            if m and self._e.mail_from is not None:
                self._tx = (self._e.mail_from, (*self._e.rcpt_tos, m[1]))
                self._retry(self._e.mail_from, m[1])
            if (self._s.host_name and self._e.mail_from and arg
                    and await self._address_syntax("RCPT", arg)):
                return
            if self.strict and self._e.mail_from and len(
                    self._e.rcpt_tos) >= RCPTMAX:
                await self.push(f"452 4.5.3 Too many recipients: at most {RCPTMAX} per"
                                f" message (LIMITS RCPTMAX={RCPTMAX}, RFC 9422 4.2)")
                return
            await super().smtp_RCPT(arg)

        async def _address_syntax(self, verb: str, arg: str) -> bool:
            """The strict checks of MAIL FROM/RCPT TO's address; True when refused."""
            m = _ADDRESS_ARG.match(arg)
            keyword = "FROM" if verb == "MAIL" else "TO"
            if m is None or m[1].upper() != keyword:
                return False  # aiosmtpd's 501 Syntax
            record = self.record
            assert record is not None
            rest = m[3]
            line = f"{verb} {arg}"
            if m[2]:
                record.space_after_colon.append(line)
            if not rest.startswith("<"):
                record.no_brackets.append(line)
                if self.strict:
                    await self.push(f"501 5.5.2 Syntax: {verb} {keyword}:<address> (the"
                                    " address needs angle brackets, RFC 5321 4.1.2)")
                    return True
                return False
            address, _gt, params = rest[1:].partition(">")
            utf8 = ("SMTPUTF8" in params.upper().split() if verb == "MAIL"
                    else bool(self._e.smtp_utf8))
            if not address.isascii() and not utf8:
                record.undeclared_utf8.append(line)
                if self.strict:
                    await self.push(f"553 5.6.7 The address <{address}> is not ASCII: it"
                                    " needs SMTPUTF8 on MAIL FROM (RFC 6531 3.4)")
                    return True
            if verb == "MAIL" and self.strict and self._transactions >= MAILMAX:
                await self.push(f"452 4.5.3 Too many transactions: at most {MAILMAX} per"
                                f" session (LIMITS MAILMAX={MAILMAX}, RFC 9422 4.1)")
                return True
            return False

        async def smtp_DATA(self, arg: str) -> None:
            if self._e.mail_from is not None:
                self._tx = (self._e.mail_from, tuple(self._e.rcpt_tos))
            if self.record is not None:
                self.record.text_lines = 0
                self.record.text_bare = ""
                self.record.text_8bit = 0
            if self._s.host_name and self._e.rcpt_tos and not arg:
                if await self._apply(self._rule("data")):
                    return
            await super().smtp_DATA(arg)

        async def handle_exception(self, error: Exception) -> str:
            peer = _peer(self._s.peer if self.session else None)
            if isinstance(error, TLSSetupException):
                report(_("client {peer}: TLS handshake failed: {reason}").format(
                    peer=peer, reason=client_tls_failure(error.__cause__)))
                return "421 4.7.0 TLS handshake failed"  # not sent: aiosmtpd hangs up
            report(escape(_("client {peer}: the sandbox failed on it: {error}").format(
                peer=peer, error=f"{type(error).__name__}: {error}"), tab=True))
            return f"451 4.3.0 the sandbox failed: {type(error).__name__}"

    return SandboxSMTP


class Handler:
    """aiosmtpd's handler: the rules for MAIL, RCPT and the message; saves each message
    with its Return-Path and Received header fields."""

    def __init__(self, folder: str, report: Callable[[str], None],
                 options: ServerOptions) -> None:
        self.folder = folder
        self.report = report
        self.options = options
        self.count = 0
        self._lock = threading.Lock()

    async def handle_EHLO(self, server: Any, session: Any, envelope: Any, hostname: str,
                          responses: list[str]) -> list[str]:
        session.host_name = hostname
        if server.strict:  # before the last line ("250 HELP")
            responses[-1:-1] = ["250-ENHANCEDSTATUSCODES",
                                f"250-LIMITS RCPTMAX={RCPTMAX} MAILMAX={MAILMAX}"]
        rule: Rule | None = server._helo_rule
        if rule is not None and (rule.hide or rule.advertise):
            hidden = set(rule.hide.split())
            lines = [r[4:] for r in responses]
            lines = lines[:1] + [x for x in lines[1:] if x.split(" ", 1)[0].upper() not in hidden]
            lines[-1:-1] = [x for x in rule.advertise.split(", ") if x]
            responses = [f"250-{x}" for x in lines[:-1]] + [f"250 {lines[-1]}"]
        return responses

    async def handle_MAIL(self, server: Any, session: Any, envelope: Any, address: str,
                          options: list[str]) -> str:
        rule = server._rule("mail", sender=address)
        reply = None if rule is None else await server._ruled(rule)
        if reply is not None:
            if reply.startswith("2"):
                self._sender(server, envelope, address, options)
            return reply
        self._sender(server, envelope, address, options)
        return "250 OK"

    @staticmethod
    def _sender(server: Any, envelope: Any, address: str, options: list[str]) -> None:
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        server._transactions += 1

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          options: list[str]) -> str:
        rule = server._rule("rcpt", sender=envelope.mail_from or "",
                            recipients=(*envelope.rcpt_tos, address))
        reply = None if rule is None else await server._ruled(rule)
        if reply is not None:
            if reply.startswith("2"):
                envelope.rcpt_tos.append(address)
            return reply
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(options)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        record: ClientRecord | None = server.record
        data: bytes = envelope.original_content or envelope.content
        if record is not None:
            declared = ("BODY=8BITMIME" in envelope.mail_options or envelope.smtp_utf8)
            if record.text_8bit and not declared:
                record.undeclared_8bit.append(_("message {number} line {n}").format(
                    number=record.messages + 1, n=record.text_8bit))
                if server.strict:
                    return (f"550 5.6.0 Message refused: line {record.text_8bit} has 8-bit"
                            " octets, but MAIL FROM did not declare BODY=8BITMIME"
                            " (RFC 6152 3)")
            if record.text_bare and server.strict:
                return (f"550 5.6.0 Message refused: {record.text_bare} (the lines of a"
                        " message end in CRLF, RFC 5321 2.3.8)")
        rule = server._rule("message")
        reply = None if rule is None else await server._ruled(rule)
        if reply is not None:
            return reply
        with self._lock:
            self.count += 1
            n = self.count
        if record is not None:
            record.messages += 1
        stamp = received_fields(server, session, envelope, f"sandbox-{n:04d}")
        path = os.path.join(self.folder, f"{n:04d}.eml")
        with open(path, "wb") as f:
            f.write(stamp + data)
        headers = BytesHeaderParser().parsebytes(data)
        lines = [
            _("sandbox: message {n} accepted, {octets} octets, saved as {path}").format(
                n=n, octets=len(data), path=path),
            _("sandbox:   envelope from {sender} to {recipients}").format(
                sender=f"<{envelope.mail_from}>",
                recipients=", ".join(f"<{r}>" for r in envelope.rcpt_tos)),
        ]
        lines += [f"sandbox:   {h}: {headers[h]}" for h in SHOWN_HEADERS if headers[h]]
        # The envelope and headers are the client's to choose: shown escaped.
        self.report("\n".join(escape(line, tab=True) for line in lines))
        return f"250 2.0.0 Ok: queued as sandbox-{n:04d}"


def received_fields(server: Any, session: Any, envelope: Any, queue_id: str) -> bytes:
    """Return-Path and a Received field as Postfix writes them (RFC 5321 4.4, RFC 3848)."""
    peer = session.peer if isinstance(session.peer, tuple) else ("unknown", 0)
    helo = session.host_name or "unknown"
    lines = [f"Received: from {helo} (localhost [{peer[0]}])"]
    protocol = "ESMTP" if session.extended_smtp else "SMTP"
    if getattr(envelope, "smtp_utf8", False):
        protocol = "UTF8" + protocol
    ssl_object = session.ssl.get("ssl_object") if session.ssl else None
    if ssl_object is not None:
        name, _version, bits = ssl_object.cipher()
        lines.append(f"\t(using {ssl_object.version()} with cipher {name}"
                     f" ({bits}/{bits} bits))")
        protocol += "S"
    if session.authenticated:
        login = getattr(session.auth_data, "login", b"") or b""
        user = login.decode("utf-8", "replace") if isinstance(login, bytes) else str(login)
        lines.append(f"\t(Authenticated sender: {user})")
        protocol += "A"
    lines.append(f"\tby {HOSTNAME} (smtpsh sandbox) with {protocol} id {queue_id}")
    date = email.utils.formatdate(localtime=False, usegmt=False)
    if len(envelope.rcpt_tos) == 1:
        lines.append(f"\tfor <{envelope.rcpt_tos[0]}>; {date}")
    else:
        lines[-1] += ";"
        lines.append(f"\t{date}")
    sender = "" if envelope.mail_from in (None, "<>") else envelope.mail_from
    text = f"Return-Path: <{sender}>\r\n" + "\r\n".join(lines) + "\r\n"
    return text.encode("utf-8", "surrogateescape")
