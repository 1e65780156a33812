"""The learner's guide: the next step from the dialog state, and rejects explained."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from corehelp import talk

from smtpsh import explain
from smtpsh.client import Client
from smtpsh.explain import one_line, verb
from smtpsh.guide import explain_reject, next_step
from smtpsh.protocol import Capabilities, Dialog, Reply

# The knowledge base's examples of MAIL and RCPT, up to the address: what the guide suggests.
MAIL_EXAMPLE = "MAIL FROM:<alice@example.org>"
RCPT_EXAMPLE = "RCPT TO:<bob@example.net>"


def reply(line: str) -> Reply:
    code, _, text = line.partition(" ")
    return Reply(int(code), (text,))


def ehlo(*keywords: str) -> Capabilities:
    return Capabilities.from_ehlo(Reply(250, ("mx.test", *keywords)))


def dialog(state: str, *keywords: str, tls: bool = False, user: str | None = None) -> Dialog:
    return Dialog(state=state, capabilities=ehlo(*keywords), greeted_with_ehlo=bool(keywords),
                  tls=tls, user=user)


@pytest.mark.parametrize(("d", "step"), [
    (dialog("connected"),
     "next: EHLO your.name (say hello; EHLO asks for the server's extensions)"),
    (dialog("greeted", "STARTTLS", "SIZE 1000"), "next: STARTTLS (encrypt before anything else)"),
    (dialog("greeted", "SIZE 1000"), f"next: {MAIL_EXAMPLE}"),
    (dialog("greeted"), f"next: {MAIL_EXAMPLE}"),
    (dialog("mail"), f"next: {RCPT_EXAMPLE}"),
    (dialog("rcpt"), "next: DATA (or another RCPT TO)"),
    (dialog("data"), "type the message; a line with a lone . ends it"),
    (dialog("closed"), "the connection is closed: :reconnect"),
])
def test_next_step(d: Dialog, step: str) -> None:
    assert next_step(d) == step


def test_next_step_after_starttls() -> None:
    # RFC 3207: TLS is up, the server's EHLO answers are forgotten: greet again.
    c = Client()
    talk(c, "EHLO me.test", "250 mx.test")
    talk(c, "STARTTLS", "220 Ready to start TLS")
    c.tls_started()  # what the session calls once the handshake succeeded
    d = c.dialog
    assert d.state == "connected" and d.tls
    assert next_step(d).startswith("next: EHLO your.name (again")


def test_next_step_with_tls_offers_auth_then_mail() -> None:
    d = dialog("greeted", "AUTH CRAM-MD5 LOGIN PLAIN", tls=True)
    assert next_step(d) == f"next: AUTH PLAIN (log in), or {MAIL_EXAMPLE}"
    d.user = "demo"
    assert next_step(d) == f"next: {MAIL_EXAMPLE}"
    # A mechanism not typed by hand is not suggested.
    assert next_step(dialog("greeted", "AUTH XOAUTH2", tls=True)).endswith(MAIL_EXAMPLE)


def test_starttls_is_not_suggested_again_once_on() -> None:
    assert "STARTTLS" not in next_step(dialog("greeted", "STARTTLS", tls=True))


def test_next_step_follows_a_real_dialog() -> None:
    c = Client()
    talk(c, None, "220 mx.test")
    d = c.dialog
    steps = [next_step(d)]
    for line, answer in [("EHLO me.test", "250 mx.test"), ("MAIL FROM:<a@b.test>", "250 OK"),
                         ("RCPT TO:<c@d.test>", "250 OK"), ("DATA", "354 go on")]:
        talk(c, line, answer)
        steps.append(next_step(d))
    assert [s.split(" ")[1] if s.startswith("next:") else s[:4] for s in steps] == [
        "EHLO", "MAIL", "RCPT", "DATA", "type"]


@pytest.mark.parametrize(("sent", "answer", "why"), [
    ("RCPT TO:<bob@example.org>", "503 Error: need MAIL command",
     "the server wants MAIL FROM before RCPT TO"),
    ("rcpt to:<bob@example.org>", "503 5.5.1 Error: need MAIL command",
     "the server wants MAIL FROM before RCPT TO"),
    ("DATA", "503 5.5.1 Error: need RCPT command",
     "the server wants at least one accepted RCPT TO before DATA"),
    ("MAIL FROM:<a@example.org>", "530 5.7.0 Must issue a STARTTLS command first",
     "the server wants STARTTLS first"),
    ("MAIL FROM:<a@example.org>", "530 5.7.0 Authentication required",
     "the server wants AUTH first (after STARTTLS)"),
    ("MAIL FROM:<a@example.org>", "530 Access denied", "the server wants STARTTLS/AUTH first"),
    ("RCPT TO:<nobody@example.org>", "550 5.1.1 <nobody@example.org>: User unknown",
     "the address <nobody@example.org> does not exist there"),
    ("RCPT TO:<nobody@example.org>", "550 User unknown in local recipient table",
     "the address <nobody@example.org> does not exist there"),
    ("DATA", "554 5.5.1 Error: no valid recipients",
     "no recipient was accepted, so there is no one to send to:"
     " give a RCPT TO that the server accepts first"),
    ("MAIL FROM:me@example.org", "501 5.1.7 Bad sender address syntax",
     f"check the <angle brackets> around the address: {MAIL_EXAMPLE}"),
    ("RCPT TO bob@example.org", "501 Syntax: RCPT TO:<address>",
     f"check the <angle brackets> around the address: {RCPT_EXAMPLE}"),
    ("VRFY", "501 Syntax: VRFY <address>", "the server could not read the arguments of VRFY"),
    ("EXPN staff", "502 5.5.1 Error: command not implemented", "the server does not know EXPN"),
    ("FOO", '500 Error: command "FOO" not recognized', "the server does not know FOO"),
    ("ehlo roquefort.zdv.uni-mainz.de", "500 Unknown command, 'ehlo'",
     "the server does not know EHLO: it is an old server; greet with HELO your.name instead"),
    ("AUTH LOGIN", "538 5.7.11 Encryption required for requested authentication mechanism",
     "the server wants STARTTLS before AUTH"),
    ("AUTH PLAIN", "535 5.7.8 Authentication credentials invalid",
     "the user name or the password was not accepted"),
    ("RCPT TO:<x@elsewhere.example>", "554 5.7.1 <x@elsewhere.example>: Relay access denied",
     "the server does not take mail for <x@elsewhere.example> from you: log in with AUTH to"
     " send through it, or send to the domain's own MX"),
    ("MAIL FROM:<a@example.org> SIZE=99999999", "552 5.3.4 Message size exceeds fixed limit",
     "the message is bigger than the server takes (see SIZE in its EHLO reply)"),
    ("MAIL FROM:<a@example.org> FOO=1", "555 5.5.4 Unsupported option: FOO",
     "the server does not take a parameter typed after the address:"
     " use only those its EHLO reply lists"),
    ("NOOP", "421 4.3.2 Service shutting down",
     "the server is closing the connection: try later with :reconnect"),
])
def test_explain_reject(sent: str, answer: str, why: str) -> None:
    assert explain_reject(sent, reply(answer)) == why


@pytest.mark.parametrize(("sent", "why"), [
    ("MAIL FROM:<a@example.org>", "the server wants EHLO before MAIL FROM, and no MAIL FROM"
     " inside a mail transaction (RSET ends one)"),
    ("AUTH PLAIN", "the server wants EHLO before AUTH, AUTH only once per session, and no AUTH"
     " inside a mail transaction (RSET ends one)"),
    ("BDAT 10 LAST", "the server wants at least one accepted RCPT TO before BDAT"),
    ("NOOP", "this command came out of order: the order is EHLO, MAIL FROM, RCPT TO, DATA"
     " (RSET starts over)"),
])
def test_503_says_what_the_verb_needs(sent: str, why: str) -> None:
    assert explain_reject(sent, reply("503 5.5.1 Error: bad sequence of commands")) == why


# --- one source: the examples and the states are the knowledge base's ------------------------


def test_suggested_commands_are_the_knowledge_base_examples() -> None:
    assert verb("MAIL")["example"].startswith(MAIL_EXAMPLE + " ")
    assert verb("RCPT")["example"].startswith(RCPT_EXAMPLE + " ")
    assert next_step(dialog("greeted")) == f"next: {MAIL_EXAMPLE}"
    assert next_step(dialog("mail")) == f"next: {RCPT_EXAMPLE}"


def test_guide_follows_the_knowledge_base(monkeypatch: pytest.MonkeyPatch) -> None:
    # Change the knowledge base: the guide's examples and 503 answers change with it.
    verbs = json.loads((Path(explain.__file__).parent / "data" / "verbs.json").read_text())
    verbs["verbs"]["MAIL"]["example"] = "MAIL FROM:<kb@example.test> SIZE=1"
    verbs["verbs"]["RCPT"]["example"] = "RCPT TO:<kb@example.test>"
    verbs["verbs"]["VRFY"]["states"] = ["mail", "rcpt"]
    real = explain._data
    monkeypatch.setattr(explain, "_data", lambda name: verbs if name == "verbs.json"
                        else real(name))
    cached = (explain.valid_states, explain.needs_keyword)  # facts asked once per verb
    for fact in cached:
        fact.cache_clear()
    try:
        assert next_step(dialog("greeted")) == "next: MAIL FROM:<kb@example.test>"
        assert next_step(dialog("mail")) == "next: RCPT TO:<kb@example.test>"
        assert explain_reject("RCPT TO bob", reply("501 Syntax")).endswith(
            ": RCPT TO:<kb@example.test>")
        assert explain_reject("VRFY x", reply("503 later")) == (
            "the server wants MAIL FROM before VRFY")
    finally:
        for fact in cached:
            fact.cache_clear()  # the real facts again for the tests after this one


def test_each_reject_sentence_is_written_once() -> None:
    source = (Path(__file__).parent.parent / "smtpsh" / "guide.py").read_text()
    strings = [s for s in source.split('"')[1::2] if len(s) > 30 and " " in s]
    assert len(strings) == len(set(strings))


def test_other_rejects_fall_back_to_the_knowledge_base() -> None:
    r = reply("451 4.3.0 Temporary lookup failure")
    assert explain_reject("RCPT TO:<a@example.org>", r) == one_line(451, "4.3.0")
    assert explain_reject("MAIL FROM:<a@example.org>", reply("452 4.3.1 Insufficient storage")) \
        == one_line(452, "4.3.1")


@pytest.mark.parametrize("answer", ["250 OK", "354 go on", "334 VXNlcm5hbWU6", "221 Bye"])
def test_no_reject_no_explanation(answer: str) -> None:
    assert explain_reject("NOOP", reply(answer)) is None


def test_multiline_reject() -> None:
    r = Reply(530, ("5.7.0 Authentication required", "see https://example.org/help"))
    assert explain_reject("MAIL FROM:<a@example.org>", r) == (
        "the server wants AUTH first (after STARTTLS)")
