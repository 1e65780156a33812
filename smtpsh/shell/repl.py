"""The interactive shell: a prompt_toolkit prompt in front of a Session.

One loop: read a line with `prompt_async` while a watch task prints whatever the server sends
unasked, stop the watch, run the line (an SMTP command, a line of the message, or a ':'
command), repeat. Events from the session are rendered once: kept as plain text for `:save`
and printed above the prompt in colour. Nothing raised below reaches the user as a traceback.

Every wait is shown while it lasts: between prompts a status line with a spinner says what
the session waits for and since when ("waiting for the reply to EHLO x (3 s)..."), or how far
:send is; Ctrl-C (SIGINT: between prompts the terminal is not in raw mode) cancels the wait
and the shell says where the connection stands then.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
import time
from collections.abc import Callable, Coroutine
from dataclasses import replace
from typing import TYPE_CHECKING, Any, TypeVar

from prompt_toolkit import PromptSession
from prompt_toolkit.auto_suggest import AutoSuggestFromHistory, DynamicAutoSuggest
from prompt_toolkit.completion import DynamicCompleter
from prompt_toolkit.history import History, InMemoryHistory
from prompt_toolkit.lexers import DynamicLexer, Lexer
from prompt_toolkit.patch_stdout import patch_stdout

from smtpsh.config import Config, ConfigError, load, record_crash, state_dir
from smtpsh.exitcodes import Exit, Failure
from smtpsh.i18n import _
from smtpsh.oswords import reason
from smtpsh.protocol import MAIL, RCPT, Reply, split_command
from smtpsh.render import Fragments
from smtpsh.runner import Runner
from smtpsh.session import ConnectOptions, Interaction, Session
from smtpsh.settings import starttls_lines
from smtpsh.shell import commands
from smtpsh.shell.completer import SmtpCompleter
from smtpsh.shell.history import SafeHistory
from smtpsh.shell.keys import (
    CHOICES,
    CTRL_C_CHOICE,
    keys_wait_for_prompt,
    quiet_input,
    shell_bindings,
)
from smtpsh.shell.screen import Screen
from smtpsh.shell.state import ShellState
from smtpsh.shell.style import build_style, color_depth
from smtpsh.shell.toolbar import toolbar
from smtpsh.transcript import Redactor, Transcript

if TYPE_CHECKING:
    from smtpsh.sandbox import Sandbox
    from smtpsh.settings import Settings


T = TypeVar("T")
TICK = 0.1  # seconds between two draws of the status line
SHOW_AFTER = 0.25  # a wait shorter than this is not shown (no flicker on a fast server)
SPINNER = "|/-\\"
GREETING = "the greeting"  # the session's name for the greeting's wait


def wait_text(waiting: str, seconds: float, host: str = "") -> str:
    """What the session waits for, as the shell says it: "waiting for the reply to EHLO x
    (3 s)...", "connecting to mx.example.org port 25 (2 s)..."."""
    if waiting == _(GREETING):
        waiting = (_("the greeting of {host}").format(host=host) if host
                   else _("the server's greeting"))
    # The session's wait for the connection says itself what it is ("connecting to ...").
    connecting = _("connecting to {host} port {port}").partition("{")[0]
    what = waiting if waiting.startswith(connecting) else _("waiting for {what}").format(
        what=waiting)
    return _("{what} ({seconds} s)...").format(what=what, seconds=int(seconds))


def _smtp_lexer() -> Lexer | None:
    try:
        from prompt_toolkit.lexers import PygmentsLexer

        from smtpsh.lexer import SmtpLexer
    except ImportError:
        return None
    return PygmentsLexer(SmtpLexer)


class _Asker(Interaction):
    """How the session asks the user something mid-dialog (AUTH): a prompt of its own."""

    def __init__(self, shell: Shell) -> None:
        self.shell = shell

    async def ask(self, prompt: str, secret: bool) -> str | None:
        return await self.shell.ask(prompt, secret)

    async def confirm(self, question: str) -> bool:
        answer = await self.shell.ask(question + _(" [y/N] "), False)
        # y/yes always (scripts and habits); the language's own word too (j/ja in German).
        return (answer or "").strip().lower() in ("y", "yes", _("y"), _("yes"))

    async def chunk(self, size: int) -> bytes | None:
        """BDAT's octets, typed as lines (each ended by CRLF) until `size` are there."""
        self.shell.screen.note(_("type the {size} octets of the chunk; each line counts with"
                                 " its CRLF").format(size=size))
        data = b""
        while len(data) < size:
            line = await self.shell.ask("bdat> ", False)
            if line is None:
                return None
            data += line.encode() + b"\r\n"
        return data


class Shell:
    """One interactive session: the prompt, the screen, the state; the loop in `run`.

    What the shell's commands use of it is `commands.ShellApi`.
    """

    def __init__(self, settings: Settings, config: Config | None = None, *,
                 options: ConnectOptions | None = None, transcript: Transcript | None = None,
                 redactor: Redactor | None = None, credentials: dict[str, str] | None = None,
                 sandbox: Sandbox | None = None,
                 prompt_session: PromptSession[str] | None = None) -> None:
        self.settings = settings
        self.config = config or Config()
        self.sandbox = sandbox
        self.state = ShellState()
        self.screen = Screen(lambda: self.prompt.app.output, build_style(),
                             color_depth(settings.color), guide=settings.guide,
                             explain=self.config.explain)
        self.done = False
        self._startup_warnings: list[str] = []
        self.prompts = 0  # prompts shown so far (tests wait on it)
        self._cut = ""  # the line being typed when Ctrl-C came
        self._restore = ""  # text to put back in the next prompt's buffer
        self._watch: asyncio.Task[None] | None = None
        self._work: asyncio.Task[Any] | None = None  # what Ctrl-C cancels between prompts
        self._ticker: asyncio.Task[None] | None = None  # draws the status line
        # What :send says of its progress while it streams (the status line shows it).
        self.progress: Callable[[], str] | None = None
        # The shell's session shows its events on the shell's screen and asks through its
        # prompt.
        self.session = Session(self.screen.emit, options or settings.connect_options(),
                               transcript, redactor, _Asker(self), credentials)
        self._base_options = self.session.options
        self.prompt = prompt_session or PromptSession(history=self._history(),
                                                      input=quiet_input())
        self._configure(self.prompt)

    # --- building the prompt -----------------------------------------------------------

    def _history(self) -> History:
        if not self.config.history:
            return InMemoryHistory()
        try:
            return SafeHistory(state_dir() / "history",
                               lambda: (self.plain_input, self.screen.after_334))
        except OSError as exc:
            self._startup_warnings.append(
                _("no history file ({error}); history is kept in memory only").format(
                    error=reason(exc)))
            return InMemoryHistory()

    @property
    def plain_input(self) -> bool:
        """Message text or an answer to the session: not SMTP, and never kept in history."""
        return self.session.in_data or self.state.asking

    def _configure(self, p: PromptSession[str]) -> None:
        lexer = _smtp_lexer()
        suggest = AutoSuggestFromHistory()
        completer = SmtpCompleter(lambda: self.session.dialog, lambda: self.state.addresses,
                                  tuple(self.config.profiles))
        p.completer = DynamicCompleter(lambda: None if self.state.asking else completer)
        p.complete_while_typing = True
        # No SMTP colouring and no suggestions from typed commands in plain input.
        p.lexer = DynamicLexer(lambda: None if self.plain_input else lexer)
        p.auto_suggest = DynamicAutoSuggest(lambda: None if self.plain_input else suggest)
        p.bottom_toolbar = self._toolbar
        p.style = self.screen.style
        # Only the shell's own colours (render.STYLES): Pygments' default style is made for
        # light backgrounds (addresses in dark navy).
        p.include_default_pygments_style = False
        p.color_depth = self.screen.color_depth
        p.key_bindings = shell_bindings(self.state, p.key_bindings)

    def _toolbar(self) -> Fragments:
        text = self.prompt.default_buffer.document.text_before_cursor
        return toolbar(text, self.session.dialog, self.session.connected,
                       guide=self.settings.guide, waiting=self.wait_line())

    def wait_line(self) -> str | None:
        """What the shell is waiting for now, and since when; None when nothing (or not for
        long: SHOW_AFTER)."""
        if self.progress is not None:
            return self.progress()
        session = self.session
        waiting, started = session.waiting, session.wait_started
        if waiting is None or time.monotonic() - started < SHOW_AFTER:
            return None
        return wait_text(waiting, time.monotonic() - started, session.host)

    def _status(self) -> Fragments | None:
        line = self.wait_line()
        if line is None:
            return None
        spin = SPINNER[int(time.monotonic() / TICK) % len(SPINNER)]
        return [("class:note", f"{spin} {line} "), ("class:timing", _("Ctrl-C cancels"))]

    async def _tick(self) -> None:
        """Between prompts, the status line; while a prompt runs, its toolbar kept fresh
        when something is waited for."""
        while True:
            await asyncio.sleep(TICK)
            try:
                app = self.prompt.app
                if app.is_running:
                    if self.session.waiting is not None or self.progress is not None:
                        app.invalidate()
                else:
                    self.screen.status(self._status())
            except Exception:  # noqa: BLE001, S112 - a status line must never end the shell
                continue

    def message(self) -> Fragments:
        """`smtp HOST:PORT [tls user] state> `, or `data> ` inside DATA."""
        session, dialog = self.session, self.session.dialog
        if session.in_data:
            return [("class:prompt.data", "data> ")]
        if not self.state.host:  # no server yet (a lesson that starts by finding it)
            return [("class:prompt", "smtp> ")]
        host = f"[{self.state.host}]" if ":" in self.state.host else self.state.host
        out: Fragments = [("class:prompt", f"smtp {host}:{self.state.port}")]
        marks = (["tls"] if dialog.tls else []) + ([dialog.user] if dialog.user else [])
        if marks and session.connected:
            out += [("", " "), ("class:prompt.tls", f"[{' '.join(marks)}]")]
        where = "closed" if not session.connected else {MAIL: "mail", RCPT: "rcpt"}.get(
            dialog.state)
        if where:
            out += [("", " "), ("class:prompt.state", where)]
        return out + [("class:prompt", "> ")]

    # --- connection --------------------------------------------------------------------

    async def connect(self, host: str, port: int, *, tls: str = "none",
                      prelude: list[str] | None = None) -> bool:
        """Leave the current server politely, connect, then send `prelude` (shown).

        tls: "implicit" for TLS from the first byte, "starttls" for EHLO, STARTTLS, EHLO.
        """
        await self.hang_up()
        self.state.aim(host, port, tls)
        implicit = tls == "implicit" or self._base_options.implicit_tls
        self.session.options = replace(self._base_options, implicit_tls=implicit)
        before = self.session.transport
        try:
            await self.session.connect(host, port)
        except Failure as exc:
            self.state.failure = exc
            self.screen.warn(str(exc))
            await self._give_up()  # no half-open connection left behind
            if self.state.back():  # :reconnect goes back to a server that worked
                self.screen.note(_("not connected: :reconnect goes back to {host} port {port}")
                                 .format(host=self.state.host, port=self.state.port))
            return False
        except asyncio.CancelledError:  # Ctrl-C: the shell gave up, the server did not close
            opened = self.session.transport is not before  # TCP (and TLS) done, no greeting
            self.screen.note((_("gave up waiting for the greeting of {host} port {port}")
                              if opened else
                              _("gave up waiting for the connection to {host} port {port}"))
                             .format(host=host, port=port))
            self.state.back()  # :reconnect goes back to a server that worked
            await self._give_up()
            raise
        self.state.arrived()
        if tls == "starttls":
            prelude = [*starttls_lines(self.settings.ehlo, self.settings.lmtp), *(prelude or [])]
        await self.run_prelude(prelude or [])
        return True

    async def run_prelude(self, lines: list[str]) -> None:
        """Commands the shell types for the user (--starttls, --auth, a profile)."""
        typed, self.screen.typed = self.screen.typed, False
        try:
            await Runner(self.session, script=False).prelude(lines, stop=True)
        finally:
            self.screen.typed = typed

    async def _give_up(self) -> None:
        """Close the connection at once, without QUIT: it never got as far as a dialog, or
        it is in the middle of a message the server must drop."""
        self.session.abort()
        await self.session.close()

    async def drop_message(self) -> None:
        """Ctrl-C during :send: no final dot (inside DATA nothing else aborts a message,
        RFC 5321 4.1.1.4); the connection is closed so that the server drops it."""
        self.screen.warn(_("message not ended: connection closed so that the server drops it"))
        await self._give_up()

    async def hang_up(self) -> None:
        """QUIT if connected (closing without it inside DATA, where QUIT would be text)."""
        session = self.session
        if session.connected and session.in_data:
            self.screen.note(_("closing inside DATA: the server drops the unfinished message"))
        elif session.connected:
            with contextlib.suppress(Failure):
                await self.command("QUIT")
        await session.close()

    async def command(self, line: str) -> Reply:
        """Send a command the shell chose (shown on screen, unlike a typed one)."""
        typed, self.screen.typed = self.screen.typed, False
        try:
            return await self.session.command(line)
        finally:
            self.screen.typed = typed

    async def end_data(self) -> None:
        await self.session.data_end()

    async def ask(self, prompt: str, secret: bool) -> str | None:
        """A question from the session, in the middle of a command; None if cancelled."""
        self.state.asking = True
        self.prompts += 1
        self.screen.flush()  # what waits is printed before the prompt is drawn under it
        self.screen.status(None)
        try:
            return await self.prompt.prompt_async(prompt, is_password=secret)
        except (KeyboardInterrupt, EOFError):
            return None
        finally:
            self.state.asking = False
            self._arm_ctrl_c()  # the prompt took Ctrl-C over and let it go when it ended

    # --- the watch task ----------------------------------------------------------------

    def _start_watch(self) -> None:
        if self.session.connected and self._watch is None:
            self._watch = asyncio.create_task(self._watch_server())

    async def _stop_watch(self) -> None:
        task, self._watch = self._watch, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _watch_server(self) -> None:
        try:
            await self.session.watch()
        except Failure as exc:
            self._failed(exc)
            return
        except Exception as exc:  # noqa: BLE001 - shown in one line, the shell goes on
            self.screen.warn(_("error while reading from the server: {error}").format(
                error=exc))
        if not self.session.connected:
            self._offer_reconnect()
        with contextlib.suppress(Exception):
            self.prompt.app.invalidate()  # the prompt shows the new state

    def _failed(self, exc: Failure) -> None:
        """A failure in one line, and the way back when the connection is gone."""
        if self.session.connected or exc.exit != Exit.LOST:
            self.screen.warn(str(exc))  # (a lost connection was already reported by the session)
        if not self.session.connected:
            self._offer_reconnect()
        with contextlib.suppress(Exception):
            self.prompt.app.invalidate()  # the prompt shows the new state

    def _offer_reconnect(self) -> None:
        self.screen.note(_("not connected: :reconnect connects to {host} port {port} again")
                         .format(host=self.state.host, port=self.state.port))

    # --- the loop ----------------------------------------------------------------------

    async def run(self, host: str, port: int, greeting: Reply | None = None,
                  prelude: list[str] | None = None) -> int:
        """Connect (unless `greeting` says it is done), then read and run lines until quit."""
        with keys_wait_for_prompt(self._input_fd()):
            return await self._run(host, port, greeting, prelude)

    async def _run(self, host: str, port: int, greeting: Reply | None,
                   prelude: list[str] | None) -> int:
        for text in self._startup_warnings:
            self.screen.warn(text)
        self.state.prelude = list(prelude or [])
        self._ticker = asyncio.create_task(self._tick())
        try:
            if greeting is not None:
                self.state.aim(self.session.host, self.session.port)
                self.state.arrived()
                await self._interruptible(self.run_prelude(prelude or []))
            elif host and await self._interruptible(
                    self.connect(host, port, prelude=prelude)) is False:
                # (interrupted: None, and the prompt comes, not connected)
                return self.state.failure.exit if self.state.failure else Exit.CONNECT
            with patch_stdout(raw=True):  # stray writes go above the prompt, not through it
                while not self.done:
                    await self._step()
        except Exception as exc:  # noqa: BLE001 - the promise: no traceback, ever
            self._crash(exc)
            return Exit.ERROR
        finally:
            if self._ticker is not None:
                self._ticker.cancel()
            self.screen.status(None)
            await self._stop_watch()
            with contextlib.suppress(Exception):
                await self.session.close()
            with contextlib.suppress(Exception):
                self.screen.flush()  # the last lines, before the shell returns
        return Exit.OK

    async def _step(self) -> None:
        got = await self._read()
        try:
            if isinstance(got, KeyboardInterrupt):
                await self._interruptible(self._on_ctrl_c())
            elif isinstance(got, EOFError):
                await self._interruptible(self._on_ctrl_d())
            else:
                await self._interruptible(self._run_line(got))
        except Failure as exc:
            self._failed(exc)
        except Exception as exc:  # noqa: BLE001 - one bad line must not end the shell
            self._crash(exc)

    async def _read(self, message: Any = None) -> str | KeyboardInterrupt | EOFError:
        """One line from the user, with the server watched meanwhile; Ctrl-C/D as values."""
        self._start_watch()
        self.prompts += 1
        default, self._restore = self._restore, ""
        self.screen.flush()  # what waits is printed before the prompt is drawn under it
        self.screen.status(None)
        try:
            return await self.prompt.prompt_async(message or self.message,
                                                  is_password=False, default=default)
        except KeyboardInterrupt as exc:
            self._cut = self.prompt.default_buffer.text  # put back if the user keeps typing
            return exc
        except EOFError as exc:
            return exc
        finally:
            await self._stop_watch()

    async def _choose(self, question: str) -> str:
        """One key of CHOICES, without Enter; 'k' for Enter, Escape, Ctrl-C or Ctrl-D."""
        self.state.choosing = True
        try:
            answer = await self._read(question)
        finally:
            self.state.choosing = False
            self._cut = ""
            self._arm_ctrl_c()  # the prompt took Ctrl-C over and let it go when it ended
        return answer if isinstance(answer, str) and answer in CHOICES else "k"

    async def _interruptible(self, work: Coroutine[Any, Any, T]) -> T | None:
        """Run `work`; Ctrl-C stops waiting for it (None), and says where things stand."""
        task = self._work = asyncio.ensure_future(work)
        self._arm_ctrl_c()
        try:
            return await task
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if current is not None and current.cancelling():
                raise
            self.screen.status(None)
            self._interrupted()
            return None
        finally:
            self._work = None
            self.screen.status(None)
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                asyncio.get_running_loop().remove_signal_handler(signal.SIGINT)

    def interrupt(self) -> bool:
        """Ctrl-C between prompts: cancel what the shell is doing; False if nothing."""
        if self._work is None or self._work.done():
            return False
        self._work.cancel()
        return True

    def _interrupted(self) -> None:
        """After Ctrl-C: the state of the connection, as it truly is."""
        session = self.session
        if not session.connected:
            self.screen.note(_("interrupted: not connected"))
            if self.state.host:
                self._offer_reconnect()
        elif session.client.pending:
            due = session.client.pending[0].label
            due = _(GREETING) if due == _(GREETING) else _("the reply to {command}").format(
                command=due)
            self.screen.note(_("interrupted: still connected; {due} is still due and shown"
                               " when it comes").format(due=due))
        elif session.in_data:
            self.screen.note(_("interrupted: still connected, in the message text (DATA)"))
        else:
            self.screen.note(_("interrupted: still connected"))

    def _input_fd(self) -> int:
        try:
            return self.prompt.input.fileno()
        except (NotImplementedError, OSError, ValueError):
            return -1

    def _arm_ctrl_c(self) -> None:
        if self._work is None:
            return
        try:
            asyncio.get_running_loop().add_signal_handler(signal.SIGINT, self.interrupt)
        except (NotImplementedError, RuntimeError, ValueError):
            pass  # not in the main thread: Ctrl-C keeps its default meaning

    async def _run_line(self, line: str) -> None:
        if "\n" in line or "\r" in line:
            await self._run_block(line.splitlines())
            return
        self.screen.typed = True
        try:
            if self.session.in_data:
                await self._data_line(line)
            elif line.lstrip().startswith(commands.PREFIX):
                await commands.run(self, line)
            elif line.strip():
                self.state.remember(line)
                await self.session.command(line)
                if split_command(line)[0] == "QUIT" and not self.session.connected:
                    self._after_quit()
        finally:
            self.screen.typed = False

    async def _run_block(self, lines: list[str]) -> None:
        """A pasted block: the lines as a script, pipelined where the server allows it
        (RFC 2920), each shown as sent; a message left open stays open for typing."""
        from smtpsh.script import ScriptInput

        for line in lines:
            self.state.remember(line)
        runner = Runner(self.session, pipeline=True, script=False,
                        shell_line=lambda line: commands.run(self, line))
        await runner.run(ScriptInput(lines=lines), finish=False)
        if not self.session.connected and any(split_command(x)[0] == "QUIT" for x in lines):
            self._after_quit()

    def _after_quit(self) -> None:
        """A typed QUIT ends the connection, not the shell."""
        self.screen.note(_("closed: :reconnect connects again, :save keeps the dialog; Ctrl-D"
                           " or :quit leaves"))

    async def _data_line(self, line: str) -> None:
        if line == ".":
            await self.end_data()
        elif line.startswith(commands.PREFIX * 2) and commands.is_command(line[1:]):
            await self.session.data_line(line[1:])  # '::' escapes a line that is a command
        elif not (line.startswith(commands.PREFIX) and await commands.run(self, line, True)):
            await self.session.data_line(line)

    async def _on_ctrl_c(self) -> None:
        cut, self._cut = self._cut, ""
        if not self.session.in_data:
            return  # the line is dropped; a fresh prompt follows
        self.screen.note(_("SMTP cannot abort a message inside DATA (RFC 5321 4.1.1.4): the"
                           " lone dot ends it and the server may deliver it; only closing the"
                           " connection drops it."))
        choice = await self._choose(_(CTRL_C_CHOICE))
        if not self.session.in_data:
            return  # the server ended it meanwhile (shown above)
        if cut and choice != "k":
            self.screen.note(_("the unfinished line is not sent"))
        if choice == "e":
            await self.end_data()
        elif choice == "x":
            await self.hang_up()
            self._offer_reconnect()
        else:
            self._restore = cut  # back in the data prompt, as it was
            self.screen.note(_("keep typing; a line with only '.' ends the message"))

    async def _on_ctrl_d(self) -> None:
        if self.session.in_data:
            self.screen.note(_("Ctrl-D: ending the message (the lone dot)"))
            await self.end_data()
            return
        await self.hang_up()
        self.done = True

    def _crash(self, exc: BaseException) -> None:
        """An internal error in one line; the details go to a file for a bug report."""
        where = record_crash(exc)
        detail = _(" (details in {file})").format(file=where) if where else ""
        with contextlib.suppress(Exception):
            self.screen.warn(_("internal error") + f": {type(exc).__name__}: {exc}{detail}")


def make_shell(settings: Settings, *, transcript: Transcript | None = None,
               redactor: Redactor | None = None,
               credentials: dict[str, str] | None = None) -> Shell:
    """The interactive shell with the user's config (or the defaults, said in one line)."""
    try:
        config = load()
    except ConfigError as exc:
        config = Config()
        sys.stderr.write("smtpsh: " + _("config ignored: {error}").format(error=exc) + "\n")
    return Shell(settings, config, transcript=transcript, redactor=redactor,
                 credentials=credentials)

