"""The sandbox: a real SMTP server (aiosmtpd) on loopback, for learning and for demos.

It accepts any message, saves each one as an .eml file in a folder it names, and reports
what it received (envelope and headers) through a callback, so the dialog shows both sides.
"""

from __future__ import annotations

import os
import socket
import tempfile
import threading
from collections.abc import Callable
from email.parser import BytesHeaderParser
from typing import Any

HOSTNAME = "sandbox.smtpsh.test"
SHOWN_HEADERS = ("From", "To", "Subject", "Date", "Message-ID")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Handler:
    def __init__(self, folder: str, report: Callable[[str], None]) -> None:
        self.folder = folder
        self.report = report
        self.count = 0
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self._lock:
            self.count += 1
            n = self.count
        data: bytes = envelope.original_content or envelope.content
        path = os.path.join(self.folder, f"{n:04d}.eml")
        with open(path, "wb") as f:
            f.write(data)
        headers = BytesHeaderParser().parsebytes(data)
        lines = [
            f"sandbox: message {n} accepted, {len(data)} octets, saved as {path}",
            f"sandbox:   envelope from <{envelope.mail_from}> to "
            + ", ".join(f"<{r}>" for r in envelope.rcpt_tos),
        ]
        lines += [f"sandbox:   {h}: {headers[h]}" for h in SHOWN_HEADERS if headers[h]]
        self.report("\n".join(lines))
        return f"250 2.0.0 Ok: queued as sandbox-{n:04d}"


class Sandbox:
    """Start with `start()`, stop with `stop()`; `port` and `folder` say where it is."""

    def __init__(self, report: Callable[[str], None], port: int | None = None,
                 folder: str | None = None) -> None:
        self.folder = folder or tempfile.mkdtemp(prefix="smtpsh-sandbox-")
        os.makedirs(self.folder, exist_ok=True)
        self.port = port or free_port()
        self.report = report
        self._controller: Any = None
        self.cafile: str | None = None  # set when the sandbox offers STARTTLS
        self.credentials: dict[str, str] = {}  # demo credentials, when it offers AUTH

    def describe(self) -> list[str]:
        """What a user needs to know about the running sandbox, as note lines."""
        return [f"sandbox: SMTP server on 127.0.0.1 port {self.port}; messages are saved"
                f" in {self.folder}"]

    def start(self) -> None:
        from aiosmtpd.controller import Controller  # lazy: only the sandbox pays for it

        handler = _Handler(self.folder, lambda text: self.report(text))
        self._controller = Controller(
            handler,
            hostname="127.0.0.1",
            port=self.port,
            server_hostname=HOSTNAME,
            ident="ESMTP smtpsh sandbox",
        )
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
