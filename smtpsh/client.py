"""The sans-IO SMTP client: commands in, bytes out; bytes in, events out (in the manner of h11).

`Client` is the one place that knows SMTP's rules. The caller hands it commands (a line, a
BDAT chunk, message text, the end of data, AUTH responses) and gets back the bytes to send;
it feeds the bytes it reads to `receive_data` and takes events from `next_event`:

- `Answer(reply, command)`: a reply and the command it answers. Replies come in the order
  the commands were sent (RFC 5321 4.2, RFC 2920 3.1); the greeting answers the connection;
  after the final dot an LMTP server gives one reply per accepted recipient (RFC 2033 4.2).
- `Stray(reply)`: a reply no command was waiting for (shown as such, never matched to the
  next command).
- `Injected(data)`: plaintext that came after the 2xx to STARTTLS and before the handshake
  (RFC 3207 4.2, CVE-2011-0411): never read as a reply.
- `Garbage` and `Closed` as the reply parser reports them.

It owns the dialog state, the capabilities, the AUTH exchange (driving `auth.Exchange`), the
STARTTLS rule and the DATA/BDAT framing. A command the user should not send raises nothing:
smtpsh is a debugging tool, so `warnings_for` says what the server will likely refuse and the
command goes out anyway. Only what cannot be put on the wire as asked (a CR in a command line,
message text outside DATA) raises `LocalProtocolError`. What the server does wrong is an
event, never an exception.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from enum import Enum

from smtpsh import auth
from smtpsh.i18n import _
from smtpsh.protocol import (
    CLOSED,
    CONNECTED,
    DATA,
    GREETED,
    MAIL,
    NEED_DATA,
    RCPT,
    TRANSITIONS,
    Capabilities,
    Closed,
    DataEncoder,
    Dialog,
    Garbage,
    LocalProtocolError,
    NeedData,
    Reply,
    ReplyParser,
    encode_command,
    esmtp_params,
    split_command,
)

REDACTED = "[redacted]"


class Kind(Enum):
    GREETING = "greeting"  # the connection itself: the greeting answers it
    LINE = "line"  # a command line
    DATA_END = "data-end"  # the lone dot after the message text
    BDAT = "bdat"  # BDAT n [LAST] and its chunk (RFC 3030)
    AUTH_RESPONSE = "auth-response"  # a line answering a 334 (RFC 4954 4)


@dataclass(frozen=True)
class Command:
    """What a reply answers: a command as sent, with the dialog state it was sent in."""

    kind: Kind
    verb: str  # upper case; "AUTH" for an AUTH response, "." for the end of data
    line: str  # as typed; REDACTED for a secret AUTH response
    state: str  # the dialog state when it was sent (explanations depend on it)
    recipient: str | None = None  # RCPT's address; after the dot of LMTP, whose reply it is
    last: bool = False  # BDAT ... LAST
    raw: bool = False  # sent with :raw: the server may not have read it as a command
    cancel: bool = False  # the "*" that cancels an AUTH exchange
    seq: int = 0  # the number of the command in this connection

    @property
    def label(self) -> str:
        """How the command is named on screen, after "answers" (in the language in use)."""
        if self.kind is Kind.GREETING:
            return _("the connection (greeting)")
        if self.kind is Kind.DATA_END:
            if self.recipient is not None:
                return _("the end of the message for <{address}>").format(
                    address=self.recipient)
            return _("the end of the message")
        if self.kind is Kind.AUTH_RESPONSE:
            return _("AUTH (cancel)") if self.cancel else _("AUTH (response)")
        return self.line

    @property
    def name(self) -> str:
        """The label in English, whatever the language: for machines (--json)."""
        if self.kind is Kind.GREETING:
            return "the connection (greeting)"
        if self.kind is Kind.DATA_END:
            who = f" for <{self.recipient}>" if self.recipient is not None else ""
            return f"the end of the message{who}"
        if self.kind is Kind.AUTH_RESPONSE:
            return "AUTH (cancel)" if self.cancel else "AUTH (response)"
        return self.line


GREETING = Command(Kind.GREETING, "", "", CONNECTED)


@dataclass(frozen=True)
class Answer:
    """A reply and the command it answers; `notes` are what the core concluded from it."""

    reply: Reply
    command: Command
    notes: tuple[str, ...] = ()
    violation: str | None = None  # the reply breaks the protocol (an unknown code, a 3xx not due)


@dataclass(frozen=True)
class Stray:
    """A reply that came when no command was waiting for one."""

    reply: Reply


@dataclass(frozen=True)
class Injected:
    """Bytes received after the 2xx to STARTTLS, before the TLS handshake: discarded."""

    data: bytes


Event = Answer | Stray | Injected | Garbage | Closed

# RFC 2920 3.1: commands that may appear anywhere in a group, and those that end one (the
# client must wait for their reply before going on; BDAT may be pipelined too, RFC 3030).
GROUP_ANYWHERE = frozenset({"MAIL", "RCPT", "RSET", "SEND", "SOML", "SAML"})
GROUP_LAST = frozenset({"EHLO", "LHLO", "HELO", "DATA", "VRFY", "EXPN", "TURN", "QUIT", "NOOP",
                        "BDAT", "ETRN", "HELP"})

_ADDRESS = re.compile(r"^(?:FROM|TO)\s*:\s*(?:<([^<>]*)>|(\S+))", re.IGNORECASE)
_DSN_PARAMS = {"RET", "ENVID", "NOTIFY", "ORCPT"}


def address_of(rest: str) -> str | None:
    """The address of a MAIL/RCPT argument, with or without its angle brackets."""
    m = _ADDRESS.match(rest.strip())
    if not m:
        return None
    return m.group(1) if m.group(1) is not None else m.group(2)


def limits(caps: Capabilities) -> dict[str, int]:
    """RFC 9422 LIMITS: {'RCPTMAX': 100, 'MAILMAX': 1000, ...}, numbers only."""
    out: dict[str, int] = {}
    for word in caps.params("LIMITS"):
        key, _sep, value = word.partition("=")
        if value.isdigit():
            out[key.upper()] = int(value)
    return out


@dataclass
class _Transaction:
    """What the open mail transaction declared and what the server accepted of it."""

    params: dict[str, str | None] = field(default_factory=dict)
    rcpts_sent: int = 0
    accepted: list[str] = field(default_factory=list)  # recipients answered 2xx


class Client:
    """One SMTP (or LMTP) client connection, without any I/O."""

    def __init__(self, *, lmtp: bool = False, tls: bool = False) -> None:
        self.lmtp = lmtp
        self.dialog = Dialog(tls=tls)
        self.pending: deque[Command] = deque([GREETING])
        self._parser = ReplyParser()
        self._events: deque[Event] = deque()
        self._seq = 0
        self._handoff = False  # a 2xx to STARTTLS came: the next bytes are TLS, not SMTP
        self._encoder: DataEncoder | None = None
        self.transaction = _Transaction()
        self.transactions = 0  # MAIL commands accepted on this connection (LIMITS MAILMAX)
        self.sasl: auth.Exchange | None = None  # the AUTH exchange under way
        self.sasl_step: auth.Step | None = None  # its last step, for the caller to act on

    # --- state, for the UI ------------------------------------------------------------

    @property
    def state(self) -> str:
        return self.dialog.state

    @property
    def capabilities(self) -> Capabilities:
        return self.dialog.capabilities

    @property
    def in_data(self) -> bool:
        """354 received: what is sent now is message text."""
        return self.dialog.state == DATA

    @property
    def in_sasl(self) -> bool:
        """The server's last word was a 334: the next line answers the AUTH exchange."""
        return self.sasl is not None and not self.pending and isinstance(
            self.sasl_step, auth.Challenge)

    @property
    def awaiting(self) -> bool:
        """Replies are still due."""
        return bool(self.pending)

    @property
    def handoff(self) -> bool:
        """STARTTLS was accepted: the TLS handshake is due before anything else."""
        return self._handoff

    @property
    def encoder(self) -> DataEncoder | None:
        """The message text's encoder while in DATA (octet and line counts)."""
        return self._encoder

    # --- sending ----------------------------------------------------------------------

    def _register(self, kind: Kind, verb: str, line: str, **kw: object) -> Command:
        self._seq += 1
        cmd = Command(kind, verb, line, self.dialog.state, seq=self._seq, **kw)  # type: ignore[arg-type]
        self.pending.append(cmd)
        return cmd

    def send(self, line: str) -> bytes:
        """A command line as typed; its reply will be matched to it.

        While an AUTH exchange waits for an answer (after a 334), the line is that answer.
        """
        wire = encode_command(line)  # raises LocalProtocolError for CR/LF
        if self.in_data:
            raise LocalProtocolError("inside DATA: this is message text, not a command")
        if self.in_sasl:
            return self.auth_response(line, secret=False)
        verb, rest = split_command(line)
        recipient = address_of(rest) if verb == "RCPT" else None
        last = verb == "BDAT" and rest.upper().split()[1:2] == ["LAST"]
        if verb == "AUTH":
            self.sasl = auth.Exchange.typed(line)
            self.sasl_step = None
        self._start(verb, rest)
        self._register(Kind.LINE, verb, line, recipient=recipient, last=last)
        return wire

    def _start(self, verb: str, rest: str) -> None:
        """What a command does to the transaction, from the client's side, when it is sent:
        replies to commands sent in the same group (RFC 2920) must not undo it."""
        if verb == "MAIL":
            self.transaction = _Transaction(esmtp_params(rest))
        elif verb in ("RSET", "EHLO", "HELO", "LHLO"):
            self.transaction = _Transaction()
        elif verb == "RCPT":
            self.transaction.rcpts_sent += 1

    def start_auth(self, exchange: auth.Exchange) -> bytes:
        """AUTH with a mechanism smtpsh runs: the exchange answers the challenges."""
        line = exchange.command()
        wire = encode_command(line)
        self.sasl, self.sasl_step = exchange, None
        self._register(Kind.LINE, "AUTH", exchange.shown_command())
        return wire

    def auth_response(self, text: str, secret: bool) -> bytes:
        """A line answering a 334: base64, or "*" to cancel (RFC 4954 4)."""
        wire = encode_command(text)
        cancel = text.strip() == auth.CANCEL
        if self.sasl is not None and cancel:
            self.sasl.cancelled = True
        self._register(Kind.AUTH_RESPONSE, "AUTH", REDACTED if secret else text, cancel=cancel)
        return wire

    def bdat(self, line: str, chunk: bytes) -> bytes:
        """`BDAT n [LAST]` followed at once by the chunk's octets, as they are (RFC 3030)."""
        wire = encode_command(line)
        if self.in_data:
            raise LocalProtocolError("inside DATA: end the message before BDAT")
        rest = split_command(line)[1].upper().split()
        self._register(Kind.BDAT, "BDAT", line, last=rest[1:2] == ["LAST"])
        return wire + chunk

    def data(self, chunk: bytes) -> bytes:
        """Message text in any shape: line ends made CRLF, leading dots doubled."""
        if self._encoder is None:
            raise LocalProtocolError("not in DATA: the server has not answered 354")
        return self._encoder.feed(chunk)

    def end_data(self) -> bytes:
        """The end of the message: CRLF if a line is open, then the lone dot.

        SMTP gives one reply; LMTP one per recipient accepted (RFC 2033 4.2), in order.
        """
        if self._encoder is None:
            raise LocalProtocolError("not in DATA: the server has not answered 354")
        tail = self._encoder.end()
        if self.lmtp:
            for rcpt in self.transaction.accepted or [None]:  # type: ignore[list-item]
                self._register(Kind.DATA_END, ".", ".", recipient=rcpt)
        else:
            self._register(Kind.DATA_END, ".", ".")
        # The message is over whatever the server answers (RFC 5321 4.1.1.4).
        self._encoder = None
        if self.dialog.state == DATA:
            self.dialog.state = GREETED
        return tail

    def raw(self, data: bytes) -> bytes:
        """Bytes exactly as the user gave them (`:raw`).

        Each complete line in them (ended by LF, with or without CR) is taken as a command
        the server will answer, and text after a DATA line or in DATA as message text up to
        a line holding only "." (any line end): a guess, since the point of raw bytes is
        that servers differ here. The caller drops the guesses that got no answer
        (`forget_raw`), so that later replies are never matched to the wrong command.
        """
        in_data = self.in_data
        at_start = True
        for line in data.split(b"\n")[:-1]:  # the last piece has no line end yet
            text = line.rstrip(b"\r").decode("utf-8", "backslashreplace")
            if in_data:
                if at_start and text == ".":
                    self._register(Kind.DATA_END, ".", ".", raw=True)
                    in_data = False
                continue
            verb = split_command(text)[0]
            self._register(Kind.LINE, verb, text, raw=True,
                           recipient=address_of(split_command(text)[1]) if verb == "RCPT"
                           else None)
            in_data = verb == "DATA"
        return data

    def forget_raw(self) -> list[Command]:
        """Drop the raw lines still waiting for a reply; returns them."""
        kept = deque(c for c in self.pending if not c.raw)
        dropped = [c for c in self.pending if c.raw]
        self.pending = kept
        return dropped

    # --- receiving --------------------------------------------------------------------

    def receive_data(self, data: bytes) -> None:
        if self._handoff:
            if data:
                self._events.append(Injected(data))
            return
        self._parser.receive_data(data)

    def receive_eof(self) -> None:
        # A close during the STARTTLS handoff: no handshake will come; the close is the news.
        self._handoff = False
        self._parser.receive_eof()

    def next_event(self) -> Event | NeedData:
        if self._events:
            return self._events.popleft()
        if self._handoff:
            return NEED_DATA
        ev = self._parser.next_event()
        if isinstance(ev, NeedData):
            return ev
        if isinstance(ev, Reply):
            out = self._reply(ev)
            if self._handoff:
                rest = self._parser.take_trailing_data()
                if rest:
                    self._events.append(Injected(rest))
            return out
        if isinstance(ev, Closed):
            self.closed()
        return ev

    def partial_reply(self) -> tuple[str, ...]:
        """The lines of a reply begun and not ended: taken, so they are shown once."""
        lines = self._parser.partial
        if lines:
            self._parser = _continue(self._parser)
        return lines

    def tls_started(self) -> None:
        """The handshake after STARTTLS (or for implicit TLS) succeeded: start afresh."""
        self._handoff = False
        self._parser = ReplyParser()
        self.dialog.tls_started()
        self.transaction = _Transaction()

    def closed(self) -> None:
        self._handoff = False
        self.dialog.closed()
        self.pending.clear()
        self._encoder = None

    # --- the rules --------------------------------------------------------------------

    def _reply(self, reply: Reply) -> Answer | Stray:
        if not self.pending:
            if reply.code == 421:  # RFC 5321 3.8: closing, asked or not
                self.dialog.state = CLOSED
            return Stray(reply)
        cmd = self.pending.popleft()
        notes: list[str] = []
        violation = _violation(cmd, reply)
        if reply.code == 421:
            self.dialog.state = CLOSED
            self.pending.clear()
        elif violation is None:
            self._follow(cmd, reply, notes)
        return Answer(reply, cmd, tuple(notes), violation)

    def _follow(self, cmd: Command, reply: Reply, notes: list[str]) -> None:
        """Update the state from a reply to `cmd`."""
        d = self.dialog
        if cmd.kind is Kind.GREETING:
            if reply.code == 554:
                notes.append(_("the server refuses service: it will answer 503 to all but QUIT"
                             " (RFC 5321 3.1)"))
            return
        if cmd.kind is Kind.DATA_END:
            if not any(c.kind is Kind.DATA_END for c in self.pending):
                self._end_transaction()
            return
        if cmd.kind is Kind.AUTH_RESPONSE or cmd.verb == "AUTH":
            self._auth_reply(reply, notes)
            return
        verb = cmd.verb
        if cmd.kind is Kind.BDAT:
            if reply.klass == 2 and cmd.last:
                self._end_transaction()
            elif reply.klass != 2:
                notes.append(_("a refused BDAT leaves the transaction in doubt: send RSET"
                             " (RFC 3030 2)"))
            return
        if verb == "XCLIENT" and reply.code == 220:
            # Postfix's XCLIENT_README: success is a new greeting; the session starts over.
            d.capabilities, d.greeted_with_ehlo, d.user = Capabilities(), False, None
            d.state = CONNECTED
            self.transaction, self._encoder = _Transaction(), None
            notes.append(_("XCLIENT accepted: the 220 is a new greeting; send EHLO again"
                         " (Postfix XCLIENT_README)"))
            return
        new = TRANSITIONS.get((verb, reply.klass))
        if new is not None and not (verb == "RCPT" and d.state not in (MAIL, RCPT)):
            d.state = new
        if verb in ("EHLO", "LHLO") and reply.klass == 2:
            d.capabilities = Capabilities.from_ehlo(reply)
            d.greeted_with_ehlo = True
        elif verb == "HELO" and reply.klass == 2:
            d.capabilities = Capabilities()
            d.greeted_with_ehlo = False
        elif verb == "MAIL" and reply.klass == 2:
            self.transactions += 1
        elif verb == "RCPT" and reply.klass == 2:
            self.transaction.accepted.append(cmd.recipient or "")
        elif verb == "DATA" and reply.code == 354:
            self._encoder = DataEncoder()
            if not self.transaction.accepted and self.transaction.rcpts_sent:
                notes.append(_("354 though no recipient was accepted: send the lone dot to end"
                             " an empty message (RFC 2920 3.1)"))
        elif verb == "STARTTLS" and reply.klass == 2:
            self._handoff = True
            if self.pending:
                notes.append(_("commands were sent after STARTTLS in the same group; their"
                             " replies would come in clear text (RFC 3207 4.2)"))

    def _end_transaction(self) -> None:
        self._encoder = None
        if self.dialog.state in (DATA, MAIL, RCPT, GREETED):
            self.dialog.state = GREETED
        self.transaction = _Transaction()

    def _auth_reply(self, reply: Reply, notes: list[str]) -> None:
        exchange = self.sasl
        if exchange is None:
            exchange = self.sasl = auth.Exchange.typed("AUTH")
        step = exchange.step(reply)
        self.sasl_step = step
        if isinstance(step, auth.Done):
            self.sasl = None
            if step.outcome is auth.Outcome.AUTHENTICATED:
                self.dialog.user = exchange.user or "?"
            elif step.outcome is auth.Outcome.NOT_235:
                notes.append(_("AUTH answered {code}, not 235: not counted as authenticated"
                               " (RFC 4954 6)").format(code=reply.code))

    # --- warnings before sending --------------------------------------------------------

    def warnings_for(self, line: str) -> list[str]:
        """What the server will likely refuse in this command, and why. Never blocking."""
        out = self.dialog.warnings_for(line)
        verb, rest = split_command(line)
        caps = self.dialog.capabilities
        ehlo = self.dialog.greeted_with_ehlo
        if self.lmtp and verb in ("EHLO", "HELO"):
            out.append(_("LMTP greets with LHLO, not {verb} (RFC 2033 4.1)").format(verb=verb))
        if verb in ("MAIL", "RCPT"):
            params = esmtp_params(rest)
            address = address_of(rest) or ""
            if not address.isascii():
                if ehlo and not caps.has("SMTPUTF8"):
                    out.append(_("a non-ASCII address needs SMTPUTF8, which the server did not"
                               " advertise (RFC 6531)"))
                elif verb == "MAIL" and "SMTPUTF8" not in params:
                    out.append(_("a non-ASCII address: declare SMTPUTF8 on MAIL FROM (RFC 6531"
                               " 3.4)"))
                elif verb == "RCPT" and "SMTPUTF8" not in self.transaction.params:
                    out.append(_("a non-ASCII address but MAIL FROM did not declare SMTPUTF8"
                               " (RFC 6531 3.4)"))
            if "REQUIRETLS" in params and not self.dialog.tls:
                out.append(_("REQUIRETLS on a connection without TLS: the server must refuse"
                           " it (RFC 8689 4.1)"))
            lim = limits(caps)
            if verb == "RCPT" and "RCPTMAX" in lim and (
                    self.transaction.rcpts_sent >= lim["RCPTMAX"]):
                out.append(_("more recipients than LIMITS RCPTMAX={limit} allows in one"
                             " transaction (RFC 9422 4.2)").format(limit=lim["RCPTMAX"]))
            if verb == "MAIL" and "MAILMAX" in lim and self.transactions >= lim["MAILMAX"]:
                out.append(_("more transactions than LIMITS MAILMAX={limit} allows on one"
                             " connection (RFC 9422 4.1)").format(limit=lim["MAILMAX"]))
        return out

    def group_warnings(self, lines: list[str]) -> list[list[str]]:
        """`warnings_for` each line of a pipelined group, as the dialog will stand when the
        server reads it: each earlier command of the group taken as accepted."""
        from dataclasses import replace

        real_dialog, real_tx, real_count = self.dialog, self.transaction, self.transactions
        self.dialog = replace(real_dialog)
        self.transaction = replace(real_tx, accepted=list(real_tx.accepted))
        try:
            out = []
            for line in lines:
                out.append(self.warnings_for(line))
                verb, rest = split_command(line)
                new = TRANSITIONS.get((verb, 3 if verb == "DATA" else 2))
                if new is not None:
                    self.dialog.state = new
                self._start(verb, rest)
                self.transactions += verb == "MAIL"
            return out
        finally:
            self.dialog, self.transaction = real_dialog, real_tx
            self.transactions = real_count

    def data_warnings(self) -> list[str]:
        """What the message text sent so far breaks (8-bit without BODY=8BITMIME)."""
        enc = self._encoder
        if enc is None or not enc.eight_bit:
            return []
        body = (self.transaction.params.get("BODY") or "").upper()
        if body in ("8BITMIME", "BINARYMIME") or "SMTPUTF8" in self.transaction.params:
            return []
        caps = self.dialog.capabilities
        if not caps.has("8BITMIME"):
            return [_("8-bit text but the server did not advertise 8BITMIME (RFC 6152)")]
        return [_("8-bit text but MAIL FROM did not declare BODY=8BITMIME (RFC 6152 3)")]

    def end_warnings(self) -> list[str]:
        """What the whole message breaks, known at its end (SIZE, line length)."""
        from smtpsh.protocol import MAX_DATA_LINE

        enc = self._encoder
        if enc is None:
            return []
        out: list[str] = []
        limit = self.dialog.capabilities.size
        if limit and enc.octets > limit:
            out.append(_("the message is {octets} octets, over the server's SIZE limit of"
                         " {limit}").format(octets=enc.octets, limit=limit))
        if enc.max_line > MAX_DATA_LINE:
            out.append(_("the longest line has {octets} octets, over {limit}").format(
                octets=enc.max_line, limit=MAX_DATA_LINE))
        return out


def _continue(parser: ReplyParser) -> ReplyParser:
    """A parser that goes on from `parser`'s unread bytes, without its unfinished reply."""
    fresh = ReplyParser()
    fresh.receive_data(parser.take_trailing_data())
    return fresh


def _violation(cmd: Command, reply: Reply) -> str | None:
    """Why `reply` cannot be an answer to `cmd` (RFC 5321 4.2, 4.3.2), or None."""
    if not 200 <= reply.code <= 599:
        return _("{code} is not an SMTP reply code (RFC 5321 4.2: 2xx to 5xx)").format(
            code=f"{reply.code:03d}")
    if reply.klass != 3 or cmd.raw:
        return None
    due = (cmd.verb == "DATA" and cmd.kind is Kind.LINE) or cmd.verb == "AUTH"
    if due:
        return None
    return _("a {code} answers {command}, where no 3xx is due (RFC 5321 4.3.2)").format(
        code=reply.code, command=cmd.label or _("the connection"))


def pipeline_groups(lines: list[str]) -> list[list[str]]:
    """Split command lines into the groups RFC 2920 3.1 lets a client send in one write.

    MAIL, RCPT, RSET may go anywhere in a group; EHLO, DATA, BDAT, NOOP, QUIT ... end one;
    anything else (AUTH, STARTTLS, an unknown verb) goes alone.
    """
    groups: list[list[str]] = []
    current: list[str] = []
    for line in lines:
        verb = split_command(line)[0]
        if verb in GROUP_ANYWHERE:
            current.append(line)
        elif verb in GROUP_LAST:
            groups.append([*current, line])
            current = []
        else:
            if current:
                groups.append(current)
            groups.append([line])
            current = []
    if current:
        groups.append(current)
    return groups
