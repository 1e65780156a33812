"""The one place that runs a dialog: protocol core + transport, events out to the UI.

The UI (script mode or the REPL) calls `connect`, `command`, `data_line`/`data_chunk`/
`data_end`, and renders the events the session emits: what was sent, each reply, notes and
warnings. Every event also goes to the transcript, through the one redaction rule.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from smtpsh.exitcodes import Exit, Failure
from smtpsh.protocol import (
    CLOSED,
    DATA,
    MAX_DATA_LINE,
    NEED_DATA,
    Closed,
    DataEncoder,
    Dialog,
    Event,
    Garbage,
    LocalProtocolError,
    NeedData,
    Reply,
    ReplyParser,
    encode_command,
    show_bytes,
    split_command,
)
from smtpsh.tls import TlsOptions, make_context
from smtpsh.transcript import REDACTED, Redactor, Transcript
from smtpsh.transport import Transport, no_greeting_error

if TYPE_CHECKING:
    from smtpsh.auth import Mechanism


@dataclass(frozen=True)
class Sent:
    text: str
    data: bool = False  # a line of the message body
    secret: bool = False  # the whole line is a secret (e.g. an AUTH response)


@dataclass(frozen=True)
class Note:
    text: str


@dataclass(frozen=True)
class Warn:
    text: str


@dataclass(frozen=True)
class Received:
    reply: Reply
    verb: str | None  # the command it answers, when known


Output = Sent | Note | Warn | Received | Garbage


class Interaction:
    """How the session asks the user something mid-dialog; the UI supplies its own.

    This default answers nothing, so a dialog that needs input fails clearly.
    """

    async def ask(self, prompt: str, secret: bool) -> str | None:
        """A line from the user (without echo when `secret`); None means cancel."""
        return None

    async def confirm(self, question: str) -> bool:
        return False

    async def chunk(self, size: int) -> bytes | None:
        """The `size` octets that follow a BDAT command; None if there are none to give."""
        return None


@dataclass(frozen=True)
class ConnectOptions:
    timeout: float = 30.0
    family: int = 0
    source: str | None = None
    implicit_tls: bool = False
    tls: TlsOptions = TlsOptions()
    show_cert: bool = False  # print the certificate card after each handshake


class Session:
    def __init__(
        self,
        emit: Callable[[Output], None],
        options: ConnectOptions | None = None,
        transcript: Transcript | None = None,
        redactor: Redactor | None = None,
    ) -> None:
        self.output = emit  # where events are shown; the UI may swap it
        self.options = options or ConnectOptions()
        self.transcript = transcript
        self.redactor = redactor or Redactor()
        self.transport: Transport | None = None
        self.parser = ReplyParser()
        self.dialog = Dialog()
        self.host = ""
        self.port = 0
        self._encoder: DataEncoder | None = None
        self._warned_8bit = False
        self.interaction = Interaction()
        # Credentials known before AUTH (--user, SMTPSH_PASSWORD, ...): asked for otherwise.
        # `prefill` says whether AUTH may use them (script mode: only for --auth).
        self.credentials: dict[str, str] = {}
        self.prefill = True

    # --- output ------------------------------------------------------------------------

    def emit(self, event: Output, ui: bool = True, record: bool = True) -> None:
        """Show an event (ui) and write it to the transcript (record), secrets hidden."""
        event = self._redacted(event)
        tls = bool(self.transport and self.transport.tls)
        if self.transcript is not None and record:
            match event:
                case Sent(text, _, _):
                    self.transcript.write("C:", text, tls)
                case Received(reply, _):
                    self.transcript.write("S:", "\n".join(reply.wire_lines()), tls)
                    for w in reply.warnings:
                        self.transcript.write("!!", f"server: {w}", tls)
                case Garbage(line, reason):
                    self.transcript.write("S:", line, tls)
                    self.transcript.write("!!", f"server: {reason}", tls)
                case Note(text):
                    self.transcript.write("--", text, tls)
                case Warn(text):
                    self.transcript.write("!!", text, tls)
        if ui:
            self.output(event)

    def _redacted(self, event: Output) -> Output:
        """The one place where secrets are hidden, from the screen and every file alike."""
        shown = self.redactor.redact
        match event:
            case Sent(text, data, secret):
                hidden = secret and not self.redactor.show_secrets
                return Sent(REDACTED if hidden else shown(_escaped(text)), data, secret)
            case Received(reply, verb):
                lines = tuple(shown(x) for x in reply.lines)
                return event if lines == reply.lines else Received(replace(reply, lines=lines),
                                                                    verb)
            case Garbage(line, reason):
                return Garbage(shown(line), reason)
            case Note(text):
                return Note(shown(text))
            case Warn(text):
                return Warn(shown(text))
        return event

    def note(self, text: str) -> None:
        self.emit(Note(text))

    def warn(self, text: str) -> None:
        self.emit(Warn(text))

    # --- connection --------------------------------------------------------------------

    @property
    def connected(self) -> bool:
        return self.transport is not None and self.dialog.state != CLOSED

    @property
    def in_data(self) -> bool:
        return self.dialog.state == DATA

    def tls_context(self) -> ssl.SSLContext:
        return make_context(self.options.tls)

    def server_hostname(self) -> str:
        return self.options.tls.servername or self.host

    async def connect(self, host: str, port: int, address: str | None = None) -> Reply:
        """Open the connection (to `address` if given, else `host`) and read the greeting."""
        self.host, self.port = host, port
        self.parser = ReplyParser()
        self.dialog = Dialog()
        opts = self.options
        ctx = self.tls_context() if opts.implicit_tls else None
        self.transport = await Transport.open(
            address or host,
            port,
            timeout=opts.timeout,
            family=opts.family,
            source=opts.source,
            ssl_context=ctx,
            server_hostname=self.server_hostname() if ctx else None,
        )
        ip, rport = self.transport.peer
        self.note(f"Connected to {host} ({ip}) port {rport}")
        if self.transport.tls:
            self._tls_note()
            self.dialog.tls = True
        try:
            return await self.reply()
        except Failure as exc:
            if exc.exit != Exit.TIMEOUT or self.transport.tls:
                raise
            # A silent port may be waiting for a TLS ClientHello (465 without --tls).
            hint = await no_greeting_error(address or host, port, opts.timeout)
            raise (hint or exc) from None

    async def close(self) -> None:
        if self.transport is not None:
            await self.transport.close()
        self.dialog.closed()

    # --- replies -----------------------------------------------------------------------

    async def _next_event(self) -> Event:
        assert self.transport is not None
        while True:
            ev = self.parser.next_event()
            if ev is not NEED_DATA:
                return ev  # type: ignore[return-value]
            data = await self.transport.read()
            if data:
                self.parser.receive_data(data)
            else:
                self.parser.receive_eof()

    def _handle(self, ev: Event) -> Reply | None:
        """Emit an event and follow the dialog; a Closed event raises Failure(LOST)."""
        match ev:
            case Reply():
                verb = self.dialog.received(ev)
                self.emit(Received(ev, verb))
                return ev
            case Garbage():
                self.emit(ev)
                return None
            case Closed(partial):
                was_quit = self.dialog.state == CLOSED
                self.dialog.closed()
                if partial:
                    self.warn("the server closed the connection in the middle of a reply: "
                              + " / ".join(partial))
                self.note("Connection closed by the server")
                if was_quit and not partial:
                    raise _Ended()
                raise Failure("connection closed by the server", Exit.LOST)
        return None

    async def reply(self) -> Reply:
        """Wait for the next reply, emitting it (and any garbage before it)."""
        if self.transport is None:
            raise Failure("not connected", Exit.LOST)
        try:
            async with asyncio.timeout(self.options.timeout):
                while True:
                    reply = self._handle(await self._next_event())
                    if reply is not None:
                        return reply
        except TimeoutError:
            raise Failure(f"timed out: no reply within {self.options.timeout:g} s"
                          " (see --timeout)", Exit.TIMEOUT) from None
        except _Ended:
            raise Failure("connection closed by the server", Exit.LOST) from None

    async def watch(self) -> None:
        """Emit whatever the server sends unasked, until cancelled or the connection ends.

        The REPL runs this while the user types, so a late 421 shows at once.
        """
        try:
            while self.transport is not None and self.dialog.state != CLOSED:
                self._handle(await self._next_event())
        except _Ended:
            pass
        finally:
            if self.dialog.state == CLOSED and self.transport is not None:
                await self.transport.close()

    # --- commands ----------------------------------------------------------------------

    def _require_connection(self) -> Transport:
        if self.transport is None or self.dialog.state == CLOSED:
            raise Failure("not connected", Exit.LOST)
        return self.transport

    @staticmethod
    def _wire(line: str) -> bytes:
        """The line as it goes on the wire; a CR or LF in it is the user's mistake."""
        try:
            return encode_command(line)
        except LocalProtocolError as exc:
            raise Failure(str(exc), Exit.USAGE) from None

    async def command(self, line: str) -> Reply:
        """Send one command line as typed and wait for its reply; STARTTLS upgrades on 2xx."""
        transport = self._require_connection()
        wire = self._wire(line)
        self._unasked()
        for w in self.dialog.warnings_for(line):
            self.warn(w)
        verb = split_command(line)[0]
        if verb == "AUTH":
            return await self._auth(line)
        if verb == "BDAT":
            return await self._bdat(line, wire)
        # Made before STARTTLS is sent: a bad --cafile fails here, and the handshake that
        # follows the 220 does not wait for the first context of the process.
        ctx = self.tls_context() if verb == "STARTTLS" else None
        self.dialog.sent(line)
        self.emit(Sent(line))
        await self._write(wire)
        reply = await self.reply()
        if ctx is not None and reply.klass == 2:
            await self._upgrade(ctx)
        elif self.dialog.state == DATA:
            self._encoder = DataEncoder()
            self._warned_8bit = False
        elif self.dialog.state == CLOSED:
            await transport.close()
        return reply

    def _unasked(self) -> None:
        """Show replies that arrived with no command waiting, before the next command.

        Replies are matched to commands in order; a stray one left unread would shift every
        later match by one (and could pass for the go-ahead of a STARTTLS).
        """
        assert self.transport is not None
        self.parser.receive_data(self.transport.buffered())
        while not isinstance(ev := self.parser.next_event(), NeedData):
            if isinstance(ev, Reply):
                self.warn("the server sent a reply no command was waiting for:")
            self._handle(ev)

    async def _write(self, data: bytes) -> None:
        """Send, within --timeout; if the server went away, first show its last words."""
        assert self.transport is not None
        try:
            async with asyncio.timeout(self.options.timeout):
                await self.transport.write(data)
        except TimeoutError:
            raise Failure(f"timed out: the server took no data for {self.options.timeout:g} s"
                          " (see --timeout)", Exit.TIMEOUT) from None
        except Failure:
            await self._last_words()
            raise

    async def _last_words(self) -> None:
        """What the server said before it closed (a 421, a 552 in the middle of DATA)."""
        assert self.transport is not None
        self.parser.receive_data(self.transport.buffered())
        with contextlib.suppress(TimeoutError, Failure):
            async with asyncio.timeout(0.5):
                while data := await self.transport.read():
                    self.parser.receive_data(data)
        while isinstance(ev := self.parser.next_event(), Reply | Garbage):
            with contextlib.suppress(Failure, _Ended):
                self._handle(ev)

    async def raw(self, data: bytes) -> Reply | None:
        """Bytes exactly as given, because the user asked for them (`:raw`): no CRLF added,
        no dot-stuffing, no line-ending repair. Then the first reply, if one comes.

        For probing what a server does with bare LF, a lone dot without CR and the like
        (SMTP smuggling). The dialog state does not follow raw bytes.
        """
        self._require_connection()
        self._unasked()
        self.emit(Sent(show_bytes(data)))
        self.note(f"raw: {len(data)} octets sent exactly as given")
        await self._write(data)
        try:
            return await self.reply()
        except Failure as exc:
            if exc.exit != Exit.TIMEOUT:
                raise
            self.note("no reply to the raw bytes (a server may be waiting for more)")
            return None

    async def _bdat(self, line: str, wire: bytes) -> Reply:
        """RFC 3030: BDAT n [LAST] is followed at once by exactly n octets, sent as they are."""
        assert self.transport is not None
        args = split_command(line)[1].split()
        if not args or not args[0].isdigit():
            self.warn("BDAT wants a size: BDAT <octets> [LAST]; sent as typed")
            chunk = b""
        else:
            got = await self.interaction.chunk(int(args[0]))
            if got is None:
                raise Failure("BDAT: no chunk to send (nothing was sent)", Exit.USAGE)
            chunk = got
            if len(chunk) != int(args[0]):
                self.warn(f"BDAT {args[0]} but the chunk has {len(chunk)} octets; sent as given"
                          " (the server will count what it gets)")
        last = len(args) > 1 and args[1].upper() == "LAST"
        self.dialog.pending.append("BDAT LAST" if last else "BDAT")
        self.emit(Sent(line))
        self.note(f"({len(chunk)} octets of message data follow the command, as they are)")
        await self._write(wire + chunk)
        return await self.reply()

    # --- AUTH --------------------------------------------------------------------------

    def add_secret(self, *values: str | bytes) -> None:
        """Everything shown or written from now on hides these, in every form."""
        from smtpsh import auth

        self.redactor.add(auth.secret_forms([v for v in values if v]))

    async def _send_auth_line(self, text: str, secret: bool, shown: str | None = None) -> Reply:
        assert self.transport is not None
        self.dialog.pending.append("AUTH")
        self.emit(Sent(text, secret=secret))
        if shown is not None:
            self.note(f"({shown})")
        await self._write(self._wire(text))
        return await self.reply()

    async def _auth(self, line: str) -> Reply:
        """RFC 4954: run the SASL exchange; the shell does the base64 unless the user does."""
        from smtpsh import auth

        assert self.transport is not None
        words = split_command(line)[1].split()
        mech_name = words[0].upper() if words else ""
        # Typing the initial response yourself, or a mechanism smtpsh does not know, means
        # doing the base64 by hand: smtpsh sends what is typed and decodes what comes back.
        manual = len(words) > 1 or mech_name not in auth.MECHANISMS
        if not self.dialog.tls:
            if is_loopback(self.transport.peer[0]):
                self.warn("AUTH without TLS: fine on loopback, but on a network anyone on the"
                          " path could read the password (use STARTTLS first)")
            elif not await self.interaction.confirm(
                    "AUTH without TLS sends the password readable by anyone on the path."
                    " Send it anyway?"):
                raise Failure("AUTH not sent over a connection without TLS: use STARTTLS"
                              " (or --starttls / --tls) first", Exit.ERROR)
        if len(words) > 1:
            self.add_secret(words[1])
        # SASL mechanism names are upper case (RFC 4422 3.1); some servers match them exactly.
        wire = " ".join(["AUTH", mech_name, *words[1:]]) if words else line
        reply = await self._send_auth_line(wire, secret=False)
        mech = None if manual else auth.create(mech_name, host=self.server_hostname(),
                                               port=self.port, initial=False)
        if mech is not None and self.prefill and "authzid" in self.credentials:
            mech.authzid = self.credentials["authzid"]  # type: ignore[attr-defined]
        given: dict[str, str] = {}  # what this exchange was told, asked or known
        step = 0
        while reply.code == 334:
            challenge = auth.unb64(reply.text.strip())
            if reply.text.strip():
                self.note(f"challenge: {auth.decode_challenge_for_display(reply.text.strip())}")
            if mech is None:
                answer = await self.interaction.ask("base64 answer (* to cancel): ", True)
                if answer is None:
                    answer = auth.CANCEL
                self.add_secret(answer)
                reply = await self._send_auth_line(answer, secret=answer != auth.CANCEL)
                continue
            if not await self._fill(mech, auth.needs_at(mech_name, step), given):
                reply = await self._send_auth_line(auth.CANCEL, secret=False)
                break
            try:
                resp = mech.respond(challenge if challenge is not None else b"")
            except auth.UnexpectedChallenge:
                self.warn(f"{mech_name} has no answer to this challenge: cancelling")
                reply = await self._send_auth_line(auth.CANCEL, secret=False)
                break
            step += 1
            if resp.secret:
                self.add_secret(resp.data)
            shown = None if resp.secret else resp.data.decode("utf-8", "backslashreplace")
            reply = await self._send_auth_line(auth.b64(resp.data), resp.secret, shown)
        if reply.klass == 2:
            user = given.get("user") or (self.prefill and self.credentials.get("user"))
            self.dialog.user = user or "?"  # "?": the name was inside base64 typed by hand
            self.note(f"authenticated as {user}" if user else "authenticated")
        return reply

    async def _fill(self, mech: Mechanism, needs: tuple[str, ...], given: dict[str, str]) -> bool:
        """Give the mechanism the inputs its next answer needs, asking for unknown ones.

        False when the user cancels (no answer, or "*"). Secrets are registered for
        redaction the moment they are known.
        """
        from smtpsh import auth

        known = self.credentials if self.prefill else {}
        for need in needs:
            value = known.get(need)
            if value is None:
                user = given.get("user") or self.credentials.get("user")
                label = {"user": "Username", "token": "OAuth token",
                         "password": f"Password for {user}" if user else "Password"}[need]
                value = await self.interaction.ask(f"{label}: ", need in auth.SECRET_INPUTS)
                if value is None or value == auth.CANCEL:
                    self.note("AUTH cancelled")
                    return False
            if need in auth.SECRET_INPUTS:
                self.add_secret(value)
            setattr(mech, need, value)
            given[need] = value
        return True

    async def _upgrade(self, ctx: ssl.SSLContext) -> None:
        assert self.transport is not None
        # RFC 3207 4.2 and the "NO STARTTLS" attacks: nothing that arrived in plaintext
        # after the 220 may be read as a reply once TLS is up. Discard and report it.
        injected = self.parser.take_trailing_data() + self.transport.buffered()
        if injected:
            shown = injected[:200].decode("utf-8", "backslashreplace")
            self.warn(f"the server sent {len(injected)} bytes after its reply to STARTTLS and"
                      f" before the TLS handshake; discarded, not read as replies: {shown!r}")
            self.warn("this server (or something between you and it) is vulnerable to"
                      " STARTTLS command injection (CVE-2011-0411 class)")
        try:
            await self.transport.start_tls(ctx, self.server_hostname(), self.options.timeout)
        except Failure:
            self.dialog.closed()
            await self.transport.close()
            raise
        self.parser = ReplyParser()
        self.dialog.tls_started()
        self._tls_note()
        self.note("capabilities reset by STARTTLS: send EHLO again (RFC 3207 4.2)")

    def _tls_note(self) -> None:
        assert self.transport is not None and self.transport.tls is not None
        info = self.transport.tls
        verdict = (f"certificate verified for {info.server_hostname}" if info.verified
                   else "certificate NOT verified (--insecure)")
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
            self.warn(f"line of {len(raw)} octets, over the limit of {MAX_DATA_LINE}"
                      " (RFC 5322 2.1.1); servers may reject or break it")
        self.emit(Sent(line, data=True))
        await self.data_chunk(raw + b"\n")

    async def data_chunk(self, chunk: bytes) -> None:
        """Message text in any shape; line endings and dot-stuffing are done here."""
        if self.transport is None or self._encoder is None:
            raise Failure("not in DATA", Exit.USAGE)
        enc = self._encoder
        out = enc.feed(chunk)
        if enc.eight_bit and not self._warned_8bit:
            self._warned_8bit = True
            caps = self.dialog.capabilities
            if not caps.has("8BITMIME") and not caps.has("SMTPUTF8"):
                self.warn("8-bit text but the server did not advertise 8BITMIME")
        if self.transport.has_data():
            # A server speaks in the middle of DATA only to refuse (421, 552): stop, show it.
            await self._last_words()
            raise Failure("the server answered in the middle of the message (above):"
                          " stopped sending", Exit.LOST)
        if out:
            await self._write(out)

    async def data_end(self) -> Reply:
        """The lone dot: end the message and wait for the server's verdict."""
        if self.transport is None or self._encoder is None:
            raise Failure("not in DATA", Exit.USAGE)
        enc, self._encoder = self._encoder, None
        tail = enc.end()
        limit = self.dialog.capabilities.size
        if limit and enc.octets > limit:
            self.warn(f"the message is {enc.octets} octets, over the server's SIZE limit"
                      f" of {limit}")
        if enc.max_line > MAX_DATA_LINE:
            self.warn(f"the longest line has {enc.max_line} octets, over {MAX_DATA_LINE}")
        self.dialog.sent_end_of_data()
        self.emit(Sent(".", data=True))
        await self._write(tail)
        return await self.reply()


def _escaped(text: str) -> str:
    """Raw bytes a script carried (surrogate-escaped, not UTF-8) shown as \\xNN."""
    if text.isascii():
        return text
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def is_loopback(address: str) -> bool:
    """127.0.0.0/8, ::1, and IPv4 loopback mapped into IPv6."""
    import ipaddress

    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)
    return ip.is_loopback or bool(mapped and mapped.is_loopback)


class _Ended(Exception):
    """The server closed after QUIT, as it should."""
