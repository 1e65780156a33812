"""Script mode end to end: the installed console script against real servers on loopback."""

from __future__ import annotations

import asyncio
import re

import pytest

from smtpsh.exitcodes import Exit

DIALOG = """EHLO me.test
MAIL FROM:<a@x.test>
RCPT TO:<b@y.test>
DATA
Subject: dot test

.hidden line
..two dots
.
QUIT
"""


def out(proc) -> str:
    return proc.stdout.decode()


def test_full_dialog_bytes_on_the_wire(smtpsh, smtp_server, handler):
    p = smtpsh("127.0.0.1", str(smtp_server.port), input=DIALOG)
    assert p.returncode == Exit.OK, out(p) + p.stderr.decode()
    text = out(p)
    assert "S: 220 mx.test" in text and "S: 250-mx.test" in text and "S: 221 Bye" in text
    assert "C: .hidden line" in text  # shown as typed ...
    (env,) = handler.envelopes
    assert env.mail_from == "a@x.test" and env.rcpt_tos == ["b@y.test"]
    # ... and un-stuffed by the server back to exactly what the user wrote.
    assert env.original_content == b"Subject: dot test\r\n\r\n.hidden line\r\n..two dots\r\n"
    assert "\x1b[" not in text  # no colour when stdout is not a terminal


def test_target_forms_and_transcript(smtpsh, smtp_server, tmp_path):
    t = tmp_path / "t.log"
    for args in (["127.0.0.1", str(smtp_server.port)], [f"127.0.0.1:{smtp_server.port}"],
                 ["-p", str(smtp_server.port), "127.0.0.1"]):
        p = smtpsh(*args, "--transcript", str(t), "-c", "EHLO me.test", "-c", "QUIT")
        assert p.returncode == 0, out(p)
    lines = t.read_text().splitlines()
    stamp = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"
    assert all(re.match(stamp + r" (C:|S:|--|!!) ", x) for x in lines), lines
    assert sum("C: EHLO me.test" in x for x in lines) == 3
    assert any(re.search(r"-- Connected to 127\.0\.0\.1 \(127\.0\.0\.1\) port", x) for x in lines)


def test_ipv6_literal_target(smtpsh, handler):
    from aiosmtpd.controller import Controller
    from conftest import free_port

    c = Controller(handler, hostname="::1", port=free_port(), server_hostname="mx.test")
    try:
        c.start()
    except OSError:
        pytest.skip("no IPv6 loopback on this machine") if not __import__("os").environ.get(
            "CI") else pytest.fail("no IPv6 loopback")
    try:
        p = smtpsh(f"[::1]:{c.port}", "-c", "QUIT")
        assert p.returncode == 0 and "S: 220 mx.test" in out(p)
    finally:
        c.stop()


def test_rejection_sets_exit_status(smtpsh, smtp_server):
    p = smtpsh("127.0.0.1", str(smtp_server.port), "-c", "EHLO me.test", "-c", "RCPT TO:<b@y>",
               "-c", "QUIT")
    assert p.returncode == Exit.PERMANENT
    assert "!! RCPT with no mail transaction open is out of sequence" in out(p)
    assert "S: 503" in out(p)


def test_end_of_input_sends_quit_and_ends_data(smtpsh, smtp_server, handler):
    p = smtpsh("127.0.0.1", str(smtp_server.port),
               input="HELO me.test\nMAIL FROM:<a@x.test>\nRCPT TO:<b@y.test>\nDATA\nhello")
    assert p.returncode == 0, out(p)
    assert "end of input inside DATA" in out(p) and "-- end of input: sending QUIT" in out(p)
    assert handler.envelopes[0].original_content == b"hello\r\n"


def test_connection_refused(smtpsh):
    from conftest import free_port

    p = smtpsh("127.0.0.1", str(free_port()), "-c", "QUIT")
    assert p.returncode == Exit.CONNECT
    assert "refused" in out(p)
    assert "Traceback" not in out(p) + p.stderr.decode()


def test_bad_arguments_are_one_line(smtpsh):
    for args in (["127.0.0.1:99999"], ["127.0.0.1:25", "26"], ["[::1"], [], ["--timeout", "0",
                                                                           "x"]):
        p = smtpsh(*args)
        assert p.returncode == Exit.USAGE, args
        err = p.stderr.decode()
        assert err.startswith("smtpsh: ") and err.count("\n") == 1, err


def test_transcript_not_writable(smtpsh, smtp_server, tmp_path):
    p = smtpsh("127.0.0.1", str(smtp_server.port), "--transcript", str(tmp_path / "no" / "x"),
               "-c", "QUIT")
    assert p.returncode == Exit.ERROR
    assert p.stderr.decode().startswith("smtpsh: cannot write the transcript")


def test_version_is_fast_and_light(smtpsh):
    p = smtpsh("--version")
    assert p.returncode == 0 and out(p).startswith("smtpsh ")


def test_script_mode_does_not_import_ui_or_dns():
    import subprocess
    import sys

    code = ("import sys; from smtpsh import app, cli, script, session, render;"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in"
            " ('prompt_toolkit', 'dns', 'aiosmtpd', 'pygments')))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert r.stdout.strip() == "[]"


def test_sandbox_dialog(smtpsh, tmp_path):
    p = smtpsh("--sandbox", "--sandbox-dir", str(tmp_path / "box"), input=DIALOG)
    assert p.returncode == 0, out(p)
    assert "sandbox: message 1 accepted" in out(p) and "Subject: dot test" in out(p)
    saved = (tmp_path / "box" / "0001.eml").read_bytes()
    # The sandbox stamps Return-Path and Received (RFC 5321 4.4) above the message as sent.
    head, _, sent = saved.partition(b"\r\nSubject:")
    assert head.startswith(b"Return-Path: <") and b"\r\nReceived: from " in head
    assert b"Subject:" + sent == b"Subject: dot test\r\n\r\n.hidden line\r\n..two dots\r\n"


# --- faults no real server produces: a scripted socket server -----------------------------


async def _greet_then(reader, writer, received, *lines: bytes, wait: bool = True):
    writer.write(b"220 bad.test ESMTP\r\n")
    await writer.drain()
    received.append(await reader.readline())
    for chunk in lines:
        writer.write(chunk)
        await writer.drain()
    if wait:
        await reader.read()  # until the client goes


@pytest.mark.parametrize("lines,expect", [
    ([b"hello\r\n250 ok\r\n"], "!! server: line without a reply code"),
    ([b"250-a\r\n251 b\r\n"], "code changed from 250 to 251"),
    ([b"250 " + b"x" * 600 + b"\r\n"], "over the limit of 512"),
    ([b"250 caf\xe9\r\n"], "S: 250 caf\\xe9"),
    ([b"250 bare\n"], "bare LF"),
])
def test_malformed_replies_are_shown_and_flagged(smtpsh, scripted, lines, expect):
    async def script(r, w, received):
        await _greet_then(r, w, received, *lines, wait=False)
        await r.readline()
        w.write(b"221 bye\r\n")
        await w.drain()

    srv = scripted(script)
    p = smtpsh("127.0.0.1", str(srv.port), "-c", "NOOP", "-c", "QUIT")
    assert expect in out(p), out(p)
    assert "Traceback" not in out(p) + p.stderr.decode()


def test_server_closing_mid_reply(smtpsh, scripted, tmp_path):
    async def script(r, w, received):
        await _greet_then(r, w, received, b"250-one\r\n250-two\r\n", wait=False)

    srv = scripted(script)
    t = tmp_path / "t.log"
    p = smtpsh("127.0.0.1", str(srv.port), "--transcript", str(t), "-c", "EHLO x", "-c", "QUIT")
    assert p.returncode == Exit.LOST
    assert "closed the connection in the middle of a reply: one / two" in out(p)
    assert "C: QUIT" not in out(p)
    log = t.read_text()  # complete up to the failure
    assert "C: EHLO x" in log and "connection closed by the server" in log


def test_silent_server_times_out(smtpsh, scripted):
    async def script(r, w, received):
        await _greet_then(r, w, received)

    srv = scripted(script)
    p = smtpsh("--timeout", "0.5", "127.0.0.1", str(srv.port), "-c", "NOOP")
    assert p.returncode == Exit.TIMEOUT
    assert "no reply to NOOP within 0.5 s" in out(p)


def test_greeting_never_comes(smtpsh, scripted):
    async def script(r, w, received):
        await asyncio.sleep(5)

    srv = scripted(script)
    p = smtpsh("--timeout", "0.3", "127.0.0.1", str(srv.port), "-c", "QUIT")
    assert p.returncode == Exit.TIMEOUT


def test_no_pipelining_in_script_mode(smtpsh, scripted):
    """Each line waits for its reply: the server sees one command per read."""
    async def script(r, w, received):
        w.write(b"220 slow.test\r\n")
        await w.drain()
        while line := await r.readline():
            received.append(line)
            await asyncio.sleep(0.05)
            # Nothing more may have arrived while we "thought".
            assert not r._buffer, "client pipelined"
            w.write(b"221 bye\r\n" if line.startswith(b"QUIT") else b"250 ok\r\n")
            await w.drain()

    srv = scripted(script)
    p = smtpsh("127.0.0.1", str(srv.port), input="NOOP\nNOOP\nRSET\nQUIT\n")
    assert p.returncode == 0, out(p)
    assert srv.received == [b"NOOP\r\n", b"NOOP\r\n", b"RSET\r\n", b"QUIT\r\n"]


def test_source_address(smtpsh, smtp_server, tmp_path):
    t = tmp_path / "t.log"
    p = smtpsh("--source", "127.0.0.1", "--transcript", str(t), "127.0.0.1",
               str(smtp_server.port), "-c", "QUIT")
    assert p.returncode == 0, out(p)
    p = smtpsh("--source", "192.0.2.1", "127.0.0.1", str(smtp_server.port), "-c", "QUIT")
    assert p.returncode == Exit.CONNECT and "cannot connect" in out(p)


def test_transcript_survives_a_kill(scripted, tmp_path):
    """Flushed line by line: SIGKILL after the greeting loses nothing already exchanged."""
    import os
    import shutil
    import signal
    import subprocess
    import time

    async def script(r, w, received):
        await _greet_then(r, w, received, b"250 ok\r\n")

    srv = scripted(script)
    t = tmp_path / "t.log"
    proc = subprocess.Popen([shutil.which("smtpsh"), "--transcript", str(t), "127.0.0.1",
                             str(srv.port)], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    proc.stdin.write(b"NOOP\n")
    proc.stdin.flush()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and "S: 250 ok" not in (
            t.read_text() if t.exists() else ""):
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(5)
    text = t.read_text()
    assert "S: 220 bad.test ESMTP" in text and "C: NOOP" in text and "S: 250 ok" in text


def test_sandbox_serve_only(tmp_path):
    """--sandbox --serve runs the server alone; another client's message shows up."""
    import shutil
    import signal
    import smtplib
    import subprocess
    import time

    from conftest import free_port

    port = free_port()
    proc = subprocess.Popen([shutil.which("smtpsh"), "--sandbox", "--serve", str(port),
                             "--sandbox-dir", str(tmp_path)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                client = smtplib.SMTP("127.0.0.1", port, local_hostname="client.test",
                                      timeout=5)
                break
            except OSError:
                assert time.monotonic() < deadline, "the sandbox did not start"
                time.sleep(0.1)
        client.sendmail("a@x.test", ["b@y.test"], b"Subject: served\r\n\r\nhello\r\n")
        client.quit()
        time.sleep(0.3)
    finally:
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=10)
    assert proc.returncode == 0, stderr.decode()
    assert "Subject: served" in stdout.decode()
    assert (tmp_path / "0001.eml").read_bytes().endswith(b"hello\r\n")
    assert b"Traceback" not in stderr


def test_control_bytes_from_the_server_are_escaped(smtpsh, scripted, tmp_path):
    async def script(r, w, received):
        await _greet_then(r, w, received, b"250 \x1b]0;PWNED\x07 hello\rOVERWRITE\r\n",
                          wait=False)
        await r.readline()
        w.write(b"221 bye\r\n")
        await w.drain()

    srv = scripted(script)
    t = tmp_path / "t.log"
    p = smtpsh("--transcript", str(t), "127.0.0.1", str(srv.port), "-c", "NOOP", "-c", "QUIT")
    for text in (out(p), t.read_text()):
        assert "\x1b" not in text and "\x07" not in text and "\r" not in text
        assert "\\x1b]0;PWNED\\x07 hello\\x0dOVERWRITE" in text


def test_a_421_greeting_is_a_transient_failure(smtpsh, scripted):
    async def script(r, w, received):
        w.write(b"421 4.3.2 too busy, come back later\r\n")
        await w.drain()

    srv = scripted(script)
    p = smtpsh("127.0.0.1", str(srv.port), input="EHLO x\nQUIT\n")
    assert p.returncode == Exit.TRANSIENT, out(p)
    assert "the rest of the script is not sent" in out(p)


def test_shell_commands_in_a_script_are_skipped_with_a_warning(smtpsh, smtp_server):
    p = smtpsh("127.0.0.1", str(smtp_server.port), input=":help\nNOOP\n")
    assert p.returncode == 0
    assert "!! :help: shell commands other than :raw work in the interactive shell only" in out(p)
    assert "C: :help" not in out(p)


def test_non_utf8_script_bytes_go_out_as_they_came(smtpsh, scripted):
    async def script(r, w, received):
        w.write(b"220 x\r\n")
        await w.drain()
        received.append(await r.readline())
        w.write(b"250 ok\r\n221 bye\r\n")
        await w.drain()

    srv = scripted(script)
    p = smtpsh("127.0.0.1", str(srv.port), input=b"NOOP caf\xe9\n")
    assert srv.received == [b"NOOP caf\xe9\r\n"]
    assert b"C: NOOP caf\\xe9" in p.stdout


def test_a_stray_reply_does_not_shift_the_dialog(smtpsh, scripted):
    """An extra reply after EHLO is shown as unasked, not taken for the next command's."""
    async def script(r, w, received):
        w.write(b"220 x\r\n")
        await w.drain()
        while line := await r.readline():
            received.append(line)
            if line.startswith(b"EHLO"):
                w.write(b"250 x\r\n250 a stray reply\r\n")  # one reply too many
            elif line.startswith(b"MAIL"):
                w.write(b"550 5.7.1 sender refused\r\n")
            elif line.startswith(b"QUIT"):
                w.write(b"221 bye\r\n")
            await w.drain()

    srv = scripted(script)
    p = smtpsh("127.0.0.1", str(srv.port), input="EHLO me\nMAIL FROM:<a@x.test>\nQUIT\n")
    text = out(p)
    assert "!! the server sent a reply no command was waiting for:" in text
    assert text.index("250 a stray reply") < text.index("C: MAIL FROM")
    assert "S: 550 5.7.1 sender refused" in text and "S: 221 bye" in text
    assert p.returncode == Exit.PERMANENT


async def _up_to_data(r, w) -> None:
    """Greet, accept HELO and MAIL, and say 354 to DATA: a server about to take a message."""
    w.write(b"220 x\r\n")
    await w.drain()
    for answer in (b"250 ok\r\n", b"250 ok\r\n", b"354 go\r\n"):
        await r.readline()
        w.write(answer)
        await w.drain()


BIG_DIALOG = "HELO me\nMAIL FROM:<a@x>\nDATA\n" + ("x" * 70 + "\n") * 200_000 + ".\n"
# 14 MB of message: more than the socket buffers hold, so the client is still sending.


def test_a_server_that_stops_reading_times_out(smtpsh, scripted):
    async def script(r, w, received):
        await _up_to_data(r, w)
        await asyncio.sleep(30)  # and read nothing more

    srv = scripted(script)
    p = smtpsh("--timeout", "1", "127.0.0.1", str(srv.port), input=BIG_DIALOG, timeout=20)
    assert p.returncode == Exit.TIMEOUT, out(p)[-500:]
    assert "the server took no data for 1 s" in out(p)


def test_the_last_words_of_a_server_that_leaves_mid_data(smtpsh, scripted):
    async def script(r, w, received):
        await _up_to_data(r, w)
        await r.read(100_000)
        w.write(b"421 4.4.2 too slow, bye\r\n")
        await w.drain()
        # Closing at once with unread data sends a RST, and the kernel of the client may drop
        # the 421 with it; a moment later the client has read it between two chunks.
        await asyncio.sleep(0.3)
        w.close()

    srv = scripted(script)
    p = smtpsh("127.0.0.1", str(srv.port), input=BIG_DIALOG, timeout=20)
    assert "S: 421 4.4.2 too slow, bye" in out(p), out(p)[-800:]
    assert p.returncode == Exit.TRANSIENT  # the 421 says why it ended: try again later


def test_exit_statuses_documented_as_the_code_says():
    from pathlib import Path

    from smtpsh.exitcodes import MEANING

    doc = (Path(__file__).parent.parent / "docs" / "reference.md").read_text()
    for code, text in MEANING.items():
        assert f"| {int(code)} | {text} |" in doc, code


def test_raw_bytes_go_exactly_as_typed(smtpsh, scripted):
    """:raw is the one way to put bare LF or a lone dot without CR on the wire (smuggling)."""
    async def script(r, w, received):
        w.write(b"220 x\r\n")
        await w.drain()
        while data := await r.read(1024):
            received.append(data)
            if data.startswith(b"QUIT"):
                w.write(b"221 bye\r\n")
                await w.drain()
                return
            w.write(b"250 got it\r\n")
            await w.drain()

    srv = scripted(script)
    p = smtpsh("--timeout", "2", "127.0.0.1", str(srv.port),
               input=":raw MAIL FROM:<a@x.test>\\n\n:raw \\x00.\\n\nQUIT\n")
    assert srv.received[:2] == [b"MAIL FROM:<a@x.test>\n", b"\x00.\n"], srv.received
    text = out(p)
    assert "C: MAIL FROM:<a@x.test>\\n" in text and "C: \\x00.\\n" in text
    assert "raw: 21 octets sent exactly as given" in text and "S: 250 got it" in text
    assert p.returncode == 0, text


def test_every_reply_to_raw_lines_counts_for_the_exit_status(smtpsh, scripted):
    """`:raw` with two lines: both replies are shown, matched, and the 500 sets the status."""
    async def script(r, w, received):
        await _greet_then(r, w, received, b"500 5.5.2 unknown FOO\r\n250 2.0.0 ok\r\n",
                          wait=False)
        received.append(await r.readline())  # NOOP
        received.append(await r.readline())  # QUIT
        w.write(b"221 bye\r\n")
        await w.drain()

    srv = scripted(script)
    p = smtpsh("127.0.0.1", str(srv.port), input=":raw FOO\\r\\nNOOP\\r\\n\n")
    text = out(p)
    assert "S: 500 5.5.2 unknown FOO" in text and "S: 250 2.0.0 ok" in text
    assert "the server sent a reply no command was waiting for" not in text
    assert p.returncode == Exit.PERMANENT, text
