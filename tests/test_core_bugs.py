"""The bugs of the old core, each proved fixed end to end: the console script over real
sockets, against scripted servers (faults no real server produces) and Postfix.

Every reply is matched to the command it answers: AUTH succeeds on 235 only, replies to raw
lines never shift later ones, explanations come from the reply and its command, an empty
reply text keeps its space, and a refused AUTH never sends the password as a command.
"""

from __future__ import annotations

import base64

import pytest

from smtpsh.exitcodes import Exit

pytestmark = pytest.mark.timeout(60)


def out(p) -> str:
    return p.stdout.decode()


def line_after(text: str, line: str) -> str:
    lines = text.splitlines()
    return lines[lines.index(line) + 1]


async def _serve(r, w, received, answer) -> None:
    """Greet, then answer each line read with `answer(line)` (bytes, or None for nothing);
    QUIT gets 221 and ends the connection."""
    w.write(b"220 scripted.test ESMTP\r\n")
    await w.drain()
    while line := await r.readline():
        received.append(line)
        if line.upper().startswith(b"QUIT"):
            w.write(b"221 2.0.0 bye\r\n")
            await w.drain()
            return
        reply = answer(line)
        if reply:
            w.write(reply)
            await w.drain()


# --- a) AUTH is authenticated on 235 only ------------------------------------------------


def _sink(r, w, received):
    """Like smtp-sink: 250 to everything (AUTH included)."""
    return _serve(r, w, received, lambda line: (
        b"250-sink.test\r\n250-PIPELINING\r\n250 AUTH PLAIN LOGIN\r\n"
        if line.upper().startswith(b"EHLO") else b"250 2.0.0 Ok\r\n"))


def test_auth_answered_250_is_not_authenticated(smtpsh, scripted, tmp_path):
    srv = scripted(_sink)
    t = tmp_path / "t.log"
    p = smtpsh("--auth", "PLAIN", "--user", "alice", "--ehlo", "client.test",
               "--transcript", str(t), "127.0.0.1", str(srv.port), "-c", "NOOP",
               env_extra={"SMTPSH_PASSWORD": "x"})
    text = out(p)
    assert "C: AUTH PLAIN" in text and line_after(text, "C: AUTH PLAIN") == "S: 250 2.0.0 Ok"
    assert "authenticated as" not in text and "-- authenticated" not in text, text
    assert "!! AUTH answered 250, not 235: not counted as authenticated (RFC 4954 6)" in text
    assert "authenticated as" not in t.read_text()
    # The exchange ended at the 250: no answer (and no password) went out after it.
    plain = base64.b64encode(b"\0alice\0x")
    assert not any(plain in line for line in srv.received), srv.received
    assert [x.split()[0] for x in srv.received] == [b"EHLO", b"AUTH", b"NOOP", b"QUIT"]


def test_auth_answered_250_does_not_exit_0(smtpsh, scripted):
    """--auth asked for a login and did not get one: not 0 though no reply was 4xx/5xx, but
    the status of its own (11), also when the script itself runs clean."""
    srv = scripted(_sink)
    p = smtpsh("--auth", "PLAIN", "--user", "alice", "--ehlo", "client.test",
               "127.0.0.1", str(srv.port), "-c", "NOOP", env_extra={"SMTPSH_PASSWORD": "x"})
    assert p.returncode == Exit.AUTH, out(p)
    assert "S: 250 2.0.0 Ok" in out(p) and "S: 221 2.0.0 bye" in out(p)


# --- b) replies to raw lines never shift the replies that follow ---------------------------


def test_raw_group_of_200_rcpts_does_not_shift_later_replies(smtpsh, postfix_server,
                                                             tmp_path):
    pf = postfix_server
    rcpts = "".join(f"RCPT TO:<raw{i}@{pf.domain}>\\r\\n" for i in range(200))
    t = tmp_path / "t.log"
    p = smtpsh("--transcript", str(t), pf.host, str(pf.port), input=(
        "EHLO client.test\n"
        "MAIL FROM:<a@client.test>\n"
        f":raw {rcpts}\n"
        "NOOP\n"
        "RSET\n"
        "QUIT\n"), timeout=60)
    text = out(p)
    assert p.returncode == Exit.OK, text[-2000:]
    assert "raw: " in text and "200 line(s) in them may be answered" in text
    assert text.count("S: 250 2.1.5 Ok") == 200, text[-2000:]
    assert "no command was waiting" not in text and "no reply to" not in text
    assert line_after(text, "C: NOOP") == "S: 250 2.0.0 Ok", text[-500:]
    assert line_after(text, "C: RSET") == "S: 250 2.0.0 Ok", text[-500:]
    assert line_after(text, "C: QUIT") == "S: 221 2.0.0 Bye", text[-500:]
    log = t.read_text().splitlines()
    shown = [x.split(" ", 1)[1] for x in log]
    assert shown[shown.index("C: NOOP") + 1] == "S: 250 2.0.0 Ok"
    assert shown[shown.index("C: QUIT") + 1] == "S: 221 2.0.0 Bye"


# --- c) explanations from the reply and the command it answers -----------------------------


def test_rcpt_before_greeting_explained_as_greet_first(smtpsh, smtp_server):
    p = smtpsh("--explain-replies", "127.0.0.1", str(smtp_server.port),
               input="RCPT TO:<b@y.test>\nQUIT\n")
    text = out(p)
    assert p.returncode == Exit.PERMANENT, text
    assert line_after(text, "C: RCPT TO:<b@y.test>") == "S: 503 Error: send HELO first"
    explained = line_after(text, "S: 503 Error: send HELO first")
    assert explained.startswith("   = greet first"), text


def test_auth_login_cancelled_with_star(smtpsh, postfix_server, tmp_path):
    pf = postfix_server
    t = tmp_path / "t.log"
    p = smtpsh("--tls", "--cafile", str(pf.ca_path), "--explain-replies",
               "--transcript", str(t), "127.0.0.1", str(pf.smtps_port),
               input="EHLO client.test\nAUTH LOGIN\n*\nQUIT\n")
    text = out(p)
    assert "S: 334 VXNlcm5hbWU6" in text
    i = text.index("C: *")
    after = text[i:].splitlines()
    assert after[1].startswith("S: 501 5.7.0"), text
    assert after[2].startswith("   = AUTH was cancelled, as asked"), text
    assert "-- AUTH cancelled, as asked" in text
    assert "authenticated as" not in text
    assert "S: 221 2.0.0 Bye" in text
    assert p.returncode == Exit.PERMANENT  # the 501 is a 5xx reply


async def _up_to_data(r, w, received, after_dot: bytes) -> None:
    w.write(b"220 scripted.test ESMTP\r\n")
    await w.drain()
    for answer in (b"250 ok\r\n", b"250 ok\r\n", b"250 ok\r\n", b"354 go\r\n"):
        received.append(await r.readline())
        w.write(answer)
        await w.drain()
    received.append(await r.readuntil(b"\r\n.\r\n"))
    w.write(after_dot)
    await w.drain()
    line = await r.readline()
    received.append(line)
    w.write(b"221 bye\r\n")
    await w.drain()


def test_line_too_long_after_the_dot_is_about_the_message(smtpsh, scripted):
    async def script(r, w, received):
        await _up_to_data(r, w, received, b"500 Line too long\r\n")

    srv = scripted(script)
    p = smtpsh("--explain-replies", "127.0.0.1", str(srv.port), input=(
        "HELO me.test\nMAIL FROM:<a@x.test>\nRCPT TO:<b@y.test>\nDATA\n"
        "Subject: long\n\n" + "y" * 1200 + "\n.\nQUIT\n"))
    text = out(p)
    assert p.returncode == Exit.PERMANENT, text
    explained = line_after(text, "S: 500 Line too long")
    assert explained.startswith("   = ") and "line in it is too long" in explained, text
    assert "command line is too long" not in text


def test_bdat_chunk_read_as_a_command_is_explained_as_such(smtpsh, scripted):
    async def script(r, w, received):
        await _serve(r, w, received, lambda line: (
            b"250-scripted.test\r\n250 CHUNKING\r\n" if line.startswith(b"EHLO") else
            None if line.startswith(b"BDAT") else  # and it takes the chunk for a command:
            b'500 5.5.2 Error: command "ABCD" not recognized\r\n' if line == b"ABCD\r\n"
            else b"250 ok\r\n"))

    srv = scripted(script)
    p = smtpsh("--explain-replies", "--timeout", "3", "127.0.0.1", str(srv.port), input=(
        b"EHLO me.test\nMAIL FROM:<a@x.test>\nRCPT TO:<b@y.test>\nBDAT 6 LAST\nABCD\r\nQUIT\n"))
    text = out(p)
    reply = 'S: 500 5.5.2 Error: command "ABCD" not recognized'
    assert line_after(text, "C: BDAT 6 LAST").startswith("-- (6 octets"), text
    explained = next(x for x in text.splitlines()[text.splitlines().index(reply):]
                     if x.startswith("   = "))
    assert "chunk" in explained and "'ABCD'" in explained, text
    assert "does not know BDAT" not in text
    assert "S: 221 2.0.0 bye" in text
    assert p.returncode == Exit.PERMANENT


# --- d) an empty reply text keeps its space -------------------------------------------------


def test_empty_reply_text_keeps_its_space(smtpsh, scripted, tmp_path):
    async def script(r, w, received):
        await _serve(r, w, received, lambda line: b"250 \r\n")

    srv = scripted(script)
    t = tmp_path / "t.log"
    p = smtpsh("--transcript", str(t), "127.0.0.1", str(srv.port), "-c", "NOOP", "-c", "QUIT")
    assert p.returncode == Exit.OK, out(p)
    assert line_after(out(p), "C: NOOP") == "S: 250 "
    log = t.read_text().splitlines()
    i = next(n for n, x in enumerate(log) if x.endswith(" C: NOOP"))
    assert log[i + 1].endswith(" S: 250 "), log


# --- e) a refused AUTH never sends the password ---------------------------------------------


def test_auth_refused_530_never_sends_the_password(smtpsh, scripted, tmp_path):
    password = "Tr0ub4dor&3xyz"

    async def script(r, w, received):
        await _serve(r, w, received, lambda line: (
            b"250-scripted.test\r\n250 AUTH PLAIN LOGIN\r\n" if line.startswith(b"EHLO") else
            b"530 5.7.0 Must issue a STARTTLS command first\r\n" if line.startswith(b"AUTH")
            else b"250 2.0.0 Ok\r\n"))

    srv = scripted(script)
    t = tmp_path / "t.log"
    p = smtpsh("--transcript", str(t), "127.0.0.1", str(srv.port),
               input=f"EHLO client.test\nAUTH PLAIN\nalice\n{password}\nNOOP\nQUIT\n")
    text = out(p)
    assert line_after(text, "C: AUTH PLAIN") == (
        "S: 530 5.7.0 Must issue a STARTTLS command first")
    wire = b"".join(srv.received)
    forms = [password.encode(), base64.b64encode(password.encode()),
             base64.b64encode(f"\0alice\0{password}".encode())]
    assert not any(f in wire for f in forms), srv.received
    assert [x.split()[0] for x in srv.received] == [b"EHLO", b"AUTH", b"NOOP", b"QUIT"]
    for shown in (text, p.stderr.decode(), t.read_text()):
        assert password not in shown
        assert "C: alice" not in shown
    assert "the next 2 line(s) (its answers) are skipped" in text
    assert line_after(text, "C: NOOP") == "S: 250 2.0.0 Ok"
    assert p.returncode == Exit.PERMANENT


def test_auth_refused_530_is_explained_as_starttls_first(smtpsh, scripted):
    """The same with --explain-replies: the 530 is explained as STARTTLS wanted first."""
    async def script(r, w, received):
        await _serve(r, w, received, lambda line: (
            b"530 5.7.0 Must issue a STARTTLS command first\r\n" if line.startswith(b"AUTH")
            else b"250 ok\r\n"))

    srv = scripted(script)
    p = smtpsh("--explain-replies", "127.0.0.1", str(srv.port),
               input="EHLO client.test\nAUTH PLAIN\nalice\nTr0ub4dor&3xyz\nQUIT\n")
    text = out(p)
    assert line_after(text, "S: 530 5.7.0 Must issue a STARTTLS command first") == (
        "   = the server wants STARTTLS first"), text
    assert "Tr0ub4dor&3xyz" not in text
    assert all(b"Tr0ub4dor" not in x for x in srv.received)

