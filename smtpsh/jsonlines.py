"""`--json`: script mode's events as JSON lines, one object per event (schema version 1).

Every object has `v` (the schema version), `ts` (ISO 8601 UTC, milliseconds), `event` (its
kind) and `tls` (whether the connection was under TLS). By kind:

- `sent`: `text` (the line as sent, message text included; secrets `[redacted]`), `data`
  (a line of the message), `secret` (the whole line was a secret);
- `reply`: `code`, `enhanced` (or null), `lines` (the text of each line), `answering` (the
  command it answers, or null when no command was waiting), `verb`, `elapsed_ms` (since its
  command went out, or null), `warnings` (what the server did wrong in it);
- `garbage`: `line`, `reason` (a line from the server that is no reply);
- `note`, `warning`: `text`;
- `expect`: `ok`, `expected` (the ?-line), `got` ({code, lines} or null), `command`, `line`.

Secrets are redacted exactly as in the transcript (the session redacts before any output).
"""

from __future__ import annotations

import json
from typing import Any

from smtpsh.events import Checked, Note, Output, Received, Sent, Warn
from smtpsh.protocol import Garbage
from smtpsh.transcript import timestamp

VERSION = 1


def to_json(event: Output, tls: bool) -> dict[str, Any]:
    base: dict[str, Any] = {"v": VERSION, "ts": timestamp(), "tls": tls}
    match event:
        case Sent(text, data, secret):
            return base | {"event": "sent", "text": text, "data": data, "secret": secret}
        case Received(reply, command, elapsed, _):
            return base | {
                "event": "reply", "code": reply.code, "enhanced": reply.enhanced,
                "lines": list(reply.lines),
                "answering": command.name if command is not None else None,  # never translated
                "verb": command.verb if command is not None else None,
                "elapsed_ms": round(elapsed * 1000, 3) if elapsed is not None else None,
                "warnings": list(reply.warnings)}
        case Garbage(line, reason):
            return base | {"event": "garbage", "line": line, "reason": reason}
        case Note(text):
            return base | {"event": "note", "text": text}
        case Warn(text):
            return base | {"event": "warning", "text": text}
        case Checked(ok, expected, got, command, line):
            return base | {
                "event": "expect", "ok": ok, "expected": expected, "command": command,
                "line": line,
                "got": {"code": got.code, "lines": list(got.lines)} if got is not None else None}
    raise TypeError(f"no JSON form for {event!r}")


def dumps(event: Output, tls: bool) -> str:
    """One event as one line of JSON (non-ASCII kept: the redacted text as shown)."""
    return json.dumps(to_json(event, tls), ensure_ascii=False)
