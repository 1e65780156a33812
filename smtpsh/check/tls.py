"""--check, TLS: STARTTLS, the negotiated version and cipher, old versions accepted, the
chain, days to expiry, the name against the MX name, and the STARTTLS command-injection
probe (CVE-2011-0411). Facts come from smtp.py's connections; this module judges them."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from smtpsh.escape import escape
from smtpsh.findings import Finding, Section, Verdict
from smtpsh.i18n import _, plural

if TYPE_CHECKING:
    from cryptography.x509 import Certificate

    from smtpsh.check.smtp import HostFacts

EXPIRY_WARN_DAYS = 14


def load(der: bytes) -> Certificate | None:
    from cryptography import x509

    try:
        return x509.load_der_x509_certificate(der)
    except ValueError:
        return None


def cert_names(cert: Certificate) -> list[str]:
    """DNS names of the SAN (the CN only when there is no SAN, as RFC 6125 allows)."""
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        return [str(n) for n in san.get_values_for_type(x509.DNSName)]
    except x509.ExtensionNotFound:
        cn = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        return [_text(cn[0].value)] if cn else []


def name_matches(name: str, patterns: list[str]) -> bool:
    """RFC 6125 6.4: exact, or a wildcard standing for the whole leftmost label only."""
    name = name.rstrip(".").lower()
    for pattern in patterns:
        p = pattern.rstrip(".").lower()
        if p == name:
            return True
        if p.startswith("*.") and "." in name:
            head, _dot, rest = name.partition(".")
            if head and rest == p[2:]:
                return True
    return False


def short(cert: Certificate) -> str:
    from cryptography.x509.oid import NameOID

    cn = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return f"CN={_text(cn[0].value)}" if cn else cert.subject.rfc4514_string() or "(empty)"


def _text(value: str | bytes) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def findings(facts: HostFacts, section: Section) -> None:
    """The TLS findings of one MX address."""
    if facts.ehlo is None:
        return
    if not facts.starttls_offered:
        section.add(Finding("tls.starttls", Verdict.FAIL, _("STARTTLS not offered"),
                            _("no STARTTLS in the EHLO reply"),
                            _("mail to this host travels in clear text"), "RFC 3207"))
        return
    section.add(Finding("tls.starttls", Verdict.PASS, _("STARTTLS offered")))
    if facts.tls_error:
        section.add(Finding("tls.handshake", Verdict.FAIL, _("TLS handshake failed"),
                            facts.tls_error, _("senders fall back to clear text or defer"),
                            "RFC 3207"))
    if facts.tls_version:
        old = facts.tls_version in ("TLSv1", "TLSv1.1", "SSLv3")
        section.add(Finding("tls.version", Verdict.WARN if old else Verdict.PASS,
                            _("negotiated {version}").format(version=facts.tls_version),
                            _("cipher {cipher}").format(cipher=facts.cipher),
                            _("TLS 1.2 or 1.3 is expected") if old else "",
                            "RFC 8996" if old else ""))
    for version, accepted in facts.old_versions.items():
        if accepted is None:
            continue
        section.add(Finding("tls." + version.replace(" ", "").replace(".", "").lower(),
                            Verdict.WARN if accepted else Verdict.PASS,
                            (_("{version} accepted") if accepted else
                             _("{version} refused")).format(version=version),
                            (_("a handshake limited to {version} succeeded") if accepted else
                             _("a handshake limited to {version} failed")).format(
                                 version=version),
                            _("TLS 1.0 and 1.1 are deprecated") if accepted else "",
                            "RFC 8996"))
    chain = [c for c in (load(d) for d in facts.chain) if c is not None]
    if not chain:
        return
    leaf = chain[0]
    section.add(Finding("tls.chain", Verdict.INFO,
                        plural(len(chain), _("chain of {count} certificate"),
                               _("chain of {count} certificates")),
                        escape(" <- ".join(_("{subject} (issuer {issuer})").format(
                            subject=short(c), issuer=short_issuer(c))
                                           for c in chain), tab=True)))
    if facts.verify_error:
        section.add(Finding("tls.verify", Verdict.WARN, _("certificate not verified"),
                            facts.verify_error, _("a sender that verifies (MTA-STS, DANE-TA)"
                                                  " will not deliver"), "RFC 8461 4.2"))
    else:
        section.add(Finding("tls.verify", Verdict.PASS, _("certificate chain verified"),
                            _("verified for {host}").format(host=facts.host)))
    names = cert_names(leaf)
    shown = escape(", ".join(names), tab=True) or _("(none)")
    if name_matches(facts.host, names):
        section.add(Finding("tls.name", Verdict.PASS, _("certificate covers the MX name"),
                            _("{host} in {names}").format(host=facts.host, names=shown)))
    else:
        # A fail, as an expired certificate is: every sender that verifies (MTA-STS,
        # DANE-TA) refuses it; only opportunistic TLS and DANE-EE ignore the name.
        section.add(Finding("tls.name", Verdict.FAIL,
                            _("certificate does not cover the MX name"),
                            _("{host} not in {names}").format(host=facts.host, names=shown),
                            _("MTA-STS and DANE-TA senders check the MX name and will not"
                              " deliver"),
                            "RFC 7672 3.2.3, RFC 8461 4.2"))
    left = leaf.not_valid_after_utc - dt.datetime.now(dt.UTC)
    days = left.days
    when = leaf.not_valid_after_utc.strftime("%Y-%m-%d")
    if left.total_seconds() < 0:
        ago = (-left).days  # whole days since: -1.5 days is "1 day ago", not 2
        section.add(Finding("tls.expiry", Verdict.FAIL,
                            _("certificate expired {days} days ago").format(days=ago),
                            _("not after {date}").format(date=when),
                            _("verifying senders will not deliver")))
    elif days < EXPIRY_WARN_DAYS:
        section.add(Finding("tls.expiry", Verdict.WARN,
                            _("certificate expires in {days} days").format(days=days),
                            _("not after {date}").format(date=when),
                            _("under {days} days: renew").format(days=EXPIRY_WARN_DAYS)))
    else:
        section.add(Finding("tls.expiry", Verdict.PASS,
                            _("certificate valid for {days} more days").format(days=days),
                            _("not after {date}").format(date=when)))


def short_issuer(cert: Certificate) -> str:
    from cryptography.x509.oid import NameOID

    cn = cert.issuer.get_attributes_for_oid(NameOID.COMMON_NAME)
    return f"CN={_text(cn[0].value)}" if cn else cert.issuer.rfc4514_string()


def injection_finding(result: str | None, detail: str, section: Section) -> None:
    """`result`: 'vulnerable', 'safe', or None (not run: no STARTTLS, or it failed)."""
    rfc = "RFC 3207 4.2; CVE-2011-0411"
    if result is None:
        section.add(Finding("tls.starttls-injection", Verdict.SKIP,
                            _("STARTTLS injection probe not run"), detail, "", rfc))
    elif result == "vulnerable":
        section.add(Finding("tls.starttls-injection", Verdict.FAIL,
                            _("STARTTLS command injection: a command sent in clear text"
                              " before the handshake was answered"), detail,
                            _("a man in the middle can inject commands that run inside the"
                              " TLS session"), rfc))
    else:
        section.add(Finding("tls.starttls-injection", Verdict.PASS,
                            _("not vulnerable to STARTTLS command injection"), detail, "",
                            rfc))
