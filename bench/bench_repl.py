"""Benchmarks of the interactive shell, driven through a pseudo-terminal as a user would.

1. start-up: from spawning the installed `smtpsh` to its first prompt, connected to a local
   aiosmtpd (target: under 300 ms);
2. keystroke-to-screen latency: from writing one key to the pty until the terminal output
   shows it, with a quiet server, then with a server sending 100 unsolicited replies a second
   (each printed above the prompt).

Run: python bench/bench_repl.py [--runs N]. Prints medians (and p95 for latencies).
"""

from __future__ import annotations

import argparse
import os
import select
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import pexpect

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from common import smtpsh_exe  # noqa: E402
from shellfixtures import Recorder, aiosmtpd_server  # noqa: E402

# smtpsh as a user installs it, in its own venv (bench/common.py explains why).
EXE = smtpsh_exe()
PROMPT = b"smtp 127.0.0.1:"
# Two alphabets that the prompt and the server's lines never show, used line about line so
# that a redraw still in flight from the previous line cannot be taken for an echo.
ALPHABETS = ("zqwxjkv", "yuoiehg")


def env(home: str) -> dict[str, str]:
    # An installed smtpsh has its .pyc files; without them each start compiles every module.
    e = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "PYTHONDONTWRITEBYTECODE")}
    e.update(PROMPT_TOOLKIT_NO_CPR="1", TERM="xterm-256color", HOME=home,
             XDG_CONFIG_HOME=f"{home}/cfg", XDG_STATE_HOME=f"{home}/state")
    return e


def spawn(port: int, home: str) -> tuple[pexpect.spawn, float]:
    """The shell on 127.0.0.1:port, and the seconds it took to show its first prompt."""
    t0 = time.perf_counter()
    child = pexpect.spawn(EXE, ["127.0.0.1", str(port)], env=env(home), dimensions=(30, 120))
    seen = wait_for(child, PROMPT, 10)
    wait_for(child, b">", 10, seen.split(PROMPT, 1)[1])  # its end: the port, then ">"
    return child, time.perf_counter() - t0


def wait_for(child: pexpect.spawn, needle: bytes, timeout: float, seen: bytes = b"") -> bytes:
    deadline = time.perf_counter() + timeout
    buf = seen
    while needle not in buf:
        left = deadline - time.perf_counter()
        if left <= 0:
            raise TimeoutError(f"{needle!r} not seen; got {buf[-300:]!r}")
        ready, _, _ = select.select([child.child_fd], [], [], left)
        if ready:
            buf += os.read(child.child_fd, 65536)
    return buf


def drain(child: pexpect.spawn) -> None:
    while select.select([child.child_fd], [], [], 0)[0]:
        os.read(child.child_fd, 65536)


def key_latencies(child: pexpect.spawn, lines: int) -> list[float]:
    out = []
    for n in range(lines):
        for ch in ALPHABETS[n % 2]:
            drain(child)
            t0 = time.perf_counter()
            os.write(child.child_fd, ch.encode())
            wait_for(child, ch.encode(), 5)
            out.append(time.perf_counter() - t0)
        os.write(child.child_fd, b"\x15")  # Ctrl-U: clear the line
    return out


class Chatterbox:
    """An SMTP server that, after its greeting, sends a reply nobody asked for every 10 ms."""

    def __init__(self, interval: float = 0.01) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port = self.sock.getsockname()[1]
        self.interval = interval
        self.stop = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        conn, _ = self.sock.accept()
        conn.sendall(b"220 CHATTY ESMTP\r\n")
        n = 0
        while not self.stop.wait(self.interval):
            n += 1
            try:
                conn.sendall(f"250 TICK {n}\r\n".encode())
            except OSError:
                break
        conn.close()


def quit_shell(child: pexpect.spawn) -> None:
    child.sendcontrol("d")
    child.expect(pexpect.EOF, timeout=10)
    child.close()


def fmt(values: list[float]) -> str:
    ms = sorted(v * 1000 for v in values)
    p95 = ms[min(len(ms) - 1, int(len(ms) * 0.95))]
    return f"median {statistics.median(ms):6.1f} ms  p95 {p95:6.1f} ms  (n={len(ms)})"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=15)
    runs = ap.parse_args().runs
    home = tempfile.mkdtemp(prefix="smtpsh-bench-repl-")
    with aiosmtpd_server(Recorder()) as server:
        spawn(server.port, home)[0].close(force=True)  # warm the disk cache and .pyc files
        starts = []
        for _ in range(runs):
            child, seconds = spawn(server.port, home)
            starts.append(seconds)
            quit_shell(child)
        print(f"start-up to first prompt (connected, aiosmtpd):  {fmt(starts)}")
        child, _ = spawn(server.port, home)
        quiet = key_latencies(child, runs)
        quit_shell(child)
    print(f"keystroke to screen, quiet server:               {fmt(quiet)}")
    chatty = Chatterbox()
    child, _ = spawn(chatty.port, home)
    busy = key_latencies(child, runs)
    chatty.stop.set()
    child.close(force=True)
    print(f"keystroke to screen, server sending 100 lines/s: {fmt(busy)}")


if __name__ == "__main__":
    main()
