"""--probe starttls-enforced, open-relay, vrfy-expn, limits against real servers on loopback:
Postfix (its plain port, and the submission port with smtpd_tls_security_level = encrypt and
smtpd_tls_auth_only), aiosmtpd (plain, and with require_starttls), and scripted servers that
do what the fixed ones don't (AUTH in plaintext, VRFY that names the mailbox, SIZE ignored,
a recipient limit, a command line cut at 512)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from test_probes import findings, probe

from smtpsh.exitcodes import Exit

if TYPE_CHECKING:
    from postfix import Postfix

pytestmark = pytest.mark.timeout(180)

FROM = "alice@client.test"


def sent_lines(server) -> list[bytes]:
    return b"".join(server.received).split(b"\r\n")


# --- starttls-enforced ---------------------------------------------------------------------


def test_starttls_postfix_submission_port_passes(smtpsh, postfix_server: Postfix) -> None:
    """smtpd_tls_security_level = encrypt, smtpd_tls_auth_only = yes: 530 5.7.0 to MAIL,
    no AUTH before TLS; behind STARTTLS (the fixture's CA) AUTH is offered."""
    v, doc, rc = probe(smtpsh, postfix_server.submission_port, "starttls-enforced",
                       "--cafile", str(postfix_server.ca_path))
    f = findings(doc)
    assert v["starttls-enforced.starttls-offered"] == "pass"
    assert v["starttls-enforced.auth-advertised"] == "pass"
    assert v["starttls-enforced.mail-before-tls"] == "pass"
    assert "530 5.7.0 Must issue a STARTTLS command first" in f[
        "starttls-enforced.mail-before-tls"]["evidence"]
    assert v["starttls-enforced.auth-before-tls"] == "pass"
    assert "sent AUTH PLAIN\\r\\n before STARTTLS (no credentials)" in f[
        "starttls-enforced.auth-before-tls"]["evidence"]
    assert v["starttls-enforced.after-tls"] == "info"
    assert f["starttls-enforced.after-tls"]["title"] == (
        "AUTH PLAIN LOGIN CRAM-MD5 is advertised only after TLS")
    assert "port-25" not in " ".join(v)
    assert rc == Exit.OK and doc["sections"][0]["summary"].startswith("TLS comes first")


def test_starttls_postfix_plain_port_takes_mail(smtpsh, postfix_server: Postfix) -> None:
    """The plain port (smtpd_tls_security_level = may): MAIL before TLS is accepted (a fail
    off port 25), reset with RSET; AUTH is not enabled at all."""
    v, doc, rc = probe(smtpsh, postfix_server.port, "starttls-enforced", "--from", FROM,
                       "--insecure")
    f = findings(doc)
    assert v["starttls-enforced.mail-before-tls"] == "fail"
    ev = f["starttls-enforced.mail-before-tls"]["evidence"]
    assert "sent MAIL FROM:<alice@client.test> before STARTTLS; seen 250 2.1.0 Ok" in ev
    assert "then RSET: 250 2.0.0 Ok (no message is sent)" in ev
    assert "RFC 3207 4" in f["starttls-enforced.mail-before-tls"]["rfc"]
    assert v["starttls-enforced.starttls-offered"] == "pass"
    assert v["starttls-enforced.auth-advertised"] == "pass"
    assert v["starttls-enforced.auth-before-tls"] == "pass"
    assert "503 5.5.1" in f["starttls-enforced.auth-before-tls"]["evidence"]
    assert f["starttls-enforced.after-tls"]["title"] == (
        "AUTH is not advertised after TLS either")
    assert rc == Exit.CARD_FAIL


def test_starttls_aiosmtpd_require_starttls(smtpsh, starttls_server, ca_file, handler) -> None:
    v, doc, rc = probe(smtpsh, starttls_server.port, "starttls-enforced", "--cafile", ca_file)
    f = findings(doc)
    assert v["starttls-enforced.auth-advertised"] == "pass"
    assert v["starttls-enforced.mail-before-tls"] == "pass"
    assert v["starttls-enforced.auth-before-tls"] == "pass"
    assert "530" in f["starttls-enforced.auth-before-tls"]["evidence"]
    assert "only after TLS" in f["starttls-enforced.after-tls"]["title"]
    assert rc == Exit.OK and handler.envelopes == []


def test_starttls_aiosmtpd_without_tls(smtpsh, smtp_server, handler) -> None:
    v, doc, rc = probe(smtpsh, smtp_server.port, "starttls-enforced")
    assert v["starttls-enforced.starttls-offered"] == "fail"
    assert v["starttls-enforced.mail-before-tls"] == "fail"
    assert "starttls-enforced.after-tls" not in v
    assert rc == Exit.CARD_FAIL and handler.envelopes == []


async def plaintext_auth(reader, writer, received) -> None:
    """Offers AUTH PLAIN LOGIN in plaintext and asks for the credentials."""
    writer.write(b"220 lax.test ESMTP\r\n")
    while line := await reader.readline():
        received.append(line)
        verb = line[:4].upper()
        if verb == b"EHLO":
            writer.write(b"250-lax.test\r\n250 AUTH PLAIN LOGIN\r\n")
        elif verb == b"AUTH":
            writer.write(b"334 \r\n")
        elif line.strip() == b"*":
            writer.write(b"501 5.7.0 cancelled\r\n")
        elif verb == b"QUIT":
            writer.write(b"221 bye\r\n")
            await writer.drain()
            return
        else:
            writer.write(b"250 ok\r\n")
        await writer.drain()


def test_starttls_plaintext_auth_fails(smtpsh, scripted) -> None:
    server = scripted(plaintext_auth)
    v, doc, rc = probe(smtpsh, server.port, "starttls-enforced")
    f = findings(doc)
    assert v["starttls-enforced.auth-advertised"] == "fail"
    assert f["starttls-enforced.auth-advertised"]["title"] == (
        "AUTH PLAIN LOGIN is advertised before TLS")
    assert v["starttls-enforced.auth-before-tls"] == "fail"
    assert "then *\\r\\n (cancel, RFC 4954 4): 501 5.7.0 cancelled" in f[
        "starttls-enforced.auth-before-tls"]["evidence"]
    lines = sent_lines(server)
    assert b"AUTH PLAIN" in lines and b"*" in lines  # and nothing after AUTH but the cancel
    assert lines[lines.index(b"AUTH PLAIN") + 1] == b"*"
    assert rc == Exit.CARD_FAIL


def test_starttls_port_25_is_plaintext_by_design() -> None:
    from smtpsh.probes.starttls_enforced import plaintext_by_design

    assert plaintext_by_design(25)
    assert not plaintext_by_design(587) and not plaintext_by_design(2525)


# --- open-relay ----------------------------------------------------------------------------


def test_open_relay_postfix_refuses(smtpsh, postfix_server: Postfix) -> None:
    v, doc, rc = probe(smtpsh, postfix_server.port, "open-relay")
    f = findings(doc)["open-relay.relay"]
    assert v["open-relay.relay"] == "pass"
    assert "sent MAIL FROM:<smtpsh-probe@sender.invalid>: 250 2.1.0 Ok; RCPT" \
           " TO:<smtpsh-probe@relay-test.invalid> (the default: " in f["evidence"]
    assert ": 554 5.7.1 <smtpsh-probe@relay-test.invalid>: Relay access denied; then RSET" \
           " (no DATA: nothing is relayed): 250 2.0.0 Ok" in f["evidence"]
    assert rc == Exit.OK


def test_open_relay_aiosmtpd_relays(smtpsh, smtp_server, handler) -> None:
    """aiosmtpd takes any recipient: an open relay. The names given are used; no DATA."""
    v, doc, rc = probe(smtpsh, smtp_server.port, "open-relay", "--from", "eve@outside.test",
                       "--to", "victim@elsewhere.test")
    f = findings(doc)["open-relay.relay"]
    assert v["open-relay.relay"] == "fail"
    assert "an open relay" in f["title"]
    assert ("sent MAIL FROM:<eve@outside.test>: 250 OK; RCPT TO:<victim@elsewhere.test>:"
            " 250 OK; then RSET") in f["evidence"]
    assert handler.envelopes == []
    assert rc == Exit.CARD_FAIL


def test_open_relay_sender_refused_is_not_tested(smtpsh, postfix_server: Postfix) -> None:
    """The submission port refuses MAIL before TLS: relaying is not decided."""
    v, doc, rc = probe(smtpsh, postfix_server.submission_port, "open-relay")
    assert v["open-relay.relay"] == "info"
    assert "530 5.7.0" in findings(doc)["open-relay.relay"]["evidence"]
    assert rc == Exit.OK


# --- vrfy-expn -----------------------------------------------------------------------------


def test_vrfy_expn_postfix(smtpsh, postfix_server: Postfix) -> None:
    """Postfix answers VRFY with 252 (disable_vrfy_command = no) and has no EXPN (500:
    command not recognized)."""
    v, doc, rc = probe(smtpsh, postfix_server.port, "vrfy-expn",
                       "--to", "vrfy@postfix.test")
    f = findings(doc)
    assert v["vrfy-expn.vrfy"] == "pass"
    assert "sent VRFY vrfy@postfix.test; seen 252 2.0.0 vrfy@postfix.test" in f[
        "vrfy-expn.vrfy"]["evidence"]
    assert v["vrfy-expn.expn"] == "pass"
    assert "500 5.5.2 Error: command not recognized" in f["vrfy-expn.expn"]["evidence"]
    assert rc == Exit.OK


def test_vrfy_expn_aiosmtpd_postmaster(smtpsh, smtp_server) -> None:
    v, doc, rc = probe(smtpsh, smtp_server.port, "vrfy-expn")
    f = findings(doc)
    assert v["vrfy-expn.vrfy"] == "pass" and "252" in f["vrfy-expn.vrfy"]["title"]
    assert "sent VRFY postmaster (postmaster:" in f["vrfy-expn.vrfy"]["evidence"]
    assert v["vrfy-expn.expn"] == "pass" and "502" in f["vrfy-expn.expn"]["evidence"]
    assert rc == Exit.OK


async def telling(reader, writer, received) -> None:
    """VRFY and EXPN answer with the mailbox."""
    writer.write(b"220 tell.test ESMTP\r\n")
    while line := await reader.readline():
        received.append(line)
        words = line.decode().split()
        verb = words[0].upper() if words else ""
        if verb == "VRFY":
            writer.write(f"250 Bob Example <{words[1]}>\r\n".encode())
        elif verb == "EXPN":
            writer.write(b"250-Bob <bob@tell.test>\r\n250 Carol <carol@tell.test>\r\n")
        elif verb == "QUIT":
            writer.write(b"221 bye\r\n")
            await writer.drain()
            return
        else:
            writer.write(b"250 ok\r\n")
        await writer.drain()


def test_vrfy_expn_disclosed(smtpsh, scripted) -> None:
    server = scripted(telling)
    v, doc, rc = probe(smtpsh, server.port, "vrfy-expn", "--to", "bob@tell.test")
    f = findings(doc)
    assert v["vrfy-expn.vrfy"] == "warn"
    assert f["vrfy-expn.vrfy"]["title"] == "VRFY discloses a mailbox (250)"
    assert "seen 250 Bob Example <bob@tell.test>" in f["vrfy-expn.vrfy"]["evidence"]
    assert v["vrfy-expn.expn"] == "warn"
    assert "carol@tell.test" in f["vrfy-expn.expn"]["evidence"]
    assert rc == Exit.CARD_WARN
    # postmaster is public anyway: VRFY naming it is only info.
    v, doc, rc = probe(smtpsh, server.port, "vrfy-expn")
    assert v["vrfy-expn.vrfy"] == "info" and v["vrfy-expn.expn"] == "warn"


# --- limits --------------------------------------------------------------------------------


def test_limits_postfix(smtpsh, postfix_server: Postfix) -> None:
    rcpt = "limits@postfix.test"
    v, doc, rc = probe(smtpsh, postfix_server.port, "limits", "--to", rcpt, "--from", FROM)
    f = findings(doc)
    assert v["limits.command-line"] == "info"  # line_length_limit = 2048: one line, 250
    assert "seen 250 2.0.0 Ok" in f["limits.command-line"]["evidence"]
    assert v["limits.size"] == "pass"
    assert "SIZE=10240001" in f["limits.size"]["evidence"]
    assert "552 5.3.4 Message size exceeds fixed limit" in f["limits.size"]["evidence"]
    assert v["limits.rcpts"] == "info"  # smtpd_recipient_limit = 1000
    assert f["limits.rcpts"]["title"] == "all 1,000 RCPTs are accepted in one transaction"
    assert "1,000 accepted; the last: 250 2.1.5 Ok" in f["limits.rcpts"]["evidence"]
    assert "groups of 50 (PIPELINING)" in f["limits.rcpts"]["evidence"]
    assert v["limits.data-999"] == "info" and v["limits.data-1001"] == "info"
    assert "250 2.0.0 Ok: queued" in f["limits.data-1001"]["evidence"]
    got = postfix_server.wait_for_messages(2, recipient=rcpt)  # the two line tests; no more
    assert len(got) == 2 and b"x" * 1001 in got[1]
    assert rc == Exit.OK


def test_limits_aiosmtpd(smtpsh, smtp_server, handler) -> None:
    v, doc, rc = probe(smtpsh, smtp_server.port, "limits", "--to", "bob@example.test")
    f = findings(doc)
    assert v["limits.command-line"] == "pass"
    assert "500" in f["limits.command-line"]["title"]
    assert v["limits.size"] == "pass"  # 552 without an enhanced code
    assert "RFC 3463 names 5.3.4" in f["limits.size"]["why"]
    assert v["limits.rcpts"] == "info"
    assert v["limits.data-999"] == "info"  # 1,001 octets with CRLF: its limit
    assert v["limits.data-1001"] == "pass"  # 500 Line too long
    assert "500" in f["limits.data-1001"]["evidence"]
    assert len(handler.envelopes) == 1  # only the 999 line was taken; the RCPTs had no DATA
    assert rc == Exit.OK


def test_limits_without_to(smtpsh, smtp_server, handler) -> None:
    v, doc, _ = probe(smtpsh, smtp_server.port, "limits")
    for id in ("rcpts", "data-999", "data-1001"):
        assert v[f"limits.{id}"] == "skip", id
    assert "needs --to ADDRESS" in findings(doc)["limits.rcpts"]["title"]
    assert v["limits.size"] == "pass"
    assert handler.envelopes == []


def strict_server(rcpt_limit: int, honour_size: bool):
    async def script(reader, writer, received) -> None:
        """SIZE 1000 advertised (honoured or not), a recipient limit, command lines cut at
        512 octets (the rest read as another command)."""
        writer.write(b"220 edge.test ESMTP\r\n")
        rcpts = 0
        buf = b""
        while chunk := await reader.read(65536):
            received.append(chunk)
            buf += chunk
            while b"\n" in buf or len(buf) >= 512:
                if b"\n" in buf[:512]:
                    line, buf = buf.split(b"\n", 1)
                else:
                    line, buf = buf[:510], buf[510:]
                verb = line.rstrip(b"\r")[:4].upper()
                if verb == b"EHLO":
                    writer.write(b"250-edge.test\r\n250-PIPELINING\r\n250 SIZE 1000\r\n")
                elif verb == b"MAIL":
                    rcpts = 0
                    big = b"SIZE=1001" in line
                    writer.write(b"552 5.3.4 too big\r\n" if big and honour_size else
                                 b"250 2.1.0 ok\r\n")
                elif verb == b"RCPT":
                    rcpts += 1
                    writer.write(b"250 2.1.5 ok\r\n" if rcpts <= rcpt_limit else
                                 b"452 4.5.3 too many recipients\r\n")
                elif verb == b"DATA":
                    writer.write(b"554 no data here\r\n")
                elif verb == b"QUIT":
                    writer.write(b"221 bye\r\n")
                    await writer.drain()
                    return
                else:
                    writer.write(b"250 ok\r\n")
            await writer.drain()

    return script


def test_limits_edges(smtpsh, scripted) -> None:
    server = scripted(strict_server(rcpt_limit=100, honour_size=True))
    v, doc, rc = probe(smtpsh, server.port, "limits", "--to", "bob@edge.test")
    f = findings(doc)
    assert v["limits.command-line"] == "warn"
    assert "is split (2 replies to one line)" in f["limits.command-line"]["title"]
    assert v["limits.size"] == "pass"
    assert "552 5.3.4 too big" in f["limits.size"]["evidence"]
    assert v["limits.rcpts"] == "pass"
    assert f["limits.rcpts"]["title"] == "a recipient limit at 100 (then 452)"
    assert v["limits.data-999"] == "warn"  # no 354: could not test
    lines = sent_lines(server)
    # three groups of 50 (stopped at the first 452), and one RCPT per data-line check
    assert sum(x.startswith(b"RCPT") for x in lines) == 150 + 2
    assert b"RSET" in lines
    assert rc == Exit.CARD_WARN

    server = scripted(strict_server(rcpt_limit=20, honour_size=False))
    v, doc, rc = probe(smtpsh, server.port, "limits", "--to", "bob@edge.test")
    f = findings(doc)
    assert v["limits.size"] == "fail"
    assert "then RSET: 250 ok" in f["limits.size"]["evidence"]
    assert v["limits.rcpts"] == "warn"
    assert f["limits.rcpts"]["title"] == "only 20 RCPTs are taken in one transaction"
    assert rc == Exit.CARD_FAIL


def test_list_shows_every_probe(smtpsh) -> None:
    p = smtpsh("--probe", "list")
    names = [x.split()[0] for x in p.stdout.decode().splitlines()]
    assert names == ["smuggling", "bare-lf", "unauth-pipelining", "starttls-enforced",
                     "open-relay", "vrfy-expn", "limits"]
