"""The shell under a flood of unsolicited replies: it keeps drawing and taking keys.

A scripted server on loopback answers EHLO, then sends 30,000 reply lines nobody asked for,
as fast as it can. The shell (the real PromptSession on a pipe input, as in test_shell.py)
must answer a NOOP typed meanwhile, print in batches (one print per turn of the event loop
or per interval, never one redraw per line), bound what waits to be printed, and keep every
line for :save.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from shellfixtures import scripted_server
from test_shell import Driver, until

from smtpsh.config import Config
from smtpsh.exitcodes import Exit
from smtpsh.session import ConnectOptions, Note, Received, Sent, Warn
from smtpsh.settings import Settings
from smtpsh.shell.repl import Shell
from smtpsh.shell.screen import Screen
from smtpsh.shell.style import build_style

FLOOD = 30_000  # reply lines
PER_REPLY = 10  # lines in each reply of the flood
BOUND = 5.0  # seconds the shell may take to answer a command typed during the flood
STALL = 2.0  # seconds the event loop may be kept from reading keys, at most

pytestmark = pytest.mark.usefixtures("home")  # HOME and XDG in tmp_path


class Terminal(DummyOutput):
    """A terminal that keeps what is written to it (the prompt's redraws included)."""

    def __init__(self) -> None:
        super().__init__()
        self.written: list[str] = []

    def write(self, data: str) -> None:
        self.written.append(data)

    def text(self) -> str:
        return "".join(self.written)


def flood_lines(n: int = FLOOD, per_reply: int = PER_REPLY) -> bytes:
    out = []
    for i in range(n):
        sep = " " if (i + 1) % per_reply == 0 else "-"
        out.append(f"250{sep}flood {i:05d} the server keeps talking\r\n")
    return "".join(out).encode()


async def flood_server(n: int = FLOOD, pace: float | None = None) -> asyncio.Server:
    """Answers EHLO, then floods: all at once, or (`pace`) 100 replies every `pace`
    seconds, reading commands meanwhile. NOOP and QUIT get their replies in between."""
    flood = flood_lines(n)
    step = len(flood_lines(100 * PER_REPLY))

    async def paced(writer: asyncio.StreamWriter) -> None:
        assert pace is not None
        for i in range(0, len(flood), step):
            writer.write(flood[i:i + step])
            await asyncio.sleep(pace)

    async def script(line: str, writer: asyncio.StreamWriter) -> bool:
        verb = line.split(" ")[0].upper()
        if verb == "EHLO":
            writer.write(b"250-bad.test\r\n250 8BITMIME\r\n")
            if pace is None:
                writer.write(flood)  # all at once: the kernel sends it as fast as it is read
            else:
                tasks.add(asyncio.create_task(paced(writer)))
        elif verb == "QUIT":
            writer.write(b"221 bye\r\n")
            return False
        else:
            writer.write(b"250 2.0.0 ok\r\n")
        return True

    tasks: set[asyncio.Task[None]] = set()
    return await scripted_server(script)


@pytest.fixture
def terminal() -> Terminal:
    return Terminal()


@pytest.fixture
def drive(terminal: Terminal) -> Iterator[Callable[..., Driver]]:
    with create_pipe_input() as inp, create_app_session(input=inp, output=terminal):

        def make() -> Driver:
            s = Settings(color="never", ehlo="me.test")
            return Driver(Shell(s, Config(), options=ConnectOptions(timeout=5)), inp)

        yield make


def flood_seen(lines: list[str]) -> int:
    return sum(line.count("flood ") for line in lines)


class Stalls:
    """The longest time the event loop went without running a 5 ms ticker."""

    def __init__(self) -> None:
        self.longest = 0.0
        self.task = asyncio.create_task(self._tick())

    async def _tick(self) -> None:
        last = time.monotonic()
        while True:
            await asyncio.sleep(0.005)
            now = time.monotonic()
            self.longest = max(self.longest, now - last)
            last = now


async def flood_and_noop(d: Driver, terminal: Terminal, server: asyncio.Server,
                         saved: Path, after: int) -> None:
    """EHLO, then NOOP once `after` lines of the flood were read; the whole flood in :save."""
    d.start("127.0.0.1", server.sockets[0].getsockname()[1])
    await d.line("EHLO me.test")
    stalls = Stalls()
    await until(lambda: flood_seen(d.shell.screen.lines) >= after, "the flood")
    started = time.monotonic()
    await d.line("NOOP")  # returns once the shell is at its next prompt
    took = time.monotonic() - started
    assert took < BOUND, took
    assert "C: NOOP" in d.screen()
    # The rest of the flood is read while the user types; :save has every line.
    deadline = time.monotonic() + 60
    while flood_seen(d.shell.screen.lines) < FLOOD:
        assert time.monotonic() < deadline, flood_seen(d.shell.screen.lines)
        await asyncio.sleep(0.05)
    stalls.task.cancel()
    assert stalls.longest < STALL, stalls.longest  # keys were read all along
    await d.line(f":save {saved}")
    text = saved.read_text()
    floods = [x for x in text.splitlines() if "flood " in x]
    assert floods == [f"S: 250{'-' if (i + 1) % PER_REPLY else ' '}flood {i:05d} the server"
                      " keeps talking" for i in range(FLOOD)]
    assert "S: 250 2.0.0 ok" in text  # the NOOP's own reply (the flood came before it)
    await d.line("QUIT")
    await d.line(":quit")
    assert await d.finish() == Exit.OK
    server.close()
    # Printed in batches: a handful of prints, not one redraw per line.
    screen = d.shell.screen
    assert screen.flushes < FLOOD / 100, screen.flushes
    shown = terminal.text().count("flood ")
    assert shown + screen.not_shown >= FLOOD  # each line printed or counted in a note
    if screen.not_shown:
        assert "more lines from the server not shown" in terminal.text()


async def test_typed_noop_answered_during_a_flood(drive, terminal, tmp_path) -> None:
    """The flood as fast as the server can send it; NOOP typed as soon as it starts."""
    await flood_and_noop(drive(), terminal, await flood_server(), tmp_path / "d.txt", 1)


async def test_typed_noop_answered_while_a_flood_goes_on(drive, terminal, tmp_path) -> None:
    """1,000 lines every 30 ms (a second or so); NOOP typed in the middle of it."""
    server = await flood_server(pace=0.03)
    await flood_and_noop(drive(), terminal, server, tmp_path / "d.txt", FLOOD // 3)


def make_screen(terminal: Terminal, bound: int = 100) -> Screen:
    screen = Screen(lambda: terminal, build_style(), None)
    screen.bound = bound
    return screen


def stray(i: int) -> Received:
    from smtpsh.protocol import Reply

    return Received(Reply(250, (f"flood {i}",)), None)


async def test_one_print_per_turn_of_the_loop(terminal) -> None:
    screen = make_screen(terminal, bound=1_000)
    for i in range(50):
        screen.emit(stray(i))
    assert screen.flushes == 0 and terminal.text() == ""  # nothing printed line by line
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert screen.flushes == 1
    assert terminal.text().count("flood ") == 50
    assert len(screen.lines) == 50


async def test_lines_keep_coming_printed_per_interval(terminal) -> None:
    screen = make_screen(terminal, bound=100_000)
    end = time.monotonic() + 0.5
    i = 0
    while time.monotonic() < end:
        screen.emit(stray(i))
        i += 1
        await asyncio.sleep(0)  # one line per turn of the loop, as fast as it goes
    await asyncio.sleep(screen.interval * 2)
    assert terminal.text().count("flood ") == i == len(screen.lines)
    assert screen.flushes <= 0.5 / screen.interval + 3, (screen.flushes, i)


async def test_bound_on_what_waits_to_be_printed(terminal) -> None:
    screen = make_screen(terminal, bound=100)
    screen.emit(Sent("NOOP"))
    for i in range(1_000):
        screen.emit(stray(i))
    screen.note("the user's own note is never left out")
    screen.emit(Warn("a warning from the server side"))
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    text = terminal.text()
    assert screen.flushes == 1
    assert text.count("flood ") == 99  # the bound counts C: NOOP too
    # Where lines were left out, in order: the note of the user's own is kept.
    assert text.index("… 901 more lines from the server not shown") < text.index(
        "the user's own note") < text.index("… 1 more line from the server not shown")
    assert "a warning from the server side" not in text
    assert screen.not_shown == 902
    assert len(screen.lines) == 1_003  # :save keeps them all


async def test_a_reply_to_a_command_is_shown_after_the_note(terminal) -> None:
    from smtpsh.client import Command, Kind

    screen = make_screen(terminal, bound=10)
    for i in range(20):
        screen.emit(stray(i))
    noop = Command(Kind.LINE, "NOOP", "NOOP", "ready")
    answer = Received(stray(99).reply, noop)
    screen.emit(answer)
    screen.emit(Note("Connection closed by the server"))
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    text = terminal.text()
    assert text.count("flood ") == 11
    assert text.index("10 more lines") < text.index("flood 99") < text.index("Connection closed")


def test_without_a_loop_prints_at_once(terminal) -> None:
    screen = make_screen(terminal)
    screen.out("hello")
    assert "hello" in terminal.text() and screen.flushes == 1
