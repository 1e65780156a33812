"""A Pygments lexer for SMTP: transcripts, netcat dialogs and commands typed at the prompt.

Registered as ``smtp`` (``pygmentize -l smtp FILE``); the REPL wraps it in prompt_toolkit's
``PygmentsLexer`` to colour what is being typed. Every state accepts any character, so the
lexer never emits ``Error``: it shows what it cannot name as plain text.

Token types, chosen because common styles colour them:

- ``Keyword``: verbs, case-insensitive; ``MAIL FROM:`` and ``RCPT TO:`` are one token
- ``Name.Builtin``: the shell's own ``:commands``
- ``Name.Variable``: ``<addresses>``
- ``Name.Attribute``, ``Operator``, ``String``: ESMTP parameters ``KEY=value``
- ``Name.Constant``: an AUTH mechanism; ``String.Other``: base64 (AUTH, 334, a client answer)
- reply codes by class: 2xx ``Generic.Inserted`` (green in most styles), 3xx
  ``Generic.Subheading``, 4xx ``Generic.Traceback``, 5xx ``Generic.Error`` (red in most);
  any other code ``Number``, enhanced status codes ``Number``. No standard token is yellow
  in most styles, so 4xx is only told apart from 5xx in some; the shell colours replies itself.
- ``Generic.Prompt``: the direction markers ``C:``/``S:`` and netcat's ``<``/``>``
- ``Comment``: timestamps and ``--`` notes; ``Generic.Strong``: ``!!`` warnings
- ``Comment.Special``: ``[redacted]``; ``Operator``: a lone ``*`` (cancels AUTH)
"""

from __future__ import annotations

import re

from pygments.lexer import RegexLexer, bygroups, default, include, words
from pygments.token import (
    Comment,
    Generic,
    Keyword,
    Name,
    Number,
    Operator,
    Punctuation,
    String,
    Text,
    Whitespace,
)

from smtpsh import explain

# The verbs of the knowledge base, plus Postfix's vendor commands (no RFC defines them, so
# the knowledge base, which cites an RFC for every entry, does not hold them).
VERBS = (*explain.verbs(), "XCLIENT", "XFORWARD")

_TIMESTAMP = r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?"
_BASE64 = r"[A-Za-z0-9+/]+={0,2}"
# A line that is one base64 word: a client's answer at a 334.
_BASE64_LINE = r"(?:[A-Za-z0-9+/]{4})+(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?(?=[ \t\r]*$)"
_END = r"(?=\s|$)"
# After a reply code: the continuation dash, or nothing when no digit follows. An optional
# dash ("-?" then "(?!\d)") would give the dash up before a digit, as in "250-8BITMIME".
_DASH = r"(-|(?!\d))"


class SmtpLexer(RegexLexer):
    """SMTP dialogs (``C:``/``S:`` or ``<``/``>``, with optional timestamps) and commands."""

    name = "SMTP"
    aliases = ["smtp"]
    filenames = ["*.smtp"]
    flags = re.IGNORECASE | re.MULTILINE

    # The root state is only ever at the start of a line (or just after its timestamp):
    # every line state pops at the newline.
    tokens = {
        "root": [
            (r"\n", Whitespace),
            # A transcript line: the timestamp, then "tls" when the line went through TLS.
            (rf"({_TIMESTAMP})([ \t]+)(?:(tls)([ \t]+))?",
             bygroups(Comment, Whitespace, Keyword.Pseudo, Whitespace)),
            (rf"(?:C:|<){_END}", Generic.Prompt, "command"),
            (rf"(?:S:|>){_END}", Generic.Prompt, "reply"),
            (rf"--{_END}.*", Comment),
            (r"!!.*", Generic.Strong),
            (r":[\w-]*", Name.Builtin, "args"),
            include("code"),
            default("command"),
        ],
        "common": [
            (r"\[redacted\]", Comment.Special),
            (r"[^\S\n]+", Whitespace),
        ],
        "command": [
            (r"\n", Whitespace, "#pop"),
            include("common"),
            (r"(MAIL[ \t]+FROM:|RCPT[ \t]+TO:)", Keyword, ("#pop", "mailargs")),
            (r"AUTH\b", Keyword, ("#pop", "authargs")),
            (words(VERBS, suffix=r"\b"), Keyword, ("#pop", "args")),
            (r"\*(?=[ \t\r]*$)", Operator),
            (_BASE64_LINE, String.Other),
            default(("#pop", "text")),
        ],
        "mailargs": [
            include("address"),
            (r"([\w.-]+)(=)(\S*)", bygroups(Name.Attribute, Operator, String)),
            (r"[\w.-]+", Name.Attribute),
            include("text"),
        ],
        "authargs": [
            (r"\n", Whitespace, "#pop"),
            include("common"),
            (r"[\w-]+", Name.Constant, ("#pop", "blob")),
            default(("#pop", "text")),
        ],
        "blob": [
            (r"\n", Whitespace, "#pop"),
            include("common"),
            (rf"{_BASE64}|=", String.Other),
            default(("#pop", "text")),
        ],
        "args": [
            include("address"),
            (r"\d+\b", Number),
            include("text"),
        ],
        "reply": [
            (r"\n", Whitespace, "#pop"),
            include("common"),
            include("code"),
            default(("#pop", "text")),
        ],
        # A code, then the continuation dash whatever follows it ("250-8BITMIME" as much as
        # "250-SMTPUTF8"), or else no digit: "2500" is not a code.
        "code": [
            (rf"(334){_DASH}", bygroups(Generic.Subheading, Punctuation), ("#pop", "challenge")),
            (rf"(2\d\d){_DASH}", bygroups(Generic.Inserted, Punctuation), ("#pop", "status")),
            (rf"(3\d\d){_DASH}", bygroups(Generic.Subheading, Punctuation), ("#pop", "status")),
            (rf"(4\d\d){_DASH}", bygroups(Generic.Traceback, Punctuation), ("#pop", "status")),
            (rf"(5\d\d){_DASH}", bygroups(Generic.Error, Punctuation), ("#pop", "status")),
            (rf"(\d{{3}}){_DASH}", bygroups(Number, Punctuation), ("#pop", "status")),
        ],
        "status": [
            (r"\n", Whitespace, "#pop"),
            (r"[^\S\n]+", Whitespace),
            (rf"\d\.\d{{1,3}}\.\d{{1,3}}{_END}", Number, ("#pop", "text")),
            default(("#pop", "text")),
        ],
        "challenge": [
            (r"\n", Whitespace, "#pop"),
            (r"[^\S\n]+", Whitespace),
            (rf"{_BASE64}{_END}", String.Other, ("#pop", "text")),
            default(("#pop", "text")),
        ],
        "address": [
            (r"<[^<>\s]*>?", Name.Variable),
        ],
        "text": [
            (r"\n", Whitespace, "#pop"),
            include("common"),
            include("address"),
            (r"[^\s<\[]+|\[", Text),
        ],
    }
