"""One line runner for script mode, a block pasted into the shell, and what comes next.

It reads lines from a `LineSource` (a script on stdin, -c lines, a pasted block) as if each
were typed: a command waits for its reply (or, with pipelining, a group RFC 2920 allows goes
in one write); after a 354 the following lines are the message, up to the lone dot, streamed
through `stream_message` (which `:send` uses too). It keeps the worst reply as an exit status.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Protocol

from smtpsh.client import GROUP_ANYWHERE, GROUP_LAST
from smtpsh.events import Checked, Note, Sent
from smtpsh.exitcodes import Exit, Failure
from smtpsh.expect import BadExpectation, Expectation, is_expectation
from smtpsh.i18n import _
from smtpsh.protocol import CLOSED, Reply, split_command
from smtpsh.session import Session

ECHO_LINES = 20  # message lines shown on screen; the transcript gets them all


class LineSource(Protocol):
    ended_by_dot: bool

    def readline(self) -> str | None: ...

    def unread(self, line: str) -> None: ...

    def message(self) -> Iterable[bytes]: ...


def worse(status: Exit, reply: Reply) -> Exit:
    """The exit status after `reply`: a 5xx beats a 4xx beats success."""
    if reply.klass == 5:
        return Exit.PERMANENT
    if reply.klass == 4 and status != Exit.PERMANENT:
        return Exit.TRANSIENT
    return status


def _skip(line: str) -> bool:
    """Blank lines and comments make dialog files readable."""
    stripped = line.lstrip()
    return not stripped or stripped.startswith("#")


# Message text goes out in pieces: 64 KB with a transcript (which records a piece once it
# went out, so that it holds what the server was sent), 512 KB without (fewer loop turns).
PIECE = 1 << 16
PIECE_UNRECORDED = 1 << 19


async def stream_message(session: Session, chunks: Iterable[bytes], *,
                         echo: int = ECHO_LINES, end: bool = True) -> list[Reply]:
    """Send message text (any line ends; the core stuffs dots and makes CRLF), echoing
    its first `echo` lines; then the dot.

    Each piece goes to the transcript once it went out: a server that refuses in the middle
    (a 452 after 64 KB) leaves a transcript of what was sent, not of the whole file.
    """
    shown = hidden = 0
    tail = b""
    size = PIECE if session.transcript is not None else PIECE_UNRECORDED
    for chunk in chunks:
        for start in range(0, len(chunk), size):
            piece = chunk[start:start + size] if len(chunk) > size else chunk
            await session.data_chunk(piece)
            if shown >= echo and session.transcript is None:
                hidden += piece.count(b"\n")  # the fast path for large messages
                continue
            lines = (tail + piece).split(b"\n")
            tail = lines.pop()
            for raw in lines:
                text = raw.rstrip(b"\r").decode("utf-8", "backslashreplace")
                show = shown < echo
                shown, hidden = shown + show, hidden + (not show)
                session.emit(Sent(text, data=True), ui=show)
    if tail:
        text = tail.rstrip(b"\r").decode("utf-8", "backslashreplace")
        show = shown < echo
        hidden += not show
        session.emit(Sent(text, data=True), ui=show)
    if hidden:
        session.emit(Note(_("... {count} more lines of message text not shown").format(
            count=hidden)), record=False)
    return await session.data_end() if end else []


ShellLine = Callable[[str], Awaitable[object]]


class Runner:
    """Runs lines against a session; `status` says how it went (worst reply)."""

    def __init__(self, session: Session, *, pipeline: bool = False,
                 shell_line: ShellLine | None = None, script: bool = True) -> None:
        self.session = session
        self.pipeline = pipeline
        self.shell_line = shell_line
        self.script = script  # AUTH answers come from the lines (not asked on a terminal)
        self._counted: list[Reply] = []  # replies that make the status (not the expected)
        self._flags: set[Exit] = set()  # AUTH without 235, a failed expectation
        self._warned_pipelining = False
        # The last step run and its replies, for the ?-lines that follow it.
        self._step: tuple[str, list[Reply]] | None = None
        self._checks = 0  # ?-lines checked against the last step so far
        # Every step and its replies, in order (replay and compare read them).
        self.steps: list[tuple[str, list[Reply]]] = []

    @property
    def status(self) -> Exit:
        """How the dialog went: a failed expectation, else the worst reply counted, else
        AUTH without 235."""
        if Exit.EXPECT in self._flags:
            return Exit.EXPECT
        status = Exit.OK
        for reply in self._counted:
            status = worse(status, reply)
        return Exit.AUTH if status == Exit.OK and Exit.AUTH in self._flags else status

    def account(self, replies: Iterable[Reply], step: str | None = None) -> None:
        """Count replies for the status; `step` names what they answer (for ?-lines)."""
        replies = list(replies)
        self._counted += replies
        if step is not None:
            self._step, self._checks = (step, replies), 0
            self.steps.append((step, replies))
        violation, self.session.violation = self.session.violation, None
        if violation is not None and self.script:
            # A script cannot know what such a server will do with the next line.
            raise Failure(_("the server broke the protocol: not going on"), Exit.PROTOCOL)

    def check(self, text: str, line: int = 0) -> None:
        """A ?-line: the reply to the last step (the k-th ?-line after a step checks its
        k-th reply: LMTP's replies after the dot, one per recipient)."""
        if self._step is None:
            self.session.warn(_("line {number}: {text} follows no command; ignored").format(
                number=line, text=text.strip()))
            return
        label, replies = self._step
        reply = replies[min(self._checks, len(replies) - 1)] if replies else None
        self._checks += 1
        try:
            ok = reply is not None and Expectation.parse(text).matches(reply)
        except BadExpectation as exc:
            self.session.warn(_("line {number}: ").format(number=line) + str(exc))
            ok = False
        if ok:
            # An expected refusal is a success: it no longer makes the status.
            self._counted = [r for r in self._counted if r is not reply]
        else:
            self._flags.add(Exit.EXPECT)
        self.session.emit(Checked(ok, text.strip(), reply, label, line))

    async def prelude(self, lines: list[str], require_tls: bool = False,
                      stop: bool = False) -> bool:
        """What --starttls, --auth and a profile type for the user; False if a step failed.

        An EHLO the server does not know (500/502) is followed by HELO, with a note (RFC
        5321 4.1.4). `stop`: leave the rest to the user after a step that failed (the
        shell); script mode goes on and lets the exit status say it.
        """
        session = self.session
        for typed in lines:
            if session.dialog.state == CLOSED:
                return False
            reply = await session.command(typed)
            verb, rest = split_command(typed)
            if verb == "EHLO" and reply.code in (500, 502):
                session.note(_("the server does not know EHLO: greeting with HELO instead"
                               " (RFC 5321 4.1.4); no extensions are known then"))
                reply = await session.command(f"HELO {rest}".strip())
            self.account([reply])
            failed = reply.klass != 2 or (verb == "STARTTLS" and not session.dialog.tls) or (
                verb == "AUTH" and not session.dialog.user)
            if require_tls and verb == "STARTTLS" and not session.dialog.tls:
                raise Failure(_("the server did not start TLS: not going on in clear text"),
                              Exit.TLS)
            if verb == "AUTH":
                self._auth_outcome()
            self._step = (typed, [reply])
            if failed and stop:
                session.warn(_("{verb} did not succeed: the rest is left to you").format(
                    verb=verb))
                return False
        return True

    async def run(self, source: LineSource, *, finish: bool = True) -> bool:
        """Run the lines of `source`; False when the connection closed before their end.

        `finish`: end a message left open at the end of input (script mode); a pasted
        block leaves it open for the lines typed next.
        """
        session = self.session
        if session.in_data:  # a block pasted at the data prompt starts with message text
            await self._message(source, finish)
        while (line := source.readline()) is not None:
            if _skip(line):
                continue
            if is_expectation(line):
                self.check(line, getattr(source, "lineno", 0))
                continue
            if line.lstrip().startswith(":"):
                await self._shell_line(line)
                continue
            if session.dialog.state == CLOSED:
                session.warn(_("the connection is closed; the rest of the script is not sent"))
                return False
            verb = split_command(line)[0]
            if verb in GROUP_ANYWHERE and self._pipelining():
                await self._run_group(line, source)
            else:
                self.account([await session.command(line)], step=line)
                if verb == "AUTH":
                    self._auth_outcome()
                    if self.script:
                        self._skip_unasked_answers(source)
            if session.in_data:
                await self._message(source, finish)
        return True

    def _auth_outcome(self) -> None:
        """A 2xx other than 235 ends AUTH unauthenticated (RFC 4954 6): the status says so."""
        from smtpsh import auth

        step = self.session.client.sasl_step
        if isinstance(step, auth.Done) and step.outcome is auth.Outcome.NOT_235:
            self._flags.add(Exit.AUTH)

    def _pipelining(self) -> bool:
        if not self.pipeline:
            return False
        if self.session.dialog.capabilities.has("PIPELINING"):
            return True
        if not self._warned_pipelining:
            self._warned_pipelining = True
            self.session.warn(_("the server did not advertise PIPELINING: one command at a"
                                " time (RFC 2920)"))
        return False

    async def _run_group(self, first: str, source: LineSource) -> None:
        """A pipelined group, with the ?-lines written under its commands checked after."""
        lines, checks = self._group(first, source)
        replies = await self.session.pipeline(lines)
        for i, line in enumerate(lines):
            mine = replies[i:i + 1]
            self.account(mine, step=line)
            for text, lineno in checks.get(i, []):
                self.check(text, lineno)

    @staticmethod
    def _group(first: str, source: LineSource) -> tuple[list[str], dict[int, list[tuple[str,
                                                                                       int]]]]:
        """`first` and the lines that may follow it in one group (RFC 2920 3.1), and the
        ?-lines written under each (by index in the group)."""
        group = [first]
        checks: dict[int, list[tuple[str, int]]] = {}
        while (line := source.readline()) is not None:
            if _skip(line):
                continue
            if is_expectation(line):
                checks.setdefault(len(group) - 1, []).append(
                    (line, getattr(source, "lineno", 0)))
                continue
            verb = split_command(line)[0]
            if line.lstrip().startswith(":") or not (
                    verb in GROUP_ANYWHERE or verb in GROUP_LAST) or verb == "BDAT":
                source.unread(line)
                break
            group.append(line)
            if verb in GROUP_LAST:
                break
        return group, checks

    def _skip_unasked_answers(self, source: LineSource) -> None:
        """A refused AUTH asked for nothing: its answer lines must not go out as commands.

        The lines a script holds for a mechanism smtpsh runs (user name, password...) are
        skipped, never shown; a password sent as a command would reach the server in clear.
        """
        exchange = self.session.last_exchange
        if exchange is None or exchange.manual or self.session.dialog.user:
            return
        left = exchange.remaining_inputs()
        skipped = 0
        for _input in left:
            line = source.readline()
            if line is None:
                break
            self.session.add_secret(line)
            skipped += 1
        if skipped:
            self.session.note(_("AUTH ended before asking for them: the next {count} line(s)"
                                " (its answers) are skipped, not sent as commands").format(
                                    count=skipped))

    async def _message(self, source: LineSource, finish: bool) -> None:
        session = self.session
        # ?-lines right after DATA check its 354: the first line of a message is a header
        # field, which in practice never starts with "?".
        while (line := source.readline()) is not None:
            if not is_expectation(line):
                source.unread(line)
                break
            self.check(line, getattr(source, "lineno", 0))
        transaction = session.client.transaction
        if transaction.rcpts_sent and not transaction.accepted:
            session.note(_("354 though no recipient was accepted: the message text is skipped"
                           " and the message ended empty (RFC 2920 3.1)"))
            for _line in source.message():
                pass
            self.account(await session.data_end(), step="the end of the message")
            return
        await stream_message(session, source.message(), end=False)
        if not source.ended_by_dot:
            if not finish:
                return  # a pasted block: the message goes on with the lines typed next
            session.note(_("end of input inside DATA: ending the message with the lone dot"))
        self.account(await session.data_end(), step="the end of the message")

    async def _shell_line(self, line: str) -> None:
        if self.shell_line is not None:
            await self.shell_line(line)
            return
        from smtpsh.protocol import unescape

        word, _sep, rest = line.strip().partition(" ")
        if word == ":raw" and rest and self.session.dialog.state != CLOSED:
            self.account(await self.session.raw(unescape(rest)), step=line.strip())
        else:
            self.session.warn(_("{command}: shell commands other than :raw work in the"
                                " interactive shell only; line skipped").format(command=word))
