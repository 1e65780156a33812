"""The learner's guide: what to type next, and why the server just said no.

Pure functions of the dialog state and of what was typed (no I/O, no terminal): the shell's
toolbar shows their answers in the sandbox and with --guide. Reply meanings in general come
from the knowledge base (`smtpsh.explain`); this module only adds what depends on the line
the user sent.
"""

from __future__ import annotations

import re

from smtpsh.explain import one_line
from smtpsh.explain import verb as known_verb
from smtpsh.protocol import (
    CLOSED,
    CONNECTED,
    DATA,
    GREETED,
    MAIL,
    RCPT,
    Dialog,
    Reply,
    split_command,
)

# The shell's command to connect again (its commands start with ':', see shell/commands.py).
RECONNECT = ":reconnect"
EXAMPLE_FROM = "MAIL FROM:<you@example.org>"
EXAMPLE_TO = "RCPT TO:<someone@example.org>"
# AUTH mechanisms a learner can type by hand, in the order they are suggested.
_TYPED_MECHANISMS = ("PLAIN", "LOGIN")

_ADDRESS = re.compile(r"<([^<>]*)>")
_UNKNOWN_COMMAND = re.compile(r"recogni[sz]ed|unknown command|not implemented", re.IGNORECASE)


def next_step(dialog: Dialog) -> str:
    """The next sensible thing to type, from where the dialog stands."""
    caps = dialog.capabilities
    if dialog.state == CLOSED:
        return f"the connection is closed: {RECONNECT}"
    if dialog.state == DATA:
        return "type the message; a line with a lone . ends it"
    if dialog.state == CONNECTED:
        if dialog.tls:
            return "next: EHLO your.name (again: TLS made the server forget the first one)"
        return "next: EHLO your.name (say hello; EHLO asks for the server's extensions)"
    if dialog.state == GREETED:
        if caps.has("STARTTLS") and not dialog.tls:
            return "next: STARTTLS (encrypt before anything else)"
        typed = [m for m in _TYPED_MECHANISMS if m in caps.auth_mechanisms]
        if typed and dialog.user is None:
            return f"next: AUTH {typed[0]} (log in), or {EXAMPLE_FROM}"
        return f"next: {EXAMPLE_FROM}"
    if dialog.state == MAIL:
        return f"next: {EXAMPLE_TO}"
    if dialog.state == RCPT:
        return "next: DATA (or another RCPT TO)"
    return ""


def explain_reject(line_sent: str, reply: Reply) -> str | None:
    """Why `reply` refused `line_sent`, in terms of what was typed; None unless 4xx/5xx.

    Known cases get a sentence about the command; anything else gets the code's meaning
    from the knowledge base.
    """
    if not reply.is_error:
        return None
    verb, rest = split_command(line_sent)
    text = reply.text.lower()
    enhanced = reply.enhanced
    detail = enhanced[2:] if enhanced else ""  # "1.1" of "5.1.1"
    code = reply.code
    address = _address(rest)

    if code == 503:
        return _sequence(verb)
    if code in (500, 502) and verb in ("EHLO", "LHLO"):
        return (f"the server does not know {verb}: it is an old server; greet with"
                " HELO your.name instead")
    if code == 502 or (code == 500 and (_UNKNOWN_COMMAND.search(text) or not known_verb(verb))):
        return f"the server does not know {verb or 'this command'}"
    if code == 501 and verb in ("MAIL", "RCPT"):
        if address is None or "<" not in rest:
            example = EXAMPLE_FROM if verb == "MAIL" else EXAMPLE_TO
            return f"check the <angle brackets> around the address: {example}"
        if "param" in text:
            return ("the server does not take a parameter typed after the address:"
                    " use only those its EHLO reply lists")
        return f"the server could not read the address <{address}>: check it (user@domain)"
    if code == 501:
        return f"the server could not read the arguments of {verb or 'this command'}"
    if code == 555:
        return ("the server does not take a parameter typed after the address:"
                " use only those its EHLO reply lists")
    if code == 530:
        return _first_needed(text)
    if code == 538 or detail == "7.11":
        return "the server wants STARTTLS before AUTH"
    if code == 535 or detail == "7.8":
        return "the user name or the password was not accepted"
    if code == 534 or detail == "7.9":
        return "the server wants a stronger AUTH mechanism (or TLS first)"
    if detail == "1.1" or (code == 550 and verb == "RCPT" and "unknown" in text):
        return f"the address <{address or '?'}> does not exist there"
    if verb == "RCPT" and (detail == "7.1" or "relay" in text):
        return (f"the server does not take mail for <{address or '?'}> from you:"
                " log in with AUTH to send through it, or send to the domain's own MX")
    if code == 554 and (verb == "DATA" or "no valid recipients" in text):
        return ("no recipient was accepted, so there is no one to send to:"
                " give a RCPT TO that the server accepts first")
    if detail == "3.4" or (code == 552 and "size" in text):
        return "the message is bigger than the server takes (see SIZE in its EHLO reply)"
    if code == 421:
        return f"the server is closing the connection: try later with {RECONNECT}"
    return one_line(code, enhanced)


def _sequence(verb: str) -> str:
    """A 503: which command the server wanted first."""
    if verb == "RCPT":
        return "the server wants MAIL FROM before RCPT TO"
    if verb in ("DATA", "BDAT"):
        return f"the server wants at least one accepted RCPT TO before {verb}"
    if verb == "MAIL":
        return ("the server wants EHLO (and maybe AUTH) before MAIL FROM, and one MAIL FROM"
                " per message: RSET starts over")
    if verb == "AUTH":
        return "AUTH comes once, after EHLO and outside a mail transaction"
    if verb == "STARTTLS":
        return "STARTTLS comes once, right after EHLO"
    return ("this command came out of order: the order is EHLO, MAIL FROM, RCPT TO, DATA"
            " (RSET starts over)")


def _first_needed(text: str) -> str:
    """A 530: what the server wants first, as far as its text says."""
    if "starttls" in text or "tls" in text or "encrypt" in text:
        return "the server wants STARTTLS first"
    if "auth" in text:
        return "the server wants AUTH first (after STARTTLS)"
    return "the server wants STARTTLS/AUTH first"


def _address(rest: str) -> str | None:
    """The address in a MAIL/RCPT argument, with or without its angle brackets."""
    m = _ADDRESS.search(rest)
    if m:
        return m.group(1)
    _, colon, after = rest.partition(":")
    words = after.split() if colon else []
    return words[0] if words else None
