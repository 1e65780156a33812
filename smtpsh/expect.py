"""Expected replies in dialog files: `?250`, `?5`, `?550 5.1.1`, `?250 /queued as/`.

A line starting with `?` after a command asserts the reply to it: a reply code or its first
digits (a class), alternatives with `|` (`?250|251`), an enhanced status code, and a regular
expression on the reply's text between slashes. An expected refusal then counts as success;
one that does not match fails the dialog (exit status 13). Pure functions: no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from smtpsh.i18n import _
from smtpsh.protocol import Reply

_SYNTAX = re.compile(
    r"^\?\s*(?P<codes>\d{1,3}(?:\s*\|\s*\d{1,3})*)"
    r"(?:\s+(?P<enhanced>[245]\.\d{1,3}\.\d{1,3}))?"
    r"(?:\s+/(?P<pattern>.*)/)?\s*$"
)
PREFIX = "?"


class BadExpectation(ValueError):
    """A ?-line that cannot be read; the message says how to write it."""


@dataclass(frozen=True)
class Expectation:
    text: str  # as written, for messages
    codes: tuple[str, ...]  # "250", "5", "55": a reply code must start with one of them
    enhanced: str | None = None
    pattern: re.Pattern[str] | None = None

    @classmethod
    def parse(cls, line: str) -> Expectation:
        m = _SYNTAX.match(line.strip())
        if not m:
            raise BadExpectation(
                _("cannot read {line}: write ?CODE [ENHANCED] [/REGEX/], e.g. ?250, ?5, ?550"
                  " 5.1.1, ?250 /queued as/, ?250|251").format(line=repr(line.strip())))
        pattern = None
        if m.group("pattern") is not None:
            try:
                pattern = re.compile(m.group("pattern"), re.IGNORECASE)
            except re.error as exc:
                raise BadExpectation(_("bad regular expression in {line}: {error}").format(
                    line=repr(line.strip()), error=exc)) from None
        codes = tuple(c.strip() for c in m.group("codes").split("|"))
        return cls(line.strip(), codes, m.group("enhanced"), pattern)

    def matches(self, reply: Reply) -> bool:
        code = f"{reply.code:03d}"
        if not any(code.startswith(c) for c in self.codes):
            return False
        if self.enhanced is not None and reply.enhanced != self.enhanced:
            return False
        return self.pattern is None or self.pattern.search(reply.text) is not None


def is_expectation(line: str) -> bool:
    return line.lstrip().startswith(PREFIX)
