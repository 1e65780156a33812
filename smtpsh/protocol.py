"""The sans-IO SMTP client core: bytes in, events out (in the manner of h11).

Nothing here touches sockets, TLS, asyncio or terminals. The session feeds the bytes it
reads into a ReplyParser and gets Reply / Garbage / Closed events back; it asks this module
how to put a command or a message body on the wire; a Dialog follows the state of the
conversation so the UI can *warn* about a command out of sequence. Nothing is ever blocked:
smtpsh is a debugging tool and sends what the user typed.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field

from smtpsh.escape import escape, escape_bytes
from smtpsh.i18n import N_, _

# RFC 5321 §4.5.3.1.5: a reply line is at most 512 octets including the CRLF.
MAX_REPLY_LINE = 512
# RFC 5321 §4.5.3.1.4: a command line is at most 512 octets including the CRLF.
MAX_COMMAND_LINE = 512
# RFC 5322 §2.1.1: a message line must be no more than 998 octets, excluding the CRLF.
MAX_DATA_LINE = 998
# A line this long without an end is cut so that a hostile server cannot fill memory.
MAX_BUFFERED_LINE = 65536
# Lines kept of one reply (an EHLO has a few dozen): an endless 250- reply is bounded.
MAX_REPLY_LINES = 1000

_REPLY_LINE = re.compile(rb"^(\d{3})(?:([ -])(.*))?$", re.DOTALL)
_ENHANCED = re.compile(r"^([245])\.(\d{1,3})\.(\d{1,3})(?=\s|$)")


class LocalProtocolError(ValueError):
    """The user asked for something that cannot be put on the wire as asked."""


@dataclass(frozen=True)
class Reply:
    """A complete server reply: one code and one or more lines of text."""

    code: int
    lines: tuple[str, ...]
    warnings: tuple[str, ...] = ()
    bare_end: bool = False  # the last line was the code alone ("250"), not "250 " + text

    @property
    def klass(self) -> int:
        """The first digit: 2 done, 3 go on, 4 try again later, 5 failed for good."""
        return self.code // 100

    @property
    def is_error(self) -> bool:
        return self.klass in (4, 5)

    @property
    def enhanced(self) -> str | None:
        """The RFC 3463 enhanced status code of the first line, when its class matches."""
        m = _ENHANCED.match(self.lines[0]) if self.lines else None
        if m and int(m.group(1)) == self.klass:
            return m.group(0)
        return None

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def wire_lines(self) -> list[str]:
        """The reply as the server wrote it: NNN-text for all lines but the last."""
        last = len(self.lines) - 1
        end = "" if self.bare_end else " "
        return [f"{self.code:03d}{'-' if i < last else end}{line}"
                for i, line in enumerate(self.lines)]


@dataclass(frozen=True)
class Garbage:
    """A line from the server that is not part of any reply (no reply code)."""

    line: str
    reason: str


@dataclass(frozen=True)
class Closed:
    """The server closed the connection. `partial` holds a reply it left unfinished."""

    partial: tuple[str, ...] = ()


class NeedData:
    def __repr__(self) -> str:
        return "NEED_DATA"


NEED_DATA = NeedData()
Event = Reply | Garbage | Closed


# Control characters other than TAB: a hostile server could retitle or overwrite the
# user's terminal with them, so they are shown escaped like non-UTF-8 bytes.
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_CONTROL_ALL = re.compile(r"[\x00-\x1f\x7f]")  # for raw bytes, where TAB is shown too


def decode_line(raw: bytes) -> tuple[str, bool]:
    """Text of a line for display, non-UTF-8 bytes and controls escaped (\\xNN); True if the
    line was UTF-8. The one escaping rule (smtpsh.escape) for all network text."""
    try:
        raw.decode("utf-8")
        clean = True
    except UnicodeDecodeError:
        clean = False
    return escape_bytes(raw), clean


class ReplyParser:
    """Splits a byte stream into replies. Never raises on what the server sends."""

    def __init__(self) -> None:
        self._buf = bytearray()
        self._events: deque[Event] = deque()
        self._code: int | None = None
        self._lines: list[str] = []
        self._warnings: list[str] = []
        self._dropped = 0  # lines of the current reply not kept (over MAX_REPLY_LINES)
        self._eof = False

    def receive_data(self, data: bytes) -> None:
        self._buf += data

    def receive_eof(self) -> None:
        self._eof = True

    @property
    def trailing_data(self) -> bytes:
        """Bytes received but not yet read as a line (e.g. after the reply to STARTTLS)."""
        return bytes(self._buf)

    def take_trailing_data(self) -> bytes:
        data, self._buf = bytes(self._buf), bytearray()
        return data

    @property
    def in_reply(self) -> bool:
        """True while a multiline reply has started and not ended."""
        return self._code is not None

    def next_event(self) -> Event | NeedData:
        while not self._events:
            line = self._next_line()
            if line is None:
                if self._eof:
                    self._eof = False  # report the close once
                    partial = tuple(self._lines)
                    self._reset()
                    return Closed(partial)
                return NEED_DATA
            self._line(*line)
        return self._events.popleft()

    def _next_line(self) -> tuple[bytes, list[str]] | None:
        notes: list[str] = []
        end = self._buf.find(b"\n")
        if end < 0:
            if len(self._buf) > MAX_BUFFERED_LINE:
                raw = bytes(self._buf[:MAX_BUFFERED_LINE])
                del self._buf[:MAX_BUFFERED_LINE]
                return raw, [_("line longer than {limit} octets without an end; cut").format(
                    limit=MAX_BUFFERED_LINE)]
            if self._eof and self._buf:
                raw = bytes(self._buf)
                self._buf.clear()
                return raw, [_("line not ended before the connection closed")]
            return None
        raw = bytes(self._buf[: end + 1])
        del self._buf[: end + 1]
        if len(raw) > MAX_REPLY_LINE:
            notes.append(_("reply line of {octets} octets, over the limit of {limit}"
                           " (RFC 5321 4.5.3.1.5)").format(octets=len(raw), limit=MAX_REPLY_LINE))
        if raw.endswith(b"\r\n"):
            raw = raw[:-2]
        else:
            raw = raw[:-1]
            notes.append(_("line ended by a bare LF instead of CRLF (RFC 5321 2.3.8)"))
        return raw, notes

    def _line(self, raw: bytes, notes: list[str]) -> None:
        if b"\r" in raw:
            notes.append(_("bare CR inside a reply line"))
        text, clean = decode_line(raw)
        if not clean:
            notes.append(_("reply contains bytes that are not UTF-8 (shown as \\xNN)"))
        m = _REPLY_LINE.match(raw)
        if not m:
            self._events.append(Garbage(text, _("line without a reply code")))
            return
        code = int(m.group(1))
        last = m.group(2) != b"-"
        line_text = decode_line(m.group(3) or b"")[0]
        if self._code is None:
            self._code = code
        elif code != self._code:
            notes.append(_("code changed from {before} to {after} inside a multiline reply")
                         .format(before=self._code, after=code))
        if len(self._lines) < MAX_REPLY_LINES - 1 or last:
            self._lines.append(line_text)
        else:
            self._dropped += 1
        self._warnings.extend(n for n in notes if n not in self._warnings)
        if last:
            if self._dropped:
                self._warnings.append(_("reply of {count} lines: only the first {kept} and the"
                                        " last are kept").format(
                                            count=len(self._lines) + self._dropped,
                                            kept=MAX_REPLY_LINES - 1))
            self._events.append(Reply(self._code, tuple(self._lines), tuple(self._warnings),
                                      bare_end=m.group(2) is None))
            self._reset()

    @property
    def partial(self) -> tuple[str, ...]:
        """The lines of a reply begun and not ended, as sent (shown when a wait fails)."""
        return tuple(f"{self._code or 0:03d}-{line}" for line in self._lines)

    def _reset(self) -> None:
        self._code = None
        self._lines = []
        self._warnings = []
        self._dropped = 0


# --- EHLO capabilities -------------------------------------------------------------------


@dataclass(frozen=True)
class Capabilities:
    """What a server's EHLO reply advertised (RFC 5321 4.1.1.1)."""

    domain: str = ""
    keywords: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def from_ehlo(cls, reply: Reply) -> Capabilities:
        if reply.klass != 2 or not reply.lines:
            return cls()
        domain = reply.lines[0].split(" ", 1)[0]
        keywords: dict[str, tuple[str, ...]] = {}
        for line in reply.lines[1:]:
            words = line.split()
            if not words:
                continue
            key, params = words[0].upper(), tuple(words[1:])
            if key.startswith("AUTH="):  # the pre-RFC 4954 form some servers still send
                key, params = "AUTH", (key[5:], *params)
            if key in keywords:
                params = keywords[key] + tuple(p for p in params if p not in keywords[key])
            keywords[key] = params
        return cls(domain, keywords)

    def has(self, keyword: str) -> bool:
        return keyword.upper() in self.keywords

    def params(self, keyword: str) -> tuple[str, ...]:
        return self.keywords.get(keyword.upper(), ())

    @property
    def size(self) -> int | None:
        """The SIZE limit in octets (RFC 1870); None when not advertised or 0 (no limit)."""
        p = self.params("SIZE")
        return int(p[0]) if p and p[0].isdigit() and int(p[0]) > 0 else None

    @property
    def auth_mechanisms(self) -> tuple[str, ...]:
        return tuple(m.upper() for m in self.params("AUTH"))


# --- commands ----------------------------------------------------------------------------


def encode_command(line: str) -> bytes:
    """A command line as it goes on the wire: UTF-8, ended by CRLF."""
    if "\r" in line or "\n" in line:
        raise LocalProtocolError(_("a command cannot contain CR or LF"))
    # surrogateescape: bytes that were not UTF-8 in a script go out exactly as they came.
    return line.encode("utf-8", "surrogateescape") + b"\r\n"


_ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{2}|[rnt\\])")
_ESCAPES = {"r": b"\r", "n": b"\n", "t": b"\t", "\\": b"\\"}


def unescape(text: str) -> bytes:
    """Raw bytes as typed for `:raw`: \\r \\n \\t \\\\ and \\xNN; the rest as UTF-8."""
    out, pos = bytearray(), 0
    for m in _ESCAPE.finditer(text):
        code = m.group(1)
        out += text[pos:m.start()].encode("utf-8", "surrogateescape")
        out += bytes([int(code[1:], 16)]) if code[0] == "x" else _ESCAPES[code]
        pos = m.end()
    return bytes(out + text[pos:].encode("utf-8", "surrogateescape"))


def show_bytes(data: bytes) -> str:
    """Bytes on one line, every control and non-UTF-8 byte visible (\\r \\n \\xNN)."""
    text = data.decode("utf-8", "surrogateescape")
    text = text.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t")
    return escape(text, tab=True)



def split_command(line: str) -> tuple[str, str]:
    """('MAIL', 'FROM:<a@b>') from 'mail from:<a@b>': the verb upper-cased, the rest as typed."""
    verb, _, rest = line.strip().partition(" ")
    verb = verb.upper()
    if ":" in verb and verb.split(":", 1)[0] in ("MAIL", "RCPT"):
        verb, rest = verb.split(":", 1)[0], line.strip()[len(verb.split(":", 1)[0]) + 1:]
    return verb, rest.strip()


_PATH = re.compile(r"^(?:FROM|TO)\s*:\s*(<[^>]*>|\S+)(.*)$", re.IGNORECASE)


def esmtp_params(rest: str) -> dict[str, str | None]:
    """ESMTP parameters of a MAIL/RCPT argument: {'SIZE': '100', 'SMTPUTF8': None}."""
    m = _PATH.match(rest)
    tail = m.group(2) if m else ""
    params: dict[str, str | None] = {}
    for word in tail.split():
        key, eq, value = word.partition("=")
        params[key.upper()] = value if eq else None
    return params


# --- message bodies ----------------------------------------------------------------------


_DOT_AT_LINE_START = re.compile(rb"\n\.")


class DataEncoder:
    """Turns message text into what goes on the wire after a 354, in a streaming way.

    Every line ending (CRLF, bare LF, bare CR) becomes CRLF, so that no bare CR or LF reaches
    the wire by accident (RFC 5321 2.3.8), and a line starting with "." gets one more
    (RFC 5321 4.5.2). Works on chunks of any size, so a 1 GB message is never held whole;
    any split of the text into chunks gives the same bytes and counters as the whole.

    Counters: `octets` on the wire so far (for the SIZE check), `lines` ended so far,
    `eight_bit` (a byte over 127 seen), and `max_line`, in octets without the line end:
    exact whenever a line is over MAX_DATA_LINE (998, the only case anyone is warned of);
    otherwise at most 998, and not always the longest (inner lines of a chunk are only
    checked against the limit, which costs no Python work per line).

    Each chunk takes a few passes of C code and no Python loop over its lines.
    """

    def __init__(self) -> None:
        self._at_line_start = True
        self._pending_cr = False
        self.octets = 0  # octets put on the wire so far, for the SIZE check
        self.lines = 0
        self.max_line = 0  # see the class docstring: exact when over MAX_DATA_LINE
        self._line_len = 0  # octets of the open line so far
        self.eight_bit = False

    def feed(self, chunk: bytes) -> bytes:
        if self._pending_cr:
            chunk = b"\r" + chunk
            self._pending_cr = False
        if chunk.endswith(b"\r"):  # it may be the first half of a CRLF split across chunks
            chunk = chunk[:-1]
            self._pending_cr = True
        if not chunk:
            return b""
        if not self.eight_bit and not chunk.isascii():
            self.eight_bit = True
        if b"\r" in chunk:  # LF for every line end first: CRLF, bare CR, bare LF
            lf = chunk.translate(None, b"\r")
            if lf.replace(b"\n", b"\r\n") != chunk:  # not CRLF throughout (rare)
                lf = chunk.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
            chunk = lf
        self._measure(chunk)
        # re finds "\n." several times faster than bytes.replace does (CPython 3.11).
        stuffed = _DOT_AT_LINE_START.sub(b"\n..", chunk)
        out = stuffed.replace(b"\n", b"\r\n")
        self.lines += len(out) - len(stuffed)  # one more octet per line end
        if self._at_line_start and out.startswith(b"."):
            out = b"." + out
        self._at_line_start = out.endswith(b"\n")
        self.octets += len(out)
        return out

    def _measure(self, text: bytes) -> None:
        """max_line and the open line's length, for text whose line ends are all LF."""
        first = text.find(b"\n")
        if first < 0:
            self._line_len += len(text)
        else:
            longest = self._line_len + first
            last = text.rfind(b"\n")
            if last - first > MAX_DATA_LINE:  # room for an inner line over the limit
                longest = max(longest, _longest_over_limit(text, first, last))
            self.max_line = max(self.max_line, longest)
            self._line_len = len(text) - last - 1
        self.max_line = max(self.max_line, self._line_len)

    def end(self) -> bytes:
        """The end of data: CRLF (if the last line is open), then ".", CRLF."""
        tail = self.feed(b"\n") if self._pending_cr else b""
        if not self._at_line_start:
            tail += b"\r\n"
            self.octets += 2
        self._at_line_start = True
        return tail + b".\r\n"


def _longest_over_limit(text: bytes, first: int, last: int) -> int:
    """The longest line (without its end) between the LFs at `first` and `last` when it is
    over MAX_DATA_LINE, else 0. From each LF it jumps to the last LF within reach of a line
    of the limit (memrchr in C), so it takes about one call per 1000 octets, not per line."""
    reach = MAX_DATA_LINE + 2  # an LF at p + reach - 1 ends a line of exactly the limit
    longest, p = 0, first
    while p < last:
        q = text.rfind(b"\n", p + 1, p + reach)
        if q < 0:  # no line end within reach: the next line is over the limit
            q = text.find(b"\n", p + 1)
            longest = max(longest, q - p - 1)
        p = q
    return longest


def encode_message(text: bytes) -> bytes:
    """A whole message, stuffed and ended: for tests and small bodies."""
    enc = DataEncoder()
    return enc.feed(text) + enc.end()


def unstuff(wire: bytes) -> bytes:
    """What a server makes of DATA: the inverse of DataEncoder (RFC 5321 4.5.2)."""
    assert wire.endswith(b".\r\n")
    body = wire[:-3]
    lines = body.split(b"\r\n")
    return b"\r\n".join(x[1:] if x.startswith(b".") else x for x in lines)


# --- dialog state ------------------------------------------------------------------------

CONNECTED = "connected"  # greeting received, no HELO/EHLO yet
GREETED = "greeted"  # HELO/EHLO accepted, no transaction
MAIL = "mail"  # MAIL accepted
RCPT = "rcpt"  # at least one RCPT accepted
DATA = "data"  # 354 received: the message text goes now
CLOSED = "closed"

# (verb, reply class) -> new state; a verb's reply that is not listed leaves the state alone.
TRANSITIONS: dict[tuple[str, int], str] = {
    ("HELO", 2): GREETED,
    ("EHLO", 2): GREETED,
    ("LHLO", 2): GREETED,
    ("MAIL", 2): MAIL,
    ("RCPT", 2): RCPT,
    ("DATA", 3): DATA,
    ("RSET", 2): GREETED,
    ("STARTTLS", 2): CONNECTED,  # RFC 3207 4.2: forget all, greet again
    ("QUIT", 2): CLOSED,
}

# How a verb out of sequence is said, per state (the whole sentence: word order differs
# between languages).
_OUT_OF_SEQUENCE = {
    CONNECTED: N_("{verb} before HELO/EHLO is out of sequence; the server will likely answer"
                  " 503"),
    GREETED: N_("{verb} with no mail transaction open is out of sequence; the server will"
                " likely answer 503"),
    MAIL: N_("{verb} after MAIL is out of sequence; the server will likely answer 503"),
    RCPT: N_("{verb} after RCPT is out of sequence; the server will likely answer 503"),
    DATA: N_("{verb} inside DATA is out of sequence; the server will likely answer 503"),
    CLOSED: N_("{verb} after the connection closed is out of sequence; the server will likely"
               " answer 503"),
}


@dataclass
class Dialog:
    """Where the conversation stands, updated from what was sent and what came back."""

    state: str = CONNECTED
    capabilities: Capabilities = field(default_factory=Capabilities)
    greeted_with_ehlo: bool = False
    tls: bool = False
    user: str | None = None

    def warnings_for(self, line: str) -> list[str]:
        """What the server will likely reject in this command, and why. Never blocking.

        Which states a verb belongs to and which EHLO keyword a verb or parameter needs are
        facts of the knowledge base (smtpsh/data/verbs.json), read through smtpsh.explain.
        """
        from smtpsh import explain  # stdlib only, data loaded on first use

        verb, rest = split_command(line)
        out: list[str] = []
        valid = explain.valid_states(verb)
        if valid is not None and self.state not in valid and self.state != CLOSED:
            out.append(_(_OUT_OF_SEQUENCE[self.state]).format(verb=verb))
        if verb == "STARTTLS" and self.tls:
            out.append(_("TLS is already on; a second STARTTLS is not allowed (RFC 3207)"))
        mech = rest.split()[0].upper() if verb == "AUTH" and rest.split() else ""
        if mech and self.capabilities.has("AUTH") and (
                mech not in self.capabilities.auth_mechanisms):
            out.append(_("the server did not advertise the {mechanism} mechanism (it offers:"
                         " {offered})").format(
                             mechanism=mech, offered=" ".join(self.capabilities.auth_mechanisms)))
        if verb == "AUTH" and self.user:
            out.append(_("already authenticated; a second AUTH is refused with 503 (RFC 4954)"))
        needed = explain.needs_keyword(verb)
        if needed and self.greeted_with_ehlo and not self.capabilities.has(needed):
            out.append(_("the server did not advertise {keyword} in its EHLO reply").format(
                keyword=needed))
        if verb in ("MAIL", "RCPT"):
            params = esmtp_params(rest)
            for key, value in params.items():
                kw = explain.param_keyword(verb, key, value)
                if kw is None:
                    out.append(_("{key} is not a {verb} parameter smtpsh knows").format(
                        key=key, verb=verb))
                elif not self.capabilities.has(kw):
                    out.append(_("{parameter} needs {keyword}, which the server did not"
                                 " advertise").format(
                                     parameter=key + ("=" + value if value else ""), keyword=kw))
            size, limit = params.get("SIZE"), self.capabilities.size
            if size and size.isdigit() and limit and int(size) > limit:
                out.append(_("SIZE={size} is over the server's limit of {limit} octets").format(
                    size=size, limit=limit))
        if len(encode_command(line)) > MAX_COMMAND_LINE:
            out.append(_("command line over {limit} octets (RFC 5321 4.5.3.1.4)").format(
                limit=MAX_COMMAND_LINE))
        return out

    def tls_started(self) -> None:
        """RFC 3207 4.2: after the handshake, forget everything learnt before it.

        Called by the session once the handshake succeeded, not on the 220 itself.
        """
        self.tls = True
        self.state = CONNECTED
        self.capabilities = Capabilities()
        self.greeted_with_ehlo = False

    def closed(self) -> None:
        self.state = CLOSED
