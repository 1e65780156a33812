"""--pipeline end to end: the console script against real Postfix, aiosmtpd and scripted servers.

RFC 2920: after EHLO advertises PIPELINING, MAIL, the RCPTs and DATA go in one write and each
reply is shown under the command it answers, with the time it took.
"""

from __future__ import annotations

import asyncio
import re
import uuid

import pytest

from smtpsh.exitcodes import Exit

pytestmark = pytest.mark.timeout(60)

ANSWERED = re.compile(r"^   \^ (.+) \((\d+\.\d) ms\)$")


def out(p) -> str:
    return p.stdout.decode()


def answered_by(text: str) -> list[tuple[str, str]]:
    """(reply line, the command it answers) for each `^ command (N ms)` line."""
    lines = text.splitlines()
    pairs = []
    for i, line in enumerate(lines):
        m = ANSWERED.match(line)
        if m:
            reply = next(x for x in reversed(lines[:i]) if x.startswith("S: "))
            pairs.append((reply, m.group(1)))
    return pairs


def _tag() -> str:
    return uuid.uuid4().hex[:10]


def _postfix_script(pf, tag: str, refused: str) -> str:
    return (f"EHLO client.test\n"
            f"MAIL FROM:<sender@client.test>\n"
            f"RCPT TO:<p1-{tag}@{pf.domain}>\n"
            f"RCPT TO:<{refused}>\n"
            f"RCPT TO:<p2-{tag}@{pf.domain}>\n"
            f"DATA\n"
            f"Subject: pipelined {tag}\n\nhello through one write\n.\n"
            f"QUIT\n")


def test_pipelined_group_against_postfix(smtpsh, postfix_server):
    """One refused RCPT in a pipelined group: its 554 is shown under that RCPT, the others
    under theirs, the message is delivered once to each accepted recipient, exit 8."""
    pf = postfix_server
    tag = _tag()
    refused = f"nobody-{tag}@elsewhere.test"  # not our domain: "Relay access denied"
    p = smtpsh("--pipeline", pf.host, str(pf.port), input=_postfix_script(pf, tag, refused))
    text = out(p)
    assert p.returncode == Exit.PERMANENT, text
    assert "S: 250-PIPELINING" in text and "S: 250 CHUNKING" in text
    assert "did not advertise PIPELINING" not in text
    pairs = answered_by(text)
    assert [cmd for _, cmd in pairs] == [
        "MAIL FROM:<sender@client.test>",
        f"RCPT TO:<p1-{tag}@{pf.domain}>",
        f"RCPT TO:<{refused}>",
        f"RCPT TO:<p2-{tag}@{pf.domain}>",
        "DATA",
    ], text
    replies = dict((cmd, reply) for reply, cmd in pairs)
    assert replies["MAIL FROM:<sender@client.test>"].startswith("S: 250 2.1.0")
    assert replies[f"RCPT TO:<p1-{tag}@{pf.domain}>"].startswith("S: 250 2.1.5")
    assert replies[f"RCPT TO:<{refused}>"] == (
        f"S: 554 5.7.1 <{refused}>: Relay access denied")
    assert replies[f"RCPT TO:<p2-{tag}@{pf.domain}>"].startswith("S: 250 2.1.5")
    assert replies["DATA"].startswith("S: 354")
    # The whole group went out before the first reply came back: all five commands are
    # shown before any of their replies.
    lines = text.splitlines()
    first_reply = lines.index(pairs[0][0])
    for cmd in (cmd for _, cmd in pairs):
        assert lines.index(f"C: {cmd}") < first_reply, text
    assert "S: 250 2.0.0 Ok: queued as" in text and "S: 221 2.0.0 Bye" in text
    for rcpt in (f"p1-{tag}@{pf.domain}", f"p2-{tag}@{pf.domain}"):
        (msg,) = pf.wait_for_messages(1, recipient=rcpt)
        assert msg.endswith(f"Subject: pipelined {tag}\n\nhello through one write\n".encode())
    # Once, not twice: nothing more for either recipient a moment later.
    import time

    time.sleep(0.5)
    assert len(pf.messages(f"p1-{tag}@{pf.domain}")) == 1
    assert len(pf.messages(f"p2-{tag}@{pf.domain}")) == 1


def test_pipelined_group_goes_out_in_one_write(smtpsh, scripted):
    """A server that answers nothing until it has read the whole group: lockstep would
    wait for the MAIL reply forever; pipelining sends MAIL, RCPT, RCPT, DATA at once."""
    group = b"MAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nRCPT TO:<c@y.test>\r\nDATA\r\n"

    async def script(r, w, received):
        w.write(b"220 pipe.test ESMTP\r\n")
        await w.drain()
        await r.readline()
        w.write(b"250-pipe.test\r\n250 PIPELINING\r\n")
        await w.drain()
        buf = b""
        while not buf.endswith(b"DATA\r\n"):
            chunk = await r.read(65536)
            if not chunk:
                return
            received.append(chunk)
            buf += chunk
        w.write(b"250 2.1.0 sender ok\r\n250 2.1.5 b ok\r\n550 5.1.1 no c here\r\n"
                b"354 go ahead\r\n")
        await w.drain()
        body = await r.readuntil(b"\r\n.\r\n")
        received.append(body)
        w.write(b"250 2.0.0 queued\r\n")
        await w.drain()
        if (await r.readline()).startswith(b"QUIT"):
            w.write(b"221 bye\r\n")
            await w.drain()

    srv = scripted(script)
    p = smtpsh("--pipeline", "--timeout", "3", "127.0.0.1", str(srv.port), input=(
        "EHLO me.test\nMAIL FROM:<a@x.test>\nRCPT TO:<b@y.test>\nRCPT TO:<c@y.test>\nDATA\n"
        "Subject: one write\n\nbody\n.\nQUIT\n"))
    text = out(p)
    assert p.returncode == Exit.PERMANENT, text
    # One read took the whole group: it was one write.
    assert srv.received[0] == group, srv.received
    assert srv.received[1] == b"Subject: one write\r\n\r\nbody\r\n.\r\n"
    assert answered_by(text) == [
        ("S: 250 2.1.0 sender ok", "MAIL FROM:<a@x.test>"),
        ("S: 250 2.1.5 b ok", "RCPT TO:<b@y.test>"),
        ("S: 550 5.1.1 no c here", "RCPT TO:<c@y.test>"),
        ("S: 354 go ahead", "DATA"),
    ]
    assert "S: 250 2.0.0 queued" in text and "S: 221 bye" in text


def test_pipeline_without_pipelining_advertised_runs_lockstep(smtpsh, smtp_server, handler):
    """aiosmtpd does not advertise PIPELINING: smtpsh says so and sends one command at a
    time (each reply right after its command, no `^` lines)."""
    p = smtpsh("--pipeline", "127.0.0.1", str(smtp_server.port), input=(
        "EHLO me.test\nMAIL FROM:<a@x.test>\nRCPT TO:<b@y.test>\nRCPT TO:<c@y.test>\nDATA\n"
        "Subject: lockstep\n\nbody\n.\nQUIT\n"))
    text = out(p)
    assert p.returncode == Exit.OK, text
    assert "PIPELINING" not in text.split("C: MAIL")[0].replace(
        "did not advertise PIPELINING", "")  # not in the EHLO reply
    assert text.count("!! the server did not advertise PIPELINING: one command at a time"
                      " (RFC 2920)") == 1, text
    assert not answered_by(text)
    lines = text.splitlines()
    for cmd in ("MAIL FROM:<a@x.test>", "RCPT TO:<b@y.test>", "RCPT TO:<c@y.test>"):
        i = lines.index(f"C: {cmd}")
        assert lines[i + 1].startswith("S: 250"), text
    i = lines.index("C: DATA")
    assert lines[i + 1].startswith("S: 354"), text
    (env,) = handler.envelopes
    assert env.rcpt_tos == ["b@y.test", "c@y.test"]
    assert env.original_content == b"Subject: lockstep\r\n\r\nbody\r\n"


def test_pipeline_lockstep_on_the_wire(smtpsh, scripted):
    """Without PIPELINING advertised, the server never finds a second command waiting."""
    async def script(r, w, received):
        w.write(b"220 slow.test\r\n")
        await w.drain()
        in_data = False
        while line := await r.readline():
            received.append(line)
            await asyncio.sleep(0.05)
            if not in_data:
                assert not r._buffer, "client pipelined"
            if in_data:
                if line == b".\r\n":
                    in_data = False
                    w.write(b"250 queued\r\n")
                else:
                    continue
            elif line.startswith(b"EHLO"):
                w.write(b"250-slow.test\r\n250 8BITMIME\r\n")
            elif line.startswith(b"DATA"):
                in_data = True
                w.write(b"354 go\r\n")
            elif line.startswith(b"QUIT"):
                w.write(b"221 bye\r\n")
            else:
                w.write(b"250 ok\r\n")
            await w.drain()

    srv = scripted(script)
    p = smtpsh("--pipeline", "127.0.0.1", str(srv.port), input=(
        "EHLO me.test\nMAIL FROM:<a@x.test>\nRCPT TO:<b@y.test>\nRCPT TO:<c@y.test>\nDATA\n"
        "hi\n.\nQUIT\n"))
    assert p.returncode == Exit.OK, out(p)
    assert "did not advertise PIPELINING" in out(p)
    assert srv.received == [b"EHLO me.test\r\n", b"MAIL FROM:<a@x.test>\r\n",
                            b"RCPT TO:<b@y.test>\r\n", b"RCPT TO:<c@y.test>\r\n",
                            b"DATA\r\n", b"hi\r\n", b".\r\n", b"QUIT\r\n"]


def test_all_recipients_refused_postfix_explains_the_554(smtpsh, postfix_server):
    """Every RCPT of the group refused: Postfix answers the pipelined DATA with 554, which
    is explained as no recipient accepted (not as a refused DATA command)."""
    pf = postfix_server
    tag = _tag()
    p = smtpsh("--pipeline", "--explain-replies", pf.host, str(pf.port), input=(
        f"EHLO client.test\nMAIL FROM:<a@client.test>\nRCPT TO:<x-{tag}@elsewhere.test>\n"
        f"RCPT TO:<y-{tag}@elsewhere.test>\nDATA\nQUIT\n"))
    text = out(p)
    assert p.returncode == Exit.PERMANENT, text
    pairs = dict((cmd, reply) for reply, cmd in answered_by(text))
    assert pairs[f"RCPT TO:<x-{tag}@elsewhere.test>"].startswith("S: 554 5.7.1")
    assert pairs[f"RCPT TO:<y-{tag}@elsewhere.test>"].startswith("S: 554 5.7.1")
    assert pairs["DATA"].startswith("S: 554 5.5.1"), text
    after_data = text.split("   ^ DATA", 1)[1]
    assert after_data.splitlines()[1].startswith("   = no recipient was accepted"), text
    assert "S: 354" not in text
    assert text.splitlines()[-1] == "S: 221 2.0.0 Bye", text
