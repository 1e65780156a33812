"""Script mode: run a dialog from stdin (or -c lines) as if each line were typed.

Each command waits for its reply before the next is sent (no accidental pipelining); after a
354 the lines are message text up to the lone "."; the exit status says how it went.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import BinaryIO

from smtpsh.exitcodes import Exit, Failure
from smtpsh.i18n import _
from smtpsh.protocol import CLOSED, Reply
from smtpsh.runner import Runner
from smtpsh.session import Interaction, Session

# The lone dot that ends the message text, at the start of a line.
_END_AT_START = re.compile(rb"\A\.\r?\n")
_END_INSIDE = re.compile(rb"\n\.\r?\n")
CHUNK = 1 << 20


class ScriptInput:
    """Lines of commands, and message text read in large chunks, from one byte stream."""

    def __init__(self, stream: BinaryIO | None = None, lines: list[str] | None = None) -> None:
        self._stream = stream
        self.before_read: Callable[[], None] | None = None
        self.ended_by_dot = False
        self.lineno = 0  # lines read so far (for messages that name a line of the script)
        self._pending = b"" if lines is None else "".join(f"{x}\n" for x in lines).encode(
            "utf-8", "surrogateescape")  # bytes that were not UTF-8 go out as they came

    def _read(self) -> bytes:
        if self._stream is None:
            return b""
        # A read may block (a person or a program writing the script as it goes): what was
        # printed so far must be out before, so that they can see what they answer.
        if self.before_read is not None:
            self.before_read()
        return self._stream.read1(CHUNK)  # type: ignore[attr-defined,no-any-return]

    def readline(self) -> str | None:
        """The next line without its ending; None at the end of input."""
        while b"\n" not in self._pending:
            chunk = self._read()
            if not chunk:
                if not self._pending:
                    return None
                line, self._pending = self._pending, b""
                self.lineno += 1
                return line.rstrip(b"\r").decode("utf-8", "surrogateescape")
            self._pending += chunk
        line, _sep, self._pending = self._pending.partition(b"\n")
        self.lineno += 1
        return line.rstrip(b"\r").decode("utf-8", "surrogateescape")

    def unread(self, line: str) -> None:
        """Put a line back (the line runner looked one line ahead)."""
        self._pending = (line + "\n").encode("utf-8", "surrogateescape") + self._pending
        self.lineno -= 1

    def read_exact(self, size: int) -> bytes:
        """The next `size` octets (fewer at the end of input), whatever they hold."""
        while len(self._pending) < size and (chunk := self._read()):
            self._pending += chunk
        data, self._pending = self._pending[:size], self._pending[size:]
        return data

    def message(self) -> Iterator[bytes]:
        """Message text up to (not including) the lone "." line, in chunks.

        Sets `self.ended_by_dot`; what follows the dot stays for readline().
        """
        buf, self._pending = self._pending, b""
        at_start = True  # buf begins at the start of a line
        self.ended_by_dot = False
        while True:
            m = (_END_AT_START.match(buf) if at_start else None) or _END_INSIDE.search(buf)
            if m:
                body_end = m.start() + (1 if buf[m.start():m.start() + 1] == b"\n" else 0)
                if body_end:
                    self.lineno += buf.count(b"\n", 0, body_end)
                    yield buf[:body_end]
                self._pending = buf[m.end():]
                self.lineno += 1  # the dot
                self.ended_by_dot = True
                return
            # Keep the last, unfinished line (it might be the dot); send the rest.
            nl = buf.rfind(b"\n")
            if nl >= 0:
                self.lineno += buf.count(b"\n", 0, nl + 1)
                yield buf[:nl + 1]
                buf, at_start = buf[nl + 1:], True
            elif len(buf) > CHUNK:  # one endless line: it cannot be the lone dot
                yield buf
                buf, at_start = b"", False
            chunk = self._read()
            if not chunk:
                if at_start and buf.rstrip(b"\r") == b".":
                    self.ended_by_dot = True
                elif buf:
                    yield buf
                return
            buf += chunk


class ScriptInteraction(Interaction):
    """In a script, the lines after AUTH are the answers (the user name, then the password)."""

    def __init__(self, inp: ScriptInput, plain_auth: bool = False) -> None:
        self.inp = inp
        self.plain_auth = plain_auth

    async def ask(self, prompt: str, secret: bool) -> str | None:
        return self.inp.readline()

    async def confirm(self, question: str) -> bool:
        return self.plain_auth

    async def chunk(self, size: int) -> bytes | None:
        """The next `size` octets of the script, exactly as they are (BDAT is binary)."""
        return self.inp.read_exact(size)


async def run(session: Session, inp: ScriptInput, host: str, port: int,
              greeting: Reply | None = None, prelude: list[str] | None = None,
              require_tls: bool = False, pipeline: bool = False,
              runner: Runner | None = None) -> Exit:
    """Connect, run the script, and say how it went as an exit status.

    `greeting`: the session is already connected (--mx did it) and this was the greeting.
    `prelude`: the lines --starttls and --auth send first; only these use the credentials
    known in advance, and never read the script. `require_tls` (from --starttls): a
    STARTTLS that does not end in TLS stops the dialog, rather than go on in clear text.
    `runner`: one made by the caller, who reads its steps after (replay, compare).
    """
    runner = runner or Runner(session, pipeline=pipeline)
    interaction = session.interaction
    try:
        if greeting is None:
            greeting = await session.connect(host, port)
        runner.account([greeting], step="the greeting")
        if greeting.code == 554:
            # RFC 5321 3.1: the server will refuse everything; the client says QUIT only.
            session.note(_("the server refused the connection (554 greeting): only QUIT is"
                           " sent"))
            runner.account([await session.command("QUIT")])
            await session.close()
            return runner.status
        session.prefill, session.interaction = True, Interaction()
        await runner.prelude(prelude or [], require_tls)
        # A typed AUTH in the script reads its answers from the script, as a person would.
        session.prefill, session.interaction = False, interaction
        if not await runner.run(inp):
            # A 421 already says why (exit 7); otherwise the connection was lost.
            return runner.status if runner.status != Exit.OK else Exit.LOST
        if session.dialog.state != CLOSED:
            session.note(_("end of input: sending QUIT"))
            runner.account([await session.command("QUIT")])
    except Failure as exc:
        session.warn(str(exc))
        await session.close()
        # A server that refused as it left (a 452 in the middle of DATA) said why.
        refusals = [r for r in session.last_words if r.is_error]
        if exc.exit == Exit.LOST and refusals:
            runner.account(refusals)
            return runner.status
        return exc.exit
    await session.close()
    return runner.status
