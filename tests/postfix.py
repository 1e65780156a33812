"""A real Postfix (with an auth-only Dovecot for SASL) on loopback, for tests.

Everything lives in one temp dir: config, queue, Maildir, logs, the Dovecot runtime dir.
No daemon does DNS, and mail is only ever delivered to the Maildir (other domains go to the
discard transport), so the servers never send traffic off this machine. Needs root.
Set SMTPSH_KEEP_POSTFIX=1 to keep the temp dir (maillog, dovecot.log) after the run.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

DOMAIN = "postfix.test"
HOSTNAME = "mx.postfix.test"

MAIN_CF = """\
compatibility_level = 3.6
queue_directory = {queue}
data_directory = {data}
maillog_file = {maillog}
maillog_file_prefixes = {root}
syslog_name = postfix-smtpsh-test
mail_owner = postfix
myhostname = {hostname}
mydomain = {domain}
myorigin = $myhostname
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.1/32

# No DNS at all: the system resolver is not reachable from these machines.
smtpd_peername_lookup = no
smtp_dns_support_level = disabled
disable_dns_lookups = yes

# Nothing is ever relayed or delivered locally: only the virtual domain gets mail.
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
local_transport = error:5.1.1 local delivery is disabled in tests
default_transport = discard:relayed mail is dropped in tests
relay_transport = discard:relayed mail is dropped in tests
virtual_mailbox_domains = {domain}
virtual_mailbox_base = {mailboxes}
virtual_mailbox_maps = static:Maildir/
virtual_uid_maps = static:{uid}
virtual_gid_maps = static:{gid}
virtual_minimum_uid = 1

smtpd_banner = $myhostname ESMTP Postfix
# Negative tests would otherwise wait 1 s per error.
smtpd_error_sleep_time = 0s
# A test session may collect many errors on purpose; don't slow or drop it.
smtpd_soft_error_limit = 100
smtpd_hard_error_limit = 100
# Unauthenticated clients get "Relay access denied", as at a real MX.
smtpd_relay_restrictions = permit_sasl_authenticated, reject_unauth_destination
biff = no
append_dot_mydomain = no
delay_warning_time = 0h
# Loopback clients count as remote, so cleanup adds no Message-ID/Date/From: what a test
# sends is what lands in the Maildir (after the Return-Path/Delivered-To/Received lines).
local_header_rewrite_clients =

smtpd_tls_security_level = may
smtpd_tls_chain_files = {config}/key.pem, {config}/cert.pem
smtpd_tls_loglevel = 1
smtpd_sasl_type = dovecot
smtpd_sasl_path = private/auth
smtpd_sasl_auth_enable = no
"""

# chroot "n" everywhere: the jail would need copies of files the tests don't care about.
MASTER_CF = """\
127.0.0.1:{port} inet n - n - - smtpd
127.0.0.1:{submission_port} inet n - n - - smtpd
  -o syslog_name=postfix-smtpsh-test/submission
  -o smtpd_tls_security_level=encrypt
  -o smtpd_tls_auth_only=yes
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject
127.0.0.1:{smtps_port} inet n - n - - smtpd
  -o syslog_name=postfix-smtpsh-test/smtps
  -o smtpd_tls_wrappermode=yes
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject
127.0.0.1:{strict_port} inet n - n - - smtpd
  -o syslog_name=postfix-smtpsh-test/strict
  -o smtpd_forbid_bare_newline=reject
  -o smtpd_forbid_bare_newline_exclusions=
  -o smtpd_forbid_unauth_pipelining=yes
127.0.0.1:{bare_reject_port} inet n - n - - smtpd
  -o syslog_name=postfix-smtpsh-test/bare-reject
  -o smtpd_forbid_bare_newline=reject
  -o smtpd_forbid_bare_newline_exclusions=
127.0.0.1:{pregreet_port} inet n - n - - smtpd
  -o syslog_name=postfix-smtpsh-test/pregreet
  -o smtpd_forbid_unauth_pipelining=yes
  -o smtpd_delay_reject=no
  -o smtpd_client_restrictions=sleep,1
127.0.0.1:{proxy_protocol_port} inet n - n - - smtpd
  -o syslog_name=postfix-smtpsh-test/haproxy
  -o smtpd_upstream_proxy_protocol=haproxy
127.0.0.1:{xclient_port} inet n - n - - smtpd
  -o syslog_name=postfix-smtpsh-test/xclient
  -o smtpd_authorized_xclient_hosts=127.0.0.1
  -o smtpd_authorized_xforward_hosts=127.0.0.1
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
virtual   unix  -       n       n       -       -       virtual
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
"""

DOVECOT_CONF = """\
# Auth-only Dovecot: no mail protocols, just the SASL socket Postfix talks to.
base_dir = {run}
state_dir = {state}
instance_name = dovecot-smtpsh-{port}
log_path = {log}
protocols =
ssl = no
# The tests decide where plaintext is allowed (Postfix only offers AUTH after TLS).
disable_plaintext_auth = no
auth_mechanisms = plain login cram-md5
auth_failure_delay = 0
auth_verbose = yes
# nodelay: answer a wrong CRAM-MD5 at once. A wrong PLAIN/LOGIN still waits for Dovecot
# 2.3's 500 ms failure-flush timer (the passdb fields are dropped on a mismatch).
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {passwd}
}}
userdb {{
  driver = static
  args = uid=nobody gid=nogroup home=/nonexistent
}}
service auth {{
  unix_listener {socket} {{
    user = postfix
    group = postfix
    mode = 0660
  }}
}}
# Without this, anvil slows down repeated failed logins from the same IP.
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
"""


def find_program(name: str) -> str | None:
    # Debian puts both in /usr/sbin, which a non-login PATH may lack.
    return shutil.which(name, path=os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin"]))


def free_ports(n: int) -> list[int]:
    """Distinct free loopback ports: all n are bound at once, then released."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def _alive(pid: int) -> bool:
    """True if pid runs; a zombie counts as dead (init here reaps slowly, so kill -0 lies)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return f"({path} not readable)"


def _header_lines(message: bytes) -> list[bytes]:
    head = message.split(b"\n\n", 1)[0]
    return [line.strip().lower() for line in head.split(b"\n")]


class Postfix:
    """Postfix on three loopback ports, SASL through Dovecot, mail for postfix.test kept.

    - ``port``: plain SMTP, STARTTLS offered, no AUTH, relaying denied (554).
    - ``submission_port``: STARTTLS required; AUTH (PLAIN LOGIN CRAM-MD5) only after TLS;
      authenticated clients may relay (other domains go to the discard transport).
    - ``smtps_port``: implicit TLS, AUTH offered.
    - ``strict_port``: as ``port``, with smtpd_forbid_bare_newline = reject (no exclusions:
      loopback is in $mynetworks) and smtpd_forbid_unauth_pipelining = yes, as Postfix 3.9
      recommends against SMTP smuggling.
    - ``bare_reject_port``: as ``port``, with smtpd_forbid_bare_newline = reject only.
    - ``pregreet_port``: smtpd_forbid_unauth_pipelining = yes, and a 1 s pause before the
      greeting (smtpd_client_restrictions = sleep 1 at connect): a client that talks early
      is always caught (without the pause, it races with the greeting).
    - ``proxy_protocol_port``: smtpd_upstream_proxy_protocol = haproxy: a PROXY header (v1 or
      v2) must come first; the client it names is the one Postfix records.
    - ``xclient_port``: smtpd_authorized_xclient_hosts and smtpd_authorized_xforward_hosts =
      127.0.0.1: XCLIENT and XFORWARD offered to loopback (other ports refuse them: 550 5.7.0).

    Any local part @postfix.test is accepted. Messages are stored as Postfix writes them: LF
    line ends, Return-Path/X-Original-To/Delivered-To/Received prepended, dot-stuffing undone.
    The session fixture is shared, so give each test its own recipient and pass it to
    ``messages()``/``wait_for_messages()``.
    """

    user = "alice"
    password = "s3cret"
    hostname = HOSTNAME
    domain = DOMAIN
    host = "127.0.0.1"

    def __init__(self, root: Path, ca: trustme.CA | None = None) -> None:
        self.root = Path(root)
        self.ca = ca if ca is not None else trustme.CA()
        self.config_dir = self.root / "etc"
        self.queue_dir = self.root / "spool"
        self.data_dir = self.root / "lib"
        self.mailbox_dir = self.root / "mail"
        self.maillog = self.root / "maillog"
        self.dovecot_conf = self.root / "dovecot" / "dovecot.conf"
        self.dovecot_log = self.root / "dovecot" / "dovecot.log"
        self.ca_path = self.root / "ca.pem"
        (self.port, self.submission_port, self.smtps_port, self.strict_port,
         self.bare_reject_port, self.pregreet_port, self.proxy_protocol_port,
         self.xclient_port) = free_ports(8)
        self.postfix_bin = find_program("postfix") or "postfix"
        self.dovecot_bin = find_program("dovecot") or "dovecot"
        self._dovecot: subprocess.Popen[bytes] | None = None
        self._postfix_started = False

    # -- setup ------------------------------------------------------------------------------

    def _write_config(self) -> None:
        pf = pwd.getpwnam("postfix")
        nobody = pwd.getpwnam("nobody")
        # Daemons running as postfix, nobody and dovecot must traverse the tree.
        self.root.chmod(0o755)
        for d in (self.config_dir, self.queue_dir):
            d.mkdir(mode=0o755)
        for d in (self.data_dir, self.mailbox_dir):
            d.mkdir(mode=0o700)
        os.chown(self.data_dir, pf.pw_uid, pf.pw_gid)
        os.chown(self.mailbox_dir, nobody.pw_uid, nobody.pw_gid)
        # Dovecot puts its socket here before Postfix creates the rest of the queue tree.
        private = self.queue_dir / "private"
        private.mkdir(mode=0o700)
        os.chown(private, pf.pw_uid, pf.pw_gid)

        cert = self.ca.issue_cert("localhost", "127.0.0.1", HOSTNAME)
        cert.private_key_pem.write_to_path(str(self.config_dir / "key.pem"))
        (self.config_dir / "key.pem").chmod(0o600)
        (self.config_dir / "cert.pem").write_bytes(
            b"".join(blob.bytes() for blob in cert.cert_chain_pems)
        )
        self.ca.cert_pem.write_to_path(str(self.ca_path))

        (self.config_dir / "main.cf").write_text(
            MAIN_CF.format(
                queue=self.queue_dir,
                data=self.data_dir,
                maillog=self.maillog,
                root=self.root,
                hostname=HOSTNAME,
                domain=DOMAIN,
                mailboxes=self.mailbox_dir,
                config=self.config_dir,
                uid=nobody.pw_uid,
                gid=nobody.pw_gid,
            )
        )
        (self.config_dir / "master.cf").write_text(
            MASTER_CF.format(
                port=self.port,
                submission_port=self.submission_port,
                smtps_port=self.smtps_port,
                strict_port=self.strict_port,
                bare_reject_port=self.bare_reject_port,
                pregreet_port=self.pregreet_port,
                proxy_protocol_port=self.proxy_protocol_port,
                xclient_port=self.xclient_port,
            )
        )
        # Postfix waits (in 0.3 s steps) until a config file is 2 s old, in case it is still
        # being written: date them back.
        past = time.time() - 60
        for f in self.config_dir.iterdir():
            os.utime(f, (past, past))

        dovecot_dir = self.dovecot_conf.parent
        dovecot_dir.mkdir(mode=0o755)
        (dovecot_dir / "state").mkdir(mode=0o755)
        passwd = dovecot_dir / "passwd"
        passwd.write_text(f"{self.user}:{{PLAIN}}{self.password}::::::nodelay=yes\n")
        passwd.chmod(0o644)
        self.dovecot_conf.write_text(
            DOVECOT_CONF.format(
                run=dovecot_dir / "run",
                state=dovecot_dir / "state",
                port=self.port,
                log=self.dovecot_log,
                passwd=passwd,
                socket=private / "auth",
            )
        )

    def start(self, timeout: float = 20.0) -> None:
        self._write_config()
        deadline = time.monotonic() + timeout
        with open(self.root / "dovecot.out", "wb") as out:
            # Foreground, so this process is its parent: we get its pid and reap it on stop.
            self._dovecot = subprocess.Popen(
                [self.dovecot_bin, "-F", "-c", str(self.dovecot_conf)],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        # Set first: if "postfix start" fails half-way, stop() still cleans up.
        self._postfix_started = True
        self._postfix("start", check=True)
        self._wait_for_socket(self.queue_dir / "private" / "auth", deadline)
        for port in (self.port, self.submission_port, self.smtps_port, self.strict_port,
                     self.bare_reject_port, self.pregreet_port, self.proxy_protocol_port,
                     self.xclient_port):
            self._wait_for_greeting(port, deadline)

    def _postfix(self, command: str, check: bool) -> None:
        with open(self.root / "postfix.out", "ab") as out:
            # stdio to a file: a daemon inheriting our pipes would hang whoever reads them.
            rc = subprocess.run(
                [self.postfix_bin, "-c", str(self.config_dir), command],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=60,
            ).returncode
        if check and rc != 0:
            raise RuntimeError(f"postfix {command} failed (exit {rc})\n{self.diagnostics()}")

    def _wait_for_socket(self, path: Path, deadline: float) -> None:
        while not path.exists():
            if self._dovecot is not None and self._dovecot.poll() is not None:
                raise RuntimeError(f"dovecot exited early\n{self.diagnostics()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"dovecot made no {path}\n{self.diagnostics()}")
            time.sleep(0.02)

    def _wait_for_greeting(self, port: int, deadline: float) -> None:
        """Wait until smtpd greets on ``port``; a whole session, so the maillog stays clean."""
        last: Exception | None = None
        while time.monotonic() < deadline:
            try:
                self._probe(port)
                return
            except (OSError, ValueError) as e:  # ssl.SSLError is an OSError
                last = e
            pid = self.master_pid()
            if pid is None or not _alive(pid):
                raise RuntimeError(f"the Postfix master died\n{self.diagnostics()}")
            time.sleep(0.02)
        raise RuntimeError(f"no SMTP greeting on port {port}: {last!r}\n{self.diagnostics()}")

    def _probe(self, port: int) -> None:
        with socket.create_connection((self.host, port), timeout=2) as raw:
            sock = raw
            if port == self.proxy_protocol_port:  # no greeting before the PROXY header
                raw.sendall(f"PROXY TCP4 127.0.0.1 127.0.0.1 1 {port}\r\n".encode())
            if port == self.smtps_port:
                ctx = ssl.create_default_context(cafile=str(self.ca_path))
                sock = ctx.wrap_socket(raw, server_hostname=HOSTNAME)
            with sock.makefile("rwb") as f:
                greeting = f.readline()
                if not greeting.startswith(b"220 "):
                    raise ValueError(f"greeting {greeting!r}")
                f.write(b"QUIT\r\n")
                f.flush()
                f.readline()

    def master_pid(self) -> int | None:
        try:
            return int((self.queue_dir / "pid" / "master.pid").read_text())
        except (OSError, ValueError):
            return None

    def diagnostics(self) -> str:
        parts = [
            f"--- {self.maillog} ---\n{_tail(self.maillog)}",
            f"--- postfix output ---\n{_tail(self.root / 'postfix.out')}",
            f"--- {self.dovecot_log} ---\n{_tail(self.dovecot_log)}",
            f"--- dovecot output ---\n{_tail(self.root / 'dovecot.out')}",
        ]
        return "\n".join(parts)

    def stop(self) -> None:
        # Dovecot takes ~1 s to wind down; let that overlap with stopping Postfix.
        if self._dovecot is not None:
            self._dovecot.terminate()
        if self._postfix_started:
            pid = self.master_pid()
            self._postfix("stop", check=False)
            self._postfix_started = False
            # "postfix stop" gives up after 5 s; make sure the ports are free when we return.
            deadline = time.monotonic() + 10
            while pid is not None and _alive(pid) and time.monotonic() < deadline:
                time.sleep(0.02)
        if self._dovecot is not None:
            try:
                self._dovecot.wait(10)
            except subprocess.TimeoutExpired:
                self._dovecot.kill()
                self._dovecot.wait(10)
            self._dovecot = None

    # -- reading mail -----------------------------------------------------------------------

    def messages(self, recipient: str | None = None) -> list[bytes]:
        """Delivered messages, oldest first; only those for ``recipient`` if given.

        Every address in postfix.test shares one Maildir (virtual(8) refuses regexp
        substitution in mailbox maps), so the recipient is told by the Delivered-To line.
        """
        new = self.mailbox_dir / "Maildir" / "new"
        files = sorted(
            (f for f in new.glob("*") if f.is_file()),
            # Maildir names start with the delivery second; mtime_ns orders within it.
            key=lambda f: (f.stat().st_mtime_ns, f.name),
        )
        found = [f.read_bytes() for f in files]
        if recipient is None:
            return found
        wanted = f"delivered-to: {recipient}".lower().encode()
        return [m for m in found if wanted in _header_lines(m)]

    def wait_for_messages(
        self, n: int, timeout: float = 10.0, recipient: str | None = None
    ) -> list[bytes]:
        """Poll until at least ``n`` messages arrived; raise with the maillog tail otherwise."""
        deadline = time.monotonic() + timeout
        while True:
            got = self.messages(recipient)
            if len(got) >= n:
                return got
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{len(got)} of {n} messages arrived in {timeout} s\n{self.diagnostics()}"
                )
            time.sleep(0.02)

    def __enter__(self) -> Postfix:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


@pytest.fixture(scope="session")
def postfix_server() -> Iterator[Postfix]:
    """One Postfix + Dovecot for the whole test run."""
    missing = [name for name in ("postfix", "dovecot") if not find_program(name)]
    msg = ""
    if missing:
        msg = f"{', '.join(missing)} not installed (run scripts/install-test-deps.sh)"
    elif os.geteuid() != 0:
        msg = "starting Postfix needs root"
    if msg:
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)
    # Not pytest's tmp_path: its parents are mode 0700, and the daemons' users must get in.
    root = Path(tempfile.mkdtemp(prefix="smtpsh-postfix-"))
    server = Postfix(root)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        if not os.environ.get("SMTPSH_KEEP_POSTFIX"):
            shutil.rmtree(root, ignore_errors=True)
