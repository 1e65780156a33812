"""What the shell keeps between lines: which server it talks to, and what the prompt is doing.

The session holds the dialog itself (state, capabilities, TLS, user); this is the shell's
own memory around it: the server to go back to on :reconnect, the lines the options type
first, the addresses used so far (for completion), why the last connect failed. The key
bindings, the completer and the history read the prompt's mode from here too.
"""

from __future__ import annotations

import contextlib
import re
from collections import deque
from dataclasses import dataclass, field

from smtpsh.exitcodes import Failure

MRU_SIZE = 50
_ADDRESS = re.compile(r"\b(?:FROM|TO)\s*:\s*<([^<>\s]+)>", re.IGNORECASE)

Target = tuple[str, int, str]  # host, port, TLS mode ("none", "implicit", "starttls")


@dataclass
class ShellState:
    host: str = ""
    port: int = 0
    tls_mode: str = "none"
    # What --starttls/--auth send after connecting, again on :reconnect.
    prelude: list[str] = field(default_factory=list)
    target: Target | None = None  # the last server that connected
    addresses: deque[str] = field(default_factory=lambda: deque(maxlen=MRU_SIZE))
    failure: Failure | None = None  # why the last connect failed
    # What the prompt is doing.
    asking: bool = False  # a question from the session (AUTH) is on the prompt
    choosing: bool = False  # a single-key choice is on the prompt (Ctrl-C in DATA)

    def aim(self, host: str, port: int, tls_mode: str = "none") -> None:
        """The server the shell talks to next (and :reconnect goes to)."""
        self.host, self.port, self.tls_mode = host, port, tls_mode

    def arrived(self) -> None:
        """The server aimed at answered: :reconnect comes back to it after a failure."""
        self.target = (self.host, self.port, self.tls_mode)

    def back(self) -> bool:
        """Aim at the last server that answered again; False if there was none."""
        if self.target is None:
            return False
        self.aim(*self.target)
        return True

    def remember(self, line: str) -> None:
        """The addresses of a MAIL FROM or RCPT TO line, most recent first."""
        for address in _ADDRESS.findall(line):
            with contextlib.suppress(ValueError):
                self.addresses.remove(address)
            self.addresses.appendleft(address)
