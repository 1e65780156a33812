"""`smtpsh --check` against a real Postfix: a good certificate chain, an expired certificate
and one with a wrong name, each served by its own smtpd, under a DNSSEC-signed zone (NSD and a
validating Unbound) with DANE-EE and DANE-TA records at `_<port>._tcp` and an MTA-STS policy
in enforce mode over real HTTPS. Each case's verdicts are asserted exactly."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import subprocess
import sys
from collections.abc import Iterator

import pytest
import trustme
from checkenv import (
    CertPostfix,
    PolicyServer,
    SignedZone,
    check_ca,  # noqa: F401 - fixture
    check_ca_file,  # noqa: F401 - fixture
    need_postfix,
    need_programs,
    spki_sha256,
)
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from test_check import ROOT, card_of, finding, section

from smtpsh.check import mtasts

CASES = ("good", "expired", "wrong")


def mx_names(case: str) -> tuple[str, str]:
    """Two MX hosts per domain, both on the same Postfix service: one with a DANE-EE record,
    one with a DANE-TA record."""
    return f"mx-ee.{case}.pf.test", f"mx-ta.{case}.pf.test"


@pytest.fixture(scope="module")
def pf(check_ca: trustme.CA) -> Iterator[dict]:  # noqa: F811
    need_postfix()
    need_programs()
    inter = check_ca.create_child_ca()
    now = dt.datetime.now(dt.UTC)
    certs = {
        "good": inter.issue_cert(*mx_names("good")),
        "expired": inter.issue_cert(*mx_names("expired"), not_before=now - dt.timedelta(days=30),
                                    not_after=now - dt.timedelta(days=2)),
        "wrong": inter.issue_cert("other.pf.test"),
    }
    anchor = hashlib.sha256(x509.load_pem_x509_certificate(inter.cert_pem.bytes())
                            .public_bytes(Encoding.DER)).hexdigest()
    postfix = CertPostfix(certs)
    records, policies = "", {}
    for case, cert in certs.items():
        port = postfix.ports[case]
        ee, ta = (n.removesuffix(".pf.test") for n in mx_names(case))
        records += (f"{case} IN MX 10 {ee}\n{case} IN MX 20 {ta}\n"
                    f"{ee} IN A 127.0.0.1\n{ta} IN A 127.0.0.1\n"
                    f"_{port}._tcp.{ee} IN TLSA 3 1 1 {spki_sha256(cert)}\n"
                    f"_{port}._tcp.{ta} IN TLSA 2 0 1 {anchor}\n"
                    # the port-25 name is not the one asked for another port: never matches
                    f"_25._tcp.{ee} IN TLSA 3 1 1 {'00' * 32}\n"
                    f'_mta-sts.{case} IN TXT "v=STSv1; id=1"\nmta-sts.{case} IN A 127.0.0.9\n'
                    f'_smtp._tls.{case} IN TXT "v=TLSRPTv1; rua=mailto:tls@{case}.pf.test"\n')
        policies[case] = PolicyServer(check_ca, f"mta-sts.{case}.pf.test")
        policies[case].policy(f"version: STSv1\nmode: enforce\nmx: *.{case}.pf.test\n"
                              "max_age: 86400\n")
    zone = SignedZone("pf.test", records,
                      unsigned={"0.0.127.in-addr.arpa": "1 IN PTR mx-ee.good.pf.test.\n"})
    try:
        postfix.start()
        zone.start()
        yield {"postfix": postfix, "zone": zone, "policies": policies}
    finally:
        zone.stop()
        postfix.stop()
        for policy in policies.values():
            policy.stop()


@pytest.fixture(scope="module")
def cards(pf: dict, check_ca_file: str) -> dict[str, tuple[int, dict]]:  # noqa: F811
    """The three --check --json runs, at once: case -> (exit status, card)."""
    runs = {}
    for case in CASES:
        env = dict(os.environ, PYTHONPATH=str(ROOT), NO_COLOR="1")
        env[mtasts.PORT_ENV] = str(pf["policies"][case].port)
        runs[case] = subprocess.Popen(
            [sys.executable, "-m", "smtpsh", "--check", f"{case}.pf.test", "--nameserver",
             pf["zone"].nameserver, "-p", str(pf["postfix"].ports[case]), "--cafile",
             check_ca_file, "--json"], env=env, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True)
    out = {}
    for case, proc in runs.items():
        stdout, stderr = proc.communicate(timeout=60)
        out[case] = (proc.returncode, card_of(subprocess.CompletedProcess(proc.args,
                                                                          proc.returncode,
                                                                          stdout, stderr)))
    return out


def verdicts(doc: dict, title: str) -> dict[str, list[str]]:
    got: dict[str, list[str]] = {}
    for f in section(doc, title)["findings"]:
        got.setdefault(f["id"], []).append(f["verdict"])
    return got


# What every MX section of the three cases shares: Postfix's EHLO keywords, TLS 1.2 and up
# only, the injection probe answered correctly, validated TLSA records at _<port>._tcp.
COMMON = {
    "dns.ptr": ["pass"], "dns.fcrdns": ["pass"], "dns.names": ["info"],
    "smtp.greeting": ["pass"], "smtp.size": ["pass"], "smtp.pipelining": ["pass"],
    "smtp.chunking": ["pass"], "smtp.smtputf8": ["pass"], "smtp.requiretls": ["info"],
    "smtp.limits": ["info"], "smtp.mail-before-tls": ["info"], "tls.starttls": ["pass"],
    "tls.version": ["pass"], "tls.tls10": ["pass"], "tls.tls11": ["pass"],
    "tls.chain": ["info"], "tls.starttls-injection": ["pass"], "dane.tlsa": ["pass"],
}
# case -> (tls.verify, tls.name, tls.expiry, dane.match at mx-ee, at mx-ta, mtasts.mx, exit)
EXPECTED = {
    "good": ("pass", "pass", "pass", "pass", "pass", "pass", 0),
    "expired": ("warn", "pass", "fail", "pass", "fail", "fail", 15),
    "wrong": ("warn", "fail", "pass", "pass", "fail", "fail", 15),
}


@pytest.mark.parametrize("case", CASES)
def test_postfix_verdicts(case: str, cards: dict, pf: dict) -> None:
    code, doc = cards[case]
    verify, name, expiry, ee_dane, ta_dane, sts, exit_status = EXPECTED[case]
    assert code == exit_status, doc["summary"]
    port = pf["postfix"].ports[case]
    ee_host, ta_host = mx_names(case)
    for host, dane in ((ee_host, ee_dane), (ta_host, ta_dane)):
        title = f"{host} [127.0.0.1]:{port}"
        assert verdicts(doc, title) == COMMON | {
            "tls.verify": [verify], "tls.name": [name], "tls.expiry": [expiry],
            "dane.match": [dane], "mtasts.mx": [sts]}, title
        mx = section(doc, title)
        # the TLSA records of the port checked, not those of port 25 (which never match)
        assert finding(mx, "dane.tlsa")[0]["evidence"].startswith(f"_{port}._tcp.{host}:")
        assert "AD bit set" in finding(mx, "dane.tlsa")[0]["evidence"]
        deliver = "would deliver" if dane == "pass" else "would defer (no TLSA record matches)"
        assert f"a DANE-enforcing sender {deliver}" in mx["summary"]
    assert {s["title"].split(" ")[0]: s["verdict"] for s in doc["sections"]
            if not s["title"].startswith("mx-")} == {"DNS": "pass", "MTA-STS": "pass",
                                                      "TLS-RPT": "pass"}
    dane_line = "DANE: would deliver to 2, defer at 0" if case == "good" else \
        "DANE: would deliver to 1, defer at 1"
    assert dane_line in doc["summary"]


def test_postfix_good_chain(cards: dict) -> None:
    _, doc = cards["good"]
    ee = section(doc, "mx-ee.good.pf.test")
    assert finding(ee, "tls.chain")[0]["title"] == "chain of 2 certificates"
    assert "2 of 2 MX addresses answer, 2 with verified TLS" in doc["summary"]
    ta = finding(section(doc, "mx-ta.good.pf.test"), "dane.match")[0]
    assert "as trust anchor" in ta["evidence"] and "DANE-TA" in ta["title"]
    probe = finding(ee, "tls.starttls-injection")[0]
    assert "the first reply was the 221 to QUIT" in probe["evidence"]
    assert "Postfix" in finding(ee, "smtp.greeting")[0]["evidence"]


def test_postfix_expired_certificate(cards: dict) -> None:
    _, doc = cards["expired"]
    ee, ta = (section(doc, h) for h in mx_names("expired"))
    expiry = finding(ee, "tls.expiry")[0]
    assert expiry["title"] == "certificate expired 2 days ago", expiry
    assert "expired" in finding(ee, "tls.verify")[0]["evidence"]
    # DANE-EE ignores the dates (RFC 7672 3.1.1); DANE-TA checks them below the anchor
    assert "no name or date check" in finding(ee, "dane.match")[0]["evidence"]
    assert "not valid now (expired on" in finding(ta, "dane.match")[0]["evidence"]
    sts = finding(ta, "mtasts.mx")[0]["title"]
    assert "would not deliver to mx-ta.expired.pf.test" in sts and "RFC 8461 4.2" in sts
    assert "0 with verified TLS" in doc["summary"]


def test_postfix_wrong_name(cards: dict) -> None:
    _, doc = cards["wrong"]
    ee, ta = (section(doc, h) for h in mx_names("wrong"))
    bad = finding(ee, "tls.name")[0]
    assert bad["evidence"] == "mx-ee.wrong.pf.test not in other.pf.test"
    assert "RFC 8461 4.2" in bad["rfc"]
    assert "does not cover mx-ta.wrong.pf.test" in finding(ta, "dane.match")[0]["evidence"]
    assert "not valid for 'mx-ee.wrong.pf.test'" in finding(ee, "mtasts.mx")[0]["title"]


# What changes from run to run in a text card: ports, certificate serials, dates, hashes,
# timings. Wrapped continuation lines are not compared (their break points move with those).
_VARYING = [
    (re.compile(r"127\.0\.0\.1\]?:\d+"), "127.0.0.1:<port>"),
    (re.compile(r"_\d+\._tcp"), "_<port>._tcp"),
    (re.compile(r"port \d+"), "port <port>"),
    (re.compile(r"#[A-Za-z0-9_-]+"), "#<serial>"),  # whole, or cut by the wrapping
    (re.compile(r"\d{4}-\d\d-\d\d( \d\d:\d\d UTC)?"), "<date>"),
    (re.compile(r"after \d+\.\d{3} s"), "after <seconds> s"),
    (re.compile(r"[0-9a-f]{12}…[0-9a-f]{8}"), "<hash>"),
    (re.compile(r"checked in \d+\.\d\d s"), "checked in <seconds> s"),
]


def _normal(lines: list[str]) -> list[str]:
    out = []
    for line in lines:
        if not line.strip() or line.strip() == "…" or line.startswith(" " * 13):
            continue
        for pattern, placeholder in _VARYING:
            line = pattern.sub(placeholder, line)
        out.append(line.rstrip())
    return out


def test_the_tutorial_card_is_real(pf: dict, check_ca_file: str) -> None:  # noqa: F811
    """docs/tutorial.md part 14 shows the card of expired.pf.test: its lines are printed, in
    order, by a run now (lines it leaves out are marked …)."""
    text = (ROOT / "docs" / "tutorial.md").read_text(encoding="utf-8")
    part = text[text.index("## 14. Checking a domain"):text.index("## Where next")]
    block = part[part.index("```text\n") + 8:part.index("```", part.index("```text\n") + 8)]
    command, *shown = block.splitlines()
    assert command.startswith("$ smtpsh --check postmaster@expired.pf.test ")
    env = dict(os.environ, PYTHONPATH=str(ROOT), NO_COLOR="1", COLUMNS="200")
    env[mtasts.PORT_ENV] = str(pf["policies"]["expired"].port)
    run = subprocess.run([sys.executable, "-m", "smtpsh", "--check", "postmaster@expired.pf.test",
                          "--nameserver", pf["zone"].nameserver, "-p",
                          str(pf["postfix"].ports["expired"]), "--cafile", check_ca_file],
                         env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode == 15, run.stderr
    got = iter(_normal(run.stdout.splitlines()))
    missing = [line for line in _normal(shown) if not any(line == g for g in got)]
    assert not missing, f"not printed (in this order): {missing[:3]}\n{run.stdout}"
