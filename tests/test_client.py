"""The sans-IO client core, without a socket: each rule fed whole and byte by byte."""

from __future__ import annotations

import pytest
from corehelp import events, feed, talk, wire
from hypothesis import given, settings
from hypothesis import strategies as st

from smtpsh import auth
from smtpsh.client import (
    GROUP_ANYWHERE,
    Answer,
    Client,
    Injected,
    Kind,
    Stray,
    pipeline_groups,
)
from smtpsh.guide import explain_answer
from smtpsh.protocol import (
    CLOSED,
    CONNECTED,
    DATA,
    GREETED,
    MAIL,
    RCPT,
    Closed,
    Garbage,
    LocalProtocolError,
    ReplyParser,
)

EHLO = ("250-mx.test\n250-PIPELINING\n250-SIZE 1000\n250-CHUNKING\n250-AUTH PLAIN LOGIN\n"
        "250 8BITMIME")
BOTH = pytest.mark.parametrize("bytewise", [False, True], ids=["whole", "bytewise"])


def greeted(lmtp: bool = False, ehlo: str = EHLO) -> Client:
    c = Client(lmtp=lmtp)
    talk(c, None, "220 mx.test ESMTP")
    talk(c, "LHLO me.test" if lmtp else "EHLO me.test", ehlo)
    return c


def answers(evs: list) -> list[tuple[int, str]]:
    return [(e.reply.code, e.command.line) for e in evs if isinstance(e, Answer)]


# --- matching replies to commands --------------------------------------------------------


@BOTH
def test_the_greeting_answers_the_connection(bytewise: bool) -> None:
    c = Client()
    (ev,) = talk(c, None, "220-mx.test ESMTP\n220 welcome", bytewise)
    assert isinstance(ev, Answer) and ev.command.kind is Kind.GREETING
    assert ev.reply.lines == ("mx.test ESMTP", "welcome") and c.state == CONNECTED


@BOTH
def test_a_transaction_follows_the_state(bytewise: bool) -> None:
    c = greeted()
    assert c.state == GREETED and c.capabilities.has("PIPELINING")
    for line, answer, state in [
        ("MAIL FROM:<a@x.test>", "250 2.1.0 ok", MAIL),
        ("RCPT TO:<b@y.test>", "550 5.1.1 no", MAIL),
        ("RCPT TO:<c@y.test>", "250 2.1.5 ok", RCPT),
        ("DATA", "354 go", DATA),
    ]:
        (ev,) = talk(c, line, answer, bytewise)
        assert ev.command.line == line and c.state == state
    assert c.data(b"Subject: x\n\n.dot\n") == b"Subject: x\r\n\r\n..dot\r\n"
    assert c.end_data() == b".\r\n"
    (ev,) = feed(c, wire("250 2.0.0 queued"), bytewise)
    assert ev.command.kind is Kind.DATA_END and c.state == GREETED
    assert c.transaction.accepted == []  # a new transaction
    talk(c, "QUIT", "221 bye", bytewise)
    assert c.state == CLOSED


@BOTH
def test_a_stray_reply_is_not_matched_to_the_next_command(bytewise: bool) -> None:
    c = greeted()
    (ev,) = feed(c, wire("250 unasked"), bytewise)
    assert isinstance(ev, Stray)
    (ev,) = talk(c, "NOOP", "250 2.0.0 noop ok", bytewise)
    assert ev.command.line == "NOOP" and ev.reply.text == "2.0.0 noop ok"


@BOTH
def test_a_421_closes_whatever_it_answers(bytewise: bool) -> None:
    c = greeted()
    c.send("MAIL FROM:<a@x.test>")
    c.send("RCPT TO:<b@x.test>")
    evs = feed(c, wire("421 4.3.2 shutting down"), bytewise)
    assert answers(evs) == [(421, "MAIL FROM:<a@x.test>")]
    assert c.state == CLOSED and not c.pending
    c.receive_eof()
    assert isinstance(c.next_event(), Closed)


def test_garbage_and_close_are_events_not_exceptions() -> None:
    c = greeted()
    c.send("NOOP")
    evs = feed(c, b"hello there\r\n250 ok\r\n")
    assert isinstance(evs[0], Garbage) and answers(evs) == [(250, "NOOP")]
    c.send("NOOP")
    c.receive_data(b"250-half")
    c.receive_eof()
    (ev,) = events(c)
    assert isinstance(ev, Closed) and ev.partial == ("half",) and c.state == CLOSED


@BOTH
def test_a_reply_with_empty_text_keeps_its_space(bytewise: bool) -> None:
    c = greeted()
    (ev,) = talk(c, "NOOP", "250 ", bytewise)
    assert ev.reply.wire_lines() == ["250 "]
    (ev,) = talk(c, "NOOP", "250", bytewise)
    assert ev.reply.wire_lines() == ["250"]
    p = ReplyParser()
    p.receive_data(b"334 \r\n")
    assert p.next_event().wire_lines() == ["334 "]  # type: ignore[union-attr]


def test_local_misuse_raises_a_local_error() -> None:
    c = greeted()
    with pytest.raises(LocalProtocolError):
        c.send("NOOP\r\nQUIT")
    with pytest.raises(LocalProtocolError):
        c.data(b"text outside DATA")
    with pytest.raises(LocalProtocolError):
        c.end_data()
    assert not c.pending  # nothing was registered


# --- pipelining (RFC 2920) ---------------------------------------------------------------


@BOTH
def test_a_pipelined_group_with_a_failing_rcpt(bytewise: bool) -> None:
    c = greeted()
    lines = ["MAIL FROM:<a@x.test>", "RCPT TO:<ok@x.test>", "RCPT TO:<bad@x.test>",
             "RCPT TO:<ok2@x.test>", "DATA"]
    for line in lines:
        c.send(line)
    evs = feed(c, wire("250 2.1.0 ok\n250 2.1.5 ok\n550 5.1.1 unknown\n250 2.1.5 ok\n354 go"),
               bytewise)
    assert answers(evs) == [(250, lines[0]), (250, lines[1]), (550, lines[2]),
                            (250, lines[3]), (354, "DATA")]
    assert c.transaction.accepted == ["ok@x.test", "ok2@x.test"] and c.in_data


def test_data_after_only_failed_rcpts() -> None:
    c = greeted()
    for line in ["MAIL FROM:<a@x.test>", "RCPT TO:<bad@x.test>", "DATA"]:
        c.send(line)
    evs = feed(c, wire("250 ok\n550 5.1.1 unknown\n554 5.5.1 Error: no valid recipients"))
    assert answers(evs)[-1] == (554, "DATA") and c.state == MAIL
    why = explain_answer(evs[-1].reply, evs[-1].command)
    assert why is not None and "no recipient was accepted" in why
    # A server that answers 354 anyway: the core says what to do (RFC 2920 3.1).
    c.send("RCPT TO:<bad2@x.test>")
    c.send("DATA")
    evs = feed(c, wire("550 no\n354 go"))
    assert c.in_data and any("lone dot" in n for e in evs for n in e.notes)


def test_pipeline_groups_follow_rfc_2920() -> None:
    lines = ["EHLO x", "MAIL FROM:<a@x>", "RCPT TO:<b@x>", "RCPT TO:<c@x>", "DATA",
             "RSET", "NOOP", "AUTH PLAIN", "MAIL FROM:<a@x>", "QUIT"]
    assert pipeline_groups(lines) == [
        ["EHLO x"], ["MAIL FROM:<a@x>", "RCPT TO:<b@x>", "RCPT TO:<c@x>", "DATA"],
        ["RSET", "NOOP"], ["AUTH PLAIN"], ["MAIL FROM:<a@x>", "QUIT"]]


# Any sequence of commands and well-formed replies: each reply answers exactly one command,
# in order, whatever the chunking of the bytes.
_VERBS = ["NOOP", "RSET", "MAIL FROM:<a@x.test>", "RCPT TO:<b@x.test>", "VRFY x", "HELP"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_VERBS), st.sampled_from([250, 251, 450, 550, 502]),
                          st.integers(1, 3)), min_size=1, max_size=25),
       st.lists(st.integers(1, 40), min_size=1, max_size=10))
def test_each_reply_answers_exactly_one_command_in_order(script, cuts) -> None:
    c = greeted()
    data = b""
    for line, code, nlines in script:
        c.send(line)
        data += b"".join(f"{code}-line {i}\r\n".encode() for i in range(nlines - 1))
        data += f"{code} {line}\r\n".encode()
    got: list = []
    pos, i = 0, 0
    while pos < len(data):
        step = cuts[i % len(cuts)]
        c.receive_data(data[pos:pos + step])
        got += events(c)
        pos, i = pos + step, i + 1
    assert all(isinstance(e, Answer) for e in got)
    assert [(e.command.line, e.reply.code, len(e.reply.lines)) for e in got] == [
        (line, code, n) for line, code, n in script]
    assert [e.reply.lines[-1] for e in got] == [line for line, _, _ in script]
    assert not c.pending


# --- LMTP (RFC 2033) ---------------------------------------------------------------------


@BOTH
def test_lmtp_gives_one_reply_per_accepted_recipient(bytewise: bool) -> None:
    c = greeted(lmtp=True, ehlo="250-lmtp.test\n250 PIPELINING")
    for line, answer in [("MAIL FROM:<a@x.test>", "250 ok"), ("RCPT TO:<bob>", "250 ok"),
                         ("RCPT TO:<nobody>", "550 5.1.1 no such user"),
                         ("RCPT TO:<full>", "250 ok"), ("DATA", "354 go")]:
        talk(c, line, answer)
    c.data(b"hi\n")
    c.end_data()
    evs = feed(c, wire("250 2.0.0 <bob> saved\n452 4.2.2 <full> quota"), bytewise)
    assert [(e.reply.code, e.command.recipient) for e in evs] == [(250, "bob"), (452, "full")]
    assert c.state == GREETED and not c.pending
    why = explain_answer(evs[1].reply, evs[1].command)
    assert why is not None and "<full>" in why and "full" in why


def test_lmtp_warns_about_ehlo() -> None:
    c = Client(lmtp=True)
    assert any("LHLO" in w for w in c.warnings_for("EHLO me.test"))


# --- BDAT (RFC 3030) ---------------------------------------------------------------------


@BOTH
def test_bdat_framing(bytewise: bool) -> None:
    c = greeted()
    talk(c, "MAIL FROM:<a@x.test>", "250 ok")
    talk(c, "RCPT TO:<b@x.test>", "250 ok")
    assert c.bdat("BDAT 4", b"ab\r\n") == b"BDAT 4\r\nab\r\n"
    (ev,) = feed(c, wire("250 2.0.0 4 octets"), bytewise)
    assert ev.command.kind is Kind.BDAT and c.state == RCPT
    c.bdat("BDAT 2 LAST", b"cd")
    (ev,) = feed(c, wire("250 2.0.0 queued"), bytewise)
    assert ev.command.last and c.state == GREETED


def test_a_chunk_read_as_commands_is_explained_as_such() -> None:
    c = greeted(ehlo="250-mx.test\n250 PIPELINING")
    c.bdat("BDAT 2 LAST", b"ABCD\r\n")
    (ev,) = feed(c, wire('500 5.5.2 Error: command "ABCD" not recognized'))
    why = explain_answer(ev.reply, ev.command)
    assert why is not None and "chunk" in why and "does not know BDAT" not in why


# --- STARTTLS (RFC 3207) -----------------------------------------------------------------


@BOTH
def test_bytes_after_the_starttls_go_ahead_are_injected(bytewise: bool) -> None:
    c = greeted()
    c.send("STARTTLS")
    evs = feed(c, b"220 2.0.0 go ahead\r\n250 injected\r\n", bytewise)
    assert answers(evs) == [(220, "STARTTLS")]
    injected = b"".join(e.data for e in evs if isinstance(e, Injected))
    assert injected == b"250 injected\r\n" and c.handoff
    assert not c.dialog.tls  # not before the handshake
    c.tls_started()
    assert c.dialog.tls and c.state == CONNECTED and c.capabilities.keywords == {}
    (ev,) = talk(c, "EHLO me.test", EHLO)
    assert ev.command.line == "EHLO me.test" and c.state == GREETED


# --- AUTH (RFC 4954) ---------------------------------------------------------------------


def _plain() -> auth.Exchange:
    return auth.Exchange("PLAIN", auth.create("PLAIN", initial=False))


@BOTH
def test_auth_succeeds_only_on_235(bytewise: bool) -> None:
    for final, user in [("235 2.7.0 ok", "alice"), ("250 2.0.0 ok", None)]:
        c = greeted()
        ex = _plain()
        assert c.start_auth(ex) == b"AUTH PLAIN\r\n"
        feed(c, wire("334 "), bytewise)
        step = c.sasl_step
        assert isinstance(step, auth.Challenge) and step.needs == ("user", "password")
        ex.give("user", "alice")
        ex.give("password", "pw")
        resp = ex.answer(step)
        assert resp.data == b"\0alice\0pw" and resp.secret
        c.auth_response(auth.b64(resp.data), secret=True)
        (ev,) = feed(c, wire(final), bytewise)
        assert ev.command.line == "[redacted]"
        assert c.dialog.user == user
        if user is None:
            assert any("not 235" in n for n in ev.notes)
            assert c.sasl_step == auth.Done(auth.Outcome.NOT_235, 250)


def test_auth_cancel_and_its_501_are_understood() -> None:
    c = greeted()
    c.start_auth(auth.Exchange("LOGIN", auth.create("LOGIN")))
    feed(c, wire("334 VXNlcm5hbWU6"))
    assert c.in_sasl
    c.auth_response("*", secret=False)
    (ev,) = feed(c, wire("501 5.7.0 Auth aborted"))
    assert ev.command.cancel
    assert c.sasl_step == auth.Done(auth.Outcome.CANCELLED, 501) and c.dialog.user is None
    why = explain_answer(ev.reply, ev.command)
    assert why is not None and "cancelled, as asked" in why
    assert "arguments" not in why


def test_a_refused_auth_asks_for_nothing() -> None:
    c = greeted()
    ex = _plain()
    c.start_auth(ex)
    feed(c, wire("530 5.7.0 Must issue a STARTTLS command first"))
    assert c.sasl_step == auth.Done(auth.Outcome.REFUSED, 530)
    assert ex.remaining_inputs() == ("user", "password")  # a script skips these lines


def test_a_typed_auth_line_in_a_334_is_its_answer() -> None:
    c = greeted()
    c.send("AUTH LOGIN")
    feed(c, wire("334 VXNlcm5hbWU6"))
    c.send("YWxpY2U=")  # typed, not a command: the core knows the exchange is on
    assert c.pending[-1].kind is Kind.AUTH_RESPONSE


# --- raw bytes ---------------------------------------------------------------------------


def test_raw_lines_are_matched_and_later_commands_keep_their_replies() -> None:
    c = greeted()
    talk(c, "MAIL FROM:<a@x.test>", "250 ok")
    c.raw(b"RCPT TO:<b@x.test>\r\n" * 200)
    assert len(c.pending) == 200
    c.send("NOOP")
    c.send("RSET")
    c.send("QUIT")
    evs = feed(c, wire("\n".join(["250 2.1.5 ok"] * 200) + "\n250 2.0.0 noop\n250 2.0.0 rset"
                       "\n221 2.0.0 bye"))
    got = answers(evs)
    assert got[-3:] == [(250, "NOOP"), (250, "RSET"), (221, "QUIT")]
    assert all(line == "RCPT TO:<b@x.test>" for _, line in got[:200])
    assert c.state == CLOSED


def test_raw_guesses_without_a_reply_are_forgotten() -> None:
    c = greeted()
    c.raw(b"NOOP\nNOOP\r\npartial")  # a bare-LF line may or may not count as a line
    assert [p.line for p in c.pending] == ["NOOP", "NOOP"]
    feed(c, wire("250 ok"))
    assert [p.raw for p in c.forget_raw()] == [True]
    (ev,) = feed(c, wire("250 late"))
    assert isinstance(ev, Stray)


# --- explanations follow the dialog ------------------------------------------------------


def test_rcpt_before_ehlo_is_explained_as_greet_first() -> None:
    c = Client()
    talk(c, None, "220 mx.test")
    (ev,) = talk(c, "RCPT TO:<b@x>", "503 Error: send HELO first")
    why = explain_answer(ev.reply, ev.command)
    assert why is not None and why.startswith("greet first")


def test_line_too_long_after_the_dot_is_about_the_message() -> None:
    c = greeted()
    for line, answer in [("MAIL FROM:<a@x>", "250 ok"), ("RCPT TO:<b@x>", "250 ok"),
                         ("DATA", "354 go")]:
        talk(c, line, answer)
    c.data(b"x" * 2000 + b"\n")
    c.end_data()
    (ev,) = feed(c, wire("500 Line too long"))
    why = explain_answer(ev.reply, ev.command)
    assert why is not None and "line in it is too long" in why
    assert "unrecognized" not in why and "does not know" not in why


def test_a_stray_reply_is_explained_as_unasked() -> None:
    c = greeted()
    (ev,) = feed(c, wire("554 5.7.1 go away"))
    why = explain_answer(ev.reply, None)
    assert why is not None and "no command was waiting" in why


# --- warnings before sending (the newer extensions) --------------------------------------


def test_extension_warnings() -> None:
    c = greeted(ehlo="250-mx.test\n250-LIMITS RCPTMAX=2 MAILMAX=1\n250 8BITMIME")
    assert any("SMTPUTF8" in w for w in c.warnings_for("MAIL FROM:<jörg@x.test>"))
    assert any("RFC 8689" in w for w in c.warnings_for("MAIL FROM:<a@x> REQUIRETLS"))
    assert any("DSN" in w for w in c.warnings_for("RCPT TO:<b@x> NOTIFY=NEVER"))
    assert any("DSN" in w for w in c.warnings_for("MAIL FROM:<a@x> RET=HDRS"))
    talk(c, "MAIL FROM:<a@x.test>", "250 ok")
    talk(c, "RCPT TO:<1@x.test>", "250 ok")
    talk(c, "RCPT TO:<2@x.test>", "250 ok")
    assert any("RCPTMAX=2" in w for w in c.warnings_for("RCPT TO:<3@x.test>"))
    assert any("MAILMAX=1" in w for w in c.warnings_for("MAIL FROM:<a@x.test>"))
    talk(c, "DATA", "354 go")
    c.data("grüße\n".encode())
    assert any("BODY=8BITMIME" in w for w in c.data_warnings())


def test_declared_8bit_is_fine() -> None:
    c = greeted()
    for line, answer in [("MAIL FROM:<a@x> BODY=8BITMIME", "250 ok"), ("RCPT TO:<b@x>", "250 ok"),
                         ("DATA", "354 go")]:
        talk(c, line, answer)
    c.data("grüße\n".encode())
    assert c.data_warnings() == []


def test_group_words_are_the_rfc_lists() -> None:
    assert {"MAIL", "RCPT", "RSET"} <= GROUP_ANYWHERE


# --- protocol violations end a script honestly -------------------------------------------


@pytest.mark.parametrize(("line", "answer", "why"), [
    ("NOOP", "999 what", "999 is not an SMTP reply code"),
    ("RSET", "000 zero", "000 is not an SMTP reply code"),
    ("QUIT", "354 go on", "where no 3xx is due"),
    ("MAIL FROM:<a@x>", "334 VXNlcm5hbWU6", "where no 3xx is due"),
])
def test_a_reply_that_cannot_answer_its_command_is_a_violation(line, answer, why) -> None:
    c = greeted()
    state = c.state
    (ev,) = talk(c, line, answer)
    assert ev.violation is not None and why in ev.violation
    assert c.state == state  # nothing is concluded from it


@pytest.mark.parametrize(("line", "answer"), [("DATA", "354 go"), ("AUTH LOGIN", "334 x")])
def test_a_3xx_where_due_is_no_violation(line, answer) -> None:
    c = greeted()
    if line == "DATA":
        talk(c, "MAIL FROM:<a@x>", "250 ok")
        talk(c, "RCPT TO:<b@x>", "250 ok")
    (ev,) = talk(c, line, answer)
    assert ev.violation is None


def test_an_endless_reply_is_bounded() -> None:
    from smtpsh.protocol import MAX_REPLY_LINES

    c = greeted()
    c.send("HELP")
    assert feed(c, b"214-x\r\n" * 5000) == []
    assert len(c.partial_reply()) == MAX_REPLY_LINES - 1  # kept, the rest counted
    c.send("NOOP")
    c.receive_data(b"214-y\r\n" * 3000 + b"214 end\r\n250 ok\r\n")
    (ev, ev2) = events(c)
    assert len(ev.reply.lines) == MAX_REPLY_LINES
    assert any("3001 lines" in w for w in ev.reply.warnings)


def test_a_220_to_xclient_is_a_new_session() -> None:
    c = greeted(ehlo="250-mx.test\n250-XCLIENT NAME ADDR HELO\n250 PIPELINING")
    (ev,) = talk(c, "XCLIENT ADDR=127.0.0.99 NAME=client.test", "220 mx.test ESMTP")
    assert c.state == CONNECTED and not c.capabilities.keywords
    assert any("new greeting" in n for n in ev.notes)
    talk(c, "EHLO me.test", "250-mx.test\n250 PIPELINING")
    assert c.state == GREETED and c.capabilities.has("PIPELINING")


def test_a_close_during_the_starttls_handoff_is_reported() -> None:
    c = greeted()
    talk(c, "STARTTLS", "220 go ahead")
    assert c.handoff
    c.receive_eof()
    (ev,) = events(c)
    assert isinstance(ev, Closed) and c.state == CLOSED
