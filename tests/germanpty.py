"""smtpsh under a pseudo-terminal in a German locale: the environment and a reader that waits
for a pattern on the screen (ANSI sequences taken out). Shared by the German shell tests."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from pathlib import Path

import pexpect

ROOT = Path(__file__).resolve().parent.parent
ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>78]|\r")


def german_env(tmp_path: Path) -> dict[str, str]:
    """LANG=de_DE.UTF-8 (and no LC_* that would override it), a home of the test's own."""
    env = {k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LC_MESSAGES")}
    env.update(LANG="de_DE.UTF-8", PYTHONPATH=str(ROOT), NO_COLOR="1", TERM="xterm-256color",
               PROMPT_TOOLKIT_NO_CPR="1", HOME=str(tmp_path),
               XDG_CONFIG_HOME=str(tmp_path / "cfg"), XDG_STATE_HOME=str(tmp_path / "state"))
    return env


def expecter(child: pexpect.spawn, wait: float = 20) -> Callable[[str], str]:
    """expect(pattern): read until the pattern is on the screen; returns the screen text up to
    the match, and forgets it (the next pattern is looked for in what comes after)."""
    seen = ""

    def expect(pattern: str) -> str:
        nonlocal seen
        deadline = time.monotonic() + wait
        while not (m := re.search(pattern, ANSI.sub("", seen))):
            assert time.monotonic() < deadline, \
                f"{pattern!r} not in:\n{ANSI.sub('', seen)[-3000:]}"
            try:
                seen += child.read_nonblocking(65536, timeout=0.05)
            except pexpect.TIMEOUT:
                pass
        text, seen = ANSI.sub("", seen), ""
        return text[:m.end()]

    return expect
