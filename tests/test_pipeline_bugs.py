"""Pipelining bugs found by the e2e tests (not committed: they fail until fixed)."""

from __future__ import annotations

import uuid

import pytest
from test_pipeline_e2e import _postfix_script, out

from smtpsh.exitcodes import Exit

pytestmark = pytest.mark.timeout(60)


def _tag() -> str:
    return uuid.uuid4().hex[:10]


def test_pipelined_group_without_false_sequence_warnings(smtpsh, postfix_server):
    """The RCPTs and DATA of a group follow a MAIL sent in the same write: no warning that
    they are out of sequence (the state before the group's replies is not theirs)."""
    pf = postfix_server
    tag = _tag()
    p = smtpsh("--pipeline", pf.host, str(pf.port),
               input=_postfix_script(pf, tag, f"nobody-{tag}@elsewhere.test"))
    assert "out of sequence" not in out(p), out(p)


def test_all_recipients_refused_but_354_sends_only_the_dot(smtpsh, scripted):
    """A server that says 354 though it accepted no recipient: smtpsh skips the message
    text and ends the empty message with the lone dot (RFC 2920 3.1)."""
    async def script(r, w, received):
        w.write(b"220 odd.test ESMTP\r\n")
        await w.drain()
        await r.readline()
        w.write(b"250-odd.test\r\n250 PIPELINING\r\n")
        await w.drain()
        buf = b""
        while not buf.endswith(b"DATA\r\n"):
            chunk = await r.read(65536)
            if not chunk:
                return
            buf += chunk
        received.append(buf)
        w.write(b"250 ok\r\n550 5.1.1 no b\r\n550 5.1.1 no c\r\n354 go ahead anyway\r\n")
        await w.drain()
        line = await r.readline()
        received.append(line)
        w.write(b"554 5.5.1 no valid recipients\r\n")
        await w.drain()
        while line := await r.readline():
            received.append(line)
            if line.startswith(b"QUIT"):
                w.write(b"221 bye\r\n")
                await w.drain()
                return
            w.write(b"500 unexpected\r\n")
            await w.drain()

    srv = scripted(script)
    p = smtpsh("--pipeline", "--timeout", "3", "127.0.0.1", str(srv.port), input=(
        "EHLO me.test\nMAIL FROM:<a@x.test>\nRCPT TO:<b@y.test>\nRCPT TO:<c@y.test>\nDATA\n"
        "Subject: secret text\n\nnot for anyone\n.\nQUIT\n"))
    text = out(p)
    assert srv.received == [
        b"MAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nRCPT TO:<c@y.test>\r\nDATA\r\n",
        b".\r\n", b"QUIT\r\n"], srv.received
    assert "354 though no recipient was accepted" in text
    assert "the message text is skipped" in text
    assert "C: Subject: secret text" not in text and "not for anyone" not in text
    assert "S: 554 5.5.1 no valid recipients" in text and "S: 221 bye" in text
    assert p.returncode == Exit.PERMANENT, text
