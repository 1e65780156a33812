"""Ready-made classroom scenarios for the sandbox (`--scenario NAME`), built from fault rules.

Each has a paragraph a teacher can read out (printed when the scenario starts, listed by
`--scenario list`), and its rules (smtpsh.sandbox_rules), some with a number a class may
change: `--scenario greylisting:30` waits 30 s instead of the default.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from smtpsh.i18n import N_, _, decimal
from smtpsh.sandbox_rules import Rule, make_rule


@dataclass(frozen=True)
class Scenario:
    name: str
    title: str  # marked with N_: translated where it is shown
    explanation: str  # a paragraph to read out; {n} is the scenario's number (N_ too)
    make: Callable[[float], list[dict[str, object]]]  # the number -> the rules' tables
    default: float = 0.0  # the number, when it has one (seconds)
    unit: str = ""  # what the number is ("seconds")

    def rules(self, number: float | None = None) -> list[Rule]:
        n = self.default if number is None else number
        return [make_rule(dict(table)) for table in self.make(n)]

    def text(self, number: float | None = None) -> str:
        n = self.default if number is None else number
        return _(self.explanation).format(n=decimal(n))

    def heading(self, number: float | None = None) -> str:
        """The paragraph as the sandbox prints it when the scenario starts."""
        return _("scenario {name}: {text}").format(name=self.name, text=self.text(number))


SCENARIOS: dict[str, Scenario] = {s.name: s for s in (
    Scenario(
        "greylisting", N_("the first attempt is deferred (451 4.7.1), a retry later accepted"),
        N_("Greylisting. The server does not know this sender yet, so it answers the first"
           " attempt of each triplet (client address, sender, recipient) with 451 4.7.1, a"
           " temporary refusal: \"try again later\". A real mail server keeps the message in its"
           " queue and tries again after a few minutes; spam software that fires and forgets"
           " usually does not come back. Here a retry of the same triplet is accepted from {n}"
           " seconds after the first attempt, on any later connection. Watch the queue: the"
           " message is delayed, not lost, and the sender is told nothing unless it waits too"
           " long."),
        lambda n: [{"stage": "rcpt", "greylist": n,
                    "reply": "451 4.7.1 Greylisted: first attempt from this client, sender"
                    " and recipient; please retry later"}],
        default=60, unit="seconds"),
    Scenario(
        "full-mailbox", N_("a recipient over quota: 452 at RCPT, 552 after DATA"),
        N_("A full mailbox. Mail to full@ any domain gets 452 4.2.2 at RCPT TO: the mailbox is"
           " full for now, so the sender keeps the message and retries, hoping the owner makes"
           " room. Mail to quota@ any domain is taken up to the final dot and then refused with"
           " 552 5.2.2: a permanent refusal, so the sender gives up and returns the message to"
           " its author with a bounce that quotes the reply. Other recipients are accepted as"
           " usual: one full mailbox does not stop a message to the others."),
        lambda n: [{"stage": "rcpt", "match": "full@*",
                    "reply": "452 4.2.2 Mailbox full: over quota, try again later"},
                   {"stage": "message", "recipient": "quota@*",
                    "reply": "552 5.2.2 Mailbox full: the message would exceed the quota"}]),
    Scenario(
        "tls-required", N_("530 5.7.0 to MAIL FROM until STARTTLS"),
        N_("TLS required. The server refuses MAIL FROM with 530 5.7.0 until the client has"
           " said STARTTLS and said EHLO again over the encrypted connection. This is the policy"
           " of submission servers and of MX hosts that insist on encryption. A client that"
           " does not look for STARTTLS in the EHLO reply, or that gives up on encryption when"
           " the handshake fails, cannot send here; one that upgrades first goes through."),
        lambda n: [{"stage": "mail", "unless": "tls",
                    "reply": "530 5.7.0 Must issue a STARTTLS command first"}]),
    Scenario(
        "auth-required", N_("530 5.7.0 to MAIL FROM until AUTH"),
        N_("Authentication required. Like a submission server on port 587, the sandbox takes"
           " mail only from authenticated users: MAIL FROM gets 530 5.7.0 until the client has"
           " logged in with AUTH. AUTH itself is offered only after STARTTLS, so that the"
           " password never crosses the network in clear: the order is EHLO, STARTTLS, EHLO,"
           " AUTH, then MAIL FROM. The demo user and password are printed above."),
        lambda n: [{"stage": "mail", "unless": "auth",
                    "reply": "530 5.7.0 Authentication required"}]),
    Scenario(
        "slow-greeting", N_("the 220 greeting comes after a pause"),
        N_("A slow greeting. The server waits {n} seconds before its 220 greeting, as busy"
           " servers do, and as anti-spam front ends such as Postfix's postscreen do on purpose:"
           " a client must wait for the greeting before it speaks (RFC 5321 allows the server 5"
           " minutes). Spam software that talks first, or a client with a short timeout, gives"
           " itself away; a patient client sees the greeting and carries on as usual."),
        lambda n: [{"stage": "connect", "delay": n}],
        default=10, unit="seconds"),
    Scenario(
        "flaky", N_("421 and close on every other connection"),
        N_("A flaky server. Every other connection is answered with 421 4.3.2 and closed at"
           " once, as a server does when it is overloaded or shutting down. 421 is temporary:"
           " a good sender keeps the message and tries again later, on a new connection, and"
           " that one is served normally. An application that treats the first failure as"
           " final loses mail."),
        lambda n: [{"stage": "connect", "every": 2,
                    "reply": "421 4.3.2 Service not available, closing the connection"}]),
    Scenario(
        "no-starttls", N_("STARTTLS hidden from the EHLO reply and refused"),
        N_("No encryption on offer. The server leaves STARTTLS out of its EHLO reply and"
           " refuses it with 454 4.7.0 if asked anyway, as an old server, or a man in the middle"
           " that strips STARTTLS, would. Opportunistic senders go on in clear text; a sender"
           " that requires TLS (MTA-STS, DANE, smtp_tls_security_level = encrypt) keeps the"
           " message and reports the failure. Which one is your client?"),
        lambda n: [{"stage": "helo", "hide": "STARTTLS"},
                   {"stage": "starttls", "reply": "454 4.7.0 TLS not available"}]),
    Scenario(
        "dropped-data", N_("the connection drops in the middle of DATA, once"),
        N_("A dropped connection. The first time a client sends a message from a sender to a"
           " set of recipients, the server drops the connection in the middle of the message"
           " text, without a reply. The message was not accepted: no 250 came after the final"
           " dot, so a sender must keep it and try again. A retry of the same message is"
           " accepted. A sender that counts a message as sent before the 250 loses it."),
        lambda n: [{"stage": "text", "attempts": 1, "disconnect": True}]),
)}


def parse(spec: str) -> tuple[Scenario, float | None]:
    """`greylisting` or `greylisting:30`: the scenario and its number; ValueError says why."""
    name, _colon, number = spec.strip().lower().partition(":")
    scenario = SCENARIOS.get(name)
    if scenario is None:
        raise ValueError(_("no scenario {name}; --scenario list shows them: {known}").format(
            name=repr(name), known=", ".join(SCENARIOS)))
    if not number:
        return scenario, None
    if not scenario.unit:
        raise ValueError(_("the scenario {name} takes no number").format(name=name))
    try:
        value = float(number)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 3600:
        raise ValueError(_("{name}:{number}: give a number of seconds, 0 to 3600").format(
            name=name, number=number))
    return scenario, value


def listing() -> str:
    """`--scenario list`: each scenario, its rules and the paragraph to read out."""
    import textwrap

    out = []
    for s in SCENARIOS.values():
        number = _(" ({name}:SECS, default {default} s)").format(
            name=s.name, default=decimal(s.default)) if s.unit else ""
        out.append(f"{s.name}: {_(s.title)}{number}")
        out += ["  " + _("rule: {rule}").format(rule=r.describe()) for r in s.rules()]
        out += textwrap.wrap(s.text(), 78, initial_indent="  ", subsequent_indent="  ")
        out.append("")
    return "\n".join(out).rstrip()
