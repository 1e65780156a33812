"""The interactive shell: a prompt_toolkit prompt in front of a Session.

One loop: read a line with `prompt_async` while a watch task prints whatever the server sends
unasked, stop the watch, run the line (an SMTP command, a line of the message, or a ':'
command), repeat. Events from the session are rendered once: kept as plain text for `:save`
and printed above the prompt in colour. Nothing raised below reaches the user as a traceback.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import signal
import sys
from collections import deque
from collections.abc import Coroutine, Iterator
from contextlib import AbstractContextManager
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from prompt_toolkit import PromptSession, print_formatted_text
from prompt_toolkit.application import get_app_session
from prompt_toolkit.auto_suggest import AutoSuggestFromHistory, DynamicAutoSuggest
from prompt_toolkit.completion import DynamicCompleter
from prompt_toolkit.filters import Condition
from prompt_toolkit.formatted_text import FormattedText
from prompt_toolkit.history import History, InMemoryHistory
from prompt_toolkit.input import Input
from prompt_toolkit.key_binding import (
    ConditionalKeyBindings,
    KeyBindings,
    KeyPressEvent,
    merge_key_bindings,
)
from prompt_toolkit.lexers import DynamicLexer, Lexer
from prompt_toolkit.output import ColorDepth
from prompt_toolkit.patch_stdout import patch_stdout
from prompt_toolkit.styles import Style

from smtpsh.config import Config, ConfigError, load, record_crash, state_dir
from smtpsh.exitcodes import Exit, Failure
from smtpsh.protocol import END_OF_DATA, MAIL, RCPT, Reply, split_command
from smtpsh.render import STYLES, Fragments, meaning, render, to_plain, use_color
from smtpsh.session import Interaction, Note, Output, Received, Sent, Session, Warn
from smtpsh.settings import starttls_lines
from smtpsh.shell import commands
from smtpsh.shell.completer import SmtpCompleter
from smtpsh.shell.history import SafeHistory
from smtpsh.shell.toolbar import toolbar

if TYPE_CHECKING:
    from smtpsh.sandbox import Sandbox
    from smtpsh.settings import Settings

_ADDRESS = re.compile(r"\b(?:FROM|TO)\s*:\s*<([^<>\s]+)>", re.IGNORECASE)
MRU_SIZE = 50
# Ctrl-C inside DATA: one key, no Enter. Enter and Escape (and Ctrl-C again) keep typing.
CTRL_C_CHOICE = ("e: end the message now · k (or Enter): keep typing ·"
                 " x: close the connection ")
CHOICES = "ekx"
# The prompt's own classes, coloured from render.STYLES so colours live in one table.
_UI_STYLES = {
    "prompt": "bold",
    "prompt.tls": STYLES["reply.2"][0],
    "prompt.state": STYLES["reply.3"][0],
    "prompt.data": STYLES["reply.3"][0],
}


def build_style() -> Style:
    rules = {name: pt for name, (pt, _) in STYLES.items() if pt}
    return Style.from_dict(rules | _UI_STYLES)


def color_depth(choice: str) -> ColorDepth | None:
    """--color: never -> monochrome; always -> colour even with NO_COLOR; auto -> as the tty."""
    if not use_color(choice, sys.stdout):
        return ColorDepth.DEPTH_1_BIT
    return ColorDepth.DEPTH_8_BIT if choice == "always" else None


@contextlib.contextmanager
def keys_wait_for_prompt(fd: int) -> Iterator[None]:
    """Between prompts, keys typed ahead are not echoed and not taken as line edits.

    prompt_toolkit puts the tty in raw mode only while a prompt runs. In cooked mode, a
    Ctrl-D typed during a slow reply would be swallowed as an end of file, and other keys
    echoed through the output; with ICANON and ECHO off they wait, intact, for the next
    prompt. ISIG stays on, so Ctrl-C still interrupts a command.
    """
    try:
        import termios
    except ImportError:  # not POSIX
        yield
        return
    try:
        old = termios.tcgetattr(fd)
    except (OSError, ValueError, termios.error):
        yield  # not a terminal (tests, pipes): nothing to do
        return
    new = list(old)
    new[3] &= ~(termios.ICANON | termios.ECHO)
    termios.tcsetattr(fd, termios.TCSANOW, new)
    try:
        yield
    finally:
        termios.tcsetattr(fd, termios.TCSANOW, old)


def _quiet_input() -> Input | None:
    """The terminal input, but printing above the prompt no longer echoes typed keys.

    prompt_toolkit prints above a running prompt (run_in_terminal) in the tty's cooked mode,
    where the kernel echoes keys typed meanwhile into the output. Here "cooked" is the mode
    of keys_wait_for_prompt: the keys wait, unechoed, for the prompt to read them.
    """
    try:
        from prompt_toolkit.input.vt100 import Vt100Input
    except ImportError:  # not POSIX
        return None
    current = get_app_session().input
    if type(current) is not Vt100Input:  # a pipe (tests) or another kind of input
        return None

    class QuietInput(Vt100Input):
        def cooked_mode(self) -> AbstractContextManager[None]:
            return keys_wait_for_prompt(self.fileno())

    return QuietInput(current.stdin)


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
        answer = await self.shell.ask(f"{question} [y/N] ", False)
        return (answer or "").strip().lower() in ("y", "yes")

    async def chunk(self, size: int) -> bytes | None:
        """BDAT's octets, typed as lines (each ended by CRLF) until `size` are there."""
        self.shell.note(f"type the {size} octets of the chunk; each line counts with its CRLF")
        data = b""
        while len(data) < size:
            line = await self.shell.ask("bdat> ", False)
            if line is None:
                return None
            data += line.encode() + b"\r\n"
        return data


class Shell:
    """The state of one interactive session: what commands, completer and toolbar read."""

    def __init__(self, settings: Settings, session: Session, config: Config | None = None, *,
                 sandbox: Sandbox | None = None,
                 prompt_session: PromptSession[str] | None = None) -> None:
        self.settings = settings
        self.session = session
        self.config = config or Config()
        self.sandbox = sandbox
        self.host, self.port, self.tls_mode = "", 0, "none"
        self.prelude: list[str] = []  # what --starttls/--auth send, again on :reconnect
        self.lines: list[str] = []  # the dialog as plain text (C:/S:/--/!!), for :save
        self.addresses: deque[str] = deque(maxlen=MRU_SIZE)
        self.done = False
        self.failure: Failure | None = None  # why the last connect failed
        self._startup_warnings: list[str] = []
        self.after_334 = False  # the last reply was a SASL challenge
        self.prompts = 0  # prompts shown so far (tests wait on it)
        self._asking = False  # a question from the session (AUTH) is on the prompt
        self._typed = False  # running a line the user typed: its echo is already on screen
        self._last_sent = ""  # the last command line sent (not message text), for the guide
        self.target: tuple[str, int, str] | None = None  # the last server that connected
        self._choosing = False  # a single-key choice is on the prompt (Ctrl-C in DATA)
        self._cut = ""  # the line being typed when Ctrl-C came
        self._restore = ""  # text to put back in the next prompt's buffer
        self._watch: asyncio.Task[None] | None = None
        self._work: asyncio.Task[None] | None = None  # what Ctrl-C cancels between prompts
        self._base_options = session.options
        self.style = build_style()
        self.color_depth = color_depth(settings.color)
        # The session was made with script mode's printer; the shell renders events itself.
        session.output = self.emit
        session.interaction = _Asker(self)
        self.prompt = prompt_session or PromptSession(history=self._history(),
                                                      input=_quiet_input())
        self._configure(self.prompt)

    # --- building the prompt -----------------------------------------------------------

    def _history(self) -> History:
        if not self.config.history:
            return InMemoryHistory()
        try:
            return SafeHistory(state_dir() / "history",
                               lambda: (self.plain_input, self.after_334))
        except OSError as exc:
            self._startup_warnings.append(
                f"no history file ({exc.strerror}); history is kept in memory only")
            return InMemoryHistory()

    @property
    def plain_input(self) -> bool:
        """Message text or an answer to the session: not SMTP, and never kept in history."""
        return self.session.in_data or self._asking

    def _configure(self, p: PromptSession[str]) -> None:
        lexer = _smtp_lexer()
        suggest = AutoSuggestFromHistory()
        completer = SmtpCompleter(lambda: self.session.dialog, lambda: self.addresses,
                                  tuple(self.config.profiles))
        p.completer = DynamicCompleter(lambda: None if self._asking else completer)
        p.complete_while_typing = True
        # No SMTP colouring and no suggestions from typed commands in plain input.
        p.lexer = DynamicLexer(lambda: None if self.plain_input else lexer)
        p.auto_suggest = DynamicAutoSuggest(lambda: None if self.plain_input else suggest)
        p.bottom_toolbar = self._toolbar
        p.style = self.style
        # Only the shell's own colours (render.STYLES): Pygments' default style is made for
        # light backgrounds (addresses in dark navy).
        p.include_default_pygments_style = False
        p.color_depth = self.color_depth
        choice = ConditionalKeyBindings(self._choice_bindings(), Condition(lambda: self._choosing))
        p.key_bindings = merge_key_bindings([p.key_bindings, choice]) if p.key_bindings else choice

    def _choice_bindings(self) -> KeyBindings:
        """Keys of a single-key choice: one of CHOICES, Enter/Escape for 'k', others ignored."""
        kb = KeyBindings()

        def choose(event: KeyPressEvent, key: str) -> None:
            event.current_buffer.text = key  # the prompt's last frame shows the answer
            event.app.exit(result=key)

        for key in CHOICES:
            for k in (key, key.upper()):
                kb.add(k)(lambda event, key=key: choose(event, key))
        kb.add("enter")(lambda event: choose(event, "k"))
        kb.add("escape", eager=True)(lambda event: choose(event, "k"))
        # Anything else (letters, a paste, history and completion keys) is not an answer and
        # does not edit the prompt either.
        for other in ("<any>", "<bracketed-paste>", "up", "down", "c-p", "c-n", "c-r", "c-s",
                      "tab", "s-tab"):
            kb.add(other)(lambda event: None)
        return kb

    def _toolbar(self) -> Fragments:
        text = self.prompt.default_buffer.document.text_before_cursor
        return toolbar(text, self.session.dialog, self.session.connected,
                       guide=self.settings.guide)

    def message(self) -> Fragments:
        """`smtp HOST:PORT [tls user] state> `, or `data> ` inside DATA."""
        session, dialog = self.session, self.session.dialog
        if session.in_data:
            return [("class:prompt.data", "data> ")]
        host = f"[{self.host}]" if ":" in self.host else self.host
        out: Fragments = [("class:prompt", f"smtp {host}:{self.port}")]
        marks = (["tls"] if dialog.tls else []) + ([dialog.user] if dialog.user else [])
        if marks and session.connected:
            out += [("", " "), ("class:prompt.tls", f"[{' '.join(marks)}]")]
        state = "closed" if not session.connected else {MAIL: "mail", RCPT: "rcpt"}.get(
            dialog.state)
        if state:
            out += [("", " "), ("class:prompt.state", state)]
        return out + [("class:prompt", "> ")]

    # --- output ------------------------------------------------------------------------

    def emit(self, event: Output) -> None:
        """The session's events: kept for :save, shown unless it echoes what was typed."""
        frags = render(event)
        if isinstance(event, Sent) and not event.data:
            self._last_sent = event.text
        if isinstance(event, Received):
            self.after_334 = event.reply.code == 334
            why = None
            if self.settings.guide and event.reply.is_error:
                from smtpsh.guide import explain_reject

                why = explain_reject(self._answered(event), event.reply)
            if why:
                frags += [("", "\n"), ("class:explain", f"   = {why}")]
            elif self.config.explain:
                frags += meaning(event.reply)
        self.lines.append(to_plain(frags))
        if isinstance(event, Sent) and self._typed:
            self._typed = False  # only the typed line itself is on screen already; what
            return  # the shell sends for it (AUTH answers, base64) is shown
        self.show(frags)

    def _answered(self, event: Received) -> str:
        """The command line `event` answers, whoever sent it (the user, :send, a prelude).

        The last command line sent, unless the dialog matched the reply to another verb:
        then that verb (an AUTH answer is base64, maybe hidden, but the reply is AUTH's).
        The reply to the message's dot answers DATA.
        """
        line, verb = self._last_sent, event.verb
        if verb and verb != END_OF_DATA and split_command(line)[0] != verb.split()[0]:
            return verb
        return line

    def show(self, frags: Fragments) -> None:
        # Above the running prompt when there is one (prompt_toolkit redraws it after).
        print_formatted_text(FormattedText(frags), style=self.style, output=self.prompt.app.output,
                             color_depth=self.color_depth, include_default_pygments_style=False)

    def out(self, text: str) -> None:
        """A shell command's output: on screen only (:save keeps the dialog)."""
        self.show([("", text)])

    def note(self, text: str) -> None:
        self.emit(Note(text))

    def warn(self, text: str) -> None:
        self.emit(Warn(text))

    def clear_screen(self) -> None:
        output = self.prompt.app.output
        output.erase_screen()
        output.cursor_goto(0, 0)
        output.flush()

    # --- connection --------------------------------------------------------------------

    async def connect(self, host: str, port: int, *, tls: str = "none",
                      prelude: list[str] | None = None) -> bool:
        """Leave the current server politely, connect, then send `prelude` (shown).

        tls: "implicit" for TLS from the first byte, "starttls" for EHLO, STARTTLS, EHLO.
        """
        await self.hang_up()
        self.host, self.port, self.tls_mode = host, port, tls
        implicit = tls == "implicit" or self._base_options.implicit_tls
        self.session.options = replace(self._base_options, implicit_tls=implicit)
        try:
            await self.session.connect(host, port)
        except Failure as exc:
            self.failure = exc
            self.warn(str(exc))
            if self.target is not None:  # :reconnect goes back to a server that worked
                self.host, self.port, self.tls_mode = self.target
                self.note(f"not connected: :reconnect goes back to {self.host}"
                          f" port {self.port}")
            return False
        self.target = (host, port, tls)
        if tls == "starttls":
            prelude = [*starttls_lines(self.settings.ehlo), *(prelude or [])]
        await self.run_prelude(prelude or [])
        return True

    async def run_prelude(self, lines: list[str]) -> None:
        """Commands the shell types for the user (--starttls, --auth, a profile)."""
        for line in lines:
            reply = await self.command(line)
            if reply.klass != 2 or (line.upper() == "STARTTLS" and not self.session.dialog.tls):
                self.warn(f"{line.split()[0]} did not succeed: the rest is left to you")
                return

    async def hang_up(self) -> None:
        """QUIT if connected (closing without it inside DATA, where QUIT would be text)."""
        session = self.session
        if session.connected and session.in_data:
            self.note("closing inside DATA: the server drops the unfinished message")
        elif session.connected:
            with contextlib.suppress(Failure):
                await self.command("QUIT")
        await session.close()

    async def command(self, line: str) -> Reply:
        """Send a command the shell chose (shown on screen, unlike a typed one)."""
        typed, self._typed = self._typed, False
        try:
            return await self.session.command(line)
        finally:
            self._typed = typed

    async def end_data(self) -> None:
        await self.session.data_end()

    async def ask(self, prompt: str, secret: bool) -> str | None:
        """A question from the session, in the middle of a command; None if cancelled."""
        self._asking = True
        self.prompts += 1
        try:
            return await self.prompt.prompt_async(prompt, is_password=secret)
        except (KeyboardInterrupt, EOFError):
            return None
        finally:
            self._asking = False
            self._arm_ctrl_c()  # the prompt took Ctrl-C over and let it go when it ended

    def _remember(self, line: str) -> None:
        for address in _ADDRESS.findall(line):
            with contextlib.suppress(ValueError):
                self.addresses.remove(address)
            self.addresses.appendleft(address)

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
            self.warn(f"error while reading from the server: {exc}")
        if not self.session.connected:
            self._offer_reconnect()
        with contextlib.suppress(Exception):
            self.prompt.app.invalidate()  # the prompt shows the new state

    def _failed(self, exc: Failure) -> None:
        """A failure in one line, and the way back when the connection is gone."""
        if self.session.connected or exc.exit != Exit.LOST:
            self.warn(str(exc))  # (a lost connection was already reported by the session)
        if not self.session.connected:
            self._offer_reconnect()
        with contextlib.suppress(Exception):
            self.prompt.app.invalidate()  # the prompt shows the new state

    def _offer_reconnect(self) -> None:
        self.note(f"not connected: :reconnect connects to {self.host} port {self.port} again")

    # --- the loop ----------------------------------------------------------------------

    async def run(self, host: str, port: int, greeting: Reply | None = None,
                  prelude: list[str] | None = None) -> int:
        """Connect (unless `greeting` says it is done), then read and run lines until quit."""
        with keys_wait_for_prompt(self._input_fd()):
            return await self._run(host, port, greeting, prelude)

    async def _run(self, host: str, port: int, greeting: Reply | None,
                   prelude: list[str] | None) -> int:
        for text in self._startup_warnings:
            self.warn(text)
        self.prelude = list(prelude or [])
        try:
            if greeting is not None:
                self.host, self.port = self.session.host, self.session.port
                self.target = (self.host, self.port, self.tls_mode)
                await self._interruptible(self.run_prelude(prelude or []))
            elif host and not await self.connect(host, port, prelude=prelude):
                return self.failure.exit if self.failure else Exit.CONNECT
            with patch_stdout(raw=True):  # stray writes go above the prompt, not through it
                while not self.done:
                    await self._step()
        except Exception as exc:  # noqa: BLE001 - the promise: no traceback, ever
            self._crash(exc)
            return Exit.ERROR
        finally:
            await self._stop_watch()
            with contextlib.suppress(Exception):
                await self.session.close()
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
        self._choosing = True
        try:
            answer = await self._read(question)
        finally:
            self._choosing = False
            self._cut = ""
            self._arm_ctrl_c()  # the prompt took Ctrl-C over and let it go when it ended
        return answer if isinstance(answer, str) and answer in CHOICES else "k"

    async def _interruptible(self, work: Coroutine[Any, Any, None]) -> None:
        """Run `work`; Ctrl-C stops waiting for it (a reply still due shows when it comes)."""
        self._work = asyncio.ensure_future(work)
        self._arm_ctrl_c()
        try:
            await self._work
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if current is not None and current.cancelling():
                raise
            self.note("interrupted; a reply still on its way is shown when it comes")
        finally:
            self._work = None
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                asyncio.get_running_loop().remove_signal_handler(signal.SIGINT)

    def _input_fd(self) -> int:
        try:
            return self.prompt.input.fileno()
        except (NotImplementedError, OSError, ValueError):
            return -1

    def _arm_ctrl_c(self) -> None:
        if self._work is None:
            return
        try:
            asyncio.get_running_loop().add_signal_handler(signal.SIGINT, self._work.cancel)
        except (NotImplementedError, RuntimeError, ValueError):
            pass  # not in the main thread: Ctrl-C keeps its default meaning

    async def _run_line(self, line: str) -> None:
        self._typed = True
        try:
            if self.session.in_data:
                await self._data_line(line)
            elif line.lstrip().startswith(commands.PREFIX):
                await commands.run(self, line)
            elif line.strip():
                self._remember(line)
                await self.session.command(line)
                if split_command(line)[0] == "QUIT" and not self.session.connected:
                    self.done = True  # QUIT answered and closed: leave, as telnet does
        finally:
            self._typed = False

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
        self.note("SMTP cannot abort a message inside DATA (RFC 5321 4.1.1.4): the lone dot"
                  " ends it and the server may deliver it; only closing the connection drops"
                  " it.")
        choice = await self._choose(CTRL_C_CHOICE)
        if not self.session.in_data:
            return  # the server ended it meanwhile (shown above)
        if cut and choice != "k":
            self.note("the unfinished line is not sent")
        if choice == "e":
            await self.end_data()
        elif choice == "x":
            await self.hang_up()
            self._offer_reconnect()
        else:
            self._restore = cut  # back in the data prompt, as it was
            self.note("keep typing; a line with only '.' ends the message")

    async def _on_ctrl_d(self) -> None:
        if self.session.in_data:
            self.note("Ctrl-D: ending the message (the lone dot)")
            await self.end_data()
            return
        await self.hang_up()
        self.done = True

    def _crash(self, exc: BaseException) -> None:
        """An internal error in one line; the details go to a file for a bug report."""
        where = record_crash(exc)
        detail = f" (details in {where})" if where else ""
        with contextlib.suppress(Exception):
            self.warn(f"internal error: {type(exc).__name__}: {exc}{detail}")


async def run(settings: Settings, session: Session, host: str, port: int, *,
              greeting: Reply | None = None, prelude: list[str] | None = None,
              sandbox: Sandbox | None = None,
              prompt_session: PromptSession[str] | None = None) -> int:
    """The interactive shell on `host`:`port`; returns the exit status (0 normally).

    `greeting`: the session is already connected (--mx did it). `prelude`: lines to send
    first, as if typed (--starttls, --auth).
    """
    try:
        config = load()
    except ConfigError as exc:
        config = Config()
        sys.stderr.write(f"smtpsh: config ignored: {exc}\n")
    shell = Shell(settings, session, config, sandbox=sandbox, prompt_session=prompt_session)
    return await shell.run(host, port, greeting, prelude)

