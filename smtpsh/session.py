"""Moves bytes between the protocol core (client.py) and the transport; emits events.

The SMTP rules live in `Client`; this class only writes what the core says to write, feeds
it what the server sends, and waits, with one deadline per wait (`--timeout`), for the
replies the core says are due. Each event goes to the UI's sink and to the transcript,
through the one redaction rule. The UI (script mode or the shell) gives its sink and its way
of asking questions (an `Interaction`) when it makes the session.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from smtpsh import auth
from smtpsh.client import Answer, Client, Injected, Kind, Stray
from smtpsh.escape import escape
from smtpsh.events import (
    CONNECTED,
    SERVER_CLOSED,
    Events,
    Interaction,
    Note,
    Output,
    Received,
    Sent,
    Warn,
)
from smtpsh.exitcodes import Exit, Failure
from smtpsh.i18n import _, decimal
from smtpsh.protocol import (
    CLOSED,
    MAX_DATA_LINE,
    Closed,
    Dialog,
    Event,
    Garbage,
    LocalProtocolError,
    NeedData,
    Reply,
    encode_command,
    show_bytes,
    split_command,
)
from smtpsh.tls import TlsOptions, make_context
from smtpsh.transcript import Redactor, Transcript
from smtpsh.transport import Transport, no_greeting_error

if TYPE_CHECKING:
    from smtpsh.proxy import ProxySpec


@dataclass(frozen=True)
class ConnectOptions:
    timeout: float = 30.0
    family: int = 0
    source: str | None = None
    implicit_tls: bool = False
    tls: TlsOptions = TlsOptions()
    show_cert: bool = False  # print the certificate card after each handshake
    lmtp: bool = False  # RFC 2033: LHLO, and one reply per recipient after the dot
    proxy: ProxySpec | None = None  # --proxy: SOCKS or HTTP CONNECT
    # --proxy-protocol: (v1|v2, the claimed client ADDR, PORT or None for our own)
    proxy_protocol: tuple[str, tuple[str, int] | None] | None = None


class Session:
    def __init__(
        self,
        emit: Callable[[Output], None],
        options: ConnectOptions | None = None,
        transcript: Transcript | None = None,
        redactor: Redactor | None = None,
        interaction: Interaction | None = None,
        credentials: dict[str, str] | None = None,
    ) -> None:
        self.options = options or ConnectOptions()
        self.events = Events(emit, transcript, redactor or Redactor(),
                             lambda: bool(self.transport and self.transport.tls))
        self.interaction = interaction or Interaction()
        # Credentials known before AUTH (--user, SMTPSH_PASSWORD, ...): asked for otherwise.
        # `prefill` says whether AUTH may use them (script mode: only for --auth).
        self.credentials: dict[str, str] = dict(credentials or {})
        self.prefill = True
        self.transport: Transport | None = None
        self.client = Client(lmtp=self.options.lmtp)
        self.host = ""
        self.port = 0
        self.last_exchange: auth.Exchange | None = None  # the AUTH exchange run last
        self.last_words: list[Reply] = []  # what a server said as it went away
        self.violation: str | None = None  # the last reply that broke the protocol
        self._sent_at: dict[int, float] = {}  # command number -> when it went out
        self._timed = False  # several replies are due at once (pipelined group, LMTP)
        # What the session waits for now, and since when (the shell's toolbar shows it).
        self.waiting: str | None = None
        self.wait_started = 0.0
        # (stage, seconds) of this connection: connect, greeting, TLS, each command (:timing).
        self.timings: list[tuple[str, float]] = []
        self._warned_data = False

    # --- output ------------------------------------------------------------------------

    def emit(self, event: Output, ui: bool = True, record: bool = True) -> None:
        self.events.emit(event, ui, record)

    def note(self, text: str, kind: str = "") -> None:
        self.events.emit(Note(text, kind))

    def warn(self, text: str) -> None:
        self.events.emit(Warn(text))

    def add_secret(self, *values: str | bytes) -> None:
        self.events.add_secret(*values)

    def add_b64_secret(self, text: str) -> None:
        self.events.add_b64_secret(text)

    @property
    def transcript(self) -> Transcript | None:
        return self.events.transcript

    # --- state -------------------------------------------------------------------------

    @property
    def dialog(self) -> Dialog:
        """Where the conversation stands (state, capabilities, TLS, user): the UI reads it."""
        return self.client.dialog

    @property
    def connected(self) -> bool:
        return self.transport is not None and self.client.state != CLOSED

    @property
    def in_data(self) -> bool:
        return self.client.in_data

    def tls_context(self) -> ssl.SSLContext:
        return make_context(self.options.tls)

    def server_hostname(self) -> str:
        return self.options.tls.servername or self.host

    # --- connection --------------------------------------------------------------------

    async def connect(self, host: str, port: int, address: str | None = None,
                      early: bytes = b"") -> Reply:
        """Open the connection (to `address` if given, else `host`) and read the greeting.

        One --timeout for the connection, one for the greeting; when no greeting comes, the
        probe for a TLS port (465 without --tls) runs within the greeting's budget.
        `early`: bytes written before the greeting, on purpose (`--probe unauth-pipelining`
        plays an early talker); their replies are shown, and those that do not come within
        the greeting's budget are forgotten.
        """
        self.host, self.port = host, port
        opts = self.options
        self.client = Client(lmtp=opts.lmtp)
        self.timings = []
        ctx = self.tls_context() if opts.implicit_tls else None
        with self._waiting(_("connecting to {host} port {port}").format(host=host, port=port),
                           "connect"):
            self.transport = await Transport.open(
                address or host,
                port,
                timeout=opts.timeout,
                family=opts.family,
                source=opts.source,
                ssl_context=ctx,
                server_hostname=self.server_hostname() if ctx else None,
                early=early,  # at once: the server's greeting races with it
                proxy=opts.proxy,
                proxy_protocol=opts.proxy_protocol,
            )
        if early and ctx is not None:
            await self.transport.write(early)
        ip, rport = self.transport.peer
        unix = ip.startswith("unix:")
        shown = escape(host, tab=True)  # with --mx the name comes from DNS
        self.note(_("Connected to {socket}").format(socket=escape(ip, tab=True)) if unix
                  else _("Connected to {host} ({ip}) port {port}").format(host=shown, ip=ip,
                                                                          port=rport),
                  CONNECTED)
        self._proxy_notes()
        if self.transport.tls:
            self.client.dialog.tls = True
            self._tls_note()
        self._sent_at = {0: time.monotonic()}
        if early:
            return await self._early(early, opts.timeout)
        probe = not (self.transport.tls or unix or self.transport.proxy)  # no direct probe
        budget = opts.timeout * (0.8 if probe else 1.0)
        try:
            return (await self._replies(budget, _("the greeting"), "greeting"))[-1]
        except Failure as exc:
            self.abort()  # no greeting, no dialog: nothing is left half open
            if exc.exit != Exit.TIMEOUT or not probe:
                raise
            # A silent port may be waiting for a TLS ClientHello (465 without --tls).
            with self._waiting(_("a TLS probe of the silent port")):
                hint = await no_greeting_error(address or host, port, opts.timeout - budget)
            # Said with --timeout's value: the probe had the rest of the same budget.
            raise hint or Failure(_("timed out: no greeting within {seconds} s (see"
                                    " --timeout)").format(seconds=decimal(opts.timeout)),
                                  Exit.TIMEOUT) from None
        except BaseException:
            self.abort()  # interrupted (Ctrl-C): the same
            raise

    def _proxy_notes(self) -> None:
        """Say that the connection goes through a proxy, and show the PROXY header sent."""
        assert self.transport is not None
        if self.transport.proxy is not None:
            self.note(_("through the proxy {proxy}").format(proxy=self.transport.proxy.shown))
        header = self.transport.proxy_header
        if header:
            version = "v1" if header.startswith(b"PROXY ") else "v2"
            self.emit(Sent(show_bytes(header)))
            self.note(_("PROXY protocol {version} header sent ({octets} octets) before the"
                        " greeting: the server takes the client it names for the real one")
                      .format(version=version, octets=len(header)))

    def abort(self) -> None:
        """Drop the connection at once, without QUIT (a failed connect, an aborted message:
        the server must not take an unfinished message as ended)."""
        if self.transport is not None:
            self.transport.abort()
        self.client.closed()

    async def _early(self, early: bytes, budget: float) -> Reply:
        """Write `early` before the greeting came; the greeting, once the replies are in."""
        assert self.transport is not None
        self.emit(Sent(show_bytes(early)))
        self.note(_("raw: {octets} octets sent at once after connecting, before the greeting"
                    " came, on purpose").format(octets=len(early)))
        self.client.raw(early)
        self._mark()
        got: list[Reply] = []
        try:
            with self._waiting(_("the greeting")):
                async with asyncio.timeout(budget):
                    await self._collect(got)
        except TimeoutError:
            if not got:
                raise self._timed_out(False, budget) from None
        except _Ended:
            raise Failure(_("connection closed by the server"), Exit.LOST) from None
        finally:
            self.client.forget_raw()
        return got[0]

    @contextlib.contextmanager
    def _waiting(self, what: str, stage: str | None = None) -> Iterator[None]:
        """Say what the session waits for (the shell's toolbar); time it as `stage`."""
        self.waiting, self.wait_started = what, time.monotonic()
        try:
            yield
            if stage is not None:
                self.timings.append((stage, time.monotonic() - self.wait_started))
        finally:
            self.waiting = None

    async def close(self) -> None:
        if self.transport is not None:
            await self.transport.close()
        self.client.closed()

    # --- waiting for replies ------------------------------------------------------------

    async def _exchange(self, wire: bytes, got: list[Reply] | None = None,
                        timeout: float | None = None) -> list[Reply]:
        """Send `wire` and wait for every reply now due, within one --timeout (or
        `timeout`); the replies go to `got` as they come (the caller keeps them if the wait
        fails)."""
        assert self.transport is not None
        writing = True
        got = [] if got is None else got
        what = self.client.pending[0].label if self.client.pending else _("the server")
        try:
            with self._waiting(_("the reply to {command}").format(command=what)):
                async with asyncio.timeout(self.options.timeout if timeout is None
                                           else timeout):
                    await self.transport.write(wire)
                    writing = False
                    return await self._collect(got)
        except TimeoutError:
            raise self._timed_out(writing, timeout) from None
        except _Ended:
            raise Failure(_("connection closed by the server"), Exit.LOST) from None
        except Failure:
            if writing:
                await self._last_words()
            raise

    async def _replies(self, timeout: float | None = None, what: str | None = None,
                       stage: str | None = None) -> list[Reply]:
        """Wait (within one --timeout) for every reply now due."""
        timeout = self.options.timeout if timeout is None else timeout
        if what is None:
            what = self.client.pending[0].label if self.client.pending else _("the server")
        try:
            with self._waiting(what, stage):
                async with asyncio.timeout(timeout):
                    return await self._collect([])
        except TimeoutError:
            raise self._timed_out(False, timeout) from None
        except _Ended:
            raise Failure(_("connection closed by the server"), Exit.LOST) from None

    def _timed_out(self, writing: bool, timeout: float | None = None) -> Failure:
        """What the wait was for, in one line: the command whose reply did not come.

        The lines of a reply the server began and did not end are shown and recorded.
        """
        partial = self.client.partial_reply()
        if partial:
            self.warn(_("the server stopped in the middle of a reply; its {count} line(s) so"
                        " far:").format(count=len(partial)) + "\n" + "\n".join(partial))
        # Whole sentences: what is waited for, and the time, go differently in German.
        if writing:
            text = _("timed out: the server took no data within {seconds} s (see --timeout)")
        elif self.client.pending and self.client.pending[0].kind.value != "greeting":
            text = _("timed out: no reply to {command} within {seconds} s (see --timeout)")
        elif self.client.pending:
            text = _("timed out: no greeting within {seconds} s (see --timeout)")
        else:
            text = _("timed out: no reply within {seconds} s (see --timeout)")
        timeout = self.options.timeout if timeout is None else timeout
        command = self.client.pending[0].label if self.client.pending else ""
        return Failure(text.format(command=command, seconds=decimal(timeout)), Exit.TIMEOUT)

    async def _collect(self, replies: list[Reply]) -> list[Reply]:
        assert self.transport is not None
        client = self.client
        while client.awaiting:
            ev = client.next_event()
            if isinstance(ev, NeedData):
                data = await self.transport.read()
                if data:
                    client.receive_data(data)
                else:
                    client.receive_eof()
                continue
            reply = self._handle(ev)
            if reply is not None:
                replies.append(reply)
        return replies

    def _handle(self, ev: Event | Answer | Stray | Injected) -> Reply | None:
        """Emit an event; a Closed event raises Failure(LOST) (or _Ended after QUIT)."""
        match ev:
            case Answer(reply, command, notes, violation):
                sent = self._sent_at.pop(command.seq, None)
                elapsed = time.monotonic() - sent if sent is not None else None
                if elapsed is not None and command.kind is not Kind.GREETING:
                    self.timings.append((command.label, elapsed))  # (the greeting's: a stage)
                self.emit(Received(reply, command, elapsed, self._timed))
                for text in notes:
                    self.warn(text)
                if violation is not None:
                    self.warn(_("the server broke the protocol: {violation}").format(
                        violation=violation))
                    self.violation = violation
                return reply
            case Stray(reply):
                self.warn(_("the server sent a reply no command was waiting for:"))
                self.emit(Received(reply, None))
                return None
            case Injected(data):
                shown = data[:200].decode("utf-8", "backslashreplace")
                self.warn(_("the server sent {count} bytes after its reply to STARTTLS and"
                            " before the TLS handshake; discarded, not read as replies:"
                            " {data}").format(count=len(data), data=repr(shown)))
                self.warn(_("this server (or something between you and it) is vulnerable to"
                            " STARTTLS command injection (CVE-2011-0411 class)"))
                return None
            case Garbage():
                self.emit(ev)
                return None
            case Closed(partial):
                was_quit = self.client.state == CLOSED
                self.client.closed()
                if partial:
                    self.warn(_("the server closed the connection in the middle of a reply:")
                              + " " + " / ".join(partial))
                self.note(_("Connection closed by the server"), SERVER_CLOSED)
                if was_quit and not partial:
                    raise _Ended()
                raise Failure(_("connection closed by the server"), Exit.LOST)
        return None

    async def watch(self) -> None:
        """Emit whatever the server sends meanwhile, until cancelled or the connection ends.

        The REPL runs this while the user types, so a late reply or a 421 shows at once,
        matched to its command.
        """
        try:
            while self.transport is not None and self.client.state != CLOSED:
                ev = self.client.next_event()
                if isinstance(ev, NeedData):
                    data = await self.transport.read()
                    if data:
                        self.client.receive_data(data)
                    else:
                        self.client.receive_eof()
                    continue
                self._handle(ev)
        except _Ended:
            pass
        finally:
            if self.client.state == CLOSED and self.transport is not None:
                await self.transport.close()

    def _unasked(self) -> None:
        """Show what arrived before the next command: late replies, stray ones."""
        assert self.transport is not None
        if self.transport.has_data():
            self.client.receive_data(self.transport.buffered())
        while not isinstance(ev := self.client.next_event(), NeedData):
            self._handle(ev)

    async def _last_words(self) -> None:
        """What the server said before it closed (a 421, a 552 in the middle of DATA)."""
        assert self.transport is not None
        self.client.receive_data(self.transport.buffered())
        with contextlib.suppress(TimeoutError, Failure):
            async with asyncio.timeout(0.5):
                while data := await self.transport.read():
                    self.client.receive_data(data)
        while isinstance(ev := self.client.next_event(), Answer | Stray | Garbage | Injected):
            if isinstance(ev, Answer | Stray):
                self.last_words.append(ev.reply)
            with contextlib.suppress(Failure, _Ended):
                self._handle(ev)

    # --- commands ----------------------------------------------------------------------

    def _require_connection(self) -> Transport:
        if self.transport is None or self.client.state == CLOSED:
            raise Failure(_("not connected"), Exit.LOST)
        return self.transport

    @staticmethod
    def _checked(line: str) -> None:
        """A CR or LF in a command line is the user's mistake: one line, nothing sent."""
        try:
            encode_command(line)
        except LocalProtocolError as exc:
            raise Failure(str(exc), Exit.USAGE) from None

    def _mark(self) -> None:
        now = time.monotonic()
        for cmd in self.client.pending:
            self._sent_at.setdefault(cmd.seq, now)

    async def command(self, line: str) -> Reply:
        """Send one command line as typed and wait for its reply; STARTTLS upgrades on 2xx."""
        transport = self._require_connection()
        self._checked(line)
        self._unasked()
        for w in self.client.warnings_for(line):
            self.warn(w)
        verb = split_command(line)[0]
        if verb == "AUTH":
            from smtpsh.sasl import authenticate

            return await authenticate(self, line)
        if verb == "BDAT":
            return await self._bdat(line)
        # Made before STARTTLS is sent: a bad --cafile fails here, and the handshake that
        # follows the 220 does not wait for the first context of the process.
        ctx = self.tls_context() if verb == "STARTTLS" else None
        self.emit(Sent(line))
        wire = self.client.send(line)
        self._sent_at[self.client.pending[-1].seq] = time.monotonic()
        replies = await self._exchange(wire)
        reply = replies[-1]
        if self.client.handoff:
            await self._upgrade(ctx or self.tls_context())
        elif self.client.state == CLOSED:
            await transport.close()
        return reply

    async def pipeline(self, lines: list[str]) -> list[Reply]:
        """Send a group of commands in one write (RFC 2920) and show each reply under its
        command, with the time it took. AUTH, STARTTLS and BDAT go through `command`."""
        if len(lines) == 1:
            return [await self.command(lines[0])]
        self._require_connection()
        for line in lines:
            self._checked(line)
        self._unasked()
        wire = bytearray()
        for line, warnings in zip(lines, self.client.group_warnings(lines), strict=True):
            for w in warnings:
                self.warn(w)
            self.emit(Sent(line))
            wire += self.client.send(line)
        self._mark()
        self._timed = True
        try:
            replies = await self._exchange(bytes(wire))
        finally:
            self._timed = False
        if self.client.state == CLOSED and self.transport is not None:
            await self.transport.close()
        return replies

    async def raw(self, data: bytes, timeout: float | None = None) -> list[Reply]:
        """Bytes exactly as given, because the user asked for them (`:raw`): no CRLF added,
        no dot-stuffing, no line-ending repair. Then the replies to the lines in them,
        waited for within --timeout (or `timeout`: a probe's bounded wait).

        For probing what a server does with bare LF, a lone dot without CR and the like
        (SMTP smuggling). Each complete line is taken as a command that will be answered;
        those left without a reply when the wait ends are forgotten, so that a later reply
        is shown as unexpected rather than matched to the wrong command.
        """
        self._require_connection()
        self._unasked()
        self._raw_secrets(data)
        self.emit(Sent(show_bytes(data)))
        self.client.raw(data)
        expected = sum(1 for c in self.client.pending if c.raw)
        self.note(_("raw: {octets} octets sent exactly as given").format(octets=len(data))
                  + (_("; {count} line(s) in them may be answered").format(count=expected)
                     if expected else _("; no complete line in them, so no reply is awaited")))
        self._mark()
        replies: list[Reply] = []
        wait = self.options.timeout if timeout is None else timeout
        try:
            await self._exchange(data, replies, wait)
        except Failure as exc:
            if exc.exit != Exit.TIMEOUT:
                raise
            left = self.client.forget_raw()
            self.note(_("no reply to {count} raw line(s) within {seconds} s (the server may be"
                        " waiting for more); a reply that comes later is shown as unexpected")
                      .format(count=len(left), seconds=decimal(wait)))
        finally:
            self.client.forget_raw()  # also when interrupted
        # A 2xx to a raw STARTTLS came (maybe before a wait that ended without the rest):
        # the handshake is due before anything else is read or sent.
        if self.client.handoff:
            await self._upgrade(self.tls_context())
        return replies

    async def listen(self, seconds: float, until: int | None = None) -> list[Reply]:
        """The replies that come within `seconds` though no command may wait for them (a
        server that took a bare CR as a line end answers once more than asked), each shown
        as it comes; stop early once `until` came. A close by the server ends the wait (it
        is shown; `connected` says so afterwards)."""
        transport = self._require_connection()
        got: list[Reply] = []
        try:
            with self._waiting(_("whatever the server says")):
                async with asyncio.timeout(seconds):
                    while until is None or len(got) < until:
                        ev = self.client.next_event()
                        if isinstance(ev, NeedData):
                            data = await transport.read()
                            if data:
                                self.client.receive_data(data)
                            else:
                                self.client.receive_eof()
                            continue
                        if isinstance(ev, Answer | Stray):
                            got.append(ev.reply)
                        self._handle(ev)
        except (TimeoutError, _Ended):
            pass
        except Failure as exc:
            if exc.exit != Exit.LOST:
                raise
        if self.client.state == CLOSED:
            await transport.close()
        return got

    def _raw_secrets(self, data: bytes) -> None:
        """An AUTH line in raw bytes carries credentials, and so do the lines after it."""
        after_auth = False
        for raw_line in data.split(b"\n"):
            words = raw_line.strip().decode("utf-8", "replace").split()
            if words and words[0].upper() == "AUTH":
                after_auth = True
                for word in words[2:3]:
                    self.add_b64_secret(word)
            elif after_auth and words:
                self.add_b64_secret(words[0])

    async def _bdat(self, line: str) -> Reply:
        """RFC 3030: BDAT n [LAST] is followed at once by exactly n octets, sent as they are."""
        args = split_command(line)[1].split()
        if not args or not args[0].isdigit():
            self.warn(_("BDAT wants a size: BDAT <octets> [LAST]; sent as typed"))
            chunk = b""
        else:
            got = await self.interaction.chunk(int(args[0]))
            if got is None:
                raise Failure(_("BDAT: no chunk to send (nothing was sent)"), Exit.USAGE)
            chunk = got
            if len(chunk) != int(args[0]):
                self.warn(_("BDAT {size} but the chunk has {octets} octets; sent as given (the"
                            " server will count what it gets)").format(size=args[0],
                                                                       octets=len(chunk)))
        self.emit(Sent(line))
        self.note(_("({octets} octets of message data follow the command, as they are)")
                  .format(octets=len(chunk)))
        wire = self.client.bdat(line, chunk)
        self._mark()
        return (await self._exchange(wire))[-1]

    # --- AUTH --------------------------------------------------------------------------

    async def auth_line(self, text: str, secret: bool, shown: str | None = None) -> Reply:
        """A line answering a 334 (base64, or "*"), and the reply to it."""
        self.emit(Sent(text, secret=secret))
        if shown is not None:
            self.note(f"({shown})")
        wire = self.client.auth_response(text, secret)
        return (await self._exchange(wire))[-1]

    async def start_auth(self, exchange: auth.Exchange) -> Reply:
        """The AUTH command of `exchange`, and the first reply."""
        self.last_exchange = exchange
        self.emit(Sent(exchange.shown_command()))
        return (await self._exchange(self.client.start_auth(exchange)))[-1]

    # --- TLS ---------------------------------------------------------------------------

    async def _upgrade(self, ctx: ssl.SSLContext) -> None:
        assert self.transport is not None
        # RFC 3207 4.2 and the "NO STARTTLS" attacks: nothing that arrived in plaintext
        # after the 220 may be read as a reply once TLS is up. The core reports it.
        self.client.receive_data(self.transport.buffered())
        while not isinstance(ev := self.client.next_event(), NeedData):
            self._handle(ev)
        try:
            with self._waiting(_("the TLS handshake"), "TLS handshake"):
                await self.transport.start_tls(ctx, self.server_hostname(),
                                               self.options.timeout)
        except Failure:
            self.client.closed()
            await self.transport.close()
            raise
        self.client.tls_started()
        self._tls_note()
        self.note(_("capabilities reset by STARTTLS: send EHLO again (RFC 3207 4.2)"))

    def _tls_note(self) -> None:
        assert self.transport is not None and self.transport.tls is not None
        info = self.transport.tls
        verdict = (_("certificate verified for {name}").format(
                       name=escape(info.server_hostname or "", tab=True)) if info.verified
                   else _("certificate NOT verified (--insecure)"))
        self.note(f"TLS {info.version} {info.cipher}; {verdict}")
        if self.options.show_cert:
            self.note("\n".join(self.certificate_card()))

    def certificate_card(self) -> list[str]:
        """The TLS facts and the server's certificate (the shell's :cert, --show-cert)."""
        from smtpsh.tls import certificate_card

        t = self.transport
        return certificate_card(t.ssl_object if t else None, t.tls if t else None)

    # --- message text ------------------------------------------------------------------

    async def data_line(self, line: str) -> None:
        """One line of the message as typed (without its line ending)."""
        raw = line.encode("utf-8")
        if len(raw) > MAX_DATA_LINE:
            self.warn(_("line of {octets} octets, over the limit of {limit} (RFC 5322 2.1.1);"
                        " servers may reject or break it").format(octets=len(raw),
                                                                  limit=MAX_DATA_LINE))
        self.emit(Sent(line, data=True))
        await self.data_chunk(raw + b"\n")

    async def data_chunk(self, chunk: bytes) -> None:
        """Message text in any shape; line endings and dot-stuffing are done by the core."""
        if self.transport is None or not self.client.in_data:
            raise Failure(_("not in DATA"), Exit.USAGE)
        out = self.client.data(chunk)
        if not self._warned_data:
            for w in self.client.data_warnings():
                self._warned_data = True
                self.warn(w)
        if not out:
            return
        # Let the loop read what the server said meanwhile: a server speaks in the middle
        # of DATA only to refuse (421, 452, 552), and once its reset has come, a write
        # would lose that reply with the connection. Two turns: in the first, the reader's
        # callback runs after this task's own step.
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        if self.transport.has_data():
            await self._last_words()
            raise Failure(_("the server answered in the middle of the message (above):"
                            " stopped sending"), Exit.LOST)
        if out:
            try:
                with self._waiting(_("the server to take the message text")):
                    async with asyncio.timeout(self.options.timeout):
                        await self.transport.write(out)
            except TimeoutError:
                raise Failure(_("timed out: the server took no data for {seconds} s (see"
                                " --timeout)").format(seconds=decimal(self.options.timeout)),
                              Exit.TIMEOUT) from None
            except Failure:
                await self._last_words()
                raise

    async def data_end(self) -> list[Reply]:
        """The lone dot: end the message and wait for the server's verdict (LMTP: one per
        accepted recipient)."""
        if self.transport is None or not self.client.in_data:
            raise Failure(_("not in DATA"), Exit.USAGE)
        for w in self.client.end_warnings():
            self.warn(w)
        self._warned_data = False
        self.emit(Sent(".", data=True))
        wire = self.client.end_data()
        self._mark()
        self._timed = self.options.lmtp
        try:
            return await self._exchange(wire)
        finally:
            self._timed = False


class _Ended(Exception):
    """The server closed after QUIT, as it should."""
