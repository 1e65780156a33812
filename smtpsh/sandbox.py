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
import shutil
import socket
import ssl
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from smtpsh.escape import escape
from smtpsh.findings import Card
from smtpsh.i18n import _
from smtpsh.sandbox_rules import RuleSet
from smtpsh.sandbox_smtp import (
    HOSTNAME,
    Handler,
    ServerOptions,
    _peer,
    client_tls_failure,
    make_smtp_class,
)

CERT_NAMES = ("localhost", "127.0.0.1", HOSTNAME)
DEMO_USER = "demo"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _OneLineLog(logging.Handler):
    """What aiosmtpd and asyncio still log at ERROR: one line each, no traceback."""

    def __init__(self, report: Callable[[str], None]) -> None:
        super().__init__(logging.ERROR)
        self.report = report

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
            if record.exc_info and record.exc_info[1] is not None:
                exc = record.exc_info[1]
                text += f": {type(exc).__name__}" + (f": {exc}" if str(exc) else "")
            self.report(escape(f"sandbox: {text}", tab=True))
        except Exception:  # a report must never take the server down
            pass


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


@dataclass(frozen=True)
class SavedMessage:
    """One saved .eml: its number and what :messages lists (escaped: the client chose it)."""

    number: int
    path: str
    sender: str
    recipients: str
    subject: str
    size: int

    @classmethod
    def read(cls, path: str) -> SavedMessage:
        from email.header import decode_header, make_header
        from email.parser import BytesHeaderParser

        with open(path, "rb") as f:
            data = f.read()
        headers = BytesHeaderParser().parsebytes(data)

        def field(name: str) -> str:
            value = headers.get(name)
            if value is None:
                return ""
            try:
                text = str(make_header(decode_header(str(value))))
            except (ValueError, LookupError, UnicodeError):
                text = str(value)
            return escape(" ".join(text.split()), tab=True)

        return cls(int(os.path.basename(path)[:-4]), path, field("From"), field("To"),
                   field("Subject"), len(data))

    def show(self, width: int | None = None, lines: int = 200,
             nameserver: str | None = None) -> str:
        """The message for :show N: what `smtpsh --received` shows (the Received chain, then
        the forensics; DKIM and ARC keys only through `nameserver`, never the system's
        resolver), then the text (escaped, at most `lines` lines)."""
        from smtpsh.forensics import KeyLookup
        from smtpsh.message import message_view

        with open(self.path, "rb") as f:
            data = f.read()
        text = data.decode("utf-8", "surrogateescape")
        body = text.replace("\r\n", "\n").split("\n")
        view = message_view(data, width, KeyLookup(nameserver, 3.0, system=False))
        out = [_("message {number}: {path}, {size} octets").format(
                   number=self.number, path=self.path, size=self.size),
               _("Received chain (smtpsh --received):"), view, ""]
        out += [escape(line) for line in body[:lines]]
        if len(body) > lines:
            out.append(_("[{count} more lines: {path}]").format(count=len(body) - lines,
                                                                 path=self.path))
        return "\n".join(out).rstrip("\n")


def message_listing(messages: list[SavedMessage], width: int | None = None) -> str:
    """The table of :messages: number, from, to, subject, size."""
    from smtpsh.shell import human_size

    if not messages:
        return _("no messages yet: the sandbox saves each message it accepts")
    # The column names as one sentence: "from", "to" alone mean other things elsewhere.
    names = _("from|to|subject|size").split("|")
    rows = [("#", *names)] + [
        (str(m.number), m.sender or "-", m.recipients or "-", m.subject or "-",
         human_size(m.size)) for m in messages]
    room = max(20, (width or 100) - 20)
    cut = [room * 3 // 10, room * 3 // 10, room * 4 // 10]

    def fit(text: str, n: int) -> str:
        return text if len(text) <= n else text[:n - 1] + "…"

    rows = [(a, fit(b, cut[0]), fit(c, cut[1]), fit(d, cut[2]), e) for a, b, c, d, e in rows]
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True))
                     .rstrip()
                     for r in rows)


class Sandbox:
    """Start with `start()`, stop with `stop()`; `port` and `folder` say where it is."""

    def __init__(self, report: Callable[[str], None], port: int | None = None,
                 folder: str | None = None, strict: bool = True,
                 rules: RuleSet | None = None, view: bool = False,
                 card: Callable[[Card], None] | None = None,
                 record_raw: str | None = None) -> None:
        # A folder of its own is removed at stop (with key.pem); a folder given is kept.
        self.temporary = folder is None
        self.folder = folder or tempfile.mkdtemp(prefix="smtpsh-sandbox-")
        os.makedirs(self.folder, exist_ok=True)
        if record_raw:
            os.makedirs(record_raw, mode=0o700, exist_ok=True)
        self.options = ServerOptions(strict=strict, rules=rules or RuleSet(), view=view,
                                     card=card, record_raw=record_raw)
        self.port = port or free_port()
        self.report = report
        self._controller: Any = None
        self._log: logging.Handler | None = None
        self.cafile: str | None = None  # set when the sandbox offers STARTTLS
        self.credentials: dict[str, str] = {}  # demo credentials, when it offers AUTH

    def describe(self) -> list[str]:
        """What a user needs to know about the running sandbox, as note lines."""
        strict = (_("sandbox: strict SMTP server on 127.0.0.1 port {port}; messages are saved"
                    " in {folder}") if self.options.strict else
                  _("sandbox: lenient SMTP server on 127.0.0.1 port {port}; messages are saved"
                    " in {folder}"))
        lines = [strict.format(port=self.port, folder=self.folder)]
        if self.cafile:
            lines += [_("sandbox: STARTTLS with a certificate made for this run, for"
                        " {names}").format(names=", ".join(CERT_NAMES)),
                      _("sandbox: to trust it: --cafile {cafile} (smtpsh --sandbox does this"
                        " itself), or skip the checks with --insecure").format(
                            cafile=self.cafile)]
        if self.temporary:
            lines.append(_("sandbox: the folder is removed at exit, messages and all: keep it"
                           " with --sandbox-dir DIR"))
        if self.credentials:
            lines.append(_("sandbox: AUTH PLAIN or LOGIN after STARTTLS, demo credentials:"
                           " {credentials}").format(credentials=self.credentials_phrase()))
        return lines

    def credentials_phrase(self) -> str:
        """"user demo, password ...": one phrase, which the banner never splits."""
        return _("user {user}, password {password}").format(
            user=self.credentials["user"], password=self.credentials["password"])

    def messages(self) -> list[SavedMessage]:
        """The messages saved so far, oldest first (`:messages`)."""
        try:
            names = sorted(n for n in os.listdir(self.folder)
                           if n.endswith(".eml") and n[:-4].isdigit())
        except OSError:
            return []
        return [SavedMessage.read(os.path.join(self.folder, n)) for n in names]

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
        # What is left at ERROR (a failed client handshake, a bug) is one line, never a
        # traceback: a class can throw any client at the sandbox.
        log = logging.getLogger("mail.log")
        log.setLevel(logging.ERROR)
        self._log = _OneLineLog(self._report_line)
        log.addHandler(self._log)
        log.propagate = False
        ca, cert, key = make_certificates(self.folder)
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(cert, key)
        self.cafile = ca
        self.credentials = {"user": DEMO_USER, "password": secrets.token_hex(4)}
        handler = Handler(self.folder, self._report_line, self.options)
        smtp_class = make_smtp_class(self.options, self._report_line)

        class _Controller(Controller):  # type: ignore[misc]
            def factory(self) -> Any:
                return smtp_class(self.handler, **self.SMTP_kwargs)

        self._controller = _Controller(
            handler,
            hostname="127.0.0.1",
            port=self.port,
            server_hostname=HOSTNAME,  # else aiosmtpd asks getfqdn(), slow without DNS
            ident="ESMTP smtpsh sandbox",
            tls_context=tls,
            authenticator=self._authenticate,
            auth_require_tls=True,  # AUTH appears only after STARTTLS
            enable_SMTPUTF8=True,
        )
        self._controller.loop.set_exception_handler(self._loop_exception)
        self._controller.start()
        self.options.ready = True

    def _report_line(self, text: str) -> None:
        try:
            self.report(text)
        except RuntimeError:  # the dialog's loop has closed: nobody to tell
            pass

    def _loop_exception(self, loop: Any, context: dict[str, Any]) -> None:
        """asyncio's own reports from the server's loop (a transport that failed on its
        own): one line, not the default handler's traceback."""
        exc = context.get("exception")
        peer = context.get("transport")
        peer = peer.get_extra_info("peername") if peer is not None else None
        what = context.get("message") or "error"
        if exc is not None:
            what += f": {client_tls_failure(exc)}" if isinstance(exc, ssl.SSLError) else (
                f": {type(exc).__name__}" + (f": {exc}" if str(exc) else ""))
        line = (_("client {peer}: {report}").format(peer=_peer(peer), report=what) if peer
                else f"sandbox: {what}")
        self._report_line(escape(line, tab=True))

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
        if self._log is not None:
            log = logging.getLogger("mail.log")
            log.removeHandler(self._log)
            log.propagate = not log.handlers
            self._log = None
        if self.temporary:
            shutil.rmtree(self.folder, ignore_errors=True)
