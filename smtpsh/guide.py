"""The learner's guide: what to type next, and why the server just said no.

Pure functions of the dialog state and of what was typed (no I/O, no terminal): the shell's
toolbar shows their answers in the sandbox and with --guide. Reply meanings in general come
from the knowledge base (`smtpsh.explain`); this module only adds what depends on the line
the user sent.
"""

from __future__ import annotations

import re

from smtpsh import explain, guide_strict
from smtpsh.client import Command, Kind
from smtpsh.i18n import _
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
# Marks a sentence for the catalog (tests/test_i18n.py); it is translated where it is used.
N_ = str
_STATE_REACHED_BY = {GREETED: "EHLO", MAIL: "MAIL FROM",
                     RCPT: N_("at least one accepted RCPT TO")}
_STATE_ORDER = (CONNECTED, GREETED, MAIL, RCPT)
_COMMAND_NAMES = {"MAIL": "MAIL FROM", "RCPT": "RCPT TO"}
_GREETINGS = frozenset({"EHLO", "HELO", "LHLO", "QUIT", "NOOP", "RSET", "STARTTLS"})
_PARAM_NOT_TAKEN = N_("the server does not take a parameter typed after the address:"
                      " use only those its EHLO reply lists")

_ADDRESS = re.compile(r"<([^<>]*)>")
_UNKNOWN_COMMAND = re.compile(r"recogni[sz]ed|unknown command|not implemented", re.IGNORECASE)


def next_step(dialog: Dialog) -> str:
    """The next sensible thing to type, from where the dialog stands."""
    caps = dialog.capabilities
    if dialog.state == CLOSED:
        return _("the connection is closed: {command}").format(command=RECONNECT)
    if dialog.state == DATA:
        return _("type the message; a line with a lone . ends it")
    if dialog.state == CONNECTED:
        if dialog.tls:
            return _("next: EHLO your.name (again: TLS made the server forget the first one)")
        return _("next: EHLO your.name (say hello; EHLO asks for the server's extensions)")
    if dialog.state == GREETED:
        if caps.has("STARTTLS") and not dialog.tls:
            return _("next: STARTTLS (encrypt before anything else)")
        typed = [m for m in _TYPED_MECHANISMS if m in caps.auth_mechanisms]
        if typed and dialog.user is None:
            return _("next: AUTH {mechanism} (log in), or {example}").format(
                mechanism=typed[0], example=_example("MAIL"))
        return _("next: {example}").format(example=_example("MAIL"))
    if dialog.state == MAIL:
        return _("next: {example}").format(example=_example("RCPT"))
    if dialog.state == RCPT:
        return _("next: DATA (or another RCPT TO)")
    return ""


def explain_reject(line_sent: str, reply: Reply, state: str | None = None) -> str | None:
    """Why `reply` refused the command line `line_sent` (sent in dialog `state`, if known)."""
    verb = split_command(line_sent)[0]
    return explain_answer(reply, Command(Kind.LINE, verb, line_sent, state or ""))


def explain_answer(reply: Reply, command: Command | None) -> str | None:
    """Why `reply` refused `command`, from the reply, the command and the state it was sent
    in; None unless 4xx/5xx. The same code means different things after the dot, after an
    AUTH answer, after a BDAT chunk or in the greeting, so each kind is read on its own.
    """
    if not reply.is_error:
        return None
    if reply.code == 421:
        return _("the server is closing the connection: try later with {command}").format(
            command=RECONNECT)
    if command is None:
        return _("no command was waiting for this reply: the server spoke on its own"
                 " ({meaning})").format(meaning=explain.one_line(reply.code, reply.enhanced))
    match command.kind:
        case Kind.GREETING:
            return _greeting(reply)
        case Kind.AUTH_RESPONSE:
            return _auth_answer(reply, command)
        case Kind.DATA_END:
            return _after_dot(reply, command)
        case Kind.BDAT:
            return _bdat(reply, command)
    return _command(reply, command)


def _greeting(reply: Reply) -> str:
    if reply.code == 554:
        return _("the server will not talk to you (RFC 5321 3.1): it may block your address"
                 " or network; it answers 503 to everything but QUIT")
    return explain.one_line(reply.code, reply.enhanced)


def _auth_answer(reply: Reply, command: Command) -> str:
    if command.cancel and reply.code == 501:
        return _("AUTH was cancelled, as asked with *: 501 is the server's confirmation"
                 " (RFC 4954 4)")
    if reply.code == 501:
        return _("the server could not decode the answer: it must be base64 (RFC 4954 4)")
    return _auth_codes(reply) or explain.one_line(reply.code, reply.enhanced)


def _auth_codes(reply: Reply) -> str | None:
    detail = reply.enhanced[2:] if reply.enhanced else ""
    if reply.code == 538 or detail == "7.11":
        return _("the server wants STARTTLS before AUTH")
    if reply.code == 535 or detail == "7.8":
        return _("the user name or the password was not accepted")
    if reply.code == 534 or detail == "7.9":
        return _("the server wants a stronger AUTH mechanism (or TLS first)")
    return None


_TOO_LONG = re.compile(r"too long|line length|7\.0\.0.*long", re.IGNORECASE)


def _after_dot(reply: Reply, command: Command) -> str:
    """A refusal after the final dot: of the message, not of a command."""
    text = reply.text.lower()
    detail = reply.enhanced[2:] if reply.enhanced else ""
    who = (_(" for <{address}>").format(address=command.recipient)
           if command.recipient is not None else "")
    strict = guide_strict.message_reason(reply, who)  # a strict server's reasons
    if strict:
        return strict
    if _TOO_LONG.search(text) or detail == "6.0" and "long" in text:
        return _("the server refused the message{who}: a line in it is too long (at most"
                 " 1000 octets with the CRLF, RFC 5321 4.5.3.1.6)").format(who=who)
    if detail == "3.4" or "size" in text:
        return _("the message{who} is bigger than the server takes (see SIZE in its EHLO"
                 " reply)").format(who=who)
    if detail in ("2.2", "2.3") or "quota" in text or "mailbox full" in text:
        return _("the mailbox{who} is full (quota): the message was not stored").format(who=who)
    return _("the server refused the message{who} after reading it: {meaning}").format(
        who=who, meaning=explain.one_line(reply.code, reply.enhanced))


_QUOTED = re.compile(r"""["'`]([^"'`]+)["'`]""")


def _not_understood(reply: Reply, verb: str) -> str | None:
    """A 500/502 quoting a word that is not the command sent: the server read other bytes
    as a command (a BDAT chunk's octets, a line split by a bare CR or LF)."""
    if reply.code not in (500, 502):
        return None
    m = _QUOTED.search(reply.text)
    if m and m.group(1).split()[0].upper() != verb:
        return m.group(1)
    return None


def _bdat(reply: Reply, command: Command) -> str:
    seen = _not_understood(reply, "BDAT")
    if seen is not None:
        return _("the server read part of the chunk as a command ({seen}): the octets"
                 " after BDAT did not match its size, so the rest came as command lines"
                 " (RFC 3030 2)").format(seen=repr(seen))
    return _command(reply, command)


def _command(reply: Reply, command: Command) -> str:
    """A refusal of a command line."""
    verb, rest = split_command(command.line)
    text = reply.text.lower()
    enhanced = reply.enhanced
    detail = enhanced[2:] if enhanced else ""  # "1.1" of "5.1.1"
    code = reply.code
    address = _address(rest)

    strict = guide_strict.command_reason(reply, verb, address)  # a strict server's
    if strict:
        return strict
    if code == 503:
        return _sequence(verb, command.state)
    seen = _not_understood(reply, verb)
    if seen is not None:
        return _("the server did not read this line as {verb}: it saw {seen} (a line broken"
                 " by a bare CR or LF, or bytes left from before)").format(
                     verb=verb or _("a command"), seen=repr(seen))
    if code == 500 and _TOO_LONG.search(text):
        return _("the command line is too long: at most 512 octets with the CRLF"
                 " (RFC 5321 4.5.3.1.4)")
    if code in (500, 502) and verb in ("EHLO", "LHLO"):
        return _("the server does not know {verb}: it is an old server; greet with"
                 " HELO your.name instead").format(verb=verb)
    if code == 502 or (code == 500 and (_UNKNOWN_COMMAND.search(text)
                                        or not explain.verb(verb))):
        return _("the server does not know {verb}").format(verb=verb or _("this command"))
    envelope = verb in ("MAIL", "RCPT")
    if code == 501 and envelope and (address is None or "<" not in rest):
        return _("check the <angle brackets> around the address: {example}").format(
            example=_example(verb))
    if code == 555 or (code == 501 and envelope and "param" in text):
        return _(_PARAM_NOT_TAKEN)
    if code == 501 and envelope:
        return _("the server could not read the address <{address}>: check it"
                 " (user@domain)").format(address=address)
    if code == 501:
        return _("the server could not read the arguments of {verb}").format(
            verb=verb or _("this command"))
    if code == 530:
        return _first_needed(text)
    auth_reason = _auth_codes(reply)
    if auth_reason:
        return auth_reason
    if detail == "1.1" or (code == 550 and verb == "RCPT" and "unknown" in text):
        return _("the address <{address}> does not exist there").format(address=address or "?")
    if verb == "RCPT" and (detail == "7.1" or "relay" in text):
        return _("the server does not take mail for <{address}> from you: log in with AUTH"
                 " to send through it, or send to the domain's own MX").format(
                     address=address or "?")
    if code == 554 and (verb == "DATA" or "no valid recipients" in text):
        return _("no recipient was accepted, so there is no one to send to:"
                 " give a RCPT TO that the server accepts first")
    if detail == "3.4" or (code == 552 and "size" in text):
        return _("the message is bigger than the server takes (see SIZE in its EHLO reply)")
    return explain.one_line(code, enhanced)


def _example(verb: str) -> str:
    """The knowledge base's example of a command, up to its address: "MAIL FROM:<...>"."""
    entry = explain.verb(verb)
    text: str = entry["example"] if entry else verb
    return text.partition(">")[0] + ">" if ">" in text else text


def _sequence(verb: str, state: str = "") -> str:
    """A 503: which command the server wanted first.

    From the state the command was sent in, when known: before any greeting the answer is
    "greet first" whatever the verb; in a state the verb belongs to, the server's state
    differs from ours (a refused RCPT, a lost transaction). Otherwise from the states the
    verb is valid in.
    """
    states = explain.valid_states(verb) or frozenset()
    if state == CONNECTED and verb not in _GREETINGS:
        return _("greet first: the server wants EHLO your.name (or HELO) before anything"
                 " else (RFC 5321 4.1.4)")
    if state in _STATE_ORDER and state not in states and states:
        wanted = next(s for s in _STATE_ORDER if s in states)
        if _STATE_ORDER.index(wanted) > _STATE_ORDER.index(state):
            name = _COMMAND_NAMES.get(verb, verb)
            return _("the server wants {first} before {command}").format(
                first=_(_STATE_REACHED_BY[wanted]), command=name)
    first = next((state for state in _STATE_ORDER if state in states), CONNECTED)
    if first == CONNECTED:
        return _("this command came out of order: the order is EHLO, MAIL FROM, RCPT TO, DATA"
                 " (RSET starts over)")
    name = _COMMAND_NAMES.get(verb, verb)
    parts = [_("the server wants {first} before {command}").format(
        first=_(_STATE_REACHED_BY[first]), command=name)]
    entry = explain.verb(verb)
    if entry and entry.get("once"):
        parts.append(_("{command} only once per session").format(command=name))
    if first == GREETED and MAIL not in states:
        parts.append(_("no {command} inside a mail transaction (RSET ends one)").format(
            command=name))
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + _(", and ") + parts[-1]


def _first_needed(text: str) -> str:
    """A 530: what the server wants first, as far as its text says."""
    if "starttls" in text or "tls" in text or "encrypt" in text:
        return _("the server wants STARTTLS first")
    if "auth" in text:
        return _("the server wants AUTH first (after STARTTLS)")
    return _("the server wants STARTTLS/AUTH first")


def _address(rest: str) -> str | None:
    """The address in a MAIL/RCPT argument, with or without its angle brackets."""
    m = _ADDRESS.search(rest)
    if m:
        return m.group(1)
    _, colon, after = rest.partition(":")
    words = after.split() if colon else []
    return words[0] if words else None
