"""A real Dovecot LMTP server on a unix socket and a loopback TCP port, for tests.

Everything lives in one temp dir: config, users, Maildirs, runtime and state dirs, log.
Nothing is read from /etc/dovecot. Users (passwd-file, password "secret" for all):

- ``alice``, ``bob``: ordinary mailboxes.
- ``full``: a 100-byte quota with ``quota_full_tempfail = yes``, so any real message gets
  ``452 4.2.2`` after the final dot while the other recipients get 250: the one case where
  LMTP's reply-per-recipient after DATA shows.

An unknown user is refused at RCPT (550 5.1.1), not after DATA. Delivery is synchronous: when
the 250 after the dot arrives, the file is in ``maildir(user) / "new"``. Needs root (the
delivery runs as uid 65534). Set SMTPSH_KEEP_DOVECOT=1 to keep the temp dir after the run.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from postfix import find_program, free_ports

LMTP_BINARY = Path("/usr/lib/dovecot/lmtp")  # Debian's dovecot-lmtpd; the master execs it
USERS = ("alice", "bob", "full")
PASSWORD = "secret"
# uid/gid of the mail files: nobody. Dovecot refuses uid 0 in a userdb ("invalid UID '0'"),
# which then looks like an unknown user (550 at RCPT).
MAIL_UID = MAIL_GID = 65534

DOVECOT_CONF = """\
instance_name = smtpsh-lmtp-{port}
base_dir = {root}/run
state_dir = {root}/state
protocols = lmtp
listen = 127.0.0.1
ssl = no
log_path = {root}/dovecot.log
first_valid_uid = 1
mail_location = maildir:~/Maildir
mail_plugins = quota
# A full mailbox is a 452 (try later), not a 552: the mixed 250/452 after DATA is the point.
quota_full_tempfail = yes
postmaster_address = postmaster@smtpsh.test
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {root}/users
}}
userdb {{
  driver = passwd-file
  args = {root}/users
}}
plugin {{
  quota = maildir:User quota
}}
service lmtp {{
  unix_listener {socket} {{
    mode = 0666
  }}
  inet_listener lmtp {{
    address = 127.0.0.1
    port = {port}
  }}
}}
"""


@dataclass(frozen=True)
class DovecotLmtp:
    """Where the running server listens and keeps mail (see the module docstring)."""

    root: Path
    socket: Path  # the LMTP unix socket
    host: str  # 127.0.0.1
    port: int  # the LMTP TCP port
    log: Path
    users: tuple[str, ...] = USERS

    def maildir(self, user: str) -> Path:
        """The user's Maildir (its ``new/`` appears with the first delivery)."""
        return self.root / "mail" / user / "Maildir"

    def messages(self, user: str) -> list[bytes]:
        """What landed in the user's ``new/``, oldest first."""
        new = self.maildir(user) / "new"
        if not new.is_dir():
            return []
        files = sorted(new.iterdir(), key=lambda f: (f.stat().st_mtime_ns, f.name))
        return [f.read_bytes() for f in files if f.is_file()]


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return f"({path} not readable)"


class DovecotProcess:
    """Writes the config, starts ``dovecot -F`` (so we are the master's parent), stops it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        (self.port,) = free_ports(1)
        self.server = DovecotLmtp(root=root, socket=root / "lmtp.sock", host="127.0.0.1",
                                  port=self.port, log=root / "dovecot.log")
        self.conf = root / "dovecot.conf"
        self.out = root / "dovecot.out"
        self.popen: subprocess.Popen[bytes] | None = None

    def _write_config(self) -> None:
        # The lmtp process (root, then uid 65534 to deliver) must traverse the tree.
        self.root.chmod(0o755)
        for d in ("run", "state"):
            (self.root / d).mkdir(mode=0o755)
        mail = self.root / "mail"
        mail.mkdir(mode=0o755)
        os.chown(mail, MAIL_UID, MAIL_GID)  # Dovecot creates each home below as that user
        lines = [f"{u}:{{PLAIN}}{PASSWORD}:{MAIL_UID}:{MAIL_GID}::{mail / u}::" for u in USERS]
        # 100B, not 1: a bare number is KiB, and the first message would still fit.
        lines[USERS.index("full")] += "userdb_quota_rule=*:storage=100B"
        (self.root / "users").write_text("\n".join(lines) + "\n")
        self.conf.write_text(DOVECOT_CONF.format(root=self.root, socket=self.server.socket,
                                                 port=self.port))

    def start(self, timeout: float = 20.0) -> None:
        self._write_config()
        deadline = time.monotonic() + timeout
        with open(self.out, "wb") as out:
            self.popen = subprocess.Popen(
                [find_program("dovecot") or "dovecot", "-F", "-c", str(self.conf)],
                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,  # a Ctrl-C in pytest is not sent to it as well
            )
        # Ready = both listeners up. The socket file appears before the TCP port answers.
        while not (self.server.socket.exists() and self._port_open()):
            if self.popen.poll() is not None:
                raise RuntimeError(f"dovecot exited ({self.popen.returncode})\n"
                                   f"{self.diagnostics()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"dovecot LMTP not ready in {timeout} s\n"
                                   f"{self.diagnostics()}")
            time.sleep(0.02)

    def _port_open(self) -> bool:
        try:
            with socket.create_connection((self.server.host, self.port), timeout=1):
                return True  # Dovecot logs a connect-and-close as a plain disconnect
        except OSError:
            return False

    def master_pid(self) -> int | None:
        try:
            return int((self.root / "run" / "master.pid").read_text())
        except (OSError, ValueError):
            return None

    def diagnostics(self) -> str:
        return (f"--- {self.server.log} ---\n{_tail(self.server.log)}\n"
                f"--- {self.out} ---\n{_tail(self.out)}")

    def stop(self) -> None:
        if self.popen is None:
            return
        # With -F the master is our child, so master.pid names the Popen's pid; prefer the
        # file's word, but never signal a pid that is not ours.
        pid = self.master_pid()
        if pid != self.popen.pid:
            pid = self.popen.pid
        if self.popen.poll() is None:
            os.kill(pid, signal.SIGTERM)
        try:
            self.popen.wait(10)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait(10)
        self.popen = None


@pytest.fixture(scope="session")
def dovecot_lmtp() -> Iterator[DovecotLmtp]:
    """One Dovecot LMTP server for the whole run (shared: tell your messages apart)."""
    msg = ""
    if not find_program("dovecot"):
        msg = "dovecot not installed (run scripts/install-test-deps.sh)"
    elif not LMTP_BINARY.exists():
        msg = (f"{LMTP_BINARY} missing: dovecot-lmtpd not installed"
               " (run scripts/install-test-deps.sh)")
    elif os.geteuid() != 0:
        msg = "starting Dovecot LMTP needs root (mail is stored as uid 65534)"
    if msg:
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)
    # Not pytest's tmp_path: its parents are mode 0700, and uid 65534 must get in.
    root = Path(tempfile.mkdtemp(prefix="smtpsh-lmtp-"))
    proc = DovecotProcess(root)
    try:
        proc.start()
        yield proc.server
    finally:
        proc.stop()
        if not os.environ.get("SMTPSH_KEEP_DOVECOT"):
            shutil.rmtree(root, ignore_errors=True)
