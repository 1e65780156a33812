"""The session transcript, and the one redaction rule for secrets.

A transcript line is `TIMESTAMP [tls ]DIR TEXT` where DIR is `C:` (client), `S:` (server),
`--` (a note) or `!!` (a warning), and `tls` marks lines that crossed an encrypted channel.
Each line is written and flushed at once, so a crash or a kill loses nothing already exchanged.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import TextIO

from smtpsh.i18n import _
from smtpsh.oswords import reason

REDACTED = "[redacted]"


class Redactor:
    """Knows the secrets of a session and hides every known form of them.

    The session registers each secret (a password, a token, a base64 blob carrying one) the
    moment it learns it; whatever is shown or written afterwards passes through `redact`.
    """

    def __init__(self, show_secrets: bool = False) -> None:
        self.show_secrets = show_secrets
        self._forms: set[str] = set()

    def add(self, forms: Iterable[str]) -> None:
        # Forms under 3 characters would hide ordinary words everywhere; a password that
        # short is still never shown, as its own line goes out marked secret as a whole.
        self._forms.update(f for f in forms if len(f) >= 3)

    @property
    def active(self) -> bool:
        """Whether any text could need hiding (the fast path skips redaction otherwise)."""
        return bool(self._forms) and not self.show_secrets

    def redact(self, text: str) -> str:
        if self.show_secrets or not self._forms:
            return text
        for form in sorted(self._forms, key=len, reverse=True):
            if form in text:
                text = text.replace(form, REDACTED)
        return text


def timestamp() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Transcript:
    """Appends the dialog to a file, one flushed line per protocol line.

    It writes what it is given: the session redacts every event before it gets here.
    """

    def __init__(self, path: str) -> None:
        from smtpsh.config import loose_mode, open_private

        self.path = path
        # Made readable by its owner only from the start: it may hold addresses and text.
        fd = open_private(path)
        mode = loose_mode(fd)
        # One line for the user when an existing file lets others read the dialog.
        self.warning = (None if mode is None else
                        _("the transcript {path} is readable by others (mode {mode}): chmod"
                          " 600 {path} to keep the dialog private").format(
                              path=path, mode=f"{mode:04o}"))
        self._file: TextIO | None = open(  # noqa: SIM115 - lives as long as the session
            fd, "a", encoding="utf-8", errors="backslashreplace", newline="\n"
        )
        # A write that fails (a full disk, /dev/full) ends the transcript, not the dialog:
        # `error` says why, once, through `on_error` (the session's warning) if set.
        self.error: str | None = None
        self.on_error: Callable[[str], None] | None = None

    def write(self, direction: str, text: str, tls: bool = False) -> None:
        if self._file is None:
            return
        mark = "tls " if tls else ""
        try:
            for line in text.split("\n"):
                self._file.write(f"{timestamp()} {mark}{direction} {line}\n")
            self._file.flush()  # so that a crash or a kill loses nothing already exchanged
        except OSError as exc:
            self._failed(exc)

    def _failed(self, exc: OSError) -> None:
        file, self._file = self._file, None
        if file is not None:
            with contextlib.suppress(OSError):
                file.close()
        if self.error is None:
            self.error = _("cannot write the transcript {path}: {error}; it stops here").format(
                path=self.path, error=reason(exc))
            if self.on_error is not None:
                self.on_error(self.error)

    def close(self) -> None:
        if self._file is not None:
            try:
                self._file.close()
            except OSError as exc:
                self._file = None  # closed even so; the error is said once
                self._failed(exc)
            self._file = None
