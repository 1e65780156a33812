"""--lmtp end to end: the console script against the real Dovecot LMTP server (TCP and unix
socket), and a scripted LMTP server that owes a reply after the dot.

RFC 2033 4.2: after the final dot an LMTP server gives one reply per recipient accepted at
RCPT, in RCPT order; smtpsh shows each under the recipient it is for.
"""

from __future__ import annotations

import uuid

import pytest

from smtpsh.exitcodes import Exit

pytestmark = pytest.mark.timeout(60)


def out(p) -> str:
    return p.stdout.decode()


def _script(subject: str) -> str:
    # Well over the 100-byte quota of `full`.
    body = f"Subject: {subject}\nFrom: sender@smtpsh.test\n\n" + "x" * 200 + "\n"
    return ("LHLO client.smtpsh.test\n"
            "MAIL FROM:<sender@smtpsh.test>\n"
            "RCPT TO:<bob>\n"
            "RCPT TO:<full>\n"
            "RCPT TO:<nosuchuser>\n"
            "DATA\n"
            f"{body}.\n"
            "QUIT\n")


def _after_the_dot(text: str) -> list[str]:
    """The lines between the lone dot sent and QUIT."""
    lines = text.splitlines()
    start = lines.index("C: .")
    end = lines.index("C: QUIT")
    return lines[start + 1:end]


@pytest.mark.parametrize("listener", ["tcp", "unix"])
def test_one_reply_per_recipient_after_the_dot(smtpsh, dovecot_lmtp, listener, tmp_path):
    d = dovecot_lmtp
    subject = f"lmtp e2e {listener} {uuid.uuid4()}"
    target = [d.host, str(d.port)] if listener == "tcp" else [f"unix:{d.socket}"]
    t = tmp_path / "t.log"
    p = smtpsh("--lmtp", "--transcript", str(t), *target, input=_script(subject))
    text = out(p)
    assert p.returncode == Exit.PERMANENT, text  # the 550 at RCPT
    if listener == "unix":
        assert f"-- Connected to unix:{d.socket}" in text
    # nosuchuser is refused at RCPT, so only bob and full get a reply after the dot.
    lines = text.splitlines()
    i = lines.index("C: RCPT TO:<nosuchuser>")
    assert lines[i + 1].startswith("S: 550 5.1.1 <nosuchuser>"), text
    after = _after_the_dot(text)
    replies = [x for x in after if x.startswith("S: ")]
    assert len(replies) == 2, text
    assert replies[0].startswith("S: 250 2.0.0 <bob>"), text
    assert replies[1].startswith("S: 452 4.2.2 <full>"), text
    assert after[after.index(replies[0]) + 1].startswith(
        "   ^ the end of the message for <bob> ("), text
    assert after[after.index(replies[1]) + 1].startswith(
        "   ^ the end of the message for <full> ("), text
    # Exactly two: the next reply answers QUIT.
    assert lines[lines.index("C: QUIT") + 1] == "S: 221 2.0.0 Bye", text
    assert "no command was waiting" not in text
    log = t.read_text()
    assert "S: 250 2.0.0 <bob>" in log and "S: 452 4.2.2 <full>" in log
    delivered = [m for m in d.messages("bob") if subject.encode() in m]
    assert len(delivered) == 1
    assert b"x" * 200 in delivered[0]
    assert not any(subject.encode() in m for m in d.messages("full"))


def test_lmtp_explains_the_quota_reply_for_its_recipient(smtpsh, dovecot_lmtp):
    d = dovecot_lmtp
    p = smtpsh("--lmtp", "--explain-replies", f"unix:{d.socket}",
               input=_script(f"explained {uuid.uuid4()}"))
    after = _after_the_dot(out(p))
    i = next(n for n, x in enumerate(after) if x.startswith("S: 452"))
    assert after[i + 2] == ("   = the mailbox for <full> is full (quota): the message was not"
                            " stored"), out(p)


def test_lmtp_server_owing_a_reply_times_out(smtpsh, scripted):
    """Two recipients accepted, one reply after the dot: smtpsh waits for the second within
    --timeout, then says so and exits 4, rather than hang or take QUIT's reply for it."""
    async def script(r, w, received):
        w.write(b"220 lmtp.test LMTP ready\r\n")
        await w.drain()
        while line := await r.readline():
            received.append(line)
            verb = line[:4].upper()
            if verb == b"LHLO":
                w.write(b"250-lmtp.test\r\n250 ENHANCEDSTATUSCODES\r\n")
            elif verb == b"DATA":
                w.write(b"354 go ahead\r\n")
                await w.drain()
                received.append(await r.readuntil(b"\r\n.\r\n"))
                w.write(b"250 2.0.0 <a@x.test> delivered\r\n")  # and none for <b@x.test>
            elif verb == b"QUIT":
                w.write(b"221 bye\r\n")
            else:
                w.write(b"250 2.1.5 ok\r\n")
            await w.drain()

    srv = scripted(script)
    p = smtpsh("--lmtp", "--timeout", "2", "127.0.0.1", str(srv.port), input=(
        "LHLO me.test\nMAIL FROM:<s@x.test>\nRCPT TO:<a@x.test>\nRCPT TO:<b@x.test>\nDATA\n"
        "Subject: half\n\nbody\n.\nQUIT\n"), timeout=20)
    text = out(p)
    assert p.returncode == Exit.TIMEOUT, text
    assert "S: 250 2.0.0 <a@x.test> delivered" in text
    assert "   ^ the end of the message for <a@x.test>" in text
    assert "timed out: no reply to the end of the message for <b@x.test> within 2 s" in text
    assert "C: QUIT" not in text  # the dialog stopped at the missing reply
    assert b"QUIT\r\n" not in srv.received
