"""The interactive shell (prompt_toolkit): `repl.run` is the entry point.

One module per concern, each importing only downwards (repl at the top):

- repl: the loop; builds the PromptSession from the pieces below, runs lines, Ctrl-C/D
- commands: the registry of ':' commands (handler, syntax, help, argument completer)
- completer, toolbar: what to offer at the cursor, and the bottom line; both read the registry
- keys, style, screen, state, history: key bindings, colours, the output sink (and :save's
  lines), what the shell keeps between lines, the history file

What the shell says about verbs and keywords comes from the knowledge base
(`smtpsh.explain`, data in smtpsh/data/); this module holds the shell's few helpers on it.
"""

from __future__ import annotations

from smtpsh import explain
from smtpsh.i18n import decimal

# The verbs the shell offers, in the order a dialog uses them (a choice of the UI; what
# each verb is, needs and means is in the knowledge base).
VERBS = (
    "EHLO", "HELO", "LHLO", "STARTTLS", "AUTH", "MAIL", "RCPT", "DATA", "BDAT",
    "RSET", "NOOP", "VRFY", "EXPN", "HELP", "ETRN", "XCLIENT", "XFORWARD", "QUIT",
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


def matches(candidate: str, word: str) -> bool:
    """Whether completing `word` may offer `candidate`: a prefix, in any case, and an
    address's '<' optional; not what is typed in full already."""
    c, w = candidate.upper(), word.upper()
    if c == w:
        return False  # already typed in full
    return c.startswith(w) or c.lstrip("<").startswith(w.lstrip("<"))


def human_size(octets: int) -> str:
    size = float(octets)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if size == int(size) else f"{decimal(size, 1)} {unit}"
        size /= 1024
    return f"{octets} B"
