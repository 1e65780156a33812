"""TLS settings, the client context, failures in plain words, and the certificate card.

Through the stdlib ssl module only; `cryptography` just reads the certificate's DER.
"""

from __future__ import annotations

import datetime as dt
import os
import ssl
from dataclasses import dataclass
from typing import TYPE_CHECKING

from smtpsh.escape import escape
from smtpsh.exitcodes import Exit, Failure

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
_CLIENT_CERT_REASONS = ("TLSV13_ALERT_CERTIFICATE_REQUIRED", "SSLV3_ALERT_BAD_CERTIFICATE",
                        "TLSV1_ALERT_UNKNOWN_CA", "SSLV3_ALERT_CERTIFICATE_UNKNOWN")


@dataclass(frozen=True)
class TlsOptions:
    insecure: bool = False  # skip verification of chain and name
    cafile: str | None = None
    servername: str | None = None  # SNI and the name to verify, when not the host typed
    min_version: str | None = None
    max_version: str | None = None
    certfile: str | None = None
    keyfile: str | None = None
    keylog: str | None = None


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
        raise _file_failure("--cafile", opts.cafile, exc, "no PEM certificate in it") from None
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
                                "not a PEM certificate with its key") from None
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
    why = bad_content if isinstance(exc, ssl.SSLError) else (exc.strerror or str(exc))
    return Failure(f"cannot use {flag} {path}: {why}", Exit.ERROR)


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
    """One line: what went wrong in the handshake and how to go on.

    `implicit`: TLS from the first byte (--tls) rather than after STARTTLS; `cert`: the DER
    of the server's certificate, fetched unverified, to name what it holds.
    """
    if isinstance(exc, ssl.SSLCertVerificationError):
        return _verify_failure(exc, server_hostname, _load(cert))
    reason = getattr(exc, "reason", None) or ""
    if reason == "WRONG_VERSION_NUMBER":
        if implicit:
            return ("no TLS on this port: it speaks plain SMTP first: use STARTTLS"
                    " (--starttls instead of --tls)")
        return "the server agreed to STARTTLS but then did not speak TLS (wrong version number)"
    bounds = _bounds(ctx)
    if reason in _VERSION_REASONS:
        return (f"no TLS version in common with the server{bounds}: widen --tls-min/--tls-max"
                if bounds else "no TLS version in common with the server")
    if reason in _CLIENT_CERT_REASONS:
        return "the server wants a client certificate it trusts: give --cert FILE --key FILE"
    if reason == "SSLV3_ALERT_HANDSHAKE_FAILURE":
        return "the server refused the handshake: no cipher or TLS version in common" + (
            f"{bounds}: widen --tls-min/--tls-max" if bounds else "")
    if isinstance(exc, ConnectionError | ssl.SSLEOFError) or reason.startswith("UNEXPECTED_EOF"):
        if bounds:
            return (f"the server broke off the TLS handshake{bounds}: it may speak no TLS"
                    " version in that range: widen --tls-min/--tls-max")
        return ("the server broke off the TLS handshake (closed the connection): it may want"
                " TLS versions or ciphers smtpsh does not offer, or a client certificate (--cert)")
    if isinstance(exc, TimeoutError):
        return "the TLS handshake timed out: the server did not answer it"
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return f"TLS failed: {escape(text)}"


def _verify_failure(exc: ssl.SSLCertVerificationError, name: str | None,
                    cert: _Cert | None) -> str:
    code = exc.verify_code
    way = "; or skip the checks with --insecure"
    if code in _NAME_MISMATCH:
        held = ", ".join(_names(cert)) if cert else "(could not fetch them)"
        return (f"the certificate is not valid for {_quoted(name)}: it holds {held}; connect"
                f" by one"
                f" of those names or give it with --tls-servername NAME{way}")
    if code == _EXPIRED:
        when = f" on {_date(cert.not_valid_after_utc)} ({_ago(cert)})" if cert else ""
        return f"the server's certificate expired{when}: the server must renew it{way}"
    if code == _NOT_YET_VALID:
        when = f" before {_date(cert.not_valid_before_utc)}" if cert else " yet"
        return f"the server's certificate is not valid{when} (check this clock){way}"
    if code == _SELF_SIGNED:
        who = f" ({_short(cert.subject)})" if cert else ""
        return (f"the server's certificate is self-signed{who}: if you expect it, trust it"
                f" with --cafile FILE{way}")
    if code in _UNKNOWN_ISSUER or code == _SELF_SIGNED_IN_CHAIN:
        who = f" ({_short(cert.issuer)})" if cert else ""
        return (f"the certificate comes from an issuer smtpsh does not trust{who}: trust that"
                f" CA with --cafile FILE{way}")
    return f"certificate verification failed: {escape(exc.verify_message)}{way}"


def _bounds(ctx: ssl.SSLContext | None) -> str:
    if ctx is None:
        return ""
    low = _NAMES.get(ctx.minimum_version)
    high = _NAMES.get(ctx.maximum_version)
    # 1.2 is Python's own floor: only name bounds the user can have set.
    parts = ([f"--tls-min {low}"] if low and low != "1.2" else []) + (
        [f"--tls-max {high}"] if high else [])
    return f" within {' '.join(parts)}" if parts else ""


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
        return _dn(name) or "(empty name)"
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
    return "today" if days < 1 else f"{days} days ago"


def _validity(cert: _Cert) -> str:
    now = dt.datetime.now(dt.UTC)
    start, end = cert.not_valid_before_utc, cert.not_valid_after_utc
    if now < start:
        state = "NOT YET VALID"
    elif now > end:
        state = f"EXPIRED {_ago(cert)}"
    else:
        state = f"{(end - now).days} days left"
    return f"{_date(start)} to {_date(end)} ({state})"


def _key(cert: _Cert) -> str:
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    key = cert.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        return f"RSA {key.key_size} bits"
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
        return ["no TLS on this connection (STARTTLS, or connect with --tls)"]
    cipher = ssl_object.cipher()
    bits = f" ({cipher[2]} bits)" if cipher and cipher[2] else ""
    name = escape(tls_info.server_hostname or "", tab=True)
    verdict = (f"verified for {name}" if tls_info.verified
               else "NOT verified (--insecure)")
    lines = [f"protocol     {tls_info.version}, cipher {escape(tls_info.cipher)}{bits}",
             f"certificate  {verdict}"]
    cert = _load(ssl_object.getpeercert(binary_form=True))
    if cert is None:
        return [*lines, "the server sent no certificate"]
    lines += [
        f"subject      {_dn(cert.subject) or '(empty)'}",
        f"names        {', '.join(_names(cert))}",
        f"issuer       {_dn(cert.issuer)}",
        f"valid        {_validity(cert)}",
        f"key          {_key(cert)}",
        f"sha256       {_fingerprint(cert)}",
    ]
    chain = peer_chain(ssl_object)
    if chain is None:
        return [*lines, "chain        not available from this Python (3.13 shows it)"]
    lines.append(f"chain        {len(chain)} certificate(s) as the server sent them:")
    for i, der in enumerate(chain):
        c = _load(der)
        lines.append(f"  {i}  {_short(c.subject)}  <- issued by {_short(c.issuer)}" if c
                     else f"  {i}  (unreadable)")
    return lines
