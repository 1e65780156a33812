"""TLS settings, the client context, failures in plain words, and the certificate card.

Through the stdlib ssl module only; `cryptography` just reads the certificate's DER.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import ssl
from dataclasses import dataclass
from typing import TYPE_CHECKING

from smtpsh.escape import escape
from smtpsh.exitcodes import Exit, Failure
from smtpsh.i18n import _, plural
from smtpsh.tlsoptions import TlsOptions  # defined there, without ssl; importable here too

if TYPE_CHECKING:  # cryptography loads only when a certificate is read
    from cryptography.x509 import Certificate as _Cert
    from cryptography.x509 import Name

_VERSIONS = {
    "1.0": ssl.TLSVersion.TLSv1,
    "1.1": ssl.TLSVersion.TLSv1_1,
    "1.2": ssl.TLSVersion.TLSv1_2,
    "1.3": ssl.TLSVersion.TLSv1_3,
}
_NAMES = {v: k for k, v in _VERSIONS.items()}

# OpenSSL X509_V_ERR_* codes, as SSLCertVerificationError.verify_code carries them.
_NOT_YET_VALID, _EXPIRED = 9, 10
_SELF_SIGNED, _SELF_SIGNED_IN_CHAIN = 18, 19
_UNKNOWN_ISSUER = (2, 20, 21)
_NAME_MISMATCH = (62, 64)  # host name, IP address

_VERSION_REASONS = ("TLSV1_ALERT_PROTOCOL_VERSION", "UNSUPPORTED_PROTOCOL",
                    "NO_PROTOCOLS_AVAILABLE", "WRONG_SSL_VERSION")
_CIPHER_REASONS = ("NO_SHARED_CIPHER", "NO_CIPHERS_AVAILABLE", "NO_CIPHER_MATCH")
_WEAK_REASONS = ("DH_KEY_TOO_SMALL", "EE_KEY_TOO_SMALL", "CA_KEY_TOO_SMALL", "CA_MD_TOO_WEAK")


@dataclass(frozen=True)
class TlsInfo:
    version: str
    cipher: str
    verified: bool
    server_hostname: str | None


def make_context(opts: TlsOptions) -> ssl.SSLContext:
    """A client context: chain and host name verified unless the user said --insecure.

    A file it cannot use (--cafile, --cert/--key, --keylog) is a Failure with exit 1.
    """
    keylog = opts.keylog or os.environ.get("SSLKEYLOGFILE")
    _private_keylog(keylog)
    try:
        ctx = ssl.create_default_context(cafile=opts.cafile)
    except OSError as exc:
        raise _file_failure("--cafile", opts.cafile, exc,
                                _("no PEM certificate in it")) from None
    if opts.insecure:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    if opts.min_version:
        ctx.minimum_version = _VERSIONS[opts.min_version]
    if opts.max_version:
        ctx.maximum_version = _VERSIONS[opts.max_version]
    if {"1.0", "1.1"} & {opts.min_version, opts.max_version}:
        # OpenSSL 3 refuses TLS < 1.2 at its default security level; asking for it is the
        # point when debugging an old server.
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    if opts.certfile:
        try:
            ctx.load_cert_chain(opts.certfile, opts.keyfile)
        except OSError as exc:
            raise _file_failure("--cert/--key", opts.certfile, exc,
                                _("not a PEM certificate with its key")) from None
    if keylog:
        try:
            ctx.keylog_filename = keylog
        except OSError as exc:
            raise _file_failure("--keylog", keylog, exc, "") from None
    return ctx


def _private_keylog(path: str | None) -> None:
    """Create the TLS key log 0600 before OpenSSL opens it (it would make it 0644): it holds
    the secrets that decrypt the session. Python's create_default_context opens
    SSLKEYLOGFILE by itself, so this comes first for it too."""
    if not path:
        return
    from smtpsh.config import open_private

    try:
        os.close(open_private(path))
    except OSError as exc:
        raise _file_failure("--keylog", path, exc, "") from None


def _file_failure(flag: str, path: str | None, exc: OSError, bad_content: str) -> Failure:
    from smtpsh.oswords import reason

    why = bad_content if isinstance(exc, ssl.SSLError) else reason(exc)
    return Failure(_("cannot use {flag} {path}: {error}").format(flag=flag, path=path,
                                                                   error=why), Exit.ERROR)


def unverified_context() -> ssl.SSLContext:
    """For looking at a certificate that failed verification, never for a dialog."""
    try:
        _private_keylog(os.environ.get("SSLKEYLOGFILE"))
    except Failure:
        pass  # the dialog's own context said so already
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def tls_versions() -> list[str]:
    return list(_VERSIONS)


# --- failures in plain words --------------------------------------------------------------


def explain_failure(exc: BaseException, *, implicit: bool, ctx: ssl.SSLContext | None = None,
                    server_hostname: str | None = None, cert: bytes | None = None) -> str:
    """One line: what went wrong in the handshake, in plain words, and what to do.

    `implicit`: TLS from the first byte (--tls) rather than after STARTTLS; `cert`: the DER
    of the server's certificate, fetched unverified, to name what it holds. OpenSSL's own
    reason ends the line in parentheses, for who wants to look it up.
    """
    if isinstance(exc, ssl.SSLCertVerificationError):
        raw = f" (OpenSSL: {escape(exc.verify_message)})" if exc.verify_message else ""
        return _verify_failure(exc, server_hostname, _load(cert)) + raw
    reason = getattr(exc, "reason", None) or ""
    raw = f" (OpenSSL: {escape(reason)})" if isinstance(exc, ssl.SSLError) and reason else ""
    return _plain(exc, reason, implicit, _bounds(ctx), server_hostname) + raw


def _plain(exc: BaseException, reason: str, implicit: bool, bounds: str,
           name: str | None) -> str:
    if reason == "WRONG_VERSION_NUMBER":
        if implicit:
            return _("no TLS on this port: it speaks plain SMTP first: use STARTTLS"
                     " (--starttls instead of --tls)")
        return _("the server agreed to STARTTLS but then did not speak TLS: its TLS set-up"
                 " (or a proxy or firewall in between) is broken: tell its admin, or try port"
                 " 465 with --tls")
    alert = _ALERT.fullmatch(reason)
    if alert:
        return _alert(alert[1], bounds, name)
    if reason in _VERSION_REASONS:
        return (_("no TLS version in common with the server{bounds}: widen"
                  " --tls-min/--tls-max").format(bounds=bounds) if bounds else
                _("no TLS version in common with the server: an old server may speak only"
                  " TLS 1.0 or 1.1: try --tls-min 1.0"))
    if reason in _CIPHER_REASONS:
        return _("no cipher in common with the server: an old server may offer only ciphers"
                 " this OpenSSL turns down: try --tls-min 1.0 (it accepts old ones too)")
    if reason in _WEAK_REASONS:
        return _("the server's key or certificate is too weak for this OpenSSL's security"
                 " level: tell its admin; to go on anyway, try --tls-min 1.0 (it accepts weak"
                 " ones too)")
    if isinstance(exc, ConnectionError | ssl.SSLEOFError) or reason.startswith("UNEXPECTED_EOF"):
        if bounds:
            return _("the server broke off the TLS handshake{bounds}: it may speak no TLS"
                     " version in that range: widen --tls-min/--tls-max").format(bounds=bounds)
        return _("the server broke off the TLS handshake (closed the connection): it may want"
                 " TLS versions or ciphers smtpsh does not offer (try --tls-max 1.2 or"
                 " --tls-min 1.0), or a client certificate (--cert FILE --key FILE)")
    if isinstance(exc, TimeoutError):
        return _("the TLS handshake timed out: the server did not answer it: a firewall may"
                 " drop TLS, or the server is overloaded: try again, or with a longer"
                 " --timeout")
    if isinstance(exc, ssl.SSLError):
        text = exc.strerror or str(exc)
        text = re.sub(r"^\[SSL: \w+\] |\s*\(_ssl\.c:\d+\)$", "", text)  # in the (OpenSSL: ...)
        return _("the TLS handshake failed ({error}): check --tls-min/--tls-max and"
                 " --tls-servername; the server's log may say more").format(error=escape(text))
    from smtpsh.oswords import reason as os_reason

    return _("the TLS handshake failed: {error}").format(error=escape(os_reason(exc)))


# A TLS alert is the peer's one word on why it ended the handshake; OpenSSL names the ones
# it receives SSLV3_ALERT_*, TLSV1_ALERT_*, TLSV13_ALERT_*, and TLSV1_UNRECOGNIZED_NAME etc.
_ALERT = re.compile(r"(?:SSLV3|TLSV1|TLSV13)_(?:ALERT_)?([A-Z0-9_]+)")
_CLIENT_CERT_ALERTS = ("BAD_CERTIFICATE", "CERTIFICATE_UNKNOWN", "UNKNOWN_CA",
                       "UNSUPPORTED_CERTIFICATE", "CERTIFICATE_EXPIRED", "CERTIFICATE_REVOKED")


def _alert(alert: str, bounds: str, name: str | None) -> str:
    said = _("the server ended the handshake with an alert ({alert})").format(
        alert=alert.lower().replace("_", " "))
    shown = _quoted(name) if name else _("the host typed")
    versions = (_("widen --tls-min/--tls-max") if bounds else
                _("try --tls-min 1.0 or --tls-max 1.2"))
    if alert == "HANDSHAKE_FAILURE":
        why = _("it found no cipher or TLS version in common{bounds}, or it wants a client"
                " certificate: {versions}, or give --cert FILE --key FILE")
    elif alert == "PROTOCOL_VERSION":
        why = (_("it does not speak the TLS versions smtpsh offered{bounds}: widen"
                 " --tls-min/--tls-max") if bounds else
               _("it does not speak the TLS versions smtpsh offered: an old server may speak"
                 " only TLS 1.0 or 1.1: try --tls-min 1.0"))
    elif alert == "INTERNAL_ERROR":
        why = _("it may not have a certificate for this name ({name}), or it refuses this TLS"
                " version: try --tls-servername NAME with the name it serves, or --tls-max"
                " 1.2; the server's log says which")
    elif alert == "UNRECOGNIZED_NAME":
        why = _("it serves no certificate for {name}: connect by the name it serves, or give"
                " it with --tls-servername NAME")
    elif alert == "CERTIFICATE_REQUIRED":
        why = _("it wants a client certificate it trusts: give --cert FILE --key FILE")
    elif alert in _CLIENT_CERT_ALERTS:
        why = _("it wants a client certificate it trusts, and got none or one it refuses:"
                " give --cert FILE --key FILE, from a CA the server trusts and still valid")
    elif alert == "ACCESS_DENIED":
        why = _("it does not let this client in (its address or certificate): ask its admin,"
                " or give the --cert FILE --key FILE it expects")
    elif alert == "INSUFFICIENT_SECURITY":
        why = _("it wants stronger ciphers or a newer TLS: raise --tls-min or drop --tls-max")
    else:
        why = _("the server's log says why; try --tls-max 1.2, or --tls-servername NAME with"
                " the name it serves")
    return f"{said}: " + why.format(bounds=bounds, versions=versions, name=shown)


def _verify_failure(exc: ssl.SSLCertVerificationError, name: str | None,
                    cert: _Cert | None) -> str:
    code = exc.verify_code
    way = _("; or skip the checks with --insecure")
    if code in _NAME_MISMATCH:
        held = ", ".join(_names(cert)) if cert else _("(could not fetch them)")
        return _("the certificate is not valid for {name}: it holds {names}; connect by one"
                 " of those names or give it with --tls-servername NAME").format(
                     name=_quoted(name), names=held) + way
    if code == _EXPIRED:
        return (_("the server's certificate expired on {date} ({ago}): the server must renew"
                  " it").format(date=_date(cert.not_valid_after_utc), ago=_ago(cert)) if cert
                else _("the server's certificate expired: the server must renew it")) + way
    if code == _NOT_YET_VALID:
        return (_("the server's certificate is not valid before {date} (check this clock)")
                .format(date=_date(cert.not_valid_before_utc)) if cert else
                _("the server's certificate is not valid yet (check this clock)")) + way
    if code == _SELF_SIGNED:
        who = f" ({_short(cert.subject)})" if cert else ""
        return _("the server's certificate is self-signed{who}: if you expect it, trust it"
                 " with --cafile FILE").format(who=who) + way
    if code in _UNKNOWN_ISSUER or code == _SELF_SIGNED_IN_CHAIN:
        who = f" ({_short(cert.issuer)})" if cert else ""
        return _("the certificate comes from an issuer smtpsh does not trust{who}: trust that"
                 " CA with --cafile FILE").format(who=who) + way
    return _("certificate verification failed: {error}").format(
        error=escape(exc.verify_message)) + way


def _bounds(ctx: ssl.SSLContext | None) -> str:
    if ctx is None:
        return ""
    low = _NAMES.get(ctx.minimum_version)
    high = _NAMES.get(ctx.maximum_version)
    # 1.2 is Python's own floor: only name bounds the user can have set.
    parts = ([f"--tls-min {low}"] if low and low != "1.2" else []) + (
        [f"--tls-max {high}"] if high else [])
    return _(" within {bounds}").format(bounds=" ".join(parts)) if parts else ""


# --- the certificate card -----------------------------------------------------------------


def _load(der: bytes | None) -> _Cert | None:
    if not der:
        return None
    from cryptography import x509

    try:
        return x509.load_der_x509_certificate(der)
    except ValueError:
        return None


# Every text read from a certificate is the server's to choose: it is shown escaped (a CN
# holding ESC ] 0 ; ... BEL would retitle the terminal).


def _quoted(name: str | None) -> str:
    return repr(name) if name is None else f"'{escape(name, tab=True)}'"


def _dn(name: Name) -> str:
    """The whole distinguished name (RFC 4514), escaped."""
    return escape(name.rfc4514_string(), tab=True)


def _short(name: Name) -> str:
    """CN if there is one (what people recognise), else the whole name; escaped."""
    from cryptography.x509.oid import NameOID

    cn = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    if not cn:
        return _dn(name) or _("(empty name)")
    value = cn[0].value
    text = value.decode("utf-8", "surrogateescape") if isinstance(value, bytes) else value
    return "CN=" + escape(text, tab=True)


def _names(cert: _Cert) -> list[str]:
    """The names the certificate is valid for (SAN, else the CN), escaped."""
    from cryptography import x509

    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return [_short(cert.subject)]
    names = [escape(str(n), tab=True) for n in san.get_values_for_type(x509.DNSName)]
    names += [str(n) for n in san.get_values_for_type(x509.IPAddress)]
    return names or [_short(cert.subject)]


def _date(when: dt.datetime) -> str:
    return when.strftime("%Y-%m-%d %H:%M UTC")


def _ago(cert: _Cert) -> str:
    days = (dt.datetime.now(dt.UTC) - cert.not_valid_after_utc).days
    return _("today") if days < 1 else _("{days} days ago").format(days=days)


def _validity(cert: _Cert) -> str:
    now = dt.datetime.now(dt.UTC)
    start, end = cert.not_valid_before_utc, cert.not_valid_after_utc
    if now < start:
        state = _("NOT YET VALID")
    elif now > end:
        state = _("EXPIRED {ago}").format(ago=_ago(cert))
    else:
        state = _("{days} days left").format(days=(end - now).days)
    return _("{start} to {end} ({state})").format(start=_date(start), end=_date(end),
                                                  state=state)


def _key(cert: _Cert) -> str:
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    key = cert.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        return _("RSA {bits} bits").format(bits=key.key_size)
    if isinstance(key, ec.EllipticCurvePublicKey):
        return f"EC {key.curve.name}"
    return type(key).__name__.removeprefix("_").removesuffix("PublicKey")


def _fingerprint(cert: _Cert) -> str:
    from cryptography.hazmat.primitives import hashes

    return cert.fingerprint(hashes.SHA256()).hex(":").upper()


def peer_chain(ssl_object: ssl.SSLObject | ssl.SSLSocket) -> list[bytes] | None:
    """The chain as the server sent it (DER, leaf first); None where Python hides it."""
    public = getattr(ssl_object, "get_unverified_chain", None)  # Python 3.13+
    if public is not None:
        return list(public())
    # 3.10-3.12 have it on the C object only; still read-only facts about this connection.
    inner = getattr(getattr(ssl_object, "_sslobj", None), "get_unverified_chain", None)
    if inner is None:
        return None
    import _ssl

    return [c.public_bytes(_ssl.ENCODING_DER) for c in inner() or []]


def certificate_card(ssl_object: ssl.SSLObject | ssl.SSLSocket | None,
                     tls_info: TlsInfo | None) -> list[str]:
    """What a user wants to know about the connection's TLS and the server's certificate."""
    if ssl_object is None or tls_info is None:
        return [_("no TLS on this connection (STARTTLS, or connect with --tls)")]

    def row(label: str, value: str) -> str:  # the values in one column after the labels
        return f"{label:<12} {value}"

    cipher = ssl_object.cipher()
    bits = _(" ({bits} bits)").format(bits=cipher[2]) if cipher and cipher[2] else ""
    name = escape(tls_info.server_hostname or "", tab=True)
    verdict = (_("verified for {name}").format(name=name) if tls_info.verified
               else _("NOT verified (--insecure)"))
    lines = [row(_("protocol"), _("{version}, cipher {cipher}").format(
                 version=tls_info.version, cipher=escape(tls_info.cipher)) + bits),
             row(_("certificate"), verdict)]
    cert = _load(ssl_object.getpeercert(binary_form=True))
    if cert is None:
        return [*lines, _("the server sent no certificate")]
    lines += [
        row(_("subject"), _dn(cert.subject) or _("(empty)")),
        row(_("names"), ", ".join(_names(cert))),
        row(_("issuer"), _dn(cert.issuer)),
        row(_("valid"), _validity(cert)),
        row(_("key"), _key(cert)),
        row("sha256", _fingerprint(cert)),
    ]
    chain = peer_chain(ssl_object)
    if chain is None:
        return [*lines, row(_("chain"), _("not available from this Python (3.13 shows it)"))]
    lines.append(row(_("chain"), plural(
        len(chain), _("{count} certificate as the server sent it:"),
        _("{count} certificates as the server sent them:"))))
    for i, der in enumerate(chain):
        c = _load(der)
        lines.append(f"  {i}  " + (_("{subject}  <- issued by {issuer}").format(
            subject=_short(c.subject), issuer=_short(c.issuer)) if c else _("(unreadable)")))
    return lines
