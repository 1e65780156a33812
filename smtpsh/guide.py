"""The learner's guide: what to type next, and why the server just said no.

Pure functions of the dialog state and of what was typed (no I/O, no terminal): the shell's
toolbar shows their answers in the sandbox and with --guide. Reply meanings in general come
from the knowledge base (`smtpsh.explain`); this module only adds what depends on the line
the user sent.
"""

from __future__ import annotations

import re

from smtpsh import explain
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
# AUTH mechanisms a learner can type by hand, in the order they are suggested.
_TYPED_MECHANISMS = ("PLAIN", "LOGIN")

# The command that takes the dialog into each state, for a 503 ("wants ... before ...").
_STATE_REACHED_BY = {GREETED: "EHLO", MAIL: "MAIL FROM", RCPT: "at least one accepted RCPT TO"}
_STATE_ORDER = (CONNECTED, GREETED, MAIL, RCPT)
_COMMAND_NAMES = {"MAIL": "MAIL FROM", "RCPT": "RCPT TO"}
_PARAM_NOT_TAKEN = ("the server does not take a parameter typed after the address:"
                    " use only those its EHLO reply lists")

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
            return f"next: AUTH {typed[0]} (log in), or {_example('MAIL')}"
        return f"next: {_example('MAIL')}"
    if dialog.state == MAIL:
        return f"next: {_example('RCPT')}"
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
    if code == 502 or (code == 500 and (_UNKNOWN_COMMAND.search(text)
                                        or not explain.verb(verb))):
        return f"the server does not know {verb or 'this command'}"
    envelope = verb in ("MAIL", "RCPT")
    if code == 501 and envelope and (address is None or "<" not in rest):
        return f"check the <angle brackets> around the address: {_example(verb)}"
    if code == 555 or (code == 501 and envelope and "param" in text):
        return _PARAM_NOT_TAKEN
    if code == 501 and envelope:
        return f"the server could not read the address <{address}>: check it (user@domain)"
    if code == 501:
        return f"the server could not read the arguments of {verb or 'this command'}"
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
    return explain.one_line(code, enhanced)


def _example(verb: str) -> str:
    """The knowledge base's example of a command, up to its address: "MAIL FROM:<...>"."""
    entry = explain.verb(verb)
    text: str = entry["example"] if entry else verb
    return text.partition(">")[0] + ">" if ">" in text else text


def _sequence(verb: str) -> str:
    """A 503: which command the server wanted first, from the states the verb is valid in."""
    states = explain.valid_states(verb) or frozenset()
    first = next((state for state in _STATE_ORDER if state in states), CONNECTED)
    if first == CONNECTED:
        return ("this command came out of order: the order is EHLO, MAIL FROM, RCPT TO, DATA"
                " (RSET starts over)")
    name = _COMMAND_NAMES.get(verb, verb)
    parts = [f"the server wants {_STATE_REACHED_BY[first]} before {name}"]
    entry = explain.verb(verb)
    if entry and entry.get("once"):
        parts.append(f"{name} only once per session")
    if first == GREETED and MAIL not in states:
        parts.append(f"no {name} inside a mail transaction (RSET ends one)")
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + ", and " + parts[-1]


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
