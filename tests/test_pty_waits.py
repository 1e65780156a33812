"""As a user, in a pseudo-terminal: a slow reply is shown while it is awaited, and Ctrl-C
returns to the prompt with the connection as it is (the reply, still due, shows when it comes).

The server is a thread on loopback that greets, answers at once, but takes its time over NOOP.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pexpect
import pytest
from test_pty import TIMEOUT, Screen

PROMPT = r"smtp 127\.0\.0\.1:\d+>"
SLOW = 2.0  # seconds NOOP takes


@pytest.fixture
def slow_server() -> Iterator[int]:
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve(conn: socket.socket) -> None:
        with conn:
            conn.sendall(b"220 slow.test ESMTP\r\n")
            for raw in conn.makefile("rb"):
                verb = raw.strip().upper()
                if verb == b"NOOP":
                    stop.wait(SLOW)
                    conn.sendall(b"250 2.0.0 took my time\r\n")
                elif verb == b"QUIT":
                    conn.sendall(b"221 2.0.0 bye\r\n")
                    return
                else:
                    conn.sendall(b"250 ok\r\n")

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    yield listener.getsockname()[1]
    stop.set()
    listener.close()


def test_slow_reply_is_shown_and_ctrl_c_returns_to_the_prompt(slow_server, tmp_path: Path
                                                              ) -> None:
    exe = shutil.which("smtpsh")
    assert exe, "pip install -e . first"
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    env.update(PROMPT_TOOLKIT_NO_CPR="1", TERM="xterm-256color", HOME=str(tmp_path),
               XDG_CONFIG_HOME=str(tmp_path / "cfg"), XDG_STATE_HOME=str(tmp_path / "state"),
               NO_COLOR="1")
    log = tmp_path / "pexpect.log"
    child = pexpect.spawn(exe, ["127.0.0.1", str(slow_server)], env=env, encoding="utf-8",
                          timeout=TIMEOUT, dimensions=(30, 120))
    child.logfile_read = open(log, "a")  # noqa: SIM115 - closed below
    try:
        screen = Screen(child, log)
        screen.expect(r"220 slow\.test ESMTP  \(\d")  # the greeting, with its time
        screen.expect(PROMPT)
        screen.line("NOOP")
        screen.expect(r"waiting for the reply to NOOP \(\d s\)\.\.\. Ctrl-C cancels")
        started = time.monotonic()
        child.sendcontrol("c")
        screen.expect(r"interrupted: still connected; the reply to NOOP is still due")
        screen.expect(PROMPT)
        assert time.monotonic() - started < SLOW  # back before the reply came
        screen.expect(r"250 2\.0\.0 took my time")  # shown at the prompt when it comes
        child.sendcontrol("d")
        screen.expect(r"C: QUIT")
        screen.expect(r"221 2\.0\.0 bye")
        child.expect(pexpect.EOF)
        child.close()
        assert child.exitstatus == 0
    finally:
        child.close(force=True)
        child.logfile_read.close()
