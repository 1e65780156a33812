"""What a dialog shows and records: the events, and the one place they are redacted.

`Events` takes every event of a session, hides the secrets it knows (in every form: clear,
base64, fragments), writes it to the transcript and hands it to the UI's sink (script mode's
printer, the shell's screen). `Interaction` is how the dialog asks the user something.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from smtpsh import auth
from smtpsh.client import Command
from smtpsh.i18n import _
from smtpsh.protocol import Garbage, Reply
from smtpsh.transcript import REDACTED, Redactor, Transcript


@dataclass(frozen=True)
class Sent:
    text: str
    data: bool = False  # a line of the message body
    secret: bool = False  # the whole line is a secret (e.g. an AUTH response)


# What a note marks, for the code that must know it whatever the note's wording or language
# (the text is translated): a new connection, the server closing it.
CONNECTED = "connected"
SERVER_CLOSED = "closed"


@dataclass(frozen=True)
class Note:
    text: str
    kind: str = ""  # CONNECTED, SERVER_CLOSED, or "" for any other note


@dataclass(frozen=True)
class Warn:
    text: str


@dataclass(frozen=True)
class Received:
    """A reply, the command it answers (None: no command was waiting), and when it came."""

    reply: Reply
    command: Command | None
    elapsed: float | None = None  # seconds since its command went out
    grouped: bool = False  # one of several replies due at once (a pipelined group, LMTP)

    @property
    def verb(self) -> str | None:
        return self.command.verb if self.command is not None else None


@dataclass(frozen=True)
class Checked:
    """A ?-line of a dialog checked against the reply it names."""

    ok: bool
    expected: str  # the ?-line as written
    got: Reply | None  # None: no reply came to check
    command: str  # what the reply answered
    line: int  # the ?-line's line in the dialog file (0: unknown)


Output = Sent | Note | Warn | Received | Garbage | Checked


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


HISTORY_TEXT = 1 << 20


class Events:
    """The sink of a session's events: redacted once, then recorded and shown."""

    def __init__(self, output: Callable[[Output], None], transcript: Transcript | None,
                 redactor: Redactor, tls: Callable[[], bool]) -> None:
        self.output = output
        self.transcript = transcript
        self.redactor = redactor
        self._tls = tls  # whether the connection is under TLS now (the transcript marks it)
        # The dialog of the current connection as the transcript has it, (direction, text),
        # secrets hidden: what :export and --export reproduce. Message text is kept up to
        # HISTORY_TEXT characters per message.
        self.history: list[tuple[str, str]] = []
        self._text_kept = 0

    def emit(self, event: Output, ui: bool = True, record: bool = True) -> None:
        """Show an event (ui) and write it to the transcript (record), secrets hidden."""
        event = self._redacted(event)
        self._remember(event)
        if self.transcript is not None and record:
            tls = self._tls()
            match event:
                case Sent(text, _, _):
                    self.transcript.write("C:", text, tls)
                case Received(reply, _, _):
                    self.transcript.write("S:", "\n".join(reply.wire_lines()), tls)
                    for w in reply.warnings:
                        self.transcript.write("!!", _("server: {warning}").format(warning=w),
                                              tls)
                case Garbage(line, reason):
                    self.transcript.write("S:", line, tls)
                    self.transcript.write("!!", _("server: {warning}").format(warning=reason),
                                          tls)
                case Note(text):
                    self.transcript.write("--", text, tls)
                case Warn(text):
                    self.transcript.write("!!", text, tls)
                case Checked():
                    self.transcript.write("--" if event.ok else "!!", describe_check(event), tls)
        if ui:
            self.output(event)

    def _remember(self, event: Output) -> None:
        match event:
            case Sent(text, data, _):
                if not data:
                    self._text_kept = 0
                elif self._text_kept > HISTORY_TEXT:
                    return
                elif self._text_kept + len(text) > HISTORY_TEXT:
                    self._text_kept = HISTORY_TEXT + 1
                    self.history.append(("--", "... more lines of message text not shown"))
                    return
                else:
                    self._text_kept += len(text) + 1
                self.history.append(("C:", text))
            case Received(reply, _, _, _):
                self.history += [("S:", line) for line in reply.wire_lines()]
            case Note(kind=kind) if kind == CONNECTED:
                self.history.clear()  # a new connection: a new dialog

    def _redacted(self, event: Output) -> Output:
        """The one place where secrets are hidden, from the screen and every file alike."""
        if not self.redactor.active and not (isinstance(event, Sent) and event.secret):
            if isinstance(event, Sent) and not event.text.isascii():
                return replace(event, text=_escaped(event.text))
            return event
        shown = self.redactor.redact
        match event:
            case Sent(text, data, secret):
                hidden = secret and not self.redactor.show_secrets
                return Sent(REDACTED if hidden else shown(_escaped(text)), data, secret)
            case Received(reply, _, _, _):
                lines = tuple(shown(x) for x in reply.lines)
                return event if lines == reply.lines else replace(
                    event, reply=replace(reply, lines=lines))
            case Garbage(line, reason):
                return Garbage(shown(line), reason)
            case Note(text):
                return replace(event, text=shown(text))
            case Warn(text):
                return Warn(shown(text))
        return event

    def note(self, text: str) -> None:
        self.emit(Note(text))

    def warn(self, text: str) -> None:
        self.emit(Warn(text))

    def add_secret(self, *values: str | bytes) -> None:
        """Everything shown or written from now on hides these, in every form."""
        self.redactor.add(auth.secret_forms([v for v in values if v]))

    def add_b64_secret(self, text: str) -> None:
        """A base64 SASL answer typed by hand: hidden, and so is what it carries (a server
        may echo the decoded credentials in its 535)."""
        self.add_secret(text, *auth.carried_secrets(text))


def describe_check(check: Checked) -> str:
    """One line for a checked expectation: what was expected, what came, for which command."""
    where = _("line {number}: ").format(number=check.line) if check.line else ""
    expected = check.expected[1:].strip()
    if check.got is None:  # (never ok: a check needs a reply)
        return where + _("{command}: expected {expected}, got no reply").format(
            command=check.command, expected=expected)
    got = " / ".join(check.got.wire_lines())
    if check.ok:
        return where + _("{expected} ok ({got})").format(expected=check.expected,
                                                         got=got.split(" / ")[-1])
    return where + _("{command}: expected {expected}, got {got}").format(
        command=check.command, expected=expected, got=got)


def _escaped(text: str) -> str:
    """Raw bytes a script carried (surrogate-escaped, not UTF-8) shown as \\xNN."""
    if text.isascii():
        return text
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
