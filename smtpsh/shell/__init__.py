"""The interactive shell (prompt_toolkit): `repl.run` is the entry point.

This module also holds the shell's one door to the knowledge base, `smtpsh.explain`, with a
minimal fallback so the shell works (with less help) if that module is missing or changes.
"""

from __future__ import annotations

import functools
from types import ModuleType
from typing import Any

# The verbs the shell knows, in the order a dialog uses them.
VERBS = (
    "EHLO", "HELO", "LHLO", "STARTTLS", "AUTH", "MAIL", "RCPT", "DATA", "BDAT",
    "RSET", "NOOP", "VRFY", "EXPN", "HELP", "ETRN", "QUIT",
)  # fmt: skip

_SYNTAX = {
    "EHLO": "EHLO domain",
    "HELO": "HELO domain",
    "LHLO": "LHLO domain",
    "STARTTLS": "STARTTLS",
    "AUTH": "AUTH mechanism [initial-response]",
    "MAIL": "MAIL FROM:<reverse-path> [parameters]",
    "RCPT": "RCPT TO:<forward-path> [parameters]",
    "DATA": "DATA, then the message, ended by a line holding only '.'",
    "BDAT": "BDAT size [LAST]",
    "RSET": "RSET",
    "NOOP": "NOOP [string]",
    "VRFY": "VRFY string",
    "EXPN": "EXPN string",
    "HELP": "HELP [verb]",
    "ETRN": "ETRN domain",
    "QUIT": "QUIT",
}


@functools.cache
def _explain() -> ModuleType | None:
    try:
        from smtpsh import explain
    except ImportError:
        return None
    return explain


def _call(name: str, *args: Any) -> Any:
    # The knowledge base is an aid: whatever goes wrong in it, the shell goes on without it.
    fn = getattr(_explain(), name, None)
    if fn is None:
        return None
    try:
        return fn(*args)
    except Exception:  # noqa: BLE001
        return None


def _text(value: Any, *keys: str) -> str | None:
    if isinstance(value, str):
        return value or None
    if isinstance(value, dict):
        for key in keys:
            if isinstance(value.get(key), str) and value[key]:
                return value[key]
    return None


def verb_syntax(name: str) -> str | None:
    return _text(_call("verb", name), "syntax") or _SYNTAX.get(name.upper())


def verb_help(name: str) -> str | None:
    return _text(_call("verb", name), "help", "summary")


def keyword_meaning(name: str) -> str | None:
    return _text(_call("keyword", name), "title", "help")
