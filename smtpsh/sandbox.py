"""The sandbox: a real SMTP server (aiosmtpd) on loopback, for learning and for demos.

It accepts any message, saves each one as an .eml file in a folder it names, and reports
what it received (envelope and headers) through a callback, so the dialog shows both sides.
It offers STARTTLS with a certificate made at start (its own small CA, written to the folder),
and AUTH after STARTTLS with demo credentials made at start too.
"""

from __future__ import annotations

import datetime as dt
import hmac
import ipaddress
import logging
import os
import secrets
import socket
import ssl
import tempfile
import threading
from collections.abc import Callable
from email.parser import BytesHeaderParser
from typing import Any

from smtpsh.escape import escape

HOSTNAME = "sandbox.smtpsh.test"
CERT_NAMES = ("localhost", "127.0.0.1", HOSTNAME)
DEMO_USER = "demo"
SHOWN_HEADERS = ("From", "To", "Subject", "Date", "Message-ID")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Handler:
    def __init__(self, folder: str, report: Callable[[str], None]) -> None:
        self.folder = folder
        self.report = report
        self.count = 0
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self._lock:
            self.count += 1
            n = self.count
        data: bytes = envelope.original_content or envelope.content
        path = os.path.join(self.folder, f"{n:04d}.eml")
        with open(path, "wb") as f:
            f.write(data)
        headers = BytesHeaderParser().parsebytes(data)
        lines = [
            f"sandbox: message {n} accepted, {len(data)} octets, saved as {path}",
            f"sandbox:   envelope from <{envelope.mail_from}> to "
            + ", ".join(f"<{r}>" for r in envelope.rcpt_tos),
        ]
        lines += [f"sandbox:   {h}: {headers[h]}" for h in SHOWN_HEADERS if headers[h]]
        # The envelope and headers are the client's to choose: shown escaped.
        self.report("\n".join(escape(line, tab=True) for line in lines))
        return f"250 2.0.0 Ok: queued as sandbox-{n:04d}"


def make_certificates(folder: str) -> tuple[str, str, str]:
    """A CA and a leaf for CERT_NAMES, as PEM files in `folder`: (ca, cert, key) paths.

    EC P-256 keys: made in milliseconds, so the sandbox starts at once.
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = dt.datetime.now(dt.UTC)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())

    def builder(subject: str, public: ec.EllipticCurvePublicKey) -> x509.CertificateBuilder:
        return (x509.CertificateBuilder()
                .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
                .public_key(public)
                .serial_number(x509.random_serial_number())
                .not_valid_before(now - dt.timedelta(minutes=5))  # a clock a little behind
                .not_valid_after(now + dt.timedelta(days=30))
                .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), False))

    ca_name = "smtpsh sandbox CA (made for this run)"
    ca_ski = x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key())
    ca = (builder(ca_name, ca_key.public_key())
          .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, ca_name)]))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), True)
          .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False,
                                       False), True)
          .sign(ca_key, hashes.SHA256()))
    sans: list[x509.GeneralName] = [x509.DNSName("localhost"), x509.DNSName(HOSTNAME),
                                    x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    leaf = (builder(HOSTNAME, key.public_key())
            .issuer_name(ca.subject)
            .add_extension(x509.SubjectAlternativeName(sans), False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(
                ca_ski), False)
            .sign(ca_key, hashes.SHA256()))
    paths = tuple(os.path.join(folder, n) for n in ("ca.pem", "cert.pem", "key.pem"))
    pem = serialization.Encoding.PEM
    with open(paths[0], "wb") as f:
        f.write(ca.public_bytes(pem))
    with open(paths[1], "wb") as f:
        f.write(leaf.public_bytes(pem))
    fd = os.open(paths[2], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(key.private_bytes(pem, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    return paths[0], paths[1], paths[2]


class Sandbox:
    """Start with `start()`, stop with `stop()`; `port` and `folder` say where it is."""

    def __init__(self, report: Callable[[str], None], port: int | None = None,
                 folder: str | None = None) -> None:
        self.folder = folder or tempfile.mkdtemp(prefix="smtpsh-sandbox-")
        os.makedirs(self.folder, exist_ok=True)
        self.port = port or free_port()
        self.report = report
        self._controller: Any = None
        self.cafile: str | None = None  # set when the sandbox offers STARTTLS
        self.credentials: dict[str, str] = {}  # demo credentials, when it offers AUTH

    def describe(self) -> list[str]:
        """What a user needs to know about the running sandbox, as note lines."""
        lines = [f"sandbox: SMTP server on 127.0.0.1 port {self.port}; messages are saved"
                 f" in {self.folder}"]
        if self.cafile:
            lines += [f"sandbox: STARTTLS with a certificate made for this run, for"
                      f" {', '.join(CERT_NAMES)}",
                      f"sandbox: to trust it: --cafile {self.cafile} (smtpsh --sandbox does"
                      " this itself), or skip the checks with --insecure"]
        if self.credentials:
            lines.append(f"sandbox: AUTH PLAIN or LOGIN after STARTTLS, demo credentials:"
                         f" user {self.credentials['user']},"
                         f" password {self.credentials['password']}")
        return lines

    def _authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str,
                      auth_data: Any) -> Any:
        from aiosmtpd.smtp import AuthResult, LoginPassword

        ok = isinstance(auth_data, LoginPassword) and all(
            hmac.compare_digest(got, want.encode()) for got, want in (
                (auth_data.login, self.credentials["user"]),
                (auth_data.password, self.credentials["password"])))
        # handled=False: aiosmtpd then sends 535 itself; with the default it sends nothing.
        return AuthResult(success=ok, handled=False)

    def start(self) -> None:
        from aiosmtpd.controller import Controller  # lazy: only the sandbox pays for it

        # aiosmtpd logs warnings (unrecognised commands, a login_data deprecation notice on
        # each AUTH) to stderr, i.e. onto the user's dialog; the sandbox reports what matters
        # through its notes instead.
        logging.getLogger("mail.log").setLevel(logging.ERROR)
        ca, cert, key = make_certificates(self.folder)
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(cert, key)
        self.cafile = ca
        self.credentials = {"user": DEMO_USER, "password": secrets.token_hex(4)}
        handler = _Handler(self.folder, lambda text: self.report(text))
        self._controller = Controller(
            handler,
            hostname="127.0.0.1",
            port=self.port,
            server_hostname=HOSTNAME,  # else aiosmtpd asks getfqdn(), slow without DNS
            ident="ESMTP smtpsh sandbox",
            tls_context=tls,
            authenticator=self._authenticate,
            auth_require_tls=True,  # AUTH appears only after STARTTLS
        )
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
