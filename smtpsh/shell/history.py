"""Command history in a file that never holds a secret or a message body.

Lines typed at the prompt are kept for the up arrow and Ctrl-R, except AUTH commands, the
answers typed after a 334 challenge (base64 credentials), and everything typed inside DATA.
The shell says which case it is in through `private`, a callable asked at each append.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

from prompt_toolkit.history import FileHistory

from smtpsh.protocol import split_command


def keep(line: str, *, in_data: bool = False, after_334: bool = False) -> bool:
    """Whether a typed line may go into the history file."""
    if in_data or not line.strip():
        return False
    if after_334:  # an answer to a SASL challenge: base64 credentials, or a user's cancel
        return line.lstrip().startswith(":")
    stripped = line.strip()
    if stripped.startswith(":raw") and re.search(r"\bAUTH\b", stripped, re.IGNORECASE):
        return False  # raw bytes with an AUTH line carry credentials too
    if "\n" in line or "\r" in line:  # a pasted block: each of its lines must be keepable
        return all(keep(x) for x in line.splitlines() if x.strip())
    return split_command(line)[0] != "AUTH"  # AUTH PLAIN carries the password inline


class SafeHistory(FileHistory):
    """A FileHistory that drops what `keep` refuses, from the file and from memory."""

    def __init__(self, path: Path, context: Callable[[], tuple[bool, bool]]) -> None:
        # context() -> (in_data, after_334) at the moment a line is accepted.
        self.context = context
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not path.exists():
            path.touch(mode=0o600)  # it may hold addresses
        super().__init__(os.fspath(path))

    def append_string(self, string: str) -> None:
        in_data, after_334 = self.context()
        if keep(string, in_data=in_data, after_334=after_334):
            super().append_string(string)
