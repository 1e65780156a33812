"""Never frozen, never slow: every wait shown, bounded and cancellable (the shell's side).

The real PromptSession on a pipe input (the Driver of test_shell.py), on a terminal that keeps
what is written to it: the status line between prompts, Ctrl-C (`Shell.interrupt`, what the
SIGINT handler calls) during a slow connect, a slow reply and :send, a typed QUIT that keeps
the shell open, the time each reply took and :timing.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Iterator

import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import create_pipe_input
from shellfixtures import scripted_server
from test_shell import Driver, until
from test_shell_flood import Terminal

from smtpsh.client import GREETING
from smtpsh.config import Config
from smtpsh.events import Received
from smtpsh.exitcodes import Exit
from smtpsh.protocol import Reply
from smtpsh.render import render, to_plain
from smtpsh.session import ConnectOptions
from smtpsh.settings import Settings
from smtpsh.shell.commands import Meter
from smtpsh.shell.repl import Shell, wait_text

CLOSED_BY_SERVER = "Connection closed by the server"

pytestmark = pytest.mark.usefixtures("home")  # HOME and XDG in tmp_path


@pytest.fixture
def terminal() -> Terminal:
    return Terminal()


@pytest.fixture
def drive(terminal: Terminal) -> Iterator[Callable[..., Driver]]:
    with create_pipe_input() as inp, create_app_session(input=inp, output=terminal):

        def make(timeout: float = 5) -> Driver:
            s = Settings(color="never", ehlo="me.test")
            return Driver(Shell(s, Config(), options=ConnectOptions(timeout=timeout)), inp)

        yield make


async def silent_server() -> asyncio.Server:
    """Accepts, reads, never says a word (no greeting)."""

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while await reader.read(4096):
            pass
        writer.close()

    return await asyncio.start_server(serve, "127.0.0.1", 0)


def port_of(server: asyncio.Server) -> int:
    return server.sockets[0].getsockname()[1]


async def type_line(d: Driver, text: str) -> int:
    """Type a line that runs for a while; the number of the prompt it was typed at."""
    n = await d.prompt()
    d.inp.send_text(text + "\r")
    return n


async def ctrl_c(d: Driver, n: int) -> None:
    """Ctrl-C between prompts, then the next prompt."""
    assert d.shell.interrupt(), "nothing to interrupt"
    await until(lambda: d.shell.prompts > n, "the prompt after Ctrl-C")


# --- QUIT, Ctrl-D, :quit ------------------------------------------------------------------


async def test_typed_quit_keeps_the_shell_open(drive, server, tmp_path) -> None:
    host, port = server
    d = drive()
    d.start(host, port)
    await d.line("EHLO me.test")
    await d.line("QUIT")
    assert not d.shell.session.connected and not d.task.done()
    assert to_plain(d.shell.message()) == f"smtp {host}:{port} closed> "
    assert ":reconnect connects again" in d.screen() and CLOSED_BY_SERVER not in d.screen()
    await d.line(f":save {tmp_path / 's.txt'}")
    assert "C: QUIT" in (tmp_path / "s.txt").read_text()
    await d.line(":reconnect")
    assert d.shell.session.connected and d.screen().count("S: 220 mx.test") == 2
    await d.line("quit")  # lower case is the verb too
    await d.line(f":connect {host} {port}")
    assert d.shell.session.connected
    await d.line(":quit")
    assert await d.finish() == Exit.OK
    assert d.screen().upper().count("C: QUIT") == 3


# --- the time each reply took; :timing ----------------------------------------------------


async def test_replies_show_their_time_on_screen_only(drive, server, terminal,
                                                      tmp_path) -> None:
    d = drive()
    d.start(*server)
    await d.line("NOOP")
    await until(lambda: "S: 250 OK" in terminal.text(), "NOOP's reply on the terminal")
    assert re.search(r"S: 220 mx\.test [^\n]*  \(\d+(\.\d)? ms\)", terminal.text())
    assert re.search(r"S: 250 OK  \(\d+(\.\d)? ms\)", terminal.text())
    # The dialog (:save, and so script mode's lines) has no times.
    await d.line(f":save {tmp_path / 's.txt'}")
    saved = (tmp_path / "s.txt").read_text()
    assert "S: 250 OK\n" in saved and " ms)" not in saved
    await d.line(":quit")
    await d.finish()


def test_script_mode_rendering_has_no_time() -> None:
    event = Received(Reply(250, ("2.0.0 Ok",)), GREETING, 0.0031)
    assert to_plain(render(event)) == "S: 250 2.0.0 Ok"
    assert to_plain(render(event, timing=True)) == "S: 250 2.0.0 Ok  (3 ms)"
    multi = Received(Reply(250, ("mx.test", "PIPELINING")), GREETING, 0.0004)
    assert to_plain(render(multi, timing=True)) == (
        "S: 250-mx.test\nS: 250 PIPELINING  (0.4 ms)")
    assert to_plain(render(Received(Reply(250, ("x",)), None), timing=True)) == "S: 250 x"


async def test_timing_lists_each_stage(drive, server, terminal) -> None:
    d = drive()
    d.start(*server)
    for line in ["EHLO me.test", "NOOP", ":timing"]:
        await d.line(line)
    table = d.log[-1].splitlines()
    assert table[0].split() == ["stage", "ms"]
    stages = [row.rsplit(None, 1)[0].strip() for row in table[1:]]
    assert stages == ["connect", "greeting", "EHLO me.test", "NOOP", "total"]
    ends = {len(row) for row in table}
    assert len(ends) == 1, table  # the ms column right-aligned
    assert all(len(row) < terminal.get_size().columns for row in table)
    await d.line(":quit")
    await d.finish()


async def test_timing_fits_a_narrow_terminal(drive, server, terminal, monkeypatch) -> None:
    from prompt_toolkit.data_structures import Size

    d = drive()
    d.start(*server)
    await d.line("MAIL FROM:<" + "a" * 60 + "@x.test>")
    monkeypatch.setattr(terminal, "get_size", lambda: Size(rows=24, columns=40))
    await d.line(":timing")
    table = d.log[-1].splitlines()
    assert all(len(row) <= 39 for row in table), table
    assert any(row.strip().startswith("MAIL FROM:<aaa") and "…" in row for row in table)
    await d.line(":quit")
    await d.finish()


async def test_timing_before_any_connection(drive) -> None:
    d = drive()
    d.start("", 0)
    await d.line(":timing")
    assert "nothing timed yet" in d.screen()
    await d.line(":quit")
    await d.finish()


# --- waits shown, Ctrl-C -------------------------------------------------------------------


def test_wait_text() -> None:
    assert wait_text("connecting to mx.example.org port 25", 2.4) == (
        "connecting to mx.example.org port 25 (2 s)...")
    assert wait_text("the reply to EHLO x", 3.9) == "waiting for the reply to EHLO x (3 s)..."
    assert wait_text("the greeting", 1, "mx.test") == (
        "waiting for the greeting of mx.test (1 s)...")


async def test_slow_reply_shown_then_ctrl_c_returns_with_the_reply_still_due(
        drive, terminal) -> None:
    async def script(line: str, writer) -> bool:
        if line == "NOOP":
            await asyncio.sleep(1.5)
            writer.write(b"250 2.0.0 late but here\r\n")
        else:
            writer.write(b"221 bye\r\n" if line == "QUIT" else b"250 ok\r\n")
        return line != "QUIT"

    slow = await scripted_server(script)
    d = drive()
    d.start("127.0.0.1", port_of(slow))
    n = await type_line(d, "NOOP")
    await until(lambda: "waiting for the reply to NOOP" in terminal.text(), "the status line")
    assert "waiting for the reply to NOOP (0 s)..." in (d.shell.wait_line() or "")
    await ctrl_c(d, n)
    screen = d.screen()
    assert "interrupted: still connected; the reply to NOOP is still due" in screen
    assert d.shell.session.connected
    # It comes while the prompt waits, matched to NOOP.
    await until(lambda: "S: 250 2.0.0 late but here" in d.screen(), "the late reply")
    await d.line(":quit")
    assert await d.finish() == Exit.OK
    slow.close()


async def test_reconnect_after_an_interrupted_connect_goes_to_the_last_good_server(
        drive, server, terminal) -> None:
    host, port = server
    silent = await silent_server()
    d = drive(timeout=30)
    d.start(host, port)
    n = await type_line(d, f":connect 127.0.0.1 {port_of(silent)}")
    await until(lambda: d.shell.session.waiting == "the greeting"
                and d.shell.wait_line(), "the wait for a greeting")
    assert "waiting for the greeting of 127.0.0.1" in (d.shell.wait_line() or "")
    await until(lambda: "waiting for the greeting" in terminal.text(), "the status line")
    await ctrl_c(d, n)
    screen = d.screen()
    assert f"gave up waiting for the greeting of 127.0.0.1 port {port_of(silent)}" in screen
    assert "interrupted: not connected" in screen
    assert f":reconnect connects to {host} port {port} again" in screen
    assert CLOSED_BY_SERVER not in screen  # the client gave up, the server closed nothing
    assert not d.shell.session.connected
    assert to_plain(d.shell.message()) == f"smtp {host}:{port} closed> "
    await d.line(":reconnect")
    assert d.shell.session.connected and d.shell.session.port == port
    assert d.screen().count("S: 220 mx.test") == 2
    await d.line(":quit")
    assert await d.finish() == Exit.OK
    assert CLOSED_BY_SERVER not in d.screen()
    silent.close()


async def test_interrupted_first_connect_leaves_the_prompt_closed(drive) -> None:
    silent = await silent_server()
    d = drive(timeout=30)
    d.start("127.0.0.1", port_of(silent))
    await until(lambda: d.shell.session.waiting == "the greeting",
                "the wait for a greeting")
    await until(lambda: d.shell._work is not None, "the connect under way")
    assert d.shell.interrupt()
    await d.prompt()
    assert "interrupted: not connected" in d.screen()
    assert to_plain(d.shell.message()).endswith(" closed> ")
    await d.send("\x04")
    assert await d.finish() == Exit.OK
    silent.close()


async def test_timed_out_greeting_leaves_no_half_open_connection(drive, server) -> None:
    host, port = server
    silent = await silent_server()
    d = drive(timeout=0.5)
    d.start(host, port)
    await d.line(f":connect 127.0.0.1 {port_of(silent)}")
    assert "timed out: no greeting" in d.screen() and not d.shell.session.connected
    await asyncio.sleep(0.3)
    assert CLOSED_BY_SERVER not in d.screen()
    await d.line(":reconnect")
    assert d.shell.session.port == port and d.shell.session.connected
    await d.line(":quit")
    await d.finish()
    silent.close()


# --- :send: progress, Ctrl-C ---------------------------------------------------------------


def test_meter_line() -> None:
    meter = Meter("big.eml", 4 << 20, lambda: 1 << 20, lambda: (1 << 20) + 100)
    line = meter.line(meter.started + 2)
    assert line.startswith("sending big.eml [#####...............]  25%")
    assert "1 MiB of 4 MiB" in line and "on the wire" in line
    assert "512.0 KiB/s" in line and "ETA 6 s" in line


async def test_ctrl_c_during_send_closes_without_the_dot(drive, server, recorder, terminal,
                                                         tmp_path, monkeypatch) -> None:
    body = tmp_path / "big.eml"
    line = b"x" * 998 + b"\n"
    body.write_bytes(b"Subject: big\n\n" + line * (16 << 10))  # 16 MiB
    d = drive()
    d.start(*server)
    for text in ["EHLO me.test", "MAIL FROM:<a@x.test>", "RCPT TO:<b@y.test>"]:
        await d.line(text)
    session = d.shell.session
    # Loopback takes 16 MiB in a tenth of a second: a slower line, so Ctrl-C comes mid-way.
    chunk = session.data_chunk

    async def slowly(data: bytes) -> None:
        await chunk(data)
        await asyncio.sleep(0.01)

    monkeypatch.setattr(session, "data_chunk", slowly)
    n = await type_line(d, f":send {body}")

    def sent() -> int:
        return session.client.encoder.octets if session.client.encoder else 0

    await until(lambda: sent() > 512 << 10, "some of the message on the wire")
    progress = d.shell.wait_line() or ""
    assert progress.startswith("sending big.eml [") and "ETA" in progress
    await until(lambda: "sending big.eml [" in terminal.text(), "the progress line")
    await ctrl_c(d, n)
    screen = d.screen()
    assert "message not ended: connection closed so that the server drops it" in screen
    assert "interrupted: not connected" in screen and CLOSED_BY_SERVER not in screen
    assert "C: ." not in screen and not session.connected
    await asyncio.sleep(0.5)  # time for the server to take whatever it would
    assert recorder.envelopes == []
    await d.line(":reconnect")  # and the server is fine
    assert session.connected
    await d.line(":quit")
    assert await d.finish() == Exit.OK
    assert recorder.envelopes == []


async def test_send_says_what_went_out(drive, server, recorder, terminal,
                                                       tmp_path) -> None:
    body = tmp_path / "mid.eml"
    body.write_bytes(b"Subject: mid\n\n" + (b"y" * 500 + b"\n") * (8 << 10))  # 4 MiB
    d = drive()
    d.start(*server)
    for text in ["EHLO me.test", "MAIL FROM:<a@x.test>", "RCPT TO:<b@y.test>",
                 f":send {body}"]:
        await d.line(text)
    assert recorder.envelopes and "octets on the wire in" in d.screen()
    assert d.shell.progress is None
    await d.line(":quit")
    await d.finish()


def test_toolbar_says_what_is_waited_for() -> None:
    from smtpsh.protocol import Dialog
    from smtpsh.shell.toolbar import toolbar

    text = to_plain(toolbar("", Dialog(), True, waiting="waiting for the reply to NOOP (2 s)..."))
    assert "waiting for the reply to NOOP (2 s)..." in text
    assert "waiting for" not in to_plain(toolbar("", Dialog(), True))
