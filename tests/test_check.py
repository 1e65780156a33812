"""`smtpsh --check`: real servers on loopback, nothing mocked.

A test zone on a DNS server on loopback (tests/dnsserver.py; NSD + validating Unbound for the
AD bit), STARTTLS MX hosts (aiosmtpd with trustme certificates) on 127.0.0.2-4 sharing one
port, TLSA records that match and that do not, an MTA-STS policy over real HTTPS on
127.0.0.9, a scripted server vulnerable to STARTTLS command injection, and Postfix."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme
from checkenv import (
    PolicyServer,
    SignedZone,
    VulnerableMX,
    cert_sha512,
    check_ca,  # noqa: F401 - fixture
    check_ca_file,  # noqa: F401 - fixture
    free_port_on,
    need_programs,
    spki_sha256,
    starttls_mx,
)
from dnsserver import ZoneServer

from smtpsh.check import dane, mtasts
from smtpsh.findings import Verdict
from smtpsh.settings import Settings, TlsOptions

ROOT = Path(__file__).resolve().parent.parent
POLICY = "version: STSv1\r\nmode: enforce\r\nmx: mx1.check.test\r\nmx: *.ok.check.test\r\n" \
         "mx: mx2.check.test\r\nmax_age: 86400\r\n"


def check(*args: str, port: int | None = None,
          timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), NO_COLOR="1")
    if port is not None:
        env[mtasts.PORT_ENV] = str(port)
    return subprocess.run([sys.executable, "-m", "smtpsh", "--check", *args], env=env,
                          capture_output=True, text=True, timeout=timeout)


def card_of(result: subprocess.CompletedProcess[str]) -> dict:
    doc = json.loads(result.stdout)
    validate(doc)
    return doc


def validate(doc: dict) -> None:
    """The card's JSON document, as smtpsh.findings defines it (schema version 1)."""
    verdicts = {v.value for v in Verdict}
    assert doc["v"] == 1 and isinstance(doc["title"], str) and doc["verdict"] in verdicts
    assert isinstance(doc["summary"], str) and isinstance(doc["sections"], list)
    for s in doc["sections"]:
        assert set(s) == {"title", "verdict", "summary", "findings"}
        assert s["verdict"] in verdicts
        for f in s["findings"]:
            assert set(f) == {"id", "verdict", "title", "evidence", "why", "rfc"}
            assert f["verdict"] in verdicts and f["id"] and f["title"]
        worst = max((f["verdict"] for f in s["findings"]), default="pass",
                    key=lambda v: Verdict(v).rank)
        assert Verdict(s["verdict"]).rank == Verdict(worst).rank


def section(doc: dict, start: str) -> dict:
    found = [s for s in doc["sections"] if s["title"].startswith(start)]
    assert found, [s["title"] for s in doc["sections"]]
    return found[0]


def finding(sec: dict, fid: str) -> list[dict]:
    return [f for f in sec["findings"] if f["id"] == fid]


# --- a 3-MX domain (no DNSSEC: tests/dnsserver.py) -------------------------------------------


@pytest.fixture(scope="module")
def domain(check_ca: trustme.CA) -> Iterator[dict]:  # noqa: F811
    addresses = ["127.0.0.2", "127.0.0.3", "127.0.0.4"]
    port = free_port_on(*addresses)
    inter = check_ca.create_child_ca()
    mx1, cert1 = starttls_mx(check_ca, "mx1.check.test", addresses[0], port)
    mx2, _ = starttls_mx(check_ca, "mx2.check.test", addresses[1], port, old_tls=True)
    mx3, _ = starttls_mx(inter, "mx3.check.test", addresses[2], port)
    policy = PolicyServer(check_ca, "mta-sts.check.test")
    policy.policy(POLICY)
    zone = {
        "check.test": [("MX", "10 mx1.check.test."), ("MX", "20 mx2.check.test."),
                       ("MX", "30 mx3.check.test.")],
        "mx1.check.test": [("A", addresses[0])],
        "mx2.check.test": [("A", addresses[1])],
        "mx3.check.test": [("A", addresses[2])],
        "2.0.0.127.in-addr.arpa": [("PTR", "mx1.check.test.")],
        "3.0.0.127.in-addr.arpa": [("PTR", "other.check.test.")],
        f"_{port}._tcp.mx1.check.test": [("TLSA", f"3 1 1 {spki_sha256(cert1)}")],
        f"_{port}._tcp.mx2.check.test": [("TLSA", "3 1 1 " + "ab" * 32)],
        f"_{port}._tcp.mx3.check.test": [("TLSA", f"2 0 2 {cert_sha512(inter.cert_pem.bytes())}")],
        "_mta-sts.check.test": [("TXT", '"v=STSv1; id=20240101T000000"')],
        "mta-sts.check.test": [("A", "127.0.0.9")],
        "_smtp._tls.check.test": [("TXT", '"v=TLSRPTv1; rua=mailto:tlsrpt@check.test"')],
    }
    dns = ZoneServer(zone).start()
    yield {"dns": dns, "port": port, "policy": policy, "zone": zone}
    dns.stop()
    policy.stop()
    for c in (mx1, mx2, mx3):
        c.stop()


def test_three_mx_card_json(domain: dict, check_ca_file: str) -> None:  # noqa: F811
    started = time.monotonic()
    result = check("user@check.test", "--nameserver", domain["dns"].nameserver, "-p",
                   str(domain["port"]), "--cafile", check_ca_file, "--json",
                   port=domain["policy"].port)
    elapsed = time.monotonic() - started
    assert result.returncode == 15, result.stderr  # a finding failed (CARD_FAIL)
    doc = card_of(result)
    assert doc["title"] == "smtpsh --check check.test"
    assert "3 of 3 MX addresses answer" in doc["summary"]
    port = domain["port"]
    mx1 = section(doc, f"mx1.check.test [127.0.0.2]:{port}")
    mx2 = section(doc, f"mx2.check.test [127.0.0.3]:{port}")
    mx3 = section(doc, f"mx3.check.test [127.0.0.4]:{port}")
    # DNS: PTR and FCrDNS; mx2's PTR names another host that does not resolve back
    assert finding(mx1, "dns.fcrdns")[0]["verdict"] == "pass"
    assert finding(mx2, "dns.fcrdns")[0]["verdict"] == "warn"
    assert finding(mx3, "dns.ptr")[0]["verdict"] == "warn"
    # SMTP
    greeting = finding(mx1, "smtp.greeting")[0]
    assert greeting["verdict"] == "pass" and "mx1.check.test" in greeting["evidence"]
    assert finding(mx1, "smtp.size")[0]["verdict"] == "pass"
    assert finding(mx1, "smtp.chunking")[0]["verdict"] == "info"
    assert finding(mx1, "smtp.mail-before-tls")[0]["verdict"] == "info"
    # TLS: verified, name, expiry; TLS 1.0/1.1 only where the server takes them
    assert finding(mx1, "tls.verify")[0]["verdict"] == "pass"
    assert finding(mx1, "tls.name")[0]["verdict"] == "pass"
    assert finding(mx1, "tls.expiry")[0]["verdict"] == "pass"
    assert finding(mx1, "tls.tls10")[0]["verdict"] == "pass"
    assert finding(mx2, "tls.tls10")[0]["verdict"] == "warn"
    assert finding(mx2, "tls.tls11")[0]["verdict"] == "warn"
    assert finding(mx3, "tls.chain")[0]["title"] == "chain of 2 certificates"
    assert finding(mx1, "tls.starttls-injection")[0]["verdict"] == "pass"
    # DANE without DNSSEC: records matched, but said plainly that nothing validated them
    tlsa = finding(mx1, "dane.tlsa")[0]
    assert tlsa["verdict"] == "warn" and "does not validate" in tlsa["evidence"]
    assert finding(mx1, "dane.match")[0]["verdict"] == "pass"
    assert finding(mx2, "dane.match")[0]["verdict"] == "warn"
    assert "does not match" in finding(mx2, "dane.match")[0]["evidence"]
    m3 = finding(mx3, "dane.match")[0]
    assert m3["verdict"] == "pass" and "trust anchor" in m3["evidence"]
    assert "DANE does not apply (TLSA not validated)" in mx1["summary"]
    # MTA-STS: fetched over HTTPS, mx3 matches no pattern: the rule is named
    sts = section(doc, "MTA-STS check.test")
    assert finding(sts, "mtasts.fetch")[0]["verdict"] == "pass"
    assert finding(sts, "mtasts.policy")[0]["verdict"] == "pass"
    assert finding(mx1, "mtasts.mx")[0]["verdict"] == "pass"
    bad = finding(mx3, "mtasts.mx")[0]
    assert bad["verdict"] == "fail" and "matches no mx pattern" in bad["title"]
    assert "RFC 8461 4.1" in bad["title"]
    # TLS-RPT
    rpt = section(doc, "TLS-RPT check.test")
    assert finding(rpt, "tlsrpt.rua")[0]["verdict"] == "pass"
    assert elapsed < 15


def test_text_card_and_nagios(domain: dict, check_ca_file: str) -> None:  # noqa: F811
    args = ("check.test", "--nameserver", domain["dns"].nameserver, "-p", str(domain["port"]),
            "--cafile", check_ca_file)
    text = check(*args, port=domain["policy"].port)
    assert text.returncode == 15
    assert "overall: fail - mail for check.test" in text.stdout
    assert "=> takes mail over TLSv1.3 (verified certificate)" in text.stdout
    nagios = check(*args, "--nagios", port=domain["policy"].port)
    assert nagios.returncode == 2, nagios.stdout
    assert nagios.stdout.startswith("SMTPSH CRITICAL - ")
    assert "| pass=" in nagios.stdout and nagios.stdout.count("\n") == 1


@pytest.fixture
def ok_domain(check_ca: trustme.CA) -> Iterator[dict]:  # noqa: F811
    port = free_port_on("127.0.0.5")
    mx, _ = starttls_mx(check_ca, "mx.ok.test", "127.0.0.5", port)
    policy = PolicyServer(check_ca, "mta-sts.ok.test")
    policy.policy("version: STSv1\nmode: enforce\nmx: *.ok.test\nmax_age: 604800\n")
    zone = {"ok.test": [("MX", "10 mx.ok.test.")], "mx.ok.test": [("A", "127.0.0.5")],
            "5.0.0.127.in-addr.arpa": [("PTR", "mx.ok.test.")],
            "_mta-sts.ok.test": [("TXT", '"v=STSv1; id=1"')],
            "mta-sts.ok.test": [("A", "127.0.0.9")],
            "_smtp._tls.ok.test": [("TXT", '"v=TLSRPTv1; " "rua=mailto:r@ok.test"')]}
    dns = ZoneServer(zone).start()
    yield {"dns": dns, "port": port, "policy": policy, "zone": zone}
    dns.stop()
    policy.stop()
    mx.stop()


def test_nagios_ok_and_warning(ok_domain: dict, check_ca_file: str) -> None:  # noqa: F811
    args = ("ok.test", "--nameserver", ok_domain["dns"].nameserver, "-p",
            str(ok_domain["port"]), "--cafile", check_ca_file)
    ok = check(*args, "--nagios", port=ok_domain["policy"].port)
    assert (ok.returncode, ok.stdout.split(" - ")[0]) == (0, "SMTPSH OK"), ok.stdout
    # The policy now redirects: not followed; MTA-STS fails, naming the rule
    ok_domain["policy"].policy("", status=301, headers={"Location": "https://x.ok.test/"})
    doc = card_of(check(*args, "--json", port=ok_domain["policy"].port))
    fetch = finding(section(doc, "MTA-STS"), "mtasts.fetch")[0]
    assert fetch["verdict"] == "fail" and "redirects are not followed" in fetch["evidence"]
    # Served as text/html: refused
    ok_domain["policy"].policy(POLICY, ctype="text/html")
    doc = card_of(check(*args, "--json", port=ok_domain["policy"].port))
    assert "not text/plain" in finding(section(doc, "MTA-STS"), "mtasts.fetch")[0]["evidence"]
    # Without the policy server's CA: the certificate is not valid for mta-sts.ok.test
    doc = card_of(check(*args[:-2], "--json", port=ok_domain["policy"].port))
    assert "certificate not valid for mta-sts.ok.test" in \
        finding(section(doc, "MTA-STS"), "mtasts.fetch")[0]["evidence"]
    # ... nor the MX's: a warning; the facts come from a second, unverified look
    mx = section(doc, "mx.ok.test")
    assert finding(mx, "tls.verify")[0]["verdict"] == "warn"
    assert finding(mx, "tls.version")[0]["verdict"] == "pass" and finding(mx, "tls.chain")
    # A good policy again, and no PTR for the MX: a warning (Nagios 1: nothing fails)
    ok_domain["policy"].policy("version: STSv1\nmode: testing\nmx: *.ok.test\nmax_age: 60\n")
    del ok_domain["zone"]["5.0.0.127.in-addr.arpa"]
    warn = check(*args, "--nagios", port=ok_domain["policy"].port)
    assert (warn.returncode, warn.stdout.split(" - ")[0]) == (1, "SMTPSH WARNING")
    assert "no PTR record" in warn.stdout


def test_card_in_german(ok_domain: dict, check_ca_file: str) -> None:  # noqa: F811
    """--lang de: the verdict words, the findings, the MX and domain verdict lines in German;
    ids, RFCs and the records seen stay as they are."""
    result = check("ok.test", "--lang", "de", "--nameserver", ok_domain["dns"].nameserver,
                   "-p", str(ok_domain["port"]), "--cafile", check_ca_file,
                   port=ok_domain["policy"].port)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = [line.strip() for line in result.stdout.splitlines()]
    assert "gut       STARTTLS angeboten" in lines
    assert "gut       Zertifikatskette geprüft" in lines
    assert "gut       nicht anfällig für STARTTLS-Command-Injection" in lines
    assert "Info      REQUIRETLS nicht angeboten" in lines
    assert "warum: Absender können TLS auf jeder Etappe verlangen" in lines
    assert ("=> nimmt Mail über TLSv1.3 an (Zertifikat geprüft); DANE greift nicht (keine"
            " TLSA-Einträge); ein Absender, der MTA-STS durchsetzt, würde an mx.ok.test"
            " zustellen") in lines
    assert ("insgesamt: gut - Mail für ok.test: 1 von 1 MX-Adresse antwortet, 1 mit"
            " geprüftem TLS") in lines
    assert "(RFC 8461 3.3)" in lines and "gesehen: SIZE 33554432" in lines


def test_tlsa_name_is_that_of_the_port_checked(ok_domain: dict,
                                               check_ca_file: str) -> None:  # noqa: F811
    """RFC 6698 3: _<port>._tcp.<host>; -p 25 gives RFC 7672's _25._tcp, another port its own:
    a record at _25._tcp is not the one of a server checked on another port."""
    assert dane.tlsa_name("mx.ok.test.", 587) == "_587._tcp.mx.ok.test"
    port = ok_domain["port"]
    args = ("ok.test", "--nameserver", ok_domain["dns"].nameserver, "-p", str(port),
            "--cafile", check_ca_file, "--json")
    ok_domain["zone"]["_25._tcp.mx.ok.test"] = [("TLSA", "3 1 1 " + "cd" * 32)]
    mx = section(card_of(check(*args, port=ok_domain["policy"].port)), "mx.ok.test")
    tlsa = finding(mx, "dane.tlsa")[0]
    assert (tlsa["verdict"], tlsa["title"]) == ("info", "no TLSA records")
    assert tlsa["evidence"].startswith(f"_{port}._tcp.mx.ok.test: ")
    assert not finding(mx, "dane.match")
    ok_domain["zone"][f"_{port}._tcp.mx.ok.test"] = [("TLSA", "3 1 1 " + "ef" * 32)]
    mx = section(card_of(check(*args, port=ok_domain["policy"].port)), "mx.ok.test")
    assert [f["title"] for f in finding(mx, "dane.match")] == [
        "TLSA 3 1 1 efefefefefef…efefefef (DANE-EE SPKI SHA2-256)"]


def test_dns_unknown_and_null_mx() -> None:
    zone = {"null.test": [("MX", "0 .")], "broken.test": "SERVFAIL"}
    with ZoneServer(zone) as dns:
        null = check("null.test", "--nameserver", dns.nameserver, "--json")
        doc = card_of(null)
        assert finding(doc["sections"][0], "dns.null-mx")[0]["verdict"] == "info"
        assert null.returncode == 0
        broken = check("broken.test", "--nameserver", dns.nameserver, "--nagios")
        assert broken.returncode == 3 and broken.stdout.startswith("SMTPSH UNKNOWN")
    bad = check("a..b", "--nameserver", "127.0.0.1:1")
    assert bad.returncode == 2


# --- the STARTTLS command-injection probe -----------------------------------------------------


@pytest.mark.parametrize("in_clear", [False, True], ids=["inside-tls", "in-clear-text"])
def test_injection_probe_vulnerable(check_ca: trustme.CA, check_ca_file: str,  # noqa: F811
                                    in_clear: bool) -> None:
    """The NOOP answered inside TLS before the reply to QUIT, or in clear text after the
    220: both a fail, found without any fixed wait."""
    port = free_port_on("127.0.0.6")
    server = VulnerableMX(check_ca, "mx.vuln.test", "127.0.0.6", port, in_clear=in_clear)
    zone = {"vuln.test": [("MX", "10 mx.vuln.test.")], "mx.vuln.test": [("A", "127.0.0.6")]}
    try:
        with ZoneServer(zone) as dns:
            doc = card_of(check("vuln.test", "--nameserver", dns.nameserver, "-p", str(port),
                                "--cafile", check_ca_file, "--json"))
    finally:
        server.stop()
    mx = section(doc, "mx.vuln.test")
    probe = finding(mx, "tls.starttls-injection")[0]
    assert probe["verdict"] == "fail", probe
    assert "250 ok" in probe["evidence"] and "CVE-2011-0411" in probe["rfc"]
    assert ("in clear text after the 220" if in_clear else "answered the NOOP before QUIT") \
        in probe["evidence"]


def test_injection_probe_postfix(postfix_server, check_ca_file: str) -> None:  # noqa: F811
    zone = {"pf.test": [("MX", "10 mx.postfix.test.")], "mx.postfix.test": [("A", "127.0.0.1")]}
    with ZoneServer(zone) as dns:
        doc = card_of(check("pf.test", "--nameserver", dns.nameserver, "-p",
                            str(postfix_server.port), "--cafile", str(postfix_server.ca_path),
                            "--json"))
    mx = section(doc, "mx.postfix.test")
    assert finding(mx, "tls.starttls-injection")[0]["verdict"] == "pass"
    assert finding(mx, "tls.verify")[0]["verdict"] == "pass"
    assert finding(mx, "smtp.pipelining")[0]["verdict"] == "pass"
    assert finding(mx, "smtp.chunking")[0]["verdict"] == "pass"
    assert "Postfix" in finding(mx, "smtp.greeting")[0]["evidence"]


# --- DANE with real DNSSEC: NSD + validating Unbound ---------------------------------------


@pytest.fixture(scope="module")
def dnssec_domain(check_ca: trustme.CA) -> Iterator[dict]:  # noqa: F811
    need_programs()
    addresses = ["127.0.0.7", "127.0.0.8"]
    port = free_port_on(*addresses)
    good, cert = starttls_mx(check_ca, "mx.sec.test", addresses[0], port)
    bad, _ = starttls_mx(check_ca, "mxbad.sec.test", addresses[1], port)
    spki = spki_sha256(cert)
    records = (f"@ IN MX 10 mx\n@ IN MX 20 mxbad\nmx IN A {addresses[0]}\n"
               f"mxbad IN A {addresses[1]}\n_{port}._tcp.mx IN TLSA 3 1 1 {spki}\n"
               f"_{port}._tcp.mxbad IN TLSA 3 1 1 {spki}\n")
    # mxbad's TLSA is changed after signing: bogus, SERVFAIL from Unbound
    zone = SignedZone("sec.test", records, tamper=(
        f"mxbad.sec.test.\t300\tIN\tTLSA\t3 1 1 {spki}",
        f"mxbad.sec.test.\t300\tIN\tTLSA\t3 1 1 {'0' * 64}")).start()
    yield {"zone": zone, "port": port}
    zone.stop()
    good.stop()
    bad.stop()


def test_dane_with_validating_resolver(dnssec_domain: dict, check_ca_file: str) -> None:  # noqa: F811
    doc = card_of(check("sec.test", "--nameserver", dnssec_domain["zone"].nameserver, "-p",
                        str(dnssec_domain["port"]), "--cafile", check_ca_file, "--json"))
    mx = section(doc, "mx.sec.test")
    tlsa = finding(mx, "dane.tlsa")[0]
    assert tlsa["verdict"] == "pass" and "AD bit set" in tlsa["evidence"]
    assert finding(mx, "dane.match")[0]["verdict"] == "pass"
    assert mx["summary"].endswith("a DANE-enforcing sender would deliver")
    bad = section(doc, "mxbad.sec.test")
    assert finding(bad, "dane.tlsa")[0]["verdict"] == "fail"
    assert "SERVFAIL" in finding(bad, "dane.tlsa")[0]["evidence"]
    assert "a DANE-enforcing sender would defer (TLSA lookup failed)" in bad["summary"]
    assert "DNSSEC-validated (AD bit set)" in \
        finding(section(doc, "DNS sec.test"), "dns.mx")[0]["evidence"]
    assert "DANE: would deliver to 1, defer at 1" in doc["summary"]


def test_dane_signed_zone_without_validation(dnssec_domain: dict,
                                             check_ca_file: str) -> None:  # noqa: F811
    """Straight to NSD (authoritative, validates nothing): signatures, no AD bit: said."""
    ns = f"127.0.0.1:{dnssec_domain['zone'].nsd_port}"
    doc = card_of(check("sec.test", "--nameserver", ns, "-p", str(dnssec_domain["port"]),
                        "--cafile", check_ca_file, "--json"))
    tlsa = finding(section(doc, "mx.sec.test"), "dane.tlsa")[0]
    assert tlsa["verdict"] == "warn"
    assert f"signatures came but no AD bit, so {ns} does not validate" in tlsa["evidence"]


# --- pure parts ------------------------------------------------------------------------------


def test_mta_sts_parsing() -> None:
    assert mtasts.parse_txt(("v=STSv1; id=abc123;",)) == ("abc123", "")
    assert mtasts.parse_txt(("v=STSv1; id=1", "v=STSv1; id=2"))[0] is None
    assert mtasts.parse_txt(("v=STSv1; id=not-valid",))[0] is None
    p = mtasts.parse_policy(POLICY)
    assert (p.version, p.mode, p.max_age, p.errors) == ("STSv1", "enforce", 86400, [])
    assert mtasts.mx_matches("a.ok.check.test", p.mx)
    assert not mtasts.mx_matches("a.b.ok.check.test", p.mx)
    assert not mtasts.mx_matches("ok.check.test", p.mx)
    bad = mtasts.parse_policy("version: STSv1\nmode: enforce\nmode: none\nmax_age: 1\nmx x\n")
    assert any("given twice" in e for e in bad.errors)
    assert any("not 'key: value'" in e for e in bad.errors)
    assert mtasts.parse_policy("version: STSv1\nmode: enforce\nmx: a.b\nmax_age: 99999999999\n"
                               ).errors


def test_tlsa_parse_and_unusable_usage() -> None:
    record = dane.Tlsa.parse("1 1 1 AABB CCDD")
    assert record.data == bytes.fromhex("aabbccdd")
    ok, why = dane.match(record, [], "mx.test")
    assert not ok and "unusable in SMTP" in why


def test_dane_ta_checks_the_dates_below_the_anchor(check_ca: trustme.CA) -> None:  # noqa: F811
    """DANE-TA (usage 2): the anchor matched in the chain the server sent, signatures up to
    it, the dates of every certificate below it (not the anchor's own), the leaf's names."""
    import datetime as dt

    from cryptography import x509 as _x509

    inter = check_ca.create_child_ca()
    anchor = _x509.load_pem_x509_certificate(inter.cert_pem.bytes())
    record = dane.Tlsa(2, 0, 1, dane.association(anchor, 0, 1) or b"")
    now = dt.datetime.now(dt.UTC)

    def chain(**dates: dt.datetime) -> list:
        leaf = inter.issue_cert("mx.ta.test", **dates)
        return [_x509.load_pem_x509_certificate(p.bytes()) for p in leaf.cert_chain_pems]

    ok, why = dane.match(record, chain(), "mx.ta.test")
    assert ok and "as trust anchor" in why
    ok, why = dane.match(record, chain(), "other.ta.test")
    assert not ok and "does not cover other.ta.test" in why
    ok, why = dane.match(record, chain(not_before=now - dt.timedelta(days=9),
                                       not_after=now - dt.timedelta(days=1)), "mx.ta.test")
    assert not ok and "not valid now (expired on" in why
    ok, why = dane.match(record, chain(not_before=now + dt.timedelta(days=1)), "mx.ta.test")
    assert not ok and "not valid now (not valid before" in why
    ok, why = dane.match(record, chain()[:1], "mx.ta.test")
    assert not ok and "matches no issuer certificate" in why


# --- :check in the shell ------------------------------------------------------------------


class _Screen:
    def __init__(self) -> None:
        self.text: list[str] = []

    def show(self, frags: list[tuple[str, str]]) -> None:
        self.text.append("".join(t for _, t in frags))

    def note(self, text: str) -> None:
        self.text.append(text)

    warn = note

    def columns(self) -> int:
        return 100


class _Shell:
    """What :check uses of the shell (commands.ShellApi): its settings and its screen."""

    def __init__(self, settings: Settings) -> None:
        self.settings, self.screen = settings, _Screen()


async def test_shell_check_command(ok_domain: dict, check_ca_file: str,  # noqa: F811
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from smtpsh.shell.commands import lookup

    monkeypatch.setenv(mtasts.PORT_ENV, str(ok_domain["policy"].port))
    command = lookup(":check")
    assert command is not None and command.name == "check"
    settings = Settings(check=True, port=ok_domain["port"], timeout=20,
                        nameserver=ok_domain["dns"].nameserver,
                        tls=TlsOptions(cafile=check_ca_file))
    shell = _Shell(settings)
    await command.handler(shell, ["postmaster@ok.test"])  # type: ignore[arg-type]
    text = "\n".join(shell.screen.text)
    assert "smtpsh --check ok.test" in text and "overall: pass" in text
    assert f"mx.ok.test [127.0.0.5]:{ok_domain['port']}" in text
    await command.handler(shell, [])  # type: ignore[arg-type]
    assert shell.screen.text[-1].startswith("usage: :check")


def test_timeout_bounds_the_whole_run() -> None:
    """An MX that accepts and never greets: the card still comes within --timeout (plus the
    time to wind down), with the MX unreachable."""
    import socket

    silent = socket.create_server(("127.0.0.10", 0))
    port = silent.getsockname()[1]
    zone = {"slow.test": [("MX", "10 mx.slow.test.")], "mx.slow.test": [("A", "127.0.0.10")]}
    try:
        with ZoneServer(zone) as dns:
            started = time.monotonic()
            result = check("slow.test", "--nameserver", dns.nameserver, "-p", str(port),
                           "--timeout", "2", "--json")
            elapsed = time.monotonic() - started
    finally:
        silent.close()
    doc = card_of(result)
    assert result.returncode == 15
    assert elapsed < 2 + 3.5, elapsed
    ids = {f["id"] for s in doc["sections"] for f in s["findings"]}
    assert ids & {"smtp.connect", "check.timeout"}, ids
    assert "would be deferred: no MX answers" in doc["summary"]


def test_dane_does_not_apply_when_the_mx_rrset_is_insecure(check_ca: trustme.CA) -> None:  # noqa: F811
    """RFC 7672 2.2.1: validated TLSA records under an MX RRset DNSSEC did not validate."""
    from cryptography import x509 as _x509
    from cryptography.hazmat.primitives.serialization import Encoding

    from smtpsh.check.dns import Answer
    from smtpsh.check.smtp import HostFacts
    from smtpsh.findings import Section

    cert = check_ca.issue_cert("mx.half.test")
    der = _x509.load_pem_x509_certificate(cert.cert_chain_pems[0].bytes()).public_bytes(
        Encoding.DER)
    facts = HostFacts("mx.half.test", "127.0.0.1", 25, starttls_offered=True,
                      tls_version="TLSv1.3", chain=[der])
    tlsa = Answer("ok", (f"3 1 1 {spki_sha256(cert)}",), ad=True)
    secure = Section("s")
    assert dane.findings(facts, tlsa, "ns", secure) == (
        dane.DELIVER, "a DANE-enforcing sender would deliver")
    half = Section("h")
    state, line = dane.findings(facts, tlsa, "ns", half, "MX RRset")
    assert state is None
    assert line == "DANE does not apply (MX RRset not validated): opportunistic TLS"
    assert [f.verdict for f in half.findings if f.id == "dane.insecure"] == [Verdict.WARN]
