"""Hostile servers and careless input, end to end: each case a scripted server on loopback
that does what no real server should, and what smtpsh must make of it."""

from __future__ import annotations

import base64
import time

import pytest

from smtpsh.exitcodes import Exit


def out(proc) -> str:
    return proc.stdout.decode("utf-8", "replace") + proc.stderr.decode("utf-8", "replace")


async def _lines(r, w, answer) -> None:
    """Greet, then answer each line with answer(line) (bytes, or None to stay silent)."""
    w.write(b"220 hostile.test ESMTP\r\n")
    await w.drain()
    while line := await r.readline():
        reply = answer(line)
        if reply is None:
            continue
        w.write(reply)
        await w.drain()


def test_a_stalled_starttls_handshake_ends_in_one_line(smtpsh, scripted, tmp_path):
    """220 to STARTTLS, then silence: a TLS failure (exit 6) within --timeout, no traceback,
    and the failure in the transcript."""
    async def script(r, w, received):
        w.write(b"220 hostile.test ESMTP\r\n")
        await w.drain()
        while line := await r.readline():
            if line.upper().startswith(b"STARTTLS"):
                w.write(b"220 go ahead\r\n")
                await w.drain()
                await r.read()  # the ClientHello, never answered
                return
            w.write(b"250-hostile.test\r\n250 STARTTLS\r\n")
            await w.drain()

    srv = scripted(script)
    t = tmp_path / "t.log"
    start = time.monotonic()
    p = smtpsh("--starttls", "--timeout", "2", "--transcript", str(t), "127.0.0.1",
               str(srv.port), input="")
    took = time.monotonic() - start
    assert p.returncode == Exit.TLS, out(p)
    assert "Traceback" not in out(p) and "CancelledError" not in out(p)
    assert "handshake timed out" in out(p)
    assert "handshake timed out" in t.read_text()
    assert took < 6, took


def test_a_452_in_the_middle_of_data_is_shown_and_recorded(smtpsh, scripted, tmp_path):
    """The server reads 64 KB, refuses with 452 and leaves: the 452 is shown, it sets the
    exit status, and the transcript holds what was sent, not the whole message."""
    async def script(r, w, received):
        w.write(b"220 hostile.test ESMTP\r\n")
        await w.drain()
        while line := await r.readline():
            if line.upper().startswith(b"DATA"):
                w.write(b"354 go\r\n")
                await w.drain()
                got = 0
                while got < 65536 and (data := await r.read(65536)):
                    got += len(data)
                w.write(b"452 4.3.1 Insufficient system storage\r\n")
                await w.drain()
                w.close()
                return
            w.write(b"250 ok\r\n")
            await w.drain()

    srv = scripted(script)
    body = "".join(f"line {i} of a long message text that goes on\n" for i in range(30000))
    script_text = f"EHLO x\nMAIL FROM:<a@x.test>\nRCPT TO:<b@x.test>\nDATA\n{body}.\nQUIT\n"
    for _ in range(5):
        t = tmp_path / "t.log"
        t.unlink(missing_ok=True)
        p = smtpsh("--transcript", str(t), "127.0.0.1", str(srv.port), input=script_text)
        text = out(p)
        assert "S: 452 4.3.1 Insufficient system storage" in text, text[-600:]
        assert p.returncode == Exit.TRANSIENT
        logged = t.read_text()
        assert "S: 452 4.3.1" in logged
        assert logged.count("C: line ") < 5000  # ~64 KB went out, not 30,000 lines


def test_an_endless_reply_is_bounded_and_shown_when_the_wait_ends(smtpsh, scripted):
    async def script(r, w, received):
        w.write(b"220 hostile.test ESMTP\r\n")
        await w.drain()
        await r.readline()
        try:
            for _ in range(10_000_000):
                w.write(b"250-" + b"x" * 200 + b"\r\n")
                await w.drain()
        except (ConnectionError, OSError):
            pass

    srv = scripted(script)
    p = smtpsh("--timeout", "2", "127.0.0.1", str(srv.port), input="EHLO x\n")
    text = out(p)
    assert p.returncode == Exit.TIMEOUT
    assert "the server stopped in the middle of a reply" in text
    assert text.count("250-xxxx") < 1100  # bounded: the first 999 lines of it


def test_lines_of_a_reply_that_stalls_are_kept(smtpsh, scripted, tmp_path):
    async def script(r, w, received):
        w.write(b"220 hostile.test ESMTP\r\n250-first line\r\n")
        await w.drain()
        await r.readline()
        w.write(b"250-second line\r\n")
        await w.drain()
        await r.read()

    srv = scripted(script)
    t = tmp_path / "t.log"
    p = smtpsh("--timeout", "1", "--transcript", str(t), "127.0.0.1", str(srv.port),
               input="EHLO x\n")
    assert "250-second line" in out(p) and "250-second line" in t.read_text()


@pytest.mark.parametrize(("answer", "shown"), [
    (b"354 go on\r\n", "a 354 answers EHLO x, where no 3xx is due"),
    (b"999 what\r\n", "999 is not an SMTP reply code"),
    (b"000 zero\r\n", "S: 000 zero"),
])
def test_a_reply_that_breaks_the_protocol_ends_the_script(smtpsh, scripted, answer, shown):
    async def script(r, w, received):
        def reply(line: bytes) -> bytes:
            received.append(line)
            return answer
        await _lines(r, w, reply)

    srv = scripted(script)
    p = smtpsh("--timeout", "2", "127.0.0.1", str(srv.port), input="EHLO x\nNOOP\nQUIT\n")
    assert p.returncode == Exit.PROTOCOL, out(p)
    assert shown in out(p)
    assert [x for x in srv.received if x.startswith(b"NOOP")] == []  # not going on
    assert sum(x.startswith(b"QUIT") for x in srv.received) <= 1


def test_after_a_554_greeting_only_quit_is_sent(smtpsh, scripted):
    async def script(r, w, received):
        w.write(b"554 5.7.1 go away\r\n")
        await w.drain()
        while line := await r.readline():
            received.append(line)
            w.write(b"221 bye\r\n" if line.upper().startswith(b"QUIT") else b"503 no\r\n")
            await w.drain()

    srv = scripted(script)
    p = smtpsh("127.0.0.1", str(srv.port), input="EHLO x\nMAIL FROM:<a@x.test>\n")
    assert p.returncode == Exit.PERMANENT
    assert srv.received == [b"QUIT\r\n"]
    assert "only QUIT is sent" in out(p)


def test_a_typed_initial_response_echoed_decoded_stays_hidden(smtpsh, scripted, tmp_path):
    """AUTH PLAIN <base64> typed by hand, and a 535 that echoes the decoded credentials:
    the password shows nowhere (screen, transcript)."""
    password = "Tr0ub4dor&3xyz"
    blob = base64.b64encode(f"\0alice\0{password}".encode()).decode()

    async def script(r, w, received):
        def reply(line: bytes) -> bytes:
            if line.upper().startswith(b"AUTH"):
                return f"535 5.7.8 bad credentials alice {password}\r\n".encode()
            return b"250 ok\r\n"
        await _lines(r, w, reply)

    srv = scripted(script)
    t = tmp_path / "t.log"
    p = smtpsh("--transcript", str(t), "127.0.0.1", str(srv.port),
               input=f"EHLO x\nAUTH PLAIN {blob}\nQUIT\n")
    assert password not in out(p) and blob not in out(p)
    assert password not in t.read_text() and blob not in t.read_text()
    assert "[redacted]" in out(p)


def test_raw_auth_puts_no_secret_on_screen_or_in_the_transcript(smtpsh, scripted, tmp_path):
    password = "Tr0ub4dor&3xyz"
    blob = base64.b64encode(f"\0alice\0{password}".encode()).decode()

    async def script(r, w, received):
        await _lines(r, w, lambda line: b"235 ok\r\n" if line.startswith(b"AUTH") else
                     b"250 ok\r\n")

    srv = scripted(script)
    t = tmp_path / "t.log"
    p = smtpsh("--transcript", str(t), "127.0.0.1", str(srv.port),
               input=f"EHLO x\n:raw AUTH PLAIN {blob}\\r\\n\nQUIT\n")
    assert blob not in out(p) and blob not in t.read_text()
    assert password not in out(p)


def test_raw_starttls_with_a_reply_left_unanswered_still_upgrades(smtpsh, scripted,
                                                                   smtp_server):
    """`:raw STARTTLS\\r\\nNOOP\\r\\n` to a server that answers the STARTTLS but never the
    NOOP: the handshake is still due after the wait; the next command must not spin."""
    async def script(r, w, received):
        w.write(b"220 hostile.test ESMTP\r\n")
        await w.drain()
        await r.readline()  # STARTTLS
        await r.readline()  # NOOP, never answered
        w.write(b"220 go ahead\r\n")
        await w.drain()
        await r.read(1024)  # the ClientHello, never answered: the handshake times out
        w.close()

    srv = scripted(script)
    start = time.monotonic()
    p = smtpsh("--timeout", "2", "127.0.0.1", str(srv.port),
               input=":raw STARTTLS\\r\\nNOOP\\r\\n\nNOOP\n", timeout=30)
    assert time.monotonic() - start < 12
    assert "Traceback" not in out(p)
    assert p.returncode in (Exit.TLS, Exit.LOST), out(p)
