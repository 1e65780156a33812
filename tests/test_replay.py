"""replay.py and export.py without sockets: saved dialogs into steps, tables, exported commands."""

from __future__ import annotations

import pytest

from smtpsh import export, replay
from smtpsh.protocol import Reply

TRANSCRIPT = """\
2026-12-02T07:15:59.954Z -- Connected to 127.0.0.1 (127.0.0.1) port 25
2026-12-02T07:15:59.954Z S: 220 mx.test ESMTP
2026-12-02T07:15:59.960Z C: EHLO me.example
2026-12-02T07:15:59.960Z S: 250-mx.test
2026-12-02T07:15:59.960Z S: 250-STARTTLS
2026-12-02T07:15:59.960Z S: 250 8BITMIME
2026-12-02T07:15:59.961Z C: STARTTLS
2026-12-02T07:15:59.961Z S: 220 go ahead
2026-12-02T07:15:59.962Z tls -- TLS TLSv1.3
2026-12-02T07:15:59.962Z tls C: EHLO me.example
2026-12-02T07:15:59.962Z tls S: 250-mx.test
2026-12-02T07:15:59.962Z tls S: 250 AUTH LOGIN PLAIN
2026-12-02T07:15:59.963Z tls C: AUTH LOGIN
2026-12-02T07:15:59.963Z tls S: 334 VXNlcm5hbWU6
2026-12-02T07:15:59.963Z tls C: YWxpY2U=
2026-12-02T07:15:59.963Z tls -- (alice)
2026-12-02T07:15:59.963Z tls S: 334 UGFzc3dvcmQ6
2026-12-02T07:15:59.963Z tls C: [redacted]
2026-12-02T07:15:59.964Z tls S: 235 2.7.0 Authentication successful
2026-12-02T07:15:59.964Z tls C: MAIL FROM:<a@x.test>
2026-12-02T07:15:59.964Z tls S: 250 2.1.0 Ok
2026-12-02T07:15:59.964Z tls C: RCPT TO:<b@y.test>
2026-12-02T07:15:59.964Z tls S: 554 5.7.1 <b@y.test>: Relay access denied
2026-12-02T07:15:59.964Z tls C: RCPT TO:<c@y.test>
2026-12-02T07:15:59.964Z tls S: 250 2.1.5 Ok
2026-12-02T07:15:59.964Z tls C: DATA
2026-12-02T07:15:59.965Z tls S: 354 End data with <CR><LF>.<CR><LF>
2026-12-02T07:15:59.965Z tls C: Subject: hi
2026-12-02T07:15:59.965Z tls C:
2026-12-02T07:15:59.965Z tls C: .dotted
2026-12-02T07:15:59.965Z tls C: 250 looks like a reply
2026-12-02T07:15:59.965Z tls C: .
2026-12-02T07:15:59.966Z tls S: 250 2.0.0 Ok: queued as 4ABC
2026-12-02T07:15:59.966Z tls -- end of input: sending QUIT
2026-12-02T07:15:59.966Z tls C: QUIT
2026-12-02T07:15:59.966Z tls S: 221 2.0.0 Bye
"""


def test_transcript_steps_and_script():
    rec = replay.parse(TRANSCRIPT)
    assert rec.form == "transcript"
    assert [s.command for s in rec.steps] == [
        "the greeting", "EHLO me.example", "STARTTLS", "EHLO me.example", "AUTH LOGIN",
        "MAIL FROM:<a@x.test>", "RCPT TO:<b@y.test>", "RCPT TO:<c@y.test>", "DATA",
        "the end of the message", "QUIT"]
    assert [[r.code for r in s.replies] for s in rec.steps] == [
        [220], [250], [220], [250], [235], [250], [554], [250], [354], [250], [221]]
    auth_step = rec.steps[4]
    assert [r.code for r in auth_step.interim] == [334, 334]
    assert auth_step.auth == ("LOGIN", "alice")
    assert rec.steps[6].replies[0].enhanced == "5.7.1"
    assert rec.steps[8].message == ["Subject: hi", "", ".dotted", "250 looks like a reply"]
    # The AUTH answers are the clear inputs the runner reads: the user decoded, the password
    # asked for (the file holds [redacted]).
    i = rec.script.index("AUTH LOGIN")
    assert rec.script[i + 1] == "alice"
    need = rec.script[i + 2]
    assert isinstance(need, replay.Need) and need.kind == "password" and need.line == 18
    assert rec.script[-7:] == ["DATA", "Subject: hi", "", ".dotted", "250 looks like a reply",
                               ".", "QUIT"]


def test_secret_resolved_or_one_clear_line():
    rec = replay.parse(TRANSCRIPT)
    lines = replay.resolve(rec, lambda need: "s3cret" if need.kind == "password" else None)
    assert "s3cret" in lines and "[redacted]" not in "".join(lines)
    with pytest.raises(replay.ReplayError) as exc:
        replay.resolve(rec, lambda need: None, "t.log")
    msg = str(exc.value)
    assert "\n" not in msg
    assert "t.log line 18" in msg and "password of AUTH LOGIN" in msg
    assert "SMTPSH_PASSWORD" in msg and "terminal" in msg


def test_auth_refused_before_asking_gets_cancel_lines():
    rec = replay.parse("S: 220 x\nC: EHLO a\nS: 250 x\nC: AUTH PLAIN\n"
                       "S: 503 5.5.1 Error: authentication not enabled\nC: QUIT\nS: 221 bye\n")
    assert rec.form == "dialog"
    assert rec.script == ["EHLO a", "AUTH PLAIN", "*", "*", "QUIT"]
    assert not rec.needs


def test_plain_dialog_rfc_style():
    text = """S: 220 foo.com Simple Mail Transfer Service Ready
C: EHLO bar.com
S: 250-foo.com greets bar.com
S: 250-8BITMIME
S: 250 HELP
C: MAIL FROM:<Smith@bar.com>
S: 250 OK
C: RCPT TO:<Jones@foo.com>
S: 250 OK
C: RCPT TO:<Green@foo.com>
S: 550 No such user here
C: DATA
S: 354 Start mail input; end with <CRLF>.<CRLF>
C: Blah blah blah...
C: ...etc. etc. etc.
C: .
S: 250 OK
C: QUIT
S: 221 foo.com Service closing transmission channel
"""
    rec = replay.parse(text)
    assert rec.form == "dialog"
    assert rec.steps[4].replies[0].code == 550 and rec.steps[4].replies[0].enhanced is None
    # smtpsh's own form: message text as typed (the runner stuffs it)
    assert "...etc. etc. etc." in rec.script


def test_netcat_dialog():
    text = """220 mx.test ESMTP
EHLO me
250-mx.test
250 PIPELINING
MAIL FROM:<a@x>
250 ok
RCPT TO:<b@y>
250 ok
DATA
354 go ahead
Subject: x

250 is not a reply here
..stuffed on the wire
.
250 queued
QUIT
221 bye
"""
    rec = replay.parse(text)
    assert rec.form == "netcat"
    assert rec.script == ["EHLO me", "MAIL FROM:<a@x>", "RCPT TO:<b@y>", "DATA", "Subject: x",
                          "", "250 is not a reply here", ".stuffed on the wire", ".", "QUIT"]
    assert [s.command for s in rec.steps][-2:] == ["the end of the message", "QUIT"]


def test_pipelined_group_pairs_replies_in_order():
    text = ("S: 220 x\nC: EHLO a\nS: 250 PIPELINING\nC: MAIL FROM:<a@x>\nC: RCPT TO:<b@y>\n"
            "C: DATA\nS: 250 2.1.0 ok\nS: 550 5.1.1 no\nS: 554 5.5.1 no valid recipients\n")
    rec = replay.parse(text)
    assert [(s.command, s.replies[0].code) for s in rec.steps[2:]] == [
        ("MAIL FROM:<a@x>", 250), ("RCPT TO:<b@y>", 550), ("DATA", 554)]


def test_lines_the_runner_would_skip_go_raw_and_bdat_refused():
    rec = replay.parse("S: 220 x\nC: # not a comment\nS: 500 what\n")
    assert rec.script == [":raw # not a comment\\r\\n"]
    with pytest.raises(replay.ReplayError, match="BDAT"):
        replay.parse("S: 220 x\nC: BDAT 3 LAST\n")
    with pytest.raises(replay.ReplayError, match="no dialog"):
        replay.parse("hello\n\n")


def test_truncated_screen_capture_warns():
    rec = replay.parse("S: 220 x\nC: DATA\nS: 354 go\nC: a\n-- ... 40 more lines of message"
                       " text not shown\nC: .\nS: 250 ok\n")
    assert any("40 lines of message text" in w for w in rec.warnings)


def r(code: int, *lines: str) -> Reply:
    return Reply(code, lines or ("x",))


def test_compare_codes_enhanced_text_and_keywords():
    left = [("the greeting", [r(220, "a")]), ("EHLO me", [r(250, "a", "PIPELINING", "SIZE 10")]),
            ("RCPT TO:<b@y>", [r(250, "2.1.5 ok")])]
    right = [("the greeting", [r(220, "b")]), ("EHLO me", [r(250, "b", "SIZE 20", "8BITMIME")]),
             ("RCPT TO:<b@y>", [r(250, "2.1.0 ok")])]
    rows = replay.compare(left, right)
    assert [x.same for x in rows] == [True, True, False]
    rows = replay.compare(left, right, keywords=True)
    assert not rows[1].same and rows[1].only_left == {"PIPELINING"}
    assert rows[1].only_right == {"8BITMIME"}
    assert not replay.compare(left[:1], right[:1], strict=True)[0].same
    shown = replay.table(rows, ("A", "B"), only_differences=True)
    assert not shown[0][0] and shown[0][1].split() == ["step", "|", "A", "|", "B"]
    assert any(d and "PIPELINING" in t and "8BITMIME" in t for d, t in shown)
    assert all("the greeting" not in t for _, t in shown)
    # a missing step on one side
    rows = replay.compare(left, left[:2])
    assert not rows[2].same and "(no step)" in replay.table(rows, ("A", "B"))[-1][1]
    narrow = replay.table(rows, ("A", "B"), width=40)
    assert all(len(t) <= 40 for _, t in narrow)


def test_export_plan_and_formats():
    rec = replay.parse(TRANSCRIPT)
    p = export.plan(rec, "mx.test", 587, "none")
    assert p.tls == "starttls" and p.ehlo == "me.example" and p.auth == ("LOGIN", "alice")
    (t,) = p.transactions
    assert t.rcpts == ["b@y.test", "c@y.test"] and t.message and t.message[2] == ".dotted"
    sw = export.export("swaks", rec, "mx.test", 587, "none")
    assert "--tls" in sw and "--auth LOGIN --auth-user alice" in sw
    assert '--auth-password "$SMTPSH_PASSWORD"' in sw and "s3cret" not in sw
    assert "--data @message-1.eml" in sw
    cu = export.export("curl", rec, "mx.test", 587, "none")
    assert "smtp://mx.test:587/me.example" in cu and "--ssl-reqd" in cu
    assert "--mail-rcpt b@y.test --mail-rcpt c@y.test" in cu
    op = export.export("openssl", rec, "mx.test", 587, "none")
    assert "openssl s_client -starttls smtp -connect mx.test:587" in op
    assert "\nYWxpY2U=\n" in op and "\n..dotted\n" in op and "STARTTLS\n" not in op
    py = export.export("python", rec, "mx.test", 587, "none")
    compile(py, "export.py", "exec")
    assert "s.auth('LOGIN', s.auth_login" in py and "SMTPSH_PASSWORD" in py
    with pytest.raises(ValueError):
        export.export("telnet", rec, "h", 25, "none")


def test_export_says_what_the_tool_cannot():
    rec = replay.parse("S: 220 x\nC: EHLO a\nS: 250 x\nC: VRFY bob\nS: 252 x\n"
                       "C: MAIL FROM:<a@x> SIZE=10\nS: 250 ok\nC: RCPT TO:<b@y>\nS: 250 ok\n"
                       "C: DATA\nS: 354 go\nC: hi\nC: .\nS: 250 ok\n"
                       "C: MAIL FROM:<c@x>\nS: 250 ok\nC: RCPT TO:<d@y>\nS: 250 ok\n"
                       "C: DATA\nS: 354 go\nC: two\nC: .\nS: 250 ok\n")
    sw = export.export("swaks", rec, "h", 25, "none")
    assert "one transaction per connection: 2 commands" in sw
    assert "not sent by swaks" in sw and "VRFY bob" in sw and "SIZE=10" in sw
    assert sw.count("\nswaks ") == 2
    assert "one transaction per run" in export.export("curl", rec, "h", 25, "none")
    assert "VRFY" in export.export("python", rec, "h", 25, "none")


def test_events_keep_the_dialog_for_export():
    from smtpsh.events import CONNECTED, Events, Note, Received, Sent
    from smtpsh.transcript import Redactor

    shown: list[object] = []
    ev = Events(shown.append, None, Redactor(), lambda: False)
    ev.emit(Received(r(220, "old"), None), ui=False)
    ev.emit(Note("Connected to mx.test (127.0.0.1) port 25", CONNECTED))
    ev.emit(Received(r(220, "mx.test"), None))
    ev.emit(Sent("EHLO me"))
    ev.emit(Received(Reply(250, ("mx.test", "PIPELINING")), None))
    ev.add_secret("s3cret")
    ev.emit(Sent("s3cret", secret=True))
    assert ev.history == [("S:", "220 mx.test"), ("C:", "EHLO me"), ("S:", "250-mx.test"),
                          ("S:", "250 PIPELINING"), ("C:", "[redacted]")]


def test_shell_export_command():
    import asyncio
    from types import SimpleNamespace

    from smtpsh.shell import commands

    said: list[str] = []
    history = [("S:", "220 mx.test"), ("C:", "EHLO me"), ("S:", "250 mx.test"),
               ("C:", "MAIL FROM:<a@x>"), ("S:", "250 ok"), ("C:", "RCPT TO:<b@y>"),
               ("S:", "250 ok"), ("C:", "DATA"), ("S:", "354 go"), ("C:", "hi"), ("C:", "."),
               ("S:", "250 ok")]
    screen = SimpleNamespace(out=said.append, warn=said.append, note=said.append)
    shell = SimpleNamespace(screen=screen, session=SimpleNamespace(
        events=SimpleNamespace(history=history)),
        state=SimpleNamespace(host="mx.test", port=2525, tls_mode="none"))
    asyncio.run(commands.run(shell, ":export curl"))  # type: ignore[arg-type]
    assert "smtp://mx.test:2525/me" in said[-1] and "--mail-rcpt b@y" in said[-1]
    asyncio.run(commands.run(shell, ":export telnet"))  # type: ignore[arg-type]
    assert said[-1].startswith("usage: :export swaks|curl|openssl|python")
    shell.session.events.history = []
    asyncio.run(commands.run(shell, ":export swaks"))  # type: ignore[arg-type]
    assert "nothing to export yet" in said[-1]
