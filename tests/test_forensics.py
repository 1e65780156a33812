"""`smtpsh --auth-results`: Authentication-Results parsed (RFC 8601), DKIM-Signature verified
(RFC 6376) and the ARC chain validated (RFC 8617) with dkimpy, the keys served by a DNS server
on loopback (tests/dnsserver.py), never the system's resolver. Messages are signed here, with
an RSA key made for the run."""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import dkim
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from dnsserver import ZoneServer
from test_shell import Driver, drive  # noqa: F401 - the drive fixture (:show N)

from smtpsh import i18n
from smtpsh.findings import Verdict, render_card
from smtpsh.forensics import KeyLookup, forensics_card, parse_auth_results
from smtpsh.render import to_plain

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"

MESSAGE = (b"From: Alice <alice@example.com>\r\n"
           b"To: bob@example.org\r\n"
           b"Subject: Hallo\r\n"
           b"Date: Mon, 1 Jan 2024 10:00:00 +0000\r\n"
           b"Message-ID: <1@example.com>\r\n"
           b"\r\n"
           b"Hello Bob.\r\n")
SIGNED = [b"from", b"to", b"subject", b"date", b"message-id"]


@pytest.fixture(autouse=True)
def english_afterwards():
    yield
    i18n.set_language(None)


@pytest.fixture(scope="module")
def key() -> tuple[bytes, str]:
    """A fresh RSA key: the private key (PEM) and its DKIM TXT record, split into strings of
    at most 255 octets as DNS wants them."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(serialization.Encoding.PEM,
                                serialization.PrivateFormat.TraditionalOpenSSL,
                                serialization.NoEncryption())
    der = private.public_key().public_bytes(serialization.Encoding.DER,
                                            serialization.PublicFormat.SubjectPublicKeyInfo)
    record = f"v=DKIM1; k=rsa; p={base64.b64encode(der).decode()}"
    return pem, " ".join(f'"{record[i:i + 200]}"' for i in range(0, len(record), 200))


@pytest.fixture(scope="module")
def dns(key):
    zone = {f"{name}._domainkey.{domain}": [("TXT", key[1])]
            for name, domain in (("sel1", "example.com"), ("arc1", "example.org"),
                                 ("arc2", "lists.example.net"))}
    zone["broken._domainkey.example.com"] = "SERVFAIL"
    with ZoneServer(zone) as server:
        yield server


def sign(key, message: bytes = MESSAGE, selector: bytes = b"sel1") -> bytes:
    return dkim.sign(message, selector, b"example.com", key[0], include_headers=SIGNED) + message


def card_of(message: bytes, dns):
    return forensics_card(message, KeyLookup(dns.nameserver, 3.0))


def finding(card, id_):
    return next(f for f in card.findings if f.id == id_)


def smtpsh(*args: str, stdin: bytes | None = None,
           columns: int = 200) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LC_MESSAGES", "LANG")}
    env.update(PYTHONPATH=str(ROOT), COLUMNS=str(columns))
    return subprocess.run([sys.executable, "-m", "smtpsh", *args], input=stdin,
                          capture_output=True, env=env, cwd=ROOT, timeout=60)


# --- DKIM ---------------------------------------------------------------------------------------


def test_a_signed_message_passes(key, dns):
    card = card_of(sign(key), dns)
    got = finding(card, "dkim.signature")
    assert got.verdict is Verdict.PASS and got.title == "dkim=pass: signature verified"
    assert card.sections[0].title == "DKIM-Signature #1: d=example.com s=sel1"
    assert card.worst is Verdict.PASS and "DKIM holds for example.com" in card.summary
    assert finding(card, "dmarc.alignment").verdict is Verdict.PASS  # d= is the From domain


def test_on_the_command_line_from_stdin_with_json(key, dns, tmp_path):
    done = smtpsh("--auth-results", "-", "--nameserver", dns.nameserver, "--json",
                  stdin=sign(key))
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["verdict"] == "pass" and doc["title"] == "smtpsh --auth-results -"
    assert doc["sections"][0]["findings"][0]["id"] == "dkim.signature"
    path = tmp_path / "msg.eml"
    path.write_bytes(sign(key).replace(b"Hello Bob", b"Hello Eve"))
    done = smtpsh("--auth-results", str(path), "--nameserver", dns.nameserver)
    assert done.returncode == 15, done.stderr  # CARD_FAIL
    assert b"fail dkim=fail: body hash mismatch" in done.stdout


def test_a_changed_body_fails_with_the_body_hash(key, dns):
    signed = sign(key)
    got = finding(card_of(signed.replace(b"Hello Bob.", b"Hello Eve."), dns), "dkim.signature")
    assert got.verdict is Verdict.FAIL
    assert got.title == "dkim=fail: body hash mismatch: the body was changed after signing"
    assert got.rfc == "RFC 6376 §3.7"


def test_a_changed_header_fails_with_the_signature(key, dns):
    signed = sign(key).replace(b"Subject: Hallo", b"Subject: Hallo!")
    got = finding(card_of(signed, dns), "dkim.signature")
    assert got.verdict is Verdict.FAIL
    assert "a signed header field was changed" in got.title and got.rfc == "RFC 6376 §6.1.3"


def test_relaxed_canonicalization_survives_whitespace_in_a_header(key, dns):
    signed = sign(key).replace(b"Subject: Hallo", b"Subject:   Hallo")  # c=relaxed/...
    assert finding(card_of(signed, dns), "dkim.signature").verdict is Verdict.PASS


def test_an_unknown_selector_is_a_permerror_no_key(key, dns):
    got = finding(card_of(sign(key, selector=b"nope"), dns), "dkim.signature")
    assert got.verdict is Verdict.FAIL
    assert got.title == ("dkim=permerror: no key for signature: nope._domainkey.example.com"
                         " has no TXT record")
    assert got.rfc == "RFC 6376 §6.1.2"


def test_a_dns_failure_is_a_temperror(key, dns):
    card = card_of(sign(key, selector=b"broken"), dns)
    got = finding(card, "dkim.signature")
    assert got.verdict is Verdict.WARN and got.title.startswith("dkim=temperror: the key could"
                                                                " not be fetched")
    assert card.exit_status() == 14


def test_an_expired_signature(key, dns):
    signed = re.sub(rb"\bt=\d+;", b"t=1000000000; x=1000000001;", sign(key), count=1)
    got = finding(card_of(signed, dns), "dkim.signature")
    assert got.verdict is Verdict.FAIL and "expired" in got.title and got.rfc == "RFC 6376 §3.5"


def test_no_header_fields_to_read(dns):
    card = card_of(b"From: a@example.com\r\n\r\nhi\r\n", dns)
    assert [f.id for f in card.findings] == ["forensics.none"]
    assert card.exit_status() == 0


def test_a_file_that_cannot_be_read():
    done = smtpsh("--auth-results", "/nonexistent/message.eml")
    assert done.returncode == 1 and b"cannot read /nonexistent/message.eml" in done.stderr


# --- Authentication-Results ---------------------------------------------------------------------


def test_parse_resinfos_comments_and_quoted_strings():
    ar = parse_auth_results(
        'mail.example.de 1; iprev=pass policy.iprev=203.0.113.25 (lists.example.org);'
        ' auth=none; x-custom/2=pass reason="tested (really) \\"ok\\""'
        ' header.from="Dr. Who"@example.com; spf=pass (a (nested) comment; with a semicolon)'
        ' smtp.mailfrom=a@b.example')
    assert (ar.authserv_id, ar.version) == ("mail.example.de", "1")
    assert [(r.method, r.result) for r in ar.results] == [
        ("iprev", "pass"), ("auth", "none"), ("x-custom", "pass"), ("spf", "pass")]
    iprev, _auth, custom, spf = ar.results
    assert iprev.props == [("policy.iprev", "203.0.113.25")]
    assert iprev.comments == ["lists.example.org"]
    assert custom.version == "2" and custom.reason == 'tested (really) "ok"'
    assert custom.prop("header.from") == '"Dr. Who"@example.com'
    assert spf.comments == ["a (nested) comment; with a semicolon"]
    assert spf.prop("smtp.mailfrom") == "a@b.example"
    assert not ar.notes


def test_parse_no_result_and_no_authserv_id():
    assert parse_auth_results("mx.example.org; none").results == []
    ar = parse_auth_results("spf=pass (sender IP is 192.0.2.1) smtp.mailfrom=example.com;"
                            "dkim=pass (signature was verified) header.d=example.com")
    assert ar.authserv_id is None and [r.method for r in ar.results] == ["spf", "dkim"]


def test_gmail_style(dns):
    card = card_of((DATA / "auth-results-gmail.txt").read_bytes(), dns)
    section = card.sections[0]
    assert section.title == "Authentication-Results #1: mx.google.com"
    assert [f.title for f in section.findings] == [
        "dkim=pass: header.i=@example.com", "spf=pass: smtp.mailfrom=alice@example.com",
        "dmarc=pass: header.from=example.com"]
    spf = section.findings[1]
    assert spf.evidence.startswith("spf=pass (google.com: domain of alice@example.com"
                                   " designates 209.85.220.41 as permitted sender)")
    assert spf.rfc == "RFC 7208 §2.6, RFC 8601 §2.7.2"
    assert card.worst is Verdict.PASS
    assert card.summary == "mx.google.com reported dkim=pass spf=pass dmarc=pass"
    # SPF's domain is the From domain: aligned
    assert any(f.id == "dmarc.alignment" and f.verdict is Verdict.PASS for f in card.findings)


def test_microsoft_style_the_spam_case(dns):
    card = card_of((DATA / "auth-results-microsoft.txt").read_bytes(), dns)
    got = {f.id: f for f in card.findings}
    assert got["ar.authserv-id"].verdict is Verdict.INFO
    assert got["ar.spf"].verdict is Verdict.WARN and "~all" in got["ar.spf"].why
    assert got["ar.dkim"].verdict is Verdict.FAIL
    assert got["ar.dkim"].evidence == "dkim=fail (body hash did not verify) header.d=example.net"
    assert got["ar.dmarc"].verdict is Verdict.FAIL and "spam folder" in got["ar.dmarc"].why
    assert got["ar.dmarc"].evidence == "dmarc=fail action=quarantine header.from=example.net"
    assert got["ar.compauth"].evidence == 'compauth=fail reason="001"'
    assert card.exit_status() == 15


def test_postfix_opendkim_style_several_fields(dns):
    card = card_of((DATA / "auth-results-opendkim.txt").read_bytes(), dns)
    titles = [s.title for s in card.sections]
    assert titles[:4] == [f"Authentication-Results #{n}: mail.example.de" for n in (1, 2, 3, 4)]
    dkim_ar = finding(card, "ar.dkim")
    assert dkim_ar.evidence.startswith("dkim=pass (2048-bit key; unprotected) header.d=example.com")
    assert finding(card, "ar.dkim-atps").verdict is Verdict.INFO
    assert finding(card, "ar.trust").rfc == "RFC 8601 §5"
    # SPF passed for lists.example.org, the From is example.com: not aligned
    alignment = finding(card, "dmarc.alignment")
    assert alignment.verdict is Verdict.WARN and "lists.example.org" in alignment.title


# --- ARC ----------------------------------------------------------------------------------------


def hop(key, message: bytes, server: bytes, results: bytes, selector: bytes, domain: bytes):
    """What a receiving server does: add its Authentication-Results, then seal (arc_sign)."""
    message = b"Authentication-Results: " + server + b"; " + results + b"\r\n" + message
    return b"".join(dkim.arc_sign(message, selector, domain, key[0], server)) + message


def sealed_twice(key) -> bytes:
    first = hop(key, sign(key), b"mx.example.org",
                b"spf=pass smtp.mailfrom=alice@example.com; dkim=pass header.d=example.com",
                b"arc1", b"example.org")
    return hop(key, first, b"lists.example.net", b"arc=pass; dkim=pass header.d=example.com",
               b"arc2", b"lists.example.net")


def test_an_arc_chain_through_two_hops(key, dns):
    card = card_of(sealed_twice(key), dns)
    arc = next(s for s in card.sections if s.title.startswith("ARC chain"))
    assert arc.title == "ARC chain: 2 instances"
    assert [f.title for f in arc.findings] == ["i=1 example.org cv=none",
                                               "i=2 lists.example.net cv=pass",
                                               "arc=pass: success"]
    assert all(f.verdict is Verdict.PASS for f in arc.findings)
    assert "ARC-Authentication-Results mx.example.org: spf=pass, dkim=pass" in \
        arc.findings[0].evidence
    assert "the ARC chain holds" in card.summary and card.worst is Verdict.PASS


def test_an_arc_chain_broken_after_the_last_seal(key, dns):
    broken = sealed_twice(key).replace(b"Hello Bob.", b"Hello Eve.")
    card = card_of(broken, dns)
    arc = next(s for s in card.sections if s.title.startswith("ARC chain"))
    chain = arc.findings[-1]
    assert chain.verdict is Verdict.FAIL
    assert chain.title == "arc=fail: Most recent ARC-Message-Signature did not validate"
    newest = arc.findings[1]
    assert newest.verdict is Verdict.FAIL and "newest ARC-Message-Signature" in newest.why
    assert "the ARC chain does not hold" in card.summary


# --- German and the docs -------------------------------------------------------------------------


def test_in_german(key, dns):
    i18n.set_language("de")
    card = card_of(sign(key).replace(b"Hello Bob.", b"Hello Eve."), dns)
    got = finding(card, "dkim.signature")
    assert got.title == ("dkim=fail: Body-Hash stimmt nicht: der Body wurde nach dem Signieren"
                         " geändert")
    assert got.why.startswith("eine DKIM-Signatur ist ungültig")
    assert got.rfc == "RFC 6376 §3.7"  # the section follows the reason, not its wording
    assert card.summary == "keine DKIM-Signatur hält"
    done = smtpsh("--lang", "de", "--auth-results", str(DATA / "auth-results-microsoft.txt"))
    assert "also den Spam-Ordner" in done.stdout.decode()


def test_the_tutorial_example_prints_what_the_tutorial_shows():
    text = (ROOT / "docs" / "tutorial.md").read_text(encoding="utf-8")
    command = "$ smtpsh --auth-results docs/examples/auth-results-spam.txt"
    assert command in text
    block = text.split(command, 1)[1].split("```", 1)[0]
    done = smtpsh("--auth-results", "docs/examples/auth-results-spam.txt")
    assert done.returncode == 15
    out = [line.rstrip() for line in done.stdout.decode().splitlines()]
    wanted = [line.rstrip() for line in block.splitlines() if line.strip()]
    assert wanted and all(line in out for line in wanted), done.stdout.decode()
    assert (ROOT / "docs" / "examples" / "auth-results-spam.txt").read_bytes() == \
        (DATA / "auth-results-microsoft.txt").read_bytes()


def test_render_fits_the_width(key, dns):
    text = to_plain(render_card(card_of(sealed_twice(key), dns), 80))
    assert "overall: pass" in text


# --- the forensics inside --received (and :show N of a sandbox message) --------------------------


def relayed(message: bytes, by: bytes = b"mx.example.org", when: bytes = b"10:00:05") -> bytes:
    """The message as a server passes it on: its Received field on top."""
    return (b"Received: from mail.example.com (mail.example.com [192.0.2.25]) by " + by +
            b" with ESMTPS id 4T3X; Mon, 1 Jan 2024 " + when + b" +0000\r\n" + message)


def received(path: Path, dns, *args: str) -> str:
    """`smtpsh --received PATH` at 80 columns: its output, every line within them."""
    done = smtpsh("--received", str(path), "--nameserver", dns.nameserver, *args, columns=80)
    assert done.returncode == 0, done.stderr
    text = done.stdout.decode()
    assert max(len(line) for line in text.splitlines()) <= 80, text
    return text


def test_received_shows_the_hops_then_the_forensics_of_a_signed_message(key, dns, tmp_path):
    path = tmp_path / "signed.eml"
    path.write_bytes(relayed(sign(key)))
    text = received(path, dns)
    hops, _sep, forensics = text.partition("Message forensics: Authentication-Results, DKIM,"
                                           " ARC, DMARC alignment")
    assert "mx.example.org" in hops and "1 hop" in hops  # the table as before
    assert "[pass] DKIM-Signature #1: d=example.com s=sel1" in forensics
    assert "  pass dkim=pass: signature verified" in forensics
    assert "[pass] DMARC alignment: From domain example.com" in forensics
    assert "overall: pass - DKIM holds for example.com" in forensics


def test_received_names_the_reason_a_signature_fails(key, dns, tmp_path):
    path = tmp_path / "changed.eml"
    path.write_bytes(relayed(sign(key).replace(b"Hello Bob.", b"Hello Eve.")))
    text = received(path, dns)
    assert "  fail dkim=fail: body hash mismatch: the body was changed after signing" in text
    assert "(RFC 6376 §3.7)" in text and "no DKIM signature holds" in text
    path.write_bytes(relayed(sign(key).replace(b"Subject: Hallo", b"Subject: Hallo!")))
    text = received(path, dns)
    # the title is wrapped at 80 columns: read it as one line
    flat = " ".join(text.split())
    assert ("fail dkim=fail: signature did not verify: a signed header field was changed, or"
            " the key does not match") in flat
    path.write_bytes(relayed(sign(key, selector=b"nope")))
    flat = " ".join(received(path, dns).split())
    assert ("dkim=permerror: no key for signature: nope._domainkey.example.com has no TXT"
            " record") in flat


def test_received_on_an_arc_sealed_message_through_two_hops(key, dns, tmp_path):
    first = hop(key, relayed(sign(key)), b"mx.example.org",
                b"spf=pass smtp.mailfrom=alice@example.com; dkim=pass header.d=example.com",
                b"arc1", b"example.org")
    second = hop(key, relayed(first, b"lists.example.net", b"10:00:09"), b"lists.example.net",
                 b"arc=pass; dkim=pass header.d=example.com", b"arc2", b"lists.example.net")
    path = tmp_path / "arc.eml"
    path.write_bytes(relayed(second, b"mx.example.de", b"10:00:12"))
    text = received(path, dns)
    assert "3 hops" in text and "total transit time 7s" in " ".join(text.split())
    assert "[pass] ARC chain: 2 instances" in text
    for line in ("  pass i=1 example.org cv=none", "  pass i=2 lists.example.net cv=pass",
                 "  pass arc=pass: success"):
        assert line in text
    assert "the ARC chain holds" in text
    # the same message changed after the last seal: the chain breaks at the newest AMS
    path.write_bytes(relayed(second.replace(b"Hello Bob.", b"Hello Eve."), b"mx.example.de"))
    text = received(path, dns)
    assert "[fail] ARC chain: 2 instances" in text and "the ARC chain does not hold" in text


@pytest.mark.parametrize("name", ["auth-results-opendkim.txt", "auth-results-gmail.txt",
                                  "auth-results-microsoft.txt", "received-gmail.txt"])
def test_received_on_real_style_samples(name, dns):
    text = received(DATA / name, dns)
    assert "Message forensics:" in text and "Authentication-Results #1:" in text
    flat = " ".join(text.split())
    if name == "auth-results-opendkim.txt":  # Postfix with OpenDKIM, OpenDMARC, SPF
        assert "pass dkim=pass: header.d=example.com, header.i=@example.com" in flat
        assert "warn SPF smtp.mailfrom=lists.example.org / From example.com" in flat
    elif name == "auth-results-microsoft.txt":  # Microsoft 365: no authserv-id, compauth
        assert "Authentication-Results #1: (no authserv-id)" in flat
        assert "fail dmarc=fail: header.from=example.net" in flat
        assert "quarantine, which means the spam folder" in flat
    elif name == "received-gmail.txt":  # an ARC-Seal alone: an incomplete set
        assert "an ARC set needs all three fields with the same i=" in flat


def test_received_in_german(key, dns, tmp_path):
    path = tmp_path / "changed.eml"
    path.write_bytes(relayed(sign(key).replace(b"Hello Bob.", b"Hello Eve.")))
    text = received(path, dns, "--lang", "de")
    flat = " ".join(text.split())
    assert "Forensik der Nachricht: Authentication-Results, DKIM, ARC, DMARC-Alignment" in flat
    assert ("Fehler dkim=fail: Body-Hash stimmt nicht: der Body wurde nach dem Signieren"
            " geändert") in flat
    assert "warum: eine DKIM-Signatur ist ungültig" in flat
    assert "insgesamt: Fehler - keine DKIM-Signatur hält" in flat
    assert "1 Station" in text and "Verzögerung" in text  # the route in German too


def test_received_refuses_a_bad_nameserver_in_one_line():
    done = smtpsh("--received", str(DATA / "received-exim.txt"), "--nameserver", "not an ip")
    assert done.returncode == 2 and done.stdout == b""
    assert done.stderr.decode().count("\n") == 1 and b"--nameserver" in done.stderr


def test_without_dns_no_key_is_looked_up_and_the_body_hash_is_still_checked(key):
    lookup = KeyLookup(None, system=False)  # what :show N uses: never the system's resolver
    card = forensics_card(sign(key), lookup)
    got = finding(card, "dkim.signature")
    assert got.verdict is Verdict.SKIP and got.title == (
        "dkim=neutral: key not looked up (no --nameserver): the body hash matches, the signed"
        " header fields are not checked")
    assert lookup.outcome == {"sel1._domainkey.example.com": "skipped"}
    assert got.rfc == "RFC 6376 §6.1.2"  # the key's retrieval, not the body hash
    assert card.summary == "DKIM not verified: no key looked up"
    changed = finding(forensics_card(sign(key).replace(b"Hello Bob.", b"Hello Eve."),
                                     KeyLookup(None, system=False)), "dkim.signature")
    assert changed.verdict is Verdict.FAIL and "body hash mismatch" in changed.title
    arc = forensics_card(sealed_twice(key), KeyLookup(None, system=False))
    chain = finding(arc, "arc.chain")
    assert chain.verdict is Verdict.SKIP and "not validated" in chain.title
    assert "the ARC chain was not validated" in arc.summary


@pytest.mark.usefixtures("home")
async def test_show_in_the_shell_gives_the_forensics_of_a_sandbox_message(
        drive, key, tmp_path):  # noqa: F811
    import smtplib

    from smtpsh.sandbox import Sandbox

    box = Sandbox(lambda _: None, folder=str(tmp_path / "box"))
    box.start()
    try:
        with smtplib.SMTP("127.0.0.1", box.port, local_hostname="app.example",
                          timeout=10) as client:
            client.sendmail("alice@example.com", ["bob@example.org"], sign(key))
        d: Driver = drive()
        d.shell.sandbox = box
        d.start("127.0.0.1", box.port)
        await d.line(":show 1")
        await d.send("\x04")
        await d.finish()
    finally:
        box.stop()
    shown = d.screen()
    assert "Received chain (smtpsh --received):" in shown and "app.example" in shown
    assert "Message forensics: Authentication-Results, DKIM, ARC, DMARC alignment" in shown
    assert "[skip] DKIM-Signature #1: d=example.com s=sel1" in shown
    flat = " ".join(shown.split())
    assert "key not looked up (no --nameserver): the body hash matches" in flat
    assert "Hello Bob." in shown  # then the text, as before
