"""The Dovecot LMTP fixture does what tests/dovecot_lmtp.py says, over both of its listeners.

Plain sockets only, no smtpsh code: these tests prove the fixture, not the client.
"""

from __future__ import annotations

import socket
import stat
import uuid
from collections.abc import Iterator

import pytest
from dovecot_lmtp import DovecotLmtp


class RawLmtp:
    """Just enough of a client: send a line, read one (possibly multiline) reply."""

    def __init__(self, sock: socket.socket) -> None:
        sock.settimeout(10)
        self.sock = sock
        self.file = sock.makefile("rb")

    def reply(self) -> list[str]:
        lines = []
        while True:
            raw = self.file.readline()
            assert raw.endswith(b"\r\n"), f"connection closed or bad line: {raw!r}"
            line = raw[:-2].decode()
            lines.append(line)
            if line[3:4] != "-":
                return lines

    def code(self) -> tuple[int, str]:
        """The code and text of the final line of the next reply."""
        last = self.reply()[-1]
        return int(last[:3]), last[4:]

    def send(self, line: str) -> tuple[int, str]:
        self.sock.sendall(line.encode() + b"\r\n")
        return self.code()

    def close(self) -> None:
        self.file.close()
        self.sock.close()


@pytest.fixture(params=["unix", "tcp"])
def lmtp(request: pytest.FixtureRequest, dovecot_lmtp: DovecotLmtp) -> Iterator[RawLmtp]:
    if request.param == "unix":
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.connect(str(dovecot_lmtp.socket))
    else:
        sock = socket.create_connection((dovecot_lmtp.host, dovecot_lmtp.port), timeout=10)
    client = RawLmtp(sock)
    yield client
    client.close()


def test_fixture_fields(dovecot_lmtp: DovecotLmtp) -> None:
    assert stat.S_ISSOCK(dovecot_lmtp.socket.stat().st_mode)
    assert dovecot_lmtp.host == "127.0.0.1"
    assert 0 < dovecot_lmtp.port < 65536 and dovecot_lmtp.port != 22024  # not the spike's
    assert dovecot_lmtp.maildir("bob") == dovecot_lmtp.root / "mail" / "bob" / "Maildir"
    # Nothing from /etc/dovecot: the config names only paths in the temp dir.
    conf = (dovecot_lmtp.root / "dovecot.conf").read_text()
    assert "/etc/" not in conf


def test_one_reply_per_accepted_recipient_after_the_dot(lmtp: RawLmtp,
                                                        dovecot_lmtp: DovecotLmtp) -> None:
    subject = f"fixture {uuid.uuid4()}"
    code, text = lmtp.code()
    assert code == 220, text
    lhlo = lmtp.send("LHLO client.smtpsh.test")
    assert lhlo[0] == 250
    assert lmtp.send("MAIL FROM:<sender@smtpsh.test>")[0] == 250
    assert lmtp.send("RCPT TO:<bob>")[0] == 250
    assert lmtp.send("RCPT TO:<full>")[0] == 250  # the quota is checked only at delivery
    code, text = lmtp.send("RCPT TO:<nosuchuser>")
    assert code == 550 and text.startswith("5.1.1"), text
    assert lmtp.send("DATA")[0] == 354
    # Well over the 100-byte quota of `full`.
    body = f"Subject: {subject}\r\nFrom: sender@smtpsh.test\r\n\r\n" + "x" * 200 + "\r\n"
    lmtp.sock.sendall(body.encode() + b".\r\n")
    # RFC 2033: one reply per recipient accepted at RCPT, in RCPT order.
    bob, full = lmtp.code(), lmtp.code()
    assert bob[0] == 250 and "<bob>" in bob[1], bob
    assert full[0] == 452 and full[1].startswith("4.2.2 <full>"), full
    # Exactly two: the next reply is the one to QUIT.
    assert lmtp.send("QUIT")[0] == 221

    delivered = [m for m in dovecot_lmtp.messages("bob") if subject.encode() in m]
    assert len(delivered) == 1
    assert b"x" * 200 in delivered[0]
    assert not any(subject.encode() in m for m in dovecot_lmtp.messages("full"))
