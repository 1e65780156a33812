"""The interactive shell (prompt_toolkit): `repl.run` is the entry point.

What the shell says about verbs and keywords comes from the knowledge base
(`smtpsh.explain`, data in smtpsh/data/); this module holds the shell's few helpers on it.
"""

from __future__ import annotations

from smtpsh import explain

# The verbs the shell offers, in the order a dialog uses them (a choice of the UI; what
# each verb is, needs and means is in the knowledge base).
VERBS = (
    "EHLO", "HELO", "LHLO", "STARTTLS", "AUTH", "MAIL", "RCPT", "DATA", "BDAT",
    "RSET", "NOOP", "VRFY", "EXPN", "HELP", "ETRN", "QUIT",
)  # fmt: skip


def verb_syntax(name: str) -> str | None:
    entry = explain.verb(name)
    return entry["syntax"] if entry else None


def verb_help(name: str) -> str | None:
    entry = explain.verb(name)
    return entry["help"] if entry else None


def keyword_meaning(name: str) -> str | None:
    entry = explain.keyword(name)
    return (entry.get("title") or entry.get("help")) if entry else None
