"""Real servers on loopback for `--check` tests: STARTTLS MX hosts (aiosmtpd, trustme
certificates) on 127.0.0.x sharing one port, a scripted server vulnerable to STARTTLS command
injection, an HTTPS server for MTA-STS policies, and NSD + a validating Unbound serving a
signed zone (the recipe of TESTING-2 item 1) so that the AD bit is real."""

from __future__ import annotations

import hashlib
import http.server
import os
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme
from aiosmtpd.controller import Controller
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat


def free_port_on(*addresses: str) -> int:
    """A TCP port free on every one of `addresses` (all MX hosts share the -p port)."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind((addresses[0], 0))
            port = s.getsockname()[1]
        try:
            for address in addresses[1:]:
                with socket.socket() as s:
                    s.bind((address, port))
            return port
        except OSError:
            continue
    raise OSError("no port free on all addresses")


def spki_sha256(cert: trustme.LeafCert) -> str:
    c = x509.load_pem_x509_certificate(cert.cert_chain_pems[0].bytes())
    spki = c.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(spki).hexdigest()


def cert_sha512(pem: bytes) -> str:
    der = x509.load_pem_x509_certificate(pem).public_bytes(Encoding.DER)
    return hashlib.sha512(der).hexdigest()


class Handler:
    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802
        raise AssertionError("--check must never send a message")


def starttls_mx(ca: trustme.CA, name: str, address: str, port: int, old_tls: bool = False,
                cert: trustme.LeafCert | None = None) -> tuple[Controller, trustme.LeafCert]:
    cert = cert if cert is not None else ca.issue_cert(name)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    cert.configure_cert(ctx)
    if old_tls:  # a server that still takes TLS 1.0 and 1.1
        ctx.minimum_version = ssl.TLSVersion.TLSv1
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    c = Controller(Handler(), hostname=address, port=port, server_hostname=name,
                   tls_context=ctx)
    c.start()
    return c, cert


class VulnerableMX:
    """A scripted STARTTLS server with the CVE-2011-0411 bug: the bytes that came in clear
    text with STARTTLS are kept and read as commands after the handshake."""

    def __init__(self, ca: trustme.CA, name: str, address: str, port: int,
                 in_clear: bool = False) -> None:
        """`in_clear`: answer the commands that came with STARTTLS in clear text, after the
        220 and before the handshake, instead of inside TLS."""
        self.name = name
        self.in_clear = in_clear
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ca.issue_cert(name).configure_cert(self.ctx)
        self.sock = socket.create_server((address, port))
        self.sock.settimeout(0.2)
        self.done = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.done:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            threading.Thread(target=self._session, args=(conn,), daemon=True).start()

    def _session(self, conn: socket.socket) -> None:
        conn.settimeout(10)
        sock: socket.socket | ssl.SSLSocket = conn
        buf = b""
        try:
            sock.sendall(f"220 {self.name} ESMTP vulnerable\r\n".encode())
            while True:
                while b"\n" not in buf:
                    data = sock.recv(4096)
                    if not data:
                        return
                    buf += data
                line, _, buf = buf.partition(b"\n")
                verb = line.strip().split(b" ")[0].upper()
                if verb == b"EHLO":
                    sock.sendall(f"250-{self.name}\r\n250-PIPELINING\r\n250 STARTTLS\r\n"
                                 .encode())
                elif verb == b"STARTTLS":
                    if self.in_clear:  # one write, as a server flushing its output does
                        sock.sendall(b"220 go ahead\r\n" + b"250 ok\r\n" * buf.count(b"\n"))
                        buf = b""
                    else:
                        sock.sendall(b"220 go ahead\r\n")
                    sock = self.ctx.wrap_socket(conn, server_side=True)  # buf is kept: the bug
                elif verb == b"QUIT":
                    sock.sendall(b"221 bye\r\n")
                    return
                else:
                    sock.sendall(b"250 ok\r\n")
        except OSError:
            return
        finally:
            conn.close()

    def stop(self) -> None:
        self.done = True
        self.thread.join(2)
        self.sock.close()


class PolicyServer:
    """HTTPS on loopback with a trustme certificate; `pages` maps a path to
    (status, content type, body, extra headers), read at each request."""

    def __init__(self, ca: trustme.CA, name: str, address: str = "127.0.0.9") -> None:
        self.pages: dict[str, tuple[int, str, bytes, dict[str, str]]] = {}
        pages = self.pages

        class Pages(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                status, ctype, body, headers = pages.get(
                    self.path, (404, "text/plain", b"not found", {}))
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ca.issue_cert(name).configure_cert(ctx)
        self.httpd = http.server.ThreadingHTTPServer((address, 0), Pages)
        self.httpd.socket = ctx.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def policy(self, text: str, status: int = 200, ctype: str = "text/plain",
               headers: dict[str, str] | None = None) -> None:
        self.pages["/.well-known/mta-sts.txt"] = (status, ctype, text.encode(), headers or {})

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


# --- NSD + validating Unbound (TESTING-2 item 1) -------------------------------------------

NSD_CONF = """server:
    ip-address: 127.0.0.1@{nsd_port}
    do-ip6: no
    server-count: 1
    username: ""
    chroot: ""
    zonesdir: "{d}"
    database: ""
    zonelistfile: "{d}/nsd/zone.list"
    xfrdfile: "{d}/nsd/xfrd.state"
    xfrdir: "{d}/nsd"
    pidfile: "{d}/nsd/nsd.pid"
    logfile: "{d}/nsd/nsd.log"
remote-control:
    control-enable: no
zone:
    name: "{zone}"
    zonefile: "{zone}.zone.signed"
{extra_nsd}"""

UNBOUND_CONF = """server:
    interface: 127.0.0.1@{unbound_port}
    do-ip6: no
    do-daemonize: no
    username: ""
    chroot: ""
    directory: "{d}/unbound"
    pidfile: "{d}/unbound/unbound.pid"
    use-syslog: no
    logfile: ""
    verbosity: 1
    num-threads: 1
    access-control: 127.0.0.0/8 allow
    do-not-query-localhost: no
    local-zone: "test." nodefault
    local-zone: "127.in-addr.arpa." nodefault
    trust-anchor-file: "{d}/unbound/anchor.ds"
    val-bogus-ttl: 1
{insecure}remote-control:
    control-enable: no
stub-zone:
    name: "{zone}"
    stub-addr: 127.0.0.1@{nsd_port}
{extra_unbound}forward-zone:
    name: "."
    forward-addr: 127.0.0.1@{nsd_port}
"""

PROGRAMS = ("nsd", "unbound", "ldns-keygen", "ldns-signzone")


def find(name: str) -> str | None:
    return shutil.which(name, path=os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin"]))


def need_programs() -> None:
    """Missing programs skip the test, except in CI, which installs them: there, fail."""
    missing = [p for p in PROGRAMS if find(p) is None]
    if missing:
        msg = (f"{', '.join(missing)} not installed (scripts/install-test-deps.sh installs"
               " nsd, unbound, ldnsutils)")
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)


class SignedZone:
    """`zone` signed with fresh keys, served by NSD, validated by Unbound (trust anchor: the
    KSK's DS). `tamper(old, new)`: change one record's data after signing (RRSIG kept), so
    that it is bogus. `nameserver`: Unbound, as --nameserver takes it."""

    def __init__(self, zone: str, records: str, tamper: tuple[str, str] | None = None,
                 unsigned: dict[str, str] | None = None) -> None:
        """`unsigned`: more zones (name -> records), served unsigned and insecure (a
        reverse zone for PTR records)."""
        self.zone = zone
        self.dir = Path(tempfile.mkdtemp(prefix="smtpsh-dnssec-"))
        self.nsd_port, self.unbound_port = free_udp_tcp_ports(2)
        self.procs: list[subprocess.Popen[bytes]] = []
        d = self.dir
        (d / "nsd").mkdir()
        (d / "unbound").mkdir()
        head = (f"$ORIGIN {zone}.\n$TTL 300\n@ IN SOA ns1 hostmaster ( 1 3600 600 86400 300 )\n"
                "@ IN NS ns1\nns1 IN A 127.0.0.1\n")
        (d / f"{zone}.zone").write_text(head + records)
        run = {"cwd": d, "check": True, "capture_output": True, "text": True}
        zsk = subprocess.run([find("ldns-keygen"), "-a", "ECDSAP256SHA256", zone],
                             **run).stdout.strip()  # type: ignore[call-overload]
        ksk = subprocess.run([find("ldns-keygen"), "-a", "ECDSAP256SHA256", "-k", zone],
                             **run).stdout.strip()  # type: ignore[call-overload]
        subprocess.run([find("ldns-signzone"), "-o", zone, "-f", f"{zone}.zone.signed",
                        f"{zone}.zone", zsk, ksk], **run)  # type: ignore[call-overload]
        shutil.copy(d / f"{ksk}.ds", d / "unbound" / "anchor.ds")
        if tamper:
            signed = d / f"{zone}.zone.signed"
            text = signed.read_text()
            assert tamper[0] in text, tamper
            signed.write_text(text.replace(tamper[0], tamper[1]))
        extra_nsd = extra_unbound = insecure = ""
        for name, text in (unsigned or {}).items():
            (d / f"{name}.zone").write_text(
                f"$ORIGIN {name}.\n$TTL 300\n@ IN SOA ns1.{zone}. hostmaster.{zone}. ( 1 3600"
                f" 600 86400 300 )\n@ IN NS ns1.{zone}.\n{text}")
            extra_nsd += f'zone:\n    name: "{name}"\n    zonefile: "{name}.zone"\n'
            extra_unbound += (f'stub-zone:\n    name: "{name}"\n    stub-addr:'
                              f' 127.0.0.1@{self.nsd_port}\n')
            insecure += f'    domain-insecure: "{name}"\n'
        fmt = {"d": d, "zone": zone, "nsd_port": self.nsd_port,
               "unbound_port": self.unbound_port, "extra_nsd": extra_nsd,
               "extra_unbound": extra_unbound, "insecure": insecure}
        (d / "nsd" / "nsd.conf").write_text(NSD_CONF.format(**fmt))
        (d / "unbound" / "unbound.conf").write_text(UNBOUND_CONF.format(**fmt))

    @property
    def nameserver(self) -> str:
        return f"127.0.0.1:{self.unbound_port}"

    def start(self) -> SignedZone:
        out = open(self.dir / "servers.log", "wb")  # noqa: SIM115
        # -d: NSD in the foreground, so it is our child and is reaped on stop.
        self.procs.append(subprocess.Popen([find("nsd"), "-d", "-c",
                                            str(self.dir / "nsd" / "nsd.conf")],
                                           stdout=out, stderr=subprocess.STDOUT))
        self._wait(self.nsd_port)
        self.procs.append(subprocess.Popen([find("unbound"), "-c",
                                            str(self.dir / "unbound" / "unbound.conf")],
                                           stdout=out, stderr=subprocess.STDOUT))
        self._wait(self.unbound_port)
        return self

    def _wait(self, port: int, timeout: float = 15.0) -> None:
        import dns.message
        import dns.query
        import dns.rcode

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for p in self.procs:
                if p.poll() is not None:
                    raise RuntimeError(f"DNS server exited: {self.log()}")
            try:
                q = dns.message.make_query(self.zone, "SOA")
                r = dns.query.udp(q, "127.0.0.1", port=port, timeout=0.5)
                if r.rcode() == dns.rcode.NOERROR:
                    return
            except Exception:  # noqa: BLE001 - not up yet
                pass
            time.sleep(0.05)
        raise RuntimeError(f"no answer on port {port}: {self.log()}")

    def log(self) -> str:
        try:
            return (self.dir / "servers.log").read_text(errors="replace")[-2000:]
        except OSError:
            return ""

    def stop(self) -> None:
        for p in self.procs:
            p.terminate()
        for p in self.procs:
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def free_udp_tcp_ports(n: int) -> list[int]:
    ports: list[int] = []
    while len(ports) < n:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
            u.bind(("127.0.0.1", 0))
            port = u.getsockname()[1]
            try:
                with socket.socket() as t:
                    t.bind(("127.0.0.1", port))
            except OSError:
                continue
        if port not in ports:
            ports.append(port)
    return ports


@pytest.fixture(scope="module")
def check_ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def check_ca_file(check_ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("checkca") / "ca.pem"
    check_ca.cert_pem.write_to_path(str(path))
    return str(path)


def running(*items: object) -> Iterator[None]:
    try:
        yield
    finally:
        for item in items:
            item.stop()  # type: ignore[attr-defined]


# --- Postfix with chosen certificates ---------------------------------------------------------


class CertPostfix:
    """A Postfix of its own (tests/postfix.py's configuration, without Dovecot) with one smtpd
    on a loopback port per certificate: `certs` maps a name to the trustme leaf it serves
    (with its chain). TLS 1.2 at least, as a current MX is set up. `ports[name]`."""

    def __init__(self, certs: dict[str, trustme.LeafCert]) -> None:
        from postfix import Postfix, free_ports

        self.root = Path(tempfile.mkdtemp(prefix="smtpsh-check-postfix-"))
        self.server = Postfix(self.root)
        # Only our services listen: the fixture's own ports are never probed.
        self.server.smtps_port = self.server.proxy_protocol_port = -1
        self.certs = certs
        self.ports = dict(zip(certs, free_ports(len(certs)), strict=True))

    def start(self) -> CertPostfix:
        from postfix import MASTER_CF

        server = self.server
        try:
            server._write_config()
            etc = server.config_dir
            services = ""
            for name, cert in self.certs.items():
                key, chain = etc / f"{name}.key.pem", etc / f"{name}.cert.pem"
                cert.private_key_pem.write_to_path(str(key))
                key.chmod(0o600)
                chain.write_bytes(b"".join(blob.bytes() for blob in cert.cert_chain_pems))
                services += (f"127.0.0.1:{self.ports[name]} inet n - n - - smtpd\n"
                             f"  -o syslog_name=postfix-smtpsh-check/{name}\n"
                             f"  -o smtpd_tls_chain_files={key},{chain}\n"
                             "  -o smtpd_tls_protocols=>=TLSv1.2\n")
            daemons = MASTER_CF[MASTER_CF.index("pickup "):]
            (etc / "master.cf").write_text(services + daemons)
            past = time.time() - 60  # Postfix waits for config files younger than 2 s
            for f in etc.iterdir():
                os.utime(f, (past, past))
            server._postfix_started = True
            server._postfix("start", check=True)
            deadline = time.monotonic() + 20
            for port in self.ports.values():
                server._wait_for_greeting(port, deadline)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        self.server.stop()
        shutil.rmtree(self.root, ignore_errors=True)


def need_postfix() -> None:
    """As tests/postfix.py's fixture: skip without Postfix or root, but fail in CI."""
    from postfix import find_program

    msg = ("postfix not installed (run scripts/install-test-deps.sh)"
           if not find_program("postfix") else
           "starting Postfix needs root" if os.geteuid() != 0 else "")
    if msg:
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)
