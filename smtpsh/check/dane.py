"""--check, DANE for SMTP (RFC 7672): the TLSA records at _<port>._tcp.<mx>, with the AD bit,
each matched against the chain the server sent; the verdict of a DANE-enforcing sender."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from smtpsh.check.dns import Answer, security
from smtpsh.findings import Finding, Section, Verdict
from smtpsh.i18n import _, plural

if TYPE_CHECKING:
    from cryptography.x509 import Certificate

    from smtpsh.check.smtp import HostFacts

USAGES = {0: "PKIX-TA", 1: "PKIX-EE", 2: "DANE-TA", 3: "DANE-EE"}
SELECTORS = {0: "Cert", 1: "SPKI"}
MATCHING = {0: "Full", 1: "SHA2-256", 2: "SHA2-512"}


@dataclass(frozen=True)
class Tlsa:
    usage: int
    selector: int
    mtype: int
    data: bytes

    @classmethod
    def parse(cls, text: str) -> Tlsa:
        usage, selector, mtype, *hexdata = text.split()
        return cls(int(usage), int(selector), int(mtype), bytes.fromhex("".join(hexdata)))

    def __str__(self) -> str:
        hexdata = self.data.hex()
        shown = hexdata if len(hexdata) <= 24 else f"{hexdata[:12]}…{hexdata[-8:]}"
        return (f"{self.usage} {self.selector} {self.mtype} {shown}"
                f" ({USAGES.get(self.usage, '?')} {SELECTORS.get(self.selector, '?')}"
                f" {MATCHING.get(self.mtype, '?')})")


def tlsa_name(host: str, port: int = 25) -> str:
    """The TLSA owner name for the port actually checked: _25._tcp.<mx> for SMTP (RFC 7672
    2.2.3); for -p 587, 465 or any other the same RFC 6698 3 naming with that port."""
    return f"_{port}._tcp.{host.rstrip('.')}"


def association(cert: Certificate, selector: int, mtype: int) -> bytes | None:
    """The data a TLSA record with this selector and matching type holds for `cert`."""
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    if selector == 0:
        blob = cert.public_bytes(Encoding.DER)
    elif selector == 1:
        blob = cert.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    else:
        return None
    if mtype == 0:
        return blob
    if mtype == 1:
        return hashlib.sha256(blob).digest()
    if mtype == 2:
        return hashlib.sha512(blob).digest()
    return None


def _issued_up_to(chain: list[Certificate], top: int) -> bool:
    """Each certificate from the leaf up to chain[top] is signed by the next one."""
    for child, parent in zip(chain[:top], chain[1:top + 1], strict=False):
        try:
            child.verify_directly_issued_by(parent)
        except (ValueError, TypeError, Exception):  # InvalidSignature and friends
            return False
    return True


def _not_valid_now(cert: Certificate) -> str:
    """'' when `cert` is within its validity period now; else why not, in words."""
    import datetime as dt

    now = dt.datetime.now(dt.UTC)
    if cert.not_valid_after_utc < now:
        return _("expired on {date}").format(date=f"{cert.not_valid_after_utc:%Y-%m-%d}")
    if cert.not_valid_before_utc > now:
        return _("not valid before {date}").format(
            date=f"{cert.not_valid_before_utc:%Y-%m-%d}")
    return ""


def match(record: Tlsa, chain: list[Certificate], host: str) -> tuple[bool, str]:
    """-> (the record authenticates this chain for `host`, why in words).

    DANE-EE (3): the record's data must equal the leaf's (certificate or SPKI, hashed as the
    matching type says); nothing else is checked, not the name, not the dates (RFC 7672
    3.1.1).

    DANE-TA (2), what is validated here (RFC 7672 3.1.2, RFC 7671 5.2): a certificate the
    server sent above the leaf (chain[1:]) must match the record; that certificate is the
    trust anchor. Then (1) each certificate from the leaf up to the anchor is signed by the
    next one (signatures only: no basicConstraints, key usage or path-length checks); (2)
    each certificate below the anchor, the leaf included, is within its validity period now
    (the anchor's own dates are not checked, as OpenSSL's DANE code, which Postfix and Exim
    use, does not); (3) the leaf's names (SAN DNS names, else the CN) cover the MX host name
    (RFC 6125 wildcards, leftmost label only). Not done: an anchor the server did not send
    (RFC 7672 3.1.2 asks servers to send it; a "2 1 0" record would allow checking the top
    certificate's signature with the key in the record), revocation, name constraints.
    """
    from smtpsh.check.tls import cert_names, name_matches, short

    if record.usage in (0, 1):
        return False, _("PKIX-TA/PKIX-EE records are unusable in SMTP (RFC 7672 3.1.3)")
    if record.usage not in (2, 3) or record.selector not in SELECTORS \
            or record.mtype not in MATCHING:
        return False, _("unknown usage, selector or matching type: unusable")
    if not chain:
        return False, _("no certificate to match")
    if record.usage == 3:
        if association(chain[0], record.selector, record.mtype) == record.data:
            return True, _("matches the server's certificate (DANE-EE: no name or date"
                           " check)")
        return False, _("does not match the server's certificate")
    for i, cert in enumerate(chain[1:], 1):
        if association(cert, record.selector, record.mtype) != record.data:
            continue
        if not _issued_up_to(chain, i):
            return False, _("matches chain certificate {index}, but the chain below it does"
                            " not verify").format(index=i)
        for below in chain[:i]:
            problem = _not_valid_now(below)
            if problem:
                return False, _("matches trust anchor {index}, but {subject} below it is not"
                                " valid now ({problem})").format(index=i, subject=short(below),
                                                                problem=problem)
        if not name_matches(host, cert_names(chain[0])):
            return False, _("matches trust anchor {index}, but the certificate does not"
                            " cover {host}").format(index=i, host=host)
        return True, _("matches chain certificate {index} as trust anchor; the chain verifies"
                       " up to it, is within its dates and the certificate covers {host}"
                       ).format(index=i, host=host)
    return False, _("matches no issuer certificate in the chain the server sent")


def findings(facts: HostFacts, tlsa: Answer, shown: str, section: Section,
             insecure: str = "") -> tuple[str | None, str]:
    """The DANE findings of one MX address; returns what a DANE-enforcing sender would do
    ("deliver", "defer", or None: DANE does not apply) and that in words. `insecure`: the MX
    RRset or the host's address records that DNSSEC did not validate (RFC 7672 2.2.1,
    2.2.2: then DANE does not apply, whatever the TLSA records say)."""
    from smtpsh.check.tls import load

    name = tlsa_name(facts.host, facts.port)
    rfc = "RFC 7672 2.2"
    if tlsa.status == "tempfail":
        section.add(Finding("dane.tlsa", Verdict.FAIL, _("TLSA lookup failed"),
                            f"{name}: {tlsa.message}", _("a validating resolver answers"
                                                         " SERVFAIL for bogus (forged or"
                                                         " broken) signatures; a DANE sender"
                                                         " defers"),
                            "RFC 7672 2.1.1"))
        return DEFER, _("a DANE-enforcing sender would defer ({why})").format(
            why=_("TLSA lookup failed"))
    if tlsa.status != "ok":
        section.add(Finding("dane.tlsa", Verdict.INFO, _("no TLSA records"),
                            f"{name}: {tlsa.message}; {security(tlsa, shown)}",
                            _("DANE does not apply to this MX"), rfc))
        return None, _("DANE does not apply ({why})").format(why=_("no TLSA records"))
    records = []
    for text in tlsa.records:
        try:
            records.append(Tlsa.parse(text))
        except ValueError:
            section.add(Finding("dane.tlsa", Verdict.WARN, _("unreadable TLSA record"), text))
    if not tlsa.ad:
        section.add(Finding("dane.tlsa", Verdict.WARN,
                            plural(len(records), _("{count} TLSA record, not DNSSEC-validated"),
                                   _("{count} TLSA records, not DNSSEC-validated")),
                            f"{name}: {security(tlsa, shown)}",
                            _("a DANE sender uses TLSA records only when DNSSEC proves them;"
                              " these are ignored"), "RFC 7672 2.2"))
    else:
        section.add(Finding("dane.tlsa", Verdict.PASS,
                            plural(len(records), _("{count} TLSA record, DNSSEC-validated"),
                                   _("{count} TLSA records, DNSSEC-validated")),
                            f"{name}: {security(tlsa, shown)}", "",
                            rfc))
    chain = [c for c in (load(d) for d in facts.chain) if c is not None]
    matched = False
    usable = False
    for record in records:
        ok, why = match(record, chain, facts.host)
        usable = usable or record.usage in (2, 3)
        matched = matched or ok
        verdict = Verdict.PASS if ok else Verdict.WARN if record.usage in (0, 1) else \
            Verdict.FAIL if tlsa.ad else Verdict.WARN
        if not chain and not ok:
            verdict = Verdict.SKIP if facts.starttls_offered and not facts.tls_version \
                else verdict
        section.add(Finding("dane.match", verdict, f"TLSA {record}", why, "", "RFC 7672 3.1"))
    if not tlsa.ad:
        return None, _("DANE does not apply (TLSA not validated): a DANE sender uses"
                       " opportunistic TLS")
    if insecure:
        section.add(Finding("dane.insecure", Verdict.WARN,
                            _("{what} not DNSSEC-validated").format(what=insecure),
                            _("the TLSA records are validated, the {what} not").format(
                                what=insecure),
                            _("a DANE sender applies TLSA records only when the MX RRset and"
                              " the host's addresses are validated too: here it does not"),
                            "RFC 7672 2.2.1, 2.2.2"))
        return None, _("DANE does not apply ({what} not validated): opportunistic TLS").format(
            what=insecure)
    defer = _("a DANE-enforcing sender would defer ({why})")
    if not usable:
        return DEFER, defer.format(why=_("no usable TLSA record"))
    if not facts.starttls_offered:
        return DEFER, defer.format(why=_("no STARTTLS"))
    if not chain:
        return DEFER, defer.format(why=_("no TLS handshake"))
    if matched:
        return DELIVER, _("a DANE-enforcing sender would deliver")
    return DEFER, defer.format(why=_("no TLSA record matches"))


DELIVER, DEFER = "deliver", "defer"
