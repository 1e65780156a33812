"""smtpsh against a real MTA: Postfix from Debian's packages, started by the test setup."""

from __future__ import annotations

import pytest

from smtpsh.exitcodes import Exit
from smtpsh.received import parse_chain

pytestmark = pytest.mark.timeout(60)


def out(p) -> str:
    return p.stdout.decode()


def test_dialog_delivered_byte_for_byte(smtpsh, postfix_server):
    pf = postfix_server
    rcpt = f"dots@{pf.domain}"
    body = "Subject: smtpsh to postfix\n\n.a line starting with a dot\n..two\nlast line\n"
    p = smtpsh(pf.host, str(pf.port), input=(
        f"EHLO client.test\nMAIL FROM:<sender@client.test>\nRCPT TO:<{rcpt}>\nDATA\n"
        f"{body}.\nQUIT\n"))
    assert p.returncode == Exit.OK, out(p)
    assert "S: 220 mx.postfix.test ESMTP" in out(p)
    assert "S: 250 2.0.0 Ok: queued as" in out(p)
    (msg,) = pf.wait_for_messages(1, recipient=rcpt)
    # Postfix stores LF line endings and adds its own headers on top; the rest is ours.
    assert msg.endswith(body.encode()), msg


def test_postfix_rejections_and_exit_status(smtpsh, postfix_server):
    pf = postfix_server
    p = smtpsh(pf.host, str(pf.port), "-c", "EHLO client.test", "-c", "MAIL FROM:<a@client.test>",
               "-c", "RCPT TO:<someone@elsewhere.test>", "-c", "QUIT", "--explain-replies")
    assert p.returncode == Exit.PERMANENT
    assert "S: 554 5.7.1" in out(p) and "Relay access denied" in out(p)
    assert "   = " in out(p)  # the meaning under the 5xx
    p = smtpsh(pf.host, str(pf.port), "-c", "HELO client.test", "-c", "DATA", "-c", "QUIT")
    assert p.returncode == Exit.PERMANENT and "S: 503 5.5.1" in out(p)
    assert "!! DATA with no mail transaction open is out of sequence" in out(p)


@pytest.mark.parametrize("mech", ["PLAIN", "LOGIN", "CRAM-MD5"])
def test_auth_against_postfix_dovecot(smtpsh, postfix_server, mech, tmp_path):
    pf = postfix_server
    t = tmp_path / "t.log"
    for password, code, status in ((pf.password, "235", Exit.OK),
                                   ("not-" + pf.password, "535", Exit.PERMANENT)):
        p = smtpsh("--starttls", "--cafile", pf.ca_path, "--ehlo", "client.test",
                   "--auth", mech, "--user", pf.user, "--transcript", str(t),
                   "127.0.0.1", str(pf.submission_port), "-c", "QUIT",
                   env_extra={"SMTPSH_PASSWORD": password})
        assert p.returncode == status, out(p)
        assert f"S: {code} " in out(p)
        assert pf.password not in out(p)
    assert pf.password not in t.read_text() and "tls C: [redacted]" in t.read_text()


def test_implicit_tls_submission(smtpsh, postfix_server):
    pf = postfix_server
    p = smtpsh("--tls", "--cafile", pf.ca_path, "127.0.0.1", str(pf.smtps_port),
               "-c", "EHLO client.test", "-c", "QUIT")
    assert p.returncode == Exit.OK, out(p)
    assert "certificate verified for 127.0.0.1" in out(p) and "AUTH" in out(p)


def test_received_reader_on_postfix_headers(smtpsh, postfix_server, tmp_path):
    pf = postfix_server
    rcpt = f"received@{pf.domain}"
    p = smtpsh("--starttls", "--cafile", pf.ca_path, "--ehlo", "client.test",
               pf.host, str(pf.port), input=(
                   f"MAIL FROM:<a@client.test>\nRCPT TO:<{rcpt}>\nDATA\nSubject: route\n\nhi\n"
                   ".\nQUIT\n"))
    assert p.returncode == Exit.OK, out(p)
    (msg,) = pf.wait_for_messages(1, recipient=rcpt)
    (hop,) = parse_chain(msg.decode())
    assert hop.by.startswith("mx.postfix.test") and hop.from_ip == "127.0.0.1"
    assert hop.tls and hop.with_ is not None and hop.with_.upper() == "ESMTPS"
    assert hop.parsed and hop.internal and hop.timestamp is not None
    assert hop.from_helo == "client.test" and hop.for_ in (f"<{rcpt}>", rcpt)
    path = tmp_path / "m.eml"
    path.write_bytes(msg)
    r = smtpsh("--received", str(path))
    assert r.returncode == 0 and "mx.postfix.test" in out(r)


def test_bdat_chunks_delivered(smtpsh, postfix_server):
    """CHUNKING (RFC 3030): the octets after BDAT go as they are, and Postfix delivers them."""
    pf = postfix_server
    rcpt = f"chunks@{pf.domain}"
    part1, part2 = b"Subject: chunked\r\n\r\n", b".a dot stays as is\r\n"
    script = (f"EHLO client.test\nMAIL FROM:<a@client.test>\nRCPT TO:<{rcpt}>\n"
              f"BDAT {len(part1)}\n").encode() + part1 + f"BDAT {len(part2)} LAST\n".encode() \
        + part2 + b"QUIT\n"
    p = smtpsh(pf.host, str(pf.port), input=script)
    text = p.stdout.decode()
    assert p.returncode == Exit.OK, text
    assert "CHUNKING" in text and f"C: BDAT {len(part2)} LAST" in text
    assert "S: 250 2.0.0 Ok: 40 bytes queued as" in text
    (msg,) = pf.wait_for_messages(1, recipient=rcpt)
    assert msg.endswith(b"Subject: chunked\n\n.a dot stays as is\n"), msg
