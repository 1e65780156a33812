"""As a user: the installed `smtpsh` console script in a pseudo-terminal, against aiosmtpd.

Few and deterministic: each step waits for content on the screen, never for time (except
the pause that lets completion run before Tab). On a timeout the failure shows what was
expected next to the screen as text, ANSI codes removed.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pexpect
import pytest
from shellfixtures import Recorder, aiosmtpd_server

TIMEOUT = 10
ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>78]|\r")
PROMPT = r"smtp 127\.0\.0\.1:\d+>"  # no trailing space: it may be a cursor move


class Screen:
    """The child's output, read as it comes; expect() searches what came after the last match."""

    def __init__(self, child: pexpect.spawn, log: Path) -> None:
        self.child, self.log = child, log
        self.raw = ""
        self.pos = 0  # in the plain text

    @property
    def text(self) -> str:
        return ANSI.sub("", self.raw)

    def expect(self, pattern: str) -> re.Match[str]:
        deadline = time.monotonic() + TIMEOUT
        while True:
            m = re.compile(pattern).search(self.text, self.pos)
            if m:
                self.pos = m.end()
                return m
            if time.monotonic() > deadline:
                raise AssertionError(f"expected on the screen: {pattern!r}\n"
                                     f"--- screen (ANSI removed) ---\n{self.text[-3000:]}\n"
                                     f"--- full log: {self.log}")
            try:
                self.raw += self.child.read_nonblocking(65536, timeout=0.05)
            except pexpect.TIMEOUT:
                pass
            except pexpect.EOF:
                deadline = 0

    def line(self, text: str) -> None:
        self.child.send(text + "\r")


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def smtpsh(recorder: Recorder, tmp_path: Path) -> Iterator[Callable[..., Screen]]:
    exe = shutil.which("smtpsh")
    assert exe, "pip install -e . first"
    children: list[pexpect.spawn] = []
    with aiosmtpd_server(recorder) as server:

        def spawn(*args: str, color: bool = False) -> Screen:
            env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
            env.update(PROMPT_TOOLKIT_NO_CPR="1", TERM="xterm-256color", HOME=str(tmp_path),
                       XDG_CONFIG_HOME=str(tmp_path / "cfg"),
                       XDG_STATE_HOME=str(tmp_path / "state"))
            if not color:
                env["NO_COLOR"] = "1"
            log = tmp_path / "pexpect.log"
            child = pexpect.spawn(exe, [*args, server.hostname, str(server.port)], env=env,
                                  encoding="utf-8", timeout=TIMEOUT, dimensions=(30, 120))
            child.logfile_read = open(log, "a")  # noqa: SIM115 - closed with the child
            children.append(child)
            screen = Screen(child, log)
            screen.expect(r"220 mx\.test")
            screen.expect(PROMPT)
            return screen

        yield spawn
    for child in children:
        child.close(force=True)
        child.logfile_read.close()


def quit_politely(screen: Screen) -> None:
    screen.child.sendcontrol("d")
    screen.expect(r"C: QUIT")
    screen.expect(r"221 Bye")
    screen.child.expect(pexpect.EOF)
    screen.child.close()
    assert screen.child.exitstatus == 0


def test_tab_completes_a_verb(smtpsh) -> None:
    screen = smtpsh()
    screen.child.send("eh")
    screen.expect(r"EHLO")  # the completion menu
    time.sleep(0.2)  # the one pause: let completion finish before Tab
    screen.child.send("\t")
    screen.line(" me.test")
    screen.expect(r"250-mx\.test")  # so the line sent was EHLO, not "eh"
    screen.expect(PROMPT)
    quit_politely(screen)


def test_replies_coloured_by_class(smtpsh) -> None:
    screen = smtpsh("--color", "always", color=True)
    screen.line("EHLO me.test")
    screen.expect(r"250 HELP")
    screen.line("MAIL FROM:<a@x.test>")
    screen.expect(r"mail>")
    screen.line("RCPT TO:<nobody@y.test>")
    screen.expect(r"550 5\.1\.1")
    green = re.search(r"\x1b\[[0-9;]*\b32m250", screen.raw)
    red = re.search(r"\x1b\[[0-9;]*\b31m550 ", screen.raw)
    assert green and red, f"no green 250 or red 550 in: {screen.raw[-1500:]!r}"
    quit_politely(screen)


def test_full_dialog_with_a_dot_stuffed_body(smtpsh, recorder) -> None:
    screen = smtpsh()
    for line, reply in [("EHLO me.test", r"250 HELP"), ("mail from:<a@x.test>", r"250 OK"),
                        ("RCPT TO:<b@y.test>", r"250 2\.1\.5"), ("DATA", r"354 ")]:
        screen.line(line)
        screen.expect(reply)
    for line in ["Subject: pty", "", ".leading dot", "..two dots", "last"]:
        screen.expect(r"data>")
        screen.line(line)
    screen.line(".")
    screen.expect(r"250 2\.0\.0 OK queued")
    screen.expect(PROMPT)
    quit_politely(screen)
    assert recorder.envelopes[0].content == (
        b"Subject: pty\r\n\r\n.leading dot\r\n..two dots\r\nlast\r\n")


def test_typed_address_in_a_colour_of_the_terminal_palette(smtpsh) -> None:
    screen = smtpsh("--color", "always", color=True)
    screen.line("EHLO me.test")
    screen.expect(r"250 HELP")
    screen.expect(PROMPT)
    start = len(screen.raw)
    screen.child.send("MAIL FROM:<a@x.test>")
    screen.expect(r"a@x\.test")
    typed = screen.raw[start:]
    # ANSI cyan (the terminal's own), not Pygments' default dark navy (256-colour 18).
    assert re.search(r"\x1b\[[0-9;]*\b36m(?:\x1b\[[0-9;]*m)*<", typed), repr(typed)
    assert "38;5;18m" not in typed, repr(typed)
    screen.line("")
    screen.expect(r"250 ")
    quit_politely(screen)


def test_ctrl_c_in_data_takes_one_key_and_gives_the_line_back(smtpsh, recorder) -> None:
    screen = smtpsh()
    for line, reply in [("EHLO me.test", r"250 HELP"), ("MAIL FROM:<a@x.test>", r"250 OK"),
                        ("RCPT TO:<b@y.test>", r"250 2\.1\.5"), ("DATA", r"354 ")]:
        screen.line(line)
        screen.expect(reply)
    screen.expect(r"data>")
    screen.child.send("body")
    screen.expect(r"body")
    screen.child.sendcontrol("c")
    screen.expect(r"x: close the connection")
    screen.child.send("k")  # no Enter: the key is the answer
    screen.expect(r"keep typing")
    screen.expect(r"data> body")  # the half-typed line is back
    screen.line(" line")
    screen.expect(r"data>")
    screen.line(".")
    screen.expect(r"250 2\.0\.0 OK queued")
    screen.expect(PROMPT)
    quit_politely(screen)
    assert recorder.envelopes[0].content == b"body line\r\n"
